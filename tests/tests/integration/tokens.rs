//! Access tokens the server must refuse, and the ones it must keep accepting.

use doorstep_domain::types::Role;
use doorstep_tests::app::{TEST_KID, TEST_SECRET, raw_token, sign, valid_claims};
use doorstep_tests::{Backend, on_both_databases, spawn_app, spawn_app_with};
use serde_json::json;

on_both_databases!(
    missing_or_malformed_bearer_is_401,
    expired_token_is_refused,
    time_claims_sent_as_strings_are_refused,
    token_not_valid_yet_is_refused,
    token_signed_with_another_key_is_refused,
    alg_none_is_refused,
    unknown_kid_is_refused,
    token_for_another_audience_or_issuer_is_refused,
    token_missing_required_claims_is_refused,
    disabled_account_tokens_stop_working_at_once,
    role_change_revokes_live_tokens,
    rotated_keys_keep_old_tokens_valid_during_the_overlap,
);

async fn missing_or_malformed_bearer_is_401(backend: Backend) {
    let app = spawn_app(backend).await;
    let missing = app.get("/api/v1/me", None).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.problem_code(), "missing_token");
    assert!(missing.headers.get("www-authenticate").is_some());
    let garbage = app.me("not.a.jwt").await;
    assert_eq!(garbage.status, 401);
    assert_eq!(garbage.problem_code(), "invalid_token");
    let basic = app
        .send(
            app.client
                .get(app.url("/api/v1/me"))
                .header("authorization", "Basic dXNlcjpwYXNz"),
            None,
        )
        .await;
    assert_eq!(basic.problem_code(), "missing_token");
}

async fn expired_token_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let mut claims = valid_claims(seeker.account_id, "seeker", 0);
    let past = chrono::Utc::now().timestamp() - 3600;
    claims["iat"] = json!(past - 900);
    claims["nbf"] = json!(past - 900);
    claims["exp"] = json!(past);
    let response = app.me(&sign(&claims, TEST_KID, TEST_SECRET)).await;
    assert_eq!(response.status, 401);
    assert_eq!(response.problem_code(), "token_expired");
    // The same claims, still valid, are accepted: the key and account are right.
    let fresh = valid_claims(seeker.account_id, "seeker", 0);
    assert_eq!(
        app.me(&sign(&fresh, TEST_KID, TEST_SECRET)).await.status,
        200
    );
}

async fn time_claims_sent_as_strings_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let past = chrono::Utc::now().timestamp() - 3600;
    let future = chrono::Utc::now().timestamp() + 3600;
    for (claim, value) in [
        ("exp", past.to_string()),
        ("nbf", future.to_string()),
        ("exp", "never".into()),
    ] {
        let mut claims = valid_claims(seeker.account_id, "seeker", 0);
        claims[claim] = json!(value);
        let response = app.me(&sign(&claims, TEST_KID, TEST_SECRET)).await;
        assert_eq!(response.status, 401, "{claim} = {value:?}");
        assert_eq!(
            response.problem_code(),
            "invalid_token",
            "{claim} = {value:?}"
        );
    }
}

async fn token_not_valid_yet_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let mut claims = valid_claims(seeker.account_id, "seeker", 0);
    let later = chrono::Utc::now().timestamp() + 3600;
    claims["nbf"] = json!(later);
    claims["exp"] = json!(later + 900);
    let response = app.me(&sign(&claims, TEST_KID, TEST_SECRET)).await;
    assert_eq!(response.status, 401);
    assert_eq!(response.problem_code(), "token_not_yet_valid");
}

async fn token_signed_with_another_key_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let claims = valid_claims(seeker.account_id, "seeker", 0);
    let forged = sign(
        &claims,
        TEST_KID,
        "an-attackers-secret-that-is-long-enough-0000",
    );
    let response = app.me(&forged).await;
    assert_eq!(response.status, 401);
    assert_eq!(response.problem_code(), "invalid_token");
}

