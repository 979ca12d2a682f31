//! The generator is deterministic, writes only valid data, and is varied enough that
//! search and matching have something to tell apart.

use std::collections::{BTreeSet, HashMap};

use chrono::{TimeZone, Utc};
use doorstep_domain::postings::taxonomy;
use doorstep_domain::types::{GeoPoint, PayRange, Phone, PostingKind, keywords};

use crate::generate::{Archetype, Generator, Sizes, place_point};
use crate::vocabulary::{BUSINESS_KINDS, PLACES, ROLES, role};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

#[test]
fn the_same_seed_gives_the_same_district_and_another_seed_another() {
    let sizes = Sizes::scaled(500);
    let a = Generator::new(7, sizes, now());
    let b = Generator::new(7, sizes, now());
    let c = Generator::new(8, sizes, now());
    for i in [0, 1, 250, 499] {
        assert_eq!(a.posting(i).posting, b.posting(i).posting);
        assert_eq!(a.seeker(i).profile, b.seeker(i).profile);
    }
    assert_eq!(a.businesses()[3].business, b.businesses()[3].business);
    let titles = |g: &Generator| g.postings().map(|p| p.posting.title).collect::<Vec<_>>();
    assert_ne!(titles(&a), titles(&c));
    // Random access and iteration agree, so corpora can be streamed or sampled.
    assert_eq!(
        a.postings().nth(123).unwrap().posting,
        a.posting(123).posting
    );
}

#[test]
fn every_generated_posting_is_one_the_api_would_accept() {
    let g = Generator::new(2026, Sizes::DEMO, now());
    for gp in g.postings() {
        let p = gp.posting;
        let chars = |s: &str| s.chars().count();
        assert!((2..=60).contains(&chars(&p.title)), "{}", p.title);
        assert!(
            (10..=5000).contains(&chars(&p.description)),
            "{}",
            p.description
        );
        assert!(chars(&p.requirements) <= 2000);
        assert!(taxonomy::is_known(&p.category), "{}", p.category);
        assert_eq!(keywords(&p.skills.0, 20, 20).unwrap().0, p.skills.0);
        assert_eq!(keywords(&p.benefits.0, 20, 30).unwrap().0, p.benefits.0);
        assert!((1..=1000).contains(&p.headcount));
        PayRange::new(p.pay_min, p.pay_max, p.pay_unit).unwrap();
        p.schedule.validate("schedule").unwrap();
        assert!(!p.schedule.slots.is_empty());
        GeoPoint::new(p.lat, p.lon).unwrap();
        assert!(
            p.expires_at > p.created_at && p.expires_at > now(),
            "{}",
            p.title
        );
        assert!(p.created_at <= now());
        assert!(role(gp.role).category == p.category);
    }
    for b in g.businesses() {
        Phone::parse(b.owner.phone.as_deref().unwrap()).unwrap();
        Phone::parse(&b.business.contact_phone)
            .unwrap_or_else(|e| panic!("{}: {e:?}", b.business.contact_phone));
        assert!(
            doorstep_domain::identity::uscc_valid(&b.business.licence_number),
            "{}",
            b.business.licence_number
        );
        assert_eq!(b.business.created_by, b.owner.id);
    }
    for s in g.seekers() {
        let p = s.profile;
        Phone::parse(s.account.phone.as_deref().unwrap()).unwrap();
        p.availability.validate("availability").unwrap();
        assert!((0.5..=100.0).contains(&p.travel_radius_km));
        GeoPoint::new(p.home_lat.unwrap(), p.home_lon.unwrap()).unwrap();
        assert!(!p.skills.0.is_empty() && !p.desired_kinds.0.is_empty());
        for c in &p.desired_categories.0 {
            assert!(taxonomy::is_known(c), "{c}");
        }
    }
}

