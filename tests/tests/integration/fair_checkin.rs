//! QR check-in: a device verifies a token with the fair's key alone; tampered, expired,
//! foreign, wrong-purpose and malformed tokens are refused; a second scan is reported and
//! counted once; walk-ins register at the door.

use chrono::{Duration, Utc};
use doorstep_domain::fairs::checkin::CheckinClaims;
use doorstep_domain::signed_token;
use doorstep_tests::fairs::fair_body;
use doorstep_tests::market::posting_body;
use doorstep_tests::{Backend, on_both_databases, spawn_app};
use serde_json::json;
use uuid::Uuid;

on_both_databases!(
    bad_tokens_are_refused_and_scans_count_once,
    walk_ins_register_at_the_door
);

async fn bad_tokens_are_refused_and_scans_count_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let cafe = app.verified_shop("13912340001", &officer).await;
    let coffee = app.open_posting(&cafe, &posting_body("周末咖啡师")).await;
    let fair = app
        .published_fair(&officer, &fair_body("圆融招聘会", 3))
        .await;
    let other_fair = app
        .published_fair(&officer, &fair_body("石路招聘会", 4))
        .await;
    let booth = app
        .approved_booth(fair, &cafe, &[coffee], 2, &officer)
        .await;
    let seeker = app.fair_seeker("13812340001", "林小雨").await;
    let registration = app.registered(&seeker, fair).await;
    let other_registration = app.registered(&seeker, other_fair).await;
    let token = app
        .fair_registration(&seeker, fair, registration)
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let foreign = app
        .fair_registration(&seeker, other_fair, other_registration)
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // A booth's device verifies the token offline with the fair's key.
    let key = app
        .get(
            &format!("/api/v1/fairs/{fair}/device-key"),
            Some(&cafe.merchant.access_token),
        )
        .await;
    assert_eq!(key.status, 200, "{}", key.body);
    assert_eq!(key.body["purpose"], "fair-checkin");
    let key = signed_token::key_bytes(key.body["key"].as_str().unwrap());
    let claims: CheckinClaims =
        signed_token::verify(&key, "fair-checkin", &token, Utc::now()).expect("a genuine token");
    assert_eq!(claims.reg, registration);
    assert!(
        signed_token::verify::<CheckinClaims>(&key, "fair-checkin", &foreign, Utc::now()).is_err()
    );

    let refused = |code: &'static str| {
        move |response: doorstep_tests::ApiResponse| {
            assert_eq!(response.status, 422, "{}", response.body);
            assert_eq!(
                response.field_errors(),
                vec![("token".to_owned(), code.to_owned())]
            );
        }
    };
    // Another fair's token.
    refused("token_foreign")(app.scan_token(&officer, fair, &foreign, None).await);
    // The payload changed to another registration, the signature kept.
    let parts: Vec<&str> = token.split('.').collect();
    let forged_payload = {
        use base64::Engine;
        let claims = json!({"exp": (Utc::now() + Duration::days(5)).timestamp(), "fair": fair, "reg": Uuid::now_v7()});
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string())
    };
    let tampered = format!("v1.fair-checkin.{forged_payload}.{}", parts[3]);
    refused("token_tampered")(app.scan_token(&officer, fair, &tampered, None).await);
    // Signed with the fair's key but expired.
    let expired = signed_token::sign(
        &key,
        "fair-checkin",
        &CheckinClaims {
            fair,
            reg: registration,
        },
        Utc::now() - Duration::minutes(1),
    );
    refused("token_expired")(app.scan_token(&officer, fair, &expired, None).await);
    // Signed with the fair's key for another purpose.
    let other_purpose = signed_token::sign(
        &key,
        "training-attendance",
        &CheckinClaims {
            fair,
            reg: registration,
        },
        Utc::now() + Duration::hours(1),
    );
    refused("token_wrong_purpose")(app.scan_token(&officer, fair, &other_purpose, None).await);
    refused("token_malformed")(app.scan_token(&officer, fair, "扫码失败", None).await);

    // The genuine token: counted at the first scan, reported at the second.
    let first = app.scan_token(&officer, fair, &token, None).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["first_scan"], true);
    let replay = app.scan_token(&officer, fair, &token, None).await;
    assert_eq!(replay.status, 200, "{}", replay.body);
    assert_eq!(replay.body["first_scan"], false);
    assert_eq!(replay.body["scanned_at"], first.body["scanned_at"]);
    for _ in 0..2 {
        let at_booth = app
            .scan_token(&cafe.merchant, fair, &token, Some(booth))
            .await;
        assert_eq!(at_booth.status, 200, "{}", at_booth.body);
    }
    let figures = app
        .get(
            &format!("/api/v1/fairs/{fair}/figures"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(figures.body["attended"], 1);
    assert_eq!(figures.body["counts"]["booth_visits"], 1);

    // A booth's device names its booth, and only its own.
    let no_booth = app.scan_token(&cafe.merchant, fair, &token, None).await;
    assert_eq!(no_booth.field_errors()[0].0, "booth_id");
    let stranger = app.verified_shop("13912340002", &officer).await;
    assert_eq!(
        app.scan_token(&stranger.merchant, fair, &token, Some(booth))
            .await
            .status,
        404
    );
    assert_eq!(
        app.scan_token(&seeker, fair, &token, Some(booth))
            .await
            .status,
        404
    );

    // A cancelled registration's token no longer admits.
    let cancelled = app
        .post(
            &format!("/api/v1/fairs/{fair}/registrations/{registration}/cancel"),
            &json!({}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(cancelled.status, 200);
    assert!(cancelled.body.get("token").is_none());
    assert_eq!(
        app.scan_token(&officer, fair, &token, None)
            .await
            .problem_code(),
        "registration_not_active"
    );
}

async fn walk_ins_register_at_the_door(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let mut body = fair_body("圆融招聘会", 3);
    body["seeker_capacity"] = json!(1);
    let fair = app.published_fair(&officer, &body).await;
    let early = app.fair_seeker("13812340001", "林小雨").await;
    app.registered(&early, fair).await;
    let walker = app.fair_seeker("13812340002", "王芳").await;
    let path = format!("/api/v1/fairs/{fair}/walk-ins");

    // Beyond the capacity, checked in at once, with a token for the booths.
    let walked = app
        .post(
            &path,
            &json!({"login": "13812340002"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(walked.status, 201, "{}", walked.body);
    assert_eq!(walked.body["status"], "registered");
    assert_eq!(walked.body["walk_in"], true);
    assert!(walked.body["checked_in_at"].is_string());
    assert!(walked.body["token"].is_string());
    let again = app
        .post(
            &path,
            &json!({"login": "13812340002"}),
            Some(&walker.access_token),
        )
        .await;
    assert_eq!(again.status, 403, "officers register walk-ins");
    let twice = app
        .post(
            &path,
            &json!({"login": "13812340002"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(twice.problem_code(), "already_registered");
    let unknown = app
        .post(
            &path,
            &json!({"login": "13812349999"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(
        unknown.field_errors(),
        vec![("login".to_owned(), "no_such_seeker".to_owned())]
    );
    let figures = app
        .get(
            &format!("/api/v1/fairs/{fair}/figures"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(figures.body["registered"], 2);
    assert_eq!(figures.body["walk_ins"], 1);
    assert_eq!(figures.body["attended"], 1);
}
