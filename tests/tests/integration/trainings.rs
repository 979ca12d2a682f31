//! Training sessions: seats never oversold, cancellations, who may do what.

use doorstep_client::views::community::{PointsView, SeatView, TrainingSessionView};
use doorstep_domain::types::SeatStatus;
use doorstep_tests::community::{SHILU, always_open, station_body};
use doorstep_tests::{Backend, Session, TestApp, on_both_databases, spawn_app};
use serde_json::{Value, json};

on_both_databases!(
    seats_hold_under_concurrent_registrations,
    sessions_are_guarded_and_cancellations_are_told,
    attendance_is_checked_in_by_the_signed_token_once
);

/// A first-aid class starting in half an hour (check-in opens an hour before).
pub fn first_aid_soon(station: &str) -> Value {
    let mut body = first_aid(Some(station), 20);
    let start = chrono::Utc::now() + chrono::Duration::minutes(30);
    body["starts_at"] = json!(start.to_rfc3339());
    body["ends_at"] = json!((start + chrono::Duration::hours(2)).to_rfc3339());
    body
}

/// The rider's check-in token for `session`, from their registrations.
pub async fn token_for(app: &TestApp, rider: &Session, session: &str) -> String {
    let mine = app
        .get("/api/v1/me/trainings", Some(&rider.access_token))
        .await;
    mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["session_id"] == session)
        .and_then(|r| r["checkin_token"].as_str())
        .expect("a check-in token for a registered seat")
        .to_owned()
}

pub fn first_aid(station: Option<&str>, capacity: i32) -> Value {
    let start = chrono::Utc::now() + chrono::Duration::days(1);
    let mut body = json!({
        "topic": "应急救护培训（心肺复苏与AED）",
        "category": "first_aid",
        "description": "红十字会讲师授课，考核合格发急救证",
        "starts_at": start.to_rfc3339(),
        "ends_at": (start + chrono::Duration::hours(3)).to_rfc3339(),
        "capacity": capacity,
        "certificate": "救护员证",
    });
    match station {
        Some(id) => body["station_id"] = json!(id),
        None => body["venue"] = json!("石路街道社区活动中心"),
    }
    body
}

pub async fn session(app: &TestApp, officer: &Session, body: &Value) -> String {
    let created = app
        .post("/api/v1/trainings", body, Some(&officer.access_token))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.json::<TrainingSessionView>().id.to_string()
}

async fn seats_hold_under_concurrent_registrations(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let (lat, lon) = SHILU;
    let station = app
        .station(
            &officer,
            &station_body("石路暖新驿站", lat, lon, always_open()),
        )
        .await
        .to_string();
    let id = session(&app, &officer, &first_aid(Some(&station), 5)).await;
    let shown = app.get(&format!("/api/v1/trainings/{id}"), None).await;
    // The certificate's alias is stored under its canonical name; the venue is the station.
    assert_eq!(
        shown.json::<TrainingSessionView>().certificate.as_deref(),
        Some("急救证")
    );
    assert!(
        shown.body["venue"]
            .as_str()
            .unwrap()
            .starts_with("石路暖新驿站")
    );

    let mut riders = Vec::new();
    for i in 0..24 {
        riders.push(app.register_as("seeker", &format!("1390000{i:04}")).await);
    }
    let path = format!("/api/v1/trainings/{id}/registrations");
    let empty = json!({});
    let answers = futures_util::future::join_all(
        riders
            .iter()
            .map(|r| app.post(&path, &empty, Some(&r.access_token))),
    )
    .await;
    let taken = answers.iter().filter(|a| a.status == 201).count();
    let full = answers
        .iter()
        .filter(|a| a.status == 409 && a.problem_code() == "session_full")
        .count();
    assert_eq!(
        (taken, full),
        (5, 19),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    let shown = app.get(&format!("/api/v1/trainings/{id}"), None).await;
    let shown: TrainingSessionView = shown.json();
    assert_eq!(shown.registered, 5);
    assert_eq!(shown.seats_left, 0);

    // A seat given back is taken by the next one to ask; a double tap takes no second seat.
    let holder = riders
        .iter()
        .zip(&answers)
        .find(|(_, a)| a.status == 201)
        .unwrap()
        .0;
    let again = app
        .post(&path, &json!({}), Some(&holder.access_token))
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.problem_code(), "already_registered");
    let given_back = app
        .delete(&format!("{path}/me"), Some(&holder.access_token))
        .await;
    assert_eq!(given_back.status, 200, "{}", given_back.body);
    assert_eq!(given_back.json::<SeatView>().status, SeatStatus::Cancelled);
    let waiting = riders
        .iter()
        .zip(&answers)
        .find(|(_, a)| a.status == 409)
        .unwrap()
        .0;
    let taken = app
        .post(&path, &json!({}), Some(&waiting.access_token))
        .await;
    assert_eq!(taken.status, 201, "{}", taken.body);
    let shown = app.get(&format!("/api/v1/trainings/{id}"), None).await;
    assert_eq!(shown.json::<TrainingSessionView>().registered, 5);
    let mine = app
        .get("/api/v1/me/trainings", Some(&waiting.access_token))
        .await;
    assert_eq!(mine.body["items"][0]["session"]["id"], id);
    assert_eq!(mine.body["items"][0]["status"], "registered");
}

