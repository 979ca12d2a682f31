use sea_orm::entity::prelude::*;

/// An officer's decision on a business and what was checked for it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "business_verifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub business_id: Uuid,
    pub district_id: Option<Uuid>,
    pub officer_id: Uuid,
    /// `verified` or `rejected`.
    pub outcome: String,
    pub reason: Option<String>,
    pub licence_number: String,
    /// The GB 32100 check character of the licence number was right.
    pub checksum_ok: bool,
    /// Another business has the same licence number.
    pub duplicate_licence: bool,
    pub licence_photo_id: Option<Uuid>,
    pub owner_verified: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
