//! Health, readiness, metrics and the OpenAPI document.

use doorstep_domain::types::Role;
use doorstep_tests::{Backend, on_both_databases, spawn_app, spawn_app_with};

on_both_databases!(
    healthz_and_readyz_answer,
    readyz_fails_when_the_database_is_gone,
    metrics_count_requests_by_route_and_status,
    metrics_are_not_public,
    metrics_show_the_process_and_the_connection_pool,
    metrics_bind_serves_metrics_alone,
    openapi_document_covers_every_route,
    openapi_document_states_the_shared_responses,
    schemathesis_findings_stay_fixed,
    a_bad_token_on_an_open_route_is_documented,
);

const METRICS_TOKEN: &str = "scrape-token-0123456789";

async fn healthz_and_readyz_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let health = app.get("/healthz", None).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.body["status"], "ok");
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, 200, "{}", ready.body);
}

async fn readyz_fails_when_the_database_is_gone(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.get("/readyz", None).await.status, 200);
    app.lose_database().await;
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert_eq!(ready.problem_code(), "not_ready");
    // The process itself is still up.
    assert_eq!(app.get("/healthz", None).await.status, 200);
    // And requests that need the database fail cleanly, not with a panic or a hang.
    let login = app.login("13812345678", "whatever-password").await;
    assert!([500, 503].contains(&login.status), "{}", login.status);
    assert!(login.content_type().starts_with("application/problem+json"));
}

async fn metrics_count_requests_by_route_and_status(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.metrics_token = Some(METRICS_TOKEN.into())).await;
    app.get("/healthz", None).await;
    app.get("/healthz", None).await;
    app.get("/api/v1/me", None).await;
    let metrics = app.get("/metrics", Some(METRICS_TOKEN)).await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.content_type().starts_with("text/plain"));
    let text = metrics.body.as_str().expect("metrics are text");
    assert!(
        text.contains(
            r#"doorstep_http_requests_total{method="GET",route="/healthz",status="200"} 2"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"doorstep_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("doorstep_http_request_duration_seconds_bucket"));
    assert!(
        text.contains(r#"doorstep_queue{queue="pushes_pending"} 0"#),
        "{text}"
    );
    assert!(
        text.contains(r#"doorstep_queue{queue="index_lag"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"doorstep_queue{queue="matcher_backlog"}"#),
        "{text}"
    );
}

async fn metrics_show_the_process_and_the_connection_pool(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.metrics_token = Some(METRICS_TOKEN.into())).await;
    let metrics = app.get("/metrics", Some(METRICS_TOKEN)).await;
    assert_eq!(metrics.status, 200);
    let text = metrics.body.as_str().expect("metrics are text");
    let value = |name: &str| -> f64 {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("{name} missing: {text}"))
            .parse()
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    // The standard process series (Linux).
    assert!(value("process_cpu_seconds_total") > 0.0);
    assert!(value("process_resident_memory_bytes") > 0.0);
    assert!(value("process_open_fds") > 0.0);
    assert!(value("process_max_fds") >= value("process_open_fds"));
    assert!(value("process_start_time_seconds") > 1.7e9);
    // The connection pool: what the settings allow, and what is open now, by use.
    let max = value("doorstep_db_pool_max_connections");
    assert_eq!(max, f64::from(app.settings.database_max_connections));
    let open = value("doorstep_db_pool_connections");
    assert!(open >= 1.0 && open <= max, "{text}");
    assert_eq!(
        value("doorstep_db_pool_idle_connections") + value("doorstep_db_pool_in_use_connections"),
        open
    );
}

async fn metrics_are_not_public(backend: Backend) {
    // Nothing configured: not served on the API address at all.
    let app = spawn_app(backend).await;
    let metrics = app.get("/metrics", None).await;
    assert_eq!(metrics.status, 404, "{}", metrics.body);
    assert_eq!(metrics.problem_code(), "route_not_found");
    // A token configured: only that token opens it.
    let app = spawn_app_with(backend, |s| s.metrics_token = Some(METRICS_TOKEN.into())).await;
    let anonymous = app.get("/metrics", None).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.problem_code(), "missing_token");
    let wrong = app.get("/metrics", Some("scrape-token-0123456780")).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.problem_code(), "invalid_token");
    // A user's access token is not the metrics token.
    let seeker = app.register_as("seeker", "13800138000").await;
    let user = app.get("/metrics", Some(&seeker.access_token)).await;
    assert_eq!(user.status, 401);
    assert_eq!(app.get("/metrics", Some(METRICS_TOKEN)).await.status, 200);
}

