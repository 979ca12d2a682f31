//! Real names (实名认证): a seeker or merchant proves who they are with their name and
//! 18-digit resident ID number (居民身份证号).
//!
//! The number is checked here first (format, a real birth date, the GB 11643-1999 check
//! digit), then, when one is configured, by a verification provider ([`IdentityProvider`],
//! an HTTP service in `doorstep_matcher::identity`). Without a provider the local checks are
//! the only ones, and the record says so (`method = "local"`).
//!
//! The number itself is never stored or shown in the clear: it is encrypted under a key from
//! configuration ([`IdentityKeys`], rotatable: the first key encrypts, all decrypt, each
//! ciphertext names its key, [`rekey`] moves old rows to the first key), kept as a keyed
//! hash so one number verifies one account, and shown masked (前6后4). Its [`IdNumber`]
//! type prints masked, so a stray `{:?}` cannot log it.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{Datelike, NaiveDate};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::{business, identity_verification};
use crate::types::{Role, bounded};
use crate::{DomainError, ErrorCode, Invalid, ValidationErrors, audit, time};

// ---------------------------------------------------------------------------------------
// Resident ID numbers (GB 11643-1999)

/// The weights of the first 17 digits (ISO 7064 MOD 11-2).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder of the weighted sum mod 11.
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
/// The province codes (first two digits) in use: 11–15, 21–23, 31–37, 41–46, 50–54,
/// 61–65, and 71 (Taiwan), 81/82 (Hong Kong, Macao residence permits), 83 (Taiwan permits).
const PROVINCES: [u32; 37] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91, 99,
];

/// The check character of the first 17 digits of an ID number.
pub fn id_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(ID_CHECK[(sum % 11) as usize])
}

/// The first 17 digits of an ID number with their check character appended (fixtures and
/// generated data).
pub fn id_complete(first17: &str) -> Option<String> {
    id_check_char(first17).map(|c| format!("{first17}{c}"))
}

/// A checked resident ID number. `Debug` and `Display` print it masked.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl IdNumber {
    /// Checks `raw` as a resident ID number of someone alive on `today`: 17 digits and a
    /// check character (`X` for 10, either case), a known province, a real birth date
    /// between 1900 and today (at most 120 years ago), and the GB 11643 check digit.
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, Invalid> {
        let bad = |why: &str| Invalid::new(ErrorCode::InvalidIdNumber, why.to_owned());
        let number = raw.trim().to_ascii_uppercase();
        let well_formed = number.len() == 18
            && number.bytes().take(17).all(|b| b.is_ascii_digit())
            && number
                .as_bytes()
                .get(17)
                .is_some_and(|b| b.is_ascii_digit() || *b == b'X');
        if !well_formed {
            return Err(bad("expected 17 digits and a check digit or X"));
        }
        let province: u32 = number[0..2].parse().unwrap_or(0);
        if !PROVINCES[..35].contains(&province) {
            return Err(bad("the first two digits are not a province code"));
        }
        let birth = NaiveDate::parse_from_str(&number[6..14], "%Y%m%d")
            .map_err(|_| bad("digits 7 to 14 are not a real birth date"))?;
        if birth > today || birth.year() < 1900 || today.year() - birth.year() > 120 {
            return Err(bad("the birth date is not plausible"));
        }
        if id_check_char(&number[..17]) != number.chars().nth(17) {
            return Err(bad("the check digit does not match; a digit is mistyped"));
        }
        Ok(Self(number))
    }

    /// The number, for encrypting, hashing and the provider only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// 前6后4: the region code and the last four characters, the rest starred.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Masks an 18-character ID number to its first 6 and last 4 characters.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

// ---------------------------------------------------------------------------------------
// Unified social credit codes (GB 32100-2015)

/// The 31 characters of a unified social credit code (no I, O, S, V, Z).
const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The check character of the first 17 characters of a unified social credit code, or
/// `None` when one of them is not in the code's alphabet.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.chars().zip(USCC_WEIGHTS) {
        sum += USCC_ALPHABET.find(c)? as u32 * w;
    }
    let check = (31 - sum % 31) % 31;
    USCC_ALPHABET.chars().nth(check as usize)
}

/// The first 17 characters of a code with their check character appended (fixtures and
/// generated data).
pub fn uscc_complete(first17: &str) -> Option<String> {
    uscc_check_char(first17).map(|c| format!("{first17}{c}"))
}

/// Whether an 18-character code (upper case) has the right check character.
pub fn uscc_valid(code: &str) -> bool {
    code.len() == 18 && uscc_check_char(&code[..17]) == code.chars().nth(17)
}

