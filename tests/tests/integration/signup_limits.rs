//! Sign-up that cannot be flooded (issue 20, failure 4): password hashing in a bounded
//! pool (a burst beyond it gets 503 `busy`, not gigabytes of argon2 memory), per-IP and
//! per-number sign-up limits, and a per-IP limit on every other write that needs no token.

use doorstep_tests::app::{ApiResponse, PASSWORD, TestApp};
use doorstep_tests::{Backend, Session, on_both_databases, spawn_app_with};
use futures_util::future::join_all;
use serde_json::{Value, json};

on_both_databases!(
    a_burst_of_sign_ups_beyond_the_hashing_pool_is_refused_with_503,
    login_still_works_through_the_hashing_pool,
    sign_up_is_limited_per_client_ip,
    sign_up_is_limited_per_number_across_addresses,
    every_other_unauthenticated_write_is_limited_per_client_ip,
    every_unauthenticated_write_is_known_to_be_limited,
);

fn sign_up_body(phone: &str) -> Value {
    json!({
        "role": "seeker",
        "phone": phone,
        "password": PASSWORD,
        "display_name": "求职者",
    })
}

/// A sign-up body with the one-time code the server sent to its phone (asked for by the
/// harness, from 127.0.0.1).
async fn with_code(app: &TestApp, body: Value) -> Value {
    let mut body = body;
    body["code"] = json!(app.sign_up_code(&body).await);
    body
}

/// A request that seems to come from `ip`, through the trusted proxy at 127.0.0.1.
async fn post_from(app: &TestApp, ip: &str, path: &str, body: &Value) -> ApiResponse {
    app.send(
        app.client
            .post(app.url(path))
            .header("x-forwarded-for", ip)
            .json(body),
        None,
    )
    .await
}

fn assert_rate_limited(response: &ApiResponse) {
    assert_eq!(response.status, 429, "{}", response.body);
    assert_eq!(response.problem_code(), "rate_limited");
    let retry: u64 = response.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After is a number of seconds");
    assert!(retry >= 1);
}

async fn a_burst_of_sign_ups_beyond_the_hashing_pool_is_refused_with_503(backend: Backend) {
    // One hash at a time and one waiting: the rest of a burst must be refused at once, not
    // queued without bound (before the pool, every one of them ran at once, 19 MiB each).
    let app = spawn_app_with(backend, |settings| {
        settings.password_hash_workers = 1;
        settings.password_hash_queue = 1;
    })
    .await;
    let burst = (0..20).map(|n| {
        let body = sign_up_body(&format!("1391234{n:04}"));
        let app = &app;
        async move { app.register(&body).await }
    });
    let results = join_all(burst).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert!(
        statuses.iter().all(|s| [201, 503].contains(s)),
        "only created or busy, never a 500: {statuses:?}"
    );
    assert!(
        statuses.contains(&201),
        "the pool still works: {statuses:?}"
    );
    let busy: Vec<_> = results.iter().filter(|r| r.status == 503).collect();
    assert!(
        !busy.is_empty(),
        "a burst beyond one worker and one queued request gets 503: {statuses:?}"
    );
    for refused in &busy {
        assert_eq!(refused.problem_code(), "busy");
        let retry: u64 = refused.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .expect("Retry-After is a number of seconds");
        assert!(retry >= 1);
    }
    // A refused sign-up created nothing: retried once the burst is over, it succeeds.
    let refused_phone = results
        .iter()
        .zip(0..)
        .find(|(r, _)| r.status == 503)
        .map(|(_, n)| format!("1391234{n:04}"))
        .unwrap();
    let retried = app.register(&sign_up_body(&refused_phone)).await;
    assert_eq!(retried.status, 201, "{}", retried.body);
}

async fn login_still_works_through_the_hashing_pool(backend: Backend) {
    let app = spawn_app_with(backend, |settings| {
        settings.password_hash_workers = 1;
        settings.password_hash_queue = 1;
    })
    .await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let logged_in = app.login("13812345678", PASSWORD).await;
    assert_eq!(logged_in.status, 200, "{}", logged_in.body);
    assert_eq!(
        Session::from_response(&logged_in).account_id,
        seeker.account_id
    );
    assert_eq!(app.login("13812345678", "wrong-password").await.status, 401);
    assert_eq!(app.login("13900000000", PASSWORD).await.status, 401);

    // A burst of logins: each is checked or refused as busy, and a cheap GET during the
    // burst is not held up behind the hashing.
    let logins = join_all((0..10).map(|_| app.login("13812345678", "wrong-password")));
    let (logins, health) = futures_util::join!(logins, app.get("/healthz", None));
    assert_eq!(health.status, 200);
    for login in &logins {
        assert!(
            [401, 503].contains(&login.status),
            "{} {}",
            login.status,
            login.body
        );
        if login.status == 503 {
            assert_eq!(login.problem_code(), "busy");
            assert!(login.headers.get("retry-after").is_some());
        }
    }
    // Staff accounts (created as `doorstep admin` does) go through the same pool.
    let admin = app.admin().await;
    assert!(!admin.access_token.is_empty());
    let logged_in = app.login("13812345678", PASSWORD).await;
    assert_eq!(logged_in.status, 200, "{}", logged_in.body);
}

