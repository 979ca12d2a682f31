//! The work on a gig shift: check-in by rotating code or geofence, lateness, no-shows by a
//! job safe to run twice, hours and their disputes, ratings hidden until both rated or a
//! week passed, reliability, pay summaries, automatic confirmation and reminders.

use chrono::{Duration, TimeZone, Timelike, Utc};
use doorstep_domain::gigs::{hours, jobs};
use doorstep_domain::time::to_display;
use doorstep_domain::types::ClaimStatus;
use doorstep_domain::types::EARTH_RADIUS_M;
use doorstep_tests::gigs::{local, rules, status_of};
use doorstep_tests::market::{MALL_LAT, MALL_LON, profile_body};
use doorstep_tests::{Backend, on_both_databases, spawn_app};
use serde_json::json;

on_both_databases!(
    replayed_expired_and_other_business_codes_are_refused,
    the_geofence_is_exact_at_its_edge,
    late_arrivals_are_flagged_and_check_in_closes,
    the_no_show_job_is_safe_to_run_twice,
    a_dispute_keeps_both_times_until_an_officer_resolves_it,
    ratings_stay_hidden_until_both_rate_or_a_week_passes,
    reliability_counts_the_last_ninety_days,
    pay_summaries_in_json_and_csv,
    unconfirmed_hours_are_confirmed_after_two_days_once,
    reminders_wait_for_quiet_hours_but_same_day_changes_do_not,
);

/// A point `metres` due north of the mall (exact along a meridian).
fn north_of_mall(metres: f64) -> (f64, f64) {
    (MALL_LAT + (metres / EARTH_RADIUS_M).to_degrees(), MALL_LON)
}

async fn replayed_expired_and_other_business_codes_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let rival = app.verified_shop("13912340001", &officer).await;
    let posting = app.gig_posting(&shop, "临时理货员").await;
    let shift = app.shift(&shop, posting, Duration::minutes(20), 4, 3).await;
    let a = app.gig_worker("13812340001", "李娜").await;
    let b = app.gig_worker("13812340002", "王芳").await;
    let claim_a = app.claimed(&a, shift).await;
    let claim_b = app.claimed(&b, shift).await;
    let check_in = |token: String, claim, code: String| {
        let app = &app;
        async move {
            app.claim_action(&token, claim, "check-in", &json!({"code": code}))
                .await
        }
    };

    // A code from 90 seconds ago has expired; the rival's current code is not ours.
    let stale = app
        .code_at(shop.business_id, Utc::now() - Duration::seconds(90))
        .await;
    let expired = check_in(b.access_token.clone(), claim_b, stale).await;
    assert_eq!(expired.problem_code(), "invalid_code");
    let rivals = app.checkin_code(&rival).await;
    let theirs = check_in(b.access_token.clone(), claim_b, rivals).await;
    assert_eq!(theirs.problem_code(), "invalid_code");

    // Someone else's claim does not exist for a seeker, even with a good code.
    let code = app.checkin_code(&shop).await;
    let not_mine = check_in(b.access_token.clone(), claim_a, code.clone()).await;
    assert_eq!(not_mine.status, 404);
    assert_eq!(
        status_of(&app.get_claim(&a.access_token, claim_a).await),
        Some(ClaimStatus::Confirmed)
    );

    // The good code works once; replayed on the same claim it does not check in again.
    let first = check_in(a.access_token.clone(), claim_a, code.clone()).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let checked_in_at = first.body["checked_in_at"].clone();
    let replay = check_in(a.access_token.clone(), claim_a, code.clone()).await;
    assert_eq!(replay.problem_code(), "already_checked_in");
    let after = app.get_claim(&a.access_token, claim_a).await;
    assert_eq!(after.body["checked_in_at"], checked_in_at);
    // Another worker may use the same code, it is the workplace's.
    let other = check_in(b.access_token.clone(), claim_b, code).await;
    assert_eq!(other.status, 200, "{}", other.body);

    // Guessing stops after five wrong codes in a row.
    let c = app.gig_worker("13812340003", "张伟").await;
    let claim_c = app.claimed(&c, shift).await;
    for _ in 0..5 {
        let wrong = check_in(c.access_token.clone(), claim_c, "000000".into()).await;
        assert_eq!(wrong.problem_code(), "invalid_code");
    }
    let good = app.checkin_code(&shop).await;
    let locked = check_in(c.access_token.clone(), claim_c, good).await;
    assert_eq!(locked.problem_code(), "too_many_attempts");
    // A merchant cannot check in on a worker's behalf.
    let by_merchant = check_in(shop.merchant.access_token.clone(), claim_c, "123456".into()).await;
    assert_eq!(by_merchant.status, 404);
}

