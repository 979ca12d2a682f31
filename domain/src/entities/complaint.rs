use sea_orm::entity::prelude::*;

use crate::types::{
    ComplaintAction, ComplaintOutcome, ComplaintReason, ComplaintStatus, ComplaintSubject,
};

/// A complaint about a posting, a business, a conversation message or a gig shift, answered
/// by the officers of the business's district.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "complaints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `None` for the platform's own (automatic) complaints; never shown to the business.
    pub complainant_id: Option<Uuid>,
    pub subject_kind: ComplaintSubject,
    pub subject_id: Uuid,
    /// The message's number in its conversation (message complaints).
    pub seq: Option<i32>,
    pub business_id: Uuid,
    pub district_id: Option<Uuid>,
    pub reason: ComplaintReason,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub status: ComplaintStatus,
    pub auto_key: Option<String>,
    pub ack_due_at: DateTimeUtc,
    pub close_due_at: DateTimeUtc,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub acknowledged_by: Option<Uuid>,
    pub ack_escalated_at: Option<DateTimeUtc>,
    pub close_escalated_at: Option<DateTimeUtc>,
    pub outcome: Option<ComplaintOutcome>,
    pub action: Option<ComplaintAction>,
    #[sea_orm(column_type = "Text", nullable)]
    pub outcome_note: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
