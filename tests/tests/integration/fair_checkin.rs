//! QR check-in: a device verifies a token with the fair's key alone; tampered, expired,
//! foreign, wrong-purpose and malformed tokens are refused; a second scan is reported and
//! counted once; walk-ins register at the door. The key is the fair's officers' alone and
//! can be rotated; forged tokens and officers of other districts are refused.

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
    walk_ins_register_at_the_door,
    forged_and_out_of_district_check_ins_are_refused,
    a_rotated_key_refuses_the_old_tokens,
);

/// 石路: a district that does not contain the mall.
const SHILU: (f64, f64, f64, f64) = (31.30, 120.58, 31.33, 120.62);

fn token_of(response: &doorstep_tests::ApiResponse) -> String {
    assert_eq!(response.status, 200, "{}", response.body);
    response.body["token"].as_str().unwrap().to_owned()
}

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

    // The officers' device verifies the token offline with the fair's key.
    let key = app
        .get(
            &format!("/api/v1/fairs/{fair}/device-key"),
            Some(&officer.access_token),
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

/// Issue 20, failure 1: an officer of another district read the fair's key, forged a
/// seeker's token with it, and the fair counted the visit.
async fn forged_and_out_of_district_check_ins_are_refused(backend: Backend) {
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
    let seeker = app.fair_seeker("13812340001", "林小雨").await;
    let registration = app.registered(&seeker, fair).await;
    let genuine = token_of(&app.fair_registration(&seeker, fair, registration).await);
    let shilu = app.create_district("石路片区", SHILU).await;
    let elsewhere = app.create_officer_in("13700000301", &[shilu]).await;
    let nowhere = app.create_officer_in("13700000302", &[]).await;
    let mut body = fair_body("石路招聘会", 4);
    body["lat"] = json!(31.315);
    body["lon"] = json!(120.60);
    let their_fair = app.published_fair(&elsewhere, &body).await;

    // Neither the key nor a scan: the fair does not exist for them.
    for who in [&elsewhere, &nowhere] {
        let key = app
            .get(
                &format!("/api/v1/fairs/{fair}/device-key"),
                Some(&who.access_token),
            )
            .await;
        assert_eq!(key.status, 404, "{}", key.body);
        assert!(key.body.get("key").is_none());
        let at_door = app.scan_token(who, fair, &genuine, None).await;
        assert_eq!(at_door.status, 404, "{}", at_door.body);
        let at_booth = app.scan_token(who, fair, &genuine, Some(booth)).await;
        assert_eq!(at_booth.status, 404, "{}", at_booth.body);
    }
    // Nor the booth's own device: a booth with the key could check anyone in.
    let booth_key = app
        .get(
            &format!("/api/v1/fairs/{fair}/device-key"),
            Some(&cafe.merchant.access_token),
        )
        .await;
    assert_eq!(booth_key.status, 404, "{}", booth_key.body);

    // A token for this fair's registration, signed with another fair's key (one the forger
    // may read), is refused wherever it is shown.
    let foreign_key = app
        .get(
            &format!("/api/v1/fairs/{their_fair}/device-key"),
            Some(&elsewhere.access_token),
        )
        .await;
    assert_eq!(foreign_key.status, 200, "{}", foreign_key.body);
    let foreign_key = signed_token::key_bytes(foreign_key.body["key"].as_str().unwrap());
    let forged = signed_token::sign(
        &foreign_key,
        "fair-checkin",
        &CheckinClaims {
            fair,
            reg: registration,
        },
        Utc::now() + Duration::days(5),
    );
    for scanned in [
        app.scan_token(&officer, fair, &forged, None).await,
        app.scan_token(&cafe.merchant, fair, &forged, Some(booth))
            .await,
    ] {
        assert_eq!(scanned.status, 422, "{}", scanned.body);
        assert_eq!(
            scanned.field_errors(),
            vec![("token".to_owned(), "token_tampered".to_owned())]
        );
    }
    // The genuine token shown at the other fair is another fair's.
    let elsewhere_scan = app.scan_token(&elsewhere, their_fair, &genuine, None).await;
    assert_eq!(
        elsewhere_scan.field_errors(),
        vec![("token".to_owned(), "token_foreign".to_owned())]
    );

    // Nothing was counted.
    let figures = app
        .get(
            &format!("/api/v1/fairs/{fair}/figures"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(figures.status, 200, "{}", figures.body);
    assert_eq!(figures.body["attended"], 0);
    assert_eq!(figures.body["counts"]["booth_visits"], 0);
    let seen = app.fair_registration(&seeker, fair, registration).await;
    assert!(seen.body["checked_in_at"].is_null(), "{}", seen.body);
}

async fn a_rotated_key_refuses_the_old_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let fair = app
        .published_fair(&officer, &fair_body("圆融招聘会", 3))
        .await;
    let seeker = app.fair_seeker("13812340001", "林小雨").await;
    let registration = app.registered(&seeker, fair).await;
    let old_token = token_of(&app.fair_registration(&seeker, fair, registration).await);
    let key_path = format!("/api/v1/fairs/{fair}/device-key");
    let old_key = app.get(&key_path, Some(&officer.access_token)).await;
    assert_eq!(old_key.status, 200, "{}", old_key.body);

    // Only the fair's officers rotate it.
    let rotate = format!("{key_path}/rotate");
    let shilu = app.create_district("石路片区", SHILU).await;
    let elsewhere = app.create_officer_in("13700000301", &[shilu]).await;
    let cafe = app.verified_shop("13912340001", &officer).await;
    for (who, status) in [(&elsewhere, 404), (&cafe.merchant, 403), (&seeker, 403)] {
        let refused = app.post(&rotate, &json!({}), Some(&who.access_token)).await;
        assert_eq!(refused.status, status, "{}", refused.body);
    }
    assert_eq!(
        app.get(&key_path, Some(&officer.access_token)).await.body["key"],
        old_key.body["key"]
    );

    let rotated = app
        .post(&rotate, &json!({}), Some(&officer.access_token))
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    assert_ne!(rotated.body["key"], old_key.body["key"]);
    assert_eq!(
        app.get(&key_path, Some(&officer.access_token)).await.body["key"],
        rotated.body["key"]
    );
    // The old token is refused; the registration shows one under the new key, which admits.
    let refused = app.scan_token(&officer, fair, &old_token, None).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(
        refused.field_errors(),
        vec![("token".to_owned(), "token_tampered".to_owned())]
    );
    let new_token = token_of(&app.fair_registration(&seeker, fair, registration).await);
    assert_ne!(new_token, old_token);
    let new_key = signed_token::key_bytes(rotated.body["key"].as_str().unwrap());
    signed_token::verify::<CheckinClaims>(&new_key, "fair-checkin", &new_token, Utc::now())
        .expect("signed with the new key");
    let admitted = app.scan_token(&officer, fair, &new_token, None).await;
    assert_eq!(admitted.status, 200, "{}", admitted.body);
}
