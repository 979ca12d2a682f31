use sea_orm::entity::prelude::*;

/// The legal minimum wage of a city from `effective_from` until the next row of the city.
/// Rows are only added, never changed (see `crate::screening::minimum_wages`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "minimum_wages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub city: String,
    pub effective_from: Date,
    pub hourly_fen: i64,
    pub monthly_fen: i64,
    pub source: String,
    /// Null for rows loaded from `data/minimum_wages.toml`.
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
