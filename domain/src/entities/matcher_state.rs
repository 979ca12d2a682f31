use sea_orm::entity::prelude::*;

/// The matcher's position in the outbox, and the lease of the worker reading it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "matcher_state")]
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
