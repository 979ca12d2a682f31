//! Login throttling, per client IP and per account. Limits are kept in memory per
//! instance: with N instances an attacker gets at most N times the limit, which still
//! stops online guessing; the per-account limit also holds across IPs.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub struct LoginLimiter {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_account: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl LoginLimiter {
    pub fn new(per_ip_per_minute: u32, per_account_per_minute: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least 1"));
        Self {
            per_ip: RateLimiter::keyed(quota(per_ip_per_minute)),
            per_account: RateLimiter::keyed(quota(per_account_per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt; `Err(seconds)` says how long to wait when over either limit.
    pub fn check(&self, ip: Option<IpAddr>, account: &str) -> Result<(), u64> {
        let wait = |not_until: governor::NotUntil<_>| {
            not_until.wait_time_from(self.clock.now()).as_secs().max(1)
        };
        if let Some(ip) = ip {
            self.per_ip.check_key(&ip).map_err(wait)?;
        }
        self.per_account
            .check_key(&account.to_owned())
            .map_err(wait)?;
        Ok(())
    }

    /// Drops the state of keys that have refilled, so memory does not grow without bound.
    pub fn prune(&self) {
        self.per_ip.retain_recent();
        self.per_account.retain_recent();
    }
}

/// Searches per client IP, so anonymous search cannot be used to scrape the index.
pub struct SearchLimiter {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl SearchLimiter {
    pub fn new(per_ip_per_minute: u32) -> Self {
        Self {
            per_ip: RateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(per_ip_per_minute.max(1)).expect("at least 1"),
            )),
            clock: DefaultClock::default(),
        }
    }

    /// `Err(seconds)` to wait when over the limit.
    pub fn check(&self, ip: Option<IpAddr>) -> Result<(), u64> {
        let Some(ip) = ip else { return Ok(()) };
        self.per_ip
            .check_key(&ip)
            .map_err(|n| n.wait_time_from(self.clock.now()).as_secs().max(1))
    }

    pub fn prune(&self) {
        self.per_ip.retain_recent();
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
}
