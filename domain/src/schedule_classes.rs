//! Coarse weekly classes of working time, derived from structured slots or from a posting's
//! words, so a weekends-only job is never offered to someone free only on weekday evenings.
//!
//! The four classes, in China Standard Time:
//!
//! | class | when |
//! |---|---|
//! | [`ScheduleClass::WeekdayDay`] | Monday to Friday, 06:00–18:00 |
//! | [`ScheduleClass::WeekdayEvening`] | Monday to Friday, 18:00–24:00 |
//! | [`ScheduleClass::Weekend`] | Saturday and Sunday, 06:00–24:00 |
//! | [`ScheduleClass::Night`] | any day, 00:00–06:00 |
//!
//! Adjacent slots are joined first (a window ending at 24:00 continues into the next day's
//! 00:00), so a 22:00–07:00 night shift is one stretch of work. A stretch belongs to every
//! class it spends more than two hours in; a stretch that spends more than two hours in none
//! (a short shift) belongs to the class it spends most of its time in. That way the two
//! evening hours of a 22:00–07:00 shift do not make it an evening job, a 17:00–23:00 shift is
//! an evening job and not a day job, and a 05:00–13:00 bakery shift is a day job.
//!
//! Posting texts say when the work is in a handful of set phrases (双休, 早9晚6, 夜班,
//! 周末两天, 17点到23点…); [`schedule_from_text`] turns them into slots, and says nothing
//! (`None`) when the text gives no times or says the hours rotate (排班制, 轮休), because a
//! guess would exclude people wrongly. The search index uses the same functions.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::types::{TimeSlot, WeeklySchedule, minutes_of};

/// One coarse class of weekly time; see the module documentation for the exact hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleClass {
    WeekdayDay,
    WeekdayEvening,
    Weekend,
    Night,
}

impl ScheduleClass {
    pub const ALL: [ScheduleClass; 4] = [
        Self::WeekdayDay,
        Self::WeekdayEvening,
        Self::Weekend,
        Self::Night,
    ];

    /// Stable code, e.g. for a search filter.
    pub fn code(self) -> &'static str {
        match self {
            Self::WeekdayDay => "weekday_day",
            Self::WeekdayEvening => "weekday_evening",
            Self::Weekend => "weekend",
            Self::Night => "night",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::WeekdayDay => "工作日白天",
            Self::WeekdayEvening => "工作日晚上",
            Self::Weekend => "周末",
            Self::Night => "夜里",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`ScheduleClass`]es.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ScheduleClasses(u8);

const MINUTES_PER_DAY: usize = 24 * 60;
const MINUTES_PER_WEEK: usize = 7 * MINUTES_PER_DAY;
/// A stretch belongs to a class it spends more than this many minutes in.
const CLASS_MINUTES: usize = 120;

impl ScheduleClasses {
    pub fn new(classes: &[ScheduleClass]) -> Self {
        let mut set = Self::default();
        for class in classes {
            set.insert(*class);
        }
        set
    }

    pub fn insert(&mut self, class: ScheduleClass) {
        self.0 |= class.bit();
    }