async fn alg_none_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let claims = valid_claims(seeker.account_id, "seeker", 0);
    for alg in ["none", "None", "NONE"] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": TEST_KID});
        for signature in ["", "AAAA"] {
            let response = app.me(&raw_token(&header, &claims, signature)).await;
            assert_eq!(response.status, 401, "alg {alg}");
            assert_eq!(response.problem_code(), "invalid_token");
        }
    }
    // An asymmetric algorithm name with the HMAC secret (key confusion) is refused too.
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": TEST_KID});
    let response = app.me(&raw_token(&header, &claims, "AAAA")).await;
    assert_eq!(response.problem_code(), "invalid_token");
}

async fn unknown_kid_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let claims = valid_claims(seeker.account_id, "seeker", 0);
    let response = app.me(&sign(&claims, "retired-key", TEST_SECRET)).await;
    assert_eq!(response.status, 401);
    assert_eq!(response.problem_code(), "invalid_token");
    assert!(
        response.body["detail"]
            .as_str()
            .unwrap()
            .contains("unknown key")
    );
}

async fn token_for_another_audience_or_issuer_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", "13812345678").await;
    for (claim, value) in [("aud", "another-api"), ("iss", "someone-else")] {
        let mut claims = valid_claims(seeker.account_id, "seeker", 0);
        claims[claim] = json!(value);
        let response = app.me(&sign(&claims, TEST_KID, TEST_SECRET)).await;
        assert_eq!(response.status, 401, "{claim}");
        assert_eq!(response.problem_code(), "invalid_token");
    }
}

async fn token_missing_required_claims_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", "13812345678").await;
    for claim in ["exp", "nbf", "iss", "aud", "sub"] {
        let mut claims = valid_claims(seeker.account_id, "seeker", 0);
        claims.as_object_mut().unwrap().remove(claim);
        let response = app.me(&sign(&claims, TEST_KID, TEST_SECRET)).await;
        assert_eq!(response.status, 401, "without {claim}");
        assert_eq!(response.problem_code(), "invalid_token");
    }
}

async fn disabled_account_tokens_stop_working_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.create_staff(Role::Admin, "13700000001").await;
    let seeker = app.register_as("seeker", "13812345678").await;
    assert_eq!(app.me(&seeker.access_token).await.status, 200);
    let disabled = app
        .post(
            &format!("/api/v1/accounts/{}/disable", seeker.account_id),
            &json!({}),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(disabled.status, 200);
    // The access token has not expired, yet it no longer works.
    let response = app.me(&seeker.access_token).await;
    assert_eq!(response.status, 401);
    assert_eq!(response.problem_code(), "account_disabled");
}

async fn role_change_revokes_live_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.create_staff(Role::Admin, "13700000001").await;
    let officer = app.create_staff(Role::Officer, "13700000002").await;
    assert_eq!(
        app.get("/api/v1/accounts", Some(&officer.access_token))
            .await
            .status,
        200
    );
    let demoted = app
        .put(
            &format!("/api/v1/accounts/{}/role", officer.account_id),
            &json!({"role": "seeker"}),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(demoted.status, 200, "{}", demoted.body);
    assert_eq!(demoted.body["role"], "seeker");
    let response = app
        .get("/api/v1/accounts", Some(&officer.access_token))
        .await;
    assert_eq!(response.status, 401);
    assert_eq!(response.problem_code(), "token_revoked");
    // After refreshing, the token carries the new role, which may not list accounts.
    let refreshed = app.refresh(&officer.refresh_token).await;
    assert_eq!(refreshed.body["account"]["role"], "seeker");
    let token = refreshed.body["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/accounts", Some(token)).await.status, 403);
}

async fn rotated_keys_keep_old_tokens_valid_during_the_overlap(backend: Backend) {
    let new_secret = "the-new-signing-secret-after-rotation-0123456789";
    let app = spawn_app_with(backend, |settings| {
        settings.jwt_keys = Some(format!("k2:{new_secret},{TEST_KID}:{TEST_SECRET}"));
    })
    .await;
    let seeker = app.register_as("seeker", "13812345678").await;
    // New tokens are signed with the first key...
    let header = jsonwebtoken::decode_header(&seeker.access_token).unwrap();
    assert_eq!(header.kid.as_deref(), Some("k2"));
    // ...and tokens signed with the old key still verify during the overlap.
    let old = sign(
        &valid_claims(seeker.account_id, "seeker", 0),
        TEST_KID,
        TEST_SECRET,
    );
    assert_eq!(app.me(&old).await.status, 200);
}
