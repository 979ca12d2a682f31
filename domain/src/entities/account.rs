use sea_orm::entity::prelude::*;

use crate::types::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub role: Role,
    #[sea_orm(unique)]
    pub phone: Option<String>,
    #[sea_orm(unique)]
    pub email: Option<String>,
    /// When the phone number was last proved by a one-time code sent to it; `None` for an
    /// account without a phone, or whose number was never proved (made before issue 20, or
    /// by an admin).
    pub phone_verified_at: Option<DateTimeUtc>,
    pub display_name: String,
    pub password_hash: String,
    /// Bumped whenever the account's rights change (disabled, role changed, password
    /// changed); access tokens carry the version they were issued under.
    pub token_version: i32,
    pub disabled_at: Option<DateTimeUtc>,
    /// Set when the person erased their account: the row stays for the records that must
    /// be kept, with nothing personal left in it.
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::refresh_token::Entity")]
    RefreshToken,
}

impl Related<super::refresh_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RefreshToken.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
