//! Reliability: of the shifts a worker committed to in the last 90 days, the share they
//! worked. completed / (completed + no-shows + late cancellations), always shown with the
//! counts. Cancelling in time, being rejected, or a shift the merchant cancelled counts for
//! nothing either way, and a worker with no history has no score (not a bad one).
//!
//! Only what the worker did enters it: no profile field, and so no protected attribute.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::ratings;
use crate::auth::Principal;
use crate::entities::{seeker_profile, shift, shift_claim};
use crate::types::{ClaimStatus, Role, Visibility};
use crate::{DomainError, businesses};

/// The window reliability looks back over.
pub const WINDOW_DAYS: i64 = 90;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Reliability {
    pub completed: u32,
    pub no_shows: u32,
    pub late_cancellations: u32,
}

impl Reliability {
    /// Shifts that count: completed, missed, or cancelled late.
    pub fn counted(&self) -> u32 {
        self.completed + self.no_shows + self.late_cancellations
    }

    /// completed / counted, or `None` with no history.
    pub fn score(&self) -> Option<f64> {
        let counted = self.counted();
        (counted > 0).then(|| f64::from(self.completed) / f64::from(counted))
    }

    /// The score as a whole percentage, rounded half up (integers only).
    pub fn percent(&self) -> Option<u32> {
        let counted = self.counted();
        (counted > 0).then(|| (self.completed * 200 + counted) / (2 * counted))
    }

    /// Counts one claim, unless its shift started before the window. (A late cancellation
    /// counts at once, before the shift it abandoned has started.)
    pub fn add(&mut self, claim: &shift_claim::Model, shift: &shift::Model, now: DateTime<Utc>) {
        if shift.starts_at <= now - Duration::days(WINDOW_DAYS) {
            return;
        }
        match claim.status {
            ClaimStatus::Completed => self.completed += 1,
            ClaimStatus::CheckedIn if shift.ends_at <= now => self.completed += 1,
            ClaimStatus::NoShow => self.no_shows += 1,
            ClaimStatus::Cancelled if claim.late_cancellation => self.late_cancellations += 1,
            _ => {}
        }
    }
}

/// The reliability of each of `seekers` (absent from the map: no claims at all).
pub async fn of_seekers<C: ConnectionTrait>(
    db: &C,
    seekers: &[Uuid],
    now: DateTime<Utc>,
) -> Result<HashMap<Uuid, Reliability>, DomainError> {
    let mut out = HashMap::new();
    if seekers.is_empty() {
        return Ok(out);
    }
    let claims = shift_claim::Entity::find()
        .filter(shift_claim::Column::SeekerId.is_in(seekers.iter().copied()))
        .filter(shift_claim::Column::Status.is_in([
            ClaimStatus::Completed,
            ClaimStatus::CheckedIn,
            ClaimStatus::NoShow,
            ClaimStatus::Cancelled,
        ]))
        .all(db)
        .await?;
    if claims.is_empty() {
        return Ok(out);
    }
    let shifts: HashMap<Uuid, shift::Model> = shift::Entity::find()
        .filter(shift::Column::Id.is_in(claims.iter().map(|c| c.shift_id)))
        .filter(shift::Column::StartsAt.gt(now - Duration::days(WINDOW_DAYS)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    for claim in &claims {
        if let Some(shift) = shifts.get(&claim.shift_id) {
            out.entry(claim.seeker_id)
                .or_insert_with(Reliability::default)
                .add(claim, shift, now);
        }
    }
    Ok(out)
}

pub async fn of_seeker<C: ConnectionTrait>(
    db: &C,
    seeker: Uuid,
    now: DateTime<Utc>,
) -> Result<Reliability, DomainError> {
    Ok(of_seekers(db, &[seeker], now)
        .await?
        .remove(&seeker)
        .unwrap_or_default())
}

/// A worker's record as shown: reliability and the ratings merchants gave that are revealed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    pub reliability: Reliability,
    pub ratings: u32,
    /// Average stars, in tenths (45 = 4.5), integers only.
    pub stars_tenths: Option<u32>,
}

/// A worker's record, for the worker, or for a merchant when the worker's profile is public
/// or they claimed one of the merchant's shifts.
pub async fn record_for<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    seeker: Uuid,
    now: DateTime<Utc>,
) -> Result<Record, DomainError> {
    let allowed = match actor.role {
        Role::Seeker => actor.account_id == seeker,
        Role::Merchant => {
            let public = seeker_profile::Entity::find_by_id(seeker)
                .one(db)
                .await?
                .is_some_and(|p| p.visibility == Visibility::Public);
            let claimed_here = shift_claim::Entity::find()
                .filter(shift_claim::Column::SeekerId.eq(seeker))
                .filter(
                    shift_claim::Column::BusinessId
                        .is_in(businesses::ids_of_member(db, actor.account_id).await?),
                )
                .count(db)
                .await?
                > 0;
            public || claimed_here
        }
        Role::Officer | Role::Admin => false,
    };
    if !allowed {
        return Err(DomainError::NotFound("seeker"));
    }
    let reliability = of_seeker(db, seeker, now).await?;
    let (count, stars) = ratings::received_by_worker(db, seeker, now).await?;
    Ok(Record {
        reliability,
        ratings: count,
        stars_tenths: (count > 0).then(|| (stars * 20 + count) / (2 * count)),
    })
}