async fn the_geofence_is_exact_at_its_edge(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, shop, posting) = app.gig_shop().await;
    let mut body = doorstep_tests::gigs::shift_body(Duration::minutes(20), 4, 3);
    body["geofence_m"] = json!(150);
    let created = app.add_shifts(&shop, posting, &body).await;
    let shift: uuid::Uuid = created.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let a = app.gig_worker("13812340001", "李娜").await;
    let claim = app.claimed(&a, shift).await;
    let at = |metres: f64, accuracy: f64| {
        let (lat, lon) = north_of_mall(metres);
        json!({"lat": lat, "lon": lon, "accuracy_m": accuracy})
    };
    let token = &a.access_token;

    let outside = app
        .claim_action(token, claim, "check-in", &at(152.0, 10.0))
        .await;
    assert_eq!(
        outside.problem_code(),
        "outside_geofence",
        "{}",
        outside.body
    );
    let vague = app
        .claim_action(token, claim, "check-in", &at(10.0, 500.0))
        .await;
    assert_eq!(vague.problem_code(), "location_too_inaccurate");
    let partial = app
        .claim_action(
            token,
            claim,
            "check-in",
            &json!({"lat": MALL_LAT, "lon": MALL_LON}),
        )
        .await;
    assert_eq!(partial.status, 422);
    let inside = app
        .claim_action(token, claim, "check-in", &at(148.0, 10.0))
        .await;
    assert_eq!(inside.status, 200, "{}", inside.body);
    assert_eq!(inside.body["checkin_method"], "location");
}

async fn late_arrivals_are_flagged_and_check_in_closes(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, shop, posting) = app.gig_shop().await;
    let shift = app.shift(&shop, posting, Duration::hours(2), 4, 3).await;
    let a = app.gig_worker("13812340001", "李娜").await;
    let b = app.gig_worker("13812340002", "王芳").await;
    let claim_a = app.claimed(&a, shift).await;
    let claim_b = app.claimed(&b, shift).await;
    let here = json!({"lat": MALL_LAT, "lon": MALL_LON, "accuracy_m": 15.0});

    // Two hours early: not open yet.
    let early = app
        .claim_action(&a.access_token, claim_a, "check-in", &here)
        .await;
    assert_eq!(early.problem_code(), "checkin_not_open");
    // Started seven minutes ago: in, and seven minutes late.
    let start = Utc::now() - Duration::minutes(7);
    app.move_shift(shift, start, start + Duration::hours(4))
        .await;
    let late = app
        .claim_action(&a.access_token, claim_a, "check-in", &here)
        .await;
    assert_eq!(late.status, 200, "{}", late.body);
    assert!(
        matches!(late.body["late_minutes"].as_i64(), Some(7 | 8)),
        "{}",
        late.body
    );
    // Twenty minutes after the start the 15-minute grace period is over.
    let start = Utc::now() - Duration::minutes(20);
    app.move_shift(shift, start, start + Duration::hours(4))
        .await;
    let closed = app
        .claim_action(&b.access_token, claim_b, "check-in", &here)
        .await;
    assert_eq!(closed.problem_code(), "checkin_closed");
}

