//! Points: an append-only ledger that never goes negative under concurrent redemptions,
//! refunds, the quarterly league, and the wish wall.

use doorstep_client::views::Page;
use doorstep_client::views::community::{PointsView, RedemptionView, RewardView, WishView};
use doorstep_domain::entities::{audit_entry, point_entry};
use doorstep_domain::types::PointReason;
use doorstep_tests::{Backend, Session, TestApp, on_both_databases, spawn_app};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

on_both_databases!(
    concurrent_redemptions_never_overdraw_the_ledger,
    the_last_items_go_to_the_first_and_cancelling_refunds,
    redemptions_are_settled_by_the_workers_district_only,
    officers_see_the_quarterly_league_audited,
    the_wish_wall_hides_who_wished
);

async fn award(app: &TestApp, officer: &Session, rider: &Session, points: i32) {
    let given = app
        .post(
            "/api/v1/points/volunteer-tasks",
            &json!({"account_id": rider.account_id, "points": points, "task": "协助社区消防安全宣传"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(given.status, 201, "{}", given.body);
}

async fn reward(app: &TestApp, officer: &Session, body: Value) -> String {
    let created = app
        .post("/api/v1/rewards", &body, Some(&officer.access_token))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.json::<RewardView>().id.to_string()
}

/// Every line follows the one before: numbered 1, 2, 3… and each balance is the last plus
/// the change.
async fn assert_ledger_adds_up(app: &TestApp, rider: &Session) -> i32 {
    let lines = point_entry::Entity::find()
        .filter(point_entry::Column::AccountId.eq(rider.account_id))
        .order_by_asc(point_entry::Column::Seq)
        .all(&app.db)
        .await
        .unwrap();
    let mut balance = 0;
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line.seq, i as i32 + 1);
        balance += line.delta;
        assert_eq!(line.balance_after, balance);
        assert!(balance >= 0);
    }
    balance
}

async fn concurrent_redemptions_never_overdraw_the_ledger(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let rider = app.rider("13800000111").await;
    award(&app, &officer, &rider, 30).await;
    let voucher = reward(
        &app,
        &officer,
        json!({"name": "电动车充电券（10次）", "description": "驿站充电桩使用", "cost": 20}),
    )
    .await;

    let path = format!("/api/v1/rewards/{voucher}/redeem");
    let empty = json!({});
    let answers = futures_util::future::join_all(
        (0..12).map(|_| app.post(&path, &empty, Some(&rider.access_token))),
    )
    .await;
    let granted = answers.iter().filter(|a| a.status == 201).count();
    let refused = answers
        .iter()
        .filter(|a| a.status == 409 && a.problem_code() == "insufficient_points")
        .count();
    assert_eq!(
        (granted, refused),
        (1, 11),
        "{:?}",
        answers
            .iter()
            .map(|a| (a.status, a.body.clone()))
            .collect::<Vec<_>>()
    );
    let points = app
        .get("/api/v1/me/points", Some(&rider.access_token))
        .await;
    assert_eq!(points.json::<PointsView>().balance, 10);
    assert_eq!(assert_ledger_adds_up(&app, &rider).await, 10);
    let mine = app
        .get("/api/v1/me/redemptions", Some(&rider.access_token))
        .await;
    assert_eq!(mine.json::<Page<RedemptionView>>().items.len(), 1);
}

async fn the_last_items_go_to_the_first_and_cancelling_refunds(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let mut riders = Vec::new();
    for i in 0..4 {
        let rider = app.rider(&format!("1380000012{i}")).await;
        award(&app, &officer, &rider, 50).await;
        riders.push(rider);
    }
    let umbrella = reward(
        &app,
        &officer,
        json!({"name": "骑手雨衣", "cost": 30, "stock": 2}),
    )
    .await;
    let path = format!("/api/v1/rewards/{umbrella}/redeem");
    let empty = json!({});
    let answers = futures_util::future::join_all(
        riders
            .iter()
            .map(|r| app.post(&path, &empty, Some(&r.access_token))),
    )
    .await;
    let granted: Vec<_> = answers.iter().filter(|a| a.status == 201).collect();
    assert_eq!(granted.len(), 2);
    assert!(
        answers
            .iter()
            .filter(|a| a.status != 201)
            .all(|a| a.problem_code() == "out_of_stock")
    );
    let listed = app.get("/api/v1/rewards", None).await;
    assert_eq!(listed.json::<Page<RewardView>>().items[0].stock, Some(0));

    // Cancelling gives the points back (a new line, nothing rewritten) and the item back.
    let redemption = granted[0].body["id"].as_str().unwrap();
    let holder = riders
        .iter()
        .zip(&answers)
        .find(|(_, a)| a.body["id"].as_str() == Some(redemption))
        .unwrap()
        .0;
    let refused = app
        .post(
            &format!("/api/v1/redemptions/{redemption}/cancel"),
            &json!({}),
            Some(&holder.access_token),
        )
        .await;
    assert_eq!(refused.status, 403);
    let cancelled = app
        .post(
            &format!("/api/v1/redemptions/{redemption}/cancel"),
            &json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    let twice = app
        .post(
            &format!("/api/v1/redemptions/{redemption}/fulfil"),
            &json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(twice.status, 409);
    assert_eq!(twice.problem_code(), "already_settled");
    let points = app
        .get("/api/v1/me/points", Some(&holder.access_token))
        .await;
    let points: PointsView = points.json();
    assert_eq!(points.balance, 50);
    assert_eq!(points.entries[0].reason, PointReason::Refund);
    assert_eq!(assert_ledger_adds_up(&app, holder).await, 50);
    assert_eq!(
        app.get("/api/v1/rewards", None)
            .await
            .json::<Page<RewardView>>()
            .items[0]
            .stock,
        Some(1)
    );
}

async fn officers_see_the_quarterly_league_audited(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let keen = app.rider("13800000131").await;
    let steady = app.rider("13800000132").await;
    award(&app, &officer, &keen, 40).await;
    award(&app, &officer, &keen, 20).await;
    award(&app, &officer, &steady, 30).await;
    // Spending does not lower one's place.
    let tea = reward(&app, &officer, json!({"name": "奶茶券", "cost": 25})).await;
    let spent = app
        .post(
            &format!("/api/v1/rewards/{tea}/redeem"),
            &json!({}),
            Some(&keen.access_token),
        )
        .await;
    assert_eq!(spent.status, 201);

    let league = app
        .get("/api/v1/points/league", Some(&officer.access_token))
        .await;
    assert_eq!(league.status, 200, "{}", league.body);
    let rows = league.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["account_id"], keen.account_id.to_string());
    assert_eq!(rows[0]["earned"], 60);
    assert_eq!(rows[0]["entries"], 2);
    assert_eq!(rows[1]["earned"], 30);
    // Each name read is in the audit log.
    let audited = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("read_points_league"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(audited, 2);
    // An officer of another district ranks only their own district's workers, and cannot
    // award these riders.
    let shilu = app
        .create_district("石路片区", (31.30, 120.58, 31.33, 120.62))
        .await;
    let elsewhere = app.create_officer_in("13700000134", &[shilu]).await;
    let theirs = app
        .get("/api/v1/points/league", Some(&elsewhere.access_token))
        .await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    assert_eq!(theirs.body["rows"], json!([]));
    let foreign = app
        .post(
            "/api/v1/points/volunteer-tasks",
            &json!({"account_id": keen.account_id, "points": 5, "task": "清理共享单车"}),
            Some(&elsewhere.access_token),
        )
        .await;
    assert_eq!(foreign.status, 404, "{}", foreign.body);
    // Another quarter is empty; a malformed one is named; riders do not see it.
    let past = app
        .get(
            "/api/v1/points/league?quarter=2020Q1",
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(past.body["rows"], json!([]));
    let bad = app
        .get(
            "/api/v1/points/league?quarter=2026Q7",
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.field_errors()[0].0, "quarter");
    let too_many = app
        .get(
            "/api/v1/points/league?limit=101",
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(too_many.status, 400, "{}", too_many.body);
    assert_eq!(too_many.field_errors()[0].0, "limit");
    assert_eq!(
        app.get("/api/v1/points/league", Some(&keen.access_token))
            .await
            .status,
        403
    );
    // Awards are checked.
    let refused = app
        .post(
            "/api/v1/points/volunteer-tasks",
            &json!({"account_id": keen.account_id, "points": 500, "task": "x"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.field_errors().len(), 2);
    let merchant = app.register_as("merchant", "13900000133").await;
    let refused = app
        .post(
            "/api/v1/points/volunteer-tasks",
            &json!({"account_id": merchant.account_id, "points": 5, "task": "发传单"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(refused.status, 404);
}

async fn the_wish_wall_hides_who_wished(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let rider = app.rider("13800000141").await;
    let posted = app
        .post(
            "/api/v1/wishes",
            &json!({"category": "charging", "text": "希望石路附近多装几个换电柜，晚上电不够用"}),
            Some(&rider.access_token),
        )
        .await;
    assert_eq!(posted.status, 201, "{}", posted.body);
    let id = posted.json::<WishView>().id.to_string();

    let wall = app.get("/api/v1/wishes", None).await;
    let first = &wall.json::<Page<WishView>>().items[0];
    assert_eq!(first.id.to_string(), id);
    assert!(!first.mine);
    assert!(
        !wall
            .body
            .to_string()
            .contains(&rider.account_id.to_string())
    );
    let own = app.get("/api/v1/wishes", Some(&rider.access_token)).await;
    assert!(own.json::<Page<WishView>>().items[0].mine);

    let refused = app
        .post(
            &format!("/api/v1/wishes/{id}/answer"),
            &json!({"status": "planned", "response": "x"}),
            Some(&rider.access_token),
        )
        .await;
    assert_eq!(refused.status, 403);
    let answered = app
        .post(
            &format!("/api/v1/wishes/{id}/answer"),
            &json!({"status": "planned", "response": "已联系换电运营商，下月在驿站门口加装"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(answered.status, 200, "{}", answered.body);
    assert!(
        app.inbox_kinds(&rider)
            .await
            .contains(&"wish_answered".to_owned())
    );
    let figures = app.get("/api/v1/wishes/figures", None).await;
    assert_eq!(
        figures.body,
        json!({
            "items": [{"category": "charging", "status": "planned", "count": 1}],
            "next_cursor": null,
        })
    );
}

async fn redeem(app: &TestApp, rider: &Session, reward: &str) -> String {
    let made = app
        .post(
            &format!("/api/v1/rewards/{reward}/redeem"),
            &json!({}),
            Some(&rider.access_token),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    made.json::<RedemptionView>().id.to_string()
}

/// Issue 20, failure 2: any officer fulfilled or cancelled (refunding) any redemption.
async fn redemptions_are_settled_by_the_workers_district_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let rider = app.rider("13800000301").await;
    award(&app, &officer, &rider, 50).await;
    let tea = reward(&app, &officer, json!({"name": "奶茶券", "cost": 20})).await;
    let first = redeem(&app, &rider, &tea).await;
    let shilu = app
        .create_district("石路片区", (31.30, 120.58, 31.33, 120.62))
        .await;
    let elsewhere = app.create_officer_in("13700000301", &[shilu]).await;
    let nowhere = app.create_officer_in("13700000302", &[]).await;
    for who in [&elsewhere, &nowhere] {
        for action in ["cancel", "fulfil"] {
            let refused = app
                .post(
                    &format!("/api/v1/redemptions/{first}/{action}"),
                    &json!({}),
                    Some(&who.access_token),
                )
                .await;
            assert_eq!(refused.status, 404, "{action}: {}", refused.body);
        }
    }
    // No refund was made.
    let points = app
        .get("/api/v1/me/points", Some(&rider.access_token))
        .await;
    assert_eq!(points.json::<PointsView>().balance, 30);
    assert_eq!(assert_ledger_adds_up(&app, &rider).await, 30);
    let fulfilled = app
        .post(
            &format!("/api/v1/redemptions/{first}/fulfil"),
            &json!({}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(fulfilled.status, 200, "{}", fulfilled.body);

    // The redemption follows the worker home: moved to 石路, it is 石路's to settle.
    let second = redeem(&app, &rider, &tea).await;
    let mut profile = doorstep_tests::market::profile_body("骑手小王");
    profile["home_lat"] = json!(31.315);
    profile["home_lon"] = json!(120.60);
    let moved = app
        .put("/api/v1/me/profile", &profile, Some(&rider.access_token))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let path = format!("/api/v1/redemptions/{second}/cancel");
    let theirs_no_more = app
        .post(&path, &json!({}), Some(&officer.access_token))
        .await;
    assert_eq!(theirs_no_more.status, 404, "{}", theirs_no_more.body);
    let cancelled = app
        .post(&path, &json!({}), Some(&elsewhere.access_token))
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(assert_ledger_adds_up(&app, &rider).await, 30);
}
