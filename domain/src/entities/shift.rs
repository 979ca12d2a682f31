use sea_orm::entity::prelude::*;

use crate::types::{ShiftPayUnit, ShiftStatus};

/// One dated shift of a gig posting. `claimed` counts the claims holding a place and only
/// changes through conditional updates that keep it within `places`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "shifts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub posting_id: Uuid,
    pub business_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub places: i32,
    pub claimed: i32,
    /// Integer fen per `pay_unit`.
    pub pay_fen: i64,
    pub pay_unit: ShiftPayUnit,
    pub break_minutes: i32,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub geofence_m: i32,
    pub status: ShiftStatus,
    /// Until then only the business's favourite workers may claim.
    pub favourites_until: Option<DateTimeUtc>,
    /// When the shift opened to every seeker (`None` during a favourites-only window).
    pub opened_at: Option<DateTimeUtc>,
    /// The last change made after someone had claimed it.
    pub changed_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub cancel_reason: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
