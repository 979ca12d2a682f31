//! Check-in and check-out: by the rotating code on the merchant's device, or by the
//! worker's position inside the shift's geofence. Check-in opens some time before the
//! start and closes at the end of the grace period after it; arriving after the start is
//! recorded as late, by how many minutes. A worker checks in on their own claim only, once.

use crate::ErrorCode;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use uuid::Uuid;

use super::geofence::{self, Presence};
use super::{Rules, checkin_code, load_claim, load_shift, move_claim, settings};
use crate::auth::Principal;
use crate::entities::{shift, shift_claim};
use crate::types::{AttendanceMethod, ClaimStatus, GeoPoint, HoursStatus};
use crate::{DomainError, Invalid, ValidationErrors};

/// Wrong codes in a row after which check-in by code stops for the claim (location, or
/// the merchant's confirmation of hours, still work): six-digit codes are guessable by
/// brute force otherwise.
pub const MAX_CODE_FAILURES: i32 = 5;

/// How the worker proves they are there: the code shown at the workplace, or where they
/// are.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceInput {
    /// The six digits on the merchant's device.
    #[serde(default)]
    pub code: Option<String>,
    /// With `lon` and `accuracy_m`: the device's position.
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// The position's accuracy in metres (radius of the device's confidence circle).
    #[serde(default)]
    pub accuracy_m: Option<f64>,
}

/// A method, parsed.
enum Proof {
    Code(String),
    Location { at: GeoPoint, accuracy_m: f64 },
}

impl AttendanceInput {
    fn proof(&self) -> Result<Proof, DomainError> {
        let invalid = |field: &str, code: ErrorCode, message: &str| {
            DomainError::Validation(ValidationErrors::single(field, Invalid::new(code, message)))
        };
        match (&self.code, self.lat, self.lon, self.accuracy_m) {
            (Some(code), None, None, None) => Ok(Proof::Code(code.clone())),
            (None, Some(lat), Some(lon), Some(accuracy_m)) => {
                let at = GeoPoint::new(lat, lon)
                    .map_err(|e| DomainError::Validation(ValidationErrors::single("lat", e)))?;
                Ok(Proof::Location { at, accuracy_m })
            }
            (None, Some(_), Some(_), None) => Err(invalid(
                "accuracy_m",
                ErrorCode::Required,
                "a position comes with its accuracy",
            )),
            (None, None, None, None) => Err(invalid(
                "code",
                ErrorCode::Required,
                "give the code shown at the workplace, or lat, lon and accuracy_m",
            )),
            _ => Err(invalid(
                "code",
                ErrorCode::Ambiguous,
                "give either a code or a position (lat, lon, accuracy_m), not both or parts",
            )),
        }
    }
}

/// What a proof showed, kept on the claim.
struct Proven {
    method: AttendanceMethod,
    position: Option<(GeoPoint, f64)>,
}

/// Checks the proof against the shift; a wrong code is counted against the claim (the
/// caller commits that count even though the request fails, see [`keep_count`]).
async fn verify<C: ConnectionTrait>(
    db: &C,
    claim: &shift_claim::Model,
    shift: &shift::Model,
    proof: Proof,
    now: DateTime<Utc>,
) -> Result<Proven, DomainError> {
    match proof {
        Proof::Code(code) => {
            if claim.code_failures >= MAX_CODE_FAILURES {
                return Err(DomainError::conflict(
                    ErrorCode::TooManyAttempts,
                    "too many wrong codes; check in by location or ask the merchant",
                ));
            }
            let gig = settings::of_business(db, claim.business_id).await?;
            if checkin_code::verify(&settings::secret_bytes(&gig), &code, now).is_some() {
                return Ok(Proven {
                    method: AttendanceMethod::Code,
                    position: None,
                });
            }
            shift_claim::Entity::update_many()
                .col_expr(
                    shift_claim::Column::CodeFailures,
                    Expr::col(shift_claim::Column::CodeFailures).add(1),
                )
                .filter(shift_claim::Column::Id.eq(claim.id))
                .exec(db)
                .await?;
            Err(DomainError::conflict(
                WRONG_CODE,
                "the code is wrong, expired, or from another business",
            ))
        }
        Proof::Location { at, accuracy_m } => {
            let centre = GeoPoint::new(shift.lat, shift.lon)
                .map_err(|e| DomainError::internal_from("the shift's stored position", e))?;
            match geofence::presence(centre, shift.geofence_m, at, accuracy_m) {
                Presence::Inside { .. } => Ok(Proven {
                    method: AttendanceMethod::Location,
                    position: Some((at, accuracy_m)),
                }),
                Presence::Outside { distance_m } => Err(DomainError::conflict(
                    ErrorCode::OutsideGeofence,
                    format!(
                        "you are {} m from the workplace; check-in works within {} m",
                        distance_m.round(),
                        shift.geofence_m
                    ),
                )),
                Presence::TooInaccurate => Err(DomainError::conflict(
                    ErrorCode::LocationTooInaccurate,
                    format!(
                        "the position is only accurate to {accuracy_m} m; within {} m is needed",
                        shift.geofence_m
                    ),
                )),
            }
        }
    }
}

