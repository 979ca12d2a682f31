//! Response bodies of the complaint routes (issue 25). Two views of a complaint: the full
//! one for its complainant and the officers, and the business's, which carries neither the
//! complainant nor their text.

use chrono::{DateTime, FixedOffset};
use doorstep_domain::entities::{complaint, complaint_event, complaint_media};
use doorstep_domain::gigs::reliability::MerchantReliability;
use doorstep_domain::time::to_display;
use doorstep_domain::types::{
    ComplaintAction, ComplaintOutcome, ComplaintReason, ComplaintStatus, ComplaintSubject,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A photo attached to a complaint.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ComplaintPhotoView {
    pub id: Uuid,
    pub content_type: String,
    pub size_bytes: i64,
    /// Where to fetch it (for those who may read the complaint).
    pub url: String,
}

impl From<complaint_media::Model> for ComplaintPhotoView {
    fn from(m: complaint_media::Model) -> Self {
        Self {
            url: format!("/api/v1/complaints/{}/photos/{}", m.complaint_id, m.id),
            id: m.id,
            content_type: m.content_type,
            size_bytes: m.size_bytes,
        }
    }
}

/// One step of a complaint: `filed`, `acknowledged`, `complaint_ack_overdue`,
/// `complaint_close_overdue`, `closed`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ComplaintStepView {
    pub kind: String,
    pub note: String,
    pub at: DateTime<FixedOffset>,
}

impl From<complaint_event::Model> for ComplaintStepView {
    fn from(e: complaint_event::Model) -> Self {
        Self {
            kind: e.kind,
            note: e.note,
            at: to_display(e.at),
        }
    }
}

/// A complaint as its complainant and the officers see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ComplaintView {
    pub id: Uuid,
    /// Absent for the platform's own complaints (repeat no-pay).
    pub complainant_id: Option<Uuid>,
    /// Whether the platform raised it itself.
    pub automatic: bool,
    pub subject: ComplaintSubject,
    pub subject_id: Uuid,
    pub seq: Option<i32>,
    pub business_id: Uuid,
    pub district_id: Option<Uuid>,
    pub reason: ComplaintReason,
    pub text: String,
    pub status: ComplaintStatus,
    /// An officer acknowledges it by then…
    pub ack_due_at: DateTime<FixedOffset>,
    /// …and closes it with an outcome by then.
    pub close_due_at: DateTime<FixedOffset>,
    pub acknowledged_at: Option<DateTime<FixedOffset>>,
    /// Whether a deadline passed (it was escalated).
    pub overdue: bool,
    pub outcome: Option<ComplaintOutcome>,
    pub action: Option<ComplaintAction>,
    pub outcome_note: Option<String>,
    pub closed_at: Option<DateTime<FixedOffset>>,
    pub created_at: DateTime<FixedOffset>,
    /// Upheld complaints against the business (officers' views only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_upheld_complaints: Option<u64>,
    /// In the detail view only.
    #[serde(default)]
    pub photos: Vec<ComplaintPhotoView>,
    /// In the detail view only, oldest first.
    #[serde(default)]
    pub steps: Vec<ComplaintStepView>,
}

impl ComplaintView {
    pub fn brief(c: complaint::Model) -> Self {
        Self {
            id: c.id,
            complainant_id: c.complainant_id,
            automatic: c.auto_key.is_some(),
            subject: c.subject_kind,
            subject_id: c.subject_id,
            seq: c.seq,
            business_id: c.business_id,
            district_id: c.district_id,
            reason: c.reason,
            text: c.text,
            status: c.status,
            ack_due_at: to_display(c.ack_due_at),
            close_due_at: to_display(c.close_due_at),
            acknowledged_at: c.acknowledged_at.map(to_display),
            overdue: c.ack_escalated_at.is_some() || c.close_escalated_at.is_some(),
            outcome: c.outcome,
            action: c.action,
            outcome_note: c.outcome_note,
            closed_at: c.closed_at.map(to_display),
            created_at: to_display(c.created_at),
            business_upheld_complaints: None,
            photos: Vec::new(),
            steps: Vec::new(),
        }
    }

    pub fn full(
        c: complaint::Model,
        photos: Vec<complaint_media::Model>,
        steps: Vec<complaint_event::Model>,
    ) -> Self {
        let mut view = Self::brief(c);
        view.photos = photos.into_iter().map(Into::into).collect();
        view.steps = steps.into_iter().map(Into::into).collect();
        view
    }
}

/// A complaint as the business it is against sees it: what it is about, where it stands and
/// how it ended; never who complained or in what words.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BusinessComplaintView {
    pub id: Uuid,
    pub subject: ComplaintSubject,
    pub subject_id: Uuid,
    pub reason: ComplaintReason,
    pub status: ComplaintStatus,
    pub outcome: Option<ComplaintOutcome>,
    pub action: Option<ComplaintAction>,
    pub created_at: DateTime<FixedOffset>,
    pub closed_at: Option<DateTime<FixedOffset>>,
}

impl From<complaint::Model> for BusinessComplaintView {
    fn from(c: complaint::Model) -> Self {
        Self {
            id: c.id,
            subject: c.subject_kind,
            subject_id: c.subject_id,
            reason: c.reason,
            status: c.status,
            outcome: c.outcome,
            action: c.action,
            created_at: to_display(c.created_at),
            closed_at: c.closed_at.map(to_display),
        }
    }
}

/// A merchant's record on its postings and shifts: how it kept its word over the last 90
/// days (see `doorstep_domain::gigs::reliability::MerchantReliability`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MerchantRecordView {
    /// Places honoured in full over places committed, in percent; null with no history.
    pub reliability_percent: Option<u32>,
    pub completed: u32,
    /// Claimed shifts the merchant cancelled late.
    pub late_cancellations: u32,
    /// Worked shifts whose hours the merchant never confirmed.
    pub unpaid: u32,
    /// Worked shifts whose hours the worker disputed.
    pub disputed: u32,
    /// Upheld complaints against the business.
    pub upheld_complaints: u64,
}

impl MerchantRecordView {
    pub fn new(r: MerchantReliability, upheld_complaints: u64) -> Self {
        Self {
            reliability_percent: r.percent(),
            completed: r.completed,
            late_cancellations: r.late_cancellations,
            unpaid: r.unpaid,
            disputed: r.disputed,
            upheld_complaints,
        }
    }
}
