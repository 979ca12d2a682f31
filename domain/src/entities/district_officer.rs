use sea_orm::entity::prelude::*;

/// An officer's assignment to a district.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "district_officers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub district_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub officer_id: Uuid,
    pub assigned_by: Uuid,
    pub assigned_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
