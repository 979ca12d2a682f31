//! What a front end meets before any feature: the home and docs pages, CORS, validators on
//! read answers, the page envelope of every list, and the rate-limit fields (issue 22).

use doorstep_tests::{ApiResponse, Backend, TestApp, on_both_databases, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

on_both_databases!(
    home_and_docs_pages_load_only_local_files,
    every_get_list_answers_the_page_envelope,
    cors_is_off_by_default,
    cors_allows_the_configured_origins_only,
    cors_can_allow_any_origin,
    read_answers_carry_an_etag_and_honour_if_none_match,
    limited_routes_state_their_rate_limits,
);

const CONSOLE: &str = "https://console.example.cn";

/// Every `src` and `href` of an HTML page.
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for (at, _) in html.match_indices(attribute) {
            let rest = &html[at + attribute.len()..];
            if let Some(end) = rest.find('"') {
                found.push(rest[..end].to_owned());
            }
        }
    }
    found
}

fn header<'a>(response: &'a ApiResponse, name: &str) -> Option<&'a str> {
    response.headers.get(name).and_then(|v| v.to_str().ok())
}

async fn home_and_docs_pages_load_only_local_files(backend: Backend) {
    let app = spawn_app(backend).await;

    let docs = app.get("/docs", None).await;
    assert_eq!(docs.status, 200, "{}", docs.body);
    assert!(
        docs.content_type().starts_with("text/html"),
        "{}",
        docs.content_type()
    );
    let html = docs.body.as_str().expect("an HTML page");
    let files = links(html);
    assert!(
        files.iter().any(|f| f.ends_with(".js")) && files.iter().any(|f| f.ends_with(".css")),
        "the page names its scripts and styles: {files:?}"
    );
    for file in &files {
        // Local: a path on this server, never another host (`//cdn…` or `https://…`).
        assert!(
            file.starts_with('/') && !file.starts_with("//"),
            "{file} is not a local URL"
        );
        let fetched = app.get(file, None).await;
        assert_eq!(fetched.status, 200, "{file}");
    }
    // The initializer points Swagger UI at the served document, and at no validator.
    let initializer = app.get("/docs/swagger-initializer.js", None).await;
    assert_eq!(initializer.status, 200);
    let script = initializer.body.as_str().unwrap();
    assert!(script.contains("/api/v1/openapi.json"), "{script}");
    assert!(
        !script.contains("http://") && !script.contains("https://"),
        "{script}"
    );
    let missing = app.get("/docs/no-such-file.js", None).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.problem_code(), "route_not_found");

    let home = app.get("/", None).await;
    assert_eq!(home.status, 200);
    assert!(home.content_type().starts_with("text/html"));
    let targets = links(home.body.as_str().unwrap());
    for expected in ["/docs", "/healthz", "/readyz", "/api/v1/openapi.json"] {
        assert!(
            targets.iter().any(|t| t == expected),
            "/ links {expected}: {targets:?}"
        );
    }
    for target in &targets {
        assert_eq!(app.get(target, None).await.status, 200, "{target}");
    }
}

/// Generated from the served document, so a list added later is held to it: every GET whose
/// 200 answer is a list answers `{items, next_cursor}`, never a bare array.
async fn every_get_list_answers_the_page_envelope(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = app.get("/api/v1/openapi.json", None).await.body;
    let resolve = |schema: &Value| -> Value {
        let mut schema = schema.clone();
        while let Some(target) = schema["$ref"].as_str() {
            schema = doc
                .pointer(target.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("dangling {target}"))
                .clone();
        }
        schema
    };
    let mut bare = Vec::new();
    let mut paged = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        let Some(schema) = op
            .pointer("/responses/200/content/application~1json/schema")
            .map(&resolve)
        else {
            continue;
        };
        let is_array = |s: &Value| {
            s["type"] == "array"
                || s["type"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|t| t == "array"))
        };
        if is_array(&schema) {
            bare.push(path.clone());
            continue;
        }
        let items = schema["properties"].get("items").map(&resolve);
        if items.as_ref().is_some_and(is_array) {
            assert!(
                schema["properties"].get("next_cursor").is_some(),
                "GET {path} lists `items` without `next_cursor`"
            );
            paged.push(path.clone());
        }
    }
    assert!(
        bare.is_empty(),
        "GET lists answering a bare array: {bare:?}"
    );
    // The lists that used to be bare arrays are among the paged ones.
    for path in [
        "/api/v1/matches",
        "/api/v1/districts",
        "/api/v1/officer/follow-ups",
        "/api/v1/categories",
        "/api/v1/stations",
        "/api/v1/rewards",
        "/api/v1/me/trainings",
        "/api/v1/lexicon",
    ] {
        assert!(
            paged.iter().any(|p| p == path),
            "{path} is not paged: {paged:?}"
        );
    }
    assert!(paged.len() > 35, "only {} paged lists", paged.len());

    // And the server answers what the document says.
    let categories = app.get("/api/v1/categories", None).await;
    assert!(
        categories.body["items"]
            .as_array()
            .is_some_and(|i| !i.is_empty())
    );
    assert!(categories.body["next_cursor"].is_null());
}

