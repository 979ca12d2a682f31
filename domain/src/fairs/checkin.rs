//! Check-in by signed QR token (format: [`crate::signed_token`]).
//!
//! Each fair has its own random key. A registered seeker's token is
//! `v1.fair-checkin.<payload>.<signature>` with the payload `{"exp", "fair", "reg"}`, valid
//! until the fair's last slot ends. The fair's officers (of its district) fetch the key
//! once ([`device_key`]), so their scanners verify a token with no round trip; the scan is
//! then recorded here, which verifies it again. Booths' devices do not get the key: with it
//! a booth could forge visits and check-ins of anyone registered. A token of another fair
//! fails the signature under this fair's key and is reported as foreign; an altered one, or
//! one signed with any other key (a forgery, or a key rotated away by [`super::rotate_key`]),
//! as tampered; a second scan at the same place is reported with the time of the first, and
//! counted once. Only the officers who run the fair scan at the door.

use crate::ErrorCode;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionSession,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::status::{BoothStatus, RegistrationStatus};
use super::{booths, ends_at, find as find_fair, is_staff, require_live};
use crate::auth::Principal;
use crate::entities::{fair, fair_booth, fair_booth_visit, fair_registration};
use crate::signed_token;
use crate::{DomainError, Invalid, ValidationErrors, time};

/// The purpose of fair check-in tokens.
pub const PURPOSE: &str = "fair-checkin";

/// What a check-in token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinClaims {
    pub fair: Uuid,
    pub reg: Uuid,
}

/// The token of a registration (only places, not waiting-list entries, get one).
pub fn token(f: &fair::Model, r: &fair_registration::Model) -> Option<String> {
    (r.status == RegistrationStatus::Registered).then(|| {
        signed_token::sign(
            &signed_token::key_bytes(&f.signing_key),
            PURPOSE,
            &CheckinClaims {
                fair: f.id,
                reg: r.id,
            },
            ends_at(f),
        )
    })
}

/// What a scanning device needs to verify tokens offline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeviceKey {
    pub fair_id: Uuid,
    /// Always `fair-checkin`.
    pub purpose: &'static str,
    /// Always `HMAC-SHA256`.
    pub algorithm: &'static str,
    /// The key, base64url without padding (32 bytes).
    pub key: String,
    /// `v1.<purpose>.<base64url payload>.<base64url signature>`; the signature covers
    /// everything before the last dot.
    pub format: &'static str,
    /// Tokens expire at the latest then (their `exp`).
    pub valid_until: chrono::DateTime<chrono::FixedOffset>,
}

/// The fair's key, for the officers who run it; to anyone else the fair does not exist.
pub async fn device_key<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
) -> Result<DeviceKey, DomainError> {
    let f = find_fair(db, fair_id).await?;
    if !super::runs(db, actor, &f).await? {
        return Err(DomainError::NotFound("fair"));
    }
    require_live(&f)?;
    Ok(device_key_of(&f))
}

/// Replaces the fair's key (one that leaked) and answers the new one: tokens under the old
/// key are refused from now on as `token_tampered`. For the officers who run the fair.
pub async fn rotate<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
) -> Result<DeviceKey, DomainError> {
    Ok(device_key_of(&super::rotate_key(db, actor, fair_id).await?))
}

