//! Postings: lifecycle, visibility, validation, expiry and paging.

use std::time::Duration;

use doorstep_client::views::Page;
use doorstep_client::views::marketplace::PostingView;
use doorstep_domain::entities::posting;
use doorstep_domain::types::PostingStatus;
use doorstep_tests::market::posting_body;
use doorstep_tests::{Backend, on_both_databases, spawn_app, spawn_app_with};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;
use uuid::Uuid;

on_both_databases!(
    lifecycle_moves_legally_and_refuses_the_rest,
    seekers_see_only_open_postings_of_verified_businesses,
    other_merchants_cannot_touch_a_posting,
    posting_input_is_validated_and_normalised,
    expired_postings_disappear_and_are_closed,
    public_paging_never_repeats_or_skips_while_postings_are_added,
    categories_are_listed,
);

async fn lifecycle_moves_legally_and_refuses_the_rest(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let token = Some(shop.merchant.access_token.as_str());
    let created = app
        .post(
            &format!("/api/v1/businesses/{}/postings", shop.business_id),
            &posting_body("周末咖啡师"),
            token,
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let created: PostingView = created.json();
    assert_eq!(created.status, PostingStatus::Draft);
    // Location defaults to the business's.
    assert_eq!(created.address, "苏州工业园区苏惠路88号 B1-023");
    let id = created.id.to_string();
    let act = |action: &'static str| {
        let path = format!("/api/v1/postings/{id}/{action}");
        let app = &app;
        async move { app.post(&path, &json!({}), token).await }
    };

    // Illegal from draft: pause, fill.
    for action in ["pause", "fill"] {
        let response = act(action).await;
        assert_eq!(response.status, 409, "{action} from draft");
        assert_eq!(response.problem_code(), "illegal_transition");
    }
    let open: PostingView = act("publish").await.json();
    assert_eq!(open.status, PostingStatus::Open);
    assert!(open.published_at.is_some());
    assert_eq!(act("publish").await.status, 409, "publish twice");
    let status_after = |action| async move { act(action).await.json::<PostingView>().status };
    assert_eq!(status_after("pause").await, PostingStatus::Paused);
    assert_eq!(status_after("publish").await, PostingStatus::Open);
    assert_eq!(status_after("fill").await, PostingStatus::Filled);
    // Filled is final: nothing moves it, and it is not edited.
    for action in ["publish", "pause", "close", "fill"] {
        assert_eq!(act(action).await.status, 409, "{action} after filled");
    }
    let edit = app
        .put(
            &format!("/api/v1/postings/{id}"),
            &posting_body("改个标题"),
            token,
        )
        .await;
    assert_eq!(edit.status, 409);
    assert_eq!(edit.problem_code(), "posting_final");
}

async fn seekers_see_only_open_postings_of_verified_businesses(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let verified = app.verified_shop("13912345678", &officer).await;
    let pending = app.unverified_shop("13912340001").await;
    let shown = app.open_posting(&verified, &posting_body("咖啡师")).await;
    let hidden = app.open_posting(&pending, &posting_body("收银员")).await;
    let draft = app
        .post(
            &format!("/api/v1/businesses/{}/postings", verified.business_id),
            &posting_body("草稿岗位"),
            Some(&verified.merchant.access_token),
        )
        .await;
    let draft_id = draft.json::<PostingView>().id.to_string();
    let seeker = app.register_as("seeker", "13812345678").await;

    let list: Page<PostingView> = app.get("/api/v1/postings", None).await.json();
    let ids: Vec<Uuid> = list.items.iter().map(|p| p.id).collect();
    assert_eq!(ids, vec![shown]);
    assert_eq!(list.items[0].business_name, "漫咖啡 圆融店");
    assert_eq!(list.items[0].skills, ["收银", "咖啡"]);

    for token in [None, Some(seeker.access_token.as_str())] {
        assert_eq!(
            app.get(&format!("/api/v1/postings/{shown}"), token)
                .await
                .status,
            200
        );
        assert_eq!(
            app.get(&format!("/api/v1/postings/{hidden}"), token)
                .await
                .status,
            404
        );
        assert_eq!(
            app.get(&format!("/api/v1/postings/{draft_id}"), token)
                .await
                .status,
            404
        );
    }
    // The pending business's own merchant still sees its posting, and its drafts.
    let own = app
        .get(
            &format!("/api/v1/postings/{hidden}"),
            Some(&pending.merchant.access_token),
        )
        .await;
    assert_eq!(own.status, 200);
    let mine = app
        .get(
            "/api/v1/postings/mine?status=draft",
            Some(&verified.merchant.access_token),
        )
        .await;
    assert_eq!(mine.json::<Page<PostingView>>().items.len(), 1);
    // Once verified, the pending business's posting appears.
    app.post(
        &format!("/api/v1/businesses/{}/verify", pending.business_id),
        &json!({}),
        Some(&officer.access_token),
    )
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/postings/{hidden}"), None)
            .await
            .status,
        200
    );
}