/// A merchant's reliability (issue 25), held to their word as workers are: of the claimed
/// places on their shifts in the last 90 days, how many they honoured. Each claim is one
/// place:
/// - `completed`: worked (completed, or checked in and over);
/// - `late_cancellations`: the merchant cancelled the shift within
///   `merchant_late_cancel_hours` of its start (the worker was owed a share of the pay);
/// - `unpaid`: worked, but the merchant never confirmed the hours the pay is owed on (they
///   were confirmed automatically);
/// - `disputed`: the worker disputed the merchant's hours (the merchant did not honour the
///   worker's check-in and check-out).
///
/// The score is the places honoured in full (completed, neither unpaid nor disputed) over
/// the places committed (completed + cancelled late); no history is no score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MerchantReliability {
    pub completed: u32,
    pub late_cancellations: u32,
    pub unpaid: u32,
    pub disputed: u32,
}

impl MerchantReliability {
    pub fn counted(&self) -> u32 {
        self.completed + self.late_cancellations
    }

    /// Honoured places as a whole percentage, rounded half up; `None` with no history.
    pub fn percent(&self) -> Option<u32> {
        let counted = self.counted();
        let honoured = self
            .completed
            .saturating_sub(self.unpaid)
            .saturating_sub(self.disputed);
        (counted > 0).then(|| (honoured * 200 + counted) / (2 * counted))
    }

    fn add(&mut self, claim: &shift_claim::Model, shift: &shift::Model, now: DateTime<Utc>) {
        use crate::types::HoursStatus;
        if shift.starts_at <= now - Duration::days(WINDOW_DAYS) {
            return;
        }
        match claim.status {
            ClaimStatus::Completed => self.completed += 1,
            ClaimStatus::CheckedIn if shift.ends_at <= now => self.completed += 1,
            ClaimStatus::ShiftCancelled if claim.compensation_fen.is_some() => {
                self.late_cancellations += 1;
            }
            _ => return,
        }
        if claim.status != ClaimStatus::ShiftCancelled {
            match claim.hours_status {
                HoursStatus::AutoConfirmed => self.unpaid += 1,
                HoursStatus::Disputed | HoursStatus::Resolved => self.disputed += 1,
                _ => {}
            }
        }
    }
}

/// The reliability of each of `businesses` (absent from the map: no claims at all).
pub async fn of_merchants<C: ConnectionTrait>(
    db: &C,
    businesses: &[Uuid],
    now: DateTime<Utc>,
) -> Result<HashMap<Uuid, MerchantReliability>, DomainError> {
    let mut out = HashMap::new();
    if businesses.is_empty() {
        return Ok(out);
    }
    let shifts: HashMap<Uuid, shift::Model> = shift::Entity::find()
        .filter(shift::Column::BusinessId.is_in(businesses.iter().copied()))
        .filter(shift::Column::StartsAt.gt(now - Duration::days(WINDOW_DAYS)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    if shifts.is_empty() {
        return Ok(out);
    }
    let claims = shift_claim::Entity::find()
        .filter(shift_claim::Column::ShiftId.is_in(shifts.keys().copied()))
        .filter(shift_claim::Column::Status.is_in([
            ClaimStatus::Completed,
            ClaimStatus::CheckedIn,
            ClaimStatus::ShiftCancelled,
        ]))
        .all(db)
        .await?;
    for claim in &claims {
        if let Some(shift) = shifts.get(&claim.shift_id) {
            out.entry(claim.business_id)
                .or_insert_with(MerchantReliability::default)
                .add(claim, shift, now);
        }
    }
    Ok(out)
}

pub async fn of_merchant<C: ConnectionTrait>(
    db: &C,
    business: Uuid,
    now: DateTime<Utc>,
) -> Result<MerchantReliability, DomainError> {
    Ok(of_merchants(db, &[business], now)
        .await?
        .remove(&business)
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(completed: u32, no_shows: u32, late: u32) -> Reliability {
        Reliability {
            completed,
            no_shows,
            late_cancellations: late,
        }
    }

    #[test]
    fn the_formula_is_completed_over_committed() {
        let r = counts(8, 1, 1);
        assert_eq!(r.counted(), 10);
        assert_eq!(r.score(), Some(0.8));
        assert_eq!(r.percent(), Some(80));
        // 2 of 3: 66.67 % → 67.
        assert_eq!(counts(2, 1, 0).percent(), Some(67));
        assert_eq!(counts(1, 0, 2).percent(), Some(33));
        assert_eq!(counts(0, 3, 0).score(), Some(0.0));
        // No history is no score, not zero.
        assert_eq!(counts(0, 0, 0).score(), None);
        assert_eq!(counts(0, 0, 0).percent(), None);
    }

    #[test]
    fn merchants_are_scored_on_places_honoured() {
        let m = MerchantReliability {
            completed: 8,
            late_cancellations: 2,
            unpaid: 1,
            disputed: 1,
        };
        // 6 honoured in full of 10 committed.
        assert_eq!(m.percent(), Some(60));
        assert_eq!(MerchantReliability::default().percent(), None);
        let cancelled_only = MerchantReliability {
            late_cancellations: 1,
            ..Default::default()
        };
        assert_eq!(cancelled_only.percent(), Some(0));
    }
}
