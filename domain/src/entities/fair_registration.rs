use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::fairs::status::RegistrationStatus;

/// Slot numbers (from 1) a seeker can attend.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
#[serde(transparent)]
pub struct SlotList(pub Vec<i32>);

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fair_registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub fair_id: Uuid,
    pub seeker_id: Uuid,
    pub status: RegistrationStatus,
    /// `None`: every slot.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub slots: Option<SlotList>,
    pub walk_in: bool,
    /// Orders the waiting list.
    pub queued_at: DateTimeUtc,
    pub checked_in_at: Option<DateTimeUtc>,
    pub checked_in_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