async fn the_no_show_job_is_safe_to_run_twice(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, shop, posting) = app.gig_shop().await;
    let shift = app.shift(&shop, posting, Duration::hours(1), 4, 2).await;
    let present = app.gig_worker("13812340001", "李娜").await;
    let absent = app.gig_worker("13812340002", "王芳").await;
    let waiting = app.gig_worker("13812340003", "张伟").await;
    let here = app.claimed(&present, shift).await;
    let gone = app.claimed(&absent, shift).await;
    let in_line = app.claim(&waiting, shift, true).await;
    assert_eq!(status_of(&in_line), Some(ClaimStatus::Waitlisted));
    let start = Utc::now() - Duration::minutes(10);
    app.move_shift(shift, start, start + Duration::hours(4))
        .await;
    let code = app.checkin_code(&shop).await;
    let checked = app
        .claim_action(
            &present.access_token,
            here,
            "check-in",
            &json!({"code": code}),
        )
        .await;
    assert_eq!(checked.status, 200, "{}", checked.body);

    // Before the grace period ends nobody is absent yet.
    assert_eq!(
        jobs::mark_no_shows(&app.db, &rules(), Utc::now())
            .await
            .unwrap(),
        0
    );
    // After it, run twice (as two instances might): one no-show, recorded once.
    let later = Utc::now() + Duration::minutes(10);
    let rules = rules();
    let (first, second) = tokio::join!(
        jobs::mark_no_shows(&app.db, &rules, later),
        jobs::mark_no_shows(&app.db, &rules, later)
    );
    assert_eq!(first.unwrap() + second.unwrap(), 1);
    assert_eq!(
        jobs::mark_no_shows(&app.db, &rules, later).await.unwrap(),
        0
    );
    assert_eq!(
        status_of(&app.get_claim(&absent.access_token, gone).await),
        Some(ClaimStatus::NoShow)
    );
    assert_eq!(
        status_of(&app.get_claim(&present.access_token, here).await),
        Some(ClaimStatus::CheckedIn)
    );
    // The one still waiting in line expired with the start.
    assert_eq!(app.run_gig_jobs(later).await.expired, 1);
    assert_eq!(app.run_gig_jobs(later).await.expired, 0);

    app.deliver_gig_notices(later).await;
    let kinds = app.inbox_kinds(&absent).await;
    assert_eq!(kinds.iter().filter(|k| *k == "shift_no_show").count(), 1);
    let record = app
        .get("/api/v1/me/reliability", Some(&absent.access_token))
        .await;
    assert_eq!(
        (
            record.body["no_shows"].as_u64(),
            record.body["percent"].as_u64()
        ),
        (Some(1), Some(0))
    );
}

