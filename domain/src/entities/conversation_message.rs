use sea_orm::entity::prelude::*;

use crate::conversations::{MessageKind, Side};

/// One message of a conversation, as its sender wrote it (masking happens when it is read).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "conversation_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub seq: i32,
    pub sender_id: Uuid,
    pub side: Side,
    pub kind: MessageKind,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub data: Json,
    /// Whether the body holds a phone number or WeChat id (masked before consent).
    pub has_contact: bool,
    /// The recruiting-scam category the text tripped (`fee`, `task_scam`…), if any.
    pub flag: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
