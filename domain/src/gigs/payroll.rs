//! Pay summaries: per shift (for the business) and per worker per ISO week (for the
//! business, or a worker's own). What is due is computed from settled minutes; nothing is
//! paid through Doorstep.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::pay::{PayLine, WeekTotal, week_span, weekly_totals};
use super::{is_member, shift_as_member};
use crate::auth::Principal;
use crate::entities::{shift, shift_claim};
use crate::types::{ClaimStatus, HoursStatus, Role};
use crate::{DomainError, Invalid, ValidationErrors, applications};

/// Claims that have hours to pay or settle: worked, or disputed; or a late cancellation
/// the merchant owes for.
fn has_hours() -> Condition {
    Condition::any()
        .add(shift_claim::Column::Status.is_in([ClaimStatus::CheckedIn, ClaimStatus::Completed]))
        .add(shift_claim::Column::HoursStatus.ne(HoursStatus::Unconfirmed))
        .add(shift_claim::Column::CompensationFen.is_not_null())
}

async fn lines<C: ConnectionTrait>(
    db: &C,
    claims: Vec<shift_claim::Model>,
    shifts: &[shift::Model],
) -> Result<Vec<PayLine>, DomainError> {
    let seekers: Vec<Uuid> = claims.iter().map(|c| c.seeker_id).collect();
    let names = applications::applicants(db, &seekers).await?;
    Ok(claims
        .into_iter()
        .filter_map(|c| {
            let s = shifts.iter().find(|s| s.id == c.shift_id)?;
            Some(PayLine {
                claim_id: c.id,
                shift_id: s.id,
                seeker_id: c.seeker_id,
                worker: names
                    .get(&c.seeker_id)
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                hours_status: c.hours_status,
                minutes: c.final_minutes,
                pay_fen: c
                    .pay_fen
                    .filter(|_| c.hours_status.is_settled())
                    .or(c.compensation_fen),
                compensation_fen: c.compensation_fen,
            })
        })
        .collect())
}

/// Every worker's hours and pay on one shift (members of its business).
pub async fn shift_pay<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    shift_id: Uuid,
) -> Result<(shift::Model, Vec<PayLine>), DomainError> {
    let (found, _, _) = shift_as_member(db, actor, shift_id).await?;
    let claims = shift_claim::Entity::find()
        .filter(shift_claim::Column::ShiftId.eq(shift_id))
        .filter(has_hours())
        .order_by_asc(shift_claim::Column::Id)
        .all(db)
        .await?;
    let lines = lines(db, claims, std::slice::from_ref(&found)).await?;
    Ok((found, lines))
}

fn week_of(week: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), DomainError> {
    week_span(week).map_err(|e| DomainError::Validation(ValidationErrors::single("week", e)))
}

async fn week_lines<C: ConnectionTrait>(
    db: &C,
    week: &str,
    scope: Condition,
) -> Result<Vec<PayLine>, DomainError> {
    let (from, to) = week_of(week)?;
    let shifts = shift::Entity::find()
        .filter(shift::Column::StartsAt.gte(from))
        .filter(shift::Column::StartsAt.lt(to))
        .filter(scope.clone())
        .order_by_asc(shift::Column::StartsAt)
        .all(db)
        .await?;
    if shifts.is_empty() {
        return Ok(Vec::new());
    }
    let claims = shift_claim::Entity::find()
        .filter(shift_claim::Column::ShiftId.is_in(shifts.iter().map(|s| s.id)))
        .filter(has_hours())
        .order_by_asc(shift_claim::Column::Id)
        .all(db)
        .await?;
    lines(db, claims, &shifts).await
}

/// One business's workers for an ISO week: each line, and totals per worker.
pub async fn business_week<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    business_id: Uuid,
    week: &str,
) -> Result<(Vec<PayLine>, Vec<WeekTotal>), DomainError> {
    if !is_member(db, actor, business_id).await? {
        return Err(DomainError::NotFound("business"));
    }
    let lines = week_lines(
        db,
        week,
        Condition::all().add(shift::Column::BusinessId.eq(business_id)),
    )
    .await?;
    let totals = weekly_totals(&lines);
    Ok((lines, totals))
}

/// The actor's own shifts of an ISO week, with the week's total.
pub async fn my_week<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    week: &str,
) -> Result<(Vec<PayLine>, Vec<WeekTotal>), DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden("this is a worker's own pay summary"));
    }
    let mine: Vec<Uuid> = shift_claim::Entity::find()
        .filter(shift_claim::Column::SeekerId.eq(actor.account_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.shift_id)
        .collect();
    if mine.is_empty() {
        week_of(week)?;
        return Ok((Vec::new(), Vec::new()));
    }
    let lines: Vec<PayLine> = week_lines(
        db,
        week,
        Condition::all().add(shift::Column::Id.is_in(mine)),
    )
    .await?
    .into_iter()
    .filter(|l| l.seeker_id == actor.account_id)
    .collect();
    let totals = weekly_totals(&lines);
    Ok((lines, totals))
}

/// Checks a week parameter without loading anything (for the API's query parsing).
pub fn parse_week(raw: &str) -> Result<String, Invalid> {
    week_span(raw).map(|_| raw.trim().to_owned())
}
