use sea_orm::entity::prelude::*;

use crate::fairs::status::FairStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fairs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub mall: String,
    pub hall: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub district_id: Option<Uuid>,
    pub starts_at: DateTimeUtc,
    pub slot_minutes: i32,
    pub slot_count: i32,
    pub booth_count: i32,
    pub seeker_capacity: i32,
    pub visits_per_seeker: i32,
    pub registration_deadline: DateTimeUtc,
    pub status: FairStatus,
    pub registered_count: i32,
    pub approved_booths: i32,
    /// The fair's check-in key (base64url of 32 random bytes): signs its QR tokens.
    pub signing_key: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub cancel_reason: Option<String>,
    pub plan_version: i32,
    pub planned_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub plan_summary: Option<Json>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
