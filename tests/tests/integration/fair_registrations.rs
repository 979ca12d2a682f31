//! Registering for a fair: the capacity holds however many register at once, the waiting
//! list is served in order and told, and a double tap registers once.

use std::collections::BTreeSet;

use doorstep_client::views::Page;
use doorstep_client::views::fairs::{FairView, RegistrationView};
use doorstep_client::views::marketplace::NotificationView;
use doorstep_domain::fairs::status::{FairStatus, RegistrationStatus};
use doorstep_tests::fairs::fair_body;
use doorstep_tests::{ApiResponse, Backend, Session, TestApp, on_both_databases, spawn_app};
use futures_util::future::join_all;
use serde_json::json;
use uuid::Uuid;

on_both_databases!(
    capacity_holds_under_concurrent_registrations,
    the_waiting_list_is_served_in_order,
    a_double_tap_registers_once,
    an_erased_account_exports_then_frees_its_place,
);

async fn seekers(app: &TestApp, prefix: &str, n: usize) -> Vec<Session> {
    join_all((0..n).map(|k| async move {
        app.fair_seeker(&format!("{prefix}{k:04}"), &format!("求职者{k}"))
            .await
    }))
    .await
}

async fn fair_with_capacity(app: &TestApp, officer: &Session, capacity: i32) -> Uuid {
    let mut body = fair_body("限额招聘会", 3);
    body["seeker_capacity"] = json!(capacity);
    app.published_fair(officer, &body).await
}

async fn fair_view(app: &TestApp, fair: Uuid) -> ApiResponse {
    app.get(&format!("/api/v1/fairs/{fair}"), None).await
}

