//! Scoring tests on hand-built pairs.

use chrono::{Duration, Utc};
use doorstep_domain::entities::seeker_profile::ExperienceList;
use doorstep_domain::entities::{business, posting, seeker_profile};
use doorstep_domain::types::{
    BusinessStatus, Education, PayUnit, PostingKind, PostingStatus, StringList, TimeSlot,
    Visibility, WeeklySchedule,
};
use uuid::Uuid;

use crate::assess::{Excluded, assess, schedule_fit, skills_covered};

const CAFE: (f64, f64) = (31.3185, 120.6716);

fn weekend() -> WeeklySchedule {
    WeeklySchedule {
        slots: vec![
            TimeSlot {
                day: 6,
                start: "10:00".into(),
                end: "18:00".into(),
            },
            TimeSlot {
                day: 7,
                start: "10:00".into(),
                end: "18:00".into(),
            },
        ],
        weekly_hours: None,
    }
}

fn weekday_evenings() -> WeeklySchedule {
    WeeklySchedule {
        slots: (1..=5)
            .map(|d| TimeSlot {
                day: d,
                start: "18:00".into(),
                end: "22:00".into(),
            })
            .collect(),
        weekly_hours: None,
    }
}

fn cafe_posting(
    title: &str,
    skills: &[&str],
    schedule: WeeklySchedule,
) -> (posting::Model, business::Model) {
    let now = Utc::now();
    let b = business::Model {
        id: Uuid::now_v7(),
        name: "漫咖啡".into(),
        mall: "圆融时代广场".into(),
        address: "苏惠路88号".into(),
        lat: CAFE.0,
        lon: CAFE.1,
        licence_number: "91320594MA1XY2AB3C".into(),
        contact_phone: "13912340000".into(),
        status: BusinessStatus::Verified,
        rejection_reason: None,
        reviewed_by: None,
        reviewed_at: None,
        created_by: Uuid::nil(),
        created_at: now,
        updated_at: now,
    };
    let p = posting::Model {
        id: Uuid::now_v7(),
        business_id: b.id,
        created_by: Uuid::nil(),
        kind: PostingKind::PartTime,
        status: PostingStatus::Open,
        title: title.into(),
        description: "负责咖啡制作、收银和顾客接待。".into(),
        category: "coffee_tea".into(),
        skills: StringList(skills.iter().map(|s| s.to_string()).collect()),
        headcount: 1,
        pay_min: 2_200,
        pay_max: 2_800,
        pay_unit: PayUnit::Hour,
        address: "苏惠路88号".into(),
        lat: CAFE.0,
        lon: CAFE.1,
        schedule,
        education_min: None,
        experience_years_min: None,
        requirements: String::new(),
        required_credentials: Default::default(),
        benefits: StringList::default(),
        start_date: None,
        expires_at: now + Duration::days(30),
        published_at: Some(now),
        closed_at: None,
        close_reason: None,
        created_at: now,
        updated_at: now,
    };
    (p, b)
}

/// A seeker about 800 m north-east of the café.
fn seeker(skills: &[&str], availability: WeeklySchedule) -> seeker_profile::Model {
    let now = Utc::now();
    seeker_profile::Model {
        account_id: Uuid::now_v7(),
        full_name: "李娜".into(),
        education: Some(Education::Bachelor),
        major: Some("市场营销".into()),
        graduation_year: Some(2026),
        skills: StringList(skills.iter().map(|s| s.to_string()).collect()),
        experience: ExperienceList::default(),
        desired_categories: StringList(vec!["coffee_tea".into()]),
        desired_kinds: StringList(vec!["part_time".into()]),
        expected_pay_min: Some(2_000),
        expected_pay_unit: Some(PayUnit::Hour),
        home_lat: Some(CAFE.0 + 0.005),
        home_lon: Some(CAFE.1 + 0.0055),
        travel_radius_km: 5.0,
        availability,
        resume: "做过两年奶茶店兼职，会做咖啡。".into(),
        credentials: None,
        visibility: Visibility::Public,
        push_channels: StringList(vec!["inbox".into()]),
        quiet_hours_start: None,
        quiet_hours_end: None,
        daily_push_cap: 5,
        personalised_matching: true,
        created_at: now,
        updated_at: now,
    }
}

#[test]
fn the_weekend_barista_suits_the_weekend_seeker_and_says_why() {
    let (p, b) = cafe_posting("周末咖啡师", &["咖啡", "收银"], weekend());
    let s = seeker(&["咖啡", "收银"], weekend());
    let a = assess(&p, &b, &s, Utc::now()).unwrap();
    assert!(a.score.combined > 0.8, "{a:?}");
    assert!((700.0..900.0).contains(&a.distance_m), "{}", a.distance_m);
    assert!(a.explanation.starts_with("距家"), "{}", a.explanation);
    assert!(
        a.explanation.contains("技能匹配：咖啡、收银"),
        "{}",
        a.explanation
    );
    assert!(a.explanation.contains("周末有空"), "{}", a.explanation);
}