/// A preflight, as a browser on `origin` sends it before a GET with a token.
async fn preflight(app: &TestApp, origin: &str, path: &str) -> ApiResponse {
    app.send(
        app.client
            .request(Method::OPTIONS, app.url(path))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header(
                "access-control-request-headers",
                "authorization, if-none-match",
            ),
        None,
    )
    .await
}

async fn get_from(app: &TestApp, origin: &str, path: &str) -> ApiResponse {
    app.send(app.client.get(app.url(path)).header("origin", origin), None)
        .await
}

async fn cors_is_off_by_default(backend: Backend) {
    let app = spawn_app(backend).await;
    let refused = preflight(&app, CONSOLE, "/api/v1/categories").await;
    assert!(header(&refused, "access-control-allow-origin").is_none());
    assert_eq!(refused.status, 405, "{}", refused.body);
    assert_eq!(refused.problem_code(), "method_not_allowed");
    let plain = get_from(&app, CONSOLE, "/api/v1/categories").await;
    assert_eq!(plain.status, 200);
    assert!(
        plain
            .headers
            .keys()
            .all(|name| !name.as_str().starts_with("access-control-")),
        "{:?}",
        plain.headers
    );
}

async fn cors_allows_the_configured_origins_only(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.cors_allowed_origins = vec![CONSOLE.to_owned(), "http://localhost:5173".to_owned()];
    })
    .await;
    let allowed = preflight(&app, CONSOLE, "/api/v1/jobs/search").await;
    assert!(allowed.status < 300, "{} {}", allowed.status, allowed.body);
    assert_eq!(
        header(&allowed, "access-control-allow-origin"),
        Some(CONSOLE)
    );
    let methods = header(&allowed, "access-control-allow-methods").unwrap_or("");
    assert!(
        methods.contains("GET") && methods.contains("POST"),
        "{methods}"
    );
    let headers = header(&allowed, "access-control-allow-headers")
        .unwrap_or("")
        .to_lowercase();
    assert!(
        headers.contains("authorization") && headers.contains("if-none-match"),
        "{headers}"
    );
    assert!(header(&allowed, "access-control-max-age").is_some());

    // The answer itself names the origin and exposes what a front end reads.
    let answer = get_from(&app, CONSOLE, "/api/v1/jobs/search?q=咖啡").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        header(&answer, "access-control-allow-origin"),
        Some(CONSOLE)
    );
    let exposed = header(&answer, "access-control-expose-headers")
        .unwrap_or("")
        .to_lowercase();
    for name in [
        "etag",
        "ratelimit-policy",
        "ratelimit",
        "retry-after",
        "x-request-id",
        "location",
    ] {
        assert!(
            exposed.split(',').any(|e| e.trim() == name),
            "{name} not exposed: {exposed}"
        );
    }

    // Another origin gets no allow-origin, neither on the preflight nor on the answer.
    let evil = "https://evil.example.com";
    let refused = preflight(&app, evil, "/api/v1/jobs/search").await;
    assert!(
        header(&refused, "access-control-allow-origin").is_none(),
        "{:?}",
        refused.headers
    );
    // As with CORS off: no route serves OPTIONS.
    assert_eq!(refused.status, 405, "{}", refused.body);
    assert_eq!(refused.problem_code(), "method_not_allowed");
    let answer = get_from(&app, evil, "/api/v1/categories").await;
    assert!(header(&answer, "access-control-allow-origin").is_none());
    // Nor does an origin that merely starts like an allowed one.
    let lookalike = get_from(
        &app,
        "https://console.example.cn.evil.com",
        "/api/v1/categories",
    )
    .await;
    assert!(header(&lookalike, "access-control-allow-origin").is_none());
    // A non-browser client (no Origin) is served as before.
    assert_eq!(app.get("/api/v1/categories", None).await.status, 200);
}

