//! Reports of conversations to officers, search within one's conversations, and a
//! business's responsiveness, as the API shows them.

use chrono::{DateTime, FixedOffset};
use doorstep_domain::conversations::reports::{ConversationReportReason, Filed, ReportOutcome};
use doorstep_domain::conversations::responsiveness::Figure;
use doorstep_domain::conversations::search::Hit;
use doorstep_domain::conversations::{MessageKind, Side};
use doorstep_domain::entities::conversation_report;
use doorstep_domain::time::to_display;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::views::conversations::MessageView;

/// A report as its reporter sees it once filed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FiledReportView {
    pub id: Uuid,
    pub conversation_id: Uuid,
    /// The message reported; none: the whole conversation.
    pub seq: Option<i32>,
    pub reason: ConversationReportReason,
    pub note: Option<String>,
    /// `open` until an officer decides; the outcome comes to the inbox.
    pub status: String,
    pub created_at: DateTime<FixedOffset>,
}

impl From<conversation_report::Model> for FiledReportView {
    fn from(r: conversation_report::Model) -> Self {
        Self {
            id: r.id,
            conversation_id: r.conversation_id,
            seq: r.seq,
            reason: r.reason,
            note: r.note,
            status: r.status,
            created_at: to_display(r.created_at),
        }
    }
}

/// A report as officers see it in their queue.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationReportView {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub posting_id: Uuid,
    pub posting_title: String,
    pub business_id: Uuid,
    pub business_name: String,
    pub seeker_id: Uuid,
    pub district_id: Option<Uuid>,
    pub reporter_id: Uuid,
    pub reporter_side: Side,
    /// The account reported: the reported message's sender, or the other side's latest.
    pub reported_id: Uuid,
    pub seq: Option<i32>,
    pub reason: ConversationReportReason,
    pub note: Option<String>,
    /// `open` or `resolved`.
    pub status: String,
    pub outcome: Option<ReportOutcome>,
    pub resolution_note: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTime<FixedOffset>>,
    /// A suspension's end.
    pub suspended_until: Option<DateTime<FixedOffset>>,
    pub created_at: DateTime<FixedOffset>,
}

impl From<Filed> for ConversationReportView {
    fn from(f: Filed) -> Self {
        let r = f.report;
        Self {
            id: r.id,
            conversation_id: r.conversation_id,
            posting_id: f.posting_id,
            posting_title: f.posting_title,
            business_id: f.business_id,
            business_name: f.business_name,
            seeker_id: f.seeker_id,
            district_id: r.district_id,
            reporter_id: r.reporter_id,
            reporter_side: r.reporter_side,
            reported_id: r.reported_id,
            seq: r.seq,
            reason: r.reason,
            note: r.note,
            status: r.status,
            outcome: r.outcome,
            resolution_note: r.resolution_note,
            resolved_by: r.resolved_by,
            resolved_at: r.resolved_at.map(to_display),
            suspended_until: r.suspended_until.map(to_display),
            created_at: to_display(r.created_at),
        }
    }
}

/// A report with the conversation around it, for the officer investigating it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvestigationView {
    pub report: ConversationReportView,
    /// The 20 messages either side of the reported one (or the latest 50 of a conversation
    /// reported as a whole), in order, **as written**: contact details are not masked for
    /// officers.
    pub messages: Vec<MessageView>,
}

/// One message found by a search of one's conversations.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationHitView {
    pub conversation_id: Uuid,
    pub posting_title: String,
    /// The other side: the business for the seeker, the seeker for the business.
    pub other_name: String,
    pub seq: i32,
    pub message_id: Uuid,
    /// Who wrote it.
    pub side: Side,
    pub kind: MessageKind,
    /// Up to 50 characters around the first word of the query, as the caller may read
    /// them (`…` where cut).
    pub snippet: String,
    /// Contact details in the message are hidden from the caller (see `MessageView`).
    pub masked: bool,
    pub created_at: DateTime<FixedOffset>,
}

impl From<Hit> for ConversationHitView {
    fn from(h: Hit) -> Self {
        let m = h.message;
        Self {
            conversation_id: m.conversation_id,
            posting_title: h.posting_title,
            other_name: h.other_name,
            seq: m.seq,
            message_id: m.id,
            side: m.side,
            kind: m.kind,
            snippet: h.snippet,
            masked: h.masked,
            created_at: to_display(m.created_at),
        }
    }
}

/// How a business answered seekers in the last 30 days (conversations seekers opened and
/// wrote in, counted once a day has passed or they were answered).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResponsivenessView {
    /// Conversations counted (at least 3, or there is no figure).
    pub conversations: u32,
    /// Share answered within 24 hours of the seeker's first message, 0 to 1 (two decimals).
    pub reply_rate: f64,
    /// Median minutes to the business's first reply, over those answered.
    pub median_first_reply_minutes: Option<i64>,
}

impl From<Figure> for ResponsivenessView {
    fn from(f: Figure) -> Self {
        Self {
            conversations: f.conversations,
            reply_rate: (f.reply_rate * 100.0).round() / 100.0,
            median_first_reply_minutes: f.median_first_reply_minutes,
        }
    }
}
