use sea_orm::entity::prelude::*;

/// A change to a shift made after it was claimed (or its cancellation), with the reason
/// the claimants were given. `kind`: `updated` or `cancelled`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "shift_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub shift_id: Uuid,
    pub actor_id: Uuid,
    pub kind: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub before: Json,
    #[sea_orm(column_type = "JsonBinary")]
    pub after: Json,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
