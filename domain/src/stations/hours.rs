//! Opening hours of a station: weekly windows, dated exceptions (holidays, closures), and
//! windows that run past midnight.
//!
//! A window belongs to the day it opens: `{day: 5, open: "22:00", close: "06:00"}` is
//! Friday night into Saturday morning, and a holiday exception for Friday replaces it while
//! one for Saturday does not. A station is open from the minute it opens up to, not
//! including, the minute it closes. Windows that touch (Monday 18:00–24:00 and Tuesday
//! 00:00–02:00, or a night shift running into the next day's hours) count as one stretch, so
//! "closes at" is when the doors really close, not a midnight in between.
//!
//! Everything is in China Standard Time (local wall-clock); callers convert with
//! [`crate::time`].

use crate::ErrorCode;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};

use crate::types::minutes_of;
use crate::{Invalid, ValidationErrors};

/// Weekly windows at most (a few per weekday).
pub const MAX_WINDOWS: usize = 28;
/// Dated exceptions at most (a year of holidays and closures).
pub const MAX_EXCEPTIONS: usize = 60;
/// How far ahead "opens at" and "closes at" look.
const HORIZON_DAYS: i64 = 8;

/// One weekly window: opens on `day` (1 Monday … 7 Sunday) at `open`, closes at `close`
/// (`HH:MM`). A `close` at or before `open` is on the next day; `00:00`–`24:00` is all day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyWindow {
    pub day: u8,
    pub open: String,
    pub close: String,
}

/// The hours of one date: a window opening that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayWindow {
    pub open: String,
    pub close: String,
}

/// A date whose hours differ from the week's: closed (no windows) or special windows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DateException {
    pub date: NaiveDate,
    /// Windows opening on that date; empty means closed all day.
    #[serde(default)]
    pub windows: Vec<DayWindow>,
    /// Why (春节, 设备检修…), shown to users.
    #[serde(default)]
    pub note: String,
}

/// A station's opening hours.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    FromJsonQueryResult,
    utoipa::ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    #[serde(default)]
    pub weekly: Vec<WeeklyWindow>,
    #[serde(default)]
    pub exceptions: Vec<DateException>,
}

/// Whether a station is open at a moment, and until or from when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenStatus {
    pub open: bool,
    /// When open: when it closes; `None` when it stays open beyond the next week (24/7).
    pub closes_at: Option<NaiveDateTime>,
    /// When closed: when it next opens within the next week, if it does.
    pub opens_at: Option<NaiveDateTime>,
}

/// Minutes after midnight of `open`, and the minutes the window lasts.
fn span(open: &str, close: &str) -> Option<(u16, u16)> {
    let start = minutes_of(open).filter(|m| *m < 24 * 60)?;
    let end = minutes_of(close)?;
    let length = if end > start {
        end - start
    } else {
        // Closing at or before opening: the next day (24:00 is the end of the same day).
        end + 24 * 60 - start
    };
    Some((start, length))
}

fn check_window(
    errors: &mut ValidationErrors,
    at: impl Fn(&str) -> String,
    open: &str,
    close: &str,
) {
    match (minutes_of(open).filter(|m| *m < 24 * 60), minutes_of(close)) {
        (None, _) => errors.push(
            at("open"),
            Invalid::new(ErrorCode::InvalidTime, "expected HH:MM"),
        ),
        (_, None) => errors.push(
            at("close"),
            Invalid::new(ErrorCode::InvalidTime, "expected HH:MM"),
        ),
        (Some(o), Some(c)) if o == c => errors.push(
            at("close"),
            Invalid::new(
                ErrorCode::EmptyWindow,
                "a window must last; 00:00 to 24:00 is open all day",
            ),
        ),
        _ => {}
    }
}

