use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fair_booth_postings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub booth_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub posting_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