    pub fn contains(self, class: ScheduleClass) -> bool {
        self.0 & class.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether the two sets share a class.
    pub fn overlaps(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    pub fn iter(self) -> impl Iterator<Item = ScheduleClass> {
        ScheduleClass::ALL
            .into_iter()
            .filter(move |c| self.contains(*c))
    }

    /// "工作日晚上、周末".
    pub fn label_zh(self) -> String {
        self.iter()
            .map(ScheduleClass::label_zh)
            .collect::<Vec<_>>()
            .join("、")
    }

    /// The classes of a schedule's slots; `None` when it has no valid slot (only weekly
    /// hours, or nothing), which means "not known", never "no time at all".
    pub fn of(schedule: &WeeklySchedule) -> Option<Self> {
        let mut busy = vec![false; MINUTES_PER_WEEK];
        let mut any = false;
        for slot in &schedule.slots {
            let (Some(start), Some(end)) = (minutes_of(&slot.start), minutes_of(&slot.end)) else {
                continue;
            };
            if !(1..=7).contains(&slot.day) || end <= start {
                continue;
            }
            let base = usize::from(slot.day - 1) * MINUTES_PER_DAY;
            busy[base + usize::from(start)..base + usize::from(end)].fill(true);
            any = true;
        }
        if !any {
            return None;
        }
        let mut classes = Self::default();
        for stretch in stretches(&busy) {
            classes.0 |= classify(&stretch).0;
        }
        Some(classes)
    }
}

/// The class of one minute of the week (0 = Monday 00:00).
fn class_at(minute: usize) -> ScheduleClass {
    let day = minute / MINUTES_PER_DAY; // 0 = Monday
    let of_day = minute % MINUTES_PER_DAY;
    if of_day < 6 * 60 {
        ScheduleClass::Night
    } else if day >= 5 {
        ScheduleClass::Weekend
    } else if of_day < 18 * 60 {
        ScheduleClass::WeekdayDay
    } else {
        ScheduleClass::WeekdayEvening
    }
}

/// Maximal runs of busy minutes, each as the list of its minutes, joined across the end
/// of the week (Sunday night into Monday morning).
fn stretches(busy: &[bool]) -> Vec<Vec<usize>> {
    if busy.iter().all(|b| *b) {
        return vec![(0..busy.len()).collect()];
    }
    // Start scanning just after a free minute, so no run is cut in two by the wrap.
    let first_free = busy.iter().position(|b| !*b).unwrap_or(0);
    let mut out = Vec::new();
    let mut current = Vec::new();
    for step in 1..=busy.len() {
        let minute = (first_free + step) % busy.len();
        if busy[minute] {
            current.push(minute);
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn classify(stretch: &[usize]) -> ScheduleClasses {
    // Minutes per contiguous (day, class) piece: a stretch over several days counts each
    // day's piece on its own, so Monday to Friday evenings of two hours each stay short.
    let mut pieces: Vec<(usize, ScheduleClass, usize)> = Vec::new();
    for &minute in stretch {
        let key = (minute / MINUTES_PER_DAY, class_at(minute));
        match pieces.last_mut() {
            Some((day, class, n)) if (*day, *class) == key => *n += 1,
            _ => pieces.push((key.0, key.1, 1)),
        }
    }
    let mut classes = ScheduleClasses::default();
    for (_, class, n) in &pieces {
        if *n > CLASS_MINUTES {
            classes.insert(*class);
        }
    }
    if classes.is_empty() {
        let longest = pieces.iter().map(|(_, _, n)| *n).max().unwrap_or(0);
        for (_, class, n) in &pieces {
            if *n == longest {
                classes.insert(*class);
            }
        }
    }
    classes
}

// ---------------------------------------------------------------------------------------
// Reading a posting's text.

/// Days 1 (Monday) to 7 (Sunday) as a bit set.
type Days = u8;
const WEEKDAYS: Days = 0b0001_1111;
const WEEKEND: Days = 0b0110_0000;
const MON_TO_SAT: Days = 0b0011_1111;
const EVERY_DAY: Days = 0b0111_1111;

/// Phrases that say the hours are set by a roster: nothing can be concluded from the text.
static ROTATING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"排班|轮休|轮班|倒班|班倒|做一休一|做二休一|上一休一|弹性|时间灵活|时间自由|自由安排|自己安排|灵活安排|随时")
        .expect("valid regex")
});

/// (pattern, days), tried in order on each clause; a match removes its text so shorter
/// patterns (周末 in 周末双休) do not fire again.
static DAY_PHRASES: LazyLock<Vec<(Regex, Days)>> = LazyLock::new(|| {
    let day = r"(?:周|星期|礼拜)";
    let to = r"(?:至|到|-|~|—|－|～)";
    // Order matters: 周末双休 (weekends off) before 周末, 双休日 (the weekend) before 双休
    // (weekends off).
    [
        (format!(r"{day}[一1]{to}{day}?[日天7]"), EVERY_DAY),
        (
            format!(r"{day}[一1]{to}{day}?[六6]|单休|做六休一"),
            MON_TO_SAT,
        ),
        (r"周末双休|周末休|周末不上班".to_owned(), WEEKDAYS),
        (r"双休日|节假日".to_owned(), WEEKEND),
        (
            format!(r"{day}[一1]{to}{day}?[五5]|工作日|双休|做五休二|五天八小时|大小周"),
            WEEKDAYS,
        ),
        (
            format!(r"周末|{day}[六6][日天7]|{day}[六6](?:、|和|及|与|/|或)?{day}[日天7]"),
            WEEKEND,
        ),
        (format!(r"{day}[六6]"), 1 << 5),
        (format!(r"{day}[日天7]"), 1 << 6),
    ]
    .into_iter()
    .map(|(pattern, days)| (Regex::new(&pattern).expect("valid regex"), days))
    .collect()
});

/// A number of hours written in digits or Chinese (九, 十一, 两).
const HOUR: &str = r"(\d{1,2}|[零一二两三四五六七八九十]{1,3})";
const TIME_PREFIX: &str =
    r"(早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜间|凌晨|次日凌晨|次日早上|次日|第二天|早|晚)?";

/// `9:00-18:00`, `9点至18点`, `晚上6点到10点`, `22点至次日7点`, `早9晚6`.
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    let time = format!(r"{TIME_PREFIX}\s*{HOUR}(?:(?::|点)(\d{{2}}|半)?)?");
    Regex::new(&format!(r"{time}\s*(?:-|~|—|－|～|至|到)\s*{time}")).expect("valid regex")
});
static EARLY_LATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"[早朝]{HOUR}晚{HOUR}")).expect("valid regex"));

