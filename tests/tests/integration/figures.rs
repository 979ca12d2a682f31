//! District figures: every figure equals a brute-force recount of the database rows over
//! data made through the API (then spread over weeks in the database), the CSV is UTF-8
//! with a BOM and the documented header, districts are isolated, bad dates are named.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use doorstep_client::views::community::ReportView;
use doorstep_client::views::marketplace::{ApplicationView, BusinessView, PostingView};
use doorstep_domain::entities::{
    application, application_event, business, fair, fair_application, fair_booth_visit,
    fair_registration, posting, report, shift, shift_claim, training_registration,
    training_session,
};
use doorstep_domain::fairs::status::{BoothOutcome, FairStatus, RegistrationStatus};
use doorstep_domain::time;
use doorstep_domain::types::{
    ApplicationStatus, ClaimStatus, HoursStatus, PostingStatus, ReportStatus, SessionStatus,
};
use doorstep_tests::community::manhole;
use doorstep_tests::fairs::fair_body;
use doorstep_tests::gigs::local;
use doorstep_tests::market::{MALL_LAT, MALL_LON, Shop, business_body, posting_body, profile_body};
use doorstep_tests::{Backend, Session, TestApp, on_both_databases, spawn_app};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    figures_equal_a_recount_of_the_rows,
    figures_are_for_the_districts_officers_only
);

/// Around the mall (district A) and around 石路 (district B), both inside the city box.
const BOX_A: (f64, f64, f64, f64) = (31.30, 120.65, 31.34, 120.70);
const BOX_B: (f64, f64, f64, f64) = (31.30, 120.58, 31.33, 120.62);
const SHILU: (f64, f64) = (31.3153, 120.6007);

const CATEGORIES: [&str; 4] = ["coffee_tea", "retail_sales", "cashier", "kitchen"];

/// A small deterministic generator (the data must be the same on both databases).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

