//! Webhook endpoints an account registers to receive signed notices.

use crate::ErrorCode;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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

/// Whether an address is one a server-side request must not reach unless allowed: anything
/// that is not globally routable unicast (loopback, private, shared, link-local,
/// unspecified, multicast, broadcast, reserved, documentation, benchmarking), and any IPv6
/// address that carries an IPv4 address which is (mapped, compatible, NAT64, 6to4, Teredo):
/// a translator or relay on the way would deliver those to the embedded address.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_multicast()
        || v4.is_broadcast()
        || a == 0 // "this network", 0.0.0.0/8
        || a == 100 && (64..128).contains(&b) // shared address space (CGNAT)
        || a == 192 && b == 0 && c == 0 // IETF protocol assignments
        || a == 192 && b == 0 && c == 2 // TEST-NET-1
        || a == 198 && (18..20).contains(&b) // benchmarking
        || a == 198 && b == 51 && c == 100 // TEST-NET-2
        || a == 203 && b == 0 && c == 113 // TEST-NET-3
        || a >= 240 // reserved
}

fn is_internal_v6(v6: Ipv6Addr) -> bool {
    let s = v6.segments();
    if let Some(embedded) = embedded_v4(v6) {
        return is_internal_v4(embedded);
    }
    v6.is_loopback()
        || v6.is_unspecified()
        || v6.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || s[0] == 0x2001 && s[1] == 0x0db8 // documentation
        || s[0] == 0x0100 && s[1..4] == [0, 0, 0] // discard-only
}

/// The IPv4 address an IPv6 address stands for, in each form that embeds one.
fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        // IPv4-mapped ::ffff:a.b.c.d
        [0, 0, 0, 0, 0, 0xffff, hi, lo] => Some(v4(hi, lo)),
        // IPv4-compatible ::a.b.c.d (deprecated; `::` and `::1` are not IPv4)
        [0, 0, 0, 0, 0, 0, hi, lo] if (hi, lo) != (0, 0) && (hi, lo) != (0, 1) => Some(v4(hi, lo)),
        // NAT64 well-known prefix 64:ff9b::/96
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(v4(hi, lo)),
        // 6to4 2002:AABB:CCDD::/48
        [0x2002, hi, lo, ..] => Some(v4(hi, lo)),
        // Teredo 2001:0::/32: the client's address is the last 32 bits, inverted
        [0x2001, 0, _, _, _, _, hi, lo] => Some(v4(!hi, !lo)),
        _ => None,
    }
    .or_else(|| {
        // NAT64 local-use prefix 64:ff9b:1::/48: the address sits in the last 32 bits.
        (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1).then(|| v4(s[6], s[7]))
    })
}

fn invalid(code: ErrorCode, message: &str) -> DomainError {
    DomainError::Validation(ValidationErrors::single("url", Invalid::new(code, message)))
}

fn internal() -> DomainError {
    invalid(
        ErrorCode::InternalAddress,
        "webhooks may not target internal addresses",
    )
}

/// Checks a webhook URL and returns it normalised: http(s), a host, no credentials, and
/// (unless `allow_internal`) no internal address and no `localhost` name. It is parsed as
/// browsers and the delivering client parse it (WHATWG), so every spelling of an IPv4
/// address (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`) is read as that address, and the
/// normalised URL is what gets stored and called. Other names are checked again when
/// resolved at delivery.
pub fn parse_url(raw: &str, allow_internal: bool) -> Result<String, DomainError> {
    let raw = raw.trim();
    if raw.len() > 500 {
        return Err(invalid(ErrorCode::TooLong, "at most 500 characters"));
    }
    let url = url::Url::parse(raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| invalid(ErrorCode::InvalidUrl, "expected an http:// or https:// URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            ErrorCode::InvalidUrl,
            "expected a host, without credentials",
        ));
    }
    let internal_target = match url.host() {
        None => return Err(invalid(ErrorCode::InvalidUrl, "expected a host")),
        Some(url::Host::Ipv4(v4)) => is_internal_v4(v4),
        Some(url::Host::Ipv6(v6)) => is_internal_v6(v6),
        Some(url::Host::Domain(name)) => {
            // The parser lowercases names; a trailing dot names the same host.
            let name = name.trim_end_matches('.');
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    if internal_target && !allow_internal {
        return Err(internal());
    }
    if url.as_str().len() > 500 {
        return Err(invalid(ErrorCode::TooLong, "at most 500 characters"));
    }
    Ok(url.into())
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
            ErrorCode::TooManyEndpoints,
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
            // Every IPv4 spelling the WHATWG parser (and so the delivering client) accepts.
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://0/",
            "http://localhost./",
            "http://LOCALHOST/",
            "http://api.localhost/",
            // IPv6 forms that embed an internal IPv4 address.
            "http://[::127.0.0.1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[64:ff9b::127.0.0.1]/",
            "http://[64:ff9b:1::7f00:1]/",
            "http://[2002:7f00:1::]/",
            "http://[2002:a9fe:a9fe::1]/",
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", // Teredo client 127.0.0.1
            "http://[fec0::1]/",
            "http://[2001:db8::1]/",
            "http://[::]/",
            "http://240.0.0.1/",
            "http://198.18.0.1/",
        ] {
            assert!(parse_url(url, false).is_err(), "{url}");
            assert!(parse_url(url, true).is_ok(), "{url}");
        }
        for public in [
            "https://hooks.example.cn/doorstep",
            "http://[2400:3200::1]/",
            "http://[64:ff9b::8.8.8.8]/",
            "http://[2002:0808:0808::]/",
            "http://8.8.8.8/",
        ] {
            assert!(parse_url(public, false).is_ok(), "{public}");
        }
        for bad in [
            "ftp://x.cn",
            "https://",
            "https://user:pw@x.cn/",
            "https://user@x.cn/",
            "not a url",
            "http://[::1/",
        ] {
            assert!(parse_url(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_url_is_stored_as_it_will_be_called() {
        assert_eq!(
            parse_url("HTTP://Hooks.Example.CN:443/x", false).unwrap(),
            "http://hooks.example.cn:443/x"
        );
        assert_eq!(
            parse_url("http://2130706433/x", true).unwrap(),
            "http://127.0.0.1/x"
        );
    }

    #[test]
    fn embedded_addresses_are_found() {
        let v4 = |s: &str| embedded_v4(s.parse().unwrap());
        assert_eq!(v4("::ffff:10.0.0.1"), Some(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(v4("64:ff9b::1.2.3.4"), Some(Ipv4Addr::new(1, 2, 3, 4)));
        assert_eq!(v4("2002:c000:0204::1"), Some(Ipv4Addr::new(192, 0, 2, 4)));
        assert_eq!(
            v4("2001:0:4136:e378:8000:63bf:3fff:fdd2"),
            Some(Ipv4Addr::new(192, 0, 2, 45))
        );
        assert_eq!(v4("::1"), None);
        assert_eq!(v4("2400:3200::1"), None);
    }
}
