//! An officer answers a complaint: acknowledges it, then closes it with an outcome; and the
//! `sweeps` job escalates what passed a deadline, once each.

use crate::ErrorCode;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{
    admins, find, officers_of, reason_label, record_event, tell_business, tell_complainant,
};
use crate::auth::Principal;
use crate::entities::{complaint, shift};
use crate::types::{
    ComplaintAction, ComplaintOutcome, ComplaintStatus, ComplaintSubject, Role, bounded,
};
use crate::{DomainError, Invalid, ValidationErrors, businesses, inbox, postings, time};

fn require_officer(actor: &Principal) -> Result<(), DomainError> {
    if matches!(actor.role, Role::Officer | Role::Admin) {
        Ok(())
    } else {
        Err(DomainError::forbidden("only officers answer complaints"))
    }
}

/// The complaint, for an officer of its district, not yet closed.
async fn open_for<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<complaint::Model, DomainError> {
    let current = find(db, id).await?;
    crate::districts::scope_of(db, actor)
        .await?
        .require(current.district_id, "complaint")?;
    if current.status == ComplaintStatus::Closed {
        return Err(DomainError::conflict(
            ErrorCode::ComplaintClosed,
            "this complaint is already closed with an outcome",
        ));
    }
    Ok(current)
}

/// An officer's first answer: the complaint is taken up (the complainant is told, with the
/// officer's word).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeInput {
    /// A word for the complainant, 0 to 300 characters.
    #[serde(default)]
    pub note: String,
}

