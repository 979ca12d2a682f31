//! The gig jobs `doorstep serve` runs every `gig_jobs_secs`: no-shows, expiring claims
//! still waiting when a shift starts, reminders, automatic confirmation of hours, and
//! opening favourites-only shifts to everyone. Each is a function of `now`, so tests call
//! it with the time they need.
//!
//! Each job changes a row only by a conditional update on the state it read (`WHERE status
//! = 'confirmed'`, `WHERE reminded_day_at IS NULL`…), inside one transaction with the
//! notices it sends: run twice, or on several instances at once, every row changes and
//! every notice is written once. Instances also share a lease (`gig_jobs`), so normally one
//! of them does a pass while the others skip it.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession,
    TransactionTrait,
};
use serde_json::json;

use super::notices::{self, Notice};
use super::{
    Rules, hours, lock_shift, move_claim, posting_and_business, record_shifts_changed, when_zh,
};
use crate::DomainError;
use crate::entities::{shift, shift_claim};
use crate::types::{ClaimStatus, ShiftStatus};

/// Rows one pass of a job handles at most; the next pass continues.
const BATCH: u64 = 200;
/// The day-before reminder goes out from 24 h before the start, unless the shift is less
/// than this close (then only the hour-before one does).
const DAY_REMINDER_UNTIL: Duration = Duration::hours(2);

/// What one pass of every job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub no_shows: usize,
    pub expired: usize,
    pub reminders: usize,
    pub auto_confirmed: usize,
    pub opened: usize,
}

impl Report {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl From<Report> for crate::jobs::Report {
    fn from(r: Report) -> Self {
        Self::new()
            .with("no_shows", r.no_shows)
            .with("expired", r.expired)
            .with("reminders", r.reminders)
            .with("auto_confirmed", r.auto_confirmed)
            .with("opened", r.opened)
    }
}

/// Shifts matching `shift_filter` that have a claim in one of `statuses`, up to a batch.
async fn shifts_with_claims<C: sea_orm::ConnectionTrait>(
    db: &C,
    shift_filter: sea_orm::Condition,
    statuses: &[ClaimStatus],
    claim_filter: sea_orm::Condition,
) -> Result<Vec<shift::Model>, DomainError> {
    let mut claims = Query::select();
    claims
        .column(shift_claim::Column::ShiftId)
        .from(shift_claim::Entity)
        .and_where(shift_claim::Column::Status.is_in(statuses.iter().copied()))
        .cond_where(claim_filter);
    Ok(shift::Entity::find()
        .filter(shift_filter)
        .filter(shift::Column::Id.in_subquery(claims.to_owned()))
        .order_by_asc(shift::Column::StartsAt)
        .limit(BATCH)
        .all(db)
        .await?)
}

/// Marks every confirmed claim not checked in by the end of its shift's grace period as a
/// no-show, and tells the worker. Returns how many were marked.
pub async fn mark_no_shows<C: TransactionTrait>(
    db: &C,
    rules: &Rules,
    now: DateTime<Utc>,
) -> Result<usize, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let due = shifts_with_claims(
        &txn,
        sea_orm::Condition::all().add(shift::Column::StartsAt.lt(now - rules.checkin_grace)),
        &[ClaimStatus::Confirmed],
        sea_orm::Condition::all(),
    )
    .await?;
    let mut marked = 0;
    for s in &due {
        let absent = shift_claim::Entity::find()
            .filter(shift_claim::Column::ShiftId.eq(s.id))
            .filter(shift_claim::Column::Status.eq(ClaimStatus::Confirmed))
            .all(&txn)
            .await?;
        for claim in absent {
            let moved = move_claim(claim.id, ClaimStatus::Confirmed, ClaimStatus::NoShow, now)
                .exec(&txn)
                .await?;
            if moved.rows_affected == 1 {
                marked += 1;
                notices::enqueue(
                    &txn,
                    Notice::now(
                        claim.seeker_id,
                        "shift_no_show",
                        "已记录缺勤".into(),
                        format!(
                            "{} 的班次未签到，已记为缺勤。如你实际到岗，可请商户确认工时或提出异议。",
                            when_zh(s.starts_at, s.ends_at)
                        ),
                        json!({"claim_id": claim.id, "shift_id": s.id}),
                    )
                    .due(now),
                )
                .await?;
            }
        }
    }
    txn.commit().await?;
    Ok(marked)
}

