use sea_orm::entity::prelude::*;

use crate::types::InvitationStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub posting_id: Uuid,
    pub business_id: Uuid,
    pub seeker_id: Uuid,
    pub invited_by: Uuid,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub status: InvitationStatus,
    pub created_at: DateTimeUtc,
    pub responded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
