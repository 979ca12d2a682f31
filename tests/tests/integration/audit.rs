//! Audit browsing: admins find who read whose data, by actor, subject, action and time,
//! page by page or as CSV; nobody else may.

use chrono::{Duration, Utc};
use doorstep_client::views::marketplace::ApplicationView;
use doorstep_domain::types::Role;
use doorstep_tests::market::posting_body;
use doorstep_tests::{Backend, TestApp, on_both_databases, spawn_app, url_encode};
use serde_json::Value;
use uuid::Uuid;

on_both_databases!(
    admins_find_officer_reads_by_actor_subject_action_and_time,
    the_audit_log_pages_newest_first_and_exports_csv,
    only_admins_browse_and_bad_filters_are_named,
);

/// Officer A reads two files and an application, officer B one file; returns
/// `(a, b, first seeker, second seeker)` ids.
async fn four_reads(app: &TestApp) -> (Uuid, Uuid, Uuid, Uuid) {
    let a = app.officer().await;
    let b = app.create_staff(Role::Officer, "13700000003").await;
    let shop = app.verified_shop("13900000001", &a).await;
    let posting = app.open_posting(&shop, &posting_body("收银员")).await;
    let li = app.seeker_with_profile("13800000001", "李娜").await;
    let wang = app.seeker_with_profile("13800000002", "王芳").await;
    let applied = app.apply(&li, posting, "").await;
    assert_eq!(applied.status, 201, "{}", applied.body);
    let application = applied.json::<ApplicationView>().id.to_string();
    for (officer, path, reason) in [
        (
            &a,
            format!("/api/v1/profiles/{}", li.account_id),
            "就业指导",
        ),
        (
            &a,
            format!("/api/v1/profiles/{}", wang.account_id),
            "技能培训推荐",
        ),
        (
            &a,
            format!("/api/v1/applications/{application}"),
            "核实录用情况",
        ),
        (
            &b,
            format!("/api/v1/profiles/{}", li.account_id),
            "权益咨询",
        ),
    ] {
        let read = app
            .get(
                &format!("{path}?reason={}", url_encode(reason)),
                Some(&officer.access_token),
            )
            .await;
        assert_eq!(read.status, 200, "{}", read.body);
    }
    (a.account_id, b.account_id, li.account_id, wang.account_id)
}

fn items(response: &doorstep_tests::ApiResponse) -> &Vec<Value> {
    response.body["items"].as_array().expect("a page")
}

/// The reasons of the officers' reads (`read_*`), newest first. Setting up the shop also
/// audits the merchant's real-name check and the officer's verification of the business
/// (issue 25); those are left out here.
fn reasons(response: &doorstep_tests::ApiResponse) -> Vec<&str> {
    items(response)
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("read_"))
        .map(|e| e["reason"].as_str().unwrap())
        .collect()
}

async fn admins_find_officer_reads_by_actor_subject_action_and_time(backend: Backend) {
    let app = spawn_app(backend).await;
    let (a, b, li, _wang) = four_reads(&app).await;
    let admin = app.admin().await;
    let browse = |query: String| {
        let token = admin.access_token.clone();
        let app = &app;
        async move {
            let response = app
                .get(&format!("/api/v1/audit?{query}"), Some(&token))
                .await;
            assert_eq!(response.status, 200, "{query}: {}", response.body);
            response
        }
    };

    // Everything, newest first.
    let all = browse(String::new()).await;
    assert_eq!(
        reasons(&all),
        ["权益咨询", "核实录用情况", "技能培训推荐", "就业指导"]
    );
    let newest = &items(&all)[0];
    assert_eq!(newest["actor_id"], b.to_string());
    assert_eq!(newest["actor_name"], "工作人员");
    assert_eq!(newest["subject_id"], li.to_string());
    assert_eq!(newest["action"], "read_profile");
    assert_eq!(newest["object_type"], "profile");
    assert_eq!(newest["object_id"], li.to_string());
    assert!(
        newest["at"].as_str().unwrap().ends_with("+08:00"),
        "{newest}"
    );

    // By actor, by subject, by action, and together.
    assert_eq!(
        reasons(&browse(format!("actor={a}")).await),
        ["核实录用情况", "技能培训推荐", "就业指导"]
    );
    assert_eq!(
        reasons(&browse(format!("subject={li}")).await),
        ["权益咨询", "核实录用情况", "就业指导"]
    );
    assert_eq!(
        reasons(&browse("action=read_application".into()).await),
        ["核实录用情况"]
    );
    assert_eq!(
        reasons(&browse(format!("actor={a}&subject={li}&action=read_profile")).await),
        ["就业指导"]
    );
    assert!(items(&browse(format!("actor={li}")).await).is_empty());

    // By time: RFC 3339 instants, and whole days in +08:00.
    let now = Utc::now();
    let around = format!(
        "from={}&to={}",
        url_encode(&doorstep_domain::time::to_display(now - Duration::hours(1)).to_rfc3339()),
        url_encode(&doorstep_domain::time::to_display(now + Duration::hours(1)).to_rfc3339()),
    );
    assert_eq!(reasons(&browse(around).await).len(), 4);
    let later = format!(
        "from={}",
        url_encode(&(now + Duration::hours(1)).to_rfc3339())
    );
    assert!(items(&browse(later).await).is_empty());
    let today = doorstep_domain::time::to_display(now).date_naive();
    let yesterday = today - Duration::days(1);
    assert_eq!(
        items(&browse(format!("from={yesterday}&to={today}&actor={b}")).await).len(),
        1
    );
    assert!(items(&browse(format!("to={}", yesterday - Duration::days(1))).await).is_empty());
}

