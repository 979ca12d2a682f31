//! The signed link that lets a department's handler act on one dispatched report without
//! an account: `<report id>.<dispatch number>.<expiry, unix seconds>.<signature>`, where the
//! signature is base64url(HMAC-SHA256(key, "report-handling.v1.<id>.<number>.<expiry>"))
//! and the key is a random key of the report, stored with it. A link is refused when it is
//! altered (the signature no longer matches), after its expiry, or once the report has
//! been dispatched again (its number is no longer the report's).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use uuid::Uuid;

use crate::DomainError;

/// What a valid link names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkClaims {
    pub report_id: Uuid,
    pub dispatch_no: i32,
    pub expires_at: i64,
}

/// A fresh signing key for one dispatch, hex.
pub fn new_key() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn mac(key: &str, claims: &LinkClaims) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(
        format!(
            "report-handling.v1.{}.{}.{}",
            claims.report_id.simple(),
            claims.dispatch_no,
            claims.expires_at
        )
        .as_bytes(),
    );
    mac
}

/// Signs a link.
pub fn issue(key: &str, claims: LinkClaims) -> String {
    let signature = URL_SAFE_NO_PAD.encode(mac(key, &claims).finalize().into_bytes());
    format!(
        "{}.{}.{}.{signature}",
        claims.report_id.simple(),
        claims.dispatch_no,
        claims.expires_at
    )
}

fn invalid() -> DomainError {
    DomainError::unauthenticated("invalid_token", "this handling link is not valid")
}

/// Reads the claims without trusting them (to find the report and its key).
pub fn parse(token: &str) -> Result<(LinkClaims, Vec<u8>), DomainError> {
    let mut parts = token.trim().split('.');
    let (Some(id), Some(no), Some(exp), Some(sig), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(invalid());
    };
    let claims = LinkClaims {
        report_id: Uuid::try_parse(id).map_err(|_| invalid())?,
        dispatch_no: no.parse().map_err(|_| invalid())?,
        expires_at: exp.parse().map_err(|_| invalid())?,
    };
    let signature = URL_SAFE_NO_PAD.decode(sig).map_err(|_| invalid())?;
    Ok((claims, signature))
}

/// Checks a link against the report's current dispatch: its key and number, then expiry.
pub fn verify(
    token: &str,
    key: Option<&str>,
    current_dispatch: i32,
    now: DateTime<Utc>,
) -> Result<LinkClaims, DomainError> {
    let (claims, signature) = parse(token)?;
    let key = key.ok_or_else(invalid)?;
    // Constant-time comparison of the signature.
    mac(key, &claims)
        .verify_slice(&signature)
        .map_err(|_| invalid())?;
    if claims.dispatch_no != current_dispatch {
        return Err(DomainError::unauthenticated(
            "token_revoked",
            "this report was dispatched again; use the newest link",
        ));
    }
    if now.timestamp() >= claims.expires_at {
        return Err(DomainError::unauthenticated(
            "token_expired",
            "this handling link has expired",
        ));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(err: DomainError) -> &'static str {
        match err {
            DomainError::Unauthenticated { code, .. } => code,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn links_are_signed_bound_to_their_dispatch_and_expire() {
        let key = new_key();
        let now = Utc::now();
        let claims = LinkClaims {
            report_id: Uuid::now_v7(),
            dispatch_no: 2,
            expires_at: now.timestamp() + 3600,
        };
        let token = issue(&key, claims);
        assert_eq!(verify(&token, Some(&key), 2, now).unwrap(), claims);

        // Another key (another dispatch, another report) does not verify it.
        assert_eq!(
            code(verify(&token, Some(&new_key()), 2, now).unwrap_err()),
            "invalid_token"
        );
        // Changing any part breaks the signature: a later expiry, another report.
        let later = token.replacen(
            &claims.expires_at.to_string(),
            &(claims.expires_at + 86_400).to_string(),
            1,
        );
        assert_eq!(
            code(verify(&later, Some(&key), 2, now).unwrap_err()),
            "invalid_token"
        );
        let mut flipped = token.clone();
        let last = flipped.pop().unwrap();
        flipped.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(
            code(verify(&flipped, Some(&key), 2, now).unwrap_err()),
            "invalid_token"
        );
        // Dispatched again: refused even though signed.
        assert_eq!(
            code(verify(&token, Some(&key), 3, now).unwrap_err()),
            "token_revoked"
        );
        // After the expiry.
        let after = now + chrono::Duration::seconds(3600);
        assert_eq!(
            code(verify(&token, Some(&key), 2, after).unwrap_err()),
            "token_expired"
        );
        // Not a link at all.
        for junk in ["", "a.b.c", "x.1.2.3.4", "not-a-uuid.1.2.AAAA"] {
            assert_eq!(
                code(verify(junk, Some(&key), 2, now).unwrap_err()),
                "invalid_token"
            );
        }
    }
}