/// Named shifts when no clock times are given: (pattern, start, end) in minutes, an end
/// past 24:00 continuing into the next day.
static SHIFTS: LazyLock<Vec<(Regex, u16, u16)>> = LazyLock::new(|| {
    [
        (r"夜班|通宵|大夜|夜间", 22 * 60, 30 * 60),
        (r"晚班|晚上|晚间|夜场", 17 * 60, 23 * 60),
        (r"早班|早上|早晨|上午", 7 * 60, 12 * 60),
        (r"白班|全天|日班", 9 * 60, 18 * 60),
        (r"下午", 13 * 60, 18 * 60),
    ]
    .into_iter()
    .map(|(p, s, e)| (Regex::new(p).expect("valid regex"), s, e))
    .collect()
});

/// A small Chinese or Arabic number (0 to 99).
pub fn small_number(text: &str) -> Option<u32> {
    if let Ok(n) = text.parse::<u32>() {
        return Some(n);
    }
    let digit = |c: char| -> Option<u32> {
        Some(match c {
            '零' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    let chars: Vec<char> = text.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', c] => Some(10 + digit(*c)?),
        [c, '十'] => Some(digit(*c)? * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        _ => None,
    }
}

/// Full-width digits, colons and dashes as ASCII, so one set of patterns reads both.
fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '：' => ':',
            '－' | '—' | '–' | '～' | '〜' => '-',
            _ => c,
        })
        .collect()
}

/// Minutes of a written time, or `None` when it is not one.
fn time_of(
    prefix: Option<&str>,
    hour: &str,
    minute: Option<&str>,
    after_start: Option<u16>,
) -> Option<u16> {
    let mut h = small_number(hour)?;
    if h > 24 {
        return None;
    }
    let m = match minute {
        Some("半") => 30,
        Some(m) => m.parse::<u32>().ok().filter(|m| *m < 60)?,
        None => 0,
    };
    let next_day = prefix.is_some_and(|p| p.starts_with("次日") || p == "第二天");
    match prefix.map(|p| p.trim_start_matches("次日")) {
        Some("下午" | "傍晚" | "晚上" | "晚" | "夜里" | "夜间") if h < 12 => h += 12,
        Some("中午") if h < 6 => h += 12,
        _ => {}
    }
    let mut minutes = (h * 60 + m) as u16;
    if next_day {
        minutes += 24 * 60;
    } else if let Some(start) = after_start
        && minutes <= start
    {
        // An end before its start: "9点到6点" and "晚上6点到10点" mean the evening of the
        // same day, "20点至2点" and "晚上10点到早上6点" the next morning.
        minutes += if prefix.is_none() && minutes < 12 * 60 && minutes + 12 * 60 > start {
            12 * 60
        } else {
            24 * 60
        };
    }
    Some(minutes)
}