async fn sessions_are_guarded_and_cancellations_are_told(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let rider = app.rider("13800000041").await;
    let merchant = app.register_as("merchant", "13900000042").await;

    let refused = app
        .post(
            "/api/v1/trainings",
            &first_aid(None, 10),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(refused.status, 403);

    let mut backwards = first_aid(None, 0);
    backwards["ends_at"] = backwards["starts_at"].clone();
    backwards["certificate"] = json!("屠龙证");
    let refused = app
        .post("/api/v1/trainings", &backwards, Some(&officer.access_token))
        .await;
    assert_eq!(refused.status, 422);
    let fields: Vec<String> = refused.field_errors().into_iter().map(|f| f.0).collect();
    assert_eq!(fields, ["ends_at", "capacity", "certificate"]);
    let mut nowhere = first_aid(None, 10);
    nowhere.as_object_mut().unwrap().remove("venue");
    let refused = app
        .post("/api/v1/trainings", &nowhere, Some(&officer.access_token))
        .await;
    assert_eq!(
        refused.field_errors(),
        vec![("venue".into(), "required".into())]
    );

    let id = session(&app, &officer, &first_aid(None, 10)).await;
    let path = format!("/api/v1/trainings/{id}/registrations");
    // Officers and merchants do not take seats.
    let refused = app
        .post(&path, &json!({}), Some(&merchant.access_token))
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        app.post(&path, &json!({}), Some(&rider.access_token))
            .await
            .status,
        201
    );
    // Cancelling a seat one does not hold is "not found".
    let other = app.rider("13800000043").await;
    assert_eq!(
        app.delete(&format!("{path}/me"), Some(&other.access_token))
            .await
            .status,
        404
    );

    // The officer cancels the session: the rider is told, and no one can register.
    let cancelled = app
        .post(
            &format!("/api/v1/trainings/{id}/cancel"),
            &json!({"reason": "讲师临时有事，改期另行通知"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert!(
        app.inbox_kinds(&rider)
            .await
            .contains(&"training_cancelled".to_owned())
    );
    let closed = app.post(&path, &json!({}), Some(&other.access_token)).await;
    assert_eq!(closed.status, 409);
    assert_eq!(closed.problem_code(), "registration_closed");
    let listed = app.get("/api/v1/trainings", None).await;
    assert_eq!(listed.body["items"], json!([]));
}

async fn attendance_is_checked_in_by_the_signed_token_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let rider = app.rider("13800000151").await;
    let (lat, lon) = SHILU;
    let station = app
        .station(
            &officer,
            &station_body("石路暖新驿站", lat, lon, always_open()),
        )
        .await
        .to_string();
    let id = session(&app, &officer, &first_aid_soon(&station)).await;
    let other = session(&app, &officer, &first_aid_soon(&station)).await;
    for s in [&id, &other] {
        let seat = app
            .post(
                &format!("/api/v1/trainings/{s}/registrations"),
                &json!({}),
                Some(&rider.access_token),
            )
            .await;
        assert_eq!(seat.status, 201, "{}", seat.body);
    }
    let token = token_for(&app, &rider, &id).await;
    assert!(token.starts_with("v1.training-checkin."));
    let scan = |token: String, who: &Session| {
        let app = &app;
        let path = format!("/api/v1/trainings/{id}/check-ins");
        let bearer = who.access_token.clone();
        async move {
            app.post(&path, &json!({"token": token}), Some(&bearer))
                .await
        }
    };

    // Tokens that are not this session's genuine, current token are named.
    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let refused = scan(tampered, &officer).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.field_errors(),
        vec![("token".into(), "token_tampered".into())]
    );
    let foreign = token_for(&app, &rider, &other).await;
    assert_eq!(
        scan(foreign, &officer).await.field_errors()[0].1,
        "token_foreign"
    );
    assert_eq!(
        scan("not a token".into(), &officer).await.field_errors()[0].1,
        "token_malformed"
    );
    let stored = doorstep_domain::trainings::find(&app.db, id.parse().unwrap())
        .await
        .unwrap();
    let seat_id: uuid::Uuid = app
        .get("/api/v1/me/trainings", Some(&rider.access_token))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["session_id"] == id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let key = doorstep_domain::signed_token::key_bytes(&stored.checkin_key);
    let claims = doorstep_domain::trainings::CheckinClaims {
        session: stored.id,
        reg: seat_id,
    };
    let old = doorstep_domain::signed_token::sign(
        &key,
        doorstep_domain::trainings::CHECKIN_PURPOSE,
        &claims,
        chrono::Utc::now() - chrono::Duration::minutes(1),
    );
    assert_eq!(
        scan(old, &officer).await.field_errors()[0].1,
        "token_expired"
    );
    let wrong_purpose = doorstep_domain::signed_token::sign(
        &key,
        "fair-checkin",
        &claims,
        chrono::Utc::now() + chrono::Duration::hours(1),
    );
    assert_eq!(
        scan(wrong_purpose, &officer).await.field_errors()[0].1,
        "token_wrong_purpose"
    );
    // Only officers scan, and only those of the session's district.
    assert_eq!(scan(token.clone(), &rider).await.status, 403);
    let park = app
        .create_district("园区湖西片区", (31.30, 120.65, 31.34, 120.70))
        .await;
    let elsewhere = app.create_officer_in("13700000152", &[park]).await;
    assert_eq!(scan(token.clone(), &elsewhere).await.status, 404);
    let cancel = app
        .post(
            &format!("/api/v1/trainings/{id}/cancel"),
            &json!({"reason": "越区取消"}),
            Some(&elsewhere.access_token),
        )
        .await;
    assert_eq!(cancel.status, 404);

    // The genuine token checks in once: points, the certificate, the profile.
    let first = scan(token.clone(), &officer).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["first"], true);
    assert_eq!(first.body["registration"]["status"], "attended");
    let again = scan(token, &officer).await;
    assert_eq!(again.body["first"], false);
    let points = app
        .get("/api/v1/me/points", Some(&rider.access_token))
        .await;
    assert_eq!(points.json::<PointsView>().balance, 5);
    let profile = app
        .get("/api/v1/me/profile", Some(&rider.access_token))
        .await;
    assert_eq!(profile.body["trainings"][0]["certificate"], "急救证");
    let held: Vec<&str> = profile.body["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(held.contains(&"急救证"), "{held:?}");
    // Replacing the profile does not drop a certificate earned at a training.
    let mut body = doorstep_tests::market::profile_body("骑手小王");
    body["credentials"] = json!([]);
    let saved = app
        .put("/api/v1/me/profile", &body, Some(&rider.access_token))
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.body["credentials"][0]["name"], "急救证");
}
