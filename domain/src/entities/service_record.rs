use sea_orm::entity::prelude::*;

use crate::types::ServiceKind;

/// One service an officer gave a seeker, on the seeker's file.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "service_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub seeker_id: Uuid,
    pub officer_id: Uuid,
    pub district_id: Option<Uuid>,
    pub kind: ServiceKind,
    #[sea_orm(column_type = "Text")]
    pub notes: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub outcome: Option<String>,
    pub follow_up_due: Option<Date>,
    pub follow_up_done_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