#[test]
fn the_district_is_varied_enough_to_search_and_match() {
    let g = Generator::new(2026, Sizes::DEMO, now());
    let postings: Vec<_> = g.postings().collect();
    let titles: BTreeSet<&str> = postings.iter().map(|p| p.posting.title.as_str()).collect();
    assert!(titles.len() > 150, "only {} distinct titles", titles.len());
    let roles: BTreeSet<&str> = postings.iter().map(|p| p.role).collect();
    assert!(
        roles.len() * 10 >= ROLES.len() * 9,
        "{} of {} roles",
        roles.len(),
        ROLES.len()
    );
    let mut kinds: HashMap<PostingKind, usize> = HashMap::new();
    for p in &postings {
        *kinds.entry(p.posting.kind).or_default() += 1;
    }
    let share = |k| kinds.get(&k).copied().unwrap_or(0) as f64 / postings.len() as f64;
    assert!(
        (0.10..=0.40).contains(&share(PostingKind::Gig)),
        "{kinds:?}"
    );
    assert!(
        share(PostingKind::FullTime) > 0.3 && share(PostingKind::Internship) > 0.02,
        "{kinds:?}"
    );
    let business_kinds: BTreeSet<&str> = g.businesses().iter().map(|b| b.kind).collect();
    assert_eq!(business_kinds.len(), BUSINESS_KINDS.len());
    let archetypes: BTreeSet<String> = g.seekers().map(|s| format!("{:?}", s.archetype)).collect();
    assert_eq!(archetypes.len(), 4, "{archetypes:?}");
    assert!(
        g.seekers()
            .any(|s| s.archetype == Archetype::Graduate && s.profile.major.is_some())
    );
    // Postings cluster in malls and towers around the centre, within a commute.
    let centre = GeoPoint::new(crate::vocabulary::CENTRE.0, crate::vocabulary::CENTRE.1).unwrap();
    for p in &postings {
        let d = GeoPoint::new(p.posting.lat, p.posting.lon)
            .unwrap()
            .distance_m(centre);
        assert!(d < 15_000.0, "{} is {d} m out", p.posting.address);
    }
}

#[test]
fn every_role_and_place_referred_to_exists() {
    for kind in BUSINESS_KINDS {
        for code in kind.roles {
            role(code);
        }
        assert!(
            PLACES.iter().any(|p| p.office == kind.in_office),
            "{}",
            kind.code
        );
    }
    for place in PLACES {
        assert!(place_point(place.name).is_some());
    }
    for r in ROLES {
        assert!(taxonomy::is_known(r.category), "{}", r.code);
        assert!(
            !r.titles.is_empty() && !r.skills.is_empty() && r.duties.len() >= 2,
            "{}",
            r.code
        );
    }
}

#[test]
fn gig_postings_have_dated_shifts_in_the_next_two_weeks() {
    let g = Generator::new(2026, Sizes::DEMO, now());
    let again = Generator::new(2026, Sizes::DEMO, now());
    let mut gigs = 0;
    let mut across_midnight = 0;
    for (i, gp) in g.postings().enumerate() {
        let shifts = g.shifts(&gp);
        if gp.posting.kind != PostingKind::Gig {
            assert!(shifts.is_empty());
            continue;
        }
        gigs += 1;
        assert!(!shifts.is_empty(), "{} has no shifts", gp.posting.title);
        assert_eq!(shifts, again.shifts(&again.posting(i)), "deterministic");
        for s in &shifts {
            assert!(s.starts_at > now() && s.starts_at <= now() + chrono::Duration::days(15));
            assert!(s.ends_at > s.starts_at);
            assert!(s.ends_at - s.starts_at <= chrono::Duration::hours(24));
            assert!(i64::from(s.break_minutes) < (s.ends_at - s.starts_at).num_minutes());
            assert_eq!(s.places, gp.posting.headcount);
            assert!(s.pay_fen > 0 && s.posting_id == gp.posting.id);
            let (start, end) = (
                doorstep_domain::time::to_display(s.starts_at),
                doorstep_domain::time::to_display(s.ends_at),
            );
            if start.date_naive() != end.date_naive() {
                across_midnight += 1;
                // A stocktake after closing: one shift, not two.
                assert_eq!(start.format("%H:%M").to_string(), "22:00");
            }
        }
    }
    assert!(gigs > 100, "{gigs} gig postings");
    assert!(across_midnight > 0, "some stocktakes run past midnight");
}

#[test]
fn pay_meets_the_minimum_wage_in_force() {
    use doorstep_domain::screening::minimum_wages;
    use doorstep_domain::types::PayUnit;
    let latest = minimum_wages::built_in()
        .into_iter()
        .filter(|w| w.city == "suzhou")
        .max_by_key(|w| w.effective_from)
        .expect("Suzhou's minimum wage");
    for seed in [2026, 7] {
        let g = Generator::new(seed, Sizes::DEMO, now());
        for gp in g.postings().chain(g.history().postings) {
            let p = gp.posting;
            let minimum = match (p.kind, p.pay_unit) {
                (PostingKind::Internship, _) => continue,
                (_, PayUnit::Hour) => latest.hourly_fen,
                (_, PayUnit::Month) => latest.monthly_fen,
                _ => continue,
            };
            assert!(
                p.pay_min >= minimum,
                "{} {} {}",
                p.title,
                p.pay_min,
                p.pay_unit
            );
        }
    }
}