fn device_key_of(f: &fair::Model) -> DeviceKey {
    DeviceKey {
        fair_id: f.id,
        purpose: PURPOSE,
        algorithm: "HMAC-SHA256",
        key: f.signing_key.clone(),
        format: "v1.<purpose>.<payload>.<signature>",
        valid_until: time::to_display(ends_at(f)),
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanInput {
    /// The token read from the seeker's QR code.
    pub token: String,
    /// The booth scanning; absent for check-in at the door (officers).
    #[serde(default)]
    pub booth_id: Option<Uuid>,
}

/// A recorded scan.
#[derive(Debug, Clone)]
pub struct Scan {
    pub registration: fair_registration::Model,
    pub booth_id: Option<Uuid>,
    /// `false` when this place had scanned the token before (nothing was counted again).
    pub first: bool,
    /// When this place first scanned it.
    pub at: DateTime<Utc>,
}

/// The registration a token names, if it is genuine, unexpired and of this fair.
pub fn read_token(f: &fair::Model, token: &str, now: DateTime<Utc>) -> Result<Uuid, DomainError> {
    let key = signed_token::key_bytes(&f.signing_key);
    signed_token::check::<CheckinClaims>(&key, PURPOSE, token, now, "fair", |c| c.fair == f.id)
        .map(|claims| claims.reg)
        .map_err(|invalid| DomainError::Validation(ValidationErrors::single("token", invalid)))
}

/// Records a scan: at the door (the officers who run the fair) or at a booth (its members,
/// or those officers). A booth scan checks the seeker in at the fair too, if the door did
/// not.
pub async fn scan<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
    input: ScanInput,
) -> Result<Scan, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let f = find_fair(&txn, fair_id).await?;
    let booth = match input.booth_id {
        Some(id) => Some(booths::as_member(&txn, actor, fair_id, id).await?),
        None if is_staff(actor) => {
            // Staff of another district are told the fair does not exist.
            super::managed(&txn, actor, fair_id).await?;
            None
        }
        None => {
            return Err(DomainError::Validation(ValidationErrors::single(
                "booth_id",
                Invalid::new(ErrorCode::Required, "a booth's device names its booth"),
            )));
        }
    };
    if booth
        .as_ref()
        .is_some_and(|b| b.status != BoothStatus::Approved)
    {
        return Err(DomainError::conflict(
            ErrorCode::BoothNotApproved,
            "this booth is not approved",
        ));
    }
    require_live(&f)?;
    let now = time::now();
    let registration_id = read_token(&f, &input.token, now)?;
    let registration = fair_registration::Entity::find_by_id(registration_id)
        .one(&txn)
        .await?
        .filter(|r| r.fair_id == fair_id)
        .ok_or(DomainError::NotFound("registration"))?;
    if registration.status != RegistrationStatus::Registered {
        return Err(DomainError::conflict(
            ErrorCode::RegistrationNotActive,
            format!("this registration is {}", registration.status),
        ));
    }
    // At the door (or implied by a booth): only the first scan sets the time.
    let door = fair_registration::Entity::update_many()
        .col_expr(fair_registration::Column::CheckedInAt, Expr::value(now))
        .col_expr(
            fair_registration::Column::CheckedInBy,
            Expr::value(actor.account_id),
        )
        .filter(fair_registration::Column::Id.eq(registration.id))
        .filter(fair_registration::Column::CheckedInAt.is_null())
        .exec(&txn)
        .await?;
    let (first, at) = match &booth {
        None => {
            let first = door.rows_affected == 1;
            let at = if first {
                now
            } else {
                registration.checked_in_at.unwrap_or(now)
            };
            (first, at)
        }
        Some(b) => scan_at_booth(&txn, b, &registration, now).await?,
    };
    let registration = fair_registration::Entity::find_by_id(registration.id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("registration"))?;
    txn.commit().await?;
    Ok(Scan {
        registration,
        booth_id: booth.map(|b| b.id),
        first,
        at,
    })
}

/// The booth's visit record for the seeker, created or marked scanned; `(first, when)`.
async fn scan_at_booth<C: ConnectionTrait>(
    db: &C,
    booth: &fair_booth::Model,
    registration: &fair_registration::Model,
    now: DateTime<Utc>,
) -> Result<(bool, DateTime<Utc>), DomainError> {
    let inserted = fair_booth_visit::Entity::insert(fair_booth_visit::ActiveModel {
        id: Set(Uuid::now_v7()),
        fair_id: Set(booth.fair_id),
        booth_id: Set(booth.id),
        seeker_id: Set(registration.seeker_id),
        registration_id: Set(registration.id),
        scanned_at: Set(Some(now)),
        outcome: Set(None),
        posting_id: Set(None),
        outcome_at: Set(None),
        recorded_by: Set(None),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            fair_booth_visit::Column::BoothId,
            fair_booth_visit::Column::SeekerId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 1 {
        return Ok((true, now));
    }
    // The merchant may have recorded an outcome before scanning.
    let marked = fair_booth_visit::Entity::update_many()
        .col_expr(fair_booth_visit::Column::ScannedAt, Expr::value(now))
        .filter(fair_booth_visit::Column::BoothId.eq(booth.id))
        .filter(fair_booth_visit::Column::SeekerId.eq(registration.seeker_id))
        .filter(fair_booth_visit::Column::ScannedAt.is_null())
        .exec(db)
        .await?;
    if marked.rows_affected == 1 {
        return Ok((true, now));
    }
    let first_at = fair_booth_visit::Entity::find()
        .filter(fair_booth_visit::Column::BoothId.eq(booth.id))
        .filter(fair_booth_visit::Column::SeekerId.eq(registration.seeker_id))
        .one(db)
        .await?
        .and_then(|v| v.scanned_at)
        .unwrap_or(now);
    Ok((false, first_at))
}
