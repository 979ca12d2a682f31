//! Hours and pay arithmetic, in integers only: minutes worked, fen due, ISO weeks in China
//! time, and the CSV files merchants open in a spreadsheet. No payment is made here.

use crate::ErrorCode;
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use uuid::Uuid;

use crate::Invalid;
use crate::time::{to_display, week_bounds};
use crate::types::{HoursStatus, ShiftPayUnit};

/// Minutes paid for a span: its length less the unpaid break, never below zero. Seconds are
/// dropped (a span is paid by the started minute it ended in, not rounded up).
pub fn worked_minutes(start: DateTime<Utc>, end: DateTime<Utc>, break_minutes: i32) -> i32 {
    let span = (end - start).num_minutes().clamp(0, i64::from(i32::MAX)) as i32;
    (span - break_minutes.max(0)).max(0)
}

/// Fen due for `minutes` at `rate_fen` per `unit`: per hour, minutes × rate ÷ 60 rounded to
/// the nearest fen (halves up); per shift, the whole rate once anything was worked.
pub fn pay_fen(minutes: i32, rate_fen: i64, unit: ShiftPayUnit) -> i64 {
    let minutes = i64::from(minutes.max(0));
    match unit {
        ShiftPayUnit::Hour => (minutes * rate_fen + 30) / 60,
        ShiftPayUnit::Shift if minutes > 0 => rate_fen,
        ShiftPayUnit::Shift => 0,
    }
}

/// "123.45" for 12345 fen, without floating point.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The ISO week (Monday to Sunday, China time) `at` falls in, as `2026-W48`.
pub fn iso_week(at: DateTime<Utc>) -> String {
    let week = to_display(at).iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// The UTC span of an ISO week written `YYYY-Www`: from Monday 00:00 China time to the
/// next Monday 00:00.
pub fn week_span(week: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), Invalid> {
    let invalid = || {
        Invalid::new(
            ErrorCode::InvalidWeek,
            "expected an ISO week such as 2026-W48",
        )
    };
    let (year, number) = week.trim().split_once("-W").ok_or_else(invalid)?;
    let (year, number): (i32, u32) = (
        year.parse().map_err(|_| invalid())?,
        number.parse().map_err(|_| invalid())?,
    );
    let monday = NaiveDate::from_isoywd_opt(year, number, Weekday::Mon).ok_or_else(invalid)?;
    week_bounds(monday).ok_or_else(invalid)
}

/// One worker's line on a shift's pay summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayLine {
    pub claim_id: Uuid,
    pub shift_id: Uuid,
    pub seeker_id: Uuid,
    pub worker: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub hours_status: HoursStatus,
    /// Settled minutes, or the merchant's figure while disputed; `None` before any.
    pub minutes: Option<i32>,
    /// Fen due once settled; `None` until then.
    pub pay_fen: Option<i64>,
    /// What the merchant owes for cancelling the shift late (then `pay_fen` is the same
    /// figure and nothing was worked).
    pub compensation_fen: Option<i64>,
}

/// One worker's week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekTotal {
    pub seeker_id: Uuid,
    pub worker: String,
    pub week: String,
    pub shifts: u32,
    /// Settled minutes and fen only.
    pub minutes: i64,
    pub pay_fen: i64,
    /// Shifts whose hours are not settled yet (unconfirmed or disputed).
    pub unsettled: u32,
}

/// Totals per worker per ISO week (China time, by shift start), ordered by week then
/// worker.
pub fn weekly_totals(lines: &[PayLine]) -> Vec<WeekTotal> {
    let mut totals: BTreeMap<(String, Uuid), WeekTotal> = BTreeMap::new();
    for line in lines {
        let week = iso_week(line.starts_at);
        let total = totals
            .entry((week.clone(), line.seeker_id))
            .or_insert_with(|| WeekTotal {
                seeker_id: line.seeker_id,
                worker: line.worker.clone(),
                week,
                shifts: 0,
                minutes: 0,
                pay_fen: 0,
                unsettled: 0,
            });
        total.shifts += 1;
        match line.pay_fen {
            Some(fen) if line.compensation_fen.is_some() => total.pay_fen += fen,
            Some(fen) if line.hours_status.is_settled() => {
                total.minutes += i64::from(line.minutes.unwrap_or(0));
                total.pay_fen += fen;
            }
            _ => total.unsettled += 1,
        }
    }
    totals.into_values().collect()
}

