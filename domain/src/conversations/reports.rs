//! Reporting a message or a conversation to officers (issue 24).
//!
//! Either side reports the other side's message (`seq`) or the whole conversation, with a
//! reason from a fixed set and an optional note. The report is queued for the officers of
//! the posting's district (the district scope of every officer list, [`crate::districts`]).
//! An officer reads a conversation only through a report, stating why: the read is
//! audit-logged like a read of a seeker's file ([`crate::audit`]), and shows the messages
//! around the reported one **as written** (contact details are not masked: an officer
//! investigating a scam needs the number that was typed). The officer resolves the report:
//! `dismissed`, `warned` (the reported account is told) or `suspended` (the reported
//! account opens no new conversations until the suspension ends: the same
//! `conversations_suspended` refusal as open scam flags give; its existing conversations go
//! on, and the other side can block it). The reporter is told the outcome in the inbox.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, SqlErr, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::Side;
use crate::auth::Principal;
use crate::entities::{business, conversation, conversation_message, conversation_report, posting};
use crate::pagination::{Page, PageRequest};
use crate::types::bounded;
use crate::{DomainError, ErrorCode, Invalid, ValidationErrors, audit, districts, inbox, time};

pub const OPEN: &str = "open";
pub const RESOLVED: &str = "resolved";

/// Messages an officer sees on each side of the reported one.
pub const CONTEXT: i32 = 20;
/// Messages an officer sees of a conversation reported as a whole: the latest ones.
pub const TAIL: u64 = 50;
/// How long a suspension lasts unless the officer says.
pub const DEFAULT_SUSPEND_DAYS: i64 = 30;

pub use super::kinds::{ConversationReportReason, ReportOutcome};

/// A report as its reporter files it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationReportInput {
    pub reason: ConversationReportReason,
    /// The message reported (one of the other side's); none: the whole conversation.
    pub seq: Option<i32>,
    /// What happened, up to 500 characters; required with `other`.
    pub note: Option<String>,
}

/// An officer's decision.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationReportResolution {
    pub outcome: ReportOutcome,
    /// Why, up to 500 characters (kept with the report; not sent to either side).
    pub note: Option<String>,
    /// With `suspended`: for how many days (1 to 365; default 30).
    pub suspend_days: Option<i64>,
}

/// A report with what an officer needs to place it.
#[derive(Debug, Clone)]
pub struct Filed {
    pub report: conversation_report::Model,
    pub posting_id: Uuid,
    pub posting_title: String,
    pub business_id: Uuid,
    pub business_name: String,
    pub seeker_id: Uuid,
}

fn field(name: &str, invalid: Invalid) -> DomainError {
    DomainError::Validation(ValidationErrors::single(name, invalid))
}

fn note_of(raw: Option<&str>, errors: &mut ValidationErrors) -> Option<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Some(None),
        Some(text) => errors.check("note", bounded(text, 1, 500)).map(Some),
    }
}

