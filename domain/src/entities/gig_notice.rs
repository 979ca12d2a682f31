use sea_orm::entity::prelude::*;

use crate::types::NoticeStatus;

/// A gig notice for a seeker, held until it may be delivered to the inbox: not before
/// `due_at`, outside the seeker's quiet hours and within their daily cap unless `urgent`,
/// and dropped once `expires_at` has passed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gig_notices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub kind: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub data: Json,
    pub urgent: bool,
    pub due_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub status: NoticeStatus,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
