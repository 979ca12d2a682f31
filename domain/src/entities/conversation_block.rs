use sea_orm::entity::prelude::*;

use crate::conversations::Side;

/// One side of a seeker–business pair blocked the other: no messages either way, in any of
/// their conversations, until it unblocks.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversation_blocks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seeker_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub business_id: Uuid,
    /// The side that blocked.
    #[sea_orm(primary_key, auto_increment = false)]
    pub side: Side,
    pub blocked_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
