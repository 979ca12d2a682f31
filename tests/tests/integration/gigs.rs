//! Gig shifts end to end: a merchant posts a Saturday shift, seekers claim it until it is
//! full, check in with the rotating code, the merchant confirms hours, both rate, and the
//! worker's reliability shows. Then the rules around editing and cancelling shifts.

use chrono::{Datelike, Duration, Utc};
use doorstep_client::views::Page;
use doorstep_client::views::gigs::{ClaimView, ShiftView};
use doorstep_client::views::marketplace::PostingView;
use doorstep_domain::time::to_display;
use doorstep_domain::types::{AttendanceMethod, ClaimStatus, HoursStatus, ShiftStatus};
use doorstep_tests::gigs::{day_shift_body, local, next_saturday, shift_body, status_of};
use doorstep_tests::{Backend, on_both_databases, spawn_app, spawn_app_with};
use serde_json::json;

on_both_databases!(
    a_saturday_shift_from_posting_to_reliability,
    a_weekly_pattern_and_shifts_across_midnight,
    a_claimed_shift_changes_only_with_a_reason_and_claimants_hear_of_it,
    shifts_are_for_gig_postings_and_their_merchants,
    search_filters_by_shift_dates_and_open_places,
    the_matcher_proposes_open_shifts_to_seekers_free_for_them,
);