async fn capacity_holds_under_concurrent_registrations(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let fair = fair_with_capacity(&app, &officer, 5).await;
    let crowd = seekers(&app, "1381235", 40).await;

    let responses = join_all(crowd.iter().map(|s| app.register_for_fair(s, fair, None))).await;
    let mut registered = Vec::new();
    let mut positions = BTreeSet::new();
    for (seeker, response) in crowd.iter().zip(&responses) {
        assert_eq!(response.status, 201, "{}", response.body);
        match response.body["status"].as_str().unwrap() {
            "registered" => {
                assert!(response.body["token"].is_string());
                registered.push((seeker, response.json::<RegistrationView>().id.to_string()));
            }
            "waitlisted" => {
                assert!(response.body.get("token").is_none());
                positions.insert(response.body["waitlist_position"].as_u64().unwrap());
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(registered.len(), 5, "the capacity is 5");
    assert_eq!(
        positions,
        (1..=35).collect(),
        "35 distinct places in the queue"
    );
    let view = fair_view(&app, fair).await;
    let view: FairView = view.json();
    assert_eq!(view.registered, 5);
    assert_eq!(view.places_left, 0);

    // Three places freed at once go to the first three in the queue, and no more.
    let first_in_queue: Vec<&Session> = {
        let mut queued: Vec<(u64, &Session)> = crowd
            .iter()
            .zip(&responses)
            .filter(|(_, r)| r.body["status"] == "waitlisted")
            .map(|(s, r)| (r.body["waitlist_position"].as_u64().unwrap(), s))
            .collect();
        queued.sort_by_key(|(p, _)| *p);
        queued.iter().take(3).map(|(_, s)| *s).collect()
    };
    let cancelled = join_all(
        registered
            .iter()
            .take(3)
            .map(|(seeker, id)| app.cancel_fair_registration(seeker, fair, id.parse().unwrap())),
    )
    .await;
    for response in &cancelled {
        assert_eq!(response.status, 200, "{}", response.body);
        assert_eq!(
            response.json::<RegistrationView>().status,
            RegistrationStatus::Cancelled
        );
    }
    assert_eq!(fair_view(&app, fair).await.json::<FairView>().registered, 5);
    for seeker in first_in_queue {
        assert!(
            app.inbox_kinds(seeker)
                .await
                .contains(&"fair_waitlist_promoted".to_owned())
        );
    }
    let figures = app
        .get(
            &format!("/api/v1/fairs/{fair}/figures"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(figures.body["registered"], 5);
    assert_eq!(figures.body["waitlisted"], 32);
    assert_eq!(figures.body["cancelled"], 3);
}

async fn the_waiting_list_is_served_in_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let fair = fair_with_capacity(&app, &officer, 1).await;
    let [a, b, c] = [
        app.fair_seeker("13812340001", "甲").await,
        app.fair_seeker("13812340002", "乙").await,
        app.fair_seeker("13812340003", "丙").await,
    ];
    let a_id = app.registered(&a, fair).await;
    let b_reg = app.register_for_fair(&b, fair, None).await;
    let c_reg = app.register_for_fair(&c, fair, None).await;
    assert_eq!(b_reg.json::<RegistrationView>().waitlist_position, Some(1));
    assert_eq!(c_reg.json::<RegistrationView>().waitlist_position, Some(2));
    let b_id: Uuid = b_reg.json::<RegistrationView>().id;
    let c_id: Uuid = c_reg.json::<RegistrationView>().id;

    assert_eq!(
        app.cancel_fair_registration(&a, fair, a_id).await.status,
        200
    );
    let b_now = app.fair_registration(&b, fair, b_id).await;
    assert_eq!(
        b_now.json::<RegistrationView>().status,
        RegistrationStatus::Registered
    );
    assert!(b_now.json::<RegistrationView>().token.is_some());
    let promoted = app.get("/api/v1/inbox", Some(&b.access_token)).await;
    assert_eq!(
        promoted.json::<Page<NotificationView>>().items[0].kind,
        "fair_waitlist_promoted"
    );
    let c_now = app.fair_registration(&c, fair, c_id).await;
    assert_eq!(c_now.json::<RegistrationView>().waitlist_position, Some(1));
    assert!(
        !app.inbox_kinds(&c)
            .await
            .contains(&"fair_waitlist_promoted".to_owned())
    );

    // Registering again after cancelling goes to the back of the queue.
    let back = app.register_for_fair(&a, fair, None).await;
    assert_eq!(back.status, 201, "{}", back.body);
    assert_eq!(
        back.json::<RegistrationView>().status,
        RegistrationStatus::Waitlisted
    );
    assert_eq!(back.json::<RegistrationView>().waitlist_position, Some(2));
    assert_eq!(
        app.cancel_fair_registration(&a, fair, a_id).await.status,
        200
    );
    assert_eq!(
        app.cancel_fair_registration(&a, fair, a_id)
            .await
            .problem_code(),
        "already_cancelled"
    );
    // Leaving the queue frees no place.
    assert_eq!(
        app.cancel_fair_registration(&c, fair, c_id).await.status,
        200
    );
    assert_eq!(fair_view(&app, fair).await.json::<FairView>().registered, 1);
}

async fn a_double_tap_registers_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let fair = fair_with_capacity(&app, &officer, 10).await;
    let seeker = app.fair_seeker("13812340001", "林小雨").await;
    let taps = join_all((0..12).map(|_| app.register_for_fair(&seeker, fair, None))).await;
    let created = taps.iter().filter(|r| r.status == 201).count();
    assert_eq!(
        created,
        1,
        "{:?}",
        taps.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for tap in taps.iter().filter(|r| r.status != 201) {
        assert_eq!(tap.problem_code(), "already_registered");
    }
    assert_eq!(fair_view(&app, fair).await.json::<FairView>().registered, 1);

    // Seekers without a profile, merchants, and late comers are refused.
    let bare = app.register_as("seeker", "13812340002").await;
    assert_eq!(
        app.register_for_fair(&bare, fair, None)
            .await
            .problem_code(),
        "profile_required"
    );
    let merchant = app.register_as("merchant", "13912340001").await;
    assert_eq!(
        app.register_for_fair(&merchant, fair, None).await.status,
        403
    );
    let closed = app
        .post(
            &format!("/api/v1/fairs/{fair}/close"),
            &json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(closed.json::<FairView>().status, FairStatus::Closed);
    let late = app.fair_seeker("13812340003", "张伟").await;
    assert_eq!(
        app.register_for_fair(&late, fair, None)
            .await
            .problem_code(),
        "registration_closed"
    );
}

async fn an_erased_account_exports_then_frees_its_place(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let fair = fair_with_capacity(&app, &officer, 1).await;
    let leaving = app.fair_seeker("13812340001", "林小雨").await;
    let waiting = app.fair_seeker("13812340002", "王芳").await;
    app.registered(&leaving, fair).await;
    let queued = app.register_for_fair(&waiting, fair, None).await;
    assert_eq!(
        queued.json::<RegistrationView>().status,
        RegistrationStatus::Waitlisted
    );

    let export = app
        .get("/api/v1/me/export", Some(&leaving.access_token))
        .await;
    assert_eq!(
        export.body["fair_registrations"][0]["fair_id"],
        fair.to_string()
    );
    assert_eq!(export.body["fair_registrations"][0]["status"], "registered");

    let erased = app.delete("/api/v1/me", Some(&leaving.access_token)).await;
    assert_eq!(erased.status, 204, "{}", erased.body);
    let id = queued.json::<RegistrationView>().id;
    let promoted = app.fair_registration(&waiting, fair, id).await;
    assert_eq!(
        promoted.json::<RegistrationView>().status,
        RegistrationStatus::Registered
    );
    assert_eq!(fair_view(&app, fair).await.json::<FairView>().registered, 1);
}
