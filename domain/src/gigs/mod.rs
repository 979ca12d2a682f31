//! Gig shifts (零工): a gig posting's dated shifts, the claims seekers make on their places,
//! check-in and out, hours and pay, ratings both ways and the reliability they add up to.
//!
//! Rules that hold under any concurrency, on SQLite and PostgreSQL alike:
//! - A shift never has more claims holding a place than it has places: a place is taken
//!   by `UPDATE shifts SET claimed = claimed + 1 WHERE id = ? AND claimed < places` inside
//!   the claiming transaction, and given back in the transaction that frees it.
//! - A seeker has at most one live claim per shift (a partial unique index), and never two
//!   overlapping shifts (their claims are serialised by a lock on the seeker's account row
//!   on PostgreSQL, and by SQLite's single writer).
//! - Scheduled work (no-shows, automatic confirmation of hours, reminders, opening
//!   favourites-only windows) is done by conditional updates, so running a job twice, or
//!   on several instances at once, changes each row once. Each job is a function of `now`.

pub mod attendance;
pub mod checkin_code;
pub mod claims;
pub mod favourites;
pub mod geofence;
pub mod hours;
pub mod jobs;
pub mod notices;
pub mod pay;
pub mod payroll;
pub mod ratings;
pub mod reliability;
pub mod settings;
pub mod shifts;

use chrono::{DateTime, Datelike, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use crate::DomainError;
use crate::auth::Principal;
use crate::entities::{business, business_member, posting, shift, shift_claim};
use crate::outbox::{self, Aggregate};
use crate::time::{self, to_display};
use crate::types::{ClaimStatus, Role};

/// The timing rules of check-in and hours; the API builds them from its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// How long before the start a worker may check in.
    pub checkin_opens_before: Duration,
    /// How long after the start check-in stays open; no check-in by then is a no-show.
    pub checkin_grace: Duration,
    /// Hours a merchant has not confirmed are confirmed this long after the shift's end.
    pub auto_confirm_after: Duration,
    /// A merchant cancelling a claimed shift later than this before its start cancels late.
    pub merchant_late_cancel_before: Duration,
    /// The share of the scheduled pay a late-cancelling merchant owes each claimed worker.
    pub merchant_late_cancel_share_percent: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            checkin_opens_before: Duration::minutes(30),
            checkin_grace: Duration::minutes(15),
            auto_confirm_after: Duration::hours(48),
            merchant_late_cancel_before: Duration::hours(24),
            merchant_late_cancel_share_percent: 50,
        }
    }
}

/// Days after a shift's end during which both sides may rate, after which every rating is
/// shown whether or not the other side rated.
pub const RATING_WINDOW_DAYS: i64 = 7;
/// Days after hours are settled during which the worker may dispute them.
pub const DISPUTE_WINDOW_DAYS: i64 = 7;
/// The cut-off a gig posting gets unless the merchant sets another: a seeker cancelling
/// later than this many hours before the start cancels late.
pub const DEFAULT_CUTOFF_HOURS: i32 = 12;

pub(crate) async fn load_shift<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<shift::Model, DomainError> {
    shift::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("shift"))
}

pub(crate) async fn load_claim<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<shift_claim::Model, DomainError> {
    shift_claim::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("claim"))
}

/// Reads the shift for update: on PostgreSQL the row stays locked until the transaction
/// ends, so whatever else changes the shift (claims, cancellations, edits) waits; SQLite's
/// write transactions are serialised already.
pub(crate) async fn lock_shift<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<shift::Model, DomainError> {
    shift::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("shift"))
}

/// Records that the posting's shifts changed, so the search index and the matcher follow.
pub(crate) async fn record_shifts_changed<C: ConnectionTrait>(
    db: &C,
    shift: &shift::Model,
    kind: &str,
) -> Result<(), DomainError> {
    outbox::record(
        db,
        Aggregate::Posting,
        shift.posting_id,
        kind,
        json!({"business_id": shift.business_id, "shift_id": shift.id}),
    )
    .await
}

