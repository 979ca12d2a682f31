use sea_orm::entity::prelude::*;

use crate::types::BookingMode;

/// How a gig posting takes claims. A posting without a row books instantly with the
/// default cut-off.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gig_options")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub posting_id: Uuid,
    pub booking_mode: BookingMode,
    /// A seeker cancelling later than this many hours before the start cancels late.
    pub cancel_cutoff_hours: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