/// Ends the claims still waiting (waitlisted, or pending approval) when their shift starts;
/// a pending claim's place is given back. Returns how many expired.
pub async fn expire_waiting<C: TransactionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<usize, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let due = shifts_with_claims(
        &txn,
        sea_orm::Condition::all().add(shift::Column::StartsAt.lte(now)),
        &[ClaimStatus::Waitlisted, ClaimStatus::Pending],
        sea_orm::Condition::all(),
    )
    .await?;
    let mut expired = 0;
    for s in &due {
        // The shift first, as everything else that changes a shift's claims takes it (on
        // PostgreSQL two transactions locking a shift and its claims in opposite orders
        // could deadlock).
        lock_shift(&txn, s.id).await?;
        for status in [ClaimStatus::Pending, ClaimStatus::Waitlisted] {
            let moved = shift_claim::Entity::update_many()
                .col_expr(
                    shift_claim::Column::Status,
                    Expr::value(ClaimStatus::Expired.as_str()),
                )
                .col_expr(shift_claim::Column::UpdatedAt, Expr::value(now))
                .filter(shift_claim::Column::ShiftId.eq(s.id))
                .filter(shift_claim::Column::Status.eq(status))
                .exec(&txn)
                .await?;
            if status == ClaimStatus::Pending && moved.rows_affected > 0 {
                shift::Entity::update_many()
                    .col_expr(
                        shift::Column::Claimed,
                        Expr::col(shift::Column::Claimed).sub(moved.rows_affected as i32),
                    )
                    .filter(shift::Column::Id.eq(s.id))
                    .exec(&txn)
                    .await?;
            }
            expired += moved.rows_affected as usize;
        }
    }
    txn.commit().await?;
    Ok(expired)
}

/// Reminds workers of confirmed shifts the day before (from 24 h ahead) and an hour
/// before. A reminder expires when the shift starts (held by quiet hours until then, it is
/// dropped). Returns how many reminders were queued.
pub async fn send_reminders<C: TransactionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<usize, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let mut sent = 0;
    for (column, from, until, kind, lead) in [
        (
            shift_claim::Column::RemindedDayAt,
            now + DAY_REMINDER_UNTIL,
            now + Duration::hours(24),
            "shift_reminder_day",
            "明天",
        ),
        (
            shift_claim::Column::RemindedHourAt,
            now,
            now + Duration::hours(1),
            "shift_reminder_hour",
            "一小时后",
        ),
    ] {
        let due = shifts_with_claims(
            &txn,
            sea_orm::Condition::all()
                .add(shift::Column::Status.eq(ShiftStatus::Open))
                .add(shift::Column::StartsAt.gt(from))
                .add(shift::Column::StartsAt.lte(until)),
            &[ClaimStatus::Confirmed],
            sea_orm::Condition::all().add(column.is_null()),
        )
        .await?;
        for s in &due {
            let (p, b) = posting_and_business(&txn, s.posting_id).await?;
            let claims = shift_claim::Entity::find()
                .filter(shift_claim::Column::ShiftId.eq(s.id))
                .filter(shift_claim::Column::Status.eq(ClaimStatus::Confirmed))
                .filter(column.is_null())
                .all(&txn)
                .await?;
            for claim in claims {
                let moved = shift_claim::Entity::update_many()
                    .col_expr(column, Expr::value(now))
                    .filter(shift_claim::Column::Id.eq(claim.id))
                    .filter(column.is_null())
                    .exec(&txn)
                    .await?;
                if moved.rows_affected == 0 {
                    continue;
                }
                sent += 1;
                notices::enqueue(
                    &txn,
                    Notice::now(
                        claim.seeker_id,
                        kind,
                        format!("{lead}上班：{} {}", b.name, p.title),
                        format!(
                            "{}，{}。开工前30分钟内可签到。",
                            when_zh(s.starts_at, s.ends_at),
                            s.address
                        ),
                        json!({"claim_id": claim.id, "shift_id": s.id}),
                    )
                    .due(now)
                    .expires(s.starts_at),
                )
                .await?;
            }
        }
    }
    txn.commit().await?;
    Ok(sent)
}

/// Opens to everyone the shifts whose favourites-only window has passed, and records the
/// change for search and matching. Returns how many opened.
pub async fn open_favourite_windows<C: TransactionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<usize, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let due = shift::Entity::find()
        .filter(shift::Column::OpenedAt.is_null())
        .filter(shift::Column::FavouritesUntil.lte(now))
        .limit(BATCH)
        .all(&txn)
        .await?;
    let mut opened = 0;
    for s in &due {
        let moved = shift::Entity::update_many()
            .col_expr(shift::Column::OpenedAt, Expr::value(now))
            .filter(shift::Column::Id.eq(s.id))
            .filter(shift::Column::OpenedAt.is_null())
            .exec(&txn)
            .await?;
        if moved.rows_affected == 1 {
            opened += 1;
            record_shifts_changed(&txn, s, "shift_opened").await?;
        }
    }
    txn.commit().await?;
    Ok(opened)
}

/// One pass of every job.
pub async fn run_all<C: TransactionTrait>(
    db: &C,
    rules: &Rules,
    now: DateTime<Utc>,
) -> Result<Report, DomainError> {
    Ok(Report {
        no_shows: mark_no_shows(db, rules, now).await?,
        expired: expire_waiting(db, now).await?,
        reminders: send_reminders(db, now).await?,
        auto_confirmed: hours::auto_confirm(db, rules, now).await?,
        opened: open_favourite_windows(db, now).await?,
    })
}