async fn a_dispute_keeps_both_times_until_an_officer_resolves_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let rival = app.verified_shop("13912340001", &officer).await;
    let posting = app.gig_posting(&shop, "临时理货员").await;
    let shift = app.shift(&shop, posting, Duration::hours(1), 8, 2).await;
    let seeker = app.gig_worker("13812345678", "李娜").await;
    let claim = app.claimed(&seeker, shift).await;
    let start = Utc::now() - Duration::hours(9);
    let end = start + Duration::hours(8);
    app.move_shift(shift, start, end).await;
    let merchant_times = json!({"start": local(start + Duration::hours(1)), "end": local(end)});

    // Another business cannot confirm these hours, nor can the worker.
    for token in [&rival.merchant.access_token, &seeker.access_token] {
        let refused = app
            .claim_action(token, claim, "hours", &merchant_times)
            .await;
        assert_eq!(refused.status, 404);
    }
    let confirmed = app
        .claim_action(&shop.merchant.access_token, claim, "hours", &merchant_times)
        .await;
    // 7 h less the 30-minute break.
    assert_eq!(
        confirmed.body["hours"]["minutes"], 390,
        "{}",
        confirmed.body
    );

    // The worker says they started on time.
    let disputed = app
        .claim_action(
            &seeker.access_token,
            claim,
            "dispute",
            &json!({"start": local(start), "end": local(end), "note": "我九点前就到了，有监控"}),
        )
        .await;
    assert_eq!(disputed.status, 200, "{}", disputed.body);
    let hours = &disputed.body["hours"];
    assert_eq!(hours["status"], "disputed");
    assert_eq!(
        hours["merchant"]["start"],
        local(start + Duration::hours(1))
    );
    assert_eq!(hours["worker"]["start"], local(start));
    assert!(hours["pay_fen"].is_null(), "nothing is due while disputed");
    let again = app
        .claim_action(&shop.merchant.access_token, claim, "hours", &merchant_times)
        .await;
    assert_eq!(again.problem_code(), "hours_settled");

    // An officer sees it in the queue and resolves it, with a note.
    let queue = app
        .get("/api/v1/disputes", Some(&officer.access_token))
        .await;
    assert_eq!(queue.body["items"][0]["id"], claim.to_string());
    let by_merchant = app
        .get("/api/v1/disputes", Some(&shop.merchant.access_token))
        .await;
    assert_eq!(by_merchant.status, 403);
    let no_note = app
        .claim_action(
            &officer.access_token,
            claim,
            "resolve",
            &json!({"start": local(start), "end": local(end)}),
        )
        .await;
    assert_eq!(no_note.status, 422);
    let not_officer = app
        .claim_action(
            &shop.merchant.access_token,
            claim,
            "resolve",
            &json!({"start": local(start), "end": local(end), "note": "自行裁定"}),
        )
        .await;
    assert_eq!(not_officer.status, 403);
    // An officer of another district neither sees nor resolves it.
    let shilu = app
        .create_district("石路片区", (31.30, 120.58, 31.33, 120.62))
        .await;
    let elsewhere = app.create_officer_in("13700000061", &[shilu]).await;
    let their_queue = app
        .get("/api/v1/disputes", Some(&elsewhere.access_token))
        .await;
    assert_eq!(their_queue.status, 200, "{}", their_queue.body);
    assert_eq!(their_queue.body["items"].as_array().unwrap().len(), 0);
    let foreign = app
        .claim_action(
            &elsewhere.access_token,
            claim,
            "resolve",
            &json!({"start": local(start), "end": local(end), "note": "越区裁定"}),
        )
        .await;
    assert_eq!(foreign.status, 404, "{}", foreign.body);
    let resolved = app
        .claim_action(
            &officer.access_token,
            claim,
            "resolve",
            &json!({"start": local(start), "end": local(end), "note": "监控显示9:02到岗"}),
        )
        .await;
    assert_eq!(resolved.status, 200, "{}", resolved.body);
    assert_eq!(resolved.body["hours"]["status"], "resolved");
    assert_eq!(resolved.body["hours"]["minutes"], 450);
    assert_eq!(resolved.body["hours"]["pay_fen"], 18_750);
    // Both sides were told; an officer reading the claim states why.
    assert!(
        app.inbox_kinds(&shop.merchant)
            .await
            .contains(&"shift_hours_resolved".to_owned())
    );
    let unexplained = app.get_claim(&officer.access_token, claim).await;
    assert_eq!(unexplained.status, 422);
    let explained = app
        .get(
            &format!("/api/v1/claims/{claim}?reason=核实工时争议"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(explained.status, 200);
    let twice = app
        .claim_action(
            &seeker.access_token,
            claim,
            "dispute",
            &json!({"start": local(start), "end": local(end), "note": "再次申诉"}),
        )
        .await;
    assert_eq!(twice.problem_code(), "not_disputable");
}

async fn ratings_stay_hidden_until_both_rate_or_a_week_passes(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, shop, posting) = app.gig_shop().await;
    let merchant = shop.merchant.access_token.clone();
    let a = app.gig_worker("13812340001", "李娜").await;
    let b = app.gig_worker("13812340002", "王芳").await;
    let shift = app.shift(&shop, posting, Duration::hours(1), 4, 2).await;
    let claim_a = app.claimed(&a, shift).await;
    let claim_b = app.claimed(&b, shift).await;
    let rate = |token: String, claim, body: serde_json::Value| {
        let app = &app;
        async move { app.claim_action(&token, claim, "rating", &body).await }
    };
    let ratings = |token: String, claim| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/claims/{claim}/ratings"), Some(&token))
                .await
        }
    };

    // Nothing to rate before the work is done.
    let early = rate(merchant.clone(), claim_a, json!({"stars": 5})).await;
    assert_eq!(early.problem_code(), "not_completed");
    let start = Utc::now() - Duration::hours(5);
    app.move_shift(shift, start, start + Duration::hours(4))
        .await;
    for claim in [claim_a, claim_b] {
        let done = app
            .claim_action(
                &merchant,
                claim,
                "hours",
                &json!({"start": local(start), "end": local(start + Duration::hours(4))}),
            )
            .await;
        assert_eq!(done.status, 200, "{}", done.body);
    }

    // Tags come from the rater's list; stars are 1 to 5.
    let wrong_tag = rate(
        merchant.clone(),
        claim_a,
        json!({"stars": 5, "tags": ["结算及时"]}),
    )
    .await;
    assert_eq!(
        wrong_tag.field_errors(),
        vec![("tags[0]".into(), "unknown_tag".into())]
    );
    let zero = rate(a.access_token.clone(), claim_a, json!({"stars": 0})).await;
    assert_eq!(zero.status, 422);

    // The merchant rates A: A sees that a rating exists, not what it says.
    let given = rate(
        merchant.clone(),
        claim_a,
        json!({"stars": 2, "tags": ["沟通顺畅"], "comment": "迟到"}),
    )
    .await;
    assert_eq!(given.status, 201, "{}", given.body);
    assert_eq!(
        rate(merchant.clone(), claim_a, json!({"stars": 3}))
            .await
            .problem_code(),
        "already_rated"
    );
    let hidden = ratings(a.access_token.clone(), claim_a).await;
    assert_eq!(hidden.body["theirs_given"], true);
    assert!(hidden.body["theirs"].is_null(), "{}", hidden.body);
    // The merchant sees their own, not A's (there is none yet).
    let own = ratings(merchant.clone(), claim_a).await;
    assert_eq!(own.body["mine"]["stars"], 2);
    // Nobody else sees either.
    assert_eq!(ratings(b.access_token.clone(), claim_a).await.status, 404);
    // A rates: both are shown to both.
    rate(
        a.access_token.clone(),
        claim_a,
        json!({"stars": 4, "tags": ["结算及时", "安排清楚"]}),
    )
    .await;
    let shown = ratings(a.access_token.clone(), claim_a).await;
    assert_eq!(shown.body["theirs"]["stars"], 2);
    assert_eq!(shown.body["theirs"]["comment"], "迟到");
    let to_merchant = ratings(merchant.clone(), claim_a).await;
    assert_eq!(
        to_merchant.body["theirs"]["tags"],
        json!(["结算及时", "安排清楚"])
    );

    // B never rates back; a week after the shift the merchant's rating shows anyway, and
    // nobody can rate any more.
    rate(
        merchant.clone(),
        claim_b,
        json!({"stars": 5, "tags": ["准时"]}),
    )
    .await;
    assert!(ratings(b.access_token.clone(), claim_b).await.body["theirs"].is_null());
    let start = Utc::now() - Duration::days(8);
    app.move_shift(shift, start, start + Duration::hours(4))
        .await;
    let revealed = ratings(b.access_token.clone(), claim_b).await;
    assert_eq!(revealed.body["theirs"]["stars"], 5);
    let too_late = rate(b.access_token.clone(), claim_b, json!({"stars": 5})).await;
    assert_eq!(too_late.problem_code(), "rating_window_closed");
}

