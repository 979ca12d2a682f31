//! One-time codes sent to a phone number or e-mail address, so that an action on it
//! (sign-up, a password reset, a phone change) proves the caller can read what is sent
//! there.
//!
//! Asking for a code answers the same whether or not an account holds the destination:
//! what is *sent* differs (a code for a new sign-up; for a number that already has an
//! account, a note telling its owner someone tried; a reset code only to an account's own
//! number or address, nothing elsewhere), what is *answered* does not, and every path does
//! the same work in the database (one lookup, one row written with the same throttles).
//!
//! Codes are six digits, so they are guessable by volume: each is stored only as an
//! HMAC-SHA256 under a server-side key (a leaked table does not give codes away without
//! the key), expires, is spent by its first use, and dies after [`MAX_ATTEMPTS`] wrong
//! guesses. The throttles (one message per destination per `resend_after`, at most
//! `per_day` in 24 hours) live in the same row, so they hold across instances and
//! restarts. A new request replaces the previous code.

use crate::ErrorCode;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use crate::entities::auth_code;
use crate::types::LoginId;
use crate::{DomainError, Invalid, ValidationErrors, accounts, time};

/// Wrong codes accepted before a code is dead (the right one no longer works either).
pub const MAX_ATTEMPTS: i32 = 5;

/// What a code is for. Each purpose decides, from whether an account holds the
/// destination, what the person there receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Creating an account: a code for a destination no account holds; its owner is told
    /// of the attempt otherwise.
    Register,
    /// Setting a new password without the old one: a code for a destination an account
    /// holds; nothing at all is sent otherwise (the answer is the same).
    ResetPassword,
    /// Moving an account to a new phone number (or proving its own): a code to the number.
    /// A number another account holds is refused before a code is asked for
    /// (`accounts::request_phone_change` answers `phone_taken`), and again when the code is
    /// used, so the code goes out whoever holds the number now.
    ChangePhone,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::ResetPassword => "reset_password",
            Purpose::ChangePhone => "change_phone",
        }
    }

    /// What goes out when a code is asked for. Sign-up wants a destination no account
    /// holds, a password reset one an account holds; a phone change was cleared by its
    /// caller.
    fn message(self, account_exists: bool) -> Sending {
        match (self, account_exists) {
            (Purpose::Register, false) => Sending::Code,
            (Purpose::Register, true) => Sending::Notice(Notice::SignUpAttempt),
            (Purpose::ResetPassword, true) => Sending::Code,
            (Purpose::ResetPassword, false) => Sending::Nothing,
            (Purpose::ChangePhone, _) => Sending::Code,
        }
    }
}

enum Sending {
    Code,
    Notice(Notice),
    /// No message: nobody at the destination asked for anything we may tell them. The row
    /// is still written, so throttles and answers are those of a sent code.
    Nothing,
}

/// A message that carries no code, telling the owner of a destination about an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Someone asked to sign up with a number or address that already has an account.
    SignUpAttempt,
}

/// What the person at a destination receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Code {
        code: String,
        purpose: Purpose,
        valid_minutes: u32,
    },
    Notice(Notice),
}

/// A message and where it goes.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub to: LoginId,
    pub message: Message,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DeliveryFailed(pub String);

pub type DeliveryFuture<'a> = Pin<Box<dyn Future<Output = Result<(), DeliveryFailed>> + Send + 'a>>;

/// Delivers codes and notices: by SMS to a phone, by mail to an e-mail address. The
/// implementation (SMS provider or outbox folder, SMTP or `.eml` outbox) lives with the
/// other delivery code in `doorstep_matcher`.
pub trait Courier: Send + Sync {
    fn deliver<'a>(&'a self, outgoing: &'a Outgoing) -> DeliveryFuture<'a>;
}

/// The rules codes follow, from the settings.
#[derive(Clone)]
pub struct CodeRules {
    /// How long a code works.
    pub ttl: chrono::Duration,
    /// How long after a message another one to the same destination may be sent.
    pub resend_after: chrono::Duration,
    /// Messages per destination and purpose in 24 hours.
    pub per_day: u32,
    /// The HMAC key codes are stored under.
    pub key: Arc<[u8]>,
}

impl std::fmt::Debug for CodeRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeRules")
            .field("ttl", &self.ttl)
            .field("resend_after", &self.resend_after)
            .field("per_day", &self.per_day)
            .finish_non_exhaustive()
    }
}

/// A code as a client typed it: six ASCII digits (spaces around are ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

impl OneTimeCode {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let code = raw.trim();
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(code.to_owned()))
        } else {
            Err(Invalid::new(
                ErrorCode::InvalidCode,
                "the code is the six digits that were sent to you",
            ))
        }
    }
}

/// What a caller may tell the client after a request: the same for every destination.
#[derive(Debug, Clone, Copy)]
pub struct Receipt {
    pub expires_in_secs: i64,
    pub resend_after_secs: i64,
}

