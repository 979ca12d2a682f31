//! Gig postings with dated shifts: the matcher proposes the open shifts a seeker is free
//! for, and weighs the worker's reliability without penalising newcomers.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use doorstep_domain::entities::{business, posting, seeker_profile, shift};
use doorstep_domain::gigs::reliability::Reliability;
use doorstep_domain::time::shanghai;
use doorstep_domain::types::{
    PostingKind, ShiftPayUnit, ShiftStatus, StringList, TimeSlot, WeeklySchedule,
};
use uuid::Uuid;

use crate::assess::{
    Excluded, JobText, RELIABILITY_FLOOR, SeekerText, assess_with, reliability_multiplier,
    shift_windows,
};
use crate::tests::{cafe_posting, seeker};
use crate::weights::Weights;

fn at(day: NaiveDate, h: u32) -> DateTime<Utc> {
    shanghai()
        .from_local_datetime(&day.and_hms_opt(h, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

/// The next Saturday (China time) at least two days away.
fn saturday() -> NaiveDate {
    let mut day = (Utc::now() + Duration::days(2))
        .with_timezone(&shanghai())
        .date_naive();
    while chrono::Datelike::weekday(&day) != chrono::Weekday::Sat {
        day += Duration::days(1);
    }
    day
}

/// A supermarket's gig posting (the café fixture, re-purposed): no weekly hours, its
/// dated shifts say when.
fn gig() -> (posting::Model, business::Model) {
    let (mut p, b) = cafe_posting("临时理货员", &["理货"], WeeklySchedule::default());
    p.kind = PostingKind::Gig;
    p.category = "retail_sales".into();
    p.description = "周末客流高峰临时理货、补货。".into();
    (p, b)
}

fn shift_of(
    p: &posting::Model,
    start: DateTime<Utc>,
    hours: i64,
    places: i32,
    claimed: i32,
) -> shift::Model {
    shift::Model {
        id: Uuid::now_v7(),
        posting_id: p.id,
        business_id: p.business_id,
        starts_at: start,
        ends_at: start + Duration::hours(hours),
        places,
        claimed,
        pay_fen: 2_500,
        pay_unit: ShiftPayUnit::Hour,
        break_minutes: 0,
        address: p.address.clone(),
        lat: p.lat,
        lon: p.lon,
        geofence_m: 200,
        status: ShiftStatus::Open,
        favourites_until: None,
        opened_at: Some(Utc::now()),
        changed_at: None,
        cancel_reason: None,
        created_by: Uuid::nil(),
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn worker(free: Vec<TimeSlot>) -> seeker_profile::Model {
    let mut s = seeker(
        &["理货", "收银"],
        WeeklySchedule {
            slots: free,
            weekly_hours: None,
        },
    );
    s.desired_categories = StringList(vec!["retail_sales".into()]);
    s.desired_kinds = StringList(vec!["gig".into()]);
    s
}

fn slot(day: u8, start: &str, end: &str) -> TimeSlot {
    TimeSlot {
        day,
        start: start.into(),
        end: end.into(),
    }
}

fn assess_gig(
    p: &posting::Model,
    b: &business::Model,
    s: &seeker_profile::Model,
    shifts: &[shift::Model],
    reliability: Option<Reliability>,
) -> Result<crate::Assessment, Excluded> {
    let now = Utc::now();
    assess_with(
        p,
        b,
        s,
        now,
        &JobText::of(p).with_shifts(shifts, now),
        &SeekerText::of(s).with_reliability(reliability),
        &Weights::builtin(),
    )
}

#[test]
fn proposes_the_open_shifts_a_seeker_is_free_for() {
    let (p, b) = gig();
    let sat = saturday();
    let shifts = vec![
        shift_of(&p, at(sat, 10), 8, 3, 0),
        // Sunday afternoon is full.
        shift_of(&p, at(sat + Duration::days(1), 13), 4, 2, 2),
    ];
    let free_saturday = worker(vec![slot(6, "09:00", "20:00")]);
    let found = assess_gig(&p, &b, &free_saturday, &shifts, None).expect("a match");
    assert!(
        found.explanation.starts_with(&format!(
            "可接班次：{}月{}日 周六 10:00-18:00",
            chrono::Datelike::month(&sat),
            chrono::Datelike::day(&sat)
        )),
        "{}",
        found.explanation
    );
    // Free only for the full Sunday shift, or on weekday evenings: nothing to propose.
    let free_sunday = worker(vec![slot(7, "12:00", "18:00")]);
    assert_eq!(
        assess_gig(&p, &b, &free_sunday, &shifts, None).unwrap_err(),
        Excluded::NoShiftFits
    );
    // Every place taken: the posting proposes nothing to anyone.
    let full: Vec<_> = shifts
        .iter()
        .map(|s| shift::Model {
            claimed: s.places,
            ..s.clone()
        })
        .collect();
    assert_eq!(
        assess_gig(&p, &b, &free_saturday, &full, None).unwrap_err(),
        Excluded::NoOpenShift
    );
    // A gig posting without dated shifts is read by its weekly schedule, as before.
    assert!(assess_gig(&p, &b, &free_saturday, &[], None).is_ok());
}

#[test]
fn a_night_shift_needs_free_time_on_both_days() {
    let (p, b) = gig();
    let fri = saturday() - Duration::days(1);
    let night = vec![shift_of(&p, at(fri, 22), 6, 2, 0)];
    let windows = shift_windows(night[0].starts_at, night[0].ends_at);
    assert_eq!(
        windows.slots,
        vec![slot(5, "22:00", "24:00"), slot(6, "00:00", "04:00")]
    );
    // Free from ten until three in the morning: the shift runs to four.
    let till_three = worker(vec![slot(5, "22:00", "24:00"), slot(6, "00:00", "03:00")]);
    assert_eq!(
        assess_gig(&p, &b, &till_three, &night, None).unwrap_err(),
        Excluded::NoShiftFits
    );
    let night_owl = worker(vec![slot(5, "20:00", "24:00"), slot(6, "00:00", "06:00")]);
    assert!(assess_gig(&p, &b, &night_owl, &night, None).is_ok());
}

#[test]
fn reliability_moves_gig_scores_but_newcomers_are_not_penalised() {
    let (p, b) = gig();
    let shifts = vec![shift_of(&p, at(saturday(), 10), 8, 3, 0)];
    let s = worker(vec![slot(6, "09:00", "20:00")]);
    let record = |completed, no_shows, late| Reliability {
        completed,
        no_shows,
        late_cancellations: late,
    };
    let score = |r: Option<Reliability>| {
        assess_gig(&p, &b, &s, &shifts, r)
            .expect("a match")
            .score
            .combined
    };
    let newcomer = score(None);
    let spotless = score(Some(record(6, 0, 0)));
    let flaky = score(Some(record(2, 1, 1)));
    let absent = score(Some(record(0, 3, 0)));
    assert_eq!(newcomer, spotless, "no history weighs like a clean one");
    assert!(
        flaky < spotless && absent < flaky,
        "{spotless} {flaky} {absent}"
    );
    assert!((absent - spotless * RELIABILITY_FLOOR).abs() < 1e-9);
    assert_eq!(reliability_multiplier(&record(2, 1, 1)), 0.75);
    let explained = assess_gig(&p, &b, &s, &shifts, Some(record(2, 1, 1))).unwrap();
    assert!(
        explained.explanation.contains("近90天守约50%（4次）"),
        "{}",
        explained.explanation
    );

    // Other kinds of work are not scored on shift records.
    let (mut job, b) = gig();
    job.kind = PostingKind::PartTime;
    let mut s = s.clone();
    s.desired_kinds = StringList(vec![]);
    let plain = |r| {
        assess_with(
            &job,
            &b,
            &s,
            Utc::now(),
            &JobText::of(&job),
            &SeekerText::of(&s).with_reliability(r),
            &Weights::builtin(),
        )
        .map(|a| a.score.combined)
    };
    assert_eq!(plain(None), plain(Some(record(0, 5, 0))));
}
