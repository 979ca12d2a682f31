use sea_orm::entity::prelude::*;

/// A seeker and a business talking about one posting. See `crate::conversations`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub posting_id: Uuid,
    pub business_id: Uuid,
    pub seeker_id: Uuid,
    pub opened_by: Uuid,
    /// The seq of the newest message (messages are numbered 1, 2, … per conversation).
    pub message_count: i32,
    /// Read receipts: the newest seq each side has read.
    pub seeker_read_seq: i32,
    pub business_read_seq: i32,
    /// The newest seq each side was sent a notice about while away (see
    /// `crate::conversations::notices`).
    pub seeker_notified_seq: i32,
    pub business_notified_seq: i32,
    pub last_message_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    /// When the seeker first wrote, and when the business first wrote after that (set once
    /// each by the sending transaction; see `crate::conversations::responsiveness`).
    pub seeker_first_at: Option<DateTimeUtc>,
    pub first_reply_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
