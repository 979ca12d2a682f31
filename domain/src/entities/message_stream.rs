use sea_orm::entity::prelude::*;

/// A message's place in one party's stream (the seeker's, or the business's). See
/// `crate::conversations::stream`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message_streams")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub party_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub pos: i64,
    pub message_id: Uuid,
    pub conversation_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
