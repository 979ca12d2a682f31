use sea_orm::entity::prelude::*;

/// A business's gig settings: the secret its rotating check-in codes derive from (hex of
/// 32 random bytes, never shown) and the default geofence radius of its shifts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gig_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub business_id: Uuid,
    pub checkin_secret: String,
    pub geofence_m: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
