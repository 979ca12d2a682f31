//! Scoring tests on hand-built pairs.

use chrono::{Duration, Utc};
use doorstep_domain::credentials::{
    HeldCredential, HeldCredentials, RequiredCredential, RequiredCredentials,
};
use doorstep_domain::entities::seeker_profile::{ExperienceEntry, ExperienceList};
use doorstep_domain::entities::{business, posting, seeker_profile};
use doorstep_domain::schedule_classes::{ScheduleClass, ScheduleClasses};
use doorstep_domain::types::{
    BusinessStatus, Education, PayUnit, PostingKind, PostingStatus, StringList, TimeSlot,
    Visibility, WeeklySchedule,
};
use uuid::Uuid;

use crate::assess::{Excluded, Unmet, assess, schedule_fit, skills_covered};

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

pub(crate) fn cafe_posting(
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
    };
    let p = posting::Model {
        id: Uuid::now_v7(),
        business_id: b.id,
        district_id: None,
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
pub(crate) fn seeker(skills: &[&str], availability: WeeklySchedule) -> seeker_profile::Model {
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
    assert!(assess(&p, &b, &seeker(&["咖啡", "收银"], weekend()), Utc::now()).is_ok());
    let clash = assess(
        &p,
        &b,
        &seeker(&["咖啡", "收银"], weekday_evenings()),
        Utc::now(),
    )
    .unwrap_err();
    assert_eq!(
        clash,
        Excluded::ScheduleIncompatible {
            job: ScheduleClasses::new(&[ScheduleClass::Weekend]),
            free: ScheduleClasses::new(&[ScheduleClass::WeekdayEvening]),
        }
    );
    assert_eq!(clash.code(), "schedule_incompatible");
    assert_eq!(clash.explain_zh(), "时间不合：岗位周末，你工作日晚上有空");
    assert_eq!(schedule_fit(&weekend(), &weekday_evenings()), Some(0.0));
    assert_eq!(schedule_fit(&weekend(), &weekend()), Some(1.0));
}

#[test]
fn unknown_hours_on_either_side_exclude_nobody() {
    // No slots and no times in the text: the job's hours are unknown.
    let (p, b) = cafe_posting("咖啡师", &["咖啡"], WeeklySchedule::default());
    assert!(assess(&p, &b, &seeker(&["咖啡"], weekday_evenings()), Utc::now()).is_ok());
    // The seeker gave no availability.
    let (p, b) = cafe_posting("周末咖啡师", &["咖啡"], weekend());
    assert!(
        assess(
            &p,
            &b,
            &seeker(&["咖啡"], WeeklySchedule::default()),
            Utc::now()
        )
        .is_ok()
    );
    // A roster is unknown too, whatever else the text says.
    let (mut p, b) = cafe_posting("咖啡师", &["咖啡"], WeeklySchedule::default());
    p.description = "排班制，早9晚6，月休4天。".into();
    assert!(assess(&p, &b, &seeker(&["咖啡"], weekday_evenings()), Utc::now()).is_ok());
}

#[test]
fn a_posting_that_states_its_hours_only_in_words_is_read() {
    let (mut p, b) = cafe_posting("周末咖啡师", &["咖啡"], WeeklySchedule::default());
    p.description = "周末两天，10:00-18:00，负责咖啡制作。".into();
    assert!(matches!(
        assess(&p, &b, &seeker(&["咖啡"], weekday_evenings()), Utc::now()),
        Err(Excluded::ScheduleIncompatible { .. })
    ));
    let a = assess(&p, &b, &seeker(&["咖啡"], weekend()), Utc::now()).unwrap();
    assert!(a.explanation.contains("周末有空"), "{}", a.explanation);

    let (mut night, b) = cafe_posting("夜班店员", &["收银"], WeeklySchedule::default());
    night.description = "夜班，22点至次日7点，负责收银和补货。".into();
    assert!(matches!(
        assess(
            &night,
            &b,
            &seeker(&["收银"], weekday_evenings()),
            Utc::now()
        ),
        Err(Excluded::ScheduleIncompatible { .. })
    ));
    let (mut office, b) = cafe_posting("行政前台", &["接待"], WeeklySchedule::default());
    office.description = "双休，早9晚6，负责前台接待。".into();
    assert!(matches!(
        assess(&office, &b, &seeker(&["接待"], weekend()), Utc::now()),
        Err(Excluded::ScheduleIncompatible { .. })
    ));
}

fn needs_health_certificate() -> (posting::Model, business::Model) {
    let (mut p, b) = cafe_posting("周末咖啡师", &["咖啡", "收银"], weekend());
    p.requirements = "需持健康证，能适应周末班".into();
    (p, b)
}

fn held(names: &[(&str, Option<i32>)]) -> Option<HeldCredentials> {
    Some(HeldCredentials(
        names
            .iter()
            .map(|(name, years)| HeldCredential {
                name: (*name).into(),
                years: *years,
            })
            .collect(),
    ))
}

#[test]
fn a_required_health_certificate_excludes_those_without_and_ranks_the_unsaid_last() {
    let (p, b) = needs_health_certificate();
    let mut with = seeker(&["咖啡", "收银"], weekend());
    with.credentials = held(&[("健康证明", None)]);
    let with = assess(&p, &b, &with, Utc::now()).unwrap();
    assert!(
        with.explanation.contains("有健康证"),
        "{}",
        with.explanation
    );

    // Stated none (an empty list), and said so in the résumé: excluded.
    let mut none = seeker(&["咖啡", "收银"], weekend());
    none.credentials = held(&[]);
    let excluded = assess(&p, &b, &none, Utc::now()).unwrap_err();
    assert_eq!(
        excluded,
        Excluded::MissingRequirement(Unmet::Credential {
            name: "健康证".into(),
            min_years: None,
            held_years: None
        })
    );
    assert_eq!(excluded.code(), "missing_requirement");
    assert_eq!(excluded.explain_zh(), "需健康证（你没有）");
    let mut says_none = seeker(&["咖啡", "收银"], weekend());
    says_none.resume = "做过两年奶茶店兼职，目前没有健康证。".into();
    assert!(matches!(
        assess(&p, &b, &says_none, Utc::now()),
        Err(Excluded::MissingRequirement(_))
    ));

    // Not said anywhere: kept, but below the one who has it, and told what is missing.
    let unsaid = assess(&p, &b, &seeker(&["咖啡", "收银"], weekend()), Utc::now()).unwrap();
    assert!(
        unsaid.score.combined < with.score.combined * 0.6,
        "{} vs {}",
        unsaid.score.combined,
        with.score.combined
    );
    assert!(
        unsaid.explanation.contains("需健康证（未填写）"),
        "{}",
        unsaid.explanation
    );

    // Said in the résumé only.
    let mut in_resume = seeker(&["咖啡", "收银"], weekend());
    in_resume.resume = "有健康证，做过两年奶茶店兼职。".into();
    let in_resume = assess(&p, &b, &in_resume, Utc::now()).unwrap();
    assert_eq!(in_resume.score.multiplier, 1.0);
    assert!(
        in_resume.explanation.contains("有健康证"),
        "{}",
        in_resume.explanation
    );
}

#[test]
fn structured_requirements_win_over_the_text() {
    let (mut p, b) = cafe_posting("仓库叉车工", &["叉车"], weekend());
    p.description = "负责仓库装卸，持叉车证上岗。".into();
    p.required_credentials = RequiredCredentials(vec![RequiredCredential {
        name: "电工证".into(),
        min_years: None,
    }]);
    let mut forklift = seeker(&["叉车"], weekend());
    forklift.credentials = held(&[("叉车证", None)]);
    assert!(matches!(
        assess(&p, &b, &forklift, Utc::now()),
        Err(Excluded::MissingRequirement(Unmet::Credential { ref name, .. })) if name == "电工证"
    ));
}

#[test]
fn a_licence_must_have_been_held_long_enough() {
    let (mut p, b) = cafe_posting("门店配送司机", &["驾驶"], weekend());
    p.requirements = "需C1驾照两年以上".into();
    let driver = |credentials, resume: &str| {
        let mut s = seeker(&["驾驶"], weekend());
        s.credentials = credentials;
        s.resume = resume.into();
        s
    };
    let five = assess(&p, &b, &driver(held(&[("C1", Some(5))]), ""), Utc::now()).unwrap();
    assert!(
        five.explanation.contains("有C1驾照2年以上"),
        "{}",
        five.explanation
    );
    let one = assess(
        &p,
        &b,
        &driver(held(&[("C1驾照", Some(1))]), ""),
        Utc::now(),
    )
    .unwrap_err();
    assert_eq!(one.explain_zh(), "需C1驾照2年以上（你1年）");
    // A C2 licence is not a C1.
    assert!(
        assess(
            &p,
            &b,
            &driver(held(&[("C2驾照", Some(9))]), ""),
            Utc::now()
        )
        .is_err()
    );
    // A licence of unsaid class, or unsaid years, is not known either way.
    let vague = assess(&p, &b, &driver(held(&[("驾照", Some(9))]), ""), Utc::now()).unwrap();
    assert!(vague.score.multiplier < 1.0);
    let years_unsaid = assess(&p, &b, &driver(held(&[("C1驾照", None)]), ""), Utc::now()).unwrap();
    assert!(
        years_unsaid
            .explanation
            .contains("需C1驾照2年以上（未填写）")
    );
    // The résumé: "驾龄5年，C1驾照".
    assert_eq!(
        assess(
            &p,
            &b,
            &driver(None, "C1驾照，驾龄5年，熟悉园区道路"),
            Utc::now()
        )
        .unwrap()
        .score
        .multiplier,
        1.0
    );
    assert!(assess(&p, &b, &driver(None, "还没有驾照"), Utc::now()).is_err());
}

#[test]
fn minimum_experience_and_education() {
    let (mut p, b) = cafe_posting("咖啡店店长", &["咖啡"], weekend());
    p.requirements = "两年以上咖啡店经验，大专及以上学历".into();
    let mut novice = seeker(&["咖啡"], weekend());
    novice.resume = "应届毕业生，会做咖啡。".into();
    let e = assess(&p, &b, &novice, Utc::now()).unwrap_err();
    assert_eq!(e.explain_zh(), "需2年以上经验（你约0年）");

    let mut veteran = seeker(&["咖啡"], weekend());
    veteran.resume = "在咖啡店做了三年。".into();
    veteran.education = Some(Education::HighSchool);
    assert!(matches!(
        assess(&p, &b, &veteran, Utc::now()),
        Err(Excluded::MissingRequirement(Unmet::Education { .. }))
    ));
    veteran.education = Some(Education::Associate);
    let fine = assess(&p, &b, &veteran, Utc::now()).unwrap();
    assert_eq!(fine.score.multiplier, 1.0);
    // Listed jobs count too.
    let mut listed = seeker(&["咖啡"], weekend());
    listed.resume = String::new();
    listed.experience = ExperienceList(vec![ExperienceEntry {
        employer: "星巴克".into(),
        title: "咖啡师".into(),
        start: "2019-03".into(),
        end: Some("2023-06".into()),
        description: String::new(),
    }]);
    assert!(assess(&p, &b, &listed, Utc::now()).is_ok());
    // Unsaid: ranked lower, explained.
    let mut unsaid = seeker(&["咖啡"], weekend());
    unsaid.resume = "会做咖啡。".into();
    unsaid.education = None;
    let a = assess(&p, &b, &unsaid, Utc::now()).unwrap();
    assert!(
        a.explanation.contains("需2年以上经验（未填写）"),
        "{}",
        a.explanation
    );
    assert!(
        a.explanation.contains("需大专及以上学历（未填写）"),
        "{}",
        a.explanation
    );
    assert!(a.score.combined < fine.score.combined * 0.5);
}

#[test]
fn skills_said_only_in_the_resume_count() {
    let (mut p, b) = cafe_posting("烘焙学徒", &["烘焙"], weekend());
    p.category = "food_service".into();
    let mut listed = seeker(&["烘焙"], weekend());
    listed.resume = String::new();
    let mut said = seeker(&[], weekend());
    said.resume = "喜欢在家会做蛋糕和面包。".into();
    let mut neither = seeker(&[], weekend());
    neither.resume = "性格开朗。".into();
    let score = |s| assess(&p, &b, &s, Utc::now()).unwrap();
    let (listed, said, neither) = (score(listed), score(said), score(neither));
    assert!(
        said.explanation.contains("技能匹配：烘焙"),
        "{}",
        said.explanation
    );
    assert!(said.score.for_job > neither.score.for_job + 0.2);
    assert!((said.score.for_job - listed.score.for_job).abs() < 0.15);
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
        let (mut p, b) = cafe_posting("后厨帮厨", &["切配", "炒菜"], weekend());
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