impl OpeningHours {
    /// Checks every window and exception; errors name the field path under `prefix`.
    pub fn validate(&self, prefix: &str, errors: &mut ValidationErrors) {
        if self.weekly.len() > MAX_WINDOWS {
            errors.push(
                format!("{prefix}.weekly"),
                Invalid::new(ErrorCode::TooMany, format!("at most {MAX_WINDOWS} windows")),
            );
            return;
        }
        for (i, w) in self.weekly.iter().enumerate() {
            let at = |f: &str| format!("{prefix}.weekly[{i}].{f}");
            if !(1..=7).contains(&w.day) {
                errors.push(
                    at("day"),
                    Invalid::new(ErrorCode::OutOfRange, "day is 1 (Monday) to 7 (Sunday)"),
                );
            }
            check_window(errors, at, &w.open, &w.close);
        }
        if self.exceptions.len() > MAX_EXCEPTIONS {
            errors.push(
                format!("{prefix}.exceptions"),
                Invalid::new(
                    ErrorCode::TooMany,
                    format!("at most {MAX_EXCEPTIONS} exceptions"),
                ),
            );
            return;
        }
        for (i, e) in self.exceptions.iter().enumerate() {
            if self.exceptions[..i].iter().any(|o| o.date == e.date) {
                errors.push(
                    format!("{prefix}.exceptions[{i}].date"),
                    Invalid::new(ErrorCode::Duplicate, "one exception per date"),
                );
            }
            if e.windows.len() > 4 {
                errors.push(
                    format!("{prefix}.exceptions[{i}].windows"),
                    Invalid::new(ErrorCode::TooMany, "at most 4 windows a day"),
                );
            }
            for (j, w) in e.windows.iter().enumerate() {
                let at = |f: &str| format!("{prefix}.exceptions[{i}].windows[{j}].{f}");
                check_window(errors, at, &w.open, &w.close);
            }
            if e.note.chars().count() > 40 {
                errors.push(
                    format!("{prefix}.exceptions[{i}].note"),
                    Invalid::new(ErrorCode::TooLong, "at most 40 characters"),
                );
            }
        }
    }

    /// The windows opening on `date`, as local start and end times.
    fn windows_opening_on(&self, date: NaiveDate) -> Vec<(NaiveDateTime, NaiveDateTime)> {
        let midnight = date.and_time(NaiveTime::MIN);
        let to_interval = |open: &str, close: &str| {
            span(open, close).map(|(start, length)| {
                let from = midnight + Duration::minutes(i64::from(start));
                (from, from + Duration::minutes(i64::from(length)))
            })
        };
        match self.exceptions.iter().find(|e| e.date == date) {
            Some(exception) => exception
                .windows
                .iter()
                .filter_map(|w| to_interval(&w.open, &w.close))
                .collect(),
            None => {
                let weekday = date.weekday().number_from_monday() as u8;
                self.weekly
                    .iter()
                    .filter(|w| w.day == weekday)
                    .filter_map(|w| to_interval(&w.open, &w.close))
                    .collect()
            }
        }
    }

    /// The exception note for `date`, if that date is an exception (for "closed for 春节").
    pub fn exception_on(&self, date: NaiveDate) -> Option<&DateException> {
        self.exceptions.iter().find(|e| e.date == date)
    }