async fn reliability_counts_the_last_ninety_days(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, shop, posting) = app.gig_shop().await;
    let merchant = shop.merchant.access_token.clone();
    let seeker = app.gig_worker("13812345678", "李娜").await;
    let newcomer = app.gig_worker("13812340001", "王芳").await;

    // A new worker has no score, not a bad one.
    let fresh = app
        .get("/api/v1/me/reliability", Some(&newcomer.access_token))
        .await;
    assert_eq!(fresh.body["counted"], 0);
    assert!(fresh.body["score"].is_null() && fresh.body["percent"].is_null());

    // Three shifts worked, one missed, one cancelled late, one cancelled in time, and one
    // worked 100 days ago (outside the window).
    let mut worked = Vec::new();
    for day in 0..4 {
        let shift = app
            .shift(
                &shop,
                posting,
                Duration::days(1) + Duration::hours(6 * day),
                4,
                2,
            )
            .await;
        let claim = app.claimed(&seeker, shift).await;
        worked.push((shift, claim));
    }
    let ago = |days: i64| Utc::now() - Duration::days(days);
    for (i, (shift, claim)) in worked.iter().enumerate() {
        let start = if i == 3 { ago(100) } else { ago(i as i64 + 1) };
        app.move_shift(*shift, start, start + Duration::hours(4))
            .await;
        let confirmed = app
            .claim_action(
                &merchant,
                *claim,
                "hours",
                &json!({"start": local(start), "end": local(start + Duration::hours(4))}),
            )
            .await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    }
    let missed = app.shift(&shop, posting, Duration::days(3), 4, 2).await;
    app.claimed(&seeker, missed).await;
    let start = ago(5);
    app.move_shift(missed, start, start + Duration::hours(4))
        .await;
    jobs::mark_no_shows(&app.db, &rules(), Utc::now())
        .await
        .unwrap();
    let late = app.shift(&shop, posting, Duration::hours(5), 2, 2).await;
    let claim = app.claimed(&seeker, late).await;
    app.claim_action(&seeker.access_token, claim, "cancel", &json!({}))
        .await;
    let in_time = app.shift(&shop, posting, Duration::days(4), 2, 2).await;
    let claim = app.claimed(&seeker, in_time).await;
    app.claim_action(&seeker.access_token, claim, "cancel", &json!({}))
        .await;

    // 3 / (3 + 1 + 1) = 60 %.
    let record = app
        .get(
            &format!("/api/v1/seekers/{}/reliability", seeker.account_id),
            Some(&merchant),
        )
        .await;
    assert_eq!(record.status, 200, "{}", record.body);
    assert_eq!(record.body["completed"], 3);
    assert_eq!(record.body["no_shows"], 1);
    assert_eq!(record.body["late_cancellations"], 1);
    assert_eq!(record.body["counted"], 5);
    assert_eq!(record.body["score"], 0.6);
    assert_eq!(record.body["percent"], 60);
    assert_eq!(record.body["window_days"], 90);

    // Other seekers do not see it; a merchant sees it for public profiles and claimants.
    let peek = app
        .get(
            &format!("/api/v1/seekers/{}/reliability", seeker.account_id),
            Some(&newcomer.access_token),
        )
        .await;
    assert_eq!(peek.status, 404);
    let mut hidden = profile_body("王芳");
    hidden["visibility"] = json!("hidden");
    app.put("/api/v1/me/profile", &hidden, Some(&newcomer.access_token))
        .await;
    let masked = app
        .get(
            &format!("/api/v1/seekers/{}/reliability", newcomer.account_id),
            Some(&merchant),
        )
        .await;
    assert_eq!(masked.status, 404);
}