/// The update moving one claim from the state it was read in to `to`; it changes nothing
/// if the claim moved meanwhile (callers check `rows_affected`), which is what makes a
/// replayed request or a job run twice harmless.
pub(crate) fn move_claim(
    id: Uuid,
    from: ClaimStatus,
    to: ClaimStatus,
    now: DateTime<Utc>,
) -> sea_orm::UpdateMany<shift_claim::Entity> {
    shift_claim::Entity::update_many()
        .col_expr(shift_claim::Column::Status, Expr::value(to.as_str()))
        .col_expr(shift_claim::Column::UpdatedAt, Expr::value(now))
        .filter(shift_claim::Column::Id.eq(id))
        .filter(shift_claim::Column::Status.eq(from))
}

/// Whether a shift has a place left.
pub fn has_open_place(shift: &shift::Model) -> bool {
    shift.claimed < shift.places
}

/// Records a change event when a shift went from having places to full or back: that is
/// what search ("has open places") and the matcher see; other claims change nothing there.
pub(crate) async fn record_if_fullness_changed<C: ConnectionTrait>(
    db: &C,
    before: &shift::Model,
) -> Result<(), DomainError> {
    let after = load_shift(db, before.id).await?;
    if has_open_place(before) != has_open_place(&after) {
        record_shifts_changed(db, &after, "shift_places").await?;
    }
    Ok(())
}

/// Whether the actor is a merchant member of `business`.
pub(crate) async fn is_member<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    business: Uuid,
) -> Result<bool, DomainError> {
    Ok(actor.role == Role::Merchant
        && business_member::Entity::find_by_id((business, actor.account_id))
            .one(db)
            .await?
            .is_some())
}

/// The shift with its posting and business, if the actor is a member of the business;
/// anyone else is told it does not exist.
pub(crate) async fn shift_as_member<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<(shift::Model, posting::Model, business::Model), DomainError> {
    let found = load_shift(db, id).await?;
    if !is_member(db, actor, found.business_id).await? {
        return Err(DomainError::NotFound("shift"));
    }
    let (p, b) = posting_and_business(db, found.posting_id).await?;
    Ok((found, p, b))
}

pub(crate) async fn posting_and_business<C: ConnectionTrait>(
    db: &C,
    posting_id: Uuid,
) -> Result<(posting::Model, business::Model), DomainError> {
    let p = posting::Entity::find_by_id(posting_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("posting"))?;
    let b = crate::businesses::find(db, p.business_id).await?;
    Ok((p, b))
}

const WEEKDAYS_ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

/// "11月28日 周六 22:00-次日04:00": a shift's time as a notice states it, in China time.
pub fn when_zh(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> String {
    let (start, end) = (to_display(starts_at), to_display(ends_at));
    let next_day = if end.date_naive() != start.date_naive() {
        "次日"
    } else {
        ""
    };
    format!(
        "{}月{}日 {} {}-{next_day}{}",
        start.month(),
        start.day(),
        WEEKDAYS_ZH[start.weekday().num_days_from_monday() as usize],
        start.format("%H:%M"),
        end.format("%H:%M"),
    )
}

/// `at` without its fraction of a second: times people give are kept to the second, and
/// read back the same from either database.
pub fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
}

/// Whether `at` falls on the same calendar day, in China time, as `now`.
pub fn same_local_day(now: DateTime<Utc>, at: DateTime<Utc>) -> bool {
    time::local_date(now) == time::local_date(at)
}

/// A time written in RFC 3339, for tests.
#[cfg(test)]
pub(crate) fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_across_midnight_say_so() {
        assert_eq!(
            when_zh(
                utc("2026-11-28T22:00:00+08:00"),
                utc("2026-11-29T04:00:00+08:00")
            ),
            "11月28日 周六 22:00-次日04:00"
        );
        assert_eq!(
            when_zh(
                utc("2026-11-28T10:00:00+08:00"),
                utc("2026-11-28T18:00:00+08:00")
            ),
            "11月28日 周六 10:00-18:00"
        );
    }

    #[test]
    fn days_are_china_days() {
        // 23:30 UTC on the 27th is 07:30 on the 28th in Suzhou.
        assert!(same_local_day(
            utc("2026-11-27T23:30:00Z"),
            utc("2026-11-28T20:00:00+08:00")
        ));
        assert!(!same_local_day(
            utc("2026-11-28T23:30:00+08:00"),
            utc("2026-11-29T00:30:00+08:00")
        ));
    }
}
