//! Claims: a seeker takes a place on a shift (at once, or pending the merchant's approval),
//! or a spot on its waiting list; cancels; the merchant approves or rejects. A place freed
//! by a cancellation, a rejection or added places goes to the waiting list in order, and
//! the promoted seeker is told.
//!
//! A place is taken only by the conditional update `claimed = claimed + 1 WHERE claimed <
//! places`, so however many seekers claim at once, the shift never holds more claims than
//! places: the rest are refused (`shift_full`) or wait in line.

use crate::ErrorCode;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, SqlErr, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::notices::{self, Notice};
use super::shifts::{open_to_everyone, tell_members};
use super::{
    favourites, is_member, load_claim, load_shift, lock_shift, move_claim, posting_and_business,
    record_if_fullness_changed, same_local_day, settings, when_zh,
};
use crate::auth::Principal;
use crate::entities::{account, shift, shift_claim};
use crate::pagination::{Page, PageRequest};
use crate::types::{BookingMode, ClaimStatus, HoursStatus, Role, ShiftStatus, bounded};
use crate::{DomainError, ValidationErrors, audit, postings, profiles, time};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimInput {
    /// When the shift is full: take a place on its waiting list instead of being refused.
    #[serde(default)]
    pub waitlist: bool,
}

/// A claim and where it stands.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub claim: shift_claim::Model,
    pub shift: shift::Model,
    /// 1 for the next in line, while waitlisted.
    pub waitlist_position: Option<u64>,
}

/// The claim's place in its shift's waiting list, if it is on it.
pub async fn waitlist_position<C: ConnectionTrait>(
    db: &C,
    claim: &shift_claim::Model,
) -> Result<Option<u64>, DomainError> {
    if claim.status != ClaimStatus::Waitlisted {
        return Ok(None);
    }
    let ahead = shift_claim::Entity::find()
        .filter(shift_claim::Column::ShiftId.eq(claim.shift_id))
        .filter(shift_claim::Column::Status.eq(ClaimStatus::Waitlisted))
        .filter(shift_claim::Column::Id.lt(claim.id))
        .count(db)
        .await?;
    Ok(Some(ahead + 1))
}

