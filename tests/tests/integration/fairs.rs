//! Job fairs through the API: an officer runs a fair from draft to figures; booths are
//! numbered and bounded; routes are planned within every rule, re-planned without moving
//! routes already sent, and private; a cancelled fair tells everyone.

use std::collections::{HashMap, HashSet};

use doorstep_client::views::Page;
use doorstep_client::views::fairs::{BoothView, FairView, RegistrationView};
use doorstep_client::views::marketplace::NotificationView;
use doorstep_domain::fairs::status::{BoothStatus, FairStatus, RegistrationStatus};
use doorstep_tests::fairs::{cashier_posting, fair_body};
use doorstep_tests::market::posting_body;
use doorstep_tests::{ApiResponse, Backend, on_both_databases, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    an_officer_runs_a_fair_from_draft_to_figures,
    booths_are_numbered_bounded_and_reviewed,
    replanning_keeps_routes_already_sent,
    slot_restrictions_are_planned_within,
    routes_and_schedules_are_private,
    a_cancelled_fair_tells_everyone,
    fair_input_is_validated,
    officers_of_other_districts_cannot_touch_a_fair,
);

fn id(response: &ApiResponse) -> Uuid {
    response.body["id"].as_str().unwrap().parse().unwrap()
}

fn items(value: &Value) -> &Vec<Value> {
    value.as_array().expect("an array")
}

/// Every rule a plan keeps, read back from the booths' schedules: no seeker twice in a slot,
/// no booth twice for a seeker, no booth over its capacity in a slot, at most `k` visits.
fn assert_feasible(schedules: &[&ApiResponse], k: usize) {
    let mut seeker_slots = HashSet::new();
    let mut seeker_booths = HashSet::new();
    let mut per_seeker: HashMap<String, usize> = HashMap::new();
    for schedule in schedules {
        let capacity = schedule.body["capacity_per_slot"].as_u64().unwrap() as usize;
        let booth = schedule.body["booth_id"].as_str().unwrap().to_owned();
        let mut per_slot: HashMap<i64, usize> = HashMap::new();
        for v in items(&schedule.body["visitors"]) {
            let seeker = v["seeker_id"].as_str().unwrap().to_owned();
            let slot = v["slot"].as_i64().unwrap();
            assert!(
                seeker_slots.insert((seeker.clone(), slot)),
                "a seeker twice in slot {slot}"
            );
            assert!(
                seeker_booths.insert((seeker.clone(), booth.clone())),
                "a booth twice"
            );
            *per_slot.entry(slot).or_default() += 1;
            *per_seeker.entry(seeker).or_default() += 1;
        }
        assert!(per_slot.values().all(|n| *n <= capacity), "over capacity");
    }
    assert!(per_seeker.values().all(|n| *n <= k), "too many visits");
}