async fn metrics_bind_serves_metrics_alone(backend: Backend) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_app_with(backend, |s| {
        s.metrics_bind = Some(format!("127.0.0.1:{port}"))
    })
    .await;
    app.get("/healthz", None).await;
    let private = format!("http://127.0.0.1:{port}");
    let metrics = app
        .client
        .get(format!("{private}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains(r#"route="/healthz",status="200"} 1"#),
        "{text}"
    );
    // The API is not served on the metrics address, and metrics stay off the API address.
    let api = app
        .client
        .get(format!("{private}/api/v1/categories"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 404);
    assert_eq!(app.get("/metrics", None).await.status, 404);
}

async fn openapi_document_covers_every_route(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, 200);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc.body["paths"].as_object().expect("paths");
    let expected = [
        ("/", "get"),
        ("/docs", "get"),
        ("/docs/{file}", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/api/v1/openapi.json", "get"),
        ("/api/v1/auth/codes", "post"),
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/refresh", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/auth/password/reset", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/me/password", "post"),
        ("/api/v1/me/phone/code", "post"),
        ("/api/v1/me/phone", "post"),
        ("/api/v1/auth/wechat", "post"),
        ("/api/v1/me/wechat", "post"),
        ("/api/v1/me/wechat", "delete"),
        ("/api/v1/me/phone/wechat", "post"),
        ("/api/v1/postings/{id}/wxacode", "get"),
        ("/api/v1/fairs/{id}/wxacode", "get"),
        ("/api/v1/stations/{id}/wxacode", "get"),
        ("/api/v1/accounts", "get"),
        ("/api/v1/accounts", "post"),
        ("/api/v1/accounts/{id}/disable", "post"),
        ("/api/v1/accounts/{id}/enable", "post"),
        ("/api/v1/accounts/{id}/role", "put"),
        ("/api/v1/me/export", "get"),
        ("/api/v1/me", "delete"),
        ("/api/v1/categories", "get"),
        ("/api/v1/businesses", "post"),
        ("/api/v1/businesses", "get"),
        ("/api/v1/businesses/mine", "get"),
        ("/api/v1/businesses/{id}", "get"),
        ("/api/v1/businesses/{id}", "put"),
        ("/api/v1/businesses/{id}/verify", "post"),
        ("/api/v1/businesses/{id}/reject", "post"),
        ("/api/v1/businesses/{id}/members", "get"),
        ("/api/v1/businesses/{id}/members", "post"),
        ("/api/v1/businesses/{id}/members/{account_id}", "delete"),
        ("/api/v1/businesses/{id}/licence-photo", "post"),
        ("/api/v1/businesses/{id}/licence-photo", "get"),
        ("/api/v1/businesses/{id}/verifications", "get"),
        ("/api/v1/me/identity", "post"),
        ("/api/v1/me/identity", "get"),
        ("/api/v1/businesses/{id}/postings", "post"),
        ("/api/v1/postings", "get"),
        ("/api/v1/postings/mine", "get"),
        ("/api/v1/postings/{id}", "get"),
        ("/api/v1/postings/{id}", "put"),
        ("/api/v1/postings/{id}/publish", "post"),
        ("/api/v1/postings/{id}/pause", "post"),
        ("/api/v1/postings/{id}/close", "post"),
        ("/api/v1/postings/{id}/fill", "post"),
        ("/api/v1/postings/{id}/applications", "post"),
        ("/api/v1/postings/{id}/applications", "get"),
        ("/api/v1/me/profile", "get"),
        ("/api/v1/me/profile", "put"),
        ("/api/v1/profiles/{id}", "get"),
        ("/api/v1/me/applications", "get"),
        ("/api/v1/applications/{id}", "get"),
        ("/api/v1/applications/{id}/transitions", "post"),
        ("/api/v1/postings/{id}/invitations", "post"),
        ("/api/v1/me/invitations", "get"),
        ("/api/v1/invitations/{id}/accept", "post"),
        ("/api/v1/invitations/{id}/decline", "post"),
        ("/api/v1/jobs/search", "get"),
        ("/api/v1/profiles/search", "get"),
        ("/api/v1/admin/reindex", "post"),
        ("/api/v1/lexicon", "post"),
        ("/api/v1/lexicon", "get"),
        ("/api/v1/lexicon/{id}", "delete"),
        ("/api/v1/matches", "get"),
        ("/api/v1/matches/{id}/feedback", "post"),
        ("/api/v1/webhooks", "post"),
        ("/api/v1/webhooks", "get"),
        ("/api/v1/webhooks/{id}", "delete"),
        ("/api/v1/webhooks/{id}/ping", "post"),
        ("/api/v1/inbox", "get"),
        ("/api/v1/inbox/{id}/read", "post"),
        ("/api/v1/me/wechat/subscriptions", "post"),
        ("/api/v1/content-reviews", "get"),
        ("/api/v1/content-reviews/{id}/resolve", "post"),
        ("/api/v1/postings/{id}/conversations", "post"),
        ("/api/v1/conversations", "post"),
        ("/api/v1/conversations", "get"),
        ("/api/v1/conversations/quick-replies", "get"),
        ("/api/v1/conversations/{id}", "get"),
        ("/api/v1/conversations/{id}/messages", "get"),
        ("/api/v1/conversations/{id}/messages", "post"),
        ("/api/v1/conversations/{id}/read", "post"),
        ("/api/v1/conversations/{id}/contact-request", "post"),
        ("/api/v1/conversations/{id}/contact-consent", "post"),
        ("/api/v1/conversations/{id}/block", "post"),
        ("/api/v1/conversations/{id}/messages/{seq}/accept", "post"),
        ("/api/v1/conversations/{id}/block", "delete"),
        ("/api/v1/ws", "get"),
        ("/api/v1/conversations/search", "get"),
        ("/api/v1/conversations/{id}/report", "post"),
        ("/api/v1/conversation-reports", "get"),
        ("/api/v1/conversation-reports/{id}", "get"),
        ("/api/v1/conversation-reports/{id}/resolve", "post"),
        // Issue 25: complaints.
        ("/api/v1/complaints", "post"),
        ("/api/v1/complaints", "get"),
        ("/api/v1/me/complaints", "get"),
        ("/api/v1/complaints/{id}", "get"),
        ("/api/v1/complaints/{id}/photos", "post"),
        ("/api/v1/complaints/{id}/photos/{photo_id}", "get"),
        ("/api/v1/complaints/{id}/acknowledge", "post"),
        ("/api/v1/complaints/{id}/outcome", "post"),
        ("/api/v1/businesses/{id}/complaints", "get"),
        ("/api/v1/businesses/{id}/lift-suspension", "post"),
        ("/api/v1/fairs", "post"),
        ("/api/v1/fairs", "get"),
        ("/api/v1/fairs/{id}", "get"),
        ("/api/v1/fairs/{id}", "put"),
        ("/api/v1/fairs/{id}/publish", "post"),
        ("/api/v1/fairs/{id}/close", "post"),
        ("/api/v1/fairs/{id}/finish", "post"),
        ("/api/v1/fairs/{id}/cancel", "post"),
        ("/api/v1/fairs/{id}/plan", "post"),
        ("/api/v1/fairs/{id}/figures", "get"),
        ("/api/v1/fairs/{id}/figures.csv", "get"),
        ("/api/v1/fairs/{id}/device-key", "get"),
        ("/api/v1/fairs/{id}/device-key/rotate", "post"),
        ("/api/v1/fairs/{id}/booths", "post"),
        ("/api/v1/fairs/{id}/booths", "get"),
        ("/api/v1/fairs/{id}/booths/{booth_id}", "put"),
        ("/api/v1/fairs/{id}/booths/{booth_id}/approve", "post"),
        ("/api/v1/fairs/{id}/booths/{booth_id}/reject", "post"),
        ("/api/v1/fairs/{id}/booths/{booth_id}/schedule", "get"),
        ("/api/v1/fairs/{id}/booths/{booth_id}/outcomes", "post"),
        ("/api/v1/fairs/{id}/booths/{booth_id}/applications", "post"),
        ("/api/v1/fairs/{id}/registrations", "post"),
        ("/api/v1/fairs/{id}/registrations/{registration_id}", "get"),
        (
            "/api/v1/fairs/{id}/registrations/{registration_id}/cancel",
            "post",
        ),
        ("/api/v1/me/fair-registrations", "get"),
        ("/api/v1/fairs/{id}/walk-ins", "post"),
        ("/api/v1/fairs/{id}/check-ins", "post"),
        ("/api/v1/postings/{id}/shifts", "post"),
        ("/api/v1/postings/{id}/shifts", "get"),
        ("/api/v1/shifts/{id}", "get"),
        ("/api/v1/shifts/{id}", "put"),
        ("/api/v1/shifts/{id}/cancel", "post"),
        ("/api/v1/shifts/{id}/changes", "get"),
        ("/api/v1/postings/{id}/gig-options", "get"),
        ("/api/v1/postings/{id}/gig-options", "put"),
        ("/api/v1/businesses/{id}/gig-settings", "put"),
        ("/api/v1/businesses/{id}/checkin-code", "get"),
        ("/api/v1/businesses/{id}/favourites", "get"),
        ("/api/v1/businesses/{id}/favourites/{seeker_id}", "put"),
        ("/api/v1/businesses/{id}/favourites/{seeker_id}", "delete"),
        ("/api/v1/shifts/{id}/claims", "post"),
        ("/api/v1/shifts/{id}/claims", "get"),
        ("/api/v1/me/claims", "get"),
        ("/api/v1/claims/{id}", "get"),
        ("/api/v1/claims/{id}/cancel", "post"),
        ("/api/v1/claims/{id}/approve", "post"),
        ("/api/v1/claims/{id}/reject", "post"),
        ("/api/v1/claims/{id}/check-in", "post"),
        ("/api/v1/claims/{id}/check-out", "post"),
        ("/api/v1/claims/{id}/hours", "post"),
        ("/api/v1/claims/{id}/dispute", "post"),
        ("/api/v1/claims/{id}/resolve", "post"),
        ("/api/v1/disputes", "get"),
        ("/api/v1/claims/{id}/rating", "post"),
        ("/api/v1/claims/{id}/ratings", "get"),
        ("/api/v1/shifts/{id}/pay", "get"),
        ("/api/v1/businesses/{id}/pay", "get"),
        ("/api/v1/me/pay", "get"),
        ("/api/v1/seekers/{id}/reliability", "get"),
        ("/api/v1/me/reliability", "get"),
        ("/api/v1/stations/map.geojson", "get"),
        ("/api/v1/stations", "get"),
        ("/api/v1/stations", "post"),
        ("/api/v1/stations/{id}", "get"),
        ("/api/v1/stations/{id}", "put"),
        ("/api/v1/trainings", "post"),
        ("/api/v1/trainings", "get"),
        ("/api/v1/me/trainings", "get"),
        ("/api/v1/trainings/{id}", "get"),
        ("/api/v1/trainings/{id}/registrations", "post"),
        ("/api/v1/trainings/{id}/registrations/me", "delete"),
        ("/api/v1/trainings/{id}/cancel", "post"),
        ("/api/v1/trainings/{id}/check-ins", "post"),
        ("/api/v1/reports", "post"),
        ("/api/v1/reports", "get"),
        ("/api/v1/me/reports", "get"),
        ("/api/v1/reports/{id}", "get"),
        ("/api/v1/reports/{id}/photos", "post"),
        ("/api/v1/reports/{id}/voice", "post"),
        ("/api/v1/reports/{id}/dispatch", "post"),
        ("/api/v1/reports/{id}/reject", "post"),
        ("/api/v1/reports/{id}/progress", "post"),
        ("/api/v1/reports/{id}/resolve", "post"),
        ("/api/v1/reports/{id}/resolution-photos", "post"),
        ("/api/v1/report-handling", "get"),
        ("/api/v1/report-handling/progress", "post"),
        ("/api/v1/report-handling/resolve", "post"),
        ("/api/v1/report-handling/photos", "post"),
        ("/api/v1/board/reports", "get"),
        ("/api/v1/media/{id}", "get"),
        ("/api/v1/departments", "post"),
        ("/api/v1/departments", "get"),
        ("/api/v1/me/points", "get"),
        ("/api/v1/rewards", "get"),
        ("/api/v1/rewards", "post"),
        ("/api/v1/rewards/{id}/redeem", "post"),
        ("/api/v1/me/redemptions", "get"),
        ("/api/v1/redemptions/{id}/fulfil", "post"),
        ("/api/v1/redemptions/{id}/cancel", "post"),
        ("/api/v1/points/volunteer-tasks", "post"),
        ("/api/v1/points/league", "get"),
        ("/api/v1/wishes/figures", "get"),
        ("/api/v1/wishes", "post"),
        ("/api/v1/wishes", "get"),
        ("/api/v1/wishes/{id}/answer", "post"),
        ("/api/v1/districts", "post"),
        ("/api/v1/districts", "get"),
        ("/api/v1/districts/{id}", "get"),
        ("/api/v1/districts/{id}", "put"),
        ("/api/v1/districts/{id}", "delete"),
        ("/api/v1/districts/{id}/officers", "get"),
        ("/api/v1/districts/{id}/officers/{officer_id}", "put"),
        ("/api/v1/districts/{id}/officers/{officer_id}", "delete"),
        ("/api/v1/profiles/{id}/service-records", "post"),
        ("/api/v1/profiles/{id}/service-records", "get"),
        ("/api/v1/me/service-records", "get"),
        ("/api/v1/service-records/{id}", "patch"),
        ("/api/v1/officer/follow-ups", "get"),
        ("/api/v1/audit", "get"),
        ("/api/v1/audit.csv", "get"),
        ("/api/v1/districts/{id}/figures", "get"),
        ("/api/v1/districts/{id}/figures.csv", "get"),
        // Issue 25: posting screening.
        ("/api/v1/minimum-wages", "get"),
        ("/api/v1/minimum-wages", "post"),
        ("/api/v1/districts/{id}/screening-decisions", "get"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from the document"
        );
    }
    let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        operations,
        expected.len(),
        "the document has routes this test does not know"
    );
    // Operation ids are unique (clients generate method names from them).
    let mut operation_ids: Vec<&str> = paths
        .values()
        .flat_map(|p| p.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let count = operation_ids.len();
    operation_ids.sort();
    operation_ids.dedup();
    assert_eq!(operation_ids.len(), count, "duplicate operationId");
    // Every reference resolves (a dangling one makes the document invalid).
    fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v.as_str()) {
                        ("$ref", Some(target)) => out.push(target.to_owned()),
                        _ => refs(v, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut targets = Vec::new();
    refs(&doc.body, &mut targets);
    for target in targets {
        let pointer = target.trim_start_matches('#');
        assert!(
            target.starts_with("#/components/") && doc.body.pointer(pointer).is_some(),
            "dangling reference {target}"
        );
    }
    // Errors are documented as problem documents.
    let schemas = doc.body["components"]["schemas"].as_object().unwrap();
    assert!(schemas.contains_key("Problem"));
    assert!(doc.body["components"]["securitySchemes"]["bearer"].is_object());
}

/// The statuses every route can answer through the shared extractors are documented on
/// every operation, and the shared parameter bounds are the ones the server enforces.
async fn openapi_document_states_the_shared_responses(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = app.get("/api/v1/openapi.json", None).await.body;
    // A response is given inline or as a reference to components/responses.
    let resolve = |response: &serde_json::Value| -> serde_json::Value {
        match response["$ref"].as_str() {
            Some(target) => doc
                .pointer(target.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("dangling {target}"))
                .clone(),
            None => response.clone(),
        }
    };
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{} {path}", method.to_uppercase());
            let responses = op["responses"].as_object().unwrap();
            let has = |status: &str| {
                let response = responses
                    .get(status)
                    .unwrap_or_else(|| panic!("{name} does not document {status}"));
                let response = resolve(response);
                assert!(
                    response["content"]["application/problem+json"].is_object(),
                    "{name}: {status} is not a problem document"
                );
            };
            let secured = op["security"]
                .as_array()
                .is_some_and(|reqs| reqs.iter().any(|r| r.get("bearer").is_some()));
            if secured {
                has("401");
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415"] {
                    has(status);
                }
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            if params.iter().any(|p| p["in"] == "query") {
                has("400");
            }
            for param in &params {
                if param["in"] == "query" && param["name"] == "limit" {
                    assert_eq!(param["schema"]["minimum"], 1, "{name}: limit minimum");
                    // 100 for every list (`page`); search states its own 50.
                    let maximum = param["schema"]["maximum"].as_u64();
                    assert!(
                        maximum.is_some_and(|m| (1..=100).contains(&m)),
                        "{name}: limit maximum {maximum:?}"
                    );
                }
                assert!(
                    !param["schema"]["type"]
                        .as_array()
                        .is_some_and(|types| types.iter().any(|t| t == "null")),
                    "{name}: parameter {} admits null",
                    param["name"]
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 150, "only {checked} operations");

    // The bounds are the server's: 0 and 101 are refused, 1 and 100 served.
    let postings = &doc["paths"]["/api/v1/postings"]["get"]["parameters"];
    let limit = postings
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["schema"]["maximum"], 100);
    for (limit, status) in [(0, 400), (1, 200), (100, 200), (101, 400)] {
        let response = app
            .get(&format!("/api/v1/postings?limit={limit}"), None)
            .await;
        assert_eq!(response.status, status, "limit={limit}: {}", response.body);
        // Stations used to cap a larger limit silently.
        let response = app
            .get(
                &format!("/api/v1/stations?lat=31.3&lon=120.6&limit={limit}"),
                None,
            )
            .await;
        assert_eq!(
            response.status, status,
            "stations limit={limit}: {}",
            response.body
        );
    }
}

/// What schemathesis found where the server or the document was wrong.
async fn schemathesis_findings_stay_fixed(backend: Backend) {
    let app = spawn_app(backend).await;
    // Staff have no service-record file of their own: 403, not 422 "reason required".
    let officer = app.create_staff(Role::Officer, "13900000001").await;
    let response = app
        .get("/api/v1/me/service-records", Some(&officer.access_token))
        .await;
    assert_eq!(response.status, 403, "{}", response.body);
    // The points league capped a limit out of range silently, like stations did.
    for limit in [0, 101] {
        let response = app
            .get(
                &format!("/api/v1/points/league?limit={limit}"),
                Some(&officer.access_token),
            )
            .await;
        assert_eq!(response.status, 400, "limit={limit}: {}", response.body);
    }
    // The CSV export takes no page parameters rather than ignoring them.
    let admin = app.admin().await;
    let response = app
        .get("/api/v1/audit.csv?limit=0", Some(&admin.access_token))
        .await;
    assert_eq!(response.status, 400, "{}", response.body);
    // An empty cursor is the first page, on search as on every list.
    let response = app.get("/api/v1/jobs/search?q=x&cursor=", None).await;
    assert_eq!(response.status, 200, "{}", response.body);

    let doc = app.get("/api/v1/openapi.json", None).await.body;
    let schemas = &doc["components"]["schemas"];
    // Two request types of one name: the required reason used to replace the optional one.
    assert_eq!(schemas["RequiredReason"]["required"][0], "reason");
    assert!(schemas["ReasonInput"]["required"].is_null());
    assert_eq!(
        doc["paths"]["/api/v1/reports/{id}/reject"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/RequiredReason"
    );
    // Integers state the range of the type the server reads them into (a u8 weekday).
    let weekday = &schemas["Pattern"]["properties"]["weekdays"]["items"];
    assert_eq!(weekday["maximum"], 255, "{weekday}");
    assert_eq!(weekday["format"], "int32", "{weekday}");
}

/// Routes that serve anonymous callers but check a token when one is sent (`MaybeAuth`)
/// answer 401 to a bad one; the document must say so (`OPTIONAL_AUTH` in
/// api/src/contract.rs lists them, as nothing else in the document can).
async fn a_bad_token_on_an_open_route_is_documented(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = app.get("/api/v1/openapi.json", None).await.body;
    let mut refused = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        let open = op["security"].as_array().is_none_or(|reqs| {
            reqs.iter()
                .any(|r| r.as_object().is_some_and(|r| r.is_empty()))
        });
        if !open {
            continue;
        }
        let concrete: String = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    uuid::Uuid::new_v4().to_string()
                } else {
                    segment.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let response = app.get(&concrete, Some("not-a-token")).await;
        if response.status == 401 {
            refused += 1;
            assert!(
                op["responses"].get("401").is_some(),
                "GET {path} answers 401 to a bad token but does not document it"
            );
        }
    }
    // The posting, business and fair pages among them.
    assert!(
        refused >= 3,
        "only {refused} open routes check a sent token"
    );
}
