//! Throttling of what anyone can send without a token: login (per client IP and per
//! account), sign-up (per client IP and per number), the other unauthenticated writes and
//! search (per client IP). Limits are kept in memory per instance: with N instances an
//! attacker gets at most N times the limit, which still stops online guessing; the
//! per-account and per-number limits also hold across IPs.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// A limit of so many requests per key (a client IP, an account) per minute or hour: the
/// one limiter every throttle here is made of.
pub struct KeyedLimiter<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    clock: DefaultClock,
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    fn with_quota(quota: Quota) -> Self {
        Self {
            limiter: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// `n` requests at once, refilled evenly over a minute.
    pub fn per_minute(n: u32) -> Self {
        Self::with_quota(Quota::per_minute(at_least_one(n)))
    }

    /// `n` requests at once, refilled evenly over an hour.
    pub fn per_hour(n: u32) -> Self {
        Self::with_quota(Quota::per_hour(at_least_one(n)))
    }

    /// Counts one request; `Err(seconds)` says how long to wait when over the limit.
    pub fn check(&self, key: &K) -> Result<(), u64> {
        self.limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()).as_secs().max(1))
    }

    /// Drops the state of keys that have refilled, so memory does not grow without bound.
    pub fn prune(&self) {
        self.limiter.retain_recent();
    }
}

impl KeyedLimiter<IpAddr> {
    /// As [`KeyedLimiter::check`]; a request whose address is unknown is not limited.
    pub fn check_ip(&self, ip: Option<IpAddr>) -> Result<(), u64> {
        ip.map_or(Ok(()), |ip| self.check(&ip))
    }
}

fn at_least_one(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).expect("at least 1")
}

pub struct LoginLimiter {
    per_ip: KeyedLimiter<IpAddr>,
    per_account: KeyedLimiter<String>,
}

impl LoginLimiter {
    pub fn new(per_ip_per_minute: u32, per_account_per_minute: u32) -> Self {
        Self {
            per_ip: KeyedLimiter::per_minute(per_ip_per_minute),
            per_account: KeyedLimiter::per_minute(per_account_per_minute),
        }
    }

    /// Counts one attempt; `Err(seconds)` says how long to wait when over either limit.
    pub fn check(&self, ip: Option<IpAddr>, account: &str) -> Result<(), u64> {
        self.per_ip.check_ip(ip)?;
        self.per_account.check(&account.to_owned())
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
            per_ip: KeyedLimiter::per_minute(per_ip_per_minute),
            per_login: KeyedLimiter::per_hour(per_login_per_hour),
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

    #[test]
    fn per_account_limit_holds_across_ips() {
        let limiter = LoginLimiter::new(100, 3);
        for n in 0..3 {
            let ip: IpAddr = format!("10.0.0.{n}").parse().unwrap();
            assert!(limiter.check(Some(ip), "13812345678").is_ok());
        }
        let retry = limiter
            .check(Some("10.0.0.9".parse().unwrap()), "13812345678")
            .unwrap_err();
        assert!(retry >= 1);
        assert!(limiter.check(None, "13900000000").is_ok());
    }

    #[test]
    fn per_ip_limit_holds_across_accounts() {
        let limiter = LoginLimiter::new(2, 100);
        let ip: IpAddr = "203.0.113.5".parse().unwrap();
        assert!(limiter.check(Some(ip), "a@b.cn").is_ok());
        assert!(limiter.check(Some(ip), "c@d.cn").is_ok());
        assert!(limiter.check(Some(ip), "e@f.cn").is_err());
    }

    #[test]
    fn an_hourly_limit_asks_to_wait_minutes() {
        let limiter = KeyedLimiter::<String>::per_hour(2);
        let key = "13812345678".to_owned();
        assert!(limiter.check(&key).is_ok());
        assert!(limiter.check(&key).is_ok());
        let retry = limiter.check(&key).unwrap_err();
        assert!((60..=1800).contains(&retry), "{retry}");
        assert!(limiter.check(&"13900000000".to_owned()).is_ok());
    }
}
