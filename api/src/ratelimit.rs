//! Throttling of what anyone can send without a token: login (per client IP and per
//! account), sign-up (per client IP and per number), the other unauthenticated writes and
//! search (per client IP). Limits are kept in memory per instance: with N instances an
//! attacker gets at most N times the limit, which still stops online guessing; the
//! per-account and per-number limits also hold across IPs.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpMessage, HttpRequest};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::http::ApiError;

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>;

/// A limit of so many requests per key (a client IP, an account) per minute or hour: the
/// one limiter every throttle here is made of. Its name is the policy named in the
/// `RateLimit-Policy` and `RateLimit` response fields.
pub struct KeyedLimiter<K: Hash + Eq + Clone> {
    limiter: Keyed<K>,
    clock: DefaultClock,
    policy: &'static str,
    quota: Quota,
}

/// Where one caller stands against one limit once a request was counted: the members of
/// the `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers-09).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub policy: &'static str,
    /// Requests allowed per window (`q`).
    pub quota: u32,
    /// The window in seconds (`w`): the time the whole quota takes to refill.
    pub window_secs: u64,
    /// Requests left now (`r`).
    pub remaining: u32,
    /// Seconds until the whole quota is available again (`t`).
    pub reset_secs: u64,
}

/// One request counted against one limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    pub standing: Standing,
    /// `Some(seconds to wait)` when the request is over the limit.
    pub retry_after_secs: Option<u64>,
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    fn with_quota(policy: &'static str, quota: Quota) -> Self {
        Self {
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            clock: DefaultClock::default(),
            policy,
            quota,
        }
    }

    /// `n` requests at once, refilled evenly over a minute.
    pub fn per_minute(policy: &'static str, n: u32) -> Self {
        Self::with_quota(policy, Quota::per_minute(at_least_one(n)))
    }

    /// `n` requests at once, refilled evenly over an hour.
    pub fn per_hour(policy: &'static str, n: u32) -> Self {
        Self::with_quota(policy, Quota::per_hour(at_least_one(n)))
    }

    /// Counts one request and says where the key stands.
    pub fn check(&self, key: &K) -> Checked {
        let quota = self.quota.burst_size().get();
        let standing = |remaining: u32, reset: Duration| Standing {
            policy: self.policy,
            quota,
            window_secs: ceil_secs(self.quota.burst_size_replenished_in()),
            remaining,
            reset_secs: ceil_secs(reset),
        };
        match self.limiter.check_key(key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let used = quota.saturating_sub(remaining);
                Checked {
                    standing: standing(remaining, self.quota.replenish_interval() * used),
                    retry_after_secs: None,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Checked {
                    standing: standing(0, wait + self.quota.replenish_interval() * (quota - 1)),
                    retry_after_secs: Some(wait.as_secs().max(1)),
                }
            }
        }
    }

    /// Drops the state of keys that have refilled, so memory does not grow without bound.
    pub fn prune(&self) {
        self.limiter.retain_recent();
    }
}

impl KeyedLimiter<IpAddr> {
    /// As [`KeyedLimiter::check`]; a request whose address is unknown is not limited.
    pub fn check_ip(&self, ip: Option<IpAddr>) -> Option<Checked> {
        ip.map(|ip| self.check(&ip))
    }
}

fn at_least_one(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).expect("at least 1")
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// The standings of every limit a request was counted against, kept with the request
/// until [`rate_limit_fields`] writes them on its answer.
#[derive(Debug, Clone, Default)]
struct Standings(Vec<Standing>);

/// Enforces limits on a request: each standing goes on the answer (success or 429) as
/// `RateLimit-Policy` and `RateLimit` fields, and the first limit exceeded refuses the
/// request with `rate_limited` and `Retry-After`. The one way a handler applies a limit.
pub fn enforce(
    req: &HttpRequest,
    checks: impl IntoIterator<Item = Checked>,
) -> Result<(), ApiError> {
    let mut refusal = None;
    {
        let mut extensions = req.extensions_mut();
        if extensions.get::<Standings>().is_none() {
            extensions.insert(Standings::default());
        }
        let standings = extensions.get_mut::<Standings>().expect("just inserted");
        for checked in checks {
            standings.0.push(checked.standing);
            if let Some(retry_after_secs) = checked.retry_after_secs {
                refusal = Some(retry_after_secs);
                break;
            }
        }
    }
    match refusal {
        Some(retry_after_secs) => Err(ApiError::RateLimited { retry_after_secs }),
        None => Ok(()),
    }
}

/// Middleware writing the standings [`enforce`] recorded as the IETF fields, e.g.
/// `RateLimit-Policy: "search";q=60;w=60` and `RateLimit: "search";r=59;t=1`.
pub async fn rate_limit_fields(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    let standings = res.request().extensions().get::<Standings>().cloned();
    if let Some(Standings(standings)) = standings.filter(|s| !s.0.is_empty()) {
        let (policy, current) = fields(&standings);
        let headers = res.headers_mut();
        for (name, value) in [("ratelimit-policy", policy), ("ratelimit", current)] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
    }
    Ok(res)
}

/// The `RateLimit-Policy` and `RateLimit` values of some standings (structured-field lists).
pub fn fields(standings: &[Standing]) -> (String, String) {
    let policy = standings
        .iter()
        .map(|s| format!("\"{}\";q={};w={}", s.policy, s.quota, s.window_secs))
        .collect::<Vec<_>>()
        .join(", ");
    let current = standings
        .iter()
        .map(|s| format!("\"{}\";r={};t={}", s.policy, s.remaining, s.reset_secs))
        .collect::<Vec<_>>()
        .join(", ");
    (policy, current)
}