// ---------------------------------------------------------------------------------------
// Keys

/// The keys ID numbers are encrypted and hashed under. The first encryption key encrypts;
/// every key decrypts the rows that name it. The hash key never rotates (duplicates are
/// found by it), so it is configured apart.
#[derive(Clone)]
pub struct IdentityKeys {
    keys: Vec<(String, [u8; 32])>,
    hash_key: Vec<u8>,
}

impl fmt::Debug for IdentityKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityKeys")
            .field(
                "kids",
                &self.keys.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl IdentityKeys {
    /// Builds the key set from `kid:secret` pairs (first encrypts) and the hash secret.
    /// Secrets of at least 32 bytes; each is stretched to an AES-256 key by SHA-256.
    pub fn new(keys: Vec<(String, Vec<u8>)>, hash_secret: &[u8]) -> Result<Self, String> {
        if keys.is_empty() {
            return Err("no identity encryption keys".into());
        }
        if hash_secret.len() < 32 {
            return Err("the identity hash key must have at least 32 bytes".into());
        }
        let mut out = Vec::new();
        for (kid, secret) in keys {
            if kid.is_empty() || kid.len() > 64 {
                return Err("an identity key id has 1 to 64 characters".into());
            }
            if secret.len() < 32 {
                return Err(format!("identity key {kid}: at least 32 bytes"));
            }
            out.push((kid, Sha256::digest(&secret).into()));
        }
        Ok(Self {
            keys: out,
            hash_key: hash_secret.to_vec(),
        })
    }

    /// The id of the key that encrypts.
    pub fn active_kid(&self) -> &str {
        &self.keys[0].0
    }

    /// Encrypts under the first key: its id and base64 of nonce + ciphertext.
    pub fn encrypt(&self, plain: &str) -> Result<(String, String), DomainError> {
        let (kid, key) = &self.keys[0];
        let cipher = Aes256Gcm::new_from_slice(key)
            .map_err(|_| DomainError::internal("identity key of the wrong length"))?;
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(&Nonce::from(nonce), plain.as_bytes())
            .map_err(|_| DomainError::internal("encrypting an ID number"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok((kid.clone(), STANDARD.encode(out)))
    }

    /// Decrypts a ciphertext made under key `kid`.
    pub fn decrypt(&self, kid: &str, ciphertext: &str) -> Result<String, DomainError> {
        let key = self
            .keys
            .iter()
            .find(|(k, _)| k == kid)
            .map(|(_, key)| key)
            .ok_or_else(|| {
                DomainError::internal("an ID number is under a key no longer configured")
            })?;
        let raw = STANDARD
            .decode(ciphertext)
            .map_err(|_| DomainError::internal("a stored ID number is not base64"))?;
        if raw.len() < 12 {
            return Err(DomainError::internal("a stored ID number is too short"));
        }
        let cipher = Aes256Gcm::new_from_slice(key)
            .map_err(|_| DomainError::internal("identity key of the wrong length"))?;
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&raw[..12]);
        let plain = cipher
            .decrypt(&Nonce::from(nonce), &raw[12..])
            .map_err(|_| DomainError::internal("a stored ID number does not decrypt"))?;
        String::from_utf8(plain)
            .map_err(|_| DomainError::internal("a stored ID number is not text"))
    }

    /// The keyed hash (HMAC-SHA256, hex) duplicates are found by.
    pub fn hash(&self, number: &IdNumber) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.hash_key)
            .expect("HMAC takes keys of any length");
        mac.update(number.expose().as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// The verification provider

/// What a provider says about a name and an ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderAnswer {
    /// The number exists and belongs to the name.
    Match,
    /// The number exists under another name.
    Mismatch,
    /// No such number.
    NotFound,
}

/// The provider could not answer (timeout, a 5xx, a malformed answer, refused
/// credentials); the caller may retry. The text is for the log and never has the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderUnavailable(pub String);

pub type ProviderFuture<'a> =
    Pin<Box<dyn Future<Output = Result<ProviderAnswer, ProviderUnavailable>> + Send + 'a>>;

/// A service that checks a name against an ID number (二要素核验).
pub trait IdentityProvider: Send + Sync {
    fn check<'a>(&'a self, name: &'a str, number: &'a IdNumber) -> ProviderFuture<'a>;
    /// What this provider is, for the start-up log line.
    fn describe(&self) -> String;
}

// ---------------------------------------------------------------------------------------
// Verifying

/// A person's name and ID number, as they submit them. `Debug` masks the number.
#[derive(Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityInput {
    /// The name on the ID card, e.g. 王小明.
    pub full_name: String,
    /// The 18-character resident ID number (居民身份证号); the last may be `X`.
    #[serde(deserialize_with = "id_text")]
    pub id_number: String,
}

