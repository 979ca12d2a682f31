//! A business's gig settings (its check-in secret and default geofence) and a gig
//! posting's booking options (instant or approval, and the cancellation cut-off).

use crate::ErrorCode;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set, TransactionTrait};
use serde::Deserialize;
use uuid::Uuid;

use super::{DEFAULT_CUTOFF_HOURS, checkin_code, geofence, is_member};
use crate::auth::Principal;
use crate::entities::{gig_option, gig_setting};
use crate::types::{BookingMode, PostingKind};
use crate::{DomainError, Invalid, ValidationErrors, postings, time};

/// The business's settings, created (with a new secret) the first time they are needed.
pub async fn of_business<C: ConnectionTrait>(
    db: &C,
    business_id: Uuid,
) -> Result<gig_setting::Model, DomainError> {
    if let Some(found) = gig_setting::Entity::find_by_id(business_id).one(db).await? {
        return Ok(found);
    }
    let now = time::now();
    // Two first requests at once: one row wins, both read it.
    gig_setting::Entity::insert(gig_setting::ActiveModel {
        business_id: Set(business_id),
        checkin_secret: Set(checkin_code::new_secret()),
        geofence_m: Set(geofence::DEFAULT_RADIUS_M),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(gig_setting::Column::BusinessId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    gig_setting::Entity::find_by_id(business_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("business"))
}

/// The secret's bytes (stored as hex).
pub fn secret_bytes(settings: &gig_setting::Model) -> Vec<u8> {
    settings
        .checkin_secret
        .as_bytes()
        .chunks(2)
        .filter_map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    /// Default geofence radius of new shifts, 50 to 2000 metres.
    pub geofence_m: i32,
    /// Issue a new check-in secret: codes shown from the old one stop working at once.
    #[serde(default)]
    pub rotate_secret: bool,
}

pub(crate) fn check_radius(field: &str, radius: i32) -> Result<(), DomainError> {
    if (geofence::MIN_RADIUS_M..=geofence::MAX_RADIUS_M).contains(&radius) {
        Ok(())
    } else {
        Err(DomainError::Validation(ValidationErrors::single(
            field,
            Invalid::new(
                ErrorCode::OutOfRange,
                format!(
                    "{} to {} metres",
                    geofence::MIN_RADIUS_M,
                    geofence::MAX_RADIUS_M
                ),
            ),
        )))
    }
}

/// Members change their business's gig settings.
pub async fn update<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    business_id: Uuid,
    input: SettingsInput,
) -> Result<gig_setting::Model, DomainError> {
    check_radius("geofence_m", input.geofence_m)?;
    let txn = crate::db::begin_write(db).await?;
    if !is_member(&txn, actor, business_id).await? {
        return Err(DomainError::NotFound("business"));
    }
    let current = of_business(&txn, business_id).await?;
    let mut active: gig_setting::ActiveModel = current.into();
    active.geofence_m = Set(input.geofence_m);
    if input.rotate_secret {
        active.checkin_secret = Set(checkin_code::new_secret());
    }
    active.updated_at = Set(time::now());
    let updated = active.update(&txn).await?;
    sea_orm::TransactionSession::commit(txn).await?;
    Ok(updated)
}

/// The code a merchant's device shows now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentCode {
    pub code: String,
    pub valid_from: DateTime<Utc>,
    /// The code is accepted until one step after its own ends.
    pub accepted_until: DateTime<Utc>,
    /// Seconds until the device should show the next code.
    pub refresh_in_secs: i64,
}

/// The current check-in code of a business, for its members.
pub async fn current_code<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    business_id: Uuid,
    now: DateTime<Utc>,
) -> Result<CurrentCode, DomainError> {
    if !is_member(db, actor, business_id).await? {
        return Err(DomainError::NotFound("business"));
    }
    let settings = of_business(db, business_id).await?;
    let step = checkin_code::step_of(now);
    let next = checkin_code::step_start(step + 1);
    Ok(CurrentCode {
        code: checkin_code::code_at(&secret_bytes(&settings), step),
        valid_from: checkin_code::step_start(step),
        accepted_until: checkin_code::step_start(step + 1 + checkin_code::TOLERANCE_STEPS),
        refresh_in_secs: (next - now).num_seconds().max(1),
    })
}

/// A gig posting's booking options, or the defaults.
pub async fn of_posting<C: ConnectionTrait>(
    db: &C,
    posting_id: Uuid,
) -> Result<(BookingMode, i32), DomainError> {
    Ok(gig_option::Entity::find_by_id(posting_id)
        .one(db)
        .await?
        .map(|o| (o.booking_mode, o.cancel_cutoff_hours))
        .unwrap_or((BookingMode::Instant, DEFAULT_CUTOFF_HOURS)))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionsInput {
    pub booking_mode: BookingMode,
    /// Hours before the start after which a seeker's cancellation counts as late (0 to
    /// 72; default 12).
    #[serde(default = "default_cutoff")]
    pub cancel_cutoff_hours: i32,
}

fn default_cutoff() -> i32 {
    DEFAULT_CUTOFF_HOURS
}

/// Members set how a gig posting takes claims. Claims already made keep their state.
pub async fn set_posting_options<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    posting_id: Uuid,
    input: OptionsInput,
) -> Result<gig_option::Model, DomainError> {
    if !(0..=72).contains(&input.cancel_cutoff_hours) {
        return Err(DomainError::Validation(ValidationErrors::single(
            "cancel_cutoff_hours",
            Invalid::new(ErrorCode::OutOfRange, "0 to 72 hours"),
        )));
    }
    let txn = crate::db::begin_write(db).await?;
    let (found, _) = postings::as_member(&txn, actor, posting_id).await?;
    if found.kind != PostingKind::Gig {
        return Err(not_a_gig());
    }
    let row = gig_option::ActiveModel {
        posting_id: Set(posting_id),
        booking_mode: Set(input.booking_mode),
        cancel_cutoff_hours: Set(input.cancel_cutoff_hours),
        updated_at: Set(time::now()),
    };
    gig_option::Entity::insert(row)
        .on_conflict(
            OnConflict::column(gig_option::Column::PostingId)
                .update_columns([
                    gig_option::Column::BookingMode,
                    gig_option::Column::CancelCutoffHours,
                    gig_option::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    let saved = gig_option::Entity::find_by_id(posting_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("posting"))?;
    sea_orm::TransactionSession::commit(txn).await?;
    Ok(saved)
}

pub(crate) fn not_a_gig() -> DomainError {
    DomainError::conflict(
        ErrorCode::NotAGig,
        "only postings of kind gig have shifts and booking options",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_round_trip_through_hex() {
        let model = gig_setting::Model {
            business_id: Uuid::nil(),
            checkin_secret: "00ff10ab".into(),
            geofence_m: 200,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert_eq!(secret_bytes(&model), vec![0x00, 0xff, 0x10, 0xab]);
    }
}
