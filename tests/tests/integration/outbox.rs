//! The transactional outbox: an event for every committed change, none for a change that
//! was rolled back or refused.

use doorstep_domain::auth::Principal;
use doorstep_domain::entities::{outbox_event, posting};
use doorstep_domain::postings::{self, PostingInput};
use doorstep_domain::types::Role;
use doorstep_tests::market::{posting_body, profile_body};
use doorstep_tests::{Backend, TestApp, on_both_databases, spawn_app};
use futures_util::future::join_all;
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde_json::json;

on_both_databases!(
    every_change_writes_an_event,
    rolled_back_or_refused_changes_write_none
);

async fn events(app: &TestApp) -> Vec<(String, String)> {
    outbox_event::Entity::find()
        .order_by_asc(outbox_event::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.aggregate_type, e.kind))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, k)| (a.to_string(), k.to_string()))
        .collect()
}

async fn every_change_writes_an_event(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let token = Some(shop.merchant.access_token.as_str());
    let posting = app.open_posting(&shop, &posting_body("咖啡师")).await;
    app.put(
        &format!("/api/v1/postings/{posting}"),
        &posting_body("资深咖啡师"),
        token,
    )
    .await;
    let seeker = app.seeker_with_profile("13812345678", "李娜").await;
    app.put(
        "/api/v1/me/profile",
        &profile_body("李娜"),
        Some(&seeker.access_token),
    )
    .await;
    app.apply(&seeker, posting, "").await;
    app.post(
        &format!("/api/v1/postings/{posting}/close"),
        &json!({}),
        token,
    )
    .await;

    assert_eq!(
        events(&app).await,
        pairs(&[
            ("business", "created"),
            ("business", "status_changed"),
            ("posting", "created"),
            ("posting", "status_changed"),
            ("posting", "updated"),
            ("profile", "created"),
            ("profile", "updated"),
            ("application", "created"),
            ("posting", "status_changed"),
        ])
    );
    // Each event names the row that changed.
    let posting_events = outbox_event::Entity::find()
        .filter(outbox_event::Column::AggregateType.eq("posting"))
        .all(&app.db)
        .await
        .unwrap();
    assert!(posting_events.iter().all(|e| e.aggregate_id == posting));
    assert_eq!(posting_events.last().unwrap().payload["status"], "closed");
}

async fn rolled_back_or_refused_changes_write_none(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let before = events(&app).await;

    // A change made inside a transaction that is then rolled back leaves neither the row
    // nor its event.
    let merchant = Principal {
        account_id: shop.merchant.account_id,
        role: Role::Merchant,
    };
    let input: PostingInput = serde_json::from_value(posting_body("回滚的岗位")).unwrap();
    let txn = app.db.begin().await.unwrap();
    let policy = doorstep_domain::screening::Policy::default();
    let (created, _) = postings::create(&txn, &merchant, shop.business_id, input, &[], &policy)
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    assert!(
        posting::Entity::find_by_id(created.id)
            .one(&app.db)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(events(&app).await, before);

    // Refused changes write nothing either.
    let mut unfair = posting_body("收银员");
    unfair["requirements"] = json!("限男性");
    let refused = app
        .post(
            &format!("/api/v1/businesses/{}/postings", shop.business_id),
            &unfair,
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(refused.status, 422);
    let seeker = app.register_as("seeker", "13812345678").await;
    let mut bad_profile = profile_body("李娜");
    bad_profile["travel_radius_km"] = json!(0);
    assert_eq!(
        app.put(
            "/api/v1/me/profile",
            &bad_profile,
            Some(&seeker.access_token)
        )
        .await
        .status,
        422
    );
    assert_eq!(events(&app).await, before);

    // Of concurrent duplicate applications, the losers' transactions roll back: one event.
    let posting = app.open_posting(&shop, &posting_body("咖啡师")).await;
    join_all((0..4).map(|_| app.apply(&seeker, posting, ""))).await;
    let application_events = outbox_event::Entity::find()
        .filter(outbox_event::Column::AggregateType.eq("application"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(application_events, 1);
}