/// The key codes are stored under, derived from a server secret (the access-token signing
/// key), so every instance that shares the signing keys checks the same codes.
pub fn derive_key(secret: &[u8]) -> Arc<[u8]> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(b"doorstep one-time codes v1");
    Arc::from(&mac.finalize().into_bytes()[..])
}

/// The one answer to every failed code check.
pub fn invalid_code() -> DomainError {
    DomainError::Validation(ValidationErrors::single(
        "code",
        Invalid::new(
            ErrorCode::InvalidCode,
            "the code is wrong, expired or already used; ask for a new one",
        ),
    ))
}

/// How a code is stored: hex HMAC-SHA256 under `key` of the purpose, destination and code.
pub fn hash(key: &[u8], purpose: Purpose, destination: &str, code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    // The destination and purpose are bound in, so a code is worth nothing elsewhere.
    mac.update(purpose.as_str().as_bytes());
    mac.update(b"\0");
    mac.update(destination.as_bytes());
    mac.update(b"\0");
    mac.update(code.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

fn seconds(duration: chrono::Duration) -> u64 {
    u64::try_from(Ord::max(duration.num_seconds(), 1)).unwrap_or(1)
}

fn too_soon(retry_after: chrono::Duration) -> DomainError {
    DomainError::TooManyRequests {
        code: ErrorCode::CodeResendTooSoon,
        detail: "a code was sent to this destination moments ago; wait before asking again".into(),
        retry_after_secs: seconds(retry_after),
    }
}

async fn row_for<C: ConnectionTrait>(
    db: &C,
    destination: &str,
    purpose: Purpose,
) -> Result<Option<auth_code::Model>, DomainError> {
    Ok(auth_code::Entity::find()
        .filter(auth_code::Column::Destination.eq(destination))
        .filter(auth_code::Column::Purpose.eq(purpose.as_str()))
        .one(db)
        .await?)
}

/// The destination's row, created (holding no code) if it has none yet.
async fn row_or_new(
    db: &DatabaseConnection,
    destination: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<auth_code::Model, DomainError> {
    if let Some(row) = row_for(db, destination, purpose).await? {
        return Ok(row);
    }
    let row = auth_code::ActiveModel {
        id: Set(Uuid::now_v7()),
        destination: Set(destination.to_owned()),
        purpose: Set(purpose.as_str().to_owned()),
        code_hash: Set(None),
        attempts: Set(0),
        expires_at: Set(now),
        used_at: Set(None),
        last_sent_at: Set(None),
        window_started_at: Set(now),
        sends_in_window: Set(0),
        version: Set(0),
        created_at: Set(now),
    };
    // Two first requests at once: the unique index keeps one row, both then read it.
    auth_code::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([auth_code::Column::Destination, auth_code::Column::Purpose])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    row_for(db, destination, purpose)
        .await?
        .ok_or_else(|| DomainError::internal("the code row vanished after its insert"))
}

/// Sends a code for `purpose` to `to` (or, when the purpose says so, a notice without one)
/// and answers the same either way. Too soon after the last message, or past the daily
/// count, it answers `TooManyRequests` — also the same either way, since every destination
/// asked for has a row.
pub async fn request(
    db: &DatabaseConnection,
    rules: &CodeRules,
    courier: &dyn Courier,
    to: LoginId,
    purpose: Purpose,
) -> Result<Receipt, DomainError> {
    let exists = accounts::find_by_login(db, &to).await?.is_some();
    let destination = to.as_str().to_owned();
    let code = new_code();
    let code_hash = hash(&rules.key, purpose, &destination, &code);
    let now = time::now();
    let row = row_or_new(db, &destination, purpose, now).await?;

    if let Some(last) = row.last_sent_at
        && last + rules.resend_after > now
    {
        return Err(too_soon(last + rules.resend_after - now));
    }
    let day = chrono::Duration::hours(24);
    let (window_started_at, sends) = if row.window_started_at + day <= now {
        (now, 0)
    } else {
        (row.window_started_at, row.sends_in_window)
    };
    if sends >= i32::try_from(rules.per_day).unwrap_or(i32::MAX) {
        return Err(DomainError::TooManyRequests {
            code: ErrorCode::CodeDailyLimit,
            detail: "too many codes were sent to this destination today; try again tomorrow".into(),
            retry_after_secs: seconds(window_started_at + day - now),
        });
    }

    let send = purpose.message(exists);
    let stored_hash = match send {
        Sending::Code => Some(code_hash),
        Sending::Notice(_) | Sending::Nothing => None,
    };
    let version = row.version + 1;
    let claimed = auth_code::Entity::update_many()
        .col_expr(auth_code::Column::CodeHash, Expr::value(stored_hash))
        .col_expr(auth_code::Column::Attempts, Expr::value(0))
        .col_expr(auth_code::Column::ExpiresAt, Expr::value(now + rules.ttl))
        .col_expr(
            auth_code::Column::UsedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(auth_code::Column::LastSentAt, Expr::value(Some(now)))
        .col_expr(
            auth_code::Column::WindowStartedAt,
            Expr::value(window_started_at),
        )
        .col_expr(auth_code::Column::SendsInWindow, Expr::value(sends + 1))
        .col_expr(auth_code::Column::Version, Expr::value(version))
        .filter(auth_code::Column::Id.eq(row.id))
        .filter(auth_code::Column::Version.eq(row.version))
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        // Another request for this destination won the row a moment ago and is sending.
        return Err(too_soon(rules.resend_after));
    }

    let receipt = Receipt {
        expires_in_secs: rules.ttl.num_seconds(),
        resend_after_secs: rules.resend_after.num_seconds(),
    };
    let message = match send {
        Sending::Code => Message::Code {
            code,
            purpose,
            valid_minutes: u32::try_from(Ord::max(rules.ttl.num_minutes(), 1)).unwrap_or(u32::MAX),
        },
        Sending::Notice(notice) => Message::Notice(notice),
        Sending::Nothing => return Ok(receipt),
    };
    let outgoing = Outgoing { to, message };
    if let Err(err) = courier.deliver(&outgoing).await {
        tracing::warn!(purpose = purpose.as_str(), error = %err, "code delivery failed");
        // Nothing reached the person, so the resend wait should not hold them back; the
        // daily count still does, so failures cannot be turned into unlimited sends.
        auth_code::Entity::update_many()
            .col_expr(
                auth_code::Column::LastSentAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(auth_code::Column::Id.eq(row.id))
            .filter(auth_code::Column::Version.eq(version))
            .exec(db)
            .await?;
        return Err(DomainError::Unavailable {
            code: ErrorCode::DeliveryFailed,
            detail: "the message could not be sent; try again shortly".into(),
        });
    }
    Ok(receipt)
}

/// A code that matched when checked; [`spend`] makes it used.
#[derive(Debug, Clone)]
pub struct Checked {
    id: Uuid,
    code_hash: String,
}

/// Checks `code` for `to` and `purpose` without spending it. A wrong code counts against
/// the live one; every failure (no code asked for, wrong, expired, used, dead, or a
/// destination whose owner was sent a notice instead) is the same `invalid_code`.
pub async fn check<C: ConnectionTrait>(
    db: &C,
    rules: &CodeRules,
    to: &LoginId,
    purpose: Purpose,
    code: &OneTimeCode,
) -> Result<Checked, DomainError> {
    let destination = to.as_str();
    let code_hash = hash(&rules.key, purpose, destination, &code.0);
    let Some(row) = row_for(db, destination, purpose).await? else {
        return Err(invalid_code());
    };
    let now = time::now();
    let live = row.used_at.is_none() && row.attempts < MAX_ATTEMPTS && row.expires_at > now;
    if live && row.code_hash.as_deref() == Some(code_hash.as_str()) {
        return Ok(Checked {
            id: row.id,
            code_hash,
        });
    }
    if row.used_at.is_none() {
        auth_code::Entity::update_many()
            .col_expr(
                auth_code::Column::Attempts,
                Expr::col(auth_code::Column::Attempts).add(1),
            )
            .filter(auth_code::Column::Id.eq(row.id))
            .filter(auth_code::Column::UsedAt.is_null())
            .exec(db)
            .await?;
    }
    Err(invalid_code())
}

/// Spends a checked code, inside the caller's transaction; of two uses of one code only
/// the first gets through, the other gets `invalid_code`.
pub async fn spend<C: ConnectionTrait>(db: &C, checked: &Checked) -> Result<(), DomainError> {
    let now = time::now();
    let spent = auth_code::Entity::update_many()
        .col_expr(auth_code::Column::UsedAt, Expr::value(Some(now)))
        .filter(auth_code::Column::Id.eq(checked.id))
        .filter(auth_code::Column::CodeHash.eq(checked.code_hash.as_str()))
        .filter(auth_code::Column::UsedAt.is_null())
        .filter(auth_code::Column::Attempts.lt(MAX_ATTEMPTS))
        .filter(auth_code::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if spent.rows_affected == 1 {
        Ok(())
    } else {
        Err(invalid_code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let code = new_code();
            assert!(OneTimeCode::parse(&code).is_ok(), "{code}");
        }
        assert!(OneTimeCode::parse(" 012345 ").is_ok());
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert_eq!(OneTimeCode::parse(bad).unwrap_err().code, "invalid_code");
        }
    }

    #[test]
    fn hashes_bind_key_destination_and_purpose() {
        let a = hash(b"key-one", Purpose::Register, "13812345678", "123456");
        assert_eq!(a.len(), 64);
        assert_eq!(
            a,
            hash(b"key-one", Purpose::Register, "13812345678", "123456")
        );
        assert_ne!(
            a,
            hash(b"key-two", Purpose::Register, "13812345678", "123456")
        );
        assert_ne!(
            a,
            hash(b"key-one", Purpose::Register, "13812345679", "123456")
        );
        assert_ne!(
            a,
            hash(b"key-one", Purpose::Register, "13812345678", "123457")
        );
    }
}