/// A side of conversation `id` reports a message of the other side, or the conversation.
pub async fn report<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: ConversationReportInput,
) -> Result<conversation_report::Model, DomainError> {
    let (found, side) = super::side_in(db, actor, id).await?;
    let mut errors = ValidationErrors::new();
    let note = note_of(input.note.as_deref(), &mut errors);
    if input.reason == ConversationReportReason::Other && matches!(note, Some(None)) {
        errors.push(
            "note",
            Invalid::new(
                ErrorCode::Required,
                "say what happened when the reason is `other`",
            ),
        );
    }
    errors.into_result()?;
    let note = note.flatten();
    let reported = match input.seq {
        Some(seq) => {
            let message = conversation_message::Entity::find()
                .filter(conversation_message::Column::ConversationId.eq(id))
                .filter(conversation_message::Column::Seq.eq(seq))
                .one(db)
                .await?
                .ok_or_else(|| {
                    field(
                        "seq",
                        Invalid::new(
                            ErrorCode::UnknownMessage,
                            format!("this conversation has no message {seq}"),
                        ),
                    )
                })?;
            if message.side == side {
                return Err(field(
                    "seq",
                    Invalid::new(
                        ErrorCode::OwnMessage,
                        "one reports the other side's messages, not one's own",
                    ),
                ));
            }
            message.sender_id
        }
        None => {
            let other = match side {
                Side::Seeker => Side::Business,
                Side::Business => Side::Seeker,
            };
            conversation_message::Entity::find()
                .filter(conversation_message::Column::ConversationId.eq(id))
                .filter(conversation_message::Column::Side.eq(other.as_str()))
                .order_by_desc(conversation_message::Column::Seq)
                .one(db)
                .await?
                .ok_or_else(|| {
                    DomainError::conflict(
                        ErrorCode::NothingToReport,
                        "the other side has not written anything in this conversation",
                    )
                })?
                .sender_id
        }
    };
    let mut earlier = conversation_report::Entity::find()
        .filter(conversation_report::Column::ConversationId.eq(id))
        .filter(conversation_report::Column::ReporterId.eq(actor.account_id));
    earlier = match input.seq {
        Some(seq) => earlier.filter(conversation_report::Column::Seq.eq(seq)),
        // One open report of the whole conversation at a time.
        None => earlier
            .filter(conversation_report::Column::Seq.is_null())
            .filter(conversation_report::Column::Status.eq(OPEN)),
    };
    if earlier.count(db).await? > 0 {
        return Err(already_reported());
    }
    let district = posting::Entity::find_by_id(found.posting_id)
        .one(db)
        .await?
        .and_then(|p| p.district_id);
    let inserted = conversation_report::ActiveModel {
        id: Set(Uuid::now_v7()),
        conversation_id: Set(id),
        district_id: Set(district),
        reporter_id: Set(actor.account_id),
        reporter_side: Set(side),
        reported_id: Set(reported),
        seq: Set(input.seq),
        reason: Set(input.reason),
        note: Set(note),
        status: Set(OPEN.to_owned()),
        outcome: Set(None),
        resolution_note: Set(None),
        resolved_by: Set(None),
        resolved_at: Set(None),
        suspended_until: Set(None),
        created_at: Set(time::now()),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(created) => {
            tracing::info!(conversation = %id, report = %created.id, reason = %created.reason, "conversation reported to officers");
            Ok(created)
        }
        // A double tap reported it first.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(already_reported())
        }
        Err(err) => Err(err.into()),
    }
}

fn already_reported() -> DomainError {
    DomainError::conflict(
        ErrorCode::AlreadyReported,
        "you have already reported this; an officer will look",
    )
}

/// The reports `account` filed, for their privacy export.
pub async fn filed_by<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
) -> Result<serde_json::Value, DomainError> {
    let rows = conversation_report::Entity::find()
        .filter(conversation_report::Column::ReporterId.eq(account))
        .order_by_asc(conversation_report::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "conversation_id": r.conversation_id, "seq": r.seq,
                "reason": r.reason, "note": r.note, "status": r.status, "outcome": r.outcome,
                "created_at": time::to_display(r.created_at),
                "resolved_at": r.resolved_at.map(time::to_display),
            })
        })
        .collect())
}

/// What an erased account wrote in its reports goes; the reports stay as the officers'
/// record of what they decided.
pub async fn erase_reporter<C: ConnectionTrait>(db: &C, account: Uuid) -> Result<(), DomainError> {
    conversation_report::Entity::update_many()
        .col_expr(
            conversation_report::Column::Note,
            Expr::value(Option::<String>::None),
        )
        .filter(conversation_report::Column::ReporterId.eq(account))
        .exec(db)
        .await?;
    Ok(())
}

/// 409 `conversations_suspended` while an officer's suspension of `account` holds.
pub(crate) async fn refuse_if_suspended<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let holding = conversation_report::Entity::find()
        .filter(conversation_report::Column::ReportedId.eq(account))
        .filter(conversation_report::Column::SuspendedUntil.gt(now))
        .count(db)
        .await?;
    if holding > 0 {
        return Err(DomainError::conflict(
            ErrorCode::ConversationsSuspended,
            "an officer suspended this account's new conversations after a report",
        ));
    }
    Ok(())
}

