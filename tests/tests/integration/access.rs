//! Roles: who may call what.

use doorstep_domain::types::Role;
use doorstep_tests::{Backend, on_both_databases, spawn_app};
use serde_json::json;

on_both_databases!(
    seeker_and_merchant_cannot_use_officer_routes,
    only_admins_manage_accounts,
    officer_lists_accounts_masked,
    pagination_never_repeats_or_skips_while_rows_are_added,
    bad_page_parameters_are_refused,
);

async fn seeker_and_merchant_cannot_use_officer_routes(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let merchant = app.register_as("merchant", "13912345678").await;
    for token in [&seeker.access_token, &merchant.access_token] {
        let response = app.get("/api/v1/accounts", Some(token)).await;
        assert_eq!(response.status, 403);
        assert_eq!(response.problem_code(), "forbidden");
    }
    let anonymous = app.get("/api/v1/accounts", None).await;
    assert_eq!(anonymous.status, 401);
}

async fn only_admins_manage_accounts(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.create_staff(Role::Admin, "13700000001").await;
    let officer = app.create_staff(Role::Officer, "13700000002").await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let new_officer = json!({
        "role": "officer",
        "email": "zhuanyuan@community.example.cn",
        "password": "社区就业专员2026",
        "display_name": "社区就业专员 陈",
    });

    // Officers and seekers may not create staff, disable accounts or change roles.
    for token in [&officer.access_token, &seeker.access_token] {
        assert_eq!(
            app.post("/api/v1/accounts", &new_officer, Some(token))
                .await
                .status,
            403
        );
        let disable = format!("/api/v1/accounts/{}/disable", admin.account_id);
        assert_eq!(
            app.post(&disable, &json!({}), Some(token)).await.status,
            403
        );
        let role = format!("/api/v1/accounts/{}/role", seeker.account_id);
        assert_eq!(
            app.put(&role, &json!({"role": "admin"}), Some(token))
                .await
                .status,
            403
        );
    }
    // The seeker is still a seeker.
    assert_eq!(app.me(&seeker.access_token).await.body["role"], "seeker");

    // The admin can.
    let created = app
        .post("/api/v1/accounts", &new_officer, Some(&admin.access_token))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["role"], "officer");
    assert_eq!(
        app.login("zhuanyuan@community.example.cn", "社区就业专员2026")
            .await
            .status,
        200
    );
    // Unknown accounts are 404; malformed ids too.
    let missing = format!("/api/v1/accounts/{}/disable", uuid::Uuid::now_v7());
    let response = app
        .post(&missing, &json!({}), Some(&admin.access_token))
        .await;
    assert_eq!(response.status, 404);
    assert_eq!(response.problem_code(), "not_found");
    let malformed = app
        .post(
            "/api/v1/accounts/not-a-uuid/disable",
            &json!({}),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(malformed.status, 404);
    assert_eq!(malformed.problem_code(), "not_found");
}

async fn officer_lists_accounts_masked(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.create_staff(Role::Officer, "13700000002").await;
    app.register_as("seeker", "13812345678").await;
    app.register_as("merchant", "13912345678").await;
    let seekers = app
        .get("/api/v1/accounts?role=seeker", Some(&officer.access_token))
        .await;
    assert_eq!(seekers.status, 200, "{}", seekers.body);
    let items = seekers.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["phone_masked"], "138****5678");
    assert!(items[0].get("phone").is_none());
    assert!(!seekers.body.to_string().contains("13812345678"));
}

async fn pagination_never_repeats_or_skips_while_rows_are_added(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.create_staff(Role::Officer, "13700000002").await;
    let mut expected = Vec::new();
    for n in 0..7 {
        let session = app.register_as("seeker", &format!("1381000000{n}")).await;
        expected.push(session.account_id.to_string());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut inserted = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/accounts?role=seeker&limit=3&cursor={c}"),
            None => "/api/v1/accounts?role=seeker&limit=3".to_owned(),
        };
        let page = app.get(&path, Some(&officer.access_token)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for item in page.body["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        // Others sign up while we page.
        let session = app
            .register_as("seeker", &format!("1382000000{inserted}"))
            .await;
        expected.push(session.account_id.to_string());
        inserted += 1;
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(inserted < 10, "paging does not end");
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        seen.len(),
        "a row was returned twice: {seen:?}"
    );
    // Every row that existed before paging began was seen, in creation order.
    assert_eq!(&seen[..7], &expected[..7]);
    // And every row we saw exists.
    assert!(seen.iter().all(|id| expected.contains(id)));
}

async fn bad_page_parameters_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.create_staff(Role::Officer, "13700000002").await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("cursor=garbage", "cursor"),
    ] {
        let response = app
            .get(
                &format!("/api/v1/accounts?{query}"),
                Some(&officer.access_token),
            )
            .await;
        assert_eq!(response.status, 400, "{query}");
        assert_eq!(response.problem_code(), "invalid_query");
        assert_eq!(response.field_errors()[0].0, field);
    }
    let not_a_number = app
        .get("/api/v1/accounts?limit=ten", Some(&officer.access_token))
        .await;
    assert_eq!(not_a_number.status, 400);
    assert_eq!(not_a_number.problem_code(), "invalid_query");
    let unknown_param = app
        .get("/api/v1/accounts?rol=seeker", Some(&officer.access_token))
        .await;
    assert_eq!(unknown_param.status, 400);
}
