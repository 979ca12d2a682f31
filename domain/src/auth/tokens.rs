//! Access tokens: short-lived JWTs signed with HS256.
//!
//! Keys are named (`kid`) and held in a server-side [`KeySet`]: new tokens are signed with the
//! active key, and any key still in the set verifies. Rotation is: add the new key as active,
//! keep the old one for one access-token lifetime, then drop it. The algorithm is pinned, so a
//! token claiming `alg: none` or an asymmetric algorithm is refused before its signature is
//! looked at. `iss`, `aud`, `exp`, `nbf` and `sub` are all required and checked.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::types::Role;

/// The shortest secret we accept: 256 bits, the size of the HS256 output.
pub const MIN_SECRET_BYTES: usize = 32;

/// Clock skew tolerated between instances, for `exp` and `nbf`.
const LEEWAY_SECS: u64 = 30;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token was signed with an unknown key")]
    UnknownKey,
    #[error("the token is invalid: {0}")]
    Invalid(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeySetError {
    #[error("no signing keys configured")]
    Empty,
    #[error("signing key {0:?} is shorter than {MIN_SECRET_BYTES} bytes")]
    TooShort(String),
    #[error("signing key id {0:?} appears twice")]
    Duplicate(String),
    #[error("signing key id {0:?} is empty or has characters other than A-Z a-z 0-9 - _ .")]
    BadKid(String),
}

struct Key {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

/// Named HMAC keys; the first one signs.
pub struct KeySet {
    active: String,
    keys: HashMap<String, Key>,
}

impl KeySet {
    /// `keys` in order of preference: the first signs new tokens, all verify.
    pub fn new(keys: Vec<(String, Vec<u8>)>) -> Result<Self, KeySetError> {
        let active = keys.first().ok_or(KeySetError::Empty)?.0.clone();
        let mut map = HashMap::new();
        for (kid, secret) in keys {
            let kid_ok = !kid.is_empty()
                && kid
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !kid_ok {
                return Err(KeySetError::BadKid(kid));
            }
            if secret.len() < MIN_SECRET_BYTES {
                return Err(KeySetError::TooShort(kid));
            }
            let key = Key {
                encoding: EncodingKey::from_secret(&secret),
                decoding: DecodingKey::from_secret(&secret),
            };
            if map.insert(kid.clone(), key).is_some() {
                return Err(KeySetError::Duplicate(kid));
            }
        }
        Ok(Self { active, keys: map })
    }

    pub fn active_kid(&self) -> &str {
        &self.active
    }
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kids: Vec<&String> = self.keys.keys().collect();
        kids.sort();
        f.debug_struct("KeySet")
            .field("active", &self.active)
            .field("kids", &kids)
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
    pub access_ttl: Duration,
}

/// The claims of a Doorstep access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    /// The account id.
    pub sub: Uuid,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: Uuid,
    pub role: Role,
    /// The account's token version when this token was issued.
    pub ver: i32,
}

/// An access token and when it stops working.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug)]
pub struct TokenService {
    keys: KeySet,
    settings: TokenSettings,
    validation: Validation,
}

impl TokenService {
    pub fn new(keys: KeySet, settings: TokenSettings) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        Self {
            keys,
            settings,
            validation,
        }
    }

    pub fn settings(&self) -> &TokenSettings {
        &self.settings
    }

    pub fn issue(&self, account_id: Uuid, role: Role, version: i32) -> IssuedToken {
        let now = Utc::now();
        let expires_at = now
            + chrono::Duration::from_std(self.settings.access_ttl)
                .unwrap_or(chrono::Duration::minutes(15));
        let claims = AccessClaims {
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            sub: account_id,
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: expires_at.timestamp(),
            jti: Uuid::new_v4(),
            role,
            ver: version,
        };
        IssuedToken {
            token: self.sign(&claims),
            expires_at,
        }
    }

    /// Signs arbitrary claims with the active key.
    pub fn sign<C: Serialize>(&self, claims: &C) -> String {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.keys.active.clone());
        let key = &self.keys.keys[&self.keys.active].encoding;
        jsonwebtoken::encode(&header, claims, key).expect("HS256 signing cannot fail")
    }

    pub fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|err| TokenError::Invalid(err.to_string()))?;
        if header.alg != Algorithm::HS256 {
            return Err(TokenError::Invalid(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        }
        let kid = header
            .kid
            .ok_or_else(|| TokenError::Invalid("the token names no key (kid)".into()))?;
        let key = self.keys.keys.get(&kid).ok_or(TokenError::UnknownKey)?;
        jsonwebtoken::decode::<AccessClaims>(token, &key.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|err| match err.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                _ => TokenError::Invalid(err.to_string()),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(keys: Vec<(&str, &str)>) -> TokenService {
        let keys = keys
            .into_iter()
            .map(|(kid, secret)| (kid.to_owned(), secret.as_bytes().to_vec()))
            .collect();
        TokenService::new(
            KeySet::new(keys).unwrap(),
            TokenSettings {
                issuer: "doorstep".into(),
                audience: "doorstep-api".into(),
                access_ttl: Duration::from_secs(900),
            },
        )
    }

    const SECRET_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const SECRET_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    #[test]
    fn issued_tokens_verify() {
        let tokens = service(vec![("k1", SECRET_A)]);
        let id = Uuid::now_v7();
        let issued = tokens.issue(id, Role::Seeker, 3);
        let claims = tokens.verify(&issued.token).unwrap();
        assert_eq!((claims.sub, claims.role, claims.ver), (id, Role::Seeker, 3));
    }

    #[test]
    fn rotation_keeps_old_tokens_valid_until_the_old_key_is_dropped() {
        let old = service(vec![("k1", SECRET_A)]);
        let token = old.issue(Uuid::now_v7(), Role::Merchant, 0).token;
        let overlap = service(vec![("k2", SECRET_B), ("k1", SECRET_A)]);
        assert!(overlap.verify(&token).is_ok());
        let after = service(vec![("k2", SECRET_B)]);
        assert_eq!(after.verify(&token).unwrap_err(), TokenError::UnknownKey);
    }

    #[test]
    fn key_sets_refuse_short_or_duplicate_keys() {
        let short = KeySet::new(vec![("k".into(), b"short".to_vec())]);
        assert_eq!(short.unwrap_err(), KeySetError::TooShort("k".into()));
        let dup = KeySet::new(vec![
            ("k".into(), SECRET_A.as_bytes().to_vec()),
            ("k".into(), SECRET_B.as_bytes().to_vec()),
        ]);
        assert_eq!(dup.unwrap_err(), KeySetError::Duplicate("k".into()));
        assert_eq!(KeySet::new(vec![]).unwrap_err(), KeySetError::Empty);
    }
}
