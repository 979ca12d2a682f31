//! Training sessions: seats never oversold, cancellations, who may do what.

use doorstep_tests::community::{SHILU, always_open, station_body};
use doorstep_tests::{Backend, Session, TestApp, on_both_databases, spawn_app};
use serde_json::{Value, json};

on_both_databases!(
    seats_hold_under_concurrent_registrations,
    sessions_are_guarded_and_cancellations_are_told
);

fn first_aid(station: Option<&str>, capacity: i32) -> Value {
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

async fn session(app: &TestApp, officer: &Session, body: &Value) -> String {
    let created = app
        .post("/api/v1/trainings", body, Some(&officer.access_token))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.body["id"].as_str().unwrap().to_owned()
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
    assert_eq!(shown.body["certificate"], "急救证");
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
    assert_eq!(shown.body["registered"], 5);
    assert_eq!(shown.body["seats_left"], 0);

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
    assert_eq!(given_back.body["status"], "cancelled");
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
    assert_eq!(shown.body["registered"], 5);
    let mine = app
        .get("/api/v1/me/trainings", Some(&waiting.access_token))
        .await;
    assert_eq!(mine.body[0]["session"]["id"], id);
    assert_eq!(mine.body[0]["status"], "registered");
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