const WRONG_CODE: ErrorCode = ErrorCode::InvalidCode;

/// Ends a failed attempt: a wrong code's count is committed, anything else rolled back.
async fn keep_count<T: TransactionSession>(
    txn: T,
    err: DomainError,
) -> Result<shift_claim::Model, DomainError> {
    if matches!(&err, DomainError::Conflict { code, .. } if *code == WRONG_CODE) {
        txn.commit().await?;
    }
    Err(err)
}

/// Loads the seeker's own claim and its shift; someone else's claim does not exist for
/// them.
async fn own_claim<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    claim_id: Uuid,
) -> Result<(shift_claim::Model, shift::Model), DomainError> {
    let claim = load_claim(db, claim_id).await?;
    if claim.seeker_id != actor.account_id {
        return Err(DomainError::NotFound("claim"));
    }
    let shift = load_shift(db, claim.shift_id).await?;
    Ok((claim, shift))
}

/// Whole minutes after the start, rounded up; 0 when on time or early.
pub fn minutes_late(starts_at: DateTime<Utc>, at: DateTime<Utc>) -> i32 {
    let seconds = (at - starts_at).num_seconds();
    if seconds <= 0 {
        0
    } else {
        Ord::min((seconds + 59) / 60, i64::from(i32::MAX)) as i32
    }
}