/// A CSV document as spreadsheet programs read Chinese text: UTF-8 with a byte-order mark,
/// CRLF line ends, fields quoted when they hold a comma, quote or line break.
#[derive(Debug, Clone)]
pub struct Csv(String);

impl Default for Csv {
    fn default() -> Self {
        Self("\u{feff}".to_owned())
    }
}

impl Csv {
    pub fn row<S: AsRef<str>>(&mut self, fields: &[S]) {
        let cells: Vec<String> = fields.iter().map(|f| quote(f.as_ref())).collect();
        self.0.push_str(&cells.join(","));
        self.0.push_str("\r\n");
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

fn quote(field: &str) -> String {
    // A leading =, +, - or @ makes spreadsheets evaluate a formula: neutralise it.
    let field = if field.starts_with(['=', '+', '-', '@']) && field.parse::<f64>().is_err() {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

fn local(at: DateTime<Utc>, format: &str) -> String {
    to_display(at).format(format).to_string()
}

fn status_zh(status: HoursStatus) -> &'static str {
    match status {
        HoursStatus::Unconfirmed => "待确认",
        HoursStatus::Confirmed => "已确认",
        HoursStatus::AutoConfirmed => "自动确认",
        HoursStatus::Disputed => "有争议",
        HoursStatus::Resolved => "已裁定",
    }
}

/// A shift's pay summary as CSV.
pub fn lines_csv(lines: &[PayLine]) -> String {
    let mut csv = Csv::default();
    csv.row(&[
        "日期",
        "开始",
        "结束",
        "工人",
        "工时状态",
        "工时(分钟)",
        "应付(分)",
        "应付(元)",
    ]);
    for line in lines {
        csv.row(&[
            local(line.starts_at, "%Y-%m-%d"),
            local(line.starts_at, "%H:%M"),
            local(line.ends_at, "%m-%d %H:%M"),
            line.worker.clone(),
            status_zh(line.hours_status).to_owned(),
            line.minutes.map(|m| m.to_string()).unwrap_or_default(),
            line.pay_fen.map(|f| f.to_string()).unwrap_or_default(),
            line.pay_fen.map(yuan).unwrap_or_default(),
        ]);
    }
    csv.into_string()
}

/// Weekly totals as CSV.
pub fn weekly_csv(totals: &[WeekTotal]) -> String {
    let mut csv = Csv::default();
    csv.row(&[
        "周",
        "工人",
        "班次",
        "已结工时(分钟)",
        "应付(分)",
        "应付(元)",
        "未结班次",
    ]);
    for t in totals {
        csv.row(&[
            t.week.clone(),
            t.worker.clone(),
            t.shifts.to_string(),
            t.minutes.to_string(),
            t.pay_fen.to_string(),
            yuan(t.pay_fen),
            t.unsettled.to_string(),
        ]);
    }
    csv.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gigs::utc;
    use chrono::Duration;

    #[test]
    fn minutes_drop_the_break_and_never_go_negative() {
        let start = utc("2026-11-28T10:00:00+08:00");
        assert_eq!(
            worked_minutes(start, utc("2026-11-28T18:00:00+08:00"), 30),
            450
        );
        // Across midnight.
        assert_eq!(
            worked_minutes(
                utc("2026-11-28T22:00:00+08:00"),
                utc("2026-11-29T04:00:00+08:00"),
                0
            ),
            360
        );
        assert_eq!(
            worked_minutes(start, utc("2026-11-28T10:20:00+08:00"), 30),
            0
        );
        assert_eq!(
            worked_minutes(start, utc("2026-11-28T09:00:00+08:00"), 0),
            0
        );
        // Seconds are not paid as a whole minute.
        assert_eq!(
            worked_minutes(start, utc("2026-11-28T10:01:59+08:00"), 0),
            1
        );
    }

    #[test]
    fn pay_is_minutes_times_rate_rounded_to_the_fen() {
        // 7.5 h at 25.00 yuan an hour.
        assert_eq!(pay_fen(450, 2_500, ShiftPayUnit::Hour), 18_750);
        // 1 minute at 25.00: 41.67 fen → 42.
        assert_eq!(pay_fen(1, 2_500, ShiftPayUnit::Hour), 42);
        // 1 minute at 23.10: 38.5 fen → 39 (halves up).
        assert_eq!(pay_fen(1, 2_310, ShiftPayUnit::Hour), 39);
        assert_eq!(pay_fen(0, 2_500, ShiftPayUnit::Hour), 0);
        assert_eq!(pay_fen(200, 15_000, ShiftPayUnit::Shift), 15_000);
        assert_eq!(pay_fen(0, 15_000, ShiftPayUnit::Shift), 0);
        // The largest figures stay exact.
        assert_eq!(
            pay_fen(24 * 60, crate::types::PayFen::MAX, ShiftPayUnit::Hour),
            24 * crate::types::PayFen::MAX
        );
    }

    #[test]
    fn yuan_is_formatted_from_integers() {
        assert_eq!(yuan(18_750), "187.50");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(-120), "-1.20");
    }

    #[test]
    fn weeks_are_iso_weeks_in_china_time() {
        // Sunday 23:30 in Suzhou is still the week that began on Monday 23 November.
        assert_eq!(iso_week(utc("2026-11-29T23:30:00+08:00")), "2026-W48");
        assert_eq!(iso_week(utc("2026-11-30T00:10:00+08:00")), "2026-W49");
        let (start, end) = week_span("2026-W48").unwrap();
        assert_eq!(start, utc("2026-11-23T00:00:00+08:00"));
        assert_eq!(end, utc("2026-11-30T00:00:00+08:00"));
        for bad in ["2026-48", "2026-W54", "W48", "2026-Wxx"] {
            assert!(week_span(bad).is_err(), "{bad}");
        }
    }

    fn line(seeker: Uuid, start: &str, status: HoursStatus, minutes: i32, fen: i64) -> PayLine {
        PayLine {
            claim_id: Uuid::now_v7(),
            shift_id: Uuid::now_v7(),
            seeker_id: seeker,
            worker: "王芳".into(),
            starts_at: utc(start),
            ends_at: utc(start) + Duration::hours(8),
            hours_status: status,
            minutes: Some(minutes),
            pay_fen: status.is_settled().then_some(fen),
            compensation_fen: None,
        }
    }

    #[test]
    fn weekly_totals_count_settled_pay_only() {
        let a = Uuid::now_v7();
        let lines = vec![
            line(
                a,
                "2026-11-28T10:00:00+08:00",
                HoursStatus::Confirmed,
                450,
                18_750,
            ),
            line(
                a,
                "2026-11-29T10:00:00+08:00",
                HoursStatus::AutoConfirmed,
                480,
                20_000,
            ),
            line(
                a,
                "2026-11-27T10:00:00+08:00",
                HoursStatus::Disputed,
                400,
                0,
            ),
            line(
                a,
                "2026-12-01T10:00:00+08:00",
                HoursStatus::Resolved,
                60,
                2_500,
            ),
        ];
        let totals = weekly_totals(&lines);
        assert_eq!(totals.len(), 2);
        assert_eq!(
            (
                totals[0].week.as_str(),
                totals[0].shifts,
                totals[0].minutes,
                totals[0].pay_fen,
                totals[0].unsettled
            ),
            ("2026-W48", 3, 930, 38_750, 1)
        );
        assert_eq!(
            (totals[1].week.as_str(), totals[1].pay_fen),
            ("2026-W49", 2_500)
        );
    }

    #[test]
    fn csv_has_a_bom_crlf_and_quoted_fields() {
        let mut csv = Csv::default();
        csv.row(&["姓名", "备注"]);
        csv.row(&["王芳", "晚到, 说\"堵车\""]);
        csv.row(&["=HYPERLINK(\"x\")", "-5"]);
        let text = csv.into_string();
        assert!(text.starts_with('\u{feff}'));
        assert_eq!(
            text.trim_start_matches('\u{feff}'),
            "姓名,备注\r\n王芳,\"晚到, 说\"\"堵车\"\"\"\r\n\"'=HYPERLINK(\"\"x\"\")\",-5\r\n"
        );
    }
}
