use sea_orm::entity::prelude::*;

use crate::types::{WishCategory, WishStatus};

/// A wish on the wall. The author is kept so they can see their own wishes and so erasure
/// can find them; it is never shown to anyone else.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "wishes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub district_id: Option<Uuid>,
    pub author_id: Option<Uuid>,
    pub category: WishCategory,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub status: WishStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub response: Option<String>,
    pub responded_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