/// Clock-time windows of one clause, in minutes (an end past 24:00 is the next day).
fn windows_in(clause: &str) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    let mut rest = clause.to_owned();
    for caps in EARLY_LATE.captures_iter(clause) {
        if let (Some(s), Some(e)) = (small_number(&caps[1]), small_number(&caps[2]))
            && (5..=12).contains(&s)
            && (1..=12).contains(&e)
        {
            out.push(((s * 60) as u16, ((e + 12) * 60) as u16));
        }
        rest = rest.replace(&caps[0], " ");
    }
    for caps in RANGE.captures_iter(&rest) {
        let (p1, h1, m1) = (caps.get(1), &caps[2], caps.get(3));
        let (p2, h2, m2) = (caps.get(4), &caps[5], caps.get(6));
        let whole = &caps[0];
        // Bare "9-18" is as likely a pay band or an age as a time: only times that say
        // they are times (a colon, 点, or 早/晚) count.
        if !(whole.contains(':') || whole.contains('点') || p1.is_some() || p2.is_some()) {
            continue;
        }
        let Some(start) = time_of(p1.map(|m| m.as_str()), h1, m1.map(|m| m.as_str()), None) else {
            continue;
        };
        let Some(end) = time_of(
            p2.map(|m| m.as_str()),
            h2,
            m2.map(|m| m.as_str()),
            Some(start),
        ) else {
            continue;
        };
        if start < 24 * 60 && end > start && end - start <= 16 * 60 {
            out.push((start, end));
        }
    }
    if out.is_empty() {
        for (pattern, start, end) in SHIFTS.iter() {
            if pattern.is_match(clause) {
                out.push((*start, *end));
                break;
            }
        }
    }
    out
}

fn days_in(clause: &str) -> Days {
    let mut rest = clause.to_owned();
    let mut days = 0;
    for (pattern, d) in DAY_PHRASES.iter() {
        if pattern.is_match(&rest) {
            days |= d;
            rest = pattern.replace_all(&rest, " ").into_owned();
        }
    }
    days
}

fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn push_window(slots: &mut Vec<TimeSlot>, days: Days, (start, end): (u16, u16)) {
    for day in 1..=7u8 {
        if days & (1 << (day - 1)) == 0 {
            continue;
        }
        let day_end = 24 * 60;
        slots.push(TimeSlot {
            day,
            start: hhmm(start),
            end: hhmm(end.min(day_end)),
        });
        if end > day_end {
            slots.push(TimeSlot {
                day: day % 7 + 1,
                start: "00:00".into(),
                end: hhmm(end - day_end),
            });
        }
    }
}

/// The weekly windows a posting's text states, or `None` when it states none or says they
/// rotate. Days without hours are taken as daytime (09:00–18:00); hours without days as
/// every day.
pub fn schedule_from_text(text: &str) -> Option<WeeklySchedule> {
    let text = normalise(text);
    if ROTATING.is_match(&text) {
        return None;
    }
    let mut slots = Vec::new();
    let (mut loose_days, mut loose_windows): (Days, Vec<(u16, u16)>) = (0, Vec::new());
    for clause in text.split([
        '，', '。', '；', ';', ',', '\n', '！', '!', '（', '）', '(', ')',
    ]) {
        let days = days_in(clause);
        let windows = windows_in(clause);
        match (days, windows.is_empty()) {
            (0, true) => {}
            (0, false) => loose_windows.extend(windows),
            (d, true) => loose_days |= d,
            (d, false) => {
                for w in windows {
                    push_window(&mut slots, d, w);
                }
            }
        }
    }
    match (loose_days, loose_windows.is_empty()) {
        (0, true) => {}
        (0, false) if slots.is_empty() => {
            for w in loose_windows {
                push_window(&mut slots, EVERY_DAY, w);
            }
        }
        // Hours in one clause and days in another ("双休，早9晚6") go together.
        (d, false) => {
            for w in loose_windows {
                push_window(&mut slots, d, w);
            }
        }
        (d, true) => push_window(&mut slots, d, (9 * 60, 18 * 60)),
    }
    if slots.is_empty() {
        return None;
    }
    slots.sort_by(|a, b| (a.day, &a.start).cmp(&(b.day, &b.start)));
    slots.dedup();
    Some(WeeklySchedule {
        slots,
        weekly_hours: None,
    })
}

