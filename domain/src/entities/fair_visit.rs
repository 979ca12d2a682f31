use sea_orm::entity::prelude::*;

/// One planned visit of a seeker's route.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fair_visits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub fair_id: Uuid,
    pub registration_id: Uuid,
    pub seeker_id: Uuid,
    pub booth_id: Uuid,
    /// The booth's posting that suits the seeker best.
    pub posting_id: Uuid,
    /// From 1.
    pub slot: i32,
    pub score: f64,
    pub explanation: String,
    /// The plan that placed it (kept visits keep their first version).
    pub plan_version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