async fn a_saturday_shift_from_posting_to_reliability(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let merchant = shop.merchant.access_token.clone();
    let posting = app.gig_posting(&shop, "周六临时理货员").await;

    // Next Saturday, 10:00 to 18:00 in Suzhou, three places.
    let saturday = next_saturday();
    let created = app
        .add_shifts(&shop, posting, &day_shift_body(saturday, 10, 18, 3))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let shift_view = &created.body["items"][0];
    assert_eq!(
        shift_view["starts_at"],
        format!("{saturday}T10:00:00+08:00")
    );
    assert_eq!(shift_view["open_places"], 3);
    assert_eq!(shift_view["address"], "苏州工业园区苏惠路88号 B1-023");
    let shift: uuid::Uuid = shift_view["id"].as_str().unwrap().parse().unwrap();

    // Anyone sees the shift under the posting.
    let listed = app
        .get(&format!("/api/v1/postings/{posting}/shifts"), None)
        .await;
    assert_eq!(listed.json::<Page<ShiftView>>().items[0].id, shift);

    // Seekers claim until it is full.
    let workers = [
        app.gig_worker("13812340001", "李娜").await,
        app.gig_worker("13812340002", "王芳").await,
        app.gig_worker("13812340003", "张伟").await,
    ];
    let mut claims = Vec::new();
    for w in &workers {
        claims.push(app.claimed(w, shift).await);
    }
    let late_comer = app.gig_worker("13812340004", "赵敏").await;
    let full = app.claim(&late_comer, shift, false).await;
    assert_eq!(full.status, 409);
    assert_eq!(full.problem_code(), "shift_full");
    let mine = app
        .get("/api/v1/me/claims", Some(&workers[0].access_token))
        .await;
    assert_eq!(
        mine.json::<Page<ClaimView>>().items[0]
            .shift
            .as_ref()
            .map(|s| s.id),
        Some(shift)
    );

    // Saturday comes: the shift starts in ten minutes. Each checks in with the code on the
    // merchant's device.
    let start = Utc::now() + Duration::minutes(10);
    app.move_shift(shift, start, start + Duration::hours(8))
        .await;
    for (w, claim) in workers.iter().zip(&claims) {
        let code = app.checkin_code(&shop).await;
        let checked = app
            .claim_action(&w.access_token, *claim, "check-in", &json!({"code": code}))
            .await;
        assert_eq!(checked.status, 200, "{}", checked.body);
        assert_eq!(status_of(&checked), Some(ClaimStatus::CheckedIn));
        let checked: ClaimView = checked.json();
        assert_eq!(checked.checkin_method, Some(AttendanceMethod::Code));
        assert_eq!(checked.late_minutes, Some(0));
    }

    // The shift is over; one checked out, two forgot. The merchant confirms everyone's
    // hours: 10:00 to 18:00 less the 30-minute break is 450 minutes at 25 yuan.
    let start = Utc::now() - Duration::hours(8) - Duration::minutes(5);
    let end = start + Duration::hours(8);
    app.move_shift(shift, start, end).await;
    let code = app.checkin_code(&shop).await;
    let out = app
        .claim_action(
            &workers[0].access_token,
            claims[0],
            "check-out",
            &json!({"code": code}),
        )
        .await;
    assert_eq!(
        status_of(&out),
        Some(ClaimStatus::Completed),
        "{}",
        out.body
    );
    for claim in &claims {
        let confirmed = app
            .claim_action(
                &merchant,
                *claim,
                "hours",
                &json!({"start": local(start), "end": local(end)}),
            )
            .await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.body);
        let hours = confirmed.json::<ClaimView>().hours;
        assert_eq!(hours.status, HoursStatus::Confirmed);
        assert_eq!(hours.minutes, Some(450));
        assert_eq!(hours.pay_fen, Some(18_750));
    }
    let pay = app
        .get(&format!("/api/v1/shifts/{shift}/pay"), Some(&merchant))
        .await;
    assert_eq!(pay.body["total_pay_fen"], 3 * 18_750, "{}", pay.body);
    assert_eq!(pay.body["lines"][0]["pay_yuan"], "187.50");

    // Both sides rate; each sees the other's rating once both have.
    let by_merchant = app
        .claim_action(
            &merchant,
            claims[0],
            "rating",
            &json!({"stars": 5, "tags": ["准时", "愿意再合作"]}),
        )
        .await;
    assert_eq!(by_merchant.status, 201, "{}", by_merchant.body);
    let by_worker = app
        .claim_action(
            &workers[0].access_token,
            claims[0],
            "rating",
            &json!({"stars": 4, "tags": ["结算及时"], "comment": "安排清楚"}),
        )
        .await;
    assert_eq!(by_worker.status, 201, "{}", by_worker.body);
    let seen = app
        .get(
            &format!("/api/v1/claims/{}/ratings", claims[0]),
            Some(&workers[0].access_token),
        )
        .await;
    assert_eq!(seen.body["theirs"]["stars"], 5);
    assert_eq!(seen.body["mine"]["stars"], 4);

    // The worker's reliability shows to the merchant.
    let record = app
        .get(
            &format!("/api/v1/seekers/{}/reliability", workers[0].account_id),
            Some(&merchant),
        )
        .await;
    assert_eq!(record.status, 200, "{}", record.body);
    assert_eq!(record.body["completed"], 1);
    assert_eq!(record.body["percent"], 100);
    assert_eq!(record.body["ratings"], 1);
    assert_eq!(record.body["average_stars"], 5.0);
    let roster = app
        .get(&format!("/api/v1/shifts/{shift}/claims"), Some(&merchant))
        .await;
    let roster: Page<ClaimView> = roster.json();
    let worker = roster.items[0].worker.as_ref().expect("the worker");
    assert_eq!(worker.name, "李娜");
    assert_eq!(worker.phone.as_deref(), Some("13812340001"));
    assert_eq!(worker.reliability.completed, 1);
}