    /// Open or closed at local time `at`, with the closing or next opening time.
    pub fn status_at(&self, at: NaiveDateTime) -> OpenStatus {
        // Windows from the day before can run into today; merge everything in reach into
        // stretches so touching windows read as one.
        let today = at.date();
        let mut intervals: Vec<(NaiveDateTime, NaiveDateTime)> = (-1..=HORIZON_DAYS)
            .flat_map(|d| self.windows_opening_on(today + Duration::days(d)))
            .collect();
        intervals.sort();
        let mut stretches: Vec<(NaiveDateTime, NaiveDateTime)> = Vec::new();
        for (start, end) in intervals {
            match stretches.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => stretches.push((start, end)),
            }
        }
        let horizon = today.and_time(NaiveTime::MIN) + Duration::days(HORIZON_DAYS);
        if let Some(&(_, end)) = stretches.iter().find(|(s, e)| *s <= at && at < *e) {
            return OpenStatus {
                open: true,
                // A stretch reaching the horizon has no closing time we can honestly name.
                closes_at: (end < horizon).then_some(end),
                opens_at: None,
            };
        }
        OpenStatus {
            open: false,
            closes_at: None,
            opens_at: stretches
                .iter()
                .map(|(s, _)| *s)
                .find(|s| *s > at && *s < horizon),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    fn weekly(windows: &[(u8, &str, &str)]) -> OpeningHours {
        OpeningHours {
            weekly: windows
                .iter()
                .map(|(day, open, close)| WeeklyWindow {
                    day: *day,
                    open: (*open).into(),
                    close: (*close).into(),
                })
                .collect(),
            exceptions: vec![],
        }
    }

    fn weekdays(open: &str, close: &str) -> OpeningHours {
        weekly(&(1..=7).map(|d| (d, open, close)).collect::<Vec<_>>())
    }

    // 2026-11-23 is a Monday.

    #[test]
    fn open_from_the_minute_of_opening_to_before_the_minute_of_closing() {
        let hours = weekdays("08:00", "20:00");
        assert!(!hours.status_at(at("2026-11-23 07:59")).open);
        let opening = hours.status_at(at("2026-11-23 08:00"));
        assert!(opening.open);
        assert_eq!(opening.closes_at, Some(at("2026-11-23 20:00")));
        assert!(hours.status_at(at("2026-11-23 19:59")).open);
        let closing = hours.status_at(at("2026-11-23 20:00"));
        assert!(!closing.open);
        assert_eq!(closing.opens_at, Some(at("2026-11-24 08:00")));
    }

    #[test]
    fn a_night_window_runs_into_the_next_morning() {
        // Friday 22:00 to Saturday 06:00 only.
        let hours = weekly(&[(5, "22:00", "06:00")]);
        let friday_night = hours.status_at(at("2026-11-27 23:30"));
        assert!(friday_night.open);
        assert_eq!(friday_night.closes_at, Some(at("2026-11-28 06:00")));
        assert!(hours.status_at(at("2026-11-28 00:00")).open);
        assert!(hours.status_at(at("2026-11-28 05:59")).open);
        assert!(!hours.status_at(at("2026-11-28 06:00")).open);
        // Thursday night is not Friday night.
        let thursday = hours.status_at(at("2026-11-26 23:30"));
        assert!(!thursday.open);
        assert_eq!(thursday.opens_at, Some(at("2026-11-27 22:00")));
    }

    #[test]
    fn touching_windows_close_when_the_doors_do() {
        // Open evenings into the small hours, written as two windows.
        let hours = weekly(&[(1, "18:00", "24:00"), (2, "00:00", "02:00")]);
        let monday = hours.status_at(at("2026-11-23 21:00"));
        assert_eq!(monday.closes_at, Some(at("2026-11-24 02:00")));
        // Round the clock: no closing time within the horizon.
        let always = weekdays("00:00", "24:00");
        let status = always.status_at(at("2026-11-25 03:00"));
        assert!(status.open);
        assert_eq!(status.closes_at, None);
    }

    #[test]
    fn a_holiday_replaces_the_weeks_hours() {
        let mut hours = weekdays("08:00", "20:00");
        let new_year = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        hours.exceptions.push(DateException {
            date: new_year,
            windows: vec![],
            note: "元旦休息".into(),
        });
        hours.exceptions.push(DateException {
            date: NaiveDate::from_ymd_opt(2027, 1, 2).unwrap(),
            windows: vec![DayWindow {
                open: "10:00".into(),
                close: "16:00".into(),
            }],
            note: String::new(),
        });
        let holiday = hours.status_at(at("2027-01-01 12:00"));
        assert!(!holiday.open);
        assert_eq!(holiday.opens_at, Some(at("2027-01-02 10:00")));
        assert_eq!(hours.exception_on(new_year).unwrap().note, "元旦休息");
        assert!(!hours.status_at(at("2027-01-02 09:00")).open);
        assert_eq!(
            hours.status_at(at("2027-01-02 10:00")).closes_at,
            Some(at("2027-01-02 16:00"))
        );
        // The day before is untouched.
        assert!(hours.status_at(at("2026-12-31 19:59")).open);
    }

    #[test]
    fn a_holiday_on_the_opening_day_cancels_the_night_but_not_the_other_way() {
        let mut hours = weekly(&[(5, "22:00", "06:00"), (6, "22:00", "06:00")]);
        // Closed the Saturday: Friday night still runs into Saturday morning.
        hours.exceptions.push(DateException {
            date: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
            windows: vec![],
            note: String::new(),
        });
        assert!(hours.status_at(at("2026-11-28 03:00")).open);
        assert!(!hours.status_at(at("2026-11-28 23:00")).open);
        assert!(!hours.status_at(at("2026-11-29 03:00")).open);
    }

    #[test]
    fn never_open_has_no_times() {
        let status = OpeningHours::default().status_at(at("2026-11-23 12:00"));
        assert_eq!(
            status,
            OpenStatus {
                open: false,
                closes_at: None,
                opens_at: None
            }
        );
    }

    #[test]
    fn bad_hours_are_named() {
        let mut errors = ValidationErrors::new();
        let mut hours = weekly(&[
            (0, "08:00", "20:00"),
            (1, "8:00", "20:00"),
            (2, "09:00", "09:00"),
        ]);
        hours.exceptions = vec![
            DateException {
                date: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
                windows: vec![DayWindow {
                    open: "10:00".into(),
                    close: "25:00".into(),
                }],
                note: String::new(),
            },
            DateException {
                date: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
                windows: vec![],
                note: String::new(),
            },
        ];
        hours.validate("opening_hours", &mut errors);
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "opening_hours.weekly[0].day",
                "opening_hours.weekly[1].open",
                "opening_hours.weekly[2].close",
                "opening_hours.exceptions[0].windows[0].close",
                "opening_hours.exceptions[1].date",
            ]
        );
        let mut ok = ValidationErrors::new();
        weekdays("00:00", "24:00").validate("h", &mut ok);
        weekly(&[(5, "22:00", "06:00")]).validate("h", &mut ok);
        assert!(ok.is_empty(), "{ok:?}");
    }
}
