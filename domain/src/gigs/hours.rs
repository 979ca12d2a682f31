//! Hours: the merchant confirms each worker's times (which also settles a forgotten
//! check-out, or overturns a no-show for a worker who came); unconfirmed hours are confirmed
//! automatically from check-in and check-out some time after the shift; the worker may
//! dispute settled hours, keeping both sides' times, and an officer resolves the dispute.
//! Pay follows the settled minutes (see [`super::pay`]).

use crate::ErrorCode;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::notices::{self, Notice};
use super::pay::{pay_fen, worked_minutes};
use super::shifts::{MAX_BREAK_MINUTES, MAX_HOURS, tell_members};
use super::{
    DISPUTE_WINDOW_DAYS, Rules, is_member, load_claim, load_shift, when_zh, whole_seconds,
};
use crate::auth::Principal;
use crate::entities::{shift, shift_claim};
use crate::pagination::{Page, PageRequest};
use crate::types::{ClaimStatus, HoursStatus, Role, bounded};
use crate::{DomainError, Invalid, ValidationErrors, audit};

/// A span of work as one side states it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursInput {
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    /// Unpaid break taken; absent means the shift's.
    #[serde(default)]
    pub break_minutes: Option<i32>,
    /// Disputes: why the worker's times differ (required). Resolutions: the officer's note
    /// (required).
    #[serde(default)]
    pub note: Option<String>,
}

struct Span {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    break_minutes: i32,
}

impl HoursInput {
    fn span(&self, shift: &shift::Model, now: DateTime<Utc>) -> Result<Span, DomainError> {
        let mut errors = ValidationErrors::new();
        let (start, end) = (
            whole_seconds(self.start.with_timezone(&Utc)),
            whole_seconds(self.end.with_timezone(&Utc)),
        );
        if end < start {
            errors.push(
                "end",
                Invalid::new(ErrorCode::OutOfRange, "end is not before start"),
            );
        } else if end - start > Duration::hours(MAX_HOURS) {
            errors.push(
                "end",
                Invalid::new(ErrorCode::OutOfRange, format!("at most {MAX_HOURS} h")),
            );
        }
        // Hours belong to this shift: not long before it, and not in the future.
        if start < shift.starts_at - Duration::hours(12) || start > shift.ends_at {
            errors.push(
                "start",
                Invalid::new(
                    ErrorCode::OutOfRange,
                    "the start must be around the shift's time",
                ),
            );
        }
        if end > now + Duration::minutes(1) {
            errors.push(
                "end",
                Invalid::new(ErrorCode::InTheFuture, "hours are confirmed once worked"),
            );
        }
        let break_minutes = self.break_minutes.unwrap_or(shift.break_minutes);
        if !(0..=MAX_BREAK_MINUTES).contains(&break_minutes) {
            errors.push(
                "break_minutes",
                Invalid::new(
                    ErrorCode::OutOfRange,
                    format!("0 to {MAX_BREAK_MINUTES} minutes"),
                ),
            );
        }
        errors.into_result()?;
        Ok(Span {
            start,
            end,
            break_minutes,
        })
    }

    fn note(&self, required: bool) -> Result<Option<String>, DomainError> {
        match &self.note {
            Some(note) => bounded(note, 2, 500)
                .map(Some)
                .map_err(|e| DomainError::Validation(ValidationErrors::single("note", e))),
            None if required => Err(DomainError::Validation(ValidationErrors::single(
                "note",
                Invalid::new(ErrorCode::Required, "say why (2 to 500 characters)"),
            ))),
            None => Ok(None),
        }
    }
}

/// The update that settles a claim's hours (callers add who settled them, and the
/// condition on the state they read).
fn settling(
    status: ClaimStatus,
    hours: HoursStatus,
    break_minutes: i32,
    minutes: i32,
    fen: i64,
    now: DateTime<Utc>,
) -> sea_orm::UpdateMany<shift_claim::Entity> {
    shift_claim::Entity::update_many()
        .col_expr(shift_claim::Column::Status, Expr::value(status.as_str()))
        .col_expr(
            shift_claim::Column::HoursStatus,
            Expr::value(hours.as_str()),
        )
        .col_expr(
            shift_claim::Column::BreakMinutes,
            Expr::value(break_minutes),
        )
        .col_expr(shift_claim::Column::FinalMinutes, Expr::value(minutes))
        .col_expr(shift_claim::Column::PayFen, Expr::value(fen))
        .col_expr(shift_claim::Column::UpdatedAt, Expr::value(now))
}

