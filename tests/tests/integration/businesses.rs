//! Businesses: registration, verification, membership, and who may touch what.

use doorstep_client::views::Page;
use doorstep_client::views::marketplace::{BusinessView, NotificationView};
use doorstep_domain::types::BusinessStatus;
use doorstep_tests::market::business_body;
use doorstep_tests::{Backend, on_both_databases, spawn_app};
use serde_json::json;

on_both_databases!(
    merchant_registers_and_officer_verifies,
    officer_rejects_with_a_reason_the_merchant_reads,
    only_members_see_and_edit_a_business,
    owner_adds_and_removes_members,
    business_input_is_validated,
);

async fn merchant_registers_and_officer_verifies(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.unverified_shop("13912345678").await;

    // Pending: visible to its members and in the officer's queue, not to the public.
    let mine = app
        .get("/api/v1/businesses/mine", Some(&shop.merchant.access_token))
        .await;
    let mine = mine.json::<Page<BusinessView>>().items;
    assert_eq!(mine[0].status, BusinessStatus::Pending);
    assert_eq!(
        mine[0].licence_number.as_deref(),
        Some(doorstep_tests::identity::licence_number(13912345678).as_str())
    );
    assert!(mine[0].owner_verified, "the owner verified their real name");
    assert!(
        mine[0].licence_photo_id.is_some(),
        "the licence photo is there"
    );
    assert_eq!(mine[0].duplicate_licences, Some(0));
    let public = app
        .get(&format!("/api/v1/businesses/{}", shop.business_id), None)
        .await;
    assert_eq!(public.status, 404);
    let queue = app
        .get(
            "/api/v1/businesses?status=pending",
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert_eq!(
        queue.json::<Page<BusinessView>>().items[0].id,
        shop.business_id
    );

    // Merchants and seekers cannot verify, nor read the queue.
    let seeker = app.register_as("seeker", "13812345678").await;
    for token in [&shop.merchant.access_token, &seeker.access_token] {
        let verify = app
            .post(
                &format!("/api/v1/businesses/{}/verify", shop.business_id),
                &json!({}),
                Some(token),
            )
            .await;
        assert_eq!(verify.status, 403);
        assert_eq!(app.get("/api/v1/businesses", Some(token)).await.status, 403);
    }

    let verified = app
        .post(
            &format!("/api/v1/businesses/{}/verify", shop.business_id),
            &json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(verified.status, 200);
    assert_eq!(
        verified.json::<BusinessView>().status,
        BusinessStatus::Verified
    );
    // Now the public sees its public details only.
    let public = app
        .get(&format!("/api/v1/businesses/{}", shop.business_id), None)
        .await;
    assert_eq!(public.status, 200);
    assert!(public.body.get("licence_number").is_none());
    assert!(public.body.get("contact_phone").is_none());
    // The merchant was told.
    let inbox = app
        .get("/api/v1/inbox", Some(&shop.merchant.access_token))
        .await;
    assert_eq!(
        inbox.json::<Page<NotificationView>>().items[0].kind,
        "business_reviewed"
    );

    // Renaming sends it back for verification.
    let mut renamed = business_body("漫咖啡 新店名");
    renamed["mall"] = json!("苏州中心");
    let updated = app
        .put(
            &format!("/api/v1/businesses/{}", shop.business_id),
            &renamed,
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(
        updated.json::<BusinessView>().status,
        BusinessStatus::Pending
    );
}

async fn officer_rejects_with_a_reason_the_merchant_reads(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.unverified_shop("13912345678").await;
    let path = format!("/api/v1/businesses/{}/reject", shop.business_id);
    let no_reason = app
        .post(&path, &json!({"reason": " "}), Some(&officer.access_token))
        .await;
    assert_eq!(no_reason.status, 422);
    let rejected = app
        .post(
            &path,
            &json!({"reason": "营业执照照片模糊，请重新上传"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(rejected.status, 200);
    assert_eq!(
        rejected.json::<BusinessView>().status,
        BusinessStatus::Rejected
    );
    let mine = app
        .get("/api/v1/businesses/mine", Some(&shop.merchant.access_token))
        .await;
    assert_eq!(
        mine.json::<Page<BusinessView>>().items[0]
            .rejection_reason
            .as_deref(),
        Some("营业执照照片模糊，请重新上传")
    );
    let inbox = app
        .get("/api/v1/inbox", Some(&shop.merchant.access_token))
        .await;
    assert!(
        inbox.json::<Page<NotificationView>>().items[0]
            .body
            .contains("营业执照照片模糊")
    );
}

async fn only_members_see_and_edit_a_business(backend: Backend) {
    let app = spawn_app(backend).await;
    let mine = app.unverified_shop("13912345678").await;
    let other = app.register_as("merchant", "13912349999").await;
    let path = format!("/api/v1/businesses/{}", mine.business_id);

    let read = app.get(&path, Some(&other.access_token)).await;
    assert_eq!(read.status, 404);
    let edit = app
        .put(&path, &business_body("抢注"), Some(&other.access_token))
        .await;
    assert_eq!(edit.status, 404);
    let members = app
        .get(&format!("{path}/members"), Some(&other.access_token))
        .await;
    assert_eq!(members.status, 404);
    let post = app
        .post(
            &format!("{path}/postings"),
            &doorstep_tests::market::posting_body("咖啡师"),
            Some(&other.access_token),
        )
        .await;
    assert_eq!(post.status, 404);
    // Nothing changed.
    let still = app.get(&path, Some(&mine.merchant.access_token)).await;
    assert_eq!(still.json::<BusinessView>().name, "漫咖啡 圆融店");
    // A seeker cannot register a business at all.
    let seeker = app.register_as("seeker", "13812345678").await;
    let response = app
        .post(
            "/api/v1/businesses",
            &business_body("x"),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(response.status, 403);
}

async fn owner_adds_and_removes_members(backend: Backend) {
    let app = spawn_app(backend).await;
    let shop = app.unverified_shop("13912345678").await;
    let colleague = app.register_as("merchant", "13912340001").await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let path = format!("/api/v1/businesses/{}/members", shop.business_id);

    let not_merchant = app
        .post(
            &path,
            &json!({"login": "13812345678"}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(not_merchant.status, 422);
    assert_eq!(not_merchant.field_errors()[0].1, "no_such_merchant");

    let added = app
        .post(
            &path,
            &json!({"login": "139 1234 0001"}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    let again = app
        .post(
            &path,
            &json!({"login": "13912340001"}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(again.status, 409);

    // The colleague now sees the business, but may not add members (owner only).
    let colleague_view = app
        .get(
            &format!("/api/v1/businesses/{}", shop.business_id),
            Some(&colleague.access_token),
        )
        .await;
    assert_eq!(colleague_view.status, 200);
    assert!(colleague_view.body.get("licence_number").is_some());
    let by_member = app
        .post(
            &path,
            &json!({"login": "13812345678"}),
            Some(&colleague.access_token),
        )
        .await;
    assert_eq!(by_member.status, 403);
    // A seeker is never a member.
    assert_eq!(app.get(&path, Some(&seeker.access_token)).await.status, 404);

    let removed = app
        .delete(
            &format!("{path}/{}", colleague.account_id),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(removed.status, 204);
    let after = app
        .get(
            &format!("/api/v1/businesses/{}", shop.business_id),
            Some(&colleague.access_token),
        )
        .await;
    assert_eq!(after.status, 404);
    let owner_leaves = app
        .delete(
            &format!("{path}/{}", shop.merchant.account_id),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(owner_leaves.status, 409);
}

async fn business_input_is_validated(backend: Backend) {
    let app = spawn_app(backend).await;
    let merchant = app.register_as("merchant", "13912345678").await;
    let cases = [
        ("lat", json!(91.0), "lat"),
        ("lon", json!(-181.0), "lon"),
        ("licence_number", json!("12345"), "licence_number"),
        ("contact_phone", json!("0512-1234"), "contact_phone"),
        ("name", json!(""), "name"),
        ("name", json!("店".repeat(101)), "name"),
    ];
    for (field, value, expected) in cases {
        let mut body = business_body("漫咖啡");
        body[field] = value;
        let response = app
            .post("/api/v1/businesses", &body, Some(&merchant.access_token))
            .await;
        assert_eq!(response.status, 422, "{field}");
        assert_eq!(response.field_errors()[0].0, expected);
    }
    let mut body = business_body("漫咖啡");
    body["verified"] = json!(true);
    let sneaky = app
        .post("/api/v1/businesses", &body, Some(&merchant.access_token))
        .await;
    assert_eq!(sneaky.status, 400);
    assert_eq!(sneaky.problem_code(), "unknown_field");
}
