//! Sessions: an access token plus a rotating refresh token.
//!
//! A refresh token is 256 random bits, stored only as its SHA-256. Each use spends it and
//! issues the next one in the same family. Presenting a spent token means it was copied: the
//! whole family is revoked, so both the thief and the victim must log in again.

use crate::ErrorCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::tokens::{TokenError, TokenService};
use crate::entities::{account, refresh_token};
use crate::time;
use crate::types::Role;
use crate::{DomainError, accounts};

/// Who is calling, once their access token has been checked against the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    pub account_id: Uuid,
    pub role: Role,
}

/// What a client gets when it logs in or refreshes.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

fn new_refresh_value() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn hash_refresh_value(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn invalid_refresh() -> DomainError {
    DomainError::unauthenticated(
        ErrorCode::InvalidRefreshToken,
        "the refresh token is unknown, expired or revoked; log in again",
    )
}

async fn insert_refresh<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    family_id: Uuid,
    ttl: chrono::Duration,
) -> Result<(String, DateTime<Utc>), DomainError> {
    let value = new_refresh_value();
    let now = time::now();
    let expires_at = now + ttl;
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        family_id: Set(family_id),
        token_hash: Set(hash_refresh_value(&value)),
        issued_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((value, expires_at))
}

/// Starts a new session (a new refresh-token family) for an account that just logged in.
pub async fn start(
    db: &DatabaseConnection,
    tokens: &TokenService,
    refresh_ttl: chrono::Duration,
    account: &account::Model,
) -> Result<Session, DomainError> {
    let (refresh_token, refresh_expires_at) =
        insert_refresh(db, account.id, Uuid::now_v7(), refresh_ttl).await?;
    let access = tokens.issue(account.id, account.role, account.token_version);
    Ok(Session {
        access_token: access.token,
        access_expires_at: access.expires_at,
        refresh_token,
        refresh_expires_at,
    })
}

/// Revokes every live token of a family.
async fn revoke_family<C: ConnectionTrait>(db: &C, family_id: Uuid) -> Result<(), DomainError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(time::now()))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every refresh token of an account (when it is disabled).
pub async fn revoke_all_for_account<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
) -> Result<(), DomainError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(time::now()))
        .filter(refresh_token::Column::AccountId.eq(account_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Spends `presented` and returns the next session of its family, with its account.
pub async fn refresh(
    db: &DatabaseConnection,
    tokens: &TokenService,
    refresh_ttl: chrono::Duration,
    presented: &str,
) -> Result<(Session, account::Model), DomainError> {
    let hash = hash_refresh_value(presented);
    let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(db)
        .await?
    else {
        return Err(invalid_refresh());
    };
    if row.revoked_at.is_some() || row.expires_at <= time::now() {
        return Err(invalid_refresh());
    }
    let reused = || async {
        tracing::warn!(family = %row.family_id, account = %row.account_id,
            "spent refresh token presented again; revoking its family");
        revoke_family(db, row.family_id).await?;
        Err(DomainError::unauthenticated(
            ErrorCode::RefreshTokenReused,
            "this refresh token was already used; every session of this login is revoked",
        ))
    };
    if row.used_at.is_some() {
        return reused().await;
    }

    let txn = crate::db::begin_write(db).await?;
    // Spend the token only if nobody spent it since we read it: of two concurrent refreshes
    // with the same token, exactly one wins and the other counts as reuse.
    let spent = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(time::now()))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if spent.rows_affected != 1 {
        txn.rollback().await?;
        return reused().await;
    }
    let account = accounts::find(&txn, row.account_id).await?;
    if account.disabled_at.is_some() {
        txn.rollback().await?;
        return Err(DomainError::AccountDisabled);
    }
    let (refresh_token, refresh_expires_at) =
        insert_refresh(&txn, account.id, row.family_id, refresh_ttl).await?;
    txn.commit().await?;

    let access = tokens.issue(account.id, account.role, account.token_version);
    let session = Session {
        access_token: access.token,
        access_expires_at: access.expires_at,
        refresh_token,
        refresh_expires_at,
    };
    Ok((session, account))
}

/// Ends the session `presented` belongs to. Unknown tokens are ignored: logging out twice
/// is not an error.
pub async fn logout(db: &DatabaseConnection, presented: &str) -> Result<(), DomainError> {
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash_refresh_value(presented)))
        .one(db)
        .await?;
    if let Some(row) = row {
        revoke_family(db, row.family_id).await?;
    }
    Ok(())
}

/// Checks an access token and that its account still stands as the token says: not
/// disabled, same token version (so a demotion or disabling takes effect at once).
pub async fn authorize(
    db: &DatabaseConnection,
    tokens: &TokenService,
    bearer: &str,
) -> Result<Principal, DomainError> {
    let claims = tokens.verify(bearer).map_err(|err| match err {
        TokenError::Expired => {
            DomainError::unauthenticated(ErrorCode::TokenExpired, err.to_string())
        }
        TokenError::NotYetValid => {
            DomainError::unauthenticated(ErrorCode::TokenNotYetValid, err.to_string())
        }
        TokenError::UnknownKey | TokenError::Invalid(_) => {
            DomainError::unauthenticated(ErrorCode::InvalidToken, err.to_string())
        }
    })?;
    let account = account::Entity::find_by_id(claims.sub)
        .one(db)
        .await?
        .ok_or_else(|| {
            DomainError::unauthenticated(ErrorCode::InvalidToken, "the account is gone")
        })?;
    if account.disabled_at.is_some() {
        return Err(DomainError::AccountDisabled);
    }
    if account.token_version != claims.ver || account.role != claims.role {
        return Err(DomainError::unauthenticated(
            ErrorCode::TokenRevoked,
            "the account changed since this token was issued; refresh or log in again",
        ));
    }
    Ok(Principal {
        account_id: account.id,
        role: account.role,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_values_are_random_and_hashed() {
        let (a, b) = (new_refresh_value(), new_refresh_value());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_refresh_value(&a).len(), 64);
        assert_ne!(hash_refresh_value(&a), hash_refresh_value(&b));
    }
}
