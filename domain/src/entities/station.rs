use sea_orm::entity::prelude::*;

use crate::stations::Amenities;
use crate::stations::hours::OpeningHours;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub district_id: Option<Uuid>,
    pub name: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    #[sea_orm(column_type = "JsonBinary")]
    pub amenities: Amenities,
    #[sea_orm(column_type = "JsonBinary")]
    pub opening_hours: OpeningHours,
    pub contact_phone: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub active: bool,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