async fn a_weekly_pattern_and_shifts_across_midnight(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.gig_posting(&shop, "夜间盘点临时工").await;

    // Friday and Saturday nights, 22:00 to 04:00, for three weeks.
    let created = app
        .add_shifts(
            &shop,
            posting,
            &json!({
                "pattern": {"weekdays": [5, 6], "start": "22:00", "end": "04:00", "weeks": 3},
                "places": 4,
                "pay_fen": 3000,
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let items = created.body["items"].as_array().unwrap();
    assert!((5..=6).contains(&items.len()), "{} shifts", items.len());
    for item in items {
        assert_eq!(item["crosses_midnight"], true);
        let start = doorstep_tests::gigs::time_of(&item["starts_at"]);
        let end = doorstep_tests::gigs::time_of(&item["ends_at"]);
        assert_eq!(start.format("%H:%M").to_string(), "22:00");
        assert_eq!(end - start, Duration::hours(6));
        assert!(matches!(start.weekday().number_from_monday(), 5 | 6));
    }

    // One night worked in full: six hours across midnight, paid by the hour.
    let shift: uuid::Uuid = items[0]["id"].as_str().unwrap().parse().unwrap();
    let seeker = app.gig_worker("13812345678", "李娜").await;
    let claim = app.claimed(&seeker, shift).await;
    let start = Utc::now() - Duration::hours(7);
    app.move_shift(shift, start, start + Duration::hours(6))
        .await;
    let confirmed = app
        .claim_action(
            &shop.merchant.access_token,
            claim,
            "hours",
            &json!({"start": local(start), "end": local(start + Duration::hours(6)), "break_minutes": 0}),
        )
        .await;
    let hours = confirmed.json::<ClaimView>().hours;
    assert_eq!(hours.minutes, Some(360), "{}", confirmed.body);
    assert_eq!(hours.pay_fen, Some(18_000));

    // A pattern whose dates are all past makes nothing; a bad one names its fields.
    let bad = app
        .add_shifts(
            &shop,
            posting,
            &json!({
                "pattern": {"weekdays": [8], "start": "25:00", "end": "04:00", "weeks": 20},
                "places": 0,
                "pay_fen": 3000,
            }),
        )
        .await;
    assert_eq!(bad.status, 422);
    let fields: Vec<String> = bad.field_errors().into_iter().map(|(f, _)| f).collect();
    for field in [
        "places",
        "pattern.weekdays",
        "pattern.start",
        "pattern.weeks",
    ] {
        assert!(fields.contains(&field.to_owned()), "{field} in {fields:?}");
    }
}

async fn a_claimed_shift_changes_only_with_a_reason_and_claimants_hear_of_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let merchant = shop.merchant.access_token.clone();
    let posting = app.gig_posting(&shop, "临时理货员").await;
    let shift = app.shift(&shop, posting, Duration::days(3), 6, 3).await;
    let path = format!("/api/v1/shifts/{shift}");

    // Unclaimed: edited freely, no reason, nothing recorded.
    let free = app
        .put(&path, &shift_body(Duration::days(3), 7, 3), Some(&merchant))
        .await;
    assert_eq!(free.status, 200, "{}", free.body);
    let changes = app.get(&format!("{path}/changes"), Some(&merchant)).await;
    assert_eq!(changes.body["items"].as_array().unwrap().len(), 0);

    let a = app.gig_worker("13812340001", "李娜").await;
    let b = app.gig_worker("13812340002", "王芳").await;
    app.claimed(&a, shift).await;
    app.claimed(&b, shift).await;

    // Claimed: a change needs a reason, and places cannot drop below the two claims.
    let silent = app
        .put(&path, &shift_body(Duration::days(3), 5, 3), Some(&merchant))
        .await;
    assert_eq!(silent.status, 422);
    assert_eq!(
        silent.field_errors(),
        vec![("reason".into(), "reason_required".into())]
    );
    let mut body = shift_body(Duration::days(3), 5, 1);
    body["reason"] = json!("客流预测下调");
    let too_few = app.put(&path, &body, Some(&merchant)).await;
    assert_eq!(too_few.problem_code(), "places_below_claims");
    body["places"] = json!(2);
    let changed = app.put(&path, &body, Some(&merchant)).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let changes = app.get(&format!("{path}/changes"), Some(&merchant)).await;
    assert_eq!(changes.body["items"][0]["reason"], "客流预测下调");
    assert_eq!(changes.body["items"][0]["before"]["places"], 3);
    assert_eq!(changes.body["items"][0]["after"]["places"], 2);
    app.deliver_gig_notices(Utc::now()).await;
    for seeker in [&a, &b] {
        assert!(
            app.inbox_kinds(seeker)
                .await
                .contains(&"shift_changed".to_owned())
        );
    }

    // Cancelled: every claim ends, each claimant told why.
    let cancelled = app
        .post(
            &format!("{path}/cancel"),
            &json!({"reason": "商场临时停电检修"}),
            Some(&merchant),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.json::<ShiftView>().status, ShiftStatus::Cancelled);
    let mine = app.get("/api/v1/me/claims", Some(&a.access_token)).await;
    assert_eq!(
        mine.json::<Page<ClaimView>>().items[0].status,
        ClaimStatus::ShiftCancelled
    );
    app.deliver_gig_notices(Utc::now()).await;
    assert!(
        app.inbox_kinds(&b)
            .await
            .contains(&"shift_cancelled".to_owned())
    );
    let again = app.put(&path, &body, Some(&merchant)).await;
    assert_eq!(again.problem_code(), "shift_cancelled");
    assert_eq!(
        app.claim(&a, shift, false).await.problem_code(),
        "shift_cancelled"
    );
}

async fn shifts_are_for_gig_postings_and_their_merchants(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let rival = app.verified_shop("13912340001", &officer).await;
    let seeker = app.gig_worker("13812345678", "李娜").await;
    let gig = app.gig_posting(&shop, "临时理货员").await;
    let job = app
        .open_posting(&shop, &doorstep_tests::market::posting_body("周末咖啡师"))
        .await;
    let body = shift_body(Duration::days(2), 4, 2);

    let not_gig = app.add_shifts(&shop, job, &body).await;
    assert_eq!(not_gig.problem_code(), "not_a_gig");
    let other = app.add_shifts(&rival, gig, &body).await;
    assert_eq!(other.status, 404);
    let by_seeker = app
        .post(
            &format!("/api/v1/postings/{gig}/shifts"),
            &body,
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(by_seeker.status, 403);
    let anonymous = app
        .post(&format!("/api/v1/postings/{gig}/shifts"), &body, None)
        .await;
    assert_eq!(anonymous.status, 401);

    // Bad terms are named, all at once.
    let bad = app
        .add_shifts(
            &shop,
            gig,
            &json!({
                "starts_at": local(Utc::now() - Duration::hours(1)),
                "ends_at": local(Utc::now() + Duration::hours(30)),
                "places": 3,
                "pay_fen": 0,
                "geofence_m": 10,
            }),
        )
        .await;
    assert_eq!(bad.status, 422);
    let fields: Vec<String> = bad.field_errors().into_iter().map(|(f, _)| f).collect();
    for field in ["starts_at", "ends_at", "pay_fen", "geofence_m"] {
        assert!(fields.contains(&field.to_owned()), "{field} in {fields:?}");
    }
    let unknown = app
        .add_shifts(
            &shop,
            gig,
            &json!({"starts_at": local(Utc::now()), "claimed": 3}),
        )
        .await;
    assert_eq!(unknown.problem_code(), "unknown_field");

    // A rival cannot edit, cancel or read the roster of another's shift.
    let shift = app.shift(&shop, gig, Duration::days(2), 4, 2).await;
    let token = &rival.merchant.access_token;
    assert_eq!(
        app.put(&format!("/api/v1/shifts/{shift}"), &body, Some(token))
            .await
            .status,
        404
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/shifts/{shift}/cancel"),
            &json!({}),
            Some(token)
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.get(&format!("/api/v1/shifts/{shift}/claims"), Some(token))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/businesses/{}/checkin-code", shop.business_id),
            Some(token)
        )
        .await
        .status,
        404
    );
    // The owner still can.
    assert_eq!(app.add_shifts(&shop, gig, &body).await.status, 201);
}

async fn search_filters_by_shift_dates_and_open_places(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let soon_gig = app.gig_posting(&shop, "临时理货员 三天后").await;
    let later_gig = app.gig_posting(&shop, "临时理货员 十天后").await;
    app.open_posting(&shop, &doorstep_tests::market::posting_body("周末咖啡师"))
        .await;
    let soon = app.shift(&shop, soon_gig, Duration::days(3), 4, 1).await;
    app.shift(&shop, later_gig, Duration::days(10), 4, 2).await;
    app.wait_for_index().await;
    let today = to_display(Utc::now()).date_naive();
    let search = |query: String| {
        let app = &app;
        async move { app.get(&format!("/api/v1/jobs/search?{query}"), None).await }
    };
    let titles = |r: &doorstep_tests::ApiResponse| -> Vec<String> {
        let mut t: Vec<String> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_owned())
            .collect();
        t.sort();
        t
    };

    // Shifts within a range of days (China time), both ends included.
    let range = format!(
        "shift_from={}&shift_to={}",
        today + Duration::days(2),
        today + Duration::days(4)
    );
    let in_range = search(range.clone()).await;
    assert_eq!(
        titles(&in_range),
        ["临时理货员 三天后"],
        "{}",
        in_range.body
    );
    let shifts = &in_range.body["items"][0]["shifts"];
    assert_eq!(shifts[0]["id"], soon.to_string());
    assert_eq!(shifts[0]["open"], true);
    let open = search("open_places=true".into()).await;
    assert_eq!(titles(&open), ["临时理货员 三天后", "临时理货员 十天后"]);

    // The only place of the soon shift is taken: it no longer has open places.
    let seeker = app.gig_worker("13812345678", "李娜").await;
    app.claimed(&seeker, soon).await;
    app.wait_for_index().await;
    let open = search("open_places=true".into()).await;
    assert_eq!(titles(&open), ["临时理货员 十天后"]);
    let none_open = search(format!("{range}&open_places=true")).await;
    assert_eq!(none_open.body["total"], 0);
    assert_eq!(none_open.body["fallback"], "relaxed");
    // Still listed by date, marked full.
    let dated = search(range).await;
    assert_eq!(dated.body["items"][0]["shifts"][0]["open"], false);

    let backwards = search(format!(
        "shift_from={}&shift_to={}",
        today + Duration::days(4),
        today
    ))
    .await;
    assert_eq!(backwards.status, 422);
}

async fn the_matcher_proposes_open_shifts_to_seekers_free_for_them(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.match_in_process = true).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let worker = |phone: &'static str, name: &'static str, slots: serde_json::Value| {
        let app = &app;
        async move {
            let seeker = app.register_as("seeker", phone).await;
            let mut profile = doorstep_tests::market::profile_body(name);
            profile["skills"] = json!(["理货", "收银"]);
            profile["desired_categories"] = json!(["retail_sales"]);
            profile["desired_kinds"] = json!(["gig"]);
            profile["availability"] = json!({"slots": slots});
            let saved = app
                .put("/api/v1/me/profile", &profile, Some(&seeker.access_token))
                .await;
            assert_eq!(saved.status, 201, "{}", saved.body);
            seeker
        }
    };
    let saturdays = worker(
        "13812340001",
        "李娜",
        json!([{"day": 6, "start": "08:00", "end": "20:00"}]),
    )
    .await;
    let evenings = worker(
        "13812340002",
        "王芳",
        json!(
            [1, 2, 3, 4, 5]
                .iter()
                .map(|d| json!({"day": d, "start": "18:00", "end": "22:00"}))
                .collect::<Vec<_>>()
        ),
    )
    .await;

    // A gig posting with a Saturday shift, published once the shift is on it.
    let created = app
        .post(
            &format!("/api/v1/businesses/{}/postings", shop.business_id),
            &doorstep_tests::gigs::gig_posting_body("周六临时理货员"),
            Some(&shop.merchant.access_token),
        )
        .await;
    let posting: uuid::Uuid = created.json::<PostingView>().id;
    let saturday = next_saturday();
    let shift = app
        .add_shifts(&shop, posting, &day_shift_body(saturday, 10, 18, 3))
        .await;
    assert_eq!(shift.status, 201, "{}", shift.body);
    let published = app
        .post(
            &format!("/api/v1/postings/{posting}/publish"),
            &json!({}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(published.status, 200);

    let found = app
        .eventually("/api/v1/matches", Some(&saturdays.access_token), |r| {
            r.body["items"].as_array().is_some_and(|m| !m.is_empty())
        })
        .await;
    let first = &found.body["items"][0];
    assert_eq!(first["posting_id"], posting.to_string());
    let explanation = first["explanation"].as_str().unwrap();
    assert!(
        explanation.starts_with(&format!(
            "可接班次：{}月{}日 周六 10:00-18:00",
            saturday.month(),
            saturday.day()
        )),
        "{explanation}"
    );
    // The seeker free on weekday evenings only is not offered a Saturday shift.
    let none = app
        .get("/api/v1/matches", Some(&evenings.access_token))
        .await;
    assert_eq!(
        none.body["items"].as_array().map(Vec::len),
        Some(0),
        "{}",
        none.body
    );
}