async fn other_merchants_cannot_touch_a_posting(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let owner = app.verified_shop("13912345678", &officer).await;
    let rival = app.verified_shop("13912340001", &officer).await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let id = app.open_posting(&owner, &posting_body("咖啡师")).await;

    for token in [
        &rival.merchant.access_token,
        &seeker.access_token,
        &officer.access_token,
    ] {
        let edit = app
            .put(
                &format!("/api/v1/postings/{id}"),
                &posting_body("被改了"),
                Some(token),
            )
            .await;
        assert!([403, 404].contains(&edit.status), "edit: {}", edit.status);
        for action in ["pause", "close", "fill"] {
            let response = app
                .post(
                    &format!("/api/v1/postings/{id}/{action}"),
                    &json!({}),
                    Some(token),
                )
                .await;
            assert!(
                [403, 404].contains(&response.status),
                "{action}: {}",
                response.status
            );
        }
        let applications = app
            .get(&format!("/api/v1/postings/{id}/applications"), Some(token))
            .await;
        assert!([403, 404].contains(&applications.status));
    }
    // Posting to someone else's business is refused too.
    let foreign = app
        .post(
            &format!("/api/v1/businesses/{}/postings", owner.business_id),
            &posting_body("冒名岗位"),
            Some(&rival.merchant.access_token),
        )
        .await;
    assert_eq!(foreign.status, 404);
    let unchanged: PostingView = app
        .get(&format!("/api/v1/postings/{id}"), None)
        .await
        .json();
    assert_eq!(unchanged.title, "咖啡师");
    assert_eq!(unchanged.status, PostingStatus::Open);
}

async fn posting_input_is_validated_and_normalised(backend: Backend) {
    let app = spawn_app(backend).await;
    let shop = app.unverified_shop("13912345678").await;
    let path = format!("/api/v1/businesses/{}/postings", shop.business_id);
    let token = Some(shop.merchant.access_token.as_str());
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let far = (chrono::Utc::now() + chrono::Duration::days(400)).to_rfc3339();
    let cases = [
        (
            json!({"pay_min": 3000, "pay_max": 2000}),
            "pay_max",
            "out_of_range",
        ),
        (json!({"pay_min": 0}), "pay_min", "out_of_range"),
        (json!({"pay_min": -100}), "pay_min", "out_of_range"),
        (
            json!({"category": "astronaut"}),
            "category",
            "unknown_category",
        ),
        (json!({"lat": 31.3}), "lon", "incomplete_location"),
        (json!({"lat": 100.0, "lon": 120.0}), "lat", "out_of_range"),
        (json!({"title": "店".repeat(61)}), "title", "too_long"),
        (json!({"description": "短"}), "description", "too_short"),
        (json!({"headcount": 0}), "headcount", "out_of_range"),
        (json!({"expires_at": past}), "expires_at", "in_the_past"),
        (json!({"expires_at": far}), "expires_at", "too_far"),
        (
            json!({"schedule": {"slots": [{"day": 8, "start": "09:00", "end": "10:00"}]}}),
            "schedule.slots[0].day",
            "out_of_range",
        ),
        (
            json!({"schedule": {"slots": [{"day": 1, "start": "22:00", "end": "06:00"}]}}),
            "schedule.slots[0].end",
            "out_of_range",
        ),
        (json!({"skills": ["x".repeat(21)]}), "skills", "too_long"),
        (
            json!({"required_credentials": [{"name": "C1驾照", "min_years": 51}]}),
            "required_credentials[0].min_years",
            "out_of_range",
        ),
        (
            json!({"required_credentials": [{"name": "健康证"}, {"name": "健康证明"}]}),
            "required_credentials[1].name",
            "duplicate_credential",
        ),
        (
            json!({"required_credentials": [{"name": "证".repeat(21)}]}),
            "required_credentials[0].name",
            "too_long",
        ),
        (
            json!({"required_credentials": (0..11).map(|i| json!({"name": format!("证书{i}")})).collect::<Vec<_>>()}),
            "required_credentials",
            "too_many",
        ),
    ];
    for (patch, field, code) in cases {
        let mut body = posting_body("咖啡师");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let response = app.post(&path, &body, token).await;
        assert_eq!(response.status, 422, "{patch}: {}", response.body);
        assert!(
            response
                .field_errors()
                .contains(&(field.to_owned(), code.to_owned())),
            "{patch}: {:?}",
            response.field_errors()
        );
    }
    let mut body = posting_body("咖啡师");
    body["skills"] = json!(["  Latte Art ", "latte art", "收银", "收银", ""]);
    body["lat"] = json!(31.30);
    body["lon"] = json!(120.70);
    body["address"] = json!("苏州中心商场 L3");
    let created = app.post(&path, &body, token).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["skills"], json!(["latte art", "收银"]));
    assert_eq!(created.body["lat"], 31.30);
    assert_eq!(created.body["address"], "苏州中心商场 L3");
    // No required credentials in fields is an empty list (the texts may still name some).
    assert_eq!(created.body["required_credentials"], json!([]));
    // Known names are folded to the canonical ones; free names are kept.
    let mut body = posting_body("司机");
    body["required_credentials"] = json!([{"name": "驾驶证", "min_years": 2}, {"name": "潜水证"}]);
    let created = app.post(&path, &body, token).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.body["required_credentials"],
        json!([{"name": "驾照", "min_years": 2}, {"name": "潜水证", "min_years": null}])
    );
    // Wrong types and unknown fields are 400 before any rule is checked.
    let mut body = posting_body("咖啡师");
    body["pay_min"] = json!("二十元");
    assert_eq!(
        app.post(&path, &body, token).await.problem_code(),
        "invalid_field"
    );
    let mut body = posting_body("咖啡师");
    body["status"] = json!("open");
    assert_eq!(
        app.post(&path, &body, token).await.problem_code(),
        "unknown_field"
    );
    let mut body = posting_body("咖啡师");
    body["required_credentials"] = json!([{"name": "健康证", "issuer": "卫健委"}]);
    assert_eq!(
        app.post(&path, &body, token).await.problem_code(),
        "unknown_field"
    );
}