pub struct LoginLimiter {
    per_ip: KeyedLimiter<IpAddr>,
    per_account: KeyedLimiter<String>,
}

impl LoginLimiter {
    pub fn new(per_ip_per_minute: u32, per_account_per_minute: u32) -> Self {
        Self {
            per_ip: KeyedLimiter::per_minute("login-ip", per_ip_per_minute),
            per_account: KeyedLimiter::per_minute("login-account", per_account_per_minute),
        }
    }

    /// Counts one attempt against the address, then (unless that refused it) the account.
    pub fn check(&self, ip: Option<IpAddr>, account: &str) -> Vec<Checked> {
        let mut checks: Vec<Checked> = self.per_ip.check_ip(ip).into_iter().collect();
        if checks.iter().all(|c| c.retry_after_secs.is_none()) {
            checks.push(self.per_account.check(&account.to_owned()));
        }
        checks
    }

    pub fn prune(&self) {
        self.per_ip.prune();
        self.per_account.prune();
    }
}

/// Searches per client IP, so anonymous search cannot be used to scrape the index.
pub type SearchLimiter = KeyedLimiter<IpAddr>;

/// Sign-up: per client IP (every attempt), and per phone number or e-mail address (so one
/// number cannot be probed or flooded from many addresses).
pub struct SignupLimiter {
    pub per_ip: KeyedLimiter<IpAddr>,
    pub per_login: KeyedLimiter<String>,
}

impl SignupLimiter {
    pub fn new(per_ip_per_minute: u32, per_login_per_hour: u32) -> Self {
        Self {
            per_ip: KeyedLimiter::per_minute("signup-ip", per_ip_per_minute),
            per_login: KeyedLimiter::per_hour("signup-number", per_login_per_hour),
        }
    }

    pub fn prune(&self) {
        self.per_ip.prune();
        self.per_login.prune();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(checks: &[Checked]) -> Option<u64> {
        checks.iter().find_map(|c| c.retry_after_secs)
    }

    #[test]
    fn per_account_limit_holds_across_ips() {
        let limiter = LoginLimiter::new(100, 3);
        for n in 0..3 {
            let ip: IpAddr = format!("10.0.0.{n}").parse().unwrap();
            assert_eq!(refused(&limiter.check(Some(ip), "13812345678")), None);
        }
        let retry = refused(&limiter.check(Some("10.0.0.9".parse().unwrap()), "13812345678"))
            .expect("refused");
        assert!(retry >= 1);
        assert_eq!(refused(&limiter.check(None, "13900000000")), None);
    }

    #[test]
    fn per_ip_limit_holds_across_accounts() {
        let limiter = LoginLimiter::new(2, 100);
        let ip: IpAddr = "203.0.113.5".parse().unwrap();
        assert_eq!(refused(&limiter.check(Some(ip), "a@b.cn")), None);
        assert_eq!(refused(&limiter.check(Some(ip), "c@d.cn")), None);
        let third = limiter.check(Some(ip), "e@f.cn");
        assert!(refused(&third).is_some());
        // The account was not counted once the address refused.
        assert_eq!(third.len(), 1);
        assert_eq!(third[0].standing.policy, "login-ip");
    }

    #[test]
    fn an_hourly_limit_asks_to_wait_minutes() {
        let limiter = KeyedLimiter::<String>::per_hour("test", 2);
        let key = "13812345678".to_owned();
        assert_eq!(limiter.check(&key).retry_after_secs, None);
        assert_eq!(limiter.check(&key).retry_after_secs, None);
        let retry = limiter.check(&key).retry_after_secs.expect("refused");
        assert!((60..=1800).contains(&retry), "{retry}");
        assert_eq!(
            limiter.check(&"13900000000".to_owned()).retry_after_secs,
            None
        );
    }

    #[test]
    fn standings_count_down_and_say_when_the_quota_is_back() {
        let limiter = KeyedLimiter::<u8>::per_minute("search", 3);
        let first = limiter.check(&1).standing;
        assert_eq!(
            (first.policy, first.quota, first.window_secs),
            ("search", 3, 60)
        );
        assert_eq!(first.remaining, 2);
        // One of three used: back in full after one refill interval (20 s).
        assert!((19..=20).contains(&first.reset_secs), "{first:?}");
        assert_eq!(limiter.check(&1).standing.remaining, 1);
        let last = limiter.check(&1).standing;
        assert_eq!(last.remaining, 0);
        assert!((59..=60).contains(&last.reset_secs), "{last:?}");
        let over = limiter.check(&1);
        assert_eq!(over.standing.remaining, 0);
        assert!(over.retry_after_secs.is_some_and(|s| (1..=20).contains(&s)));
        assert!(over.standing.reset_secs >= over.retry_after_secs.unwrap());
    }

    #[test]
    fn fields_follow_the_draft_syntax() {
        let standing = |policy, remaining, reset_secs| Standing {
            policy,
            quota: 10,
            window_secs: 60,
            remaining,
            reset_secs,
        };
        let (policy, current) =
            fields(&[standing("login-ip", 9, 6), standing("login-account", 4, 36)]);
        assert_eq!(policy, r#""login-ip";q=10;w=60, "login-account";q=10;w=60"#);
        assert_eq!(current, r#""login-ip";r=9;t=6, "login-account";r=4;t=36"#);
    }
}