/// Takes one place if one is left; `false` when the shift is full.
async fn take_place<C: ConnectionTrait>(db: &C, shift_id: Uuid) -> Result<bool, DomainError> {
    let result = shift::Entity::update_many()
        .col_expr(
            shift::Column::Claimed,
            Expr::col(shift::Column::Claimed).add(1),
        )
        .filter(shift::Column::Id.eq(shift_id))
        .filter(shift::Column::Status.eq(ShiftStatus::Open))
        .filter(Expr::col(shift::Column::Claimed).lt(Expr::col(shift::Column::Places)))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

async fn give_back_place<C: ConnectionTrait>(db: &C, shift_id: Uuid) -> Result<(), DomainError> {
    shift::Entity::update_many()
        .col_expr(
            shift::Column::Claimed,
            Expr::col(shift::Column::Claimed).sub(1),
        )
        .filter(shift::Column::Id.eq(shift_id))
        .filter(shift::Column::Claimed.gt(0))
        .exec(db)
        .await?;
    Ok(())
}

/// The seeker's upcoming claims whose shifts overlap `[starts_at, ends_at)`.
async fn overlapping<C: ConnectionTrait>(
    db: &C,
    seeker: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Result<Option<shift::Model>, DomainError> {
    let held: Vec<Uuid> = shift_claim::Entity::find()
        .filter(shift_claim::Column::SeekerId.eq(seeker))
        .filter(shift_claim::Column::Status.is_in(ClaimStatus::UPCOMING))
        .select_only()
        .column(shift_claim::Column::ShiftId)
        .into_tuple()
        .all(db)
        .await?;
    if held.is_empty() {
        return Ok(None);
    }
    Ok(shift::Entity::find()
        .filter(shift::Column::Id.is_in(held))
        .filter(shift::Column::StartsAt.lt(ends_at))
        .filter(shift::Column::EndsAt.gt(starts_at))
        .one(db)
        .await?)
}

fn already_claimed() -> DomainError {
    DomainError::conflict(
        ErrorCode::AlreadyClaimed,
        "you already have a claim on this shift",
    )
}

/// A seeker claims a place on a shift, or (with `waitlist`) a spot in line when it is full.
pub async fn claim<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    shift_id: Uuid,
    input: ClaimInput,
    now: DateTime<Utc>,
) -> Result<Claimed, DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden("only seekers claim shifts"));
    }
    let txn = crate::db::begin_write(db).await?;
    // A seeker's claims are made one at a time, so two overlapping shifts claimed at once
    // cannot both pass the overlap check (PostgreSQL; SQLite has one writer anyway).
    account::Entity::find_by_id(actor.account_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("account"))?;
    let current = lock_shift(&txn, shift_id).await?;
    let (found, business) = posting_and_business(&txn, current.posting_id).await?;
    if !postings::is_public(&found, &business, now) {
        return Err(DomainError::NotFound("shift"));
    }
    if current.status == ShiftStatus::Cancelled {
        return Err(DomainError::conflict(
            ErrorCode::ShiftCancelled,
            "this shift was cancelled",
        ));
    }
    if current.starts_at <= now {
        return Err(DomainError::conflict(
            ErrorCode::ShiftStarted,
            "this shift has already started",
        ));
    }
    if !open_to_everyone(&current, now)
        && !favourites::is_favourite(&txn, business.id, actor.account_id).await?
    {
        return Err(DomainError::conflict(
            ErrorCode::FavouritesOnly,
            format!(
                "this shift is offered to the business's regular workers until {}",
                time::to_display(current.favourites_until.unwrap_or(now)).format("%m-%d %H:%M")
            ),
        ));
    }
    let mine = shift_claim::Entity::find()
        .filter(shift_claim::Column::ShiftId.eq(shift_id))
        .filter(shift_claim::Column::SeekerId.eq(actor.account_id))
        .filter(shift_claim::Column::Status.is_not_in([
            ClaimStatus::Cancelled,
            ClaimStatus::Rejected,
            ClaimStatus::Expired,
            ClaimStatus::ShiftCancelled,
        ]))
        .one(&txn)
        .await?;
    if mine.is_some() {
        return Err(already_claimed());
    }
    if let Some(other) =
        overlapping(&txn, actor.account_id, current.starts_at, current.ends_at).await?
    {
        return Err(DomainError::conflict(
            ErrorCode::OverlappingClaim,
            format!(
                "you already hold a shift at that time ({})",
                when_zh(other.starts_at, other.ends_at)
            ),
        ));
    }
    let (mode, _) = settings::of_posting(&txn, found.id).await?;
    let status = if take_place(&txn, shift_id).await? {
        match mode {
            BookingMode::Instant => ClaimStatus::Confirmed,
            BookingMode::Approval => ClaimStatus::Pending,
        }
    } else if input.waitlist {
        ClaimStatus::Waitlisted
    } else {
        return Err(DomainError::conflict(
            ErrorCode::ShiftFull,
            format!(
                "all {} places are taken; claim with \"waitlist\": true to wait for one",
                current.places
            ),
        ));
    };
    let inserted = shift_claim::ActiveModel {
        id: Set(Uuid::now_v7()),
        shift_id: Set(shift_id),
        posting_id: Set(found.id),
        business_id: Set(business.id),
        seeker_id: Set(actor.account_id),
        status: Set(status),
        late_cancellation: Set(false),
        cancelled_at: Set(None),
        cancel_reason: Set(None),
        decided_at: Set(None),
        promoted_at: Set(None),
        checked_in_at: Set(None),
        checkin_method: Set(None),
        checkin_lat: Set(None),
        checkin_lon: Set(None),
        checkin_accuracy_m: Set(None),
        late_minutes: Set(None),
        checked_out_at: Set(None),
        checkout_method: Set(None),
        code_failures: Set(0),
        hours_status: Set(HoursStatus::Unconfirmed),
        merchant_start: Set(None),
        merchant_end: Set(None),
        break_minutes: Set(None),
        confirmed_by: Set(None),
        confirmed_at: Set(None),
        seeker_start: Set(None),
        seeker_end: Set(None),
        dispute_reason: Set(None),
        disputed_at: Set(None),
        resolved_by: Set(None),
        resolved_at: Set(None),
        resolution_note: Set(None),
        final_minutes: Set(None),
        pay_fen: Set(None),
        compensation_fen: Set(None),
        reminded_day_at: Set(None),
        reminded_hour_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await;
    let created = match inserted {
        Ok(created) => created,
        // A double tap that got past the check above: the unique index keeps one, and the
        // place taken by this transaction is rolled back with it.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(already_claimed());
        }
        Err(err) => return Err(err.into()),
    };
    // Claiming shares the seeker's name and phone with the business, as applying does.
    profiles::record_consent(&txn, actor.account_id, business.id, "shift_claim", None).await?;
    if status == ClaimStatus::Pending {
        tell_members(
            &txn,
            business.id,
            "shift_claim_pending",
            format!("接班申请待审批：{}", found.title),
            format!(
                "{} 的班次有新的接班申请。",
                when_zh(current.starts_at, current.ends_at)
            ),
            json!({"claim_id": created.id, "shift_id": shift_id}),
        )
        .await?;
    }
    record_if_fullness_changed(&txn, &current).await?;
    let position = waitlist_position(&txn, &created).await?;
    let shift = load_shift(&txn, shift_id).await?;
    txn.commit().await?;
    Ok(Claimed {
        claim: created,
        shift,
        waitlist_position: position,
    })
}

