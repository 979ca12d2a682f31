//! Officer console sessions: a random cookie value, kept only as its SHA-256, ended by
//! signing out, by the idle timeout, and by anything that revokes the account's tokens
//! (a password change, a role change, disabling), exactly as bearer tokens are.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::DomainError;
use crate::auth::Principal;
use crate::entities::{account, console_session};
use crate::time;
use crate::types::Role;

/// Who may sign in to the console.
pub const CONSOLE_ROLES: [Role; 2] = [Role::Officer, Role::Admin];

/// A session's last-seen time is written at most this often, so reading pages does not
/// turn every request into a write; the idle timeout is counted from it.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// What the browser is given when an officer signs in.
#[derive(Debug, Clone)]
pub struct Started {
    /// The cookie's value (the only copy; the database keeps its hash).
    pub cookie: String,
    pub csrf_token: String,
}

/// A session that stands: who it is for and the token its forms must carry.
#[derive(Debug, Clone)]
pub struct Current {
    pub principal: Principal,
    pub csrf_token: String,
    pub name: String,
}

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn hash(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts a console session for an account that has just proved its password. Only
/// officers and admins have a console.
pub async fn start<C: ConnectionTrait>(
    db: &C,
    account: &account::Model,
) -> Result<Started, DomainError> {
    if !CONSOLE_ROLES.contains(&account.role) {
        return Err(DomainError::forbidden(
            "the console is for officer and admin accounts",
        ));
    }
    let cookie = random_token();
    let csrf_token = random_token();
    let now = time::now();
    console_session::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(hash(&cookie)),
        account_id: Set(account.id),
        token_version: Set(account.token_version),
        csrf_token: Set(csrf_token.clone()),
        created_at: Set(now),
        last_seen_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(Started { cookie, csrf_token })
}

/// The session behind a cookie, if it still stands: not idle longer than `idle`, its
/// account enabled, with the same role and token version as when it signed in. A session
/// found idle or revoked is deleted.
pub async fn current<C: ConnectionTrait>(
    db: &C,
    cookie: &str,
    idle: Duration,
) -> Result<Option<Current>, DomainError> {
    let found = console_session::Entity::find()
        .filter(console_session::Column::TokenHash.eq(hash(cookie)))
        .find_also_related(account::Entity)
        .one(db)
        .await?;
    let Some((session, Some(account))) = found else {
        return Ok(None);
    };
    let now = time::now();
    let stands = now - session.last_seen_at <= idle
        && account.disabled_at.is_none()
        && account.token_version == session.token_version
        && CONSOLE_ROLES.contains(&account.role);
    if !stands {
        console_session::Entity::delete_by_id(session.id)
            .exec(db)
            .await?;
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_EVERY {
        console_session::Entity::update_many()
            .col_expr(console_session::Column::LastSeenAt, Expr::value(now))
            .filter(console_session::Column::Id.eq(session.id))
            .exec(db)
            .await?;
    }
    Ok(Some(Current {
        principal: Principal {
            account_id: account.id,
            role: account.role,
        },
        csrf_token: session.csrf_token,
        name: account.display_name,
    }))
}

/// Ends the session behind a cookie; an unknown cookie is ignored.
pub async fn end<C: ConnectionTrait>(db: &C, cookie: &str) -> Result<(), DomainError> {
    console_session::Entity::delete_many()
        .filter(console_session::Column::TokenHash.eq(hash(cookie)))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes sessions idle since before `before` (run by retention).
pub async fn delete_idle<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
) -> Result<u64, DomainError> {
    Ok(console_session::Entity::delete_many()
        .filter(console_session::Column::LastSeenAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}

/// Compares two tokens in time independent of where they differ.
pub fn tokens_match(expected: &str, presented: &str) -> bool {
    let (a, b) = (expected.as_bytes(), presented.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        let t = random_token();
        assert!(tokens_match(&t, &t.clone()));
        assert!(!tokens_match(&t, &t[..t.len() - 1]));
        assert!(!tokens_match(&t, &random_token()));
        assert!(!tokens_match(&t, ""));
    }

    #[test]
    fn cookies_are_stored_hashed() {
        let t = random_token();
        assert_eq!(t.len(), 43);
        assert_eq!(hash(&t).len(), 64);
        assert_ne!(hash(&t), t);
    }
}
