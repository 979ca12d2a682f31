//! Export and erasure of a seeker's data.

use doorstep_domain::entities::{account, application, seeker_profile};
use doorstep_tests::app::PASSWORD;
use doorstep_tests::market::posting_body;
use doorstep_tests::{Backend, on_both_databases, spawn_app};
use sea_orm::EntityTrait;
use serde_json::json;

on_both_databases!(
    export_holds_everything_about_the_seeker,
    erasure_removes_personal_data_and_keeps_records
);

async fn export_holds_everything_about_the_seeker(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
    let seeker = app.seeker_with_profile("13812345678", "李娜").await;
    app.apply(&seeker, posting, "周末有空").await;

    let export = app
        .get("/api/v1/me/export", Some(&seeker.access_token))
        .await;
    assert_eq!(export.status, 200);
    assert!(
        export.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let data = &export.body;
    assert_eq!(data["account"]["phone"], "13812345678");
    assert_eq!(data["profile"]["full_name"], "李娜");
    assert_eq!(
        data["profile"]["resume"],
        "应届毕业生，做过两年奶茶店兼职。"
    );
    assert_eq!(data["applications"][0]["note"], "周末有空");
    assert_eq!(data["applications"][0]["history"][0]["to"], "submitted");
    assert_eq!(
        data["consents"][0]["business_id"],
        shop.business_id.to_string()
    );
    // Another account's export holds none of it.
    let other = app.seeker_with_profile("13812340000", "王芳").await;
    let theirs = app
        .get("/api/v1/me/export", Some(&other.access_token))
        .await;
    assert!(!theirs.body.to_string().contains("李娜"));
    assert!(theirs.body["applications"].as_array().unwrap().is_empty());
}

async fn erasure_removes_personal_data_and_keeps_records(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
    let seeker = app.seeker_with_profile("13812345678", "李娜").await;
    let application_id = app
        .apply(&seeker, posting, "我的电话是13812345678")
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/api/v1/applications/{application_id}/transitions"),
        &json!({"to": "viewed"}),
        Some(&shop.merchant.access_token),
    )
    .await;

    // Merchants and staff cannot erase themselves this way.
    assert_eq!(
        app.delete("/api/v1/me", Some(&shop.merchant.access_token))
            .await
            .status,
        403
    );
    assert_eq!(
        app.delete("/api/v1/me", Some(&seeker.access_token))
            .await
            .status,
        204
    );

    // The account is gone for every purpose: tokens, login, refresh.
    assert_eq!(app.me(&seeker.access_token).await.status, 401);
    assert_eq!(app.login("13812345678", PASSWORD).await.status, 401);
    assert_eq!(app.refresh(&seeker.refresh_token).await.status, 401);

    // Nothing personal is left in the rows that remain.
    let stub = account::Entity::find_by_id(seeker.account_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((stub.phone, stub.email), (None, None));
    assert!(stub.deleted_at.is_some());
    assert_ne!(stub.display_name, "seeker 测试用户");
    let profile = seeker_profile::Entity::find_by_id(seeker.account_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profile.full_name, "");
    assert_eq!(profile.resume, "");
    assert_eq!((profile.home_lat, profile.home_lon), (None, None));
    assert!(profile.skills.0.is_empty());
    // What figures need stays: graduation year and education.
    assert_eq!(profile.graduation_year, Some(2026));
    // The application record stays (recruitment rules), without the note.
    let record = application::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(record.len(), 1);
    assert_eq!(record[0].note, "");
    assert_eq!(record[0].status.as_str(), "viewed");
    // Officers can still read the minimal record; the merchant sees no name or phone.
    let official = app
        .get(
            &format!("/api/v1/applications/{application_id}?reason=三年留存核查"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(official.status, 200);
    assert_eq!(official.body["history"].as_array().unwrap().len(), 2);
    let merchant_view = app
        .get(
            &format!("/api/v1/postings/{posting}/applications"),
            Some(&shop.merchant.access_token),
        )
        .await;
    let text = merchant_view.body.to_string();
    assert!(
        !text.contains("13812345678") && !text.contains("李娜"),
        "{text}"
    );
    // The profile is no longer readable by anyone.
    let profile_read = app
        .get(
            &format!("/api/v1/profiles/{}", seeker.account_id),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(profile_read.status, 404);
    // The phone number is free for a new account.
    app.register_as("seeker", "13812345678").await;
}