/// Gives places left on `shift` to its waiting list, oldest first, and tells each promoted
/// seeker. Call with the shift locked, inside the transaction that freed the places.
pub(crate) async fn promote<C: ConnectionTrait>(
    db: &C,
    shift: &shift::Model,
    now: DateTime<Utc>,
) -> Result<Vec<shift_claim::Model>, DomainError> {
    if shift.status != ShiftStatus::Open || shift.starts_at <= now {
        return Ok(Vec::new());
    }
    let (found, business) = posting_and_business(db, shift.posting_id).await?;
    let (mode, _) = settings::of_posting(db, shift.posting_id).await?;
    let mut promoted = Vec::new();
    loop {
        let Some(next) = shift_claim::Entity::find()
            .filter(shift_claim::Column::ShiftId.eq(shift.id))
            .filter(shift_claim::Column::Status.eq(ClaimStatus::Waitlisted))
            .order_by_asc(shift_claim::Column::Id)
            .one(db)
            .await?
        else {
            break;
        };
        if !take_place(db, shift.id).await? {
            break;
        }
        let status = match mode {
            BookingMode::Instant => ClaimStatus::Confirmed,
            BookingMode::Approval => ClaimStatus::Pending,
        };
        let moved = move_claim(next.id, ClaimStatus::Waitlisted, status, now)
            .col_expr(shift_claim::Column::PromotedAt, Expr::value(now))
            .exec(db)
            .await?;
        if moved.rows_affected == 0 {
            give_back_place(db, shift.id).await?;
            continue;
        }
        let body = match status {
            ClaimStatus::Pending => "候补转正，等待商户确认。",
            _ => "候补成功，名额已为你保留，请准时到岗。",
        };
        notices::enqueue(
            db,
            Notice::now(
                next.seeker_id,
                "shift_claim_promoted",
                format!("候补成功：{} {}", business.name, found.title),
                format!("{} · {}", when_zh(shift.starts_at, shift.ends_at), body),
                json!({"claim_id": next.id, "shift_id": shift.id}),
            )
            // A place given on the day itself is needed at once.
            .urgent(same_local_day(now, shift.starts_at)),
        )
        .await?;
        promoted.push(load_claim(db, next.id).await?);
    }
    Ok(promoted)
}

/// Whether cancelling now is late: after the cut-off, on a claim holding a place, unless
/// the merchant changed the shift after the seeker claimed it.
pub fn is_late(
    claim: &shift_claim::Model,
    shift: &shift::Model,
    cutoff_hours: i32,
    now: DateTime<Utc>,
) -> bool {
    let changed_since = shift.changed_at.is_some_and(|at| at > claim.created_at);
    claim.status.holds_place()
        && !changed_since
        && now > shift.starts_at - Duration::hours(i64::from(cutoff_hours))
}

fn reason_text(reason: Option<&str>) -> Result<Option<String>, DomainError> {
    reason
        .map(|r| bounded(r, 1, 300))
        .transpose()
        .map_err(|e| DomainError::Validation(ValidationErrors::single("reason", e)))
}