async fn an_officer_runs_a_fair_from_draft_to_figures(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let cafe = app.verified_shop("13912340001", &officer).await;
    let store = app.verified_shop("13912340002", &officer).await;
    let coffee = app.open_posting(&cafe, &posting_body("周末咖啡师")).await;
    let cashier = app.open_posting(&store, &cashier_posting()).await;

    // A draft is the officers' alone.
    let mut body = fair_body("圆融时代广场就业供需见面会", 3);
    body["slot_count"] = json!(2);
    body["visits_per_seeker"] = json!(2);
    let draft = app
        .post("/api/v1/fairs", &body, Some(&officer.access_token))
        .await;
    assert_eq!(draft.status, 201, "{}", draft.body);
    let fair = id(&draft);
    assert_eq!(draft.json::<FairView>().status, FairStatus::Draft);
    assert_eq!(draft.json::<FairView>().slots.len(), 2);
    assert!(
        draft.body["starts_at"]
            .as_str()
            .unwrap()
            .ends_with("+08:00")
    );
    assert_eq!(
        app.get(&format!("/api/v1/fairs/{fair}"), None).await.status,
        404
    );
    let published = app
        .post(
            &format!("/api/v1/fairs/{fair}/publish"),
            &json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(published.json::<FairView>().status, FairStatus::Published);
    let listed = app.get("/api/v1/fairs", None).await;
    assert_eq!(listed.json::<Page<FairView>>().items[0].id, fair);

    // Merchants book booths (one place per slot each); the officer approves them.
    let booth_a = app
        .approved_booth(fair, &cafe, &[coffee], 1, &officer)
        .await;
    let booth_b = app
        .approved_booth(fair, &store, &[cashier], 1, &officer)
        .await;
    let booths = app.get(&format!("/api/v1/fairs/{fair}/booths"), None).await;
    let numbers: Vec<i64> = items(&booths.body["items"])
        .iter()
        .map(|b| b["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![1, 2]);
    assert!(
        app.inbox_kinds(&cafe.merchant)
            .await
            .contains(&"fair_booth_reviewed".to_owned())
    );

    // Three seekers register: demand 3 × 2 visits, room for 2 booths × 2 slots × 1.
    let names = ["林小雨", "王芳", "张伟"];
    let mut seekers = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let seeker = app.fair_seeker(&format!("1381234000{k}"), name).await;
        let registration = app.registered(&seeker, fair).await;
        seekers.push((seeker, registration));
    }

    let plan = app.plan_fair(&officer, fair).await;
    assert_eq!(plan.status, 200, "{}", plan.body);
    assert_eq!(plan.body["method"], "exact");
    assert_eq!(plan.body["visits"], 4);
    assert_eq!(plan.body["gap_bound"], 0.0);
    assert_eq!(plan.body["seekers"], 3);

    // Each seeker reads their own route: booth, slot, posting, why it suits them.
    let mut total = 0.0;
    let mut first_token = String::new();
    let mut first_route = Value::Null;
    for (k, (seeker, registration)) in seekers.iter().enumerate() {
        let mine = app.fair_registration(seeker, fair, *registration).await;
        assert_eq!(mine.status, 200, "{}", mine.body);
        let token = mine.body["token"].as_str().unwrap();
        assert!(token.starts_with("v1.fair-checkin."));
        for stop in items(&mine.body["route"]) {
            total += stop["score"].as_f64().unwrap();
            assert!(!stop["explanation"].as_str().unwrap().is_empty());
            assert!(stop["booth_number"].as_i64().is_some());
            assert!(!stop["posting_title"].as_str().unwrap().is_empty());
            assert!(stop["starts_at"].as_str().unwrap().ends_with("+08:00"));
        }
        if k == 0 {
            first_token = token.to_owned();
            first_route = mine.body["route"].clone();
        }
        assert!(
            app.inbox_kinds(seeker)
                .await
                .contains(&"fair_route_ready".to_owned())
        );
    }
    assert!((total - plan.body["total_score"].as_f64().unwrap()).abs() < 1e-6);

    // Merchants read who comes when: masked before check-in, within every rule.
    let schedule_a = app.booth_schedule(&cafe.merchant, fair, booth_a).await;
    let schedule_b = app.booth_schedule(&store.merchant, fair, booth_b).await;
    assert_eq!(schedule_a.status, 200, "{}", schedule_a.body);
    assert_feasible(&[&schedule_a, &schedule_b], 2);
    for v in items(&schedule_a.body["visitors"]) {
        assert!(v["name"].as_str().unwrap().ends_with("**"), "{v}");
        assert!(v.get("phone").is_none());
    }

    // The first seeker checks in at the door, then at a booth of their route.
    let (first, first_registration) = &seekers[0];
    let door = app.scan_token(&officer, fair, &first_token, None).await;
    assert_eq!(door.status, 200, "{}", door.body);
    assert_eq!(door.body["first_scan"], true);
    assert_eq!(door.body["name"], "林小雨");
    let planned_booth: Uuid = first_route[0]["booth_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let (booth_shop, booth_posting) = if planned_booth == booth_a {
        (&cafe, coffee)
    } else {
        (&store, cashier)
    };
    let at_booth = app
        .scan_token(
            &booth_shop.merchant,
            fair,
            &first_token,
            Some(planned_booth),
        )
        .await;
    assert_eq!(at_booth.status, 200, "{}", at_booth.body);
    assert_eq!(at_booth.body["first_scan"], true);
    let schedule = app
        .booth_schedule(&booth_shop.merchant, fair, planned_booth)
        .await;
    let seen = items(&schedule.body["visitors"])
        .iter()
        .find(|v| v["seeker_id"] == first.account_id.to_string())
        .expect("the first seeker is on the schedule");
    assert_eq!(seen["name"], "林小雨");
    assert_eq!(seen["checked_in"], true);

    // At the booth: the merchant records an offer; the seeker applies on the spot.
    let outcome = app
        .post(
            &format!("/api/v1/fairs/{fair}/booths/{planned_booth}/outcomes"),
            &json!({"seeker_id": first.account_id, "outcome": "offer", "posting_id": booth_posting}),
            Some(&booth_shop.merchant.access_token),
        )
        .await;
    assert_eq!(outcome.status, 200, "{}", outcome.body);
    let applied = app
        .post(
            &format!("/api/v1/fairs/{fair}/booths/{planned_booth}/applications"),
            &json!({"posting_id": booth_posting, "note": "现场面谈过"}),
            Some(&first.access_token),
        )
        .await;
    assert_eq!(applied.status, 201, "{}", applied.body);
    // The ordinary pipeline: the merchant sees it among the posting's applications.
    let applications = app
        .get(
            &format!("/api/v1/postings/{booth_posting}/applications"),
            Some(&booth_shop.merchant.access_token),
        )
        .await;
    assert_eq!(applications.body["items"][0]["applicant"]["name"], "林小雨");
    let again = app
        .post(
            &format!("/api/v1/fairs/{fair}/booths/{planned_booth}/applications"),
            &json!({"posting_id": booth_posting}),
            Some(&first.access_token),
        )
        .await;
    assert_eq!(again.problem_code(), "already_applied");
    let route = app
        .fair_registration(first, fair, *first_registration)
        .await;
    assert_eq!(route.body["route"][0]["visited"], true);

    // The officer's figures, as JSON and as CSV for Excel.
    let figures = app
        .get(
            &format!("/api/v1/fairs/{fair}/figures"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(figures.status, 200, "{}", figures.body);
    let f = &figures.body;
    assert_eq!(f["registered"], 3);
    assert_eq!(f["attended"], 1);
    assert_eq!(f["counts"]["planned_visits"], 4);
    assert_eq!(f["counts"]["planned_visits_happened"], 1);
    assert_eq!(f["counts"]["planned_share_happened"], 0.25);
    assert_eq!(f["counts"]["booth_visits"], 1);
    assert_eq!(f["counts"]["applications"], 1);
    assert_eq!(f["counts"]["offers"], 1);
    assert_eq!(f["counts"]["hires"], 0);
    let booth_row = items(&f["booths"])
        .iter()
        .find(|b| b["booth_id"] == planned_booth.to_string())
        .unwrap();
    assert_eq!(booth_row["counts"]["offers"], 1);
    let posting_row = items(&f["postings"])
        .iter()
        .find(|p| p["posting_id"] == booth_posting.to_string())
        .unwrap();
    assert_eq!(posting_row["counts"]["applications"], 1);
    assert_eq!(posting_row["counts"]["offers"], 1);
    let csv = app
        .send(
            app.client
                .get(app.url(&format!("/api/v1/fairs/{fair}/figures.csv"))),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type().starts_with("text/csv"));
    let text = csv.body.as_str().expect("CSV text");
    assert!(text.starts_with('\u{feff}'), "a byte-order mark for Excel");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("范围,展位号,商户,岗位,报名"));
    assert!(lines[1].starts_with("全场,,,,3,0,0,0,1,4,1,25.0%,1,1,"));
    assert_eq!(lines.len(), 1 + 1 + 2 + 2);
    // Officers only.
    let denied = app
        .get(
            &format!("/api/v1/fairs/{fair}/figures"),
            Some(&cafe.merchant.access_token),
        )
        .await;
    assert_eq!(denied.status, 403);

    let finished = app
        .post(
            &format!("/api/v1/fairs/{fair}/finish"),
            &json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(finished.json::<FairView>().status, FairStatus::Finished);
    // Hires come later, after the fair.
    let hired = app
        .post(
            &format!("/api/v1/fairs/{fair}/booths/{planned_booth}/outcomes"),
            &json!({"seeker_id": first.account_id, "outcome": "hire"}),
            Some(&booth_shop.merchant.access_token),
        )
        .await;
    assert_eq!(hired.status, 200, "{}", hired.body);
    let figures = app
        .get(
            &format!("/api/v1/fairs/{fair}/figures"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(figures.body["counts"]["hires"], 1);
}

async fn booths_are_numbered_bounded_and_reviewed(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let mut body = fair_body("石路商圈招聘会", 5);
    body["booth_count"] = json!(2);
    let fair = app.published_fair(&officer, &body).await;
    let mut shops = Vec::new();
    for k in 0..3 {
        let shop = app.verified_shop(&format!("1391234100{k}"), &officer).await;
        let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
        shops.push((shop, posting));
    }

    // Checks on the request: verified business, its own open postings, a sane capacity.
    let pending = app.unverified_shop("13912341009").await;
    let unverified = app.request_booth(fair, &pending, &[shops[0].1], 2).await;
    assert_eq!(unverified.problem_code(), "business_not_verified");
    let foreign = app.request_booth(fair, &shops[0].0, &[shops[1].1], 2).await;
    assert_eq!(foreign.status, 422);
    assert_eq!(
        foreign.field_errors(),
        vec![("posting_ids[0]".to_owned(), "unknown_posting".to_owned())]
    );
    let crowded = app.request_booth(fair, &shops[0].0, &[shops[0].1], 0).await;
    assert_eq!(crowded.field_errors()[0].0, "capacity_per_slot");

    let mut requested = Vec::new();
    for (shop, posting) in &shops {
        let response = app.request_booth(fair, shop, &[*posting], 2).await;
        assert_eq!(response.status, 201, "{}", response.body);
        assert_eq!(response.json::<BoothView>().status, BoothStatus::Requested);
        assert!(response.body["number"].is_null());
        requested.push(id(&response));
    }
    let twice = app.request_booth(fair, &shops[0].0, &[shops[0].1], 2).await;
    assert_eq!(twice.problem_code(), "booth_already_requested");
    // Only officers review.
    let by_merchant = app
        .post(
            &format!("/api/v1/fairs/{fair}/booths/{}/approve", requested[0]),
            &json!({}),
            Some(&shops[0].0.merchant.access_token),
        )
        .await;
    assert_eq!(by_merchant.status, 403);

    // Two booths in the hall: the third approval finds none left.
    let mut numbers = Vec::new();
    for booth in &requested[..2] {
        let approved = app
            .post(
                &format!("/api/v1/fairs/{fair}/booths/{booth}/approve"),
                &json!({}),
                Some(&officer.access_token),
            )
            .await;
        assert_eq!(approved.status, 200, "{}", approved.body);
        numbers.push(approved.body["number"].as_i64().unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, vec![1, 2]);
    let full = app
        .post(
            &format!("/api/v1/fairs/{fair}/booths/{}/approve", requested[2]),
            &json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(full.problem_code(), "no_booths_left");
    let rejected = app
        .post(
            &format!("/api/v1/fairs/{fair}/booths/{}/reject", requested[2]),
            &json!({"reason": "展位已满，欢迎参加下一场"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(rejected.json::<BoothView>().status, BoothStatus::Rejected);
    assert_eq!(
        rejected.body["rejection_reason"],
        "展位已满，欢迎参加下一场"
    );
    let inbox = app
        .get("/api/v1/inbox", Some(&shops[2].0.merchant.access_token))
        .await;
    assert_eq!(
        inbox.json::<Page<NotificationView>>().items[0].kind,
        "fair_booth_reviewed"
    );
    assert!(
        inbox.body["items"][0]["body"]
            .as_str()
            .unwrap()
            .contains("展位已满")
    );
    let again = app
        .post(
            &format!("/api/v1/fairs/{fair}/booths/{}/approve", requested[2]),
            &json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(again.problem_code(), "booth_already_reviewed");

    // Everyone sees the approved booths; the rejected merchant also sees their own.
    let public = app.get(&format!("/api/v1/fairs/{fair}/booths"), None).await;
    assert_eq!(items(&public.body["items"]).len(), 2);
    let own = app
        .get(
            &format!("/api/v1/fairs/{fair}/booths"),
            Some(&shops[2].0.merchant.access_token),
        )
        .await;
    assert_eq!(items(&own.body["items"]).len(), 3);
    // A merchant cannot change another business's booth.
    let hijack = app
        .put(
            &format!("/api/v1/fairs/{fair}/booths/{}", requested[0]),
            &json!({"posting_ids": [shops[1].1], "capacity_per_slot": 9}),
            Some(&shops[1].0.merchant.access_token),
        )
        .await;
    assert_eq!(hijack.status, 404);
}

async fn replanning_keeps_routes_already_sent(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let cafe = app.verified_shop("13912340001", &officer).await;
    let store = app.verified_shop("13912340002", &officer).await;
    let coffee = app.open_posting(&cafe, &posting_body("周末咖啡师")).await;
    let cashier = app.open_posting(&store, &cashier_posting()).await;
    let fair = app
        .published_fair(&officer, &fair_body("圆融招聘会", 3))
        .await;
    let booth_a = app
        .approved_booth(fair, &cafe, &[coffee], 2, &officer)
        .await;
    let booth_b = app
        .approved_booth(fair, &store, &[cashier], 2, &officer)
        .await;
    let mut seekers = Vec::new();
    for k in 0..4 {
        let seeker = app
            .fair_seeker(&format!("1381234100{k}"), &format!("求职者{k}"))
            .await;
        let registration = app.registered(&seeker, fair).await;
        seekers.push((seeker, registration));
    }
    let first = app.plan_fair(&officer, fair).await;
    assert_eq!(first.body["method"], "exact", "{}", first.body);
    let mut before = HashMap::new();
    for (seeker, registration) in &seekers {
        let route = app.fair_registration(seeker, fair, *registration).await;
        before.insert(*registration, route.body["route"].clone());
    }

    // A late registrant: the routes sent stay as they are, the newcomer is fitted around.
    let late = app.fair_seeker("13812341009", "迟到者").await;
    let late_registration = app.registered(&late, fair).await;
    let second = app.plan_fair(&officer, fair).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.body["method"], "heuristic");
    assert_eq!(second.body["kept"], first.body["visits"]);
    assert_eq!(second.body["dropped"], 0);
    for (seeker, registration) in &seekers {
        let route = app.fair_registration(seeker, fair, *registration).await;
        assert_eq!(
            route.body["route"], before[registration],
            "a sent route moved"
        );
    }
    let late_route = app.fair_registration(&late, fair, late_registration).await;
    assert!(!items(&late_route.body["route"]).is_empty());

    // A booth that can now talk to one visitor per slot: only its excess visits move.
    let changed = app
        .put(
            &format!("/api/v1/fairs/{fair}/booths/{booth_a}"),
            &json!({"posting_ids": [coffee], "capacity_per_slot": 1}),
            Some(&cafe.merchant.access_token),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let third = app.plan_fair(&officer, fair).await;
    assert!(
        third.body["dropped"].as_u64().unwrap() > 0,
        "{}",
        third.body
    );
    let a = app.booth_schedule(&officer, fair, booth_a).await;
    let b = app.booth_schedule(&officer, fair, booth_b).await;
    assert_feasible(&[&a, &b], 3);
}

async fn slot_restrictions_are_planned_within(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let cafe = app.verified_shop("13912340001", &officer).await;
    let store = app.verified_shop("13912340002", &officer).await;
    let coffee = app.open_posting(&cafe, &posting_body("周末咖啡师")).await;
    let cashier = app.open_posting(&store, &cashier_posting()).await;
    let fair = app
        .published_fair(&officer, &fair_body("周末专场", 3))
        .await;
    app.approved_booth(fair, &cafe, &[coffee], 1, &officer)
        .await;
    app.approved_booth(fair, &store, &[cashier], 1, &officer)
        .await;
    let morning = app.fair_seeker("13812340001", "早场").await;
    let registered = app
        .register_for_fair(&morning, fair, Some(vec![2, 1, 2]))
        .await;
    assert_eq!(registered.status, 201, "{}", registered.body);
    assert_eq!(registered.body["slots"], json!([1, 2]));
    let anyone = app.fair_seeker("13812340002", "全天").await;
    let anyone_registration = app.registered(&anyone, fair).await;
    let plan = app.plan_fair(&officer, fair).await;
    assert_eq!(plan.body["method"], "heuristic", "{}", plan.body);
    let morning_registration: Uuid = id(&registered);
    let route = app
        .fair_registration(&morning, fair, morning_registration)
        .await;
    let slots: Vec<i64> = items(&route.body["route"])
        .iter()
        .map(|s| s["slot"].as_i64().unwrap())
        .collect();
    assert!(!slots.is_empty());
    assert!(slots.iter().all(|s| [1, 2].contains(s)), "{slots:?}");
    let other = app
        .fair_registration(&anyone, fair, anyone_registration)
        .await;
    assert_eq!(items(&other.body["route"]).len(), 2);

    let bad = app
        .register_for_fair(
            &app.fair_seeker("13812340003", "乱填").await,
            fair,
            Some(vec![0, 9]),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.field_errors()[0],
        ("slots".to_owned(), "invalid_slots".to_owned())
    );
}

async fn routes_and_schedules_are_private(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let cafe = app.verified_shop("13912340001", &officer).await;
    let store = app.verified_shop("13912340002", &officer).await;
    let coffee = app.open_posting(&cafe, &posting_body("周末咖啡师")).await;
    let cashier = app.open_posting(&store, &cashier_posting()).await;
    let fair = app
        .published_fair(&officer, &fair_body("圆融招聘会", 3))
        .await;
    let booth_a = app
        .approved_booth(fair, &cafe, &[coffee], 2, &officer)
        .await;
    app.approved_booth(fair, &store, &[cashier], 2, &officer)
        .await;
    let alice = app.fair_seeker("13812340001", "林小雨").await;
    let bob = app.fair_seeker("13812340002", "王芳").await;
    let alice_registration = app.registered(&alice, fair).await;
    app.registered(&bob, fair).await;
    // Only officers plan.
    assert_eq!(app.plan_fair(&bob, fair).await.status, 403);
    assert_eq!(app.plan_fair(&cafe.merchant, fair).await.status, 403);
    assert_eq!(app.plan_fair(&officer, fair).await.status, 200);

    // Another seeker, a merchant and an officer cannot read a seeker's registration.
    for who in [&bob, &cafe.merchant, &officer] {
        let response = app.fair_registration(who, fair, alice_registration).await;
        assert_eq!(response.status, 404, "{}", response.body);
        assert!(response.body.get("token").is_none());
    }
    let cancel = app
        .post(
            &format!("/api/v1/fairs/{fair}/registrations/{alice_registration}/cancel"),
            &json!({}),
            Some(&bob.access_token),
        )
        .await;
    assert_eq!(cancel.status, 404);

    // A merchant reads their own booth's schedule only; seekers none.
    assert_eq!(
        app.booth_schedule(&cafe.merchant, fair, booth_a)
            .await
            .status,
        200
    );
    assert_eq!(
        app.booth_schedule(&store.merchant, fair, booth_a)
            .await
            .status,
        404
    );
    assert_eq!(app.booth_schedule(&alice, fair, booth_a).await.status, 404);
    // Nor record outcomes at another's booth.
    let meddle = app
        .post(
            &format!("/api/v1/fairs/{fair}/booths/{booth_a}/outcomes"),
            &json!({"seeker_id": alice.account_id, "outcome": "hire"}),
            Some(&store.merchant.access_token),
        )
        .await;
    assert_eq!(meddle.status, 404);

    // The check-in key: the fair's officers, nobody else (not even its booths, which could
    // forge check-ins with it).
    let outsider = app.verified_shop("13912340003", &officer).await;
    for (who, status) in [
        (&officer, 200),
        (&cafe.merchant, 404),
        (&outsider.merchant, 404),
        (&alice, 404),
    ] {
        let key = app
            .get(
                &format!("/api/v1/fairs/{fair}/device-key"),
                Some(&who.access_token),
            )
            .await;
        assert_eq!(key.status, status, "{}", key.body);
    }
    // Seekers list only their own registrations.
    let mine = app
        .get("/api/v1/me/fair-registrations", Some(&bob.access_token))
        .await;
    assert_eq!(items(&mine.body["items"]).len(), 1);
    assert_ne!(mine.body["items"][0]["id"], alice_registration.to_string());
}

async fn a_cancelled_fair_tells_everyone(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let cafe = app.verified_shop("13912340001", &officer).await;
    let coffee = app.open_posting(&cafe, &posting_body("周末咖啡师")).await;
    let mut body = fair_body("雨天取消的招聘会", 3);
    body["seeker_capacity"] = json!(1);
    let fair = app.published_fair(&officer, &body).await;
    app.approved_booth(fair, &cafe, &[coffee], 2, &officer)
        .await;
    let registered = app.fair_seeker("13812340001", "林小雨").await;
    let waiting = app.fair_seeker("13812340002", "王芳").await;
    app.registered(&registered, fair).await;
    let queued = app.register_for_fair(&waiting, fair, None).await;
    assert_eq!(
        queued.json::<RegistrationView>().status,
        RegistrationStatus::Waitlisted
    );

    let no_reason = app
        .post(
            &format!("/api/v1/fairs/{fair}/cancel"),
            &json!({"reason": ""}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(no_reason.status, 422);
    let cancelled = app
        .post(
            &format!("/api/v1/fairs/{fair}/cancel"),
            &json!({"reason": "台风预警，活动延期"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.json::<FairView>().status, FairStatus::Cancelled);
    assert_eq!(
        cancelled.json::<FairView>().cancel_reason.as_deref(),
        Some("台风预警，活动延期")
    );
    for who in [&registered, &waiting, &cafe.merchant] {
        let inbox = app.get("/api/v1/inbox", Some(&who.access_token)).await;
        assert_eq!(
            inbox.json::<Page<NotificationView>>().items[0].kind,
            "fair_cancelled"
        );
        assert!(
            inbox.body["items"][0]["body"]
                .as_str()
                .unwrap()
                .contains("台风预警")
        );
    }
    // Nothing runs on a cancelled fair.
    let late = app.fair_seeker("13812340003", "张伟").await;
    assert_eq!(
        app.register_for_fair(&late, fair, None)
            .await
            .problem_code(),
        "registration_closed"
    );
    assert_eq!(
        app.plan_fair(&officer, fair).await.problem_code(),
        "fair_not_open"
    );
    let again = app
        .post(
            &format!("/api/v1/fairs/{fair}/publish"),
            &json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(again.problem_code(), "illegal_transition");
}

async fn fair_input_is_validated(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let merchant = app.register_as("merchant", "13912340001").await;
    let body = fair_body("招聘会", 3);
    // Officers only.
    assert_eq!(
        app.post("/api/v1/fairs", &body, Some(&merchant.access_token))
            .await
            .status,
        403
    );
    // Unknown fields are named.
    let mut extra = body.clone();
    extra["status"] = json!("published");
    let response = app
        .post("/api/v1/fairs", &extra, Some(&officer.access_token))
        .await;
    assert_eq!(response.status, 400);
    assert_eq!(response.problem_code(), "unknown_field");
    // Every broken rule at once, each naming its field.
    let mut bad = body.clone();
    bad["slot_count"] = json!(0);
    bad["slot_minutes"] = json!(5);
    bad["seeker_capacity"] = json!(0);
    bad["registration_deadline"] = json!("2020-01-01T09:00:00+08:00");
    bad["lat"] = json!(95.0);
    let response = app
        .post("/api/v1/fairs", &bad, Some(&officer.access_token))
        .await;
    assert_eq!(response.status, 422);
    let fields: HashSet<String> = response
        .field_errors()
        .into_iter()
        .map(|(field, _)| field)
        .collect();
    for field in [
        "slot_count",
        "slot_minutes",
        "seeker_capacity",
        "registration_deadline",
        "lat",
    ] {
        assert!(fields.contains(field), "{field} in {fields:?}");
    }
    let mut late_deadline = body.clone();
    late_deadline["registration_deadline"] = json!(
        chrono::DateTime::parse_from_rfc3339(body["starts_at"].as_str().unwrap())
            .unwrap()
            .checked_add_signed(chrono::Duration::hours(1))
            .unwrap()
            .to_rfc3339()
    );
    let response = app
        .post("/api/v1/fairs", &late_deadline, Some(&officer.access_token))
        .await;
    assert_eq!(
        response.field_errors(),
        vec![("registration_deadline".to_owned(), "after_start".to_owned())]
    );
    let mut too_many_visits = body.clone();
    too_many_visits["visits_per_seeker"] = json!(5);
    let response = app
        .post(
            "/api/v1/fairs",
            &too_many_visits,
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(response.field_errors()[0].0, "visits_per_seeker");
    // A published fair's details no longer change.
    let fair = app.published_fair(&officer, &body).await;
    let response = app
        .put(
            &format!("/api/v1/fairs/{fair}"),
            &body,
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(response.problem_code(), "fair_not_draft");
}

/// Issue 20, failure 1: an officer of another district, or of none, ran another district's
/// fair: key, figures, plan, close and every other staff action answered 200.
async fn officers_of_other_districts_cannot_touch_a_fair(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let cafe = app.verified_shop("13912340001", &officer).await;
    let coffee = app.open_posting(&cafe, &posting_body("周末咖啡师")).await;
    let fair = app
        .published_fair(&officer, &fair_body("圆融招聘会", 3))
        .await;
    let booth = app
        .approved_booth(fair, &cafe, &[coffee], 2, &officer)
        .await;
    let store = app.verified_shop("13912340002", &officer).await;
    let cashier = app.open_posting(&store, &cashier_posting()).await;
    let requested = app.request_booth(fair, &store, &[cashier], 2).await;
    assert_eq!(requested.status, 201, "{}", requested.body);
    let pending = id(&requested);
    let seeker = app.fair_seeker("13812340001", "林小雨").await;
    app.registered(&seeker, fair).await;
    // A seeker the walk-in below names, so only the district check can refuse it.
    app.fair_seeker("13812340002", "王芳").await;
    let draft = app
        .post(
            "/api/v1/fairs",
            &fair_body("圆融秋季招聘会", 5),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(draft.status, 201, "{}", draft.body);
    let draft = id(&draft);

    let shilu = app
        .create_district("石路片区", (31.30, 120.58, 31.33, 120.62))
        .await;
    let elsewhere = app.create_officer_in("13700000301", &[shilu]).await;
    let nowhere = app.create_officer_in("13700000302", &[]).await;
    let f = format!("/api/v1/fairs/{fair}");
    let staff_calls: Vec<(&str, String, Value)> = vec![
        ("GET", format!("{f}/device-key"), json!(null)),
        ("POST", format!("{f}/device-key/rotate"), json!({})),
        ("GET", format!("{f}/figures"), json!(null)),
        ("GET", format!("{f}/figures.csv"), json!(null)),
        ("POST", format!("{f}/plan"), json!({})),
        ("POST", format!("{f}/close"), json!({})),
        ("POST", format!("{f}/finish"), json!({})),
        (
            "POST",
            format!("{f}/cancel"),
            json!({"reason": "场地临时调整"}),
        ),
        (
            "PUT",
            format!("/api/v1/fairs/{draft}"),
            fair_body("改名", 5),
        ),
        ("POST", format!("/api/v1/fairs/{draft}/publish"), json!({})),
        ("POST", format!("{f}/booths/{pending}/approve"), json!({})),
        (
            "POST",
            format!("{f}/booths/{pending}/reject"),
            json!({"reason": "岗位与本场主题不符"}),
        ),
        ("GET", format!("{f}/booths/{booth}/schedule"), json!(null)),
        (
            "POST",
            format!("{f}/booths/{booth}/outcomes"),
            json!({"seeker_id": seeker.account_id, "outcome": "met"}),
        ),
        (
            "POST",
            format!("{f}/walk-ins"),
            json!({"login": "13812340002"}),
        ),
        ("GET", format!("/api/v1/fairs/{draft}"), json!(null)),
    ];
    for who in [&elsewhere, &nowhere] {
        for (method, path, body) in &staff_calls {
            let token = Some(who.access_token.as_str());
            let answer = match *method {
                "GET" => app.get(path, token).await,
                "PUT" => app.put(path, body, token).await,
                _ => app.post(path, body, token).await,
            };
            assert_eq!(answer.status, 404, "{method} {path}: {}", answer.body);
            assert_eq!(answer.problem_code(), "not_found", "{method} {path}");
        }
        // Their list shows the published fair, not the draft.
        let listed = app.get("/api/v1/fairs", Some(&who.access_token)).await;
        let ids: Vec<&str> = items(&listed.body["items"])
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&fair.to_string().as_str()), "{ids:?}");
        assert!(!ids.contains(&draft.to_string().as_str()), "{ids:?}");
        // And a fair they could not run is not theirs to create.
        let outside = app
            .post(
                "/api/v1/fairs",
                &fair_body("越区招聘会", 5),
                Some(&who.access_token),
            )
            .await;
        assert_eq!(outside.status, 422, "{}", outside.body);
        assert_eq!(
            outside.field_errors(),
            vec![("lat".to_owned(), "outside_your_districts".to_owned())]
        );
    }
    // Nothing moved: the fair is still published, the booth still requested, no walk-in.
    let seen = app.get(&f, Some(&officer.access_token)).await;
    assert_eq!(seen.json::<FairView>().status, FairStatus::Published);
    assert_eq!(seen.body["registered"], 1);
    let booths = app
        .get(&format!("{f}/booths"), Some(&officer.access_token))
        .await;
    let pending_now = items(&booths.body["items"])
        .iter()
        .find(|b| b["id"] == pending.to_string())
        .expect("the requested booth");
    assert_eq!(pending_now["status"], "requested");
    // The fair's own officer and an admin still run it.
    let admin = app.admin().await;
    for who in [&officer, &admin] {
        let figures = app
            .get(&format!("{f}/figures"), Some(&who.access_token))
            .await;
        assert_eq!(figures.status, 200, "{}", figures.body);
        let draft_seen = app
            .get(&format!("/api/v1/fairs/{draft}"), Some(&who.access_token))
            .await;
        assert_eq!(draft_seen.status, 200, "{}", draft_seen.body);
    }
}
