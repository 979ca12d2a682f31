//! Time conventions: stored in UTC, shown in China Standard Time, and every "today",
//! "midnight" and "week" is Asia/Shanghai's. This module is the one place that turns local
//! dates and times of day into instants.
//!
//! Asia/Shanghai has kept UTC+08:00 all year since 1991, so a fixed offset is exact for every
//! date Doorstep handles and spares us a time-zone database. SQL that puts rows in local
//! days or weeks (the figures) does it in the query instead of calling these functions,
//! because the grouping happens in the database: PostgreSQL says `AT TIME ZONE
//! 'Asia/Shanghai'` (it has the zone database), SQLite `'+8 hours'`; both agree with the
//! fixed offset for the same reason.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};

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

/// The local date of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    to_display(at).date_naive()
}

/// Today in Asia/Shanghai.
pub fn today() -> NaiveDate {
    local_date(now())
}

/// The instant of a local date and time; `None` only at the ends of chrono's range.
pub fn from_local(at: NaiveDateTime) -> Option<DateTime<Utc>> {
    at.checked_sub_offset(shanghai()).map(|at| at.and_utc())
}

/// 00:00 of `day` in Asia/Shanghai, as UTC; `None` only at the ends of chrono's range.
pub fn local_midnight(day: NaiveDate) -> Option<DateTime<Utc>> {
    from_local(day.and_time(NaiveTime::MIN))
}

/// The start of the local day `at` falls in.
pub fn start_of_local_day(at: DateTime<Utc>) -> DateTime<Utc> {
    local_midnight(local_date(at)).unwrap_or(at)
}

/// The next instant after `now` whose local time of day is `minute` (minutes after
/// midnight, taken modulo a day).
pub fn next_local_time(now: DateTime<Utc>, minute: u16) -> DateTime<Utc> {
    let minute = u32::from(minute) % (24 * 60);
    let time_of_day = NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap_or_default();
    let candidate = from_local(local_date(now).and_time(time_of_day)).unwrap_or(now);
    if candidate > now {
        candidate
    } else {
        candidate + Duration::days(1)
    }
}

/// The Monday of `day`'s week (weeks run Monday to Sunday).
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The week `day` falls in, as instants: from its Monday 00:00 to the next Monday 00:00
/// (exclusive), local time; `None` only at the ends of chrono's range.
pub fn week_bounds(day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = local_midnight(week_start(day))?;
    Some((start, start + Duration::weeks(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(at: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(at)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn date(day: &str) -> NaiveDate {
        day.parse().unwrap()
    }

    #[test]
    fn display_uses_plus_eight() {
        let at = utc("2026-11-23T16:30:00Z");
        assert_eq!(to_display(at).to_rfc3339(), "2026-11-24T00:30:00+08:00");
    }

    #[test]
    fn the_local_day_turns_at_sixteen_utc() {
        assert_eq!(local_date(utc("2026-11-23T15:59:59Z")), date("2026-11-23"));
        assert_eq!(local_date(utc("2026-11-23T16:00:00Z")), date("2026-11-24"));
        assert_eq!(
            local_midnight(date("2026-11-24")),
            Some(utc("2026-11-23T16:00:00Z"))
        );
        // Just before and just after local midnight.
        assert_eq!(
            start_of_local_day(utc("2026-11-23T15:59:59Z")),
            utc("2026-11-22T16:00:00Z")
        );
        assert_eq!(
            start_of_local_day(utc("2026-11-23T16:00:00Z")),
            utc("2026-11-23T16:00:00Z")
        );
        assert_eq!(
            start_of_local_day(utc("2026-11-24T08:30:00Z")),
            utc("2026-11-23T16:00:00Z")
        );
    }

    #[test]
    fn today_is_the_local_date_of_now() {
        let before = local_date(now());
        let today = today();
        assert!(today == before || today == before.succ_opt().unwrap());
    }

    #[test]
    fn local_times_are_plus_eight() {
        let at = date("2026-11-24").and_hms_opt(9, 30, 0).unwrap();
        assert_eq!(from_local(at), Some(utc("2026-11-24T01:30:00Z")));
        assert_eq!(local_midnight(NaiveDate::MIN), None);
    }

    #[test]
    fn next_local_time_is_strictly_later() {
        // 07:00 local: 08:00 is later today.
        assert_eq!(
            next_local_time(utc("2026-11-23T23:00:00Z"), 8 * 60),
            utc("2026-11-24T00:00:00Z")
        );
        // Exactly 08:00 local: tomorrow's.
        assert_eq!(
            next_local_time(utc("2026-11-24T00:00:00Z"), 8 * 60),
            utc("2026-11-25T00:00:00Z")
        );
        // 23:30 local on the 23rd (15:30 UTC): midnight is the 24th's.
        assert_eq!(
            next_local_time(utc("2026-11-23T15:30:00Z"), 0),
            utc("2026-11-23T16:00:00Z")
        );
    }

    #[test]
    fn weeks_run_monday_to_sunday() {
        // 2026-11-29 is a Sunday; its week began on Monday the 23rd.
        let sunday = date("2026-11-29");
        assert_eq!(sunday.weekday(), chrono::Weekday::Sun);
        assert_eq!(week_start(sunday), date("2026-11-23"));
        assert_eq!(week_start(date("2026-11-23")), date("2026-11-23"));
        assert_eq!(week_start(date("2026-11-30")), date("2026-11-30"));
        assert_eq!(
            week_bounds(sunday),
            Some((utc("2026-11-22T16:00:00Z"), utc("2026-11-29T16:00:00Z")))
        );
        // Sunday 23:59 local is still in that week; Monday 00:00 local starts the next.
        let (start, end) = week_bounds(sunday).unwrap();
        let late_sunday = utc("2026-11-29T15:59:00Z");
        assert!(start <= late_sunday && late_sunday < end);
        assert_eq!(local_date(end), date("2026-11-30"));
    }
}