async fn shop_at(app: &TestApp, phone: &str, at: (f64, f64), admin: &Session) -> Shop {
    let merchant = app.register_as("merchant", phone).await;
    let mut body = business_body("街角小店");
    body["lat"] = json!(at.0);
    body["lon"] = json!(at.1);
    body["licence_number"] = json!(doorstep_tests::identity::licence_number(
        phone.parse().expect("a phone of digits")
    ));
    let created = app
        .post("/api/v1/businesses", &body, Some(&merchant.access_token))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let business_id: Uuid = created.json::<BusinessView>().id;
    app.prepare_for_verification(&merchant, phone, business_id)
        .await;
    let verified = app
        .post(
            &format!("/api/v1/businesses/{business_id}/verify"),
            &json!({}),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    Shop {
        merchant,
        business_id,
    }
}

async fn draft(app: &TestApp, shop: &Shop, category: &str, i: usize) -> Uuid {
    let mut body = posting_body(&format!("门店岗位 {i}"));
    body["category"] = json!(category);
    let created = app
        .post(
            &format!("/api/v1/businesses/{}/postings", shop.business_id),
            &body,
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.json::<PostingView>().id
}

async fn act(app: &TestApp, shop: &Shop, posting: Uuid, action: &str) {
    let done = app
        .post(
            &format!("/api/v1/postings/{posting}/{action}"),
            &json!({}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(done.status, 200, "{action}: {}", done.body);
}

async fn seeker(app: &TestApp, phone: &str, year: Option<i32>) -> Session {
    let seeker = app.register_as("seeker", phone).await;
    let mut profile = profile_body("求职者");
    match year {
        Some(y) => profile["graduation_year"] = json!(y),
        None => {
            profile.as_object_mut().unwrap().remove("graduation_year");
        }
    }
    profile["credentials"] = json!([{"name": "健康证"}]);
    let saved = app
        .put("/api/v1/me/profile", &profile, Some(&seeker.access_token))
        .await;
    assert_eq!(saved.status, 201, "{}", saved.body);
    seeker
}

async fn apply(app: &TestApp, seeker: &Session, posting: Uuid) -> Uuid {
    let applied = app.apply(seeker, posting, "想试试").await;
    assert_eq!(applied.status, 201, "{}", applied.body);
    applied.json::<ApplicationView>().id
}

async fn hire(app: &TestApp, shop: &Shop, application: Uuid) {
    let interview_at = (Utc::now() + Duration::days(2)).to_rfc3339();
    for body in [
        json!({"to": "viewed"}),
        json!({"to": "shortlisted"}),
        json!({"to": "interview", "interview_at": interview_at, "interview_place": "门店"}),
        json!({"to": "offered"}),
        json!({"to": "hired"}),
    ] {
        let moved = app
            .post(
                &format!("/api/v1/applications/{application}/transitions"),
                &body,
                Some(&shop.merchant.access_token),
            )
            .await;
        assert_eq!(moved.status, 200, "{body}: {}", moved.body);
    }
}

fn figures_path(district: Uuid, from: NaiveDate, to: NaiveDate, csv: bool) -> String {
    let ext = if csv { ".csv" } else { "" };
    format!("/api/v1/districts/{district}/figures{ext}?from={from}&to={to}")
}

/// Builds a district's worth of activity through the API: shops in two districts,
/// postings published, closed, filled, applications and hires from seekers of different
/// graduation years, a worked gig shift, a job fair, training with attendance, a resolved
/// report.
struct World {
    district_a: Uuid,
    district_b: Uuid,
    officer_a: Session,
    officer_b: Session,
    merchant: Session,
    seeker: Session,
}

async fn build(app: &TestApp) -> World {
    let admin = app.admin().await;
    let district_a = app.create_district("园区湖西", BOX_A).await;
    let district_b = app.create_district("姑苏石路", BOX_B).await;
    let officer_a = app.create_officer_in("13700000011", &[district_a]).await;
    let officer_b = app.create_officer_in("13700000012", &[district_b]).await;
    let shop_a1 = shop_at(app, "13912340011", (MALL_LAT, MALL_LON), &admin).await;
    let shop_a2 = shop_at(app, "13912340012", (MALL_LAT + 0.002, MALL_LON), &admin).await;
    let shop_b = shop_at(app, "13912340013", SHILU, &admin).await;

    let seekers = [
        seeker(app, "13812340001", Some(2024)).await,
        seeker(app, "13812340002", Some(2025)).await,
        seeker(app, "13812340003", Some(2026)).await,
        seeker(app, "13812340004", None).await,
    ];

    // 16 postings in A, 3 in B; every fifth stays a draft.
    let mut published = Vec::new();
    for i in 0..16 {
        let shop = if i % 2 == 0 { &shop_a1 } else { &shop_a2 };
        let id = draft(app, shop, CATEGORIES[i % CATEGORIES.len()], i).await;
        if i % 5 != 0 {
            act(app, shop, id, "publish").await;
            published.push((i, shop, id));
        }
    }
    let mut in_b = Vec::new();
    for (i, category) in CATEGORIES.iter().enumerate().take(3) {
        let id = draft(app, &shop_b, category, 100 + i).await;
        act(app, &shop_b, id, "publish").await;
        in_b.push(id);
    }

    // Applications: each seeker to a few postings; some are hired.
    let mut rng = Lcg(2026);
    for (k, s) in seekers.iter().enumerate() {
        for (n, (_, shop, id)) in published.iter().enumerate() {
            if (n + k) % 3 == 0 {
                let a = apply(app, s, *id).await;
                if rng.next(3) == 0 {
                    hire(app, shop, a).await;
                }
            }
        }
    }
    let b_application = apply(app, &seekers[0], in_b[0]).await;
    hire(app, &shop_b, b_application).await;

    // Close, fill and pause some.
    for (i, shop, id) in &published {
        match i % 5 {
            1 => act(app, shop, *id, "close").await,
            2 => act(app, shop, *id, "fill").await,
            3 if *i > 10 => act(app, shop, *id, "pause").await,
            _ => {}
        }
    }
    act(app, &shop_b, in_b[1], "fill").await;

    // A gig shift worked with confirmed hours.
    let gig = app.gig_posting(&shop_a1, "临时理货员").await;
    let shift = app.shift(&shop_a1, gig, Duration::hours(1), 8, 2).await;
    let worker = app.gig_worker("13812340009", "王强").await;
    let claim = app.claimed(&worker, shift).await;
    let start = Utc::now() - Duration::days(9);
    let end = start + Duration::hours(8);
    app.move_shift(shift, start, end).await;
    let confirmed = app
        .claim_action(
            &shop_a1.merchant.access_token,
            claim,
            "hours",
            &json!({"start": local(start + Duration::minutes(17)), "end": local(end)}),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);

    // A job fair at the mall: registrations, a check-in, an offer and a hire.
    let fair_id = app
        .published_fair(&officer_a, &fair_body("园区招聘会", 3))
        .await;
    // One of shop A1's postings still open.
    let open_a1 = published
        .iter()
        .find(|(i, _, _)| i % 2 == 0 && i % 5 == 4)
        .map(|(_, _, id)| *id)
        .unwrap();
    let booth = app
        .approved_booth(fair_id, &shop_a1, &[open_a1], 5, &officer_a)
        .await;
    let mut registrations = Vec::new();
    for s in &seekers[..3] {
        registrations.push(app.registered(s, fair_id).await);
    }
    fair::Entity::update_many()
        .col_expr(fair::Column::Status, Expr::value(FairStatus::Finished))
        .col_expr(
            fair::Column::StartsAt,
            Expr::value(Utc::now() - Duration::days(12)),
        )
        .filter(fair::Column::Id.eq(fair_id))
        .exec(&app.db)
        .await
        .unwrap();
    fair_registration::Entity::update_many()
        .col_expr(
            fair_registration::Column::CheckedInAt,
            Expr::value(Utc::now() - Duration::days(12)),
        )
        .filter(fair_registration::Column::Id.eq(registrations[0]))
        .exec(&app.db)
        .await
        .unwrap();
    for (s, outcome) in [
        (&seekers[0], "offer"),
        (&seekers[1], "hire"),
        (&seekers[2], "met"),
    ] {
        let recorded = app
            .post(
                &format!("/api/v1/fairs/{fair_id}/booths/{booth}/outcomes"),
                &json!({"seeker_id": s.account_id, "outcome": outcome}),
                Some(&shop_a1.merchant.access_token),
            )
            .await;
        assert!(recorded.status < 300, "{}", recorded.body);
    }

    // Training: two sessions at a venue of A, one seat attended.
    let mut sessions = Vec::new();
    for (category, capacity) in [("first_aid", 10), ("legal", 10)] {
        let start = Utc::now() + Duration::minutes(30);
        let created = app
            .post(
                "/api/v1/trainings",
                &json!({
                    "topic": "培训课",
                    "category": category,
                    "description": "社区讲师授课",
                    "starts_at": start.to_rfc3339(),
                    "ends_at": (start + Duration::hours(2)).to_rfc3339(),
                    "capacity": capacity,
                    "venue": "湖西社区活动中心",
                }),
                Some(&officer_a.access_token),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        sessions.push(created.body["id"].as_str().unwrap().to_owned());
    }
    for (s, session) in [
        (&seekers[0], &sessions[0]),
        (&seekers[1], &sessions[0]),
        (&seekers[2], &sessions[1]),
    ] {
        let seat = app
            .post(
                &format!("/api/v1/trainings/{session}/registrations"),
                &json!({}),
                Some(&s.access_token),
            )
            .await;
        assert_eq!(seat.status, 201, "{}", seat.body);
    }
    let mine = app
        .get("/api/v1/me/trainings", Some(&seekers[0].access_token))
        .await;
    let token = mine.body["items"][0]["checkin_token"]
        .as_str()
        .expect("a check-in token")
        .to_owned();
    let checked = app
        .post(
            &format!("/api/v1/trainings/{}/check-ins", sessions[0]),
            &json!({"token": token}),
            Some(&officer_a.access_token),
        )
        .await;
    assert!(checked.status < 300, "{}", checked.body);

    // Reports at the mall: one resolved, one left waiting.
    let rider = &seekers[3];
    let mut reports = Vec::new();
    for _ in 0..2 {
        let filed = app.file_report(rider, &manhole(MALL_LAT, MALL_LON)).await;
        assert_eq!(filed.status, 201, "{}", filed.body);
        reports.push(filed.json::<ReportView>().id.to_string());
    }
    let department = app
        .post(
            "/api/v1/departments",
            &json!({"name": "湖西城管中队", "email": "chengguan@huxi.example.cn"}),
            Some(&officer_a.access_token),
        )
        .await;
    assert_eq!(department.status, 201, "{}", department.body);
    let dispatched = app
        .post(
            &format!("/api/v1/reports/{}/dispatch", reports[0]),
            &json!({
                "department_id": department.body["id"],
                "deadline": (Utc::now() + Duration::days(1)).to_rfc3339(),
            }),
            Some(&officer_a.access_token),
        )
        .await;
    assert_eq!(dispatched.status, 200, "{}", dispatched.body);
    let resolved = app
        .post(
            &format!("/api/v1/reports/{}/resolve", reports[0]),
            &json!({"note": "井盖已更换"}),
            Some(&officer_a.access_token),
        )
        .await;
    assert_eq!(resolved.status, 200, "{}", resolved.body);

    spread_over_weeks(app, &mut rng).await;

    World {
        district_a,
        district_b,
        officer_a,
        officer_b,
        merchant: shop_a1.merchant,
        seeker: seekers[0].clone(),
    }
}

/// Moves the timestamps back over the last 80 days (some before the range asked for), to
/// the microsecond, keeping each posting's closing after its publication.
async fn spread_over_weeks(app: &TestApp, rng: &mut Lcg) {
    let now = time::now();
    let back = |rng: &mut Lcg, days: u64| {
        now - Duration::seconds(rng.next(days * 86_400) as i64)
            - Duration::microseconds(rng.next(1_000_000) as i64)
    };
    for p in posting::Entity::find().all(&app.db).await.unwrap() {
        if p.published_at.is_none() {
            continue;
        }
        let published = back(rng, 80);
        let closed = p.closed_at.map(|_| {
            let later = published
                + Duration::seconds(rng.next(20 * 86_400) as i64)
                + Duration::microseconds(rng.next(1_000_000) as i64);
            later.min(now)
        });
        posting::Entity::update_many()
            .col_expr(posting::Column::PublishedAt, Expr::value(published))
            .col_expr(posting::Column::ClosedAt, Expr::value(closed))
            .filter(posting::Column::Id.eq(p.id))
            .exec(&app.db)
            .await
            .unwrap();
    }
    for a in application::Entity::find().all(&app.db).await.unwrap() {
        let created = back(rng, 80);
        let updated = (created + Duration::seconds(rng.next(10 * 86_400) as i64)).min(now);
        application::Entity::update_many()
            .col_expr(application::Column::CreatedAt, Expr::value(created))
            .col_expr(application::Column::UpdatedAt, Expr::value(updated))
            .filter(application::Column::Id.eq(a.id))
            .exec(&app.db)
            .await
            .unwrap();
    }
    for s in training_session::Entity::find().all(&app.db).await.unwrap() {
        let start = back(rng, 60);
        training_session::Entity::update_many()
            .col_expr(training_session::Column::StartsAt, Expr::value(start))
            .col_expr(
                training_session::Column::EndsAt,
                Expr::value(start + Duration::hours(2)),
            )
            .filter(training_session::Column::Id.eq(s.id))
            .exec(&app.db)
            .await
            .unwrap();
    }
    for r in report::Entity::find().all(&app.db).await.unwrap() {
        if r.resolved_at.is_some() {
            report::Entity::update_many()
                .col_expr(report::Column::ResolvedAt, Expr::value(back(rng, 40)))
                .filter(report::Column::Id.eq(r.id))
                .exec(&app.db)
                .await
                .unwrap();
        }
    }
}

// ---- The recount: plain Rust over every row ----

fn shanghai_day(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(8)).date_naive()
}

fn monday(day: NaiveDate) -> NaiveDate {
    day - Duration::days(day.weekday().num_days_from_monday() as i64)
}

/// Counts for one cell: (week or whole range, category or all).
#[derive(Default, Debug)]
struct Tally {
    new_postings: u64,
    ended: u64,
    filled: u64,
    hours: Vec<i64>,
    applications: u64,
    placements: u64,
    graduate_placements: u64,
    shifts: u64,
    minutes: u64,
    fairs: u64,
    fair_registrations: u64,
    fair_attended: u64,
    fair_booth_visits: u64,
    fair_offers: u64,
    fair_hires: u64,
    sessions: u64,
    seats: u64,
    attended: u64,
    resolved: u64,
}

fn median(values: &[i64]) -> Value {
    if values.is_empty() {
        return Value::Null;
    }
    let mut v = values.to_vec();
    v.sort();
    let n = v.len();
    let m = if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    };
    json!(m)
}

fn rate(part: u64, whole: u64) -> Value {
    if whole == 0 {
        Value::Null
    } else {
        json!(part as f64 / whole as f64)
    }
}

type Key = (Option<NaiveDate>, Option<String>);

struct Recount {
    cells: BTreeMap<Key, Tally>,
    open: BTreeMap<String, u64>,
    graduates: BTreeMap<i32, u64>,
    training_keys: BTreeSet<Key>,
    report_keys: BTreeSet<Key>,
    posting_keys: BTreeSet<Key>,
}

impl Recount {
    /// Adds to the four cells a (week, category) row belongs to.
    fn add(&mut self, week: NaiveDate, category: Option<&str>, f: impl Fn(&mut Tally)) {
        let cat = category.map(str::to_owned);
        let mut keys = vec![(Some(week), None), (None, None)];
        if cat.is_some() {
            keys.push((Some(week), cat.clone()));
            keys.push((None, cat));
        }
        for key in keys {
            f(self.cells.entry(key).or_default());
        }
    }

    fn tally(&self, key: &Key) -> &Tally {
        static EMPTY: std::sync::OnceLock<Tally> = std::sync::OnceLock::new();
        self.cells
            .get(key)
            .unwrap_or_else(|| EMPTY.get_or_init(Tally::default))
    }
}

async fn recount(app: &TestApp, district: Uuid, from: NaiveDate, to: NaiveDate) -> Recount {
    let db = &app.db;
    let start = from.and_hms_opt(0, 0, 0).unwrap().and_utc() - Duration::hours(8);
    let end = (to + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        - Duration::hours(8);
    let within = |at: DateTime<Utc>| at >= start && at < end;
    let week = |at: DateTime<Utc>| monday(shanghai_day(at));
    let mut r = Recount {
        cells: BTreeMap::new(),
        open: BTreeMap::new(),
        graduates: BTreeMap::new(),
        training_keys: BTreeSet::new(),
        report_keys: BTreeSet::new(),
        posting_keys: BTreeSet::new(),
    };

    let postings: Vec<posting::Model> = posting::Entity::find().all(db).await.unwrap();
    let category_of: BTreeMap<Uuid, String> = postings
        .iter()
        .map(|p| (p.id, p.category.clone()))
        .collect();
    for p in postings.iter().filter(|p| p.district_id == Some(district)) {
        let c = Some(p.category.as_str());
        if p.status == PostingStatus::Open {
            *r.open.entry(p.category.clone()).or_default() += 1;
        }
        if let Some(at) = p.published_at.filter(|at| within(*at)) {
            r.add(week(at), c, |t| t.new_postings += 1);
            r.posting_keys
                .insert((Some(week(at)), c.map(str::to_owned)));
        }
        if let Some(at) = p.closed_at.filter(|at| within(*at))
            && matches!(p.status, PostingStatus::Closed | PostingStatus::Filled)
        {
            let filled = p.status == PostingStatus::Filled;
            let hours = p
                .published_at
                .map(|published| (at.timestamp() - published.timestamp()) / 3600);
            r.add(week(at), c, |t| {
                t.ended += 1;
                if filled {
                    t.filled += 1;
                    t.hours.extend(hours);
                }
            });
            r.posting_keys
                .insert((Some(week(at)), c.map(str::to_owned)));
        }
    }

    for a in application::Entity::find()
        .filter(application::Column::DistrictId.eq(district))
        .all(db)
        .await
        .unwrap()
    {
        if within(a.created_at) {
            r.add(week(a.created_at), None, |t| t.applications += 1);
        }
        if a.status == ApplicationStatus::Hired && within(a.updated_at) {
            let c = category_of[&a.posting_id].clone();
            let graduate = a.graduation_year.is_some();
            r.add(week(a.updated_at), Some(&c), |t| {
                t.placements += 1;
                if graduate {
                    t.graduate_placements += 1;
                }
            });
            r.posting_keys.insert((Some(week(a.updated_at)), Some(c)));
            if let Some(y) = a.graduation_year {
                *r.graduates.entry(y).or_default() += 1;
            }
        }
    }

    let businesses: BTreeMap<Uuid, Option<Uuid>> = business::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|b| (b.id, b.district_id))
        .collect();
    let shifts: BTreeMap<Uuid, shift::Model> = shift::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut worked = 0;
    for c in shift_claim::Entity::find().all(db).await.unwrap() {
        let starts = shifts[&c.shift_id].starts_at;
        let settled = matches!(
            c.hours_status,
            HoursStatus::Confirmed | HoursStatus::AutoConfirmed | HoursStatus::Resolved
        );
        if businesses[&c.business_id] == Some(district)
            && within(starts)
            && c.status == ClaimStatus::Completed
            && settled
            && let Some(minutes) = c.final_minutes
        {
            worked += 1;
            let cat = category_of[&c.posting_id].clone();
            r.add(week(starts), Some(&cat), |t| {
                t.shifts += 1;
                t.minutes += minutes as u64;
            });
            r.posting_keys.insert((Some(week(starts)), Some(cat)));
        }
    }
    assert_eq!(worked, 1, "the shift worked is counted");

    let fairs: BTreeMap<Uuid, fair::Model> = fair::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|f| {
            f.district_id == Some(district)
                && within(f.starts_at)
                && !matches!(f.status, FairStatus::Draft | FairStatus::Cancelled)
        })
        .map(|f| (f.id, f))
        .collect();
    assert_eq!(fairs.len(), 1, "the fair is in the district");
    for f in fairs.values() {
        r.add(week(f.starts_at), None, |t| t.fairs += 1);
    }
    for reg in fair_registration::Entity::find().all(db).await.unwrap() {
        if let Some(f) = fairs.get(&reg.fair_id) {
            r.add(week(f.starts_at), None, |t| {
                if reg.status == RegistrationStatus::Registered {
                    t.fair_registrations += 1;
                }
                if reg.checked_in_at.is_some() {
                    t.fair_attended += 1;
                }
            });
        }
    }
    let mut offers: BTreeSet<(Uuid, Uuid, Uuid)> = BTreeSet::new();
    let mut hires: BTreeSet<(Uuid, Uuid, Uuid)> = BTreeSet::new();
    for v in fair_booth_visit::Entity::find().all(db).await.unwrap() {
        if let Some(f) = fairs.get(&v.fair_id) {
            r.add(week(f.starts_at), None, |t| t.fair_booth_visits += 1);
            if matches!(v.outcome, Some(BoothOutcome::Offer | BoothOutcome::Hire)) {
                offers.insert((f.id, v.booth_id, v.seeker_id));
            }
            if v.outcome == Some(BoothOutcome::Hire) {
                hires.insert((f.id, v.booth_id, v.seeker_id));
            }
        }
    }
    let events = application_event::Entity::find().all(db).await.unwrap();
    for fa in fair_application::Entity::find().all(db).await.unwrap() {
        if fairs.contains_key(&fa.fair_id) {
            for e in events
                .iter()
                .filter(|e| e.application_id == fa.application_id)
            {
                if matches!(
                    e.to_status,
                    ApplicationStatus::Offered | ApplicationStatus::Hired
                ) {
                    offers.insert((fa.fair_id, fa.booth_id, fa.seeker_id));
                }
                if e.to_status == ApplicationStatus::Hired {
                    hires.insert((fa.fair_id, fa.booth_id, fa.seeker_id));
                }
            }
        }
    }
    for (f, _, _) in &offers {
        r.add(week(fairs[f].starts_at), None, |t| t.fair_offers += 1);
    }
    for (f, _, _) in &hires {
        r.add(week(fairs[f].starts_at), None, |t| t.fair_hires += 1);
    }

    let sessions: BTreeMap<Uuid, training_session::Model> = training_session::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| {
            s.district_id == Some(district)
                && within(s.starts_at)
                && s.status == SessionStatus::Published
        })
        .map(|s| (s.id, s))
        .collect();
    for s in sessions.values() {
        let key = (week(s.starts_at), s.category.as_str().to_owned());
        r.training_keys.insert((Some(key.0), Some(key.1.clone())));
        r.training_keys.insert((None, Some(key.1.clone())));
        r.add(key.0, Some(&format!("training:{}", key.1)), |t| {
            t.sessions += 1
        });
    }
    for seat in training_registration::Entity::find().all(db).await.unwrap() {
        if let Some(s) = sessions.get(&seat.session_id) {
            let cat = format!("training:{}", s.category.as_str());
            r.add(week(s.starts_at), Some(&cat), |t| {
                if seat.status != doorstep_domain::types::SeatStatus::Cancelled {
                    t.seats += 1;
                }
                if seat.status == doorstep_domain::types::SeatStatus::Attended {
                    t.attended += 1;
                }
            });
        }
    }

    for rep in report::Entity::find()
        .filter(report::Column::DistrictId.eq(district))
        .all(db)
        .await
        .unwrap()
    {
        if rep.status == ReportStatus::Resolved
            && let Some(at) = rep.resolved_at.filter(|at| within(*at))
        {
            let cat = rep.category.as_str().to_owned();
            r.report_keys.insert((Some(week(at)), Some(cat.clone())));
            r.report_keys.insert((None, Some(cat.clone())));
            r.add(week(at), Some(&format!("report:{cat}")), |t| {
                t.resolved += 1
            });
        }
    }
    r
}

/// The whole-range or week measures the recount expects, by JSON field.
fn expected_measures(t: &Tally) -> Vec<(&'static str, Value)> {
    vec![
        ("new_postings", json!(t.new_postings)),
        ("ended_postings", json!(t.ended)),
        ("filled_postings", json!(t.filled)),
        ("fill_rate", rate(t.filled, t.ended)),
        ("median_hours_to_fill", median(&t.hours)),
        ("applications", json!(t.applications)),
        (
            "applications_per_posting",
            rate(t.applications, t.new_postings),
        ),
        ("placements", json!(t.placements)),
        ("graduate_placements", json!(t.graduate_placements)),
        ("gig_shifts_completed", json!(t.shifts)),
        ("gig_minutes_worked", json!(t.minutes)),
        ("gig_hours_worked", json!(t.minutes as f64 / 60.0)),
        ("fairs", json!(t.fairs)),
        ("fair_registrations", json!(t.fair_registrations)),
        ("fair_attended", json!(t.fair_attended)),
        ("fair_booth_visits", json!(t.fair_booth_visits)),
        ("fair_offers", json!(t.fair_offers)),
        ("fair_hires", json!(t.fair_hires)),
    ]
}

fn expected_category(t: &Tally) -> Vec<(&'static str, Value)> {
    vec![
        ("new_postings", json!(t.new_postings)),
        ("ended_postings", json!(t.ended)),
        ("filled_postings", json!(t.filled)),
        ("fill_rate", rate(t.filled, t.ended)),
        ("placements", json!(t.placements)),
        ("graduate_placements", json!(t.graduate_placements)),
        ("gig_shifts_completed", json!(t.shifts)),
        ("gig_minutes_worked", json!(t.minutes)),
        ("gig_hours_worked", json!(t.minutes as f64 / 60.0)),
    ]
}

fn same(actual: &Value, expected: &Value) -> bool {
    match (actual.as_f64(), expected.as_f64()) {
        (Some(a), Some(e)) => (a - e).abs() < 1e-9,
        _ => actual == expected,
    }
}

fn assert_fields(what: &str, row: &Value, expected: &[(&'static str, Value)]) {
    for (field, value) in expected {
        assert!(
            same(&row[field], value),
            "{what}: {field} is {} but the recount says {value}\n{row}",
            row[field]
        );
    }
}

async fn figures_equal_a_recount_of_the_rows(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = build(&app).await;
    let today = shanghai_day(Utc::now());
    // Ten weeks back from a Wednesday-or-so: partial first and last weeks.
    let from = today - Duration::days(66);
    let (a, token) = (world.district_a, world.officer_a.access_token.clone());

    let got = app
        .get(&figures_path(a, from, today, false), Some(&token))
        .await;
    assert_eq!(got.status, 200, "{}", got.body);
    let f = &got.body;
    let r = recount(&app, a, from, today).await;
    assert_eq!(f["from"], from.to_string());
    assert_eq!(f["to"], today.to_string());

    // Something of everything happened, so the comparison means something.
    let total = r.tally(&(None, None));
    assert!(
        total.new_postings >= 8 && total.ended >= 2 && total.filled >= 1,
        "{total:?}"
    );
    assert!(
        total.applications >= 5 && total.placements >= 1,
        "{total:?}"
    );
    // An offer and a hire (a hire is an offer too), one check-in.
    assert_eq!(
        (total.fair_offers, total.fair_hires, total.fair_attended),
        (2, 1, 1)
    );
    assert!(!r.graduates.is_empty());

    // Totals.
    assert_eq!(f["open_postings"], json!(r.open.values().sum::<u64>()));
    let mut totals = expected_measures(total);
    let (sessions, seats, attended, resolved) = r
        .cells
        .iter()
        .filter(|((w, _), _)| w.is_none())
        .fold((0, 0, 0, 0), |acc, ((_, c), t)| match c {
            Some(c) if c.starts_with("training:") => (
                acc.0 + t.sessions,
                acc.1 + t.seats,
                acc.2 + t.attended,
                acc.3,
            ),
            Some(c) if c.starts_with("report:") => (acc.0, acc.1, acc.2, acc.3 + t.resolved),
            _ => acc,
        });
    assert_eq!((sessions, seats, attended, resolved), (2, 3, 1, 1));
    totals.push(("training_sessions", json!(sessions)));
    totals.push(("training_registrations", json!(seats)));
    totals.push(("training_attended", json!(attended)));
    totals.push(("reports_resolved", json!(resolved)));
    assert_fields("totals", &f["totals"], &totals);

    // Every week of the range, Monday first.
    let weeks = f["weeks"].as_array().unwrap();
    let mut monday_ = monday(from);
    assert_eq!(
        weeks.len() as i64,
        (monday(today) - monday(from)).num_weeks() + 1
    );
    for w in weeks {
        assert_eq!(w["week_start"], monday_.to_string());
        let key = (Some(monday_), None);
        let mut expected = expected_measures(r.tally(&key));
        let (s, seats, att, res) = r
            .cells
            .iter()
            .filter(|((wk, _), _)| *wk == Some(monday_))
            .fold((0, 0, 0, 0), |acc, ((_, c), t)| match c {
                Some(c) if c.starts_with("training:") => (
                    acc.0 + t.sessions,
                    acc.1 + t.seats,
                    acc.2 + t.attended,
                    acc.3,
                ),
                Some(c) if c.starts_with("report:") => (acc.0, acc.1, acc.2, acc.3 + t.resolved),
                _ => acc,
            });
        expected.push(("training_sessions", json!(s)));
        expected.push(("training_registrations", json!(seats)));
        expected.push(("training_attended", json!(att)));
        expected.push(("reports_resolved", json!(res)));
        assert_fields(&format!("week {monday_}"), w, &expected);
        monday_ += Duration::weeks(1);
    }

    // Posting categories over the range, and by week.
    let categories: BTreeSet<String> = r
        .posting_keys
        .iter()
        .filter_map(|(_, c)| c.clone())
        .chain(r.open.keys().cloned())
        .collect();
    let rows = f["categories"].as_array().unwrap();
    assert_eq!(
        rows.iter()
            .map(|c| c["category"].as_str().unwrap().to_owned())
            .collect::<BTreeSet<_>>(),
        categories
    );
    for row in rows {
        let c = row["category"].as_str().unwrap().to_owned();
        let t = r.tally(&(None, Some(c.clone())));
        let mut expected = expected_category(t);
        expected.push(("open_postings", json!(r.open.get(&c).copied().unwrap_or(0))));
        expected.push(("median_hours_to_fill", median(&t.hours)));
        assert_fields(&format!("category {c}"), row, &expected);
    }
    let cross = f["category_weeks"].as_array().unwrap();
    let week_keys: BTreeSet<Key> = r
        .posting_keys
        .iter()
        .filter(|(w, _)| w.is_some())
        .cloned()
        .collect();
    assert_eq!(cross.len(), week_keys.len(), "{cross:?}");
    for row in cross {
        let key: Key = (
            Some(row["week_start"].as_str().unwrap().parse().unwrap()),
            Some(row["category"].as_str().unwrap().to_owned()),
        );
        assert!(week_keys.contains(&key), "{row}");
        assert_fields(&format!("{key:?}"), row, &expected_category(r.tally(&key)));
    }

    // Training and reports by category (whole range and weeks).
    let training = f["training"].as_array().unwrap();
    assert_eq!(training.len(), r.training_keys.len(), "{training:?}");
    for row in training {
        let week: Option<NaiveDate> = row["week_start"].as_str().map(|w| w.parse().unwrap());
        let cat = row["category"].as_str().unwrap();
        let t = r.tally(&(week, Some(format!("training:{cat}"))));
        assert_fields(
            &format!("training {week:?} {cat}"),
            row,
            &[
                ("sessions", json!(t.sessions)),
                ("registrations", json!(t.seats)),
                ("attended", json!(t.attended)),
            ],
        );
    }
    let reports = f["reports"].as_array().unwrap();
    assert_eq!(reports.len(), r.report_keys.len(), "{reports:?}");
    for row in reports {
        let week: Option<NaiveDate> = row["week_start"].as_str().map(|w| w.parse().unwrap());
        let cat = row["category"].as_str().unwrap();
        let t = r.tally(&(week, Some(format!("report:{cat}"))));
        assert_eq!(row["resolved"], json!(t.resolved), "{row}");
    }

    // Placements of graduates by graduation year.
    let graduates: BTreeMap<i32, u64> = f["graduates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["graduation_year"].as_i64().unwrap() as i32,
                g["placements"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(graduates, r.graduates);

    // The CSV: BOM, header, the same figures one per row.
    let csv = app
        .get_bytes(&figures_path(a, from, today, true), Some(&token))
        .await;
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.headers["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(
        csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(&csv.bytes[..3], b"\xEF\xBB\xBF", "UTF-8 byte-order mark");
    let text = String::from_utf8(csv.bytes[3..].to_vec()).unwrap();
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next(),
        Some("week_start,section,category,metric,value")
    );
    let rows: Vec<Vec<&str>> = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').collect())
        .collect();
    assert!(rows.iter().all(|r| r.len() == 5), "{text}");
    let cell = |week: &str, category: &str, metric: &str| {
        rows.iter()
            .find(|r| r[0] == week && r[2] == category && r[3] == metric)
            .map(|r| r[4].to_owned())
    };
    assert_eq!(
        cell("", "", "new_postings"),
        Some(total.new_postings.to_string())
    );
    assert_eq!(
        cell("", "", "open_postings"),
        Some(r.open.values().sum::<u64>().to_string())
    );
    for (year, n) in &r.graduates {
        assert_eq!(
            cell("", &year.to_string(), "placements"),
            Some(n.to_string())
        );
    }
    let last_week = monday(today).to_string();
    assert_eq!(
        cell(&last_week, "", "applications"),
        Some(
            r.tally(&(Some(monday(today)), None))
                .applications
                .to_string()
        )
    );
}

async fn figures_are_for_the_districts_officers_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin().await;
    let district_a = app.create_district("园区湖西", BOX_A).await;
    let district_b = app.create_district("姑苏石路", BOX_B).await;
    let officer_a = app.create_officer_in("13700000011", &[district_a]).await;
    let officer_b = app.create_officer_in("13700000012", &[district_b]).await;
    let shop = shop_at(&app, "13912340011", (MALL_LAT, MALL_LON), &admin).await;
    let seeker = app.seeker_with_profile("13812340001", "李娜").await;
    let world = World {
        district_a,
        district_b,
        officer_a,
        officer_b,
        merchant: shop.merchant,
        seeker,
    };
    let a = world.district_a;
    let path = format!("/api/v1/districts/{a}/figures");
    let csv = format!("/api/v1/districts/{a}/figures.csv");

    // The district's officer and admins read it (default: the last 12 weeks).
    let own = app.get(&path, Some(&world.officer_a.access_token)).await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(own.body["weeks"].as_array().unwrap().len(), 12);
    assert_eq!(own.body["to"], shanghai_day(Utc::now()).to_string());
    assert_eq!(app.get(&path, Some(&admin.access_token)).await.status, 200);

    // Another district's officer: as if it did not exist; seekers and merchants: refused.
    for p in [&path, &csv] {
        let other = app.get(p, Some(&world.officer_b.access_token)).await;
        assert_eq!(other.status, 404, "{}", other.body);
        for who in [&world.seeker, &world.merchant] {
            assert_eq!(app.get(p, Some(&who.access_token)).await.status, 403);
        }
        assert_eq!(app.get(p, None).await.status, 401);
    }
    let theirs = format!("/api/v1/districts/{}/figures", world.district_b);
    assert_eq!(
        app.get(&theirs, Some(&world.officer_a.access_token))
            .await
            .status,
        404
    );

    // Bad dates are named.
    for (query, field) in [
        ("from=2026-02-30", "from"),
        ("to=yesterday", "to"),
        ("from=2026-11-02&to=2026-11-01", "from"),
        ("from=2024-01-01&to=2026-01-01", "to"),
    ] {
        for p in [&path, &csv] {
            let bad = app
                .get(&format!("{p}?{query}"), Some(&world.officer_a.access_token))
                .await;
            assert_eq!(bad.status, 422, "{query}: {}", bad.body);
            assert_eq!(bad.field_errors()[0].0, field, "{query}");
        }
    }
    // Two years exactly is allowed.
    let longest = app
        .get(
            &format!("{path}?from=2024-01-01&to=2025-12-31"),
            Some(&world.officer_a.access_token),
        )
        .await;
    assert_eq!(longest.status, 200, "{}", longest.body);
    assert_eq!(longest.body["weeks"].as_array().unwrap().len(), 105);
}
