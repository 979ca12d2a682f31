use sea_orm::entity::prelude::*;

use crate::districts::Ring;

/// A district officers serve: everything placed inside its boundary is theirs to see.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "districts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub name: String,
    pub center_lat: f64,
    pub center_lon: f64,
    #[sea_orm(column_type = "JsonBinary")]
    pub boundary: Ring,
    /// Square metres; where districts overlap, a point belongs to the smallest.
    pub area_m2: f64,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
