use sea_orm::entity::prelude::*;

use crate::types::{ReportCategory, ReportStatus};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Null once the reporter erased their account.
    pub reporter_id: Option<Uuid>,
    pub district_id: Option<Uuid>,
    pub category: ReportCategory,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub lat: f64,
    pub lon: f64,
    pub address: String,
    pub status: ReportStatus,
    /// The earlier report of the same problem this one was linked to.
    pub duplicate_of: Option<Uuid>,
    /// How many later reports were linked to this one.
    pub duplicates: i32,
    pub department_id: Option<Uuid>,
    /// Bumped at every dispatch; a handling link names the dispatch it was sent for, so links
    /// of an earlier dispatch stop working.
    pub dispatch_no: i32,
    /// The signing key of the report's handling links (hex), made at its first dispatch.
    pub handler_key: Option<String>,
    pub deadline: Option<DateTimeUtc>,
    pub dispatched_at: Option<DateTimeUtc>,
    pub dispatched_by: Option<Uuid>,
    pub escalated_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub resolution_note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
