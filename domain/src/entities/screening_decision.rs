use sea_orm::entity::prelude::*;

use crate::types::ScreeningOutcome;

/// One refusal or hold posting screening made (see `crate::screening`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "screening_decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Null when a new posting was refused (nothing was saved).
    pub posting_id: Option<Uuid>,
    pub business_id: Uuid,
    pub district_id: Option<Uuid>,
    /// Who wrote the posting (create or edit).
    pub account_id: Uuid,
    /// `create` or `edit`.
    pub action: String,
    pub rule: String,
    pub category: String,
    pub outcome: ScreeningOutcome,
    pub field: String,
    #[sea_orm(column_type = "Text")]
    pub phrase: String,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