/// The claim, if the actor is a member of its business.
async fn claim_as_member<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    claim_id: Uuid,
) -> Result<(shift_claim::Model, shift::Model), DomainError> {
    let claim = load_claim(db, claim_id).await?;
    if !is_member(db, actor, claim.business_id).await? {
        return Err(DomainError::NotFound("claim"));
    }
    let shift = load_shift(db, claim.shift_id).await?;
    Ok((claim, shift))
}

/// The merchant confirms a worker's hours after the shift started: checked in (a forgotten
/// check-out included), checked out, never checked in or marked absent but in fact
/// present. Confirming
/// again is allowed until the worker disputes.
pub async fn confirm<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    claim_id: Uuid,
    input: HoursInput,
    now: DateTime<Utc>,
) -> Result<shift_claim::Model, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let (claim, shift) = claim_as_member(&txn, actor, claim_id).await?;
    let worked = match claim.status {
        ClaimStatus::CheckedIn | ClaimStatus::Completed | ClaimStatus::NoShow => true,
        // Came but never checked in: the merchant vouches for them once the shift began.
        ClaimStatus::Confirmed => shift.starts_at <= now,
        _ => false,
    };
    if !worked {
        return Err(DomainError::conflict(
            ErrorCode::NotWorked,
            format!("a {} claim has no hours to confirm", claim.status),
        ));
    }
    if !matches!(
        claim.hours_status,
        HoursStatus::Unconfirmed | HoursStatus::Confirmed
    ) {
        return Err(DomainError::conflict(
            ErrorCode::HoursSettled,
            format!("these hours are {}", claim.hours_status),
        ));
    }
    let span = input.span(&shift, now)?;
    let minutes = worked_minutes(span.start, span.end, span.break_minutes);
    let fen = pay_fen(minutes, shift.pay_fen, shift.pay_unit);
    settling(
        ClaimStatus::Completed,
        HoursStatus::Confirmed,
        span.break_minutes,
        minutes,
        fen,
        now,
    )
    .col_expr(shift_claim::Column::MerchantStart, Expr::value(span.start))
    .col_expr(shift_claim::Column::MerchantEnd, Expr::value(span.end))
    .col_expr(
        shift_claim::Column::ConfirmedBy,
        Expr::value(actor.account_id),
    )
    .col_expr(shift_claim::Column::ConfirmedAt, Expr::value(now))
    .filter(shift_claim::Column::Id.eq(claim_id))
    .filter(shift_claim::Column::HoursStatus.eq(claim.hours_status))
    .exec(&txn)
    .await?;
    notices::enqueue(
        &txn,
        Notice::now(
            claim.seeker_id,
            "shift_hours_confirmed",
            "工时已确认".into(),
            format!(
                "{}：{} 分钟，应得 {} 元。如有出入，{} 天内可提出异议。",
                when_zh(shift.starts_at, shift.ends_at),
                minutes,
                super::pay::yuan(fen),
                DISPUTE_WINDOW_DAYS
            ),
            json!({"claim_id": claim_id, "minutes": minutes, "pay_fen": fen}),
        ),
    )
    .await?;
    let updated = load_claim(&txn, claim_id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The worker disputes settled hours (or a no-show), stating their own times; both sides'
/// times are kept until an officer resolves it.
pub async fn dispute<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    claim_id: Uuid,
    input: HoursInput,
    now: DateTime<Utc>,
) -> Result<shift_claim::Model, DomainError> {
    let reason = input.note(true)?;
    let txn = crate::db::begin_write(db).await?;
    let claim = load_claim(&txn, claim_id).await?;
    if claim.seeker_id != actor.account_id {
        return Err(DomainError::NotFound("claim"));
    }
    let shift = load_shift(&txn, claim.shift_id).await?;
    let settled_at = claim.confirmed_at.unwrap_or(shift.ends_at);
    let disputable = match claim.hours_status {
        HoursStatus::Confirmed | HoursStatus::AutoConfirmed => true,
        HoursStatus::Unconfirmed => claim.status == ClaimStatus::NoShow,
        HoursStatus::Disputed | HoursStatus::Resolved => false,
    };
    if !disputable {
        return Err(DomainError::conflict(
            ErrorCode::NotDisputable,
            "only settled hours, or a no-show, can be disputed, once",
        ));
    }
    if now > settled_at + Duration::days(DISPUTE_WINDOW_DAYS) {
        return Err(DomainError::conflict(
            ErrorCode::DisputeWindowClosed,
            format!("hours can be disputed for {DISPUTE_WINDOW_DAYS} days"),
        ));
    }
    let span = input.span(&shift, now)?;
    shift_claim::Entity::update_many()
        .col_expr(
            shift_claim::Column::HoursStatus,
            Expr::value(HoursStatus::Disputed.as_str()),
        )
        .col_expr(shift_claim::Column::SeekerStart, Expr::value(span.start))
        .col_expr(shift_claim::Column::SeekerEnd, Expr::value(span.end))
        .col_expr(
            shift_claim::Column::DisputeReason,
            Expr::value(reason.clone()),
        )
        .col_expr(shift_claim::Column::DisputedAt, Expr::value(now))
        .col_expr(shift_claim::Column::UpdatedAt, Expr::value(now))
        .filter(shift_claim::Column::Id.eq(claim_id))
        .filter(shift_claim::Column::HoursStatus.eq(claim.hours_status))
        .exec(&txn)
        .await?;
    tell_members(
        &txn,
        claim.business_id,
        "shift_hours_disputed",
        "工人对工时提出异议".into(),
        format!(
            "{}：工人称 {} 至 {}。原因：{}。社区就业专员将核实处理。",
            when_zh(shift.starts_at, shift.ends_at),
            crate::time::to_display(span.start).format("%H:%M"),
            crate::time::to_display(span.end).format("%H:%M"),
            reason.unwrap_or_default()
        ),
        json!({"claim_id": claim_id}),
    )
    .await?;
    let updated = load_claim(&txn, claim_id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// An officer settles a disputed claim with the times they found, and a note; both sides
/// are told. The decision is audited.
pub async fn resolve<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    claim_id: Uuid,
    input: HoursInput,
    now: DateTime<Utc>,
) -> Result<shift_claim::Model, DomainError> {
    if !matches!(actor.role, Role::Officer | Role::Admin) {
        return Err(DomainError::forbidden("officers resolve hours disputes"));
    }
    let note = input.note(true)?.unwrap_or_default();
    let txn = crate::db::begin_write(db).await?;
    let claim = load_claim(&txn, claim_id).await?;
    // Officers resolve disputes at businesses of their districts.
    let business = crate::businesses::find(&txn, claim.business_id).await?;
    crate::districts::scope_of(&txn, actor)
        .await?
        .require(business.district_id, "claim")?;
    if claim.hours_status != HoursStatus::Disputed {
        return Err(DomainError::conflict(
            ErrorCode::NotDisputed,
            "only disputed hours are resolved",
        ));
    }
    let shift = load_shift(&txn, claim.shift_id).await?;
    let span = input.span(&shift, now)?;
    let minutes = worked_minutes(span.start, span.end, span.break_minutes);
    let fen = pay_fen(minutes, shift.pay_fen, shift.pay_unit);
    let status = if minutes > 0 {
        ClaimStatus::Completed
    } else {
        claim.status
    };
    settling(
        status,
        HoursStatus::Resolved,
        span.break_minutes,
        minutes,
        fen,
        now,
    )
    .col_expr(
        shift_claim::Column::ResolvedBy,
        Expr::value(actor.account_id),
    )
    .col_expr(shift_claim::Column::ResolvedAt, Expr::value(now))
    .col_expr(
        shift_claim::Column::ResolutionNote,
        Expr::value(note.clone()),
    )
    .filter(shift_claim::Column::Id.eq(claim_id))
    .filter(shift_claim::Column::HoursStatus.eq(HoursStatus::Disputed))
    .exec(&txn)
    .await?;
    audit::record(
        &txn,
        actor.account_id,
        Some(claim.seeker_id),
        "resolve_hours_dispute",
        ("shift_claim", claim_id),
        &note,
    )
    .await?;
    let body = format!(
        "{}：核定 {} 分钟，应付 {} 元。{}",
        when_zh(shift.starts_at, shift.ends_at),
        minutes,
        super::pay::yuan(fen),
        note
    );
    notices::enqueue(
        &txn,
        Notice::now(
            claim.seeker_id,
            "shift_hours_resolved",
            "工时争议已处理".into(),
            body.clone(),
            json!({"claim_id": claim_id, "minutes": minutes, "pay_fen": fen}),
        ),
    )
    .await?;
    tell_members(
        &txn,
        claim.business_id,
        "shift_hours_resolved",
        "工时争议已处理".into(),
        body,
        json!({"claim_id": claim_id, "minutes": minutes, "pay_fen": fen}),
    )
    .await?;
    let updated = load_claim(&txn, claim_id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Disputed claims, oldest first (officers).
pub async fn disputes<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    page: PageRequest<Uuid>,
) -> Result<Page<shift_claim::Model>, DomainError> {
    if !matches!(actor.role, Role::Officer | Role::Admin) {
        return Err(DomainError::forbidden("officers resolve hours disputes"));
    }
    let scope = crate::districts::scope_of(db, actor).await?;
    let in_scope = sea_orm::sea_query::Query::select()
        .column(crate::entities::business::Column::Id)
        .from(crate::entities::business::Entity)
        .and_where(scope.condition(crate::entities::business::Column::DistrictId))
        .to_owned();
    let mut query = shift_claim::Entity::find()
        .filter(shift_claim::Column::HoursStatus.eq(HoursStatus::Disputed))
        .filter(shift_claim::Column::BusinessId.in_subquery(in_scope))
        .order_by_asc(shift_claim::Column::Id);
    if let Some(after) = page.after {
        query = query.filter(shift_claim::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |c| c.id))
}

/// The span automatic confirmation pays: from check-in (not before the start) to check-out
/// (not after the end; a forgotten check-out counts as the scheduled end).
pub fn automatic_span(
    claim: &shift_claim::Model,
    shift: &shift::Model,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = claim
        .checked_in_at
        .map_or(shift.starts_at, |at| at.max(shift.starts_at));
    let end = claim
        .checked_out_at
        .map_or(shift.ends_at, |at| at.min(shift.ends_at))
        .max(start);
    (start, end)
}

/// Confirms the hours of every worked claim whose shift ended `rules.auto_confirm_after`
/// ago and whose merchant has not confirmed them. Each claim changes once, however often
/// and wherever this runs. Returns how many were confirmed.
pub async fn auto_confirm<C: TransactionTrait>(
    db: &C,
    rules: &Rules,
    now: DateTime<Utc>,
) -> Result<usize, DomainError> {
    let ended_before = now - rules.auto_confirm_after;
    let txn = crate::db::begin_write(db).await?;
    let due_shifts: Vec<shift::Model> = shift::Entity::find()
        .filter(shift::Column::EndsAt.lte(ended_before))
        .filter(
            shift::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(shift_claim::Column::ShiftId)
                    .from(shift_claim::Entity)
                    .and_where(shift_claim::Column::HoursStatus.eq(HoursStatus::Unconfirmed))
                    .and_where(
                        shift_claim::Column::Status
                            .is_in([ClaimStatus::CheckedIn, ClaimStatus::Completed]),
                    )
                    .to_owned(),
            ),
        )
        .limit(200)
        .all(&txn)
        .await?;
    let mut confirmed = 0;
    for shift in &due_shifts {
        let claims = shift_claim::Entity::find()
            .filter(shift_claim::Column::ShiftId.eq(shift.id))
            .filter(shift_claim::Column::HoursStatus.eq(HoursStatus::Unconfirmed))
            .filter(
                shift_claim::Column::Status.is_in([ClaimStatus::CheckedIn, ClaimStatus::Completed]),
            )
            .all(&txn)
            .await?;
        for claim in claims {
            let (start, end) = automatic_span(&claim, shift);
            let minutes = worked_minutes(start, end, shift.break_minutes);
            let fen = pay_fen(minutes, shift.pay_fen, shift.pay_unit);
            let moved = settling(
                ClaimStatus::Completed,
                HoursStatus::AutoConfirmed,
                shift.break_minutes,
                minutes,
                fen,
                now,
            )
            .col_expr(shift_claim::Column::ConfirmedAt, Expr::value(now))
            .filter(shift_claim::Column::Id.eq(claim.id))
            .filter(shift_claim::Column::HoursStatus.eq(HoursStatus::Unconfirmed))
            .exec(&txn)
            .await?;
            if moved.rows_affected == 1 {
                confirmed += 1;
                notices::enqueue(
                    &txn,
                    Notice::now(
                        claim.seeker_id,
                        "shift_hours_confirmed",
                        "工时已自动确认".into(),
                        format!(
                            "{}：按签到签退记录确认 {} 分钟，应得 {} 元。",
                            when_zh(shift.starts_at, shift.ends_at),
                            minutes,
                            super::pay::yuan(fen)
                        ),
                        json!({"claim_id": claim.id, "minutes": minutes, "pay_fen": fen}),
                    )
                    .due(now),
                )
                .await?;
            }
        }
    }
    txn.commit().await?;
    Ok(confirmed)
}
