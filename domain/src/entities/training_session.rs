use sea_orm::entity::prelude::*;

use crate::types::{SessionStatus, TrainingCategory};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "training_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub district_id: Option<Uuid>,
    pub station_id: Option<Uuid>,
    pub venue: String,
    pub topic: String,
    pub category: TrainingCategory,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// The credential attending earns (a canonical name such as 急救证), if any.
    pub certificate: Option<String>,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub capacity: i32,
    pub registered: i32,
    pub status: SessionStatus,
    /// The session's check-in signing key (hex); never leaves the server except to the
    /// officers who run the session.
    pub checkin_key: String,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
