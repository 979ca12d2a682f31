use sea_orm::entity::prelude::*;

/// One one-time acceptance of a subscribe-message template, spent by exactly one message.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wechat_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub template_id: String,
    pub accepted_at: DateTimeUtc,
    /// When a message took it; `None` while it is unspent.
    pub used_at: Option<DateTimeUtc>,
    pub message_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
