//! The seeded generator. Every business, posting and seeker is a pure function of the seed
//! and its index, so a corpus of any size streams without being held in memory, can be
//! generated in parallel, and is the same on every run and machine.

use chrono::{DateTime, Duration, Utc};
use doorstep_domain::credentials::{HeldCredential, HeldCredentials};
use doorstep_domain::entities::seeker_profile::{ExperienceEntry, ExperienceList};
use doorstep_domain::entities::{account, business, posting, seeker_profile, shift};
use doorstep_domain::types::{
    BusinessStatus, Education, PayUnit, PostingKind, PostingStatus, Role as AccountRole,
    ShiftPayUnit, ShiftStatus, StringList, TimeSlot, Visibility, WeeklySchedule, minutes_of,
};
use rand::prelude::*;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::vocabulary::{
    self, BENEFITS, BUSINESS_KINDS, BusinessKind, CENTRE, GIVEN_NAMES, MAJORS, PLACES, Role,
    SCHOOLS, SURNAMES,
};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub businesses: usize,
    pub postings: usize,
    pub seekers: usize,
}

impl Sizes {
    /// The set `doorstep demo` loads: big enough to feel like a district, small enough to
    /// load in seconds.
    pub const DEMO: Sizes = Sizes {
        businesses: 300,
        postings: 2_000,
        seekers: 2_000,
    };

    /// A corpus of `postings` postings and as many seekers, with one business per seven
    /// postings (a district's typical mix of one-ad shops and chains hiring for several).
    pub fn scaled(postings: usize) -> Sizes {
        Sizes {
            businesses: (postings / 7).max(1),
            postings,
            seekers: postings,
        }
    }
}

/// A business and the merchant account that owns it.
#[derive(Debug, Clone)]
pub struct GenBusiness {
    pub business: business::Model,
    pub owner: account::Model,
    /// A code of [`vocabulary::BUSINESS_KINDS`].
    pub kind: &'static str,
}

/// A posting and the role it was written for (the ground truth relevance is judged by).
#[derive(Debug, Clone, PartialEq)]
pub struct GenPosting {
    pub posting: posting::Model,
    /// A code of [`vocabulary::ROLES`].
    pub role: &'static str,
}

/// Who a generated seeker is: graduates look for a start, students for hours around
/// classes, gig workers and riders for shifts, returners for work near home in school hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archetype {
    Graduate,
    Student,
    GigWorker,
    Returner,
}

#[derive(Debug, Clone)]
pub struct GenSeeker {
    pub account: account::Model,
    pub profile: seeker_profile::Model,
    pub archetype: Archetype,
}

/// A password hash no password matches: generated accounts cannot be logged into. (A PHC
/// string that fails to parse is a login failure, not an error, in `accounts::authenticate`.)
pub const LOCKED_PASSWORD: &str = "!generated";

pub struct Generator {
    seed: u64,
    now: DateTime<Utc>,
    sizes: Sizes,
    businesses: Vec<GenBusiness>,
}

/// One independent stream per (seed, what, index): splitmix64 over the three.
pub(crate) fn rng_for(seed: u64, what: u64, index: usize) -> ChaCha8Rng {
    let mut x = seed ^ what.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (index as u64).rotate_left(29);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ChaCha8Rng::seed_from_u64(x ^ (x >> 31))
}

const BUSINESS: u64 = 1;
const POSTING: u64 = 2;
const SEEKER: u64 = 3;
const SHIFT: u64 = 4;
/// Days ahead a gig posting's dated shifts are generated for.
pub const SHIFT_DAYS: i64 = 14;

pub(crate) fn uuid(rng: &mut impl Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    items.choose(rng).expect("vocabulary lists are not empty")
}

fn weighted<T: Copy>(rng: &mut impl Rng, items: &[(T, u32)]) -> T {
    items
        .choose_weighted(rng, |(_, w)| *w)
        .expect("weights are positive")
        .0
}

/// Where a place of [`vocabulary::PLACES`] is, as (lat, lon).
pub fn place_point(name: &str) -> Option<(f64, f64)> {
    PLACES
        .iter()
        .find(|p| p.name == name)
        .map(|p| offset(p.east_m, p.north_m))
}

/// A point `east_m`/`north_m` metres from the district centre.
fn offset(east_m: f64, north_m: f64) -> (f64, f64) {
    let lat = CENTRE.0 + north_m / 111_320.0;
    let lon = CENTRE.1 + east_m / (111_320.0 * CENTRE.0.to_radians().cos());
    ((lat * 1e6).round() / 1e6, (lon * 1e6).round() / 1e6)
}