async fn pay_summaries_in_json_and_csv(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, shop, posting) = app.gig_shop().await;
    let merchant = shop.merchant.access_token.clone();
    let a = app.gig_worker("13812340001", "李娜").await;
    let b = app.gig_worker("13812340002", "王芳").await;
    let shift = app.shift(&shop, posting, Duration::hours(2), 8, 2).await;
    let claim_a = app.claimed(&a, shift).await;
    let claim_b = app.claimed(&b, shift).await;
    // A Wednesday afternoon two weeks back (a whole ISO week, China time).
    let wednesday = to_display(Utc::now() - Duration::days(14))
        .date_naive()
        .week(chrono::Weekday::Mon)
        .first_day()
        + Duration::days(2);
    let start = doorstep_domain::time::shanghai()
        .from_local_datetime(&wednesday.and_hms_opt(13, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc);
    app.move_shift(shift, start, start + Duration::hours(8))
        .await;
    let week = doorstep_domain::gigs::pay::iso_week(start);

    // A worked 8 h less the break (450 min → 187.50 yuan); B's hours are not settled.
    app.claim_action(
        &merchant,
        claim_a,
        "hours",
        &json!({"start": local(start), "end": local(start + Duration::hours(8))}),
    )
    .await;
    let json_pay = app
        .get(&format!("/api/v1/shifts/{shift}/pay"), Some(&merchant))
        .await;
    assert_eq!(json_pay.status, 200, "{}", json_pay.body);
    assert_eq!(json_pay.body["total_minutes"], 450);
    assert_eq!(json_pay.body["total_pay_fen"], 18_750);
    assert_eq!(
        json_pay.body["unsettled"], 0,
        "B never checked in: no line yet"
    );
    let _ = claim_b;

    let csv = app
        .send(
            app.client
                .get(app.url(&format!("/api/v1/shifts/{shift}/pay?format=csv"))),
            Some(&merchant),
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type().starts_with("text/csv"));
    let text = csv.body.as_str().expect("CSV text");
    assert!(text.starts_with('\u{feff}'), "a BOM for spreadsheets");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert!(lines[0].starts_with("日期,开始,结束,工人"));
    assert!(
        lines[1].contains("李娜") && lines[1].ends_with(",18750,187.50"),
        "{}",
        lines[1]
    );

    let weekly = app
        .get(
            &format!("/api/v1/businesses/{}/pay?week={week}", shop.business_id),
            Some(&merchant),
        )
        .await;
    assert_eq!(
        weekly.body["totals"][0]["worker"], "李娜",
        "{}",
        weekly.body
    );
    assert_eq!(weekly.body["totals"][0]["pay_fen"], 18_750);
    assert_eq!(weekly.body["totals"][0]["pay_yuan"], "187.50");
    let mine = app
        .get(
            &format!("/api/v1/me/pay?week={week}"),
            Some(&a.access_token),
        )
        .await;
    assert_eq!(mine.body["totals"][0]["minutes"], 450);
    let others = app
        .get(
            &format!("/api/v1/me/pay?week={week}"),
            Some(&b.access_token),
        )
        .await;
    assert_eq!(others.body["totals"].as_array().unwrap().len(), 0);
    let bad_week = app
        .get("/api/v1/me/pay?week=2026-54", Some(&a.access_token))
        .await;
    assert_eq!(bad_week.status, 422);
    let not_member = app
        .get(
            &format!("/api/v1/shifts/{shift}/pay"),
            Some(&a.access_token),
        )
        .await;
    assert_eq!(not_member.status, 404);
}

