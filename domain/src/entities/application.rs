use sea_orm::entity::prelude::*;

use crate::types::ApplicationStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub posting_id: Uuid,
    pub business_id: Uuid,
    pub district_id: Option<Uuid>,
    pub seeker_id: Uuid,
    pub status: ApplicationStatus,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub interview_at: Option<DateTimeUtc>,
    pub interview_place: Option<String>,
    pub rejection_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The seeker's graduation year when they applied: the figures count placements of
    /// graduates by it, and it outlives the link to the seeker once retention anonymises.
    pub graduation_year: Option<i32>,
    pub anonymised_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
