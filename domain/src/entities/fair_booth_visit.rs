use sea_orm::entity::prelude::*;

use crate::fairs::status::BoothOutcome;

/// A seeker seen at a booth: scanned there, and what the merchant recorded.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fair_booth_visits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub fair_id: Uuid,
    pub booth_id: Uuid,
    pub seeker_id: Uuid,
    pub registration_id: Uuid,
    pub scanned_at: Option<DateTimeUtc>,
    pub outcome: Option<BoothOutcome>,
    pub posting_id: Option<Uuid>,
    pub outcome_at: Option<DateTimeUtc>,
    pub recorded_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