fn slot(day: u8, start: &str, end: &str) -> TimeSlot {
    TimeSlot {
        day,
        start: start.into(),
        end: end.into(),
    }
}

fn days(days: &[u8], start: &str, end: &str) -> Vec<TimeSlot> {
    days.iter().map(|&d| slot(d, start, end)).collect()
}

const WEEKDAYS: &[u8] = &[1, 2, 3, 4, 5];
const WEEKEND: &[u8] = &[6, 7];
const DAY_NAMES: [&str; 8] = ["", "周一", "周二", "周三", "周四", "周五", "周六", "周日"];

/// "周一至周五 09:00-18:00；周六 10:00-22:00": how an ad states its hours.
fn describe_schedule(schedule: &WeeklySchedule) -> String {
    let mut groups: Vec<(Vec<u8>, String, String)> = Vec::new();
    for s in &schedule.slots {
        match groups
            .iter_mut()
            .find(|(_, start, end)| *start == s.start && *end == s.end)
        {
            Some((days, _, _)) => days.push(s.day),
            None => groups.push((vec![s.day], s.start.clone(), s.end.clone())),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(days, start, end)| {
            let contiguous = days.windows(2).all(|w| w[1] == w[0] + 1);
            let label = if days.len() >= 3 && contiguous {
                format!(
                    "{}至{}",
                    DAY_NAMES[days[0] as usize],
                    DAY_NAMES[*days.last().expect("non-empty") as usize]
                )
            } else {
                days.iter()
                    .map(|d| DAY_NAMES[*d as usize])
                    .collect::<Vec<_>>()
                    .join("、")
            };
            format!("{label} {start}-{end}")
        })
        .collect();
    let mut text = parts.join("；");
    if let Some(hours) = schedule.weekly_hours {
        text.push_str(&format!("，每周约{hours}小时"));
    }
    text
}

impl Generator {
    /// Businesses are made up front (they are few, and postings refer to them); postings
    /// and seekers are made on demand by index.
    pub fn new(seed: u64, sizes: Sizes, now: DateTime<Utc>) -> Self {
        let mut generator = Generator {
            seed,
            now,
            sizes,
            businesses: Vec::with_capacity(sizes.businesses),
        };
        generator.businesses = (0..sizes.businesses)
            .map(|i| generator.make_business(i))
            .collect();
        generator
    }

    pub fn sizes(&self) -> Sizes {
        self.sizes
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The instant the district is generated at ("today").
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn businesses(&self) -> &[GenBusiness] {
        &self.businesses
    }

    fn kind_of(&self, business: usize) -> &'static BusinessKind {
        let code = self.businesses[business].kind;
        BUSINESS_KINDS
            .iter()
            .find(|k| k.code == code)
            .expect("generated from the list")
    }

    fn make_business(&self, i: usize) -> GenBusiness {
        let mut rng = rng_for(self.seed, BUSINESS, i);
        let kinds: Vec<(usize, u32)> = BUSINESS_KINDS
            .iter()
            .enumerate()
            .map(|(k, kind)| (k, kind.weight))
            .collect();
        let kind = &BUSINESS_KINDS[weighted(&mut rng, &kinds)];
        let places: Vec<_> = PLACES
            .iter()
            .filter(|p| p.office == kind.in_office)
            .collect();
        let place = **pick(&mut rng, &places);
        let brand = pick(&mut rng, kind.brands);
        // Shops within a mall are up to ~150 m from its centre.
        let (lat, lon) = offset(
            place.east_m + rng.random_range(-150.0..150.0),
            place.north_m + rng.random_range(-150.0..150.0),
        );
        let floor = if place.office {
            format!("{}层", rng.random_range(3..40))
        } else {
            let floors = ["B1", "B2", "L1", "L2", "L3", "L4", "L5"];
            format!(
                "{}层{:02}号",
                pick(&mut rng, &floors),
                rng.random_range(1..80)
            )
        };
        let name = if place.office {
            format!("{brand}（{}）", place.name)
        } else {
            format!("{brand} {}店", place.name.trim_end_matches("商场"))
        };
        let created_at = self.now - Duration::days(rng.random_range(30..400));
        let owner_id = uuid(&mut rng);
        let owner = account::Model {
            id: owner_id,
            role: AccountRole::Merchant,
            phone: Some(format!("137{:08}", i)),
            email: None,
            phone_verified_at: None,
            display_name: format!("{}{}", pick(&mut rng, SURNAMES), "店长"),
            password_hash: LOCKED_PASSWORD.into(),
            token_version: 0,
            disabled_at: None,
            deleted_at: None,
            created_at,
            updated_at: created_at,
        };
        // A few are still waiting for an officer, so the officer's queue is not empty.
        let verified = rng.random_bool(0.97);
        let business = business::Model {
            id: uuid(&mut rng),
            name,
            mall: place.name.into(),
            address: format!(
                "苏州市{}{}{}号{} {floor}",
                if place.east_m < -8000.0 {
                    "姑苏区"
                } else {
                    "工业园区"
                },
                place.street,
                rng.random_range(1..300),
                place.name
            ),
            lat,
            lon,
            licence_number: doorstep_domain::identity::uscc_complete(&format!(
                "91320594MA{:07}",
                i % 10_000_000
            ))
            .expect("digits are in the code's alphabet"),
            // The shop's mobile, as merchants give it (the owner's login is another).
            contact_phone: format!("135{:08}", i),
            district_id: None,
            status: if verified {
                BusinessStatus::Verified
            } else {
                BusinessStatus::Pending
            },
            rejection_reason: None,
            reviewed_by: None,
            reviewed_at: verified.then_some(created_at + Duration::days(1)),
            created_by: owner_id,
            owner_verified: verified,
            created_at,
            updated_at: created_at,
        };
        GenBusiness {
            business,
            owner,
            kind: kind.code,
        }
    }

    /// The `i`-th posting (0-based, below `sizes().postings`).
    pub fn posting(&self, i: usize) -> GenPosting {
        let mut rng = rng_for(self.seed, POSTING, i);
        let b = rng.random_range(0..self.businesses.len());
        let business = &self.businesses[b].business;
        let kind_of_business = self.kind_of(b);
        let code: &&str = pick(&mut rng, kind_of_business.roles);
        let role = vocabulary::role(code);
        let kind = weighted(&mut rng, role.kinds);
        let brand_and_place = business.name.clone();

        let fitting: Vec<&str> = role
            .titles
            .iter()
            .copied()
            .filter(|t| title_fits(t, kind))
            .collect();
        let mut title = match fitting.as_slice() {
            [] => neutral_title(role.titles[0]),
            some => pick(&mut rng, some).to_string(),
        };
        match kind {
            PostingKind::PartTime if !title.contains("兼职") && rng.random_bool(0.5) => title
                .push_str(if rng.random_bool(0.5) {
                    "（兼职）"
                } else {
                    "兼职"
                }),
            PostingKind::Gig if rng.random_bool(0.5) => {
                title = format!("{}{title}", pick(&mut rng, &["【日结】", "临时", "急招"]))
            }
            PostingKind::Internship if !title.contains("实习") => title.push_str("实习生"),
            _ => {}
        }

        let schedule = self.schedule_for(&mut rng, role, kind);
        let (pay_min, pay_max, pay_unit) = pay_for(&mut rng, role, kind);
        let skills = choose_some(&mut rng, role.skills, 2, 4);
        let mut benefits = choose_some(&mut rng, BENEFITS, 1, 4);
        if kind == PostingKind::Gig && !benefits.iter().any(|b| b == "日结") {
            benefits.push("日结".into());
        }

        let mut duties = choose_some(&mut rng, role.duties, 2, 3);
        duties.shuffle(&mut rng);
        let opening = match rng.random_range(0..4) {
            0 => format!("{brand_and_place}招聘{title}。"),
            1 => format!(
                "{brand_and_place}因业务发展，现招{title}{}名。",
                rng.random_range(1..6)
            ),
            2 => format!("【{brand_and_place}】诚聘{title}。"),
            _ => format!(
                "{brand_and_place}门店扩招，欢迎{}加入。",
                pick(&mut rng, &["新人", "应届生", "有经验的伙伴", "附近居民"])
            ),
        };
        let mut description = format!(
            "{opening}岗位职责：{}。工作时间：{}。福利：{}。",
            duties.join("；"),
            describe_schedule(&schedule),
            benefits.join("、")
        );
        if kind == PostingKind::Gig {
            description.push_str(if pay_unit == PayUnit::Day {
                "按天计薪，当天结算。"
            } else {
                "按小时计薪，当天结算。"
            });
        }
        let mut requirements: Vec<String> = choose_some(&mut rng, role.requirements, 1, 2);
        if role.food && !requirements.iter().any(|r| r.contains("健康证")) {
            requirements.push("需持有效健康证".into());
        }

        let created_at = self.now - Duration::minutes(rng.random_range(10..25 * 24 * 60));
        let experience_years_min = match role.code {
            "cook" | "store_manager" | "tea_store_manager" => Some(rng.random_range(1..4)),
            _ if kind == PostingKind::FullTime && rng.random_bool(0.15) => Some(1),
            _ => None,
        };
        let posting = posting::Model {
            id: uuid(&mut rng),
            business_id: business.id,
            district_id: None,
            created_by: business.created_by,
            kind,
            status: PostingStatus::Open,
            title,
            description,
            category: role.category.into(),
            skills: StringList(skills),
            headcount: rng.random_range(1..6),
            pay_min,
            pay_max,
            pay_unit,
            address: business.address.clone(),
            lat: business.lat,
            lon: business.lon,
            schedule,
            education_min: match kind {
                PostingKind::Internship => role.education_min.or(Some(Education::Associate)),
                _ => role.education_min,
            },
            experience_years_min,
            requirements: requirements.join("；"),
            // Stated in the requirements text only, as most merchants do; the matcher reads it.
            required_credentials: Default::default(),
            benefits: StringList(benefits),
            start_date: None,
            expires_at: created_at + Duration::days(30),
            published_at: Some(created_at),
            closed_at: None,
            close_reason: None,
            created_at,
            updated_at: created_at,
        };
        GenPosting {
            posting,
            role: role.code,
        }
    }

    fn schedule_for(&self, rng: &mut ChaCha8Rng, role: &Role, kind: PostingKind) -> WeeklySchedule {
        let office = matches!(
            role.category,
            "it" | "office_admin" | "finance" | "design" | "marketing" | "customer_service"
        );
        let slots = match kind {
            PostingKind::FullTime | PostingKind::Internship if office => {
                days(WEEKDAYS, "09:00", "18:00")
            }
            PostingKind::Internship => days(&[1, 2, 3, 4], "09:00", "17:30"),
            PostingKind::FullTime => {
                let (start, end) = *pick(
                    rng,
                    &[
                        ("07:00", "15:00"),
                        ("09:30", "18:30"),
                        ("10:00", "19:00"),
                        ("14:00", "22:00"),
                    ],
                );
                let mut week: Vec<u8> = (1..=7).collect();
                week.shuffle(rng);
                let mut worked: Vec<u8> = week[..rng.random_range(5..7)].to_vec();
                worked.sort_unstable();
                days(&worked, start, end)
            }
            PostingKind::PartTime => match rng.random_range(0..5) {
                0 => days(WEEKEND, "10:00", "18:00"),
                1 => days(WEEKEND, "11:00", "21:00"),
                2 => days(WEEKDAYS, "18:00", "22:00"),
                3 => days(WEEKDAYS, "11:00", "14:00"),
                _ => {
                    let mut s = days(&[5], "17:00", "22:00");
                    s.extend(days(WEEKEND, "10:00", "22:00"));
                    s
                }
            },
            PostingKind::Gig => {
                let day = rng.random_range(1..=7u8);
                if role.code == "inventory_gig" {
                    // A stocktake after closing runs past midnight: two windows.
                    vec![
                        slot(day, "22:00", "24:00"),
                        slot(day % 7 + 1, "00:00", "04:00"),
                    ]
                } else {
                    let (start, end) = *pick(
                        rng,
                        &[
                            ("09:00", "17:00"),
                            ("10:00", "16:00"),
                            ("11:00", "14:00"),
                            ("17:00", "21:00"),
                            ("08:00", "20:00"),
                        ],
                    );
                    let mut s = vec![slot(day, start, end)];
                    if rng.random_bool(0.3) {
                        s.push(slot(day % 7 + 1, start, end));
                    }
                    s.sort_by_key(|s| s.day);
                    s
                }
            }
        };
        let weekly_hours = (kind == PostingKind::PartTime && rng.random_bool(0.2))
            .then(|| rng.random_range(12..25));
        WeeklySchedule {
            slots,
            weekly_hours,
        }
    }

    /// The dated shifts of a gig posting for the [`SHIFT_DAYS`] days after the generator's
    /// `now`: each weekly window becomes a shift on every matching date (a window ending at
    /// 24:00 joined to the next day's from 00:00, so a stocktake runs 22:00 to 04:00), with
    /// the posting's headcount as places and its rate per hour or per shift. Other kinds
    /// have none.
    pub fn shifts(&self, gp: &GenPosting) -> Vec<shift::Model> {
        let p = &gp.posting;
        if p.kind != PostingKind::Gig {
            return Vec::new();
        }
        let key = p.id.as_u128();
        let mut rng = rng_for(self.seed, SHIFT, (key ^ (key >> 64)) as u64 as usize);
        let mut windows: Vec<(u8, u16, u16)> = p
            .schedule
            .slots
            .iter()
            .filter_map(|s| Some((s.day, minutes_of(&s.start)?, minutes_of(&s.end)?)))
            .collect();
        // The small hours after a window that ran to midnight belong to it.
        let mut i = 0;
        while i < windows.len() {
            let (day, start, end) = windows[i];
            // Joined, a shift stays within 24 hours.
            let next = windows
                .iter()
                .position(|(d, s, e)| *d == day % 7 + 1 && *s == 0 && *e <= start);
            match next {
                Some(j) if end == 24 * 60 && j != i => {
                    windows[i].2 = 24 * 60 + windows[j].2;
                    windows.remove(j);
                    i = 0;
                }
                _ => i += 1,
            }
        }
        let (pay_fen, pay_unit) = match p.pay_unit {
            PayUnit::Day => (p.pay_max, ShiftPayUnit::Shift),
            _ => (p.pay_max, ShiftPayUnit::Hour),
        };
        let today = doorstep_domain::time::local_date(self.now);
        let mut out = Vec::new();
        for ahead in 1..=SHIFT_DAYS {
            let date = today + Duration::days(ahead);
            let weekday = chrono::Datelike::weekday(&date).number_from_monday() as u8;
            for &(_, start, end) in windows.iter().filter(|(d, _, _)| *d == weekday) {
                let at = |minutes: u16| {
                    let day = date + Duration::days(i64::from(minutes / (24 * 60)));
                    let minutes = minutes % (24 * 60);
                    let naive = day
                        .and_hms_opt(u32::from(minutes / 60), u32::from(minutes % 60), 0)
                        .expect("a valid time of day");
                    doorstep_domain::time::from_local(naive).expect("a demo date is in range")
                };
                let (starts_at, ends_at) = (at(start), at(end));
                out.push(shift::Model {
                    id: uuid(&mut rng),
                    posting_id: p.id,
                    business_id: p.business_id,
                    starts_at,
                    ends_at,
                    places: p.headcount,
                    claimed: 0,
                    pay_fen,
                    pay_unit,
                    break_minutes: if ends_at - starts_at >= Duration::hours(6) {
                        30
                    } else {
                        0
                    },
                    address: p.address.clone(),
                    lat: p.lat,
                    lon: p.lon,
                    geofence_m: doorstep_domain::gigs::geofence::DEFAULT_RADIUS_M,
                    status: ShiftStatus::Open,
                    favourites_until: None,
                    opened_at: Some(p.created_at),
                    changed_at: None,
                    cancel_reason: None,
                    created_by: p.created_by,
                    created_at: p.created_at,
                    updated_at: p.created_at,
                });
            }
        }
        out
    }

    /// The `i`-th seeker (0-based, below `sizes().seekers`).
    pub fn seeker(&self, i: usize) -> GenSeeker {
        let mut rng = rng_for(self.seed, SEEKER, i);
        let archetype = *pick(
            &mut rng,
            &[
                Archetype::Graduate,
                Archetype::Graduate,
                Archetype::Graduate,
                Archetype::Student,
                Archetype::Student,
                Archetype::GigWorker,
                Archetype::GigWorker,
                Archetype::Returner,
                Archetype::Returner,
            ],
        );
        let full_name = format!(
            "{}{}",
            pick(&mut rng, SURNAMES),
            pick(&mut rng, GIVEN_NAMES)
        );
        // Most live within a few km of the centre; some across town near 石路.
        let (east, north) = if rng.random_bool(0.1) {
            (-12_500.0, 1_800.0)
        } else {
            (0.0, 0.0)
        };
        let r = 7_000.0 * rng.random::<f64>().sqrt() + 300.0;
        let angle = rng.random_range(0.0..std::f64::consts::TAU);
        let (home_lat, home_lon) = offset(east + r * angle.cos(), north + r * angle.sin());

        let mut experience = Vec::new();
        let (
            education,
            major,
            graduation_year,
            mut skills,
            categories,
            kinds,
            availability,
            expected,
            radius,
        ) = match archetype {
            Archetype::Graduate => {
                let (major, cats, major_skills) = *pick(&mut rng, MAJORS);
                let education = weighted(
                    &mut rng,
                    &[
                        (Education::Associate, 3),
                        (Education::Bachelor, 6),
                        (Education::Master, 1),
                    ],
                );
                let mut skills: Vec<String> = major_skills.iter().map(|s| s.to_string()).collect();
                skills.extend(choose_some(
                    &mut rng,
                    &["办公软件", "沟通", "英语", "excel"],
                    0,
                    2,
                ));
                let mut kinds = vec![PostingKind::FullTime];
                if rng.random_bool(0.5) {
                    kinds.push(PostingKind::Internship);
                }
                if rng.random_bool(0.2) {
                    kinds.push(PostingKind::PartTime);
                }
                let monthly = rng.random_range(45..95) * 10_000; // fen
                (
                    Some(education),
                    Some(major.to_string()),
                    Some(rng.random_range(2024..=2026)),
                    skills,
                    cats.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                    kinds,
                    days(WEEKDAYS, "09:00", "18:00"),
                    Some((monthly, PayUnit::Month)),
                    *pick(&mut rng, &[5.0, 8.0, 10.0, 15.0]),
                )
            }
            Archetype::Student => {
                let roles = [
                    "barista",
                    "tea_maker",
                    "waiter",
                    "shop_assistant",
                    "cashier",
                    "promoter",
                    "cinema_staff",
                    "tutor",
                ];
                let chosen = choose_some(&mut rng, &roles, 1, 3);
                let mut availability = days(WEEKEND, "09:00", "22:00");
                if rng.random_bool(0.5) {
                    availability.extend(days(WEEKDAYS, "18:00", "22:00"));
                }
                (
                    Some(Education::Associate),
                    Some(pick(&mut rng, MAJORS).0.to_string()),
                    Some(rng.random_range(2027..=2029)),
                    role_skills(&mut rng, &chosen),
                    role_categories(&chosen),
                    vec![PostingKind::PartTime, PostingKind::Gig],
                    availability,
                    Some((rng.random_range(18..26) * 100, PayUnit::Hour)),
                    *pick(&mut rng, &[3.0, 5.0, 8.0]),
                )
            }
            Archetype::GigWorker => {
                let roles = [
                    "rider",
                    "courier",
                    "warehouse_picker",
                    "promoter",
                    "inventory_gig",
                    "stocker",
                    "kitchen_helper",
                    "driver",
                    "cleaner",
                ];
                let chosen = choose_some(&mut rng, &roles, 2, 4);
                let availability = if rng.random_bool(0.5) {
                    days(&[1, 2, 3, 4, 5, 6, 7], "08:00", "22:00")
                } else {
                    let (start, end) = *pick(
                        &mut rng,
                        &[("06:00", "14:00"), ("10:00", "20:00"), ("16:00", "24:00")],
                    );
                    days(&[1, 2, 3, 4, 5, 6, 7], start, end)
                };
                let mut kinds = vec![PostingKind::Gig, PostingKind::PartTime];
                if rng.random_bool(0.4) {
                    kinds.push(PostingKind::FullTime);
                }
                let employer = pick(&mut rng, &["美团", "饿了么", "顺丰", "京东物流", "盒马"]);
                experience.push(ExperienceEntry {
                    employer: employer.to_string(),
                    title: vocabulary::role(&chosen[0]).titles[0].to_string(),
                    start: format!(
                        "20{}-0{}",
                        rng.random_range(19..24),
                        rng.random_range(1..10)
                    ),
                    end: None,
                    description: "熟悉园区和商圈道路，准时率高".into(),
                });
                (
                    Some(weighted(
                        &mut rng,
                        &[
                            (Education::JuniorHigh, 3),
                            (Education::HighSchool, 4),
                            (Education::Vocational, 3),
                        ],
                    )),
                    None,
                    None,
                    role_skills(&mut rng, &chosen),
                    role_categories(&chosen),
                    kinds,
                    availability,
                    Some((rng.random_range(20..30) * 100, PayUnit::Hour)),
                    *pick(&mut rng, &[5.0, 8.0, 12.0]),
                )
            }
            Archetype::Returner => {
                let roles = [
                    "cleaner",
                    "cashier",
                    "shop_assistant",
                    "childcare",
                    "kitchen_helper",
                    "security_guard",
                    "admin_assistant",
                    "waiter",
                ];
                let chosen = choose_some(&mut rng, &roles, 1, 3);
                let kinds = if rng.random_bool(0.6) {
                    vec![PostingKind::PartTime]
                } else {
                    vec![PostingKind::PartTime, PostingKind::FullTime]
                };
                experience.push(ExperienceEntry {
                    employer: pick(
                        &mut rng,
                        &["永辉超市", "苏州某服装厂", "社区超市", "中海物业"],
                    )
                    .to_string(),
                    title: vocabulary::role(&chosen[0]).titles[0].to_string(),
                    start: "2012-03".into(),
                    end: Some(format!("20{}-06", rng.random_range(18..23))),
                    description: String::new(),
                });
                (
                    Some(weighted(
                        &mut rng,
                        &[
                            (Education::JuniorHigh, 2),
                            (Education::HighSchool, 4),
                            (Education::Associate, 2),
                        ],
                    )),
                    None,
                    None,
                    role_skills(&mut rng, &chosen),
                    role_categories(&chosen),
                    kinds,
                    days(WEEKDAYS, "09:00", "15:00"),
                    Some((rng.random_range(18..25) * 100, PayUnit::Hour)),
                    *pick(&mut rng, &[2.0, 3.0, 5.0]),
                )
            }
        };
        skills.dedup();
        let resume = match (&major, archetype) {
            (Some(major), Archetype::Graduate) => format!(
                "{}{major}专业毕业，{}。希望在家附近找到{}方面的工作。",
                pick(&mut rng, SCHOOLS),
                pick(
                    &mut rng,
                    &[
                        "在校期间担任学生会干事",
                        "有一段实习经历",
                        "做过两年家教",
                        "获得过奖学金"
                    ]
                ),
                categories
                    .iter()
                    .map(|c| doorstep_domain::postings::taxonomy::name_zh(c))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            _ => format!(
                "擅长{}，{}。",
                skills
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("、"),
                pick(
                    &mut rng,
                    &[
                        "做事踏实，能吃苦",
                        "时间灵活，可以马上到岗",
                        "离商圈近，通勤方便",
                        "希望找离家近的工作"
                    ]
                )
            ),
        };
        let created_at = self.now - Duration::minutes(rng.random_range(10..60 * 24 * 60));
        let account = account::Model {
            id: uuid(&mut rng),
            role: AccountRole::Seeker,
            phone: Some(format!("139{:08}", i)),
            email: None,
            phone_verified_at: None,
            display_name: full_name.clone(),
            password_hash: LOCKED_PASSWORD.into(),
            token_version: 0,
            disabled_at: None,
            deleted_at: None,
            created_at,
            updated_at: created_at,
        };
        // Two in three seekers after food work say they hold a health certificate (which
        // food jobs require); the others, like everyone else, leave it unsaid.
        let food_work = categories
            .iter()
            .any(|c| matches!(c.as_str(), "food_service" | "kitchen" | "coffee_tea"));
        let credentials = (food_work && !i.is_multiple_of(3)).then(|| {
            HeldCredentials(vec![HeldCredential {
                name: "健康证".into(),
                years: None,
            }])
        });
        let profile = seeker_profile::Model {
            account_id: account.id,
            full_name,
            education,
            major,
            graduation_year,
            skills: StringList(skills),
            experience: ExperienceList(experience),
            desired_categories: StringList(categories),
            desired_kinds: StringList(kinds.iter().map(|k| k.as_str().to_owned()).collect()),
            expected_pay_min: expected.map(|(fen, _)| fen),
            expected_pay_unit: expected.map(|(_, unit)| unit),
            home_lat: Some(home_lat),
            home_lon: Some(home_lon),
            travel_radius_km: radius,
            availability: WeeklySchedule {
                slots: availability,
                weekly_hours: None,
            },
            resume,
            credentials,
            district_id: None,
            visibility: if rng.random_bool(0.9) {
                Visibility::Public
            } else {
                Visibility::OfficersOnly
            },
            push_channels: StringList(vec!["inbox".into()]),
            quiet_hours_start: None,
            quiet_hours_end: None,
            daily_push_cap: 10,
            personalised_matching: rng.random_bool(0.95),
            created_at,
            updated_at: created_at,
        };
        GenSeeker {
            account,
            profile,
            archetype,
        }
    }

    /// Every posting, in index order.
    pub fn postings(&self) -> impl Iterator<Item = GenPosting> + '_ {
        (0..self.sizes.postings).map(|i| self.posting(i))
    }

    /// Every seeker, in index order.
    pub fn seekers(&self) -> impl Iterator<Item = GenSeeker> + '_ {
        (0..self.sizes.seekers).map(|i| self.seeker(i))
    }
}

