use sea_orm::entity::prelude::*;

/// A named lease (`outbox`, `gig_jobs`, `retention`): who holds it and until when, and the
/// holder's progress (the matcher's position in the outbox). The candidate digest's daily
/// markers (`d<date>-<business>`) are rows here too. See `crate::leases`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub holder: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "JsonBinary")]
    pub progress: Json,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