/// The classes a posting's text states; `None` when unknown.
pub fn classes_from_text(text: &str) -> Option<ScheduleClasses> {
    ScheduleClasses::of(&schedule_from_text(text)?)
}

#[cfg(test)]
mod tests {
    use super::ScheduleClass::*;
    use super::*;

    fn slots(list: &[(u8, &str, &str)]) -> WeeklySchedule {
        WeeklySchedule {
            slots: list
                .iter()
                .map(|(day, start, end)| TimeSlot {
                    day: *day,
                    start: (*start).into(),
                    end: (*end).into(),
                })
                .collect(),
            weekly_hours: None,
        }
    }

    fn every(days: std::ops::RangeInclusive<u8>, start: &str, end: &str) -> WeeklySchedule {
        let list: Vec<(u8, &str, &str)> = days.map(|d| (d, start, end)).collect();
        slots(&list)
    }

    fn set(classes: &[ScheduleClass]) -> Option<ScheduleClasses> {
        Some(ScheduleClasses::new(classes))
    }

    #[test]
    fn slots_fall_into_classes() {
        assert_eq!(
            ScheduleClasses::of(&every(1..=5, "09:00", "18:00")),
            set(&[WeekdayDay])
        );
        assert_eq!(
            ScheduleClasses::of(&every(1..=5, "18:00", "22:00")),
            set(&[WeekdayEvening])
        );
        assert_eq!(
            ScheduleClasses::of(&every(6..=7, "10:00", "18:00")),
            set(&[Weekend])
        );
        // A weekend evening is weekend time.
        assert_eq!(
            ScheduleClasses::of(&every(6..=7, "18:00", "23:00")),
            set(&[Weekend])
        );
        // 17:00–23:00 is an evening shift: its one daytime hour does not count.
        assert_eq!(
            ScheduleClasses::of(&every(1..=5, "17:00", "23:00")),
            set(&[WeekdayEvening])
        );
        // A long day spans both.
        assert_eq!(
            ScheduleClasses::of(&every(1..=5, "10:00", "22:00")),
            set(&[WeekdayDay, WeekdayEvening])
        );
        // A short shift belongs to where it mostly is.
        assert_eq!(
            ScheduleClasses::of(&every(2..=2, "19:00", "20:30")),
            set(&[WeekdayEvening])
        );
        // An early bakery shift is a day shift.
        assert_eq!(
            ScheduleClasses::of(&every(1..=7, "05:00", "13:00")),
            set(&[WeekdayDay, Weekend])
        );
        assert_eq!(ScheduleClasses::of(&WeeklySchedule::default()), None);
        assert_eq!(
            ScheduleClasses::of(&WeeklySchedule {
                slots: vec![],
                weekly_hours: Some(20)
            }),
            None
        );
    }

    #[test]
    fn a_night_shift_across_midnight_is_night_only() {
        // 22:00–07:00, Monday to Friday nights, written as two windows a night.
        let mut list = Vec::new();
        for d in 1..=5u8 {
            list.push((d, "22:00", "24:00"));
            list.push((d + 1, "00:00", "07:00"));
        }
        assert_eq!(ScheduleClasses::of(&slots(&list)), set(&[Night]));
        // Sunday night into Monday morning is joined across the end of the week.
        assert_eq!(
            ScheduleClasses::of(&slots(&[(7, "23:00", "24:00"), (1, "00:00", "06:00")])),
            set(&[Night])
        );
        // Free around the clock: every class.
        assert_eq!(
            ScheduleClasses::of(&every(1..=7, "00:00", "24:00")),
            set(&[WeekdayDay, WeekdayEvening, Weekend, Night])
        );
    }