/// The worker checks in on their confirmed claim.
pub async fn check_in<C: TransactionTrait>(
    db: &C,
    rules: &Rules,
    actor: &Principal,
    claim_id: Uuid,
    input: AttendanceInput,
    now: DateTime<Utc>,
) -> Result<shift_claim::Model, DomainError> {
    let proof = input.proof()?;
    let txn = crate::db::begin_write(db).await?;
    let (claim, shift) = own_claim(&txn, actor, claim_id).await?;
    match claim.status {
        ClaimStatus::Confirmed => {}
        ClaimStatus::CheckedIn | ClaimStatus::Completed => {
            return Err(DomainError::conflict(
                ErrorCode::AlreadyCheckedIn,
                "you have already checked in for this shift",
            ));
        }
        other => {
            return Err(DomainError::conflict(
                ErrorCode::NotConfirmed,
                format!("a {other} claim cannot check in"),
            ));
        }
    }
    if now < shift.starts_at - rules.checkin_opens_before {
        return Err(DomainError::conflict(
            ErrorCode::CheckinNotOpen,
            format!(
                "check-in opens {} minutes before the start",
                rules.checkin_opens_before.num_minutes()
            ),
        ));
    }
    if now > shift.starts_at + rules.checkin_grace {
        return Err(DomainError::conflict(
            ErrorCode::CheckinClosed,
            "check-in has closed for this shift; the merchant can still confirm your hours",
        ));
    }
    let proven = match verify(&txn, &claim, &shift, proof, now).await {
        Ok(proven) => proven,
        Err(err) => return keep_count(txn, err).await,
    };
    // Conditional on the state read: a replayed request (the same code twice) or two at
    // once check in one time only.
    let moved = move_claim(
        claim_id,
        ClaimStatus::Confirmed,
        ClaimStatus::CheckedIn,
        now,
    )
    .col_expr(shift_claim::Column::CheckedInAt, Expr::value(now))
    .col_expr(
        shift_claim::Column::CheckinMethod,
        Expr::value(proven.method.as_str()),
    )
    .col_expr(
        shift_claim::Column::CheckinLat,
        Expr::value(proven.position.map(|(p, _)| p.lat())),
    )
    .col_expr(
        shift_claim::Column::CheckinLon,
        Expr::value(proven.position.map(|(p, _)| p.lon())),
    )
    .col_expr(
        shift_claim::Column::CheckinAccuracyM,
        Expr::value(proven.position.map(|(_, a)| a)),
    )
    .col_expr(
        shift_claim::Column::LateMinutes,
        Expr::value(minutes_late(shift.starts_at, now)),
    )
    .col_expr(shift_claim::Column::CodeFailures, Expr::value(0))
    .exec(&txn)
    .await?;
    if moved.rows_affected == 0 {
        return Err(DomainError::conflict(
            ErrorCode::AlreadyCheckedIn,
            "you have already checked in for this shift",
        ));
    }
    let updated = load_claim(&txn, claim_id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The worker checks out (by code or position, as at check-in). A forgotten check-out is
/// settled by the merchant confirming the hours, or automatically.
pub async fn check_out<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    claim_id: Uuid,
    input: AttendanceInput,
    now: DateTime<Utc>,
) -> Result<shift_claim::Model, DomainError> {
    let proof = input.proof()?;
    let txn = crate::db::begin_write(db).await?;
    let (claim, shift) = own_claim(&txn, actor, claim_id).await?;
    if claim.status != ClaimStatus::CheckedIn || claim.hours_status != HoursStatus::Unconfirmed {
        return Err(DomainError::conflict(
            ErrorCode::NotCheckedIn,
            "only a checked-in shift whose hours are not settled can be checked out of",
        ));
    }
    let proven = match verify(&txn, &claim, &shift, proof, now).await {
        Ok(proven) => proven,
        Err(err) => return keep_count(txn, err).await,
    };
    let moved = move_claim(
        claim_id,
        ClaimStatus::CheckedIn,
        ClaimStatus::Completed,
        now,
    )
    .col_expr(shift_claim::Column::CheckedOutAt, Expr::value(now))
    .col_expr(
        shift_claim::Column::CheckoutMethod,
        Expr::value(proven.method.as_str()),
    )
    .col_expr(shift_claim::Column::CodeFailures, Expr::value(0))
    .exec(&txn)
    .await?;
    if moved.rows_affected == 0 {
        return Err(DomainError::conflict(
            ErrorCode::NotCheckedIn,
            "this shift was already checked out of",
        ));
    }
    let updated = load_claim(&txn, claim_id).await?;
    txn.commit().await?;
    Ok(updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lateness_is_counted_in_started_minutes() {
        let start = DateTime::parse_from_rfc3339("2026-11-28T10:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(minutes_late(start, start - chrono::Duration::minutes(5)), 0);
        assert_eq!(minutes_late(start, start), 0);
        assert_eq!(minutes_late(start, start + chrono::Duration::seconds(1)), 1);
        assert_eq!(minutes_late(start, start + chrono::Duration::minutes(7)), 7);
    }

    #[test]
    fn one_proof_at_a_time() {
        let input = |code: Option<&str>, lat, lon, acc| AttendanceInput {
            code: code.map(str::to_owned),
            lat,
            lon,
            accuracy_m: acc,
        };
        assert!(input(Some("123456"), None, None, None).proof().is_ok());
        assert!(
            input(None, Some(31.3), Some(120.6), Some(10.0))
                .proof()
                .is_ok()
        );
        for bad in [
            input(None, None, None, None),
            input(Some("1"), Some(31.3), Some(120.6), Some(10.0)),
            input(None, Some(31.3), Some(120.6), None),
            input(None, Some(31.3), None, Some(5.0)),
            input(None, Some(95.0), Some(120.6), Some(5.0)),
        ] {
            assert!(bad.proof().is_err());
        }
    }
}