/// The names around each report, read once per list.
async fn filed_all<C: ConnectionTrait>(
    db: &C,
    reports: Vec<conversation_report::Model>,
) -> Result<Vec<Filed>, DomainError> {
    use std::collections::HashMap;
    let conversations: HashMap<Uuid, conversation::Model> = conversation::Entity::find()
        .filter(conversation::Column::Id.is_in(reports.iter().map(|r| r.conversation_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let titles: HashMap<Uuid, String> = posting::Entity::find()
        .filter(posting::Column::Id.is_in(conversations.values().map(|c| c.posting_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.title))
        .collect();
    let names: HashMap<Uuid, String> = business::Entity::find()
        .filter(business::Column::Id.is_in(conversations.values().map(|c| c.business_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    reports
        .into_iter()
        .map(|report| {
            let c = conversations
                .get(&report.conversation_id)
                .ok_or_else(|| DomainError::internal("a report without its conversation"))?;
            Ok(Filed {
                posting_id: c.posting_id,
                posting_title: titles.get(&c.posting_id).cloned().unwrap_or_default(),
                business_id: c.business_id,
                business_name: names.get(&c.business_id).cloned().unwrap_or_default(),
                seeker_id: c.seeker_id,
                report,
            })
        })
        .collect()
}

/// The officers' queue: reports of their districts, oldest first; `open_only` leaves out
/// the resolved. Officers and admins only (403 for anyone else).
pub async fn queue<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    open_only: bool,
    page: PageRequest<Uuid>,
) -> Result<Page<Filed>, DomainError> {
    let scope = districts::scope_of(db, actor).await?;
    let mut query = conversation_report::Entity::find()
        .filter(scope.condition(conversation_report::Column::DistrictId))
        .order_by_asc(conversation_report::Column::Id);
    if open_only {
        query = query.filter(conversation_report::Column::Status.eq(OPEN));
    }
    if let Some(after) = page.after {
        query = query.filter(conversation_report::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    let found = Page::from_rows(rows, page.limit, |r| r.id);
    let next_cursor = found.next_cursor;
    Ok(Page {
        items: filed_all(db, found.items).await?,
        next_cursor,
    })
}

/// An officer of the report's district reads it with the conversation around it, stating
/// why (audit-logged as `read_conversation`, about the seeker). Messages as written.
pub async fn investigate<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    reason: Option<&str>,
) -> Result<(Filed, Vec<conversation_message::Model>), DomainError> {
    let scope = districts::scope_of(db, actor).await?;
    let reason = audit::parse_reason(reason)?;
    let report = conversation_report::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("conversation report"))?;
    scope.require(report.district_id, "conversation report")?;
    let filed = filed_all(db, vec![report])
        .await?
        .pop()
        .ok_or(DomainError::NotFound("conversation report"))?;
    let conversation_id = filed.report.conversation_id;
    let messages = match filed.report.seq {
        Some(seq) => {
            conversation_message::Entity::find()
                .filter(conversation_message::Column::ConversationId.eq(conversation_id))
                .filter(conversation_message::Column::Seq.between(seq - CONTEXT, seq + CONTEXT))
                .order_by_asc(conversation_message::Column::Seq)
                .all(db)
                .await?
        }
        None => {
            let mut latest = conversation_message::Entity::find()
                .filter(conversation_message::Column::ConversationId.eq(conversation_id))
                .order_by_desc(conversation_message::Column::Seq)
                .limit(TAIL)
                .all(db)
                .await?;
            latest.reverse();
            latest
        }
    };
    audit::record(
        db,
        actor.account_id,
        Some(filed.seeker_id),
        "read_conversation",
        ("conversation", conversation_id),
        &reason,
    )
    .await?;
    Ok((filed, messages))
}

/// An officer of the report's district resolves it; the reporter is told the outcome, the
/// reported account a warning or suspension. A resolved report is a conflict.
pub async fn resolve<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: ConversationReportResolution,
) -> Result<Filed, DomainError> {
    let scope = districts::scope_of(db, actor).await?;
    let mut errors = ValidationErrors::new();
    let note = note_of(input.note.as_deref(), &mut errors);
    let days = match (input.outcome, input.suspend_days) {
        (ReportOutcome::Suspended, None) => Some(DEFAULT_SUSPEND_DAYS),
        (ReportOutcome::Suspended, Some(days)) if (1..=365).contains(&days) => Some(days),
        (ReportOutcome::Suspended, Some(_)) => {
            errors.push(
                "suspend_days",
                Invalid::new(ErrorCode::OutOfRange, "a suspension lasts 1 to 365 days"),
            );
            None
        }
        (_, Some(_)) => {
            errors.push(
                "suspend_days",
                Invalid::new(ErrorCode::NotAllowed, "only a suspension lasts some days"),
            );
            None
        }
        (_, None) => None,
    };
    errors.into_result()?;
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    let current = conversation_report::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("conversation report"))?;
    scope.require(current.district_id, "conversation report")?;
    let until = days.map(|d| now + Duration::days(d));
    let done = conversation_report::Entity::update_many()
        .col_expr(conversation_report::Column::Status, Expr::value(RESOLVED))
        .col_expr(
            conversation_report::Column::Outcome,
            Expr::value(input.outcome.as_str()),
        )
        .col_expr(
            conversation_report::Column::ResolutionNote,
            Expr::value(note.flatten()),
        )
        .col_expr(
            conversation_report::Column::ResolvedBy,
            Expr::value(actor.account_id),
        )
        .col_expr(conversation_report::Column::ResolvedAt, Expr::value(now))
        .col_expr(
            conversation_report::Column::SuspendedUntil,
            Expr::value(until),
        )
        .filter(conversation_report::Column::Id.eq(id))
        .filter(conversation_report::Column::Status.eq(OPEN))
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(DomainError::conflict(
            ErrorCode::AlreadyResolved,
            "this report is already resolved",
        ));
    }
    let report = conversation_report::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("conversation report"))?;
    let told = match input.outcome {
        ReportOutcome::Dismissed => {
            "工作人员查看后未发现违规。感谢你的反馈，如仍感不适可以屏蔽对方。"
        }
        ReportOutcome::Warned => "工作人员核实后已对对方作出警告。感谢你帮助维护平台安全。",
        ReportOutcome::Suspended => {
            "工作人员核实后已暂停对方发起新的沟通。感谢你帮助维护平台安全。"
        }
    };
    let data = json!({"report_id": report.id, "conversation_id": report.conversation_id, "seq": report.seq, "outcome": input.outcome});
    inbox::notify(
        &txn,
        report.reporter_id,
        "conversation_report_resolved",
        "你的举报已处理".to_owned(),
        told.to_owned(),
        data.clone(),
    )
    .await?;
    match (input.outcome, until) {
        (ReportOutcome::Warned, _) => {
            inbox::notify(
                &txn,
                report.reported_id,
                "conversation_warning",
                "沟通违规警告".to_owned(),
                "你在沟通中的消息被举报，经工作人员核实违反平台规范，现予以警告。再次违规将被暂停沟通。".to_owned(),
                data,
            )
            .await?;
        }
        (ReportOutcome::Suspended, Some(until)) => {
            inbox::notify(
                &txn,
                report.reported_id,
                "conversation_suspension",
                "沟通功能已暂停".to_owned(),
                format!(
                    "你在沟通中的消息被举报，经工作人员核实违反平台规范。{} 前不能发起新的沟通。",
                    time::to_display(until).format("%Y年%m月%d日 %H:%M")
                ),
                data,
            )
            .await?;
        }
        _ => {}
    }
    let filed = filed_all(&txn, vec![report])
        .await?
        .pop()
        .ok_or(DomainError::NotFound("conversation report"))?;
    txn.commit().await?;
    tracing::info!(report = %id, outcome = input.outcome.as_str(), "conversation report resolved");
    Ok(filed)
}