/// Whether a title's own words agree with the kind of work: 兼职 and 周末 are part-time or
/// gig work, 全职 is full-time, 实习 an internship, 临时 and 日结 a gig.
pub fn title_fits(title: &str, kind: PostingKind) -> bool {
    use PostingKind::{FullTime, Gig, Internship, PartTime};
    let says = |word: &str| title.contains(word);
    !(says("兼职") && !matches!(kind, PartTime | Gig)
        || says("周末") && !matches!(kind, PartTime | Gig)
        || says("全职") && kind != FullTime
        || says("实习") && kind != Internship
        || (says("临时") || says("日结")) && kind != Gig)
}

/// A role's first title without the words that tie it to one kind of work.
fn neutral_title(title: &str) -> String {
    ["全职", "兼职", "周末", "实习生", "实习", "临时"]
        .iter()
        .fold(title.to_owned(), |t, word| t.replace(word, ""))
}

/// Between `min` and `max` distinct items, lower-cased as the domain keeps keywords.
fn choose_some(rng: &mut impl Rng, items: &[&str], min: usize, max: usize) -> Vec<String> {
    let n = rng.random_range(min..=max.min(items.len()));
    items
        .choose_multiple(rng, n)
        .map(|s| s.to_lowercase())
        .collect()
}

fn role_skills(rng: &mut impl Rng, roles: &[String]) -> Vec<String> {
    let mut skills = Vec::new();
    for code in roles {
        for skill in choose_some(rng, vocabulary::role(code).skills, 1, 3) {
            if !skills.contains(&skill) {
                skills.push(skill);
            }
        }
    }
    skills
}