pub async fn acknowledge<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: AcknowledgeInput,
) -> Result<complaint::Model, DomainError> {
    require_officer(actor)?;
    let note = bounded(&input.note, 0, 300)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("note", e)))?;
    let txn = crate::db::begin_write(db).await?;
    let current = open_for(&txn, actor, id).await?;
    if current.status != ComplaintStatus::Open {
        return Err(DomainError::conflict(
            ErrorCode::InvalidTransition,
            "this complaint is already acknowledged",
        ));
    }
    let now = time::now();
    let mut active: complaint::ActiveModel = current.into();
    active.status = Set(ComplaintStatus::Acknowledged);
    active.acknowledged_at = Set(Some(now));
    active.acknowledged_by = Set(Some(actor.account_id));
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    record_event(&txn, id, "acknowledged", Some(actor.account_id), &note).await?;
    crate::audit::record(
        &txn,
        actor.account_id,
        updated.complainant_id,
        "complaint_acknowledged",
        ("complaint", id),
        &note,
    )
    .await?;
    tell_complainant(
        &txn,
        &updated,
        "complaint_acknowledged",
        "你的投诉已受理".to_owned(),
        if note.is_empty() {
            format!(
                "工作人员正在核实，将于 {} 前给出结果。",
                time::to_display(updated.close_due_at).format("%m月%d日 %H:%M")
            )
        } else {
            note
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// An officer's outcome.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintOutcomeInput {
    pub outcome: ComplaintOutcome,
    /// Required when upheld, absent otherwise: `posting_taken_down` (for a complaint about
    /// a posting or a shift), `business_warned` or `business_suspended`.
    #[serde(default)]
    pub action: Option<ComplaintAction>,
    /// What was found (the complainant reads it; the business does not), 2 to 500
    /// characters. Not upheld: the reason.
    pub note: String,
}

/// Closes a complaint with its outcome and carries out the action: the posting (or the
/// shift's posting) taken down, the business warned, or the business suspended (its
/// postings leave search at once). The complainant and the business are told.
pub async fn decide<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: ComplaintOutcomeInput,
) -> Result<complaint::Model, DomainError> {
    require_officer(actor)?;
    let mut errors = ValidationErrors::new();
    let note = errors.check("note", bounded(&input.note, 2, 500));
    match (input.outcome, input.action) {
        (ComplaintOutcome::Upheld, None) => errors.push(
            "action",
            Invalid::new(ErrorCode::Required, "an upheld complaint needs an action"),
        ),
        (ComplaintOutcome::NotUpheld, Some(_)) => errors.push(
            "action",
            Invalid::new(
                ErrorCode::FieldNotForKind,
                "a complaint not upheld takes no action",
            ),
        ),
        _ => {}
    }
    let Some(note) = note.filter(|_| errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let txn = crate::db::begin_write(db).await?;
    let current = open_for(&txn, actor, id).await?;
    match input.action {
        Some(ComplaintAction::PostingTakenDown) => {
            let posting = match current.subject_kind {
                ComplaintSubject::Posting => current.subject_id,
                ComplaintSubject::Shift => {
                    shift::Entity::find_by_id(current.subject_id)
                        .one(&txn)
                        .await?
                        .ok_or(DomainError::NotFound("shift"))?
                        .posting_id
                }
                _ => {
                    return Err(DomainError::Validation(ValidationErrors::single(
                        "action",
                        Invalid::new(
                            ErrorCode::ActionNotApplicable,
                            "taking down needs a complaint about a posting or a shift",
                        ),
                    )));
                }
            };
            postings::take_down(&txn, posting).await?;
        }
        Some(ComplaintAction::BusinessSuspended) => {
            businesses::suspend(&txn, actor.account_id, current.business_id, &note).await?;
        }
        Some(ComplaintAction::BusinessWarned) | None => {}
    }
    let now = time::now();
    let first_answer = current.acknowledged_at.is_none();
    let mut active: complaint::ActiveModel = current.into();
    active.status = Set(ComplaintStatus::Closed);
    active.outcome = Set(Some(input.outcome));
    active.action = Set(input.action);
    active.outcome_note = Set(Some(note.clone()));
    active.closed_at = Set(Some(now));
    active.closed_by = Set(Some(actor.account_id));
    if first_answer {
        // Closing answers it too.
        active.acknowledged_at = Set(Some(now));
        active.acknowledged_by = Set(Some(actor.account_id));
    }
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    record_event(
        &txn,
        id,
        "closed",
        Some(actor.account_id),
        &format!(
            "{}{}；{note}",
            input.outcome,
            input.action.map(|a| format!(" {a}")).unwrap_or_default()
        ),
    )
    .await?;
    crate::audit::record(
        &txn,
        actor.account_id,
        updated.complainant_id,
        "complaint_closed",
        ("complaint", id),
        &format!(
            "{}{}",
            input.outcome,
            input.action.map(|a| format!(" {a}")).unwrap_or_default()
        ),
    )
    .await?;
    let (title, body) = match input.outcome {
        ComplaintOutcome::Upheld => (
            "你的投诉成立".to_owned(),
            format!("{}。{note}", action_label(input.action)),
        ),
        ComplaintOutcome::NotUpheld => ("你的投诉未被支持".to_owned(), format!("原因：{note}")),
    };
    tell_complainant(&txn, &updated, "complaint_closed", title, body).await?;
    if input.outcome == ComplaintOutcome::Upheld {
        tell_business(
            &txn,
            &updated,
            "business_complaint_upheld",
            format!("一条投诉经核实成立：{}", reason_label(updated.reason)),
            format!("处理：{}。请遵守平台规则。", action_label(input.action)),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// What was done about an upheld complaint, as people read it.
pub fn action_label(action: Option<ComplaintAction>) -> &'static str {
    match action {
        Some(ComplaintAction::PostingTakenDown) => "相关岗位已下架",
        Some(ComplaintAction::BusinessWarned) => "已对商户提出警告",
        Some(ComplaintAction::BusinessSuspended) => "商户已被暂停",
        None => "",
    }
}

/// Which deadline passed.
#[derive(Debug, Clone, Copy)]
enum Stage {
    Acknowledge,
    Close,
}

/// Escalates complaints past a deadline, once per deadline: not acknowledged by
/// `ack_due_at`, not closed by `close_due_at`. The officers of the district and the admins
/// (who supervise them) are told, and the complainant learns it is being pressed. Safe to
/// run twice and from several workers: the conditional update decides who escalates, as
/// [`crate::reports::handling::escalate_overdue`] does for reports.
pub async fn escalate_overdue<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<usize, DomainError> {
    let mut escalated = 0;
    for stage in [Stage::Acknowledge, Stage::Close] {
        let (due_col, mark_col, statuses): (_, _, &[ComplaintStatus]) = match stage {
            Stage::Acknowledge => (
                complaint::Column::AckDueAt,
                complaint::Column::AckEscalatedAt,
                &[ComplaintStatus::Open],
            ),
            Stage::Close => (
                complaint::Column::CloseDueAt,
                complaint::Column::CloseEscalatedAt,
                &[ComplaintStatus::Open, ComplaintStatus::Acknowledged],
            ),
        };
        let due = complaint::Entity::find()
            .filter(complaint::Column::Status.is_in(statuses.iter().copied()))
            .filter(due_col.lt(now))
            .filter(mark_col.is_null())
            .order_by_asc(due_col)
            .all(db)
            .await?;
        for overdue in due {
            let txn = crate::db::begin_write(db).await?;
            let won = complaint::Entity::update_many()
                .col_expr(mark_col, Expr::value(now))
                .filter(complaint::Column::Id.eq(overdue.id))
                .filter(complaint::Column::Status.is_in(statuses.iter().copied()))
                .filter(mark_col.is_null())
                .exec(&txn)
                .await?;
            if won.rows_affected == 0 {
                continue;
            }
            let current = find(&txn, overdue.id).await?;
            let (kind, what) = match stage {
                Stage::Acknowledge => ("complaint_ack_overdue", "逾期未受理"),
                Stage::Close => ("complaint_close_overdue", "逾期未办结"),
            };
            record_event(&txn, current.id, kind, None, "").await?;
            let mut supervisors = officers_of(&txn, current.district_id).await?;
            for admin in admins(&txn).await? {
                if !supervisors.contains(&admin) {
                    supervisors.push(admin);
                }
            }
            for supervisor in supervisors {
                inbox::notify(
                    &txn,
                    supervisor,
                    kind,
                    format!("投诉{what}：{}", reason_label(current.reason)),
                    "请尽快处理并答复投诉人。".to_owned(),
                    json!({"complaint_id": current.id, "district_id": current.district_id}),
                )
                .await?;
            }
            tell_complainant(
                &txn,
                &current,
                kind,
                format!("你的投诉{what}，已督办"),
                "处理期限已过，上级工作人员已收到督办提醒。".to_owned(),
            )
            .await?;
            txn.commit().await?;
            escalated += 1;
        }
    }
    Ok(escalated)
}
