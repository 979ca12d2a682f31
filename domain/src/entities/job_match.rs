use sea_orm::entity::prelude::*;

use crate::types::MatchStatus;

/// A scored (posting, seeker) pair.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "matches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub posting_id: Uuid,
    pub seeker_id: Uuid,
    pub business_id: Uuid,
    pub score: f64,
    pub for_seeker: f64,
    pub for_job: f64,
    #[sea_orm(column_type = "JsonBinary")]
    pub factors: Json,
    pub explanation: String,
    pub status: MatchStatus,
    pub dismiss_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