fn role_categories(roles: &[String]) -> Vec<String> {
    let mut categories: Vec<String> = Vec::new();
    for code in roles {
        let c = vocabulary::role(code).category.to_string();
        if !categories.contains(&c) {
            categories.push(c);
        }
    }
    categories
}

/// Suzhou's legal minimum hourly wage in yuan (Jiangsu class 一类 from 2025-01-01, see
/// `domain/data/minimum_wages.toml`): hourly pay is raised to it, after drawing, so the
/// seeded draws (and everything after them) stay as they were.
const MIN_HOURLY_YUAN: i64 = 24;

/// Pay in fen: a month's range for full-time work and internships (interns at about half),
/// by the hour for part-time work, by the hour or the day for gigs.
fn pay_for(rng: &mut impl Rng, role: &Role, kind: PostingKind) -> (i64, i64, PayUnit) {
    let (lo, hi) = role.pay.month;
    let (hlo, hhi) = role.pay.hour;
    match kind {
        PostingKind::FullTime | PostingKind::Internship => {
            let factor = if kind == PostingKind::Internship {
                0.5
            } else {
                1.0
            };
            let min = rng.random_range(lo..=hi.max(lo + 500) - 500) as f64 * factor;
            let max = min + rng.random_range(5..30) as f64 * 100.0 * factor;
            let round = |y: f64| ((y / 100.0).round() as i64) * 100 * 100;
            (round(min), round(max), PayUnit::Month)
        }
        PostingKind::PartTime => {
            let min = rng.random_range(hlo..=hhi).max(MIN_HOURLY_YUAN);
            (
                min * 100,
                (min + rng.random_range(0..6)) * 100,
                PayUnit::Hour,
            )
        }
        PostingKind::Gig => {
            let per_hour = rng.random_range(hlo..=hhi).max(MIN_HOURLY_YUAN);
            if rng.random_bool(0.3) {
                let day = per_hour * 8 / 10 * 10;
                (day * 100, day * 100, PayUnit::Day)
            } else {
                (per_hour * 100, per_hour * 100, PayUnit::Hour)
            }
        }
    }
}

/// A valid resident ID number (Suzhou, GB 11643 check digit) unique to `i`, for the
/// generated merchants' real names.
pub fn id_number(i: u64) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1965, 1, 1).expect("a date")
        + Duration::days((i % 12_000) as i64);
    let first17 = format!("320508{}{:03}", birth.format("%Y%m%d"), (i / 12_000) % 1000);
    doorstep_domain::identity::id_complete(&first17).expect("17 digits")
}