async fn unconfirmed_hours_are_confirmed_after_two_days_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, shop, posting) = app.gig_shop().await;
    let seeker = app.gig_worker("13812345678", "李娜").await;
    let shift = app.shift(&shop, posting, Duration::minutes(10), 6, 2).await;
    let claim = app.claimed(&seeker, shift).await;
    let code = app.checkin_code(&shop).await;
    let checked = app
        .claim_action(
            &seeker.access_token,
            claim,
            "check-in",
            &json!({"code": code}),
        )
        .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    // The worker forgot to check out, the merchant to confirm.
    let stored = app.stored_shift(shift).await;
    let rules = rules();
    let too_soon = stored.ends_at + Duration::hours(47);
    assert_eq!(
        hours::auto_confirm(&app.db, &rules, too_soon)
            .await
            .unwrap(),
        0
    );
    let due = stored.ends_at + Duration::hours(49);
    let (x, y) = tokio::join!(
        hours::auto_confirm(&app.db, &rules, due),
        hours::auto_confirm(&app.db, &rules, due)
    );
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    let settled = app.get_claim(&seeker.access_token, claim).await;
    assert_eq!(status_of(&settled), Some(ClaimStatus::Completed));
    assert_eq!(settled.body["hours"]["status"], "auto_confirmed");
    // Paid from the start (they came early) to the scheduled end, less the break.
    assert_eq!(settled.body["hours"]["minutes"], 6 * 60 - 30);
}

