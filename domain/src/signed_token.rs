//! Signed, purpose-tagged, expiring tokens small enough for a QR code, verifiable offline by
//! any device that holds the key.
//!
//! Format (four fields separated by dots, all ASCII):
//!
//! ```text
//! v1.<purpose>.<payload>.<signature>
//! ```
//!
//! - `v1`: the format version.
//! - `purpose`: what the token is for, 1 to 32 of `a-z`, `0-9` and `-` (e.g. `fair-checkin`).
//!   A token made for one purpose is refused for any other, even under the same key.
//! - `payload`: base64url without padding of a compact JSON object: `exp` (expiry, Unix
//!   seconds, UTC) and the purpose's own fields (a fair check-in token: `fair` and `reg`,
//!   the fair's and the registration's ids).
//! - `signature`: base64url without padding of HMAC-SHA256 under the key, over the ASCII
//!   bytes `v1.<purpose>.<payload>` (everything before the last dot).
//!
//! To verify: split on dots into exactly four fields; check the version and purpose;
//! recompute the HMAC and compare in constant time; only then decode the payload and refuse
//! it if `exp` is not after now. Keys are 32 random bytes, one per context that must not
//! accept another's tokens (one per job fair), so a token signed for another context fails
//! the signature check.

use crate::ErrorCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

const VERSION: &str = "v1";
/// Longest token accepted (QR codes of booth scanners hold far less).
const MAX_LEN: usize = 1024;

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("not a token in the v1 format")]
    Malformed,
    #[error("the token was made for another purpose")]
    WrongPurpose,
    #[error("the signature does not match: altered, or signed with another key")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
}

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    exp: i64,
    #[serde(flatten)]
    claims: T,
}

/// A new random key (32 bytes) in base64url, as stored.
pub fn new_key() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    URL_SAFE_NO_PAD.encode(key)
}

/// The raw bytes of a stored key.
pub fn key_bytes(stored: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(stored)
        .unwrap_or_else(|_| stored.as_bytes().to_vec())
}

fn valid_purpose(purpose: &str) -> bool {
    (1..=32).contains(&purpose.len())
        && purpose
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn mac(key: &[u8], signed: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(signed.as_bytes());
    mac
}

/// Signs `claims` for `purpose` until `expires_at`.
///
/// # Panics
/// If `purpose` is not 1 to 32 of `a-z0-9-` (purposes are constants of the code).
pub fn sign<T: Serialize>(
    key: &[u8],
    purpose: &str,
    claims: &T,
    expires_at: DateTime<Utc>,
) -> String {
    assert!(valid_purpose(purpose), "invalid token purpose {purpose:?}");
    let payload = serde_json::to_vec(&Envelope {
        exp: expires_at.timestamp(),
        claims,
    })
    .expect("claims serialise");
    let signed = format!("{VERSION}.{purpose}.{}", URL_SAFE_NO_PAD.encode(payload));
    let signature = URL_SAFE_NO_PAD.encode(mac(key, &signed).finalize().into_bytes());
    format!("{signed}.{signature}")
}

/// The fields of a token, split and checked for shape only.
fn split(token: &str) -> Result<(&str, &str, &str, &str), TokenError> {
    if token.len() > MAX_LEN || !token.is_ascii() {
        return Err(TokenError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(version), Some(purpose), Some(payload), Some(signature), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(TokenError::Malformed);
    };
    if version != VERSION || !valid_purpose(purpose) || payload.is_empty() {
        return Err(TokenError::Malformed);
    }
    Ok((version, purpose, payload, signature))
}

fn decode<T: DeserializeOwned>(payload: &str) -> Result<Envelope<T>, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)
}

