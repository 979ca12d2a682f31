//! Time conventions: stored in UTC, shown in China Standard Time.
//!
//! Asia/Shanghai has kept UTC+08:00 all year since 1991, so a fixed offset is exact for every
//! date Doorstep handles and spares us a time-zone database.

use chrono::{DateTime, FixedOffset, Utc};

/// UTC+08:00, the offset of Asia/Shanghai.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// A UTC instant as shown to users: RFC 3339 with the +08:00 offset.
pub fn to_display(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&shanghai())
}

/// Now, truncated to microseconds so that a value read back from either database equals
/// the value written (PostgreSQL keeps microseconds, SQLite keeps what we give it).
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_uses_plus_eight() {
        let at = DateTime::parse_from_rfc3339("2026-11-23T16:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(to_display(at).to_rfc3339(), "2026-11-24T00:30:00+08:00");
    }
}
