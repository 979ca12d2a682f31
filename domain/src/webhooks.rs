//! Webhook endpoints an account registers to receive signed notices.

use std::net::IpAddr;

use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::webhook_endpoint;
use crate::{DomainError, Invalid, ValidationErrors, time};

/// An account keeps at most this many endpoints.
pub const MAX_ENDPOINTS: u64 = 5;

/// Whether an address is one a server-side request must not reach unless allowed:
/// loopback, private, link-local, unspecified, multicast or unique-local.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_internal(IpAddr::V4(v4)))
        }
    }
}

fn invalid(code: &'static str, message: &str) -> DomainError {
    DomainError::Validation(ValidationErrors::single("url", Invalid::new(code, message)))
}

/// Checks a webhook URL: http(s), a host, no credentials, and (unless `allow_internal`) no
/// literal internal address. Host names are checked again when resolved at delivery.
pub fn parse_url(raw: &str, allow_internal: bool) -> Result<String, DomainError> {
    let url = raw.trim();
    if url.len() > 500 {
        return Err(invalid("too_long", "at most 500 characters"));
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| invalid("invalid_url", "expected an http:// or https:// URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') || authority.contains(char::is_whitespace) {
        return Err(invalid(
            "invalid_url",
            "expected a host, without credentials",
        ));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or(authority),
    };
    if let Ok(ip) = host.parse::<IpAddr>()
        && is_internal(ip)
        && !allow_internal
    {
        return Err(invalid(
            "internal_address",
            "webhooks may not target internal addresses",
        ));
    }
    if !allow_internal && host.eq_ignore_ascii_case("localhost") {
        return Err(invalid(
            "internal_address",
            "webhooks may not target internal addresses",
        ));
    }
    Ok(url.to_owned())
}

pub async fn register<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    url: &str,
    allow_internal: bool,
) -> Result<webhook_endpoint::Model, DomainError> {
    let url = parse_url(url, allow_internal)?;
    let count = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::AccountId.eq(actor.account_id))
        .count(db)
        .await?;
    if count >= MAX_ENDPOINTS {
        return Err(DomainError::conflict(
            "too_many_endpoints",
            format!("at most {MAX_ENDPOINTS} endpoints"),
        ));
    }
    let mut secret = [0u8; 24];
    rand::rng().fill_bytes(&mut secret);
    let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    Ok(webhook_endpoint::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(actor.account_id),
        url: Set(url),
        secret: Set(secret),
        created_at: Set(time::now()),
    }
    .insert(db)
    .await?)
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
) -> Result<Vec<webhook_endpoint::Model>, DomainError> {
    Ok(webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::AccountId.eq(account))
        .all(db)
        .await?)
}

/// One of the actor's endpoints; someone else's is "not found".
pub async fn own<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<webhook_endpoint::Model, DomainError> {
    webhook_endpoint::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|e| e.account_id == actor.account_id)
        .ok_or(DomainError::NotFound("webhook endpoint"))
}

pub async fn delete<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<(), DomainError> {
    let endpoint = own(db, actor, id).await?;
    webhook_endpoint::Entity::delete_by_id(endpoint.id)
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_targets_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://10.1.2.3/hook",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]:9000/",
            "http://localhost/",
            "http://100.64.0.1/",
        ] {
            assert!(parse_url(url, false).is_err(), "{url}");
            assert!(parse_url(url, true).is_ok(), "{url}");
        }
        assert!(parse_url("https://hooks.example.cn/doorstep", false).is_ok());
        for bad in [
            "ftp://x.cn",
            "https://",
            "https://user:pw@x.cn/",
            "not a url",
        ] {
            assert!(parse_url(bad, true).is_err(), "{bad}");
        }
    }
}
