use sea_orm::entity::prelude::*;

/// One account's checked identity. The ID number is never stored in the clear: encrypted
/// under `key_id`, masked (前6后4) for display, and a keyed hash for duplicates.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "identity_verifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub account_id: Uuid,
    pub full_name: String,
    pub id_ciphertext: String,
    pub key_id: String,
    #[sea_orm(unique)]
    pub id_hash: String,
    pub id_masked: String,
    /// `local` (format, birth date, check digit) or `provider` (also the service).
    pub method: String,
    pub verified_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
