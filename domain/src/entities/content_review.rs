use sea_orm::entity::prelude::*;

/// User text held for an officer: WeChat's `msg_sec_check` said `review`, or the check
/// itself failed. `status`: `open` or `resolved` (`resolution` `approved` or `removed`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "content_reviews")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Option<Uuid>,
    /// `posting`, `profile`, `report`, `wish`.
    pub subject_type: String,
    pub subject_id: Option<Uuid>,
    /// The request field the text came in (`title`, `description`…).
    pub field: String,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    /// `review` (WeChat's word) or `unchecked` (the check failed or could not run).
    pub suggest: String,
    /// WeChat's label (100 normal, 20001 politics, 20002 porn…), when it gave one.
    pub label: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub status: String,
    pub resolution: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