    #[test]
    fn sets_overlap_and_read_in_chinese() {
        let weekend = ScheduleClasses::new(&[Weekend]);
        let evenings = ScheduleClasses::new(&[WeekdayEvening, Weekend]);
        assert!(weekend.overlaps(evenings));
        assert!(!weekend.overlaps(ScheduleClasses::new(&[WeekdayEvening])));
        assert_eq!(evenings.label_zh(), "工作日晚上、周末");
    }

    fn text(t: &str) -> Option<ScheduleClasses> {
        classes_from_text(t)
    }

    #[test]
    fn weekday_phrases() {
        for t in [
            "双休，五险一金",
            "做五休二",
            "周一至周五上班",
            "周一到周五 9:00-18:00",
            "周末双休，早9晚6",
            "工作时间：朝九晚五，周末休息",
            "星期一至星期五",
        ] {
            assert_eq!(text(t), set(&[WeekdayDay]), "{t}");
        }
    }

    #[test]
    fn clock_times_without_days_mean_every_day() {
        assert_eq!(text("早9晚6"), set(&[WeekdayDay, Weekend]));
        assert_eq!(text("上班时间9:00-18:00"), set(&[WeekdayDay, Weekend]));
        assert_eq!(
            text("工作时间 ９：００－１８：００"),
            set(&[WeekdayDay, Weekend])
        );
        assert_eq!(
            text("营业时间10点至22点"),
            set(&[WeekdayDay, WeekdayEvening, Weekend])
        );
        assert_eq!(
            schedule_from_text("早九晚六").unwrap().slots[0],
            TimeSlot {
                day: 1,
                start: "09:00".into(),
                end: "18:00".into()
            }
        );
    }

    #[test]
    fn nights() {
        for t in [
            "夜班保安",
            "22点至次日7点",
            "晚上10点到早上6点",
            "通宵班，包夜宵",
            "22:00-06:00",
        ] {
            assert_eq!(text(t), set(&[Night]), "{t}");
        }
        let s = schedule_from_text("周一至周五22点至次日7点").unwrap();
        assert!(s.slots.contains(&TimeSlot {
            day: 6,
            start: "00:00".into(),
            end: "07:00".into()
        }));
        assert!(s.validate("schedule").is_ok());
    }

    #[test]
    fn weekends() {
        for t in [
            "周末兼职",
            "周末两天，10:00-18:00",
            "仅周六日上班",
            "周六、周日全天",
            "周六和周日 9点到17点",
            "双休日及节假日",
        ] {
            assert_eq!(text(t), set(&[Weekend]), "{t}");
        }
        assert_eq!(text("每周六上午"), set(&[Weekend]));
    }

    #[test]
    fn evenings() {
        assert_eq!(text("晚班"), set(&[WeekdayEvening, Weekend]));
        assert_eq!(text("17点到23点"), set(&[WeekdayEvening, Weekend]));
        assert_eq!(text("周一至周五晚上6点到10点"), set(&[WeekdayEvening]));
        assert_eq!(text("工作日晚上18:00-22:00"), set(&[WeekdayEvening]));
        assert_eq!(
            text("周一至周五晚上6点到10点，周末全天"),
            set(&[WeekdayEvening, Weekend])
        );
    }

    #[test]
    fn rosters_and_silence_are_unknown() {
        for t in [
            "排班制，月休4天",
            "轮休",
            "三班倒",
            "做一休一，早9晚6",
            "时间灵活，可自由安排",
            "负责收银和理货",
            "",
            "月薪4000-6000元",
            "要求18-45岁",
        ] {
            assert_eq!(text(t), None, "{t}");
        }
    }

    #[test]
    fn chinese_numbers() {
        assert_eq!(small_number("十一"), Some(11));
        assert_eq!(small_number("两"), Some(2));
        assert_eq!(small_number("二十"), Some(20));
        assert_eq!(small_number("二十三"), Some(23));
        assert_eq!(small_number("15"), Some(15));
        assert_eq!(small_number("个"), None);
    }
}
