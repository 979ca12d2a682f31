//! Password hashing with Argon2id at the OWASP-recommended cost (19 MiB, 2 passes, 1 lane).
//! Hashing takes tens of milliseconds of CPU, so it runs on the blocking pool, never on the
//! async executor.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::DomainError;
use crate::types::NewPassword;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a password nobody has: verifying against it when the account does not exist
/// makes a failed login cost the same time either way, so timing tells nothing.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("doorstep-dummy-password").expect("hashing works"));

fn hash_blocking(password: &str) -> Result<String, DomainError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| DomainError::Internal(format!("password hashing failed: {err}")))
}

fn verify_blocking(hash: &str, candidate: &str) -> bool {
    match PasswordHash::new(hash) {
        // Parameters come from the stored hash, so older hashes keep verifying after a
        // cost change.
        Ok(parsed) => hasher()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

pub async fn hash(password: NewPassword) -> Result<String, DomainError> {
    tokio::task::spawn_blocking(move || hash_blocking(password.expose()))
        .await
        .map_err(|err| DomainError::Internal(format!("hashing task failed: {err}")))?
}

/// Checks `candidate` against `hash`; with no hash (no such account) it does the same work
/// against a dummy hash and answers `false`.
pub async fn verify(hash: Option<String>, candidate: String) -> Result<bool, DomainError> {
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_blocking(&hash, &candidate),
        None => {
            verify_blocking(&DUMMY_HASH, &candidate);
            false
        }
    })
    .await
    .map_err(|err| DomainError::Internal(format!("verification task failed: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id() {
        let password = NewPassword::parse("收银员周末班2026", "").unwrap();
        let hash = hash(password).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            verify(Some(hash.clone()), "收银员周末班2026".into())
                .await
                .unwrap()
        );
        assert!(!verify(Some(hash), "收银员周末班2025".into()).await.unwrap());
        assert!(!verify(None, "anything".into()).await.unwrap());
    }
}