#[test]
fn hard_constraints_exclude_outright() {
    let (p, b) = cafe_posting("周末咖啡师", &["咖啡"], weekend());
    let mut far = seeker(&["咖啡"], weekend());
    far.home_lat = Some(CAFE.0 + 0.18); // about 20 km north
    assert_eq!(
        assess(&p, &b, &far, Utc::now()).unwrap_err(),
        Excluded::OutsideRadius
    );
    let mut hidden = seeker(&["咖啡"], weekend());
    hidden.visibility = Visibility::Hidden;
    assert_eq!(
        assess(&p, &b, &hidden, Utc::now()).unwrap_err(),
        Excluded::ProfileHidden
    );
    let mut off = seeker(&["咖啡"], weekend());
    off.personalised_matching = false;
    assert_eq!(
        assess(&p, &b, &off, Utc::now()).unwrap_err(),
        Excluded::MatchingOff
    );
    let mut gig_only = seeker(&["咖啡"], weekend());
    gig_only.desired_kinds = StringList(vec!["gig".into()]);
    assert_eq!(
        assess(&p, &b, &gig_only, Utc::now()).unwrap_err(),
        Excluded::KindNotWanted
    );
    let (mut closed, b2) = cafe_posting("周末咖啡师", &["咖啡"], weekend());
    closed.status = PostingStatus::Closed;
    assert_eq!(
        assess(&closed, &b2, &seeker(&["咖啡"], weekend()), Utc::now()).unwrap_err(),
        Excluded::PostingNotPublic
    );
}

#[test]
fn protected_attributes_and_their_proxies_do_not_move_the_score() {
    let (p, b) = cafe_posting("周末咖啡师", &["咖啡", "收银"], weekend());
    let base = seeker(&["咖啡", "收银"], weekend());
    let reference = assess(&p, &b, &base, Utc::now()).unwrap();
    // The name (which can reveal gender or ethnicity) and the graduation year (a proxy
    // for age) are changed; nothing else.
    for (name, year) in [
        ("王建国", Some(1988)),
        ("阿依古丽", Some(2003)),
        ("Zhang Wei", None),
    ] {
        let mut other = base.clone();
        other.full_name = name.into();
        other.graduation_year = year;
        let a = assess(&p, &b, &other, Utc::now()).unwrap();
        assert_eq!(a.score, reference.score, "{name} {year:?}");
        assert_eq!(a.explanation, reference.explanation);
    }
}

#[test]
fn weekday_evenings_do_not_fit_a_weekend_job() {
    let (p, b) = cafe_posting("周末咖啡师", &["咖啡", "收银"], weekend());
    let fits = assess(&p, &b, &seeker(&["咖啡", "收银"], weekend()), Utc::now()).unwrap();
    let clash = assess(
        &p,
        &b,
        &seeker(&["咖啡", "收银"], weekday_evenings()),
        Utc::now(),
    )
    .unwrap();
    assert!(
        fits.score.combined > clash.score.combined + 0.15,
        "{} vs {}",
        fits.score.combined,
        clash.score.combined
    );
    assert_eq!(schedule_fit(&weekend(), &weekday_evenings()), Some(0.0));
    assert_eq!(schedule_fit(&weekend(), &weekend()), Some(1.0));
}

#[test]
fn synonyms_count_as_skills() {
    assert_eq!(
        skills_covered(&["收银".into()], &["cashier".into()]),
        vec!["收银".to_owned()]
    );
    assert!(skills_covered(&["收银".into()], &["保洁".into()]).is_empty());
}

#[test]
fn the_best_pair_ranks_first() {
    let (barista, b1) = cafe_posting("周末咖啡师", &["咖啡", "收银"], weekend());
    let (cook, b2) = {
        let (mut p, b) = cafe_posting("后厨帮厨", &["切配", "炒菜"], weekday_evenings());
        p.category = "kitchen".into();
        p.description = "负责后厨切配和备菜。".into();
        (p, b)
    };
    let s = seeker(&["咖啡", "收银"], weekend());
    let a = assess(&barista, &b1, &s, Utc::now())
        .unwrap()
        .score
        .combined;
    let c = assess(&cook, &b2, &s, Utc::now()).unwrap().score.combined;
    assert!(a > c + 0.2, "barista {a} vs cook {c}");
}