/// The seeker cancels their claim before the shift starts. After the cut-off it counts as
/// a late cancellation (and weighs on their reliability); the freed place goes to the
/// waiting list.
pub async fn cancel<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    claim_id: Uuid,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<shift_claim::Model, DomainError> {
    let reason = reason_text(reason)?;
    let txn = crate::db::begin_write(db).await?;
    let current = load_claim(&txn, claim_id).await?;
    if current.seeker_id != actor.account_id {
        return Err(DomainError::NotFound("claim"));
    }
    let shift = lock_shift(&txn, current.shift_id).await?;
    if !matches!(
        current.status,
        ClaimStatus::Waitlisted | ClaimStatus::Pending | ClaimStatus::Confirmed
    ) {
        return Err(DomainError::conflict(
            ErrorCode::CannotCancel,
            format!("a {} claim cannot be cancelled", current.status),
        ));
    }
    if shift.starts_at <= now {
        return Err(DomainError::conflict(
            ErrorCode::ShiftStarted,
            "the shift has started; it can no longer be cancelled",
        ));
    }
    let (_, cutoff) = settings::of_posting(&txn, shift.posting_id).await?;
    let late = is_late(&current, &shift, cutoff, now);
    let moved = move_claim(claim_id, current.status, ClaimStatus::Cancelled, now)
        .col_expr(shift_claim::Column::LateCancellation, Expr::value(late))
        .col_expr(shift_claim::Column::CancelledAt, Expr::value(now))
        .col_expr(
            shift_claim::Column::CancelReason,
            Expr::value(reason.clone()),
        )
        .exec(&txn)
        .await?;
    if moved.rows_affected == 0 {
        return Err(DomainError::conflict(
            ErrorCode::CannotCancel,
            "the claim changed meanwhile; read it again",
        ));
    }
    if current.status.holds_place() {
        give_back_place(&txn, shift.id).await?;
        let freed = load_shift(&txn, shift.id).await?;
        promote(&txn, &freed, now).await?;
        let (found, _) = posting_and_business(&txn, shift.posting_id).await?;
        tell_members(
            &txn,
            shift.business_id,
            "shift_claim_cancelled",
            format!("工人取消了接班：{}", found.title),
            format!(
                "{} 的班次有一个名额被取消{}。{}",
                when_zh(shift.starts_at, shift.ends_at),
                if late { "（晚于截止时间）" } else { "" },
                reason.unwrap_or_default()
            ),
            json!({"claim_id": claim_id, "shift_id": shift.id, "late": late}),
        )
        .await?;
    }
    record_if_fullness_changed(&txn, &shift).await?;
    let updated = load_claim(&txn, claim_id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A merchant approves or rejects a pending claim (approval mode). A rejected claim's
/// place goes to the waiting list.
pub async fn decide<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    claim_id: Uuid,
    approve: bool,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<shift_claim::Model, DomainError> {
    let reason = reason_text(reason)?;
    let txn = crate::db::begin_write(db).await?;
    let current = load_claim(&txn, claim_id).await?;
    if !is_member(&txn, actor, current.business_id).await? {
        return Err(DomainError::NotFound("claim"));
    }
    let shift = lock_shift(&txn, current.shift_id).await?;
    if current.status != ClaimStatus::Pending {
        return Err(DomainError::conflict(
            ErrorCode::NotPending,
            format!("the claim is {}, not pending", current.status),
        ));
    }
    if shift.starts_at <= now {
        return Err(DomainError::conflict(
            ErrorCode::ShiftStarted,
            "the shift has started",
        ));
    }
    let to = if approve {
        ClaimStatus::Confirmed
    } else {
        ClaimStatus::Rejected
    };
    move_claim(claim_id, ClaimStatus::Pending, to, now)
        .col_expr(shift_claim::Column::DecidedAt, Expr::value(now))
        .col_expr(
            shift_claim::Column::CancelReason,
            Expr::value(reason.clone()),
        )
        .exec(&txn)
        .await?;
    let (found, business) = posting_and_business(&txn, shift.posting_id).await?;
    if !approve {
        give_back_place(&txn, shift.id).await?;
        let freed = load_shift(&txn, shift.id).await?;
        promote(&txn, &freed, now).await?;
    }
    let (title, body) = if approve {
        (
            format!("接班已确认：{} {}", business.name, found.title),
            format!(
                "{}，{}。请准时到岗签到。",
                when_zh(shift.starts_at, shift.ends_at),
                shift.address
            ),
        )
    } else {
        (
            format!("接班未通过：{}", found.title),
            reason.unwrap_or_else(|| "商户未通过本次接班申请。".into()),
        )
    };
    notices::enqueue(
        &txn,
        Notice::now(
            current.seeker_id,
            "shift_claim_decided",
            title,
            body,
            json!({"claim_id": claim_id, "shift_id": shift.id, "status": to}),
        )
        .urgent(same_local_day(now, shift.starts_at)),
    )
    .await?;
    record_if_fullness_changed(&txn, &shift).await?;
    let updated = load_claim(&txn, claim_id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The actor's own claims with their shifts, newest first.
pub async fn list_mine<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    status: Option<ClaimStatus>,
    page: PageRequest<Uuid>,
) -> Result<Page<(shift_claim::Model, shift::Model)>, DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden("only seekers claim shifts"));
    }
    let mut query = shift_claim::Entity::find()
        .filter(shift_claim::Column::SeekerId.eq(actor.account_id))
        .order_by_desc(shift_claim::Column::Id);
    if let Some(status) = status {
        query = query.filter(shift_claim::Column::Status.eq(status));
    }
    if let Some(before) = page.after {
        query = query.filter(shift_claim::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    let page = Page::from_rows(rows, page.limit, |c| c.id);
    with_shifts(db, page).await
}

async fn with_shifts<C: ConnectionTrait>(
    db: &C,
    page: Page<shift_claim::Model>,
) -> Result<Page<(shift_claim::Model, shift::Model)>, DomainError> {
    let shifts = shift::Entity::find()
        .filter(shift::Column::Id.is_in(page.items.iter().map(|c| c.shift_id)))
        .all(db)
        .await?;
    let items = page
        .items
        .into_iter()
        .filter_map(|c| {
            let s = shifts.iter().find(|s| s.id == c.shift_id)?.clone();
            Some((c, s))
        })
        .collect();
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

/// The claims on one shift in the order they were made (members of its business).
pub async fn list_for_shift<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    shift_id: Uuid,
    status: Option<ClaimStatus>,
    page: PageRequest<Uuid>,
) -> Result<Page<shift_claim::Model>, DomainError> {
    super::shift_as_member(db, actor, shift_id).await?;
    let mut query = shift_claim::Entity::find()
        .filter(shift_claim::Column::ShiftId.eq(shift_id))
        .order_by_asc(shift_claim::Column::Id);
    if let Some(status) = status {
        query = query.filter(shift_claim::Column::Status.eq(status));
    }
    if let Some(after) = page.after {
        query = query.filter(shift_claim::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |c| c.id))
}

/// How the actor relates to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Seeker,
    Merchant,
    Officer,
}

/// The actor's relation to the claim; anyone else is told it does not exist. Officers are
/// a party to the claims at businesses of their districts only (a claim belongs where its
/// business is, as its hours disputes do).
pub async fn party<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    claim: &shift_claim::Model,
) -> Result<Party, DomainError> {
    match actor.role {
        Role::Seeker if claim.seeker_id == actor.account_id => Ok(Party::Seeker),
        Role::Merchant if is_member(db, actor, claim.business_id).await? => Ok(Party::Merchant),
        Role::Officer | Role::Admin => {
            let business = crate::businesses::find(db, claim.business_id).await?;
            crate::districts::scope_of(db, actor)
                .await?
                .require(business.district_id, "claim")?;
            Ok(Party::Officer)
        }
        _ => Err(DomainError::NotFound("claim")),
    }
}