async fn reminders_wait_for_quiet_hours_but_same_day_changes_do_not(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, shop, posting) = app.gig_shop().await;
    let seeker = app.gig_worker("13812345678", "李娜").await;
    // Quiet for the hour around now, China time.
    let local_now = to_display(Utc::now());
    let hhmm =
        |t: chrono::DateTime<chrono::FixedOffset>| format!("{:02}:{:02}", t.hour(), t.minute());
    let mut profile = profile_body("李娜");
    profile["push"] = json!({
        "channels": ["inbox"],
        "quiet_hours_start": hhmm(local_now - Duration::minutes(30)),
        "quiet_hours_end": hhmm(local_now + Duration::minutes(30)),
    });
    let saved = app
        .put("/api/v1/me/profile", &profile, Some(&seeker.access_token))
        .await;
    assert!(saved.status < 300, "{}", saved.body);

    let tomorrow = app.shift(&shop, posting, Duration::hours(20), 4, 2).await;
    app.claimed(&seeker, tomorrow).await;
    let soon = app.shift(&shop, posting, Duration::minutes(50), 2, 2).await;
    app.claimed(&seeker, soon).await;

    // The day-before and hour-before reminders are queued once each, however often the
    // job runs.
    let now = Utc::now();
    assert_eq!(jobs::send_reminders(&app.db, now).await.unwrap(), 2);
    assert_eq!(jobs::send_reminders(&app.db, now).await.unwrap(), 0);
    // Quiet hours hold them.
    app.deliver_gig_notices(now).await;
    let kinds = app.inbox_kinds(&seeker).await;
    assert!(
        !kinds.iter().any(|k| k.starts_with("shift_reminder")),
        "{kinds:?}"
    );

    // A change to a shift the seeker holds on the day itself (before or after the change)
    // is urgent: it comes through the quiet hours. (Near midnight both starts fall on the
    // next day: then it waits too.)
    let before = app.stored_shift(soon).await.starts_at;
    let mut body = doorstep_tests::gigs::shift_body(Duration::minutes(55), 2, 2);
    body["reason"] = json!("开工时间推迟5分钟");
    let changed = app
        .put(
            &format!("/api/v1/shifts/{soon}"),
            &body,
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let now = Utc::now();
    let same_day = doorstep_domain::gigs::same_local_day(now, before)
        || doorstep_domain::gigs::same_local_day(now, app.stored_shift(soon).await.starts_at);
    app.deliver_gig_notices(Utc::now()).await;
    let kinds = app.inbox_kinds(&seeker).await;
    assert_eq!(
        kinds.contains(&"shift_changed".to_owned()),
        same_day,
        "{kinds:?}"
    );
    assert!(!kinds.iter().any(|k| k.starts_with("shift_reminder")));

    // Once the quiet hours are over and the near shift has started, the held day-before
    // reminder arrives; the hour-before one expired with the start and is dropped.
    app.deliver_gig_notices(Utc::now() + Duration::hours(2))
        .await;
    let kinds = app.inbox_kinds(&seeker).await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "shift_reminder_day").count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| *k == "shift_reminder_hour").count(),
        0,
        "{kinds:?}"
    );
    assert!(kinds.contains(&"shift_changed".to_owned()));
}