async fn sign_up_is_limited_per_client_ip(backend: Backend) {
    let app = spawn_app_with(backend, |settings| {
        settings.signup_per_ip_per_minute = 3;
        settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let path = "/api/v1/auth/register";
    for n in 0..3 {
        let body = with_code(&app, sign_up_body(&format!("1381234000{n}"))).await;
        let created = post_from(&app, "203.0.113.7", path, &body).await;
        assert_eq!(created.status, 201, "{}", created.body);
    }
    // The fourth from the same address is refused, whatever the number, before its code is
    // looked at.
    let fourth = with_code(&app, sign_up_body("13812340009")).await;
    let limited = post_from(&app, "203.0.113.7", path, &fourth).await;
    assert_rate_limited(&limited);
    // A malformed attempt counts too: the address is checked before the number.
    let mut malformed = sign_up_body("12");
    malformed["code"] = json!("000000");
    let limited = post_from(&app, "203.0.113.7", path, &malformed).await;
    assert_rate_limited(&limited);
    // The number and its code were not used up, and another address is not affected.
    let other = post_from(&app, "198.51.100.4", path, &fourth).await;
    assert_eq!(other.status, 201, "{}", other.body);
    // Login keeps its own limits.
    assert_eq!(app.login("13812340000", PASSWORD).await.status, 200);
}

async fn sign_up_is_limited_per_number_across_addresses(backend: Backend) {
    let app = spawn_app_with(backend, |settings| {
        settings.signup_per_number_per_hour = 2;
        settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let path = "/api/v1/auth/register";
    let body = with_code(&app, sign_up_body("13812345678")).await;
    let created = post_from(&app, "203.0.113.1", path, &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    // Guessing codes for the registered number: answered as any wrong code once (the answer
    // never says the number is registered)…
    let mut guess_body = sign_up_body("138 1234 5678");
    guess_body["code"] = json!("123456");
    let wrong = post_from(&app, "203.0.113.2", path, &guess_body).await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert_eq!(
        wrong.field_errors(),
        vec![("code".into(), "invalid_code".into())]
    );
    // …then refused, from any address and however the number is written.
    for (ip, phone) in [
        ("203.0.113.3", "+86 138-1234-5678"),
        ("198.51.100.9", "13812345678"),
    ] {
        let mut body = sign_up_body(phone);
        body["code"] = json!("123456");
        let limited = post_from(&app, ip, path, &body).await;
        assert_rate_limited(&limited);
        let retry: u64 = limited.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            retry >= 60,
            "an hourly limit asks to wait minutes, not {retry} s"
        );
    }
    // Other numbers are not affected.
    let other_body = with_code(&app, sign_up_body("13900000000")).await;
    let other = post_from(&app, "203.0.113.3", path, &other_body).await;
    assert_eq!(other.status, 201, "{}", other.body);
}

async fn every_other_unauthenticated_write_is_limited_per_client_ip(backend: Backend) {
    let app = spawn_app_with(backend, |settings| {
        settings.anonymous_writes_per_ip_per_minute = 1;
        settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let session = app.register_as("seeker", "13812345678").await;
    let bogus = json!({ "refresh_token": "not-a-real-token" });
    let note = json!({ "note": "已修好" });
    let code_request = json!({ "phone": "13900000001", "purpose": "register" });
    let reset =
        json!({ "login": "13900000001", "code": "123456", "new_password": "一个很好的新密码" });
    let wechat = json!({ "code": "a-wx-login-code" });
    let writes: [(&str, &Value); 8] = [
        ("/api/v1/auth/codes", &code_request),
        ("/api/v1/auth/wechat", &wechat),
        ("/api/v1/auth/password/reset", &reset),
        ("/api/v1/auth/refresh", &bogus),
        ("/api/v1/auth/logout", &bogus),
        ("/api/v1/report-handling/progress?token=bogus", &note),
        ("/api/v1/report-handling/resolve?token=bogus", &note),
        ("/api/v1/report-handling/photos?token=bogus", &Value::Null),
    ];
    for (n, (path, body)) in writes.into_iter().enumerate() {
        let ip = format!("203.0.113.{}", n + 1);
        let send = || {
            let request = app
                .client
                .post(app.url(path))
                .header("x-forwarded-for", &ip);
            let request = match body {
                Value::Null => request
                    .header("content-type", "image/jpeg")
                    .body(vec![0xff, 0xd8, 0xff, 0xd9]),
                body => request.json(body),
            };
            app.send(request, None)
        };
        let first = send().await;
        assert_ne!(first.status, 429, "{path}: the first write is let through");
        assert!(
            first.status < 500,
            "{path}: {} {}",
            first.status,
            first.body
        );
        assert_rate_limited(&send().await);
    }
    // Each address has its own allowance: a real refresh from a fresh address still works.
    let refreshed = post_from(
        &app,
        "198.51.100.1",
        "/api/v1/auth/refresh",
        &json!({ "refresh_token": session.refresh_token }),
    )
    .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
}

/// Every write the OpenAPI document lists without a token is one whose limit is tested
/// above. A new one fails here until it is limited (`AppState::limit_anonymous_write`) and
/// added to the list.
async fn every_unauthenticated_write_is_known_to_be_limited(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, 200);
    let mut unauthenticated: Vec<String> = Vec::new();
    for (path, item) in doc.body["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().unwrap() {
            if !["post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let secured = operation["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            if !secured {
                unauthenticated.push(format!("{method} {path}"));
            }
        }
    }
    unauthenticated.sort();
    assert_eq!(
        unauthenticated,
        [
            "post /api/v1/auth/codes",
            "post /api/v1/auth/login",
            "post /api/v1/auth/logout",
            "post /api/v1/auth/password/reset",
            "post /api/v1/auth/refresh",
            "post /api/v1/auth/register",
            "post /api/v1/auth/wechat",
            "post /api/v1/report-handling/photos",
            "post /api/v1/report-handling/progress",
            "post /api/v1/report-handling/resolve",
        ]
    );
}