async fn cors_can_allow_any_origin(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.cors_allowed_origins = vec!["*".to_owned()]).await;
    let allowed = preflight(&app, "https://anyone.example.org", "/api/v1/categories").await;
    assert!(allowed.status < 300, "{}", allowed.status);
    assert_eq!(header(&allowed, "access-control-allow-origin"), Some("*"));
    let answer = get_from(&app, "https://anyone.example.org", "/api/v1/categories").await;
    assert_eq!(header(&answer, "access-control-allow-origin"), Some("*"));
}

async fn get_if_none_match(app: &TestApp, path: &str, tag: &str) -> ApiResponse {
    app.send(
        app.client.get(app.url(path)).header("if-none-match", tag),
        None,
    )
    .await
}

async fn read_answers_carry_an_etag_and_honour_if_none_match(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let reward = |name: &str| json!({"name": name, "cost": 50, "stock": 3});
    let created = app
        .post(
            "/api/v1/rewards",
            &reward("充电宝"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(header(&created, "etag").is_none(), "writes carry no tag");

    let first = app.get("/api/v1/rewards", None).await;
    assert_eq!(first.status, 200);
    let tag = header(&first, "etag").expect("an ETag").to_owned();
    assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
    // The same content, the same tag.
    assert_eq!(
        header(&app.get("/api/v1/rewards", None).await, "etag"),
        Some(tag.as_str())
    );

    // The client's copy is current: 304, no body, the tag again.
    let unchanged = get_if_none_match(&app, "/api/v1/rewards", &tag).await;
    assert_eq!(unchanged.status, 304);
    assert!(unchanged.body.is_null(), "{}", unchanged.body);
    assert_eq!(header(&unchanged, "etag"), Some(tag.as_str()));
    assert!(header(&unchanged, "x-request-id").is_some());
    // A list of tags, or the weak form, matches too; another tag does not.
    let listed = get_if_none_match(&app, "/api/v1/rewards", &format!("\"other\", W/{tag}")).await;
    assert_eq!(listed.status, 304);
    let other = get_if_none_match(&app, "/api/v1/rewards", "\"other\"").await;
    assert_eq!(other.status, 200);

    // The content changes: a new tag, and the old one gets the new content.
    let added = app
        .post(
            "/api/v1/rewards",
            &reward("雨伞"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(added.status, 201);
    let changed = get_if_none_match(&app, "/api/v1/rewards", &tag).await;
    assert_eq!(changed.status, 200);
    assert_eq!(changed.body["items"].as_array().map(Vec::len), Some(2));
    let new_tag = header(&changed, "etag").expect("an ETag");
    assert_ne!(new_tag, tag);

    // Details and search are tagged alike; problems are not.
    let search = app.get("/api/v1/jobs/search?q=咖啡", None).await;
    assert!(header(&search, "etag").is_some());
    let missing = app
        .get(&format!("/api/v1/postings/{}", uuid::Uuid::new_v4()), None)
        .await;
    assert_eq!(missing.status, 404);
    assert!(header(&missing, "etag").is_none());
}

/// `"name";k=v;…` members of a structured-field list, by name.
fn members(field: &str) -> Vec<(String, Vec<(String, u64)>)> {
    field
        .split(',')
        .map(|member| {
            let mut parts = member.trim().split(';');
            let name = parts.next().unwrap().trim_matches('"').to_owned();
            let params = parts
                .map(|p| {
                    let (k, v) = p.split_once('=').expect("k=v");
                    (k.to_owned(), v.parse().expect("an integer"))
                })
                .collect();
            (name, params)
        })
        .collect()
}

fn param(member: &(String, Vec<(String, u64)>), key: &str) -> u64 {
    member
        .1
        .iter()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("no {key} in {member:?}"))
        .1
}

async fn limited_routes_state_their_rate_limits(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.search_per_ip_per_minute = 3;
        s.login_per_ip_per_minute = 10;
        s.login_per_account_per_minute = 2;
    })
    .await;
    // Each search counts down the same quota.
    for left in [2, 1, 0] {
        let answer = app.get("/api/v1/jobs/search?q=咖啡", None).await;
        assert_eq!(answer.status, 200);
        let policy = members(header(&answer, "ratelimit-policy").expect("RateLimit-Policy"));
        assert_eq!(policy.len(), 1);
        assert_eq!(policy[0].0, "search");
        assert_eq!((param(&policy[0], "q"), param(&policy[0], "w")), (3, 60));
        let now = members(header(&answer, "ratelimit").expect("RateLimit"));
        assert_eq!(now[0].0, "search");
        assert_eq!(param(&now[0], "r"), left);
        assert!((1..=60).contains(&param(&now[0], "t")), "{now:?}");
    }
    // Over the limit: 429 with Retry-After, and the fields say nothing is left.
    let refused = app.get("/api/v1/jobs/search?q=咖啡", None).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.problem_code(), "rate_limited");
    let retry: u64 = header(&refused, "retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    let now = members(header(&refused, "ratelimit").expect("RateLimit on a 429"));
    assert_eq!(param(&now[0], "r"), 0);
    assert!(param(&now[0], "t") >= retry);
    assert!(header(&refused, "ratelimit-policy").is_some());

    // Login counts against the address and the account: both are stated.
    let attempt = || app.login("13812345678", "wrong password");
    let first = attempt().await;
    assert_eq!(first.status, 401);
    let policy = members(header(&first, "ratelimit-policy").unwrap());
    let names: Vec<&str> = policy.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(names, vec!["login-ip", "login-account"]);
    let now = members(header(&first, "ratelimit").unwrap());
    assert_eq!((param(&now[0], "r"), param(&now[1], "r")), (9, 1));
    assert_eq!(attempt().await.status, 401);
    let locked = attempt().await;
    assert_eq!(locked.status, 429);
    assert!(header(&locked, "retry-after").is_some());
    let now = members(header(&locked, "ratelimit").unwrap());
    assert_eq!(now[1].0, "login-account");
    assert_eq!(param(&now[1], "r"), 0);

    // A route without a limit states none.
    let open = app.get("/api/v1/categories", None).await;
    assert!(header(&open, "ratelimit").is_none());
    assert!(header(&open, "ratelimit-policy").is_none());
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The name a schema type gets in the OpenAPI document, for each `ToSchema` derive and each
/// `string_enum!` in `text`: the type's own name, or its `#[schema(as = …)]` name.
fn schema_names(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut names = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let derive = line.trim_start().starts_with("#[derive(") && {
            let end = (i..lines.len())
                .find(|&j| lines[j].contains(")]"))
                .unwrap_or(i);
            lines[i..=end].iter().any(|l| l.contains("ToSchema"))
        };
        let enum_macro = line.trim_start().starts_with("string_enum!(");
        if !derive && !enum_macro {
            continue;
        }
        let mut renamed = None;
        for next in lines.iter().skip(i + 1).take(40) {
            let t = next.trim_start();
            if let Some(rest) = t.strip_prefix("#[schema(as = ") {
                let path = rest.split(')').next().unwrap_or_default();
                renamed = path.rsplit("::").next().map(str::to_owned);
            }
            if t.starts_with("//") || t.starts_with("#[") {
                continue;
            }
            let item = t
                .strip_prefix("pub struct ")
                .or_else(|| t.strip_prefix("pub enum "))
                .or_else(|| t.strip_prefix("struct "))
                .or_else(|| t.strip_prefix("enum "))
                .or_else(|| enum_macro.then_some(t));
            if let Some(item) = item {
                let name: String = item
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    names.push(renamed.unwrap_or(name));
                    break;
                }
            }
        }
    }
    names
}

