//! `doorstep demo` and the generated district: the README's tour works right after loading
//! (log in, search, see pushed matches), a run that would clash with a server or with data
//! already there is refused before it writes anything, and what the generator writes is
//! what the API itself accepts.

use doorstep_api::demo::{self, DemoArgs};
use doorstep_demo::{Generator, Sizes};
use doorstep_tests::market::business_body;
use doorstep_tests::{Backend, Session, TestApp, on_both_databases, spawn_app, spawn_app_after};
use serde_json::{Value, json};

const PASSWORD: &str = "demo-tour-password-2026";

fn small() -> DemoArgs {
    DemoArgs {
        seed: 2026,
        businesses: 30,
        postings: 240,
        seekers: 240,
        password: Some(PASSWORD.into()),
    }
}

async fn login(app: &TestApp, login: &str) -> Session {
    let response = app.login(login, PASSWORD).await;
    assert_eq!(response.status, 200, "{}", response.body);
    Session::from_response(&response)
}

on_both_databases!(
    the_tour_works_right_after_the_demo_loads,
    a_rejected_password_loads_nothing,
    a_demo_that_would_clash_is_refused_before_writing_anything,
    generated_postings_and_profiles_pass_the_api_validation
);

async fn the_tour_works_right_after_the_demo_loads(backend: Backend) {
    let app = spawn_app_after(backend, async |settings| {
        demo::run(settings, small()).await.expect("the demo loads")
    })
    .await;

    // The seeker of the tour logs in and finds work near home: the running server picks up
    // the rebuilt index on its next pass.
    let seeker = login(&app, demo::SEEKER_PHONE).await;
    let found = app
        .eventually(
            "/api/v1/jobs/search?q=%E6%9C%8D%E5%8A%A1%E5%91%98&lat=31.3195&lon=120.6742&radius_km=10",
            Some(&seeker.access_token),
            |r| r.body["items"].as_array().is_some_and(|items| !items.is_empty()),
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    let first = &found.body["items"][0];
    assert!(
        first["title"].as_str().unwrap().contains("服务")
            || first["highlights"].to_string().contains("服务"),
        "{first}"
    );

    // Gig postings come with dated shifts that have places open.
    let gigs = app
        .get("/api/v1/jobs/search?kind=gig&open_places=true", None)
        .await;
    let gig = &gigs.body["items"][0];
    assert!(
        gig["shifts"][0]["open"].as_bool().unwrap_or(false),
        "{}",
        gigs.body
    );
    let shifts = app
        .get(
            &format!("/api/v1/postings/{}/shifts", gig["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert!(
        shifts.body["items"][0]["open_places"].as_i64().unwrap_or(0) > 0,
        "{}",
        shifts.body
    );

    // Their pushed matches are there at once, each explained, best first.
    let matches = app.get("/api/v1/matches", Some(&seeker.access_token)).await;
    assert_eq!(matches.status, 200, "{}", matches.body);
    let matches = matches.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!matches.is_empty(), "the demo seeker has no matches");
    let scores: Vec<f64> = matches
        .iter()
        .map(|m| m["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(
        matches
            .iter()
            .all(|m| !m["explanation"].as_str().unwrap_or("").is_empty())
    );
    let inbox = app.get("/api/v1/inbox", Some(&seeker.access_token)).await;
    assert!(
        inbox.body["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty()),
        "{}",
        inbox.body
    );

    // The merchant co-owns businesses with open postings; the officer has a queue.
    let merchant = login(&app, demo::MERCHANT_PHONE).await;
    let mine = app
        .get("/api/v1/postings/mine", Some(&merchant.access_token))
        .await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert!(
        mine.body["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty()),
        "{}",
        mine.body
    );
    let officer = login(&app, demo::OFFICER_EMAIL).await;
    let pending = app
        .get(
            "/api/v1/businesses?status=pending",
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(pending.status, 200, "{}", pending.body);
    let districts = app
        .get("/api/v1/districts", Some(&officer.access_token))
        .await;
    assert_eq!(
        districts.body["items"].as_array().map(Vec::len),
        Some(2),
        "{}",
        districts.body
    );

    // A rider finds a station open now (one is open round the clock), the first-aid class
    // and the rewards.
    let (lat, lon) = doorstep_demo::vocabulary::CENTRE;
    let open = app
        .get(
            &format!("/api/v1/stations?lat={lat}&lon={lon}&radius_km=5&open_now=true"),
            None,
        )
        .await;
    assert_eq!(open.status, 200, "{}", open.body);
    assert!(
        open.body["items"].as_array().is_some_and(|s| !s.is_empty()),
        "{}",
        open.body
    );
    let classes = app.get("/api/v1/trainings", None).await;
    assert_eq!(
        classes.body["items"][0]["certificate"], "急救证",
        "{}",
        classes.body
    );
    let rewards = app.get("/api/v1/rewards", None).await;
    assert_eq!(
        rewards.body["items"].as_array().map(Vec::len),
        Some(3),
        "{}",
        rewards.body
    );

    // The officer's views have the district's recent past in them.
    let follow_ups = app
        .get("/api/v1/officer/follow-ups", Some(&officer.access_token))
        .await;
    assert_eq!(follow_ups.status, 200, "{}", follow_ups.body);
    assert!(
        follow_ups.body.to_string().contains("follow_up_due"),
        "the officer has follow-ups due: {}",
        follow_ups.body
    );

    // Loading twice would duplicate the district: refused, beside the running server (it
    // uses the index folder and holds leases on the database), and nothing was added.
    let before = counts(&app.db).await;
    let again = demo::run(&app.settings, small()).await;
    let message = again.expect_err("a second load is refused").to_string();
    assert!(message.contains("search index"), "{message}");
    assert_eq!(counts(&app.db).await, before);
}

/// Rows of the tables the demo writes to, by table.
async fn counts(db: &sea_orm::DatabaseConnection) -> Vec<(&'static str, u64)> {
    use doorstep_domain::entities::{
        account, application, district, job_match, lease, outbox_event, posting, push,
        service_record, station,
    };
    use sea_orm::{EntityTrait, PaginatorTrait};
    vec![
        ("accounts", account::Entity::find().count(db).await.unwrap()),
        ("postings", posting::Entity::find().count(db).await.unwrap()),
        (
            "districts",
            district::Entity::find().count(db).await.unwrap(),
        ),
        ("stations", station::Entity::find().count(db).await.unwrap()),
        (
            "applications",
            application::Entity::find().count(db).await.unwrap(),
        ),
        (
            "service_records",
            service_record::Entity::find().count(db).await.unwrap(),
        ),
        (
            "matches",
            job_match::Entity::find().count(db).await.unwrap(),
        ),
        ("pushes", push::Entity::find().count(db).await.unwrap()),
        (
            "outbox",
            outbox_event::Entity::find().count(db).await.unwrap(),
        ),
        ("leases", lease::Entity::find().count(db).await.unwrap()),
    ]
}

/// The app's settings with a data folder (and so search index) of their own: the same
/// database, reached from a folder no server uses.
fn other_folder(app: &TestApp) -> doorstep_api::config::Settings {
    let mut settings = app.settings.clone();
    settings.data_dir = settings.data_dir.with_file_name("elsewhere");
    settings.index_dir = None;
    settings
}

/// Everything that can make the demo refuse is checked before it writes: a demo login
/// already taken, a server using the same folder (the half-loaded database), a
/// worker holding the matching lease on the database. Each refusal leaves every table as
/// it was.
async fn a_demo_that_would_clash_is_refused_before_writing_anything(backend: Backend) {
    use doorstep_domain::accounts::{self, NewAccount};
    use doorstep_domain::entities::lease;
    use doorstep_domain::types::Role;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let app = spawn_app_after(backend, async |settings| {
        // Before any server runs: the demo seeker's phone is someone's login already.
        let db = doorstep_api::startup::connect_and_migrate(settings)
            .await
            .unwrap();
        let taken = NewAccount::parse(
            Role::Seeker,
            Some(demo::SEEKER_PHONE),
            None,
            "correct-horse-battery",
            "已注册的人",
        )
        .unwrap();
        accounts::create(&db, &settings.password_pool(), taken)
            .await
            .unwrap();
        let before = counts(&db).await;
        let message = demo::run(settings, small())
            .await
            .expect_err("the demo's login is taken")
            .to_string();
        assert!(message.contains("already loaded"), "{message}");
        assert_eq!(counts(&db).await, before);
    })
    .await;

    // A server uses the folder.
    let before = counts(&app.db).await;
    let message = demo::run(&app.settings, small())
        .await
        .expect_err("a server uses the folder")
        .to_string();
    assert!(
        message.contains("search index") && message.contains("stop it"),
        "{message}"
    );
    assert_eq!(counts(&app.db).await, before);

    // From a folder of its own, but a worker holds the matching lease on the database.
    let now = doorstep_domain::time::now();
    let held = lease::ActiveModel {
        name: Set("outbox".into()),
        holder: Set(Some("worker-elsewhere".into())),
        lease_until: Set(Some(now + chrono::Duration::minutes(5))),
        progress: Set(json!({})),
        updated_at: Set(now),
    };
    match lease::Entity::find_by_id("outbox".to_owned())
        .one(&app.db)
        .await
        .unwrap()
    {
        Some(_) => held.update(&app.db).await.map(drop).unwrap(),
        None => held.insert(&app.db).await.map(drop).unwrap(),
    }
    let before = counts(&app.db).await;
    let message = demo::run(&other_folder(&app), small())
        .await
        .expect_err("a worker holds the lease")
        .to_string();
    assert!(
        message.contains("worker-elsewhere") && message.contains("`outbox`"),
        "{message}"
    );
    assert_eq!(counts(&app.db).await, before);
}

/// The password is checked before the district is written: a refused one leaves the
/// database empty, so the next attempt is not blocked by a half-loaded district.
async fn a_rejected_password_loads_nothing(backend: Backend) {
    use doorstep_domain::entities::posting;
    use sea_orm::{EntityTrait, PaginatorTrait};
    let app = spawn_app_after(backend, async |settings| {
        let weak = DemoArgs {
            password: Some("123".into()),
            ..small()
        };
        let message = demo::run(settings, weak)
            .await
            .expect_err("a weak password is refused")
            .to_string();
        assert!(message.contains("password"), "{message}");
        demo::run(settings, small())
            .await
            .expect("then a good password loads the district");
    })
    .await;
    // One district, not one and a half.
    assert_eq!(
        posting::Entity::find().count(&app.db).await.unwrap() as usize,
        small().postings + small().postings / 10
    );
}

/// Every generated posting and profile, sent through the API as a merchant or seeker
/// would send it, is accepted: the generator writes only what the product allows.
async fn generated_postings_and_profiles_pass_the_api_validation(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let merchant = app.register_as("merchant", "13500000001").await;
    let created = app
        .post(
            "/api/v1/businesses",
            &business_body("生成数据测试店"),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let business = created.body["id"].as_str().unwrap().to_owned();
    app.prepare_for_verification(&merchant, "13500000001", business.parse().unwrap())
        .await;
    let verified = app
        .post(
            &format!("/api/v1/businesses/{business}/verify"),
            &json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(verified.status, 200, "{}", verified.body);

    let generator = Generator::new(99, Sizes::scaled(60), chrono::Utc::now());
    let mut gig_shifts = 0;
    for g in generator.postings() {
        let shifts = generator.shifts(&g);
        let p = g.posting;
        let body = json!({
            "kind": p.kind, "title": p.title, "description": p.description, "category": p.category,
            "skills": p.skills.0, "headcount": p.headcount, "pay_min": p.pay_min, "pay_max": p.pay_max,
            "pay_unit": p.pay_unit, "address": p.address, "lat": p.lat, "lon": p.lon,
            "schedule": p.schedule, "education_min": p.education_min,
            "experience_years_min": p.experience_years_min, "requirements": p.requirements,
            "benefits": p.benefits.0,
        });
        let response = app
            .post(
                &format!("/api/v1/businesses/{business}/postings"),
                &body,
                Some(&merchant.access_token),
            )
            .await;
        assert_eq!(response.status, 201, "{} for {body}", response.body);
        // A gig posting's generated shifts are shifts the API takes.
        let id = response.body["id"].as_str().unwrap();
        for s in shifts {
            let body = json!({
                "starts_at": doorstep_domain::time::to_display(s.starts_at),
                "ends_at": doorstep_domain::time::to_display(s.ends_at),
                "places": s.places, "pay_fen": s.pay_fen, "pay_unit": s.pay_unit,
                "break_minutes": s.break_minutes,
            });
            let added = app
                .post(
                    &format!("/api/v1/postings/{id}/shifts"),
                    &body,
                    Some(&merchant.access_token),
                )
                .await;
            assert_eq!(added.status, 201, "{} for {body}", added.body);
            gig_shifts += 1;
        }
    }
    assert!(gig_shifts > 0, "the sample has gig shifts");
    for (i, g) in generator.seekers().take(40).enumerate() {
        let seeker = app.register_as("seeker", &format!("1350001{i:04}")).await;
        let s = g.profile;
        let body: Value = json!({
            "full_name": s.full_name, "education": s.education, "major": s.major,
            "graduation_year": s.graduation_year, "skills": s.skills.0, "experience": s.experience.0,
            "desired_categories": s.desired_categories.0, "desired_kinds": s.desired_kinds.0,
            "expected_pay_min": s.expected_pay_min, "expected_pay_unit": s.expected_pay_unit,
            "home_lat": s.home_lat, "home_lon": s.home_lon, "travel_radius_km": s.travel_radius_km,
            "availability": s.availability, "resume": s.resume, "visibility": s.visibility,
            "personalised_matching": s.personalised_matching,
        });
        let response = app
            .put("/api/v1/me/profile", &body, Some(&seeker.access_token))
            .await;
        assert_eq!(response.status, 201, "{} for {body}", response.body);
    }
}
