//! Judged seeker cases (`matcher/data/seeker_cases.toml`): postings around a shopping
//! district and seekers, each with the postings a sensible recruiter would show them first
//! (`best`) and those they must never be offered (`never`). Every seeker is scored against
//! every posting, as the worker would, and the test reports how often a best posting comes
//! first and every `never` posting that was not excluded.
//!
//! Positions are metres east and north of the district's centre; slots are written
//! `"<days> HH:MM-HH:MM"` with days `weekdays`, `weekend`, `daily`, `mon-sat` or a day
//! number, and an end before the start runs past midnight.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use doorstep_domain::credentials::{
    HeldCredential, HeldCredentials, RequiredCredential, RequiredCredentials,
};
use doorstep_domain::entities::seeker_profile::{ExperienceEntry, ExperienceList};
use doorstep_domain::entities::{business, posting, seeker_profile};
use doorstep_domain::types::{
    BusinessStatus, Education, PayUnit, PostingKind, PostingStatus, StringList, TimeSlot,
    Visibility, WeeklySchedule,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::assess::{Excluded, assess};

const CENTRE: (f64, f64) = (31.3185, 120.6716);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Cases {
    posting: Vec<PostingCase>,
    seeker: Vec<SeekerCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PostingCase {
    id: String,
    title: String,
    description: String,
    #[serde(default)]
    requirements: String,
    #[serde(default)]
    skills: Vec<String>,
    category: String,
    kind: PostingKind,
    /// Metres east and north of the centre.
    at: (f64, f64),
    pay: (i64, i64, PayUnit),
    #[serde(default)]
    slots: Vec<String>,
    #[serde(default)]
    credentials: Vec<RequiredCredential>,
    #[serde(default)]
    experience_min: Option<i32>,
    #[serde(default)]
    education_min: Option<Education>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeekerCase {
    id: String,
    /// What the case is about, for the report.
    note: String,
    #[serde(default)]
    skills: Vec<String>,
    #[serde(default)]
    resume: String,
    #[serde(default)]
    experience: Vec<ExperienceEntry>,
    #[serde(default)]
    education: Option<Education>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    kinds: Vec<PostingKind>,
    home: (f64, f64),
    radius_km: f64,
    #[serde(default)]
    pay: Option<(i64, PayUnit)>,
    #[serde(default)]
    free: Vec<String>,
    /// Absent: not stated.
    #[serde(default)]
    credentials: Option<Vec<HeldCredential>>,
    best: Vec<String>,
    #[serde(default)]
    never: Vec<String>,
}

fn point((east, north): (f64, f64)) -> (f64, f64) {
    let lat = CENTRE.0 + north / 111_320.0;
    let lon = CENTRE.1 + east / (111_320.0 * CENTRE.0.to_radians().cos());
    (lat, lon)
}

fn days(spec: &str) -> Vec<u8> {
    match spec {
        "weekdays" => (1..=5).collect(),
        "weekend" => vec![6, 7],
        "daily" => (1..=7).collect(),
        "mon-sat" => (1..=6).collect(),
        n => vec![n.parse().unwrap_or_else(|_| panic!("unknown days {n}"))],
    }
}

/// `"weekdays 18:00-22:00"`; `"daily 22:00-04:00"` runs past midnight.
fn schedule(slots: &[String]) -> WeeklySchedule {
    let mut out = Vec::new();
    for spec in slots {
        let (day_spec, window) = spec.split_once(' ').expect("<days> <start>-<end>");
        let (start, end) = window.split_once('-').expect("<start>-<end>");
        for day in days(day_spec) {
            if end > start {
                out.push(TimeSlot {
                    day,
                    start: start.into(),
                    end: end.into(),
                });
            } else {
                out.push(TimeSlot {
                    day,
                    start: start.into(),
                    end: "24:00".into(),
                });
                if end != "00:00" {
                    out.push(TimeSlot {
                        day: day % 7 + 1,
                        start: "00:00".into(),
                        end: end.into(),
                    });
                }
            }
        }
    }
    WeeklySchedule {
        slots: out,
        weekly_hours: None,
    }
}

fn business() -> business::Model {
    let now = Utc::now();
    business::Model {
        id: Uuid::now_v7(),
        name: "商户".into(),
        mall: "圆融时代广场".into(),
        address: "苏惠路88号".into(),
        lat: CENTRE.0,
        lon: CENTRE.1,
        licence_number: "91320594MA05PK8G3H".into(),
        contact_phone: "13912340000".into(),
        district_id: None,
        status: BusinessStatus::Verified,
        rejection_reason: None,
        reviewed_by: None,
        reviewed_at: None,
        created_by: Uuid::nil(),
        owner_verified: true,
        created_at: now,
        updated_at: now,
    }
}

fn posting_of(c: &PostingCase, b: &business::Model) -> posting::Model {
    let now = Utc::now();
    let (lat, lon) = point(c.at);
    posting::Model {
        id: Uuid::now_v7(),
        business_id: b.id,
        district_id: None,
        created_by: Uuid::nil(),
        kind: c.kind,
        status: PostingStatus::Open,
        title: c.title.clone(),
        description: c.description.clone(),
        category: c.category.clone(),
        skills: StringList(c.skills.clone()),
        headcount: 1,
        pay_min: c.pay.0,
        pay_max: c.pay.1,
        pay_unit: c.pay.2,
        address: "苏州工业园区".into(),
        lat,
        lon,
        schedule: schedule(&c.slots),
        education_min: c.education_min,
        experience_years_min: c.experience_min,
        requirements: c.requirements.clone(),
        required_credentials: RequiredCredentials(c.credentials.clone()),
        benefits: StringList::default(),
        start_date: None,
        expires_at: now + Duration::days(30),
        published_at: Some(now),
        closed_at: None,
        close_reason: None,
        created_at: now,
        updated_at: now,
    }
}

fn seeker_of(c: &SeekerCase) -> seeker_profile::Model {
    let now = Utc::now();
    let (lat, lon) = point(c.home);
    seeker_profile::Model {
        account_id: Uuid::now_v7(),
        full_name: c.id.clone(),
        education: c.education,
        major: None,
        graduation_year: None,
        skills: StringList(c.skills.clone()),
        experience: ExperienceList(c.experience.clone()),
        desired_categories: StringList(c.categories.clone()),
        desired_kinds: StringList(c.kinds.iter().map(|k| k.as_str().to_owned()).collect()),
        expected_pay_min: c.pay.map(|p| p.0),
        expected_pay_unit: c.pay.map(|p| p.1),
        home_lat: Some(lat),
        home_lon: Some(lon),
        travel_radius_km: c.radius_km,
        availability: schedule(&c.free),
        resume: c.resume.clone(),
        credentials: c.credentials.clone().map(HeldCredentials),
        district_id: None,
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

/// The share of seekers whose first-ranked posting is one of their best. Measured when the
/// file was written: 34 of 38 (0.89) with hard constraints; the skill-overlap matcher
/// before them got 29 of 38 (0.76) and offered 36 `never` postings. Kept a little below
/// the measure, so a change that breaks cases fails; never lowered to make a change pass.
const BEST_FIRST_FLOOR: f64 = 0.86;

#[test]
fn judged_seekers_see_their_best_postings_first_and_never_the_wrong_ones() {
    let cases: Cases =
        toml::from_str(include_str!("../data/seeker_cases.toml")).expect("the cases file parses");
    assert!(
        cases.posting.len() >= 40,
        "{} postings",
        cases.posting.len()
    );
    assert!(cases.seeker.len() >= 30, "{} seekers", cases.seeker.len());
    let b = business();
    let postings: BTreeMap<&str, posting::Model> = cases
        .posting
        .iter()
        .map(|c| (c.id.as_str(), posting_of(c, &b)))
        .collect();
    for s in &cases.seeker {
        for id in s.best.iter().chain(s.never.iter()) {
            assert!(
                postings.contains_key(id.as_str()),
                "{}: no posting {id}",
                s.id
            );
        }
    }
    let now = Utc::now();
    let (mut first, mut violations, mut report) = (0, Vec::new(), Vec::new());
    for case in &cases.seeker {
        let s = seeker_of(case);
        let mut ranked: Vec<(&str, f64, String)> = Vec::new();
        let mut excluded: BTreeMap<&str, Excluded> = BTreeMap::new();
        for (id, p) in &postings {
            match assess(p, &b, &s, now) {
                Ok(a) => ranked.push((id, a.score.combined, a.explanation)),
                Err(why) => {
                    excluded.insert(id, why);
                }
            }
        }
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        // `CASE_DEBUG=s07` shows every posting's factors for one seeker.
        if std::env::var("CASE_DEBUG").is_ok_and(|d| d == case.id) {
            for (id, p) in &postings {
                match assess(p, &b, &s, now) {
                    Ok(a) => println!(
                        "{id} {:.3} (seeker {:.2}, job {:.2}) {:?}",
                        a.score.combined,
                        a.score.for_seeker,
                        a.score.for_job,
                        a.score
                            .factors
                            .iter()
                            .map(|f| format!("{}={:.2}x{}", f.name, f.value, f.weight))
                            .collect::<Vec<_>>()
                    ),
                    Err(why) => println!("{id} excluded: {}", why.explain_zh()),
                }
            }
        }
        let top = ranked.first().map(|r| r.0).unwrap_or("-");
        let ok = case.best.iter().any(|b| b == top);
        if ok {
            first += 1;
        }
        for never in &case.never {
            if !excluded.contains_key(never.as_str()) {
                violations.push(format!("{} was offered {never}", case.id));
            }
        }
        let shown: Vec<String> = ranked
            .iter()
            .take(3)
            .map(|(id, score, _)| format!("{id} {score:.2}"))
            .collect();
        report.push(format!(
            "{} {} ({}): best {:?}, ranked {}{}",
            if ok { "ok  " } else { "MISS" },
            case.id,
            case.note,
            case.best,
            shown.join(", "),
            ranked
                .first()
                .map(|r| format!(" — {}", r.2))
                .unwrap_or_default()
        ));
    }
    let rate = first as f64 / cases.seeker.len() as f64;
    println!(
        "best posting first for {first} of {} seekers ({:.0}%), {} never-violations\n{}\n{}",
        cases.seeker.len(),
        rate * 100.0,
        violations.len(),
        report.join("\n"),
        violations.join("\n")
    );
    assert!(
        violations.is_empty(),
        "postings that must be excluded were offered:\n{}",
        violations.join("\n")
    );
    assert!(
        rate >= BEST_FIRST_FLOOR,
        "best-first rate {rate:.2} fell below {BEST_FIRST_FLOOR}\n{}",
        report.join("\n")
    );
}
