use sea_orm::entity::prelude::*;

/// An application a seeker made at a booth (the application itself is an ordinary one).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fair_applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub application_id: Uuid,
    pub fair_id: Uuid,
    pub booth_id: Uuid,
    pub posting_id: Uuid,
    pub seeker_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