async fn expired_postings_disappear_and_are_closed(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.expiry_sweep_secs = 1).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let id = app.open_posting(&shop, &posting_body("咖啡师")).await;
    assert_eq!(
        app.get(&format!("/api/v1/postings/{id}"), None)
            .await
            .status,
        200
    );

    // Time passes: the expiry is now behind us.
    let row = posting::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut active: posting::ActiveModel = row.into();
    active.expires_at = Set(chrono::Utc::now() - chrono::Duration::minutes(1));
    active.update(&app.db).await.unwrap();

    // Hidden at once, whether or not the sweeper has run.
    assert_eq!(
        app.get(&format!("/api/v1/postings/{id}"), None)
            .await
            .status,
        404
    );
    assert!(
        app.get("/api/v1/postings", None).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let seeker = app.register_as("seeker", "13812345678").await;
    assert_eq!(app.apply(&seeker, id, "").await.status, 404);

    // And the sweeper closes it for the merchant to see.
    let mut status = String::new();
    for _ in 0..50 {
        let own = app
            .get(
                &format!("/api/v1/postings/{id}"),
                Some(&shop.merchant.access_token),
            )
            .await;
        status = own.body["status"].as_str().unwrap().to_owned();
        if status == "closed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "closed");
    // Reopening an expired posting is refused until it gets a new expiry.
    let reopen = app
        .post(
            &format!("/api/v1/postings/{id}/publish"),
            &json!({}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(reopen.status, 409);
}

async fn public_paging_never_repeats_or_skips_while_postings_are_added(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let mut before = Vec::new();
    for n in 0..7 {
        before.push(
            app.open_posting(&shop, &posting_body(&format!("岗位{n}")))
                .await,
        );
    }
    let mut seen: Vec<Uuid> = Vec::new();
    let mut cursor: Option<String> = None;
    for round in 0..10 {
        let path = match &cursor {
            Some(c) => format!("/api/v1/postings?limit=3&cursor={c}"),
            None => "/api/v1/postings?limit=3".to_owned(),
        };
        let page = app.get(&path, None).await;
        assert_eq!(page.status, 200, "{}", page.body);
        seen.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().parse::<Uuid>().unwrap()),
        );
        // New postings appear while the seeker pages.
        app.open_posting(&shop, &posting_body(&format!("新岗位{round}")))
            .await;
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    // Newest first, so the ones added during paging sit before the cursor: the pages hold
    // exactly the postings that existed at the start, each once, newest first.
    before.reverse();
    assert_eq!(seen, before);
}

async fn categories_are_listed(backend: Backend) {
    let app = spawn_app(backend).await;
    let categories = app.get("/api/v1/categories", None).await;
    assert_eq!(categories.status, 200);
    let list = categories.body["items"].as_array().unwrap();
    assert!(categories.body["next_cursor"].is_null());
    assert!(list.len() >= 20);
    assert!(
        list.iter()
            .any(|c| c["code"] == "coffee_tea" && c["name_zh"] == "咖啡茶饮")
    );
}
