//! HTTP conventions every route follows: problem+json errors, strict bodies, size limits,
//! request ids.

use doorstep_tests::app::PASSWORD;
use doorstep_tests::{Backend, on_both_databases, spawn_app, spawn_app_with};
use serde_json::json;

on_both_databases!(
    body_over_the_limit_is_413_problem,
    unknown_field_is_400_naming_it,
    malformed_json_and_wrong_types_are_400,
    wrong_content_type_is_415,
    request_id_is_echoed_or_generated,
    unknown_route_is_a_problem,
    unknown_method_on_a_known_path_is_405_with_allow,
    errors_the_http_layer_answers_are_problems,
);

async fn body_over_the_limit_is_413_problem(backend: Backend) {
    let app = spawn_app_with(backend, |settings| settings.max_body_bytes = 4 * 1024).await;
    let huge = json!({
        "role": "seeker",
        "phone": "13812345678",
        "password": PASSWORD,
        "display_name": "x".repeat(64 * 1024),
    });
    let response = app.register(&huge).await;
    assert_eq!(response.status, 413);
    assert_eq!(response.problem_code(), "payload_too_large");

    // Without a Content-Length (chunked), the limit still holds while reading.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..16).map(|_| Ok(vec![b' '; 1024])).collect();
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let chunked = app
        .send(
            app.client
                .post(app.url("/api/v1/auth/register"))
                .header("content-type", "application/json")
                .body(body),
            None,
        )
        .await;
    assert_eq!(chunked.status, 413);
    assert_eq!(chunked.problem_code(), "payload_too_large");

    // Nothing was created.
    assert_eq!(app.login("13812345678", PASSWORD).await.status, 401);
}

async fn unknown_field_is_400_naming_it(backend: Backend) {
    let app = spawn_app(backend).await;
    // A client trying to set a field the route does not take (mass assignment).
    let response = app
        .register(&json!({
            "role": "seeker",
            "phone": "13812345678",
            "password": PASSWORD,
            "display_name": "王小明",
            "token_version": 99,
        }))
        .await;
    assert_eq!(response.status, 400);
    assert_eq!(response.problem_code(), "unknown_field");
    assert_eq!(
        response.field_errors(),
        vec![("token_version".to_owned(), "unknown_field".to_owned())]
    );
    assert_eq!(app.login("13812345678", PASSWORD).await.status, 401);
}

async fn malformed_json_and_wrong_types_are_400(backend: Backend) {
    let app = spawn_app(backend).await;
    let broken = app
        .send(
            app.client
                .post(app.url("/api/v1/auth/login"))
                .header("content-type", "application/json")
                .body("{\"login\": \"13812345678\", "),
            None,
        )
        .await;
    assert_eq!(broken.status, 400);
    assert_eq!(broken.problem_code(), "invalid_json");

    let wrong_type = app
        .post(
            "/api/v1/auth/login",
            &json!({"login": 13812345678u64, "password": "x"}),
            None,
        )
        .await;
    assert_eq!(wrong_type.status, 400);
    assert_eq!(wrong_type.problem_code(), "invalid_field");
    assert_eq!(wrong_type.field_errors()[0].0, "login");

    let missing = app
        .post("/api/v1/auth/login", &json!({"login": "13812345678"}), None)
        .await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.problem_code(), "missing_field");
    assert_eq!(
        missing.field_errors()[0],
        ("password".to_owned(), "required".to_owned())
    );
}

async fn wrong_content_type_is_415(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .send(
            app.client
                .post(app.url("/api/v1/auth/login"))
                .header("content-type", "text/plain")
                .body("login=13812345678"),
            None,
        )
        .await;
    assert_eq!(response.status, 415);
    assert_eq!(response.problem_code(), "unsupported_media_type");
}

async fn request_id_is_echoed_or_generated(backend: Backend) {
    let app = spawn_app(backend).await;
    let echoed = app
        .send(
            app.client
                .get(app.url("/healthz"))
                .header("x-request-id", "mini-program-7f3a"),
            None,
        )
        .await;
    assert_eq!(echoed.headers["x-request-id"], "mini-program-7f3a");

    let generated = app.get("/healthz", None).await;
    let id = generated.headers["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");

    // An unreasonable id is replaced, not echoed into logs and headers.
    let replaced = app
        .send(
            app.client
                .get(app.url("/healthz"))
                .header("x-request-id", "x".repeat(500)),
            None,
        )
        .await;
    assert_ne!(replaced.headers["x-request-id"], "x".repeat(500).as_str());

    // Error responses carry it too.
    let problem = app.get("/api/v1/me", None).await;
    assert!(problem.headers.get("x-request-id").is_some());
}

async fn unknown_route_is_a_problem(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/api/v1/no-such-thing", None).await;
    assert_eq!(response.status, 404);
    assert_eq!(response.problem_code(), "route_not_found");
}

async fn unknown_method_on_a_known_path_is_405_with_allow(backend: Backend) {
    let app = spawn_app(backend).await;
    let method = |name: &str| reqwest::Method::from_bytes(name.as_bytes()).unwrap();
    for (verb, path, allow) in [
        ("TRACE", "/api/v1/categories".to_owned(), "GET"),
        ("DELETE", "/api/v1/categories".to_owned(), "GET"),
        ("POST", "/healthz".to_owned(), "GET"),
        (
            "DELETE",
            format!("/api/v1/postings/{}", uuid::Uuid::new_v4()),
            "GET, PUT",
        ),
        // A literal segment is its own path: PUT /postings/mine is not PUT /postings/{id}
        // (which answered 404 for the id "mine"), nor a 401 from its token check.
        ("PUT", "/api/v1/postings/mine".to_owned(), "GET"),
        ("PUT", "/api/v1/stations/map.geojson".to_owned(), "GET"),
        ("OPTIONS", "/api/v1/businesses/mine".to_owned(), "GET"),
    ] {
        let response = app
            .send(app.client.request(method(verb), app.url(&path)), None)
            .await;
        assert_eq!(response.status, 405, "{verb} {path}: {}", response.body);
        assert_eq!(response.problem_code(), "method_not_allowed");
        assert_eq!(response.headers["allow"], allow, "{verb} {path}");
    }
    // An unknown path is still 404, whatever the method.
    let response = app
        .send(
            app.client
                .request(method("TRACE"), app.url("/api/v1/no-such-thing")),
            None,
        )
        .await;
    assert_eq!(response.status, 404);
    assert_eq!(response.problem_code(), "route_not_found");
}

async fn errors_the_http_layer_answers_are_problems(backend: Backend) {
    let app = spawn_app(backend).await;
    // 200 header fields: more than the HTTP/1 parser takes, refused before any middleware.
    let mut request = app.client.get(app.url("/healthz"));
    for i in 0..200 {
        request = request.header(format!("x-filler-{i}"), "x");
    }
    let response = app.send(request, None).await;
    assert_eq!(response.status, 431);
    assert_eq!(response.problem_code(), "headers_too_large");

    // A request the parser cannot read at all.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nbad header line\r\n\r\n")
        .await
        .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response");
    assert!(head.starts_with("HTTP/1.1 400 "), "{raw}");
    assert!(
        head.contains("content-type: application/problem+json"),
        "{raw}"
    );
    let problem: serde_json::Value = serde_json::from_str(body).expect("a problem document");
    assert_eq!(problem["code"], "malformed_request");
    assert_eq!(problem["status"], 400);
}