/// Reads the number as text only; anything else is refused without echoing the value (a
/// number sent as a JSON integer would otherwise be quoted back in the error).
fn id_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(text) => Ok(text),
        _ => Err(serde::de::Error::custom(
            "expected the ID number as a string",
        )),
    }
}

impl fmt::Debug for IdentityInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityInput")
            .field("full_name", &self.full_name)
            .field("id_number", &mask(self.id_number.trim()))
            .finish()
    }
}

/// Which check a verification passed.
pub const METHOD_LOCAL: &str = "local";
pub const METHOD_PROVIDER: &str = "provider";

/// Verifies the caller's real name: local checks, then the provider if there is one.
/// Seekers and merchants; once per account; one ID number per account. A merchant's
/// businesses then show a verified owner.
pub async fn verify<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    keys: &IdentityKeys,
    provider: Option<&dyn IdentityProvider>,
    actor: &Principal,
    input: IdentityInput,
) -> Result<identity_verification::Model, DomainError> {
    if !matches!(actor.role, Role::Seeker | Role::Merchant) {
        return Err(DomainError::forbidden(
            "seekers and merchants verify their real names",
        ));
    }
    let mut errors = ValidationErrors::new();
    let name = errors.check("full_name", real_name(&input.full_name));
    let number = errors.check(
        "id_number",
        IdNumber::parse(&input.id_number, time::today()),
    );
    let (Some(name), Some(number)) = (name, number) else {
        return Err(DomainError::Validation(errors));
    };
    if of_account(db, actor.account_id).await?.is_some() {
        return Err(DomainError::conflict(
            ErrorCode::IdentityAlreadyVerified,
            "this account's real name is already verified",
        ));
    }
    let hash = keys.hash(&number);
    let used = identity_verification::Entity::find()
        .filter(identity_verification::Column::IdHash.eq(hash.clone()))
        .one(db)
        .await?;
    if used.is_some() {
        return Err(already_used());
    }
    let method = match provider {
        None => METHOD_LOCAL,
        Some(provider) => {
            let answer = provider.check(&name, &number).await.map_err(|e| {
                tracing::warn!(provider = %provider.describe(), reason = %e.0,
                    "the identity provider did not answer");
                DomainError::Unavailable {
                    code: ErrorCode::IdentityProviderUnavailable,
                    detail: "the identity verification service is unavailable; try again shortly"
                        .into(),
                }
            })?;
            match answer {
                ProviderAnswer::Match => METHOD_PROVIDER,
                ProviderAnswer::Mismatch => {
                    return Err(field_error(
                        ErrorCode::IdentityMismatch,
                        "the name and the ID number do not belong together",
                    ));
                }
                ProviderAnswer::NotFound => {
                    return Err(field_error(
                        ErrorCode::IdentityNotFound,
                        "the verification service has no record of this ID number",
                    ));
                }
            }
        }
    };
    let (kid, ciphertext) = keys.encrypt(number.expose())?;
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    let inserted = identity_verification::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(actor.account_id),
        full_name: Set(name),
        id_ciphertext: Set(ciphertext),
        key_id: Set(kid),
        id_hash: Set(hash),
        id_masked: Set(number.masked()),
        method: Set(method.to_owned()),
        verified_at: Set(now),
    }
    .insert(&txn)
    .await;
    let row = match inserted {
        Ok(row) => row,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            // Two requests at once: same account (already verified) or same number.
            return Err(if of_account(&txn, actor.account_id).await?.is_some() {
                DomainError::conflict(
                    ErrorCode::IdentityAlreadyVerified,
                    "this account's real name is already verified",
                )
            } else {
                already_used()
            });
        }
        Err(err) => return Err(err.into()),
    };
    business::Entity::update_many()
        .col_expr(business::Column::OwnerVerified, Expr::value(true))
        .filter(business::Column::CreatedBy.eq(actor.account_id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        actor.account_id,
        Some(actor.account_id),
        "identity_verified",
        ("account", actor.account_id),
        &format!("method={method}"),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(account = %actor.account_id, method, "real name verified");
    Ok(row)
}

fn already_used() -> DomainError {
    DomainError::conflict(
        ErrorCode::IdentityAlreadyUsed,
        "this ID number already verified another account",
    )
}

fn field_error(code: ErrorCode, message: &str) -> DomainError {
    DomainError::Validation(ValidationErrors::single(
        "id_number",
        Invalid::new(code, message.to_owned()),
    ))
}

/// A name as on an ID card: 2 to 50 characters.
fn real_name(raw: &str) -> Result<String, Invalid> {
    bounded(raw, 2, 50)
}

/// The account's verification, if any.
pub async fn of_account<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
) -> Result<Option<identity_verification::Model>, DomainError> {
    Ok(identity_verification::Entity::find()
        .filter(identity_verification::Column::AccountId.eq(account))
        .one(db)
        .await?)
}