async fn the_audit_log_pages_newest_first_and_exports_csv(backend: Backend) {
    let app = spawn_app(backend).await;
    let (a, _b, _li, _wang) = four_reads(&app).await;
    let admin = app.admin().await;

    let first = app
        .get("/api/v1/audit?limit=3", Some(&admin.access_token))
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(items(&first).len(), 3);
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let second = app
        .get(
            &format!("/api/v1/audit?limit=3&cursor={cursor}"),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(second.status, 200, "{}", second.body);
    // Four reads, the merchant's real-name check and the business's verification.
    assert_eq!(items(&second).len(), 3);
    assert!(second.body["next_cursor"].is_null());
    let ids: Vec<Uuid> = items(&first)
        .iter()
        .chain(items(&second))
        .map(|e| e["id"].as_str().unwrap().parse().unwrap())
        .collect();
    let mut newest_first = ids.clone();
    newest_first.sort_by(|x, y| y.cmp(x));
    newest_first.dedup();
    assert_eq!(ids, newest_first, "newest first, none repeated");

    let csv = app
        .get(
            &format!("/api/v1/audit.csv?actor={a}"),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(csv.content_type().starts_with("text/csv"));
    assert_eq!(csv.headers["x-doorstep-truncated"], "false");
    let text = csv.body.as_str().expect("CSV text");
    assert!(text.starts_with('\u{feff}'), "a byte-order mark for Excel");
    let lines: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .split_terminator("\r\n")
        .collect();
    assert_eq!(
        lines[0],
        "id,at,actor_id,actor_name,subject_id,action,object_type,object_id,reason"
    );
    // Officer A's three reads and their verification of the business.
    assert_eq!(lines.len(), 1 + 4, "{text}");
    assert!(lines[4].contains("business_verified"), "{}", lines[4]);
    assert!(lines[1].contains("read_application"), "{}", lines[1]);
    assert!(lines[1].ends_with(",核实录用情况"), "{}", lines[1]);
    assert!(
        lines[1].contains(&format!(",{a},工作人员,")),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("+08:00"), "{}", lines[1]);
}

async fn only_admins_browse_and_bad_filters_are_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let merchant = app.register_as("merchant", "13900000001").await;
    let seeker = app.register_as("seeker", "13800000001").await;
    for path in ["/api/v1/audit", "/api/v1/audit.csv"] {
        for who in [&officer, &merchant, &seeker] {
            let refused = app.get(path, Some(&who.access_token)).await;
            assert_eq!(refused.status, 403, "{path}: {}", refused.body);
            assert_eq!(refused.problem_code(), "forbidden");
        }
        assert_eq!(app.get(path, None).await.status, 401);
    }

    let admin = app.admin().await;
    for path in ["/api/v1/audit", "/api/v1/audit.csv"] {
        for (query, field, code) in [
            ("actor=me", "actor", "invalid_uuid"),
            ("subject=42", "subject", "invalid_uuid"),
            ("action=Read%20Profile", "action", "invalid_action"),
            ("from=yesterday", "from", "invalid_time"),
            ("to=2026-02-30", "to", "invalid_time"),
            ("from=2026-11-27&to=2026-11-25", "to", "empty_range"),
        ] {
            let bad = app
                .get(&format!("{path}?{query}"), Some(&admin.access_token))
                .await;
            assert_eq!(bad.status, 422, "{query}: {}", bad.body);
            assert_eq!(bad.problem_code(), "validation_failed");
            assert_eq!(
                bad.field_errors(),
                [(field.to_owned(), code.to_owned())],
                "{query}"
            );
        }
        let several = app
            .get(
                &format!("{path}?actor=me&from=yesterday"),
                Some(&admin.access_token),
            )
            .await;
        assert_eq!(several.status, 422);
        let fields: Vec<String> = several.field_errors().into_iter().map(|e| e.0).collect();
        assert_eq!(fields, ["actor", "from"]);
        let unknown = app
            .get(&format!("{path}?who=me"), Some(&admin.access_token))
            .await;
        assert_eq!(unknown.status, 400, "{}", unknown.body);
    }
    let bad_limit = app
        .get("/api/v1/audit?limit=0", Some(&admin.access_token))
        .await;
    assert_eq!(bad_limit.status, 400);
    assert_eq!(bad_limit.field_errors()[0].0, "limit");
}