/// utoipa keys the document's schemas by name: two types with one name replace each other
/// silently, and clients then decode one route's answer with the other's type.
#[test]
fn every_schema_name_is_used_once() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for crate_dir in ["api/src", "domain/src", "matcher/src", "search-index/src"] {
        rust_files(&root.join(crate_dir), &mut files);
    }
    let mut seen: std::collections::HashMap<String, Vec<String>> = Default::default();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read source");
        for name in schema_names(&text) {
            let at = file
                .strip_prefix(&root)
                .unwrap_or(file)
                .display()
                .to_string();
            seen.entry(name).or_default().push(at);
        }
    }
    assert!(
        seen.len() > 100,
        "the scan found the schema types: {}",
        seen.len()
    );
    let repeated: Vec<_> = seen.iter().filter(|(_, at)| at.len() > 1).collect();
    assert!(
        repeated.is_empty(),
        "schema names used twice: {repeated:#?}"
    );
}

#[test]
fn the_schema_scan_reads_derives_renames_and_enum_macros() {
    let text = "#[derive(Debug, ToSchema)]\n/// doc\n#[serde(rename_all = \"snake_case\")]\npub struct FairView {\n}\n\
                #[derive(ToSchema)]\n#[schema(as = fairs::OutcomeInput)]\npub struct Input;\n\
                #[derive(\n    Debug,\n    ToSchema,\n)]\npub enum Kind {}\nimpl<T: ToSchema> Page<T> {}\n\
                string_enum!(\n    /// doc\n    SeatStatus {\n        A = \"a\",\n    }\n);\n";
    assert_eq!(
        schema_names(text),
        ["FairView", "OutcomeInput", "Kind", "SeatStatus"]
    );
}
