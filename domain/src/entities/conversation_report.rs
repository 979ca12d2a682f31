use sea_orm::entity::prelude::*;

use crate::conversations::Side;
use crate::conversations::reports::{ConversationReportReason, ReportOutcome};

/// A side of a conversation reports a message (`seq`) or the whole conversation to the
/// officers of the posting's district. See `crate::conversations::reports`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversation_reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub conversation_id: Uuid,
    /// The posting's district when reported: whose officers handle it.
    pub district_id: Option<Uuid>,
    pub reporter_id: Uuid,
    pub reporter_side: Side,
    /// The account reported: the reported message's sender, or the other side's latest.
    pub reported_id: Uuid,
    /// The message reported; none: the whole conversation.
    pub seq: Option<i32>,
    pub reason: ConversationReportReason,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    /// `open` or `resolved`.
    pub status: String,
    /// Once resolved.
    pub outcome: Option<ReportOutcome>,
    #[sea_orm(column_type = "Text", nullable)]
    pub resolution_note: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTimeUtc>,
    /// A suspension: the reported account opens no new conversations until then.
    pub suspended_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
