use sea_orm::entity::prelude::*;

/// The live one-time code of one destination (a phone number or e-mail address) for one
/// purpose, with the throttle state of that destination. See `crate::codes`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_codes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The normalised phone number or e-mail address.
    pub destination: String,
    /// `register` (later also `reset_password`, `verify_phone`).
    pub purpose: String,
    /// Hex HMAC-SHA256 of the code under the server's code key; null when no code was sent
    /// (the owner of an existing account was told instead).
    pub code_hash: Option<String>,
    /// Wrong codes presented since this code was sent.
    pub attempts: i32,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    /// When the last message went out; null after a failed delivery, so a retry is allowed.
    pub last_sent_at: Option<DateTimeUtc>,
    /// Start of the 24-hour window `sends_in_window` counts in.
    pub window_started_at: DateTimeUtc,
    pub sends_in_window: i32,
    /// Bumped by every send, so two requests racing for one row cannot both send.
    pub version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