/// One claim with its shift, for its seeker, its business, or an officer (who states why;
/// the read is audited).
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    claim_id: Uuid,
    reason: Option<&str>,
) -> Result<(shift_claim::Model, shift::Model, Party), DomainError> {
    let found = load_claim(db, claim_id).await?;
    let party = party(db, actor, &found).await?;
    if party == Party::Officer {
        let reason = audit::parse_reason(reason)?;
        audit::record(
            db,
            actor.account_id,
            Some(found.seeker_id),
            "read_shift_claim",
            ("shift_claim", found.id),
            &reason,
        )
        .await?;
    }
    let shift = load_shift(db, found.shift_id).await?;
    Ok((found, shift, party))
}

/// Ends every upcoming claim of a seeker who erases their account: their places go back to
/// the shifts (and on to the waiting lists), without counting as late cancellations.
pub(crate) async fn release_all_for<C: ConnectionTrait>(
    db: &C,
    seeker: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let upcoming = shift_claim::Entity::find()
        .filter(shift_claim::Column::SeekerId.eq(seeker))
        .filter(shift_claim::Column::Status.is_in([
            ClaimStatus::Waitlisted,
            ClaimStatus::Pending,
            ClaimStatus::Confirmed,
        ]))
        .all(db)
        .await?;
    for claim in upcoming {
        let shift = lock_shift(db, claim.shift_id).await?;
        if shift.starts_at <= now {
            continue;
        }
        move_claim(claim.id, claim.status, ClaimStatus::Cancelled, now)
            .col_expr(shift_claim::Column::CancelledAt, Expr::value(now))
            .exec(db)
            .await?;
        if claim.status.holds_place() {
            give_back_place(db, shift.id).await?;
            let freed = load_shift(db, shift.id).await?;
            promote(db, &freed, now).await?;
            record_if_fullness_changed(db, &shift).await?;
        }
    }
    Ok(())
}