/// Which of `accounts` carry the real-name badge.
pub async fn verified_among<C: ConnectionTrait>(
    db: &C,
    accounts: impl IntoIterator<Item = Uuid>,
) -> Result<HashSet<Uuid>, DomainError> {
    let ids: Vec<Uuid> = accounts
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut found = HashSet::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<Uuid> = identity_verification::Entity::find()
            .select_only()
            .column(identity_verification::Column::AccountId)
            .filter(identity_verification::Column::AccountId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

/// Whether one account carries the badge.
pub async fn is_verified<C: ConnectionTrait>(db: &C, account: Uuid) -> Result<bool, DomainError> {
    Ok(of_account(db, account).await?.is_some())
}

/// Re-encrypts up to `batch` rows that are not under the first key; returns how many.
/// Call until it returns 0 after putting a new key first (`doorstep identity-rekey`).
pub async fn rekey<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    keys: &IdentityKeys,
    batch: u64,
) -> Result<usize, DomainError> {
    let rows = identity_verification::Entity::find()
        .filter(identity_verification::Column::KeyId.ne(keys.active_kid()))
        .order_by_asc(identity_verification::Column::Id)
        .limit(batch)
        .all(db)
        .await?;
    let mut done = 0;
    for row in rows {
        let plain = keys.decrypt(&row.key_id, &row.id_ciphertext)?;
        let (kid, ciphertext) = keys.encrypt(&plain)?;
        let old_kid = row.key_id.clone();
        let updated = identity_verification::Entity::update_many()
            .col_expr(identity_verification::Column::KeyId, Expr::value(kid))
            .col_expr(
                identity_verification::Column::IdCiphertext,
                Expr::value(ciphertext),
            )
            .filter(identity_verification::Column::Id.eq(row.id))
            .filter(identity_verification::Column::KeyId.eq(old_kid))
            .exec(db)
            .await?;
        done += updated.rows_affected as usize;
    }
    Ok(done)
}

/// Records already-checked identities in bulk (the demo's generated merchants): each
/// number is checked locally and stored as [`verify`] stores it, with `method = "local"`;
/// the accounts' businesses show a verified owner. Accounts already verified are skipped.
pub async fn seed_verified<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    keys: &IdentityKeys,
    people: &[(Uuid, String, String)],
) -> Result<usize, DomainError> {
    let today = time::today();
    let now = time::now();
    let mut done = 0;
    for chunk in people.chunks(200) {
        let txn = crate::db::begin_write(db).await?;
        let mut rows = Vec::new();
        for (account, name, raw) in chunk {
            let number = IdNumber::parse(raw, today)
                .map_err(|_| DomainError::internal("a seeded ID number is not valid"))?;
            let (kid, ciphertext) = keys.encrypt(number.expose())?;
            rows.push(identity_verification::ActiveModel {
                id: Set(Uuid::now_v7()),
                account_id: Set(*account),
                full_name: Set(name.clone()),
                id_ciphertext: Set(ciphertext),
                key_id: Set(kid),
                id_hash: Set(keys.hash(&number)),
                id_masked: Set(number.masked()),
                method: Set(METHOD_LOCAL.to_owned()),
                verified_at: Set(now),
            });
        }
        let accounts: Vec<Uuid> = chunk.iter().map(|(a, _, _)| *a).collect();
        done += identity_verification::Entity::insert_many(rows)
            .on_conflict(
                sea_orm::sea_query::OnConflict::new()
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await? as usize;
        business::Entity::update_many()
            .col_expr(business::Column::OwnerVerified, Expr::value(true))
            .filter(business::Column::CreatedBy.is_in(accounts))
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
    Ok(done)
}

/// Removes an account's identity record (account erasure): the badge goes with it.
pub async fn forget<C: ConnectionTrait>(db: &C, account: Uuid) -> Result<(), DomainError> {
    identity_verification::Entity::delete_many()
        .filter(identity_verification::Column::AccountId.eq(account))
        .exec(db)
        .await?;
    business::Entity::update_many()
        .col_expr(business::Column::OwnerVerified, Expr::value(false))
        .filter(business::Column::CreatedBy.eq(account))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests;