/// The claims of a genuine, unexpired token for `purpose` under `key`.
pub fn verify<T: DeserializeOwned>(
    key: &[u8],
    purpose: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<T, TokenError> {
    let (version, found, payload, signature) = split(token.trim())?;
    if found != purpose {
        return Err(TokenError::WrongPurpose);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| TokenError::BadSignature)?;
    mac(key, &format!("{version}.{found}.{payload}"))
        .verify_slice(&signature)
        .map_err(|_| TokenError::BadSignature)?;
    let envelope: Envelope<T> = decode(payload)?;
    if envelope.exp <= now.timestamp() {
        return Err(TokenError::Expired);
    }
    Ok(envelope.claims)
}

/// The claims of a token *without* checking its signature or expiry: only to explain a
/// refusal (e.g. that a token names another fair), never to trust it.
pub fn peek<T: DeserializeOwned>(token: &str) -> Result<T, TokenError> {
    let (_, _, payload, _) = split(token.trim())?;
    Ok(decode::<T>(payload)?.claims)
}

/// Reads a token of `purpose` for one context (a fair, a training session: the key's
/// owner), with the stable refusal codes every check-in reports: `token_foreign` (genuine
/// shape, but for another `what`), `token_tampered`, `token_expired`,
/// `token_wrong_purpose`, `token_malformed`. `is_ours` says whether genuine claims name this
/// context.
pub fn check<T: DeserializeOwned>(
    key: &[u8],
    purpose: &str,
    token: &str,
    now: DateTime<Utc>,
    what: &str,
    is_ours: impl Fn(&T) -> bool,
) -> Result<T, crate::Invalid> {
    use crate::Invalid;
    let foreign = || {
        Invalid::new(
            ErrorCode::TokenForeign,
            format!("this token is for another {what}"),
        )
    };
    match verify::<T>(key, purpose, token, now) {
        Ok(claims) if is_ours(&claims) => Ok(claims),
        Ok(_) => Err(foreign()),
        // Under another context's key the signature fails; the unverified claims only
        // explain the refusal.
        Err(TokenError::BadSignature) => match peek::<T>(token) {
            Ok(claims) if !is_ours(&claims) => Err(foreign()),
            _ => Err(Invalid::new(
                ErrorCode::TokenTampered,
                "this token's signature does not match: it was altered",
            )),
        },
        Err(TokenError::Expired) => Err(Invalid::new(
            ErrorCode::TokenExpired,
            "this token has expired",
        )),
        Err(TokenError::WrongPurpose) => Err(Invalid::new(
            ErrorCode::TokenWrongPurpose,
            format!("this is not a {what} check-in token"),
        )),
        Err(TokenError::Malformed) => Err(Invalid::new(
            ErrorCode::TokenMalformed,
            "this is not a Doorstep token",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Claims {
        fair: String,
        reg: String,
    }

    fn claims() -> Claims {
        Claims {
            fair: "f1".into(),
            reg: "r1".into(),
        }
    }

    #[test]
    fn round_trips_until_expiry() {
        let key = key_bytes(&new_key());
        let now = Utc::now();
        let token = sign(&key, "fair-checkin", &claims(), now + Duration::hours(2));
        assert!(token.starts_with("v1.fair-checkin."));
        assert_eq!(token.split('.').count(), 4);
        assert_eq!(
            verify::<Claims>(&key, "fair-checkin", &token, now),
            Ok(claims())
        );
        assert_eq!(
            verify::<Claims>(&key, "fair-checkin", &token, now + Duration::hours(2)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn refuses_other_keys_purposes_and_edits() {
        let key = key_bytes(&new_key());
        let other = key_bytes(&new_key());
        let now = Utc::now();
        let token = sign(&key, "fair-checkin", &claims(), now + Duration::hours(1));
        assert_eq!(
            verify::<Claims>(&other, "fair-checkin", &token, now),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            verify::<Claims>(&key, "training-attendance", &token, now),
            Err(TokenError::WrongPurpose)
        );
        // A payload naming another registration, with the old signature.
        let parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(
            serde_json::json!({"exp": (now + Duration::hours(1)).timestamp(), "fair": "f1", "reg": "r2"})
                .to_string(),
        );
        let tampered = format!("v1.fair-checkin.{forged}.{}", parts[3]);
        assert_eq!(
            verify::<Claims>(&key, "fair-checkin", &tampered, now),
            Err(TokenError::BadSignature)
        );
        // The purpose is signed too: relabelling breaks the signature.
        let relabelled = token.replacen("fair-checkin", "fair-checkout", 1);
        assert_eq!(
            verify::<Claims>(&key, "fair-checkout", &relabelled, now),
            Err(TokenError::BadSignature)
        );
        assert_eq!(peek::<Claims>(&tampered).unwrap().reg, "r2");
    }

    #[test]
    fn refuses_malformed_tokens() {
        let key = key_bytes(&new_key());
        let now = Utc::now();
        for bad in [
            "",
            "v1",
            "v1.fair-checkin.abc",
            "v2.fair-checkin.abc.def",
            "v1.Fair.abc.def",
            "v1.fair-checkin.abc.def.ghi",
            "v1.fair-checkin..def",
            "v1.fair-checkin.签名.def",
        ] {
            assert_eq!(
                verify::<Claims>(&key, "fair-checkin", bad, now),
                Err(TokenError::Malformed),
                "{bad:?}"
            );
        }
        let long = format!("v1.fair-checkin.{}.x", "a".repeat(2000));
        assert_eq!(
            verify::<Claims>(&key, "fair-checkin", &long, now),
            Err(TokenError::Malformed)
        );
        // A correctly signed payload that is not the claims' shape.
        let signed = format!("v1.fair-checkin.{}", URL_SAFE_NO_PAD.encode("[1,2]"));
        let sig = URL_SAFE_NO_PAD.encode(mac(&key, &signed).finalize().into_bytes());
        assert_eq!(
            verify::<Claims>(&key, "fair-checkin", &format!("{signed}.{sig}"), now),
            Err(TokenError::Malformed)
        );
    }
}
