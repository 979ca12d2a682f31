//! The signed link that lets a department's handler act on one dispatched report without
//! an account: a [`crate::signed_token`] of purpose `report-handling` whose payload names
//! the report and the dispatch it was sent for (`{"exp", "report", "dispatch"}`), signed
//! with a random key kept with the report. A link is refused when it is altered or made
//! with another key (`invalid_token`), after its expiry (`token_expired`), or once the
//! report has been dispatched again (`token_revoked`: its dispatch number is no longer the
//! report's).

use crate::ErrorCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::DomainError;
use crate::signed_token::{self, TokenError};

pub const PURPOSE: &str = "report-handling";

/// What a link names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkClaims {
    pub report: Uuid,
    pub dispatch: i32,
}

/// Signs a link valid until `expires_at`.
pub fn issue(key: &str, claims: LinkClaims, expires_at: DateTime<Utc>) -> String {
    signed_token::sign(&signed_token::key_bytes(key), PURPOSE, &claims, expires_at)
}

fn invalid() -> DomainError {
    DomainError::unauthenticated(ErrorCode::InvalidToken, "this handling link is not valid")
}

/// The report a link names, unverified: only to find the report and its key.
pub fn report_of(token: &str) -> Result<Uuid, DomainError> {
    signed_token::peek::<LinkClaims>(token)
        .map(|c| c.report)
        .map_err(|_| invalid())
}

/// Checks a link against the report's key and current dispatch.
pub fn verify(
    token: &str,
    key: Option<&str>,
    current_dispatch: i32,
    now: DateTime<Utc>,
) -> Result<LinkClaims, DomainError> {
    let key = signed_token::key_bytes(key.ok_or_else(invalid)?);
    let claims = match signed_token::verify::<LinkClaims>(&key, PURPOSE, token, now) {
        Ok(claims) => claims,
        Err(TokenError::Expired) => {
            return Err(DomainError::unauthenticated(
                ErrorCode::TokenExpired,
                "this handling link has expired",
            ));
        }
        Err(_) => return Err(invalid()),
    };
    if claims.dispatch != current_dispatch {
        return Err(DomainError::unauthenticated(
            ErrorCode::TokenRevoked,
            "this report was dispatched again; use the newest link",
        ));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(err: DomainError) -> ErrorCode {
        match err {
            DomainError::Unauthenticated { code, .. } => code,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn links_are_signed_bound_to_their_dispatch_and_expire() {
        let key = signed_token::new_key();
        let now = Utc::now();
        let claims = LinkClaims {
            report: Uuid::now_v7(),
            dispatch: 2,
        };
        let token = issue(&key, claims, now + chrono::Duration::hours(1));
        assert!(token.starts_with("v1.report-handling."));
        assert_eq!(verify(&token, Some(&key), 2, now).unwrap(), claims);
        assert_eq!(report_of(&token).unwrap(), claims.report);

        // Another key (another report) does not verify it; nor does an altered signature.
        let other = signed_token::new_key();
        assert_eq!(
            code(verify(&token, Some(&other), 2, now).unwrap_err()),
            "invalid_token"
        );
        let mut flipped = token.clone();
        let last = flipped.pop().unwrap();
        flipped.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(
            code(verify(&flipped, Some(&key), 2, now).unwrap_err()),
            "invalid_token"
        );
        // Dispatched again: refused even though genuine.
        assert_eq!(
            code(verify(&token, Some(&key), 3, now).unwrap_err()),
            "token_revoked"
        );
        // After the expiry.
        let after = now + chrono::Duration::hours(1);
        assert_eq!(
            code(verify(&token, Some(&key), 2, after).unwrap_err()),
            "token_expired"
        );
        // Not a link at all, or a report without a key.
        for junk in ["", "a.b.c", "v1.fair-checkin.e30.AAAA"] {
            assert_eq!(
                code(verify(junk, Some(&key), 2, now).unwrap_err()),
                "invalid_token"
            );
        }
        assert_eq!(
            code(verify(&token, None, 2, now).unwrap_err()),
            "invalid_token"
        );
    }
}