#[test]
fn titles_and_pay_agree_with_the_kind_of_work() {
    use doorstep_domain::types::PayUnit;
    for seed in [2026, 7] {
        let g = Generator::new(seed, Sizes::DEMO, now());
        for gp in g.postings().chain(g.history().postings) {
            let p = gp.posting;
            let part_time_words = p.title.contains("兼职") || p.title.contains("周末");
            match p.kind {
                PostingKind::FullTime => {
                    assert!(!part_time_words && !p.title.contains("实习"), "{}", p.title);
                    assert!(!p.title.contains("临时") && !p.title.contains("日结"));
                    assert_eq!(p.pay_unit, PayUnit::Month, "{}", p.title);
                }
                PostingKind::Internship => {
                    assert!(!part_time_words && !p.title.contains("全职"), "{}", p.title);
                    assert!(p.title.contains("实习"), "{}", p.title);
                    assert_eq!(p.pay_unit, PayUnit::Month, "{}", p.title);
                }
                PostingKind::PartTime => {
                    assert!(!p.title.contains("全职") && !p.title.contains("实习"));
                    assert!(!p.title.contains("临时") && !p.title.contains("日结"));
                    assert_eq!(p.pay_unit, PayUnit::Hour, "{}", p.title);
                }
                PostingKind::Gig => {
                    assert!(!p.title.contains("全职") && !p.title.contains("实习"));
                    assert!(matches!(p.pay_unit, PayUnit::Hour | PayUnit::Day));
                    let per_day = p.description.contains("按天计薪");
                    let per_hour = p.description.contains("按小时计薪");
                    assert_eq!(per_day, p.pay_unit == PayUnit::Day, "{}", p.description);
                    assert_eq!(per_hour, p.pay_unit == PayUnit::Hour, "{}", p.description);
                }
            }
        }
    }
    // The rule itself: the titles the issue found are refused for their kinds.
    use crate::generate::title_fits;
    assert!(!title_fits("全职咖啡师兼职", PostingKind::PartTime));
    assert!(!title_fits("收银兼职", PostingKind::FullTime));
    assert!(title_fits("收银兼职", PostingKind::PartTime));
    assert!(title_fits("咖啡师", PostingKind::FullTime));
}

#[test]
fn the_past_has_filled_postings_with_one_hire_each_and_open_applications() {
    use doorstep_domain::types::{ApplicationStatus, PostingStatus};
    let g = Generator::new(2026, Sizes::DEMO, now());
    let history = g.history();
    assert_eq!(
        history,
        Generator::new(2026, Sizes::DEMO, now()).history(),
        "deterministic"
    );
    let today: BTreeSet<_> = g.postings().map(|p| p.posting.id).collect();
    let mut pairs = BTreeSet::new();
    for a in &history.applications {
        assert!(
            pairs.insert((a.posting_id, a.seeker_id)),
            "one application per pair"
        );
        assert!(a.created_at <= a.updated_at && a.updated_at <= now());
    }
    let mut filled = 0;
    for gp in &history.postings {
        let p = &gp.posting;
        assert!(!today.contains(&p.id));
        let closed = p.closed_at.expect("closed");
        assert!(p.published_at.unwrap() < closed && closed < now());
        let hires = history
            .applications
            .iter()
            .filter(|a| a.posting_id == p.id && a.status == ApplicationStatus::Hired)
            .count();
        match p.status {
            PostingStatus::Filled => {
                filled += 1;
                assert_eq!(hires, 1, "{}", p.title);
            }
            PostingStatus::Closed => assert_eq!(hires, 0),
            other => panic!("{other:?}"),
        }
    }
    assert!(filled > 50, "{filled} filled postings");
    let open = history
        .applications
        .iter()
        .filter(|a| today.contains(&a.posting_id))
        .count();
    assert!(open > 50, "{open} applications on today's postings");
    for a in &history.applications {
        let steps: Vec<_> = history
            .events
            .iter()
            .filter(|e| e.application_id == a.id)
            .collect();
        assert_eq!(steps.last().unwrap().to_status, a.status);
        assert_eq!(steps[0].to_status, ApplicationStatus::Submitted);
    }
}
