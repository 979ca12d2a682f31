//! Posting screening (issue 25, item 3) through the API: every case of the rules file is
//! posted as a posting (refused naming the phrase and field, held for an officer, or
//! accepted); a held posting stays out of search and the listings until an officer
//! approves it; the minimum-wage table is effective-dated; pay far above the category's
//! live postings is held with the figures; officers list the decisions of their district
//! only.

use doorstep_domain::entities::business;
use doorstep_tests::market::{Shop, posting_body};
use doorstep_tests::{Backend, Session, TestApp, on_both_databases, spawn_app, spawn_app_with};
use sea_orm::EntityTrait;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    screening_cases_from_the_data_file_hold_through_the_api,
    a_held_posting_stays_out_of_search_until_an_officer_approves_it,
    the_minimum_wage_table_is_effective_dated_and_judges_postings,
    pay_far_above_the_category_is_held_with_the_figures,
    screening_decisions_are_kept_three_years,
);

#[derive(Deserialize)]
struct RulesFile {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    outcome: Option<String>,
    rule: Option<String>,
    phrase: Option<String>,
}

const ELSEWHERE: (f64, f64, f64, f64) = (31.30, 120.58, 31.33, 120.62);

async fn district_of(app: &TestApp, shop: &Shop) -> Uuid {
    business::Entity::find_by_id(shop.business_id)
        .one(&app.db)
        .await
        .expect("read the business")
        .and_then(|b| b.district_id)
        .expect("the shop is placed in a district")
}

fn with_description(text: &str) -> Value {
    let mut body = posting_body("门店店员");
    // The description needs 10 characters; the padding trips no rule.
    let description = if text.chars().count() < 10 {
        format!("{text}。工作地点在圆融时代广场。")
    } else {
        text.to_owned()
    };
    body["description"] = Value::String(description);
    body
}

fn items(response: &doorstep_tests::ApiResponse) -> Vec<Value> {
    response.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn screening_cases_from_the_data_file_hold_through_the_api(backend: Backend) {
    let file: RulesFile =
        toml::from_str(include_str!("../../../domain/data/posting_screening.toml"))
            .expect("rules file parses");
    assert!(file.case.len() >= 60, "at least 60 cases");
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let token = Some(shop.merchant.access_token.as_str());
    let path = format!("/api/v1/businesses/{}/postings", shop.business_id);
    let mut failures = Vec::new();
    let (mut refused, mut held) = (0, Vec::new());
    for case in &file.case {
        let response = app.post(&path, &with_description(&case.text), token).await;
        match case.outcome.as_deref() {
            Some("refuse") => {
                refused += 1;
                let named = response.body["errors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|e| {
                        let message = e["message"].as_str().unwrap_or("");
                        e["field"] == "description"
                            && e["code"] == "posting_screened"
                            && case.phrase.as_ref().is_none_or(|p| message.contains(p))
                            && case.rule.as_ref().is_none_or(|r| message.contains(r))
                    });
                if response.status != 422 || !named {
                    failures.push(format!(
                        "should refuse {:?} naming {:?}: {} {}",
                        case.text, case.phrase, response.status, response.body
                    ));
                }
            }
            Some("hold") => {
                if response.status != 201 {
                    failures.push(format!(
                        "should save {:?} held: {} {}",
                        case.text, response.status, response.body
                    ));
                    continue;
                }
                let id = response.body["id"].as_str().unwrap_or_default().to_owned();
                let publish = app
                    .post(&format!("/api/v1/postings/{id}/publish"), &json!({}), token)
                    .await;
                if publish.status != 409 || publish.problem_code() != "under_review" {
                    failures.push(format!(
                        "held {:?} must not publish: {} {}",
                        case.text, publish.status, publish.body
                    ));
                }
                held.push((id, case));
            }
            _ => {
                if response.status != 201 {
                    failures.push(format!(
                        "should accept {:?}: {} {}",
                        case.text, response.status, response.body
                    ));
                    continue;
                }
                let id = response.body["id"].as_str().unwrap_or_default();
                let publish = app
                    .post(&format!("/api/v1/postings/{id}/publish"), &json!({}), token)
                    .await;
                if publish.status != 200 {
                    failures.push(format!(
                        "accepted {:?} must publish: {} {}",
                        case.text, publish.status, publish.body
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        file.case.len(),
        failures.join("\n")
    );

    // The officer of the district sees every refusal and hold, and the held queue with
    // each rule as the reason.
    let district = district_of(&app, &shop).await;
    let officer_token = Some(officer.access_token.as_str());
    let decisions = |outcome: &'static str| {
        let app = &app;
        async move {
            let response = app
                .get(
                    &format!(
                        "/api/v1/districts/{district}/screening-decisions?outcome={outcome}&limit=100"
                    ),
                    officer_token,
                )
                .await;
            assert_eq!(response.status, 200, "{}", response.body);
            items(&response)
        }
    };
    let refusals = decisions("refused").await;
    assert!(refusals.len() >= refused, "{} < {refused}", refusals.len());
    assert!(refusals.iter().all(|d| d["posting_id"].is_null()
        && d["action"] == "create"
        && d["field"] == "description"));
    let holds = decisions("held").await;
    let queue = app
        .get(
            &format!("/api/v1/content-reviews?district_id={district}&limit=100"),
            officer_token,
        )
        .await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let queue = items(&queue);
    for (id, case) in &held {
        assert!(
            holds.iter().any(|d| d["posting_id"] == id.as_str()
                && case.rule.as_ref().is_none_or(|r| d["rule"] == r.as_str())),
            "no held decision for {:?}",
            case.text
        );
        assert!(
            queue.iter().any(|r| r["subject_id"] == id.as_str()
                && r["suggest"] == "review"
                && r["reason"].as_str().is_some_and(|reason| {
                    reason.starts_with("posting screening: ")
                        && case
                            .rule
                            .as_ref()
                            .is_none_or(|r| reason.contains(r.as_str()))
                })),
            "no review with the rule for {:?}",
            case.text
        );
    }
}

async fn open_with(app: &TestApp, shop: &Shop, body: &Value) -> String {
    let token = Some(shop.merchant.access_token.as_str());
    let created = app
        .post(
            &format!("/api/v1/businesses/{}/postings", shop.business_id),
            body,
            token,
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let opened = app
        .post(&format!("/api/v1/postings/{id}/publish"), &json!({}), token)
        .await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    id
}

async fn found_by_search(app: &TestApp, id: &str) -> (bool, bool) {
    app.wait_for_index().await;
    let search = app
        .get("/api/v1/jobs/search?q=%E5%AF%BC%E8%B4%AD", None)
        .await;
    assert_eq!(search.status, 200, "{}", search.body);
    let listing = app.get("/api/v1/postings?limit=100", None).await;
    assert_eq!(listing.status, 200, "{}", listing.body);
    (
        items(&search).iter().any(|h| h["id"] == id),
        items(&listing).iter().any(|p| p["id"] == id),
    )
}

async fn review_of(app: &TestApp, officer: &Session, district: Uuid, posting: &str) -> Value {
    let queue = app
        .get(
            &format!("/api/v1/content-reviews?district_id={district}"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    items(&queue)
        .into_iter()
        .find(|r| r["subject_id"] == posting)
        .unwrap_or_else(|| panic!("no review of {posting}: {}", queue.body))
}

async fn a_held_posting_stays_out_of_search_until_an_officer_approves_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let district = district_of(&app, &shop).await;
    let token = Some(shop.merchant.access_token.as_str());

    // A new posting with a WeChat id is saved, held: it cannot be published.
    let mut body = posting_body("商场导购");
    body["description"] = json!("商场导购，负责顾客接待和商品陈列，感兴趣加微信详聊。");
    let created = app
        .post(
            &format!("/api/v1/businesses/{}/postings", shop.business_id),
            &body,
            token,
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let publish = app
        .post(&format!("/api/v1/postings/{id}/publish"), &json!({}), token)
        .await;
    assert_eq!(publish.status, 409, "{}", publish.body);
    assert_eq!(publish.problem_code(), "under_review");
    assert_eq!(found_by_search(&app, &id).await, (false, false));
    let anonymous = app.get(&format!("/api/v1/postings/{id}"), None).await;
    assert_eq!(anonymous.status, 404);

    // Only the district's officers see why; another district's officer and a merchant do not.
    let elsewhere = app.create_district("石路片区", ELSEWHERE).await;
    let stranger = app.create_officer_in("13700000511", &[elsewhere]).await;
    for (path, who, status) in [
        (
            format!("/api/v1/content-reviews?district_id={district}"),
            &stranger,
            404,
        ),
        (
            format!("/api/v1/districts/{district}/screening-decisions"),
            &stranger,
            404,
        ),
        (
            format!("/api/v1/districts/{district}/screening-decisions"),
            &shop.merchant,
            403,
        ),
    ] {
        let response = app.get(&path, Some(&who.access_token)).await;
        assert_eq!(response.status, status, "{path}: {}", response.body);
    }
    let theirs = app
        .get(
            &format!("/api/v1/content-reviews?district_id={elsewhere}"),
            Some(&stranger.access_token),
        )
        .await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    assert!(items(&theirs).is_empty(), "{}", theirs.body);
    let review = review_of(&app, &officer, district, &id).await;
    assert!(
        review["reason"]
            .as_str()
            .unwrap()
            .contains("contact_wechat"),
        "{review}"
    );
    assert_eq!(review["content"], "加微信详聊");

    // Approved: the merchant publishes and seekers find it.
    let approved = app
        .post(
            &format!(
                "/api/v1/content-reviews/{}/resolve",
                review["id"].as_str().unwrap()
            ),
            &json!({"resolution": "approved"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    let publish = app
        .post(&format!("/api/v1/postings/{id}/publish"), &json!({}), token)
        .await;
    assert_eq!(publish.status, 200, "{}", publish.body);
    assert_eq!(found_by_search(&app, &id).await, (true, true));

    // An edit of the open posting promising 日结2000 is held: paused, out of search.
    body["description"] = json!("商场导购，负责顾客接待和商品陈列，地推日结2000元。");
    let edited = app
        .put(&format!("/api/v1/postings/{id}"), &body, token)
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["status"], "paused");
    assert_eq!(found_by_search(&app, &id).await, (false, false));
    // An edit adding a deposit is refused and changes nothing.
    body["description"] = json!("商场导购，负责顾客接待，入职需交押金300元。");
    let refused = app
        .put(&format!("/api/v1/postings/{id}"), &body, token)
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.body["errors"][0]["code"], "posting_screened");
    assert_eq!(refused.body["errors"][0]["field"], "description");

    let decisions = app
        .get(
            &format!("/api/v1/districts/{district}/screening-decisions?posting_id={id}"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(decisions.status, 200, "{}", decisions.body);
    let got: Vec<(String, String, String)> = items(&decisions)
        .iter()
        .map(|d| {
            (
                d["action"].as_str().unwrap().to_owned(),
                d["outcome"].as_str().unwrap().to_owned(),
                d["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = |a: &str, o: &str, r: &str| (a.to_owned(), o.to_owned(), r.to_owned());
    assert_eq!(
        got,
        [
            want("edit", "refused", "fee_before_work"),
            want("edit", "held", "high_pay_claim"),
            want("create", "held", "contact_wechat"),
        ],
        "newest first"
    );
    // Each decision is in the audit log.
    let admin = app.admin().await;
    let audit = app
        .get(
            "/api/v1/audit?action=screening_held",
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    assert_eq!(items(&audit).len(), 2, "{}", audit.body);
}

async fn the_minimum_wage_table_is_effective_dated_and_judges_postings(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let token = Some(shop.merchant.access_token.as_str());
    let path = format!("/api/v1/businesses/{}/postings", shop.business_id);
    let post_at = |pay_min: i64, unit: &'static str, kind: &'static str| {
        let mut body = posting_body("超市理货员");
        body["pay_min"] = json!(pay_min);
        body["pay_max"] = json!(pay_min + 300);
        body["pay_unit"] = json!(unit);
        body["kind"] = json!(kind);
        let (app, path) = (&app, &path);
        async move { app.post(path, &body, token).await }
    };

    // The data file's table, Suzhou at 24 元/小时 and 2490 元/月 since 2025-01-01.
    let table = app.get("/api/v1/minimum-wages?city=suzhou", None).await;
    assert_eq!(table.status, 200, "{}", table.body);
    let rows = items(&table);
    assert_eq!(rows.len(), 3, "{}", table.body);
    assert_eq!(rows[2]["effective_from"], "2025-01-01");
    assert_eq!(
        (
            rows[2]["hourly_fen"].clone(),
            rows[2]["monthly_fen"].clone()
        ),
        (json!(2400), json!(249000))
    );

    let below = post_at(2300, "hour", "part_time").await;
    assert_eq!(below.status, 422, "{}", below.body);
    assert_eq!(below.body["errors"][0]["code"], "below_minimum_wage");
    assert_eq!(below.body["errors"][0]["field"], "pay_min");
    assert!(
        below.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("24.00")
    );
    assert_eq!(post_at(2400, "hour", "part_time").await.status, 201);
    assert_eq!(post_at(248_000, "month", "full_time").await.status, 422);
    assert_eq!(post_at(249_000, "month", "full_time").await.status, 201);
    // Interns and day rates are not judged.
    assert_eq!(post_at(150_000, "month", "internship").await.status, 201);
    assert_eq!(post_at(15_000, "day", "gig").await.status, 201);

    // A rise effective next month: a posting at 25 元 stays valid today.
    let today = doorstep_domain::time::today();
    let next_month = {
        use chrono::Datelike;
        let first = today.with_day(1).unwrap();
        first.checked_add_months(chrono::Months::new(1)).unwrap()
    };
    let rise = |from: chrono::NaiveDate, hourly: i64| {
        json!({"city": "suzhou", "effective_from": from, "hourly_fen": hourly,
               "monthly_fen": 262000, "source": "江苏省最低工资标准调整（测试）"})
    };
    let staff = Some(officer.access_token.as_str());
    let added = app
        .post("/api/v1/minimum-wages", &rise(next_month, 2600), staff)
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(post_at(2500, "hour", "part_time").await.status, 201);
    // History is not rewritten: the same date twice, a past date, and a merchant are refused.
    let twice = app
        .post("/api/v1/minimum-wages", &rise(next_month, 2700), staff)
        .await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert_eq!(twice.problem_code(), "minimum_wage_exists");
    let past = app
        .post(
            "/api/v1/minimum-wages",
            &rise(today.pred_opt().unwrap(), 2700),
            staff,
        )
        .await;
    assert_eq!(past.status, 422, "{}", past.body);
    assert_eq!(past.body["errors"][0]["field"], "effective_from");
    let merchant = app
        .post("/api/v1/minimum-wages", &rise(next_month, 2700), token)
        .await;
    assert_eq!(merchant.status, 403);
    // A change in force from today judges postings screened from today.
    let now_in_force = app
        .post("/api/v1/minimum-wages", &rise(today, 2550), staff)
        .await;
    assert_eq!(now_in_force.status, 201, "{}", now_in_force.body);
    let refused = post_at(2500, "hour", "part_time").await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let message = refused.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("25.50") && message.contains(&today.to_string()),
        "{message}"
    );
    assert_eq!(post_at(2550, "hour", "part_time").await.status, 201);
    let table = app.get("/api/v1/minimum-wages?city=suzhou", None).await;
    assert_eq!(items(&table).len(), 5, "{}", table.body);
    let audit = app
        .get(
            "/api/v1/audit?action=minimum_wage_added",
            Some(&app.admin().await.access_token),
        )
        .await;
    assert_eq!(items(&audit).len(), 2, "{}", audit.body);
}

async fn pay_far_above_the_category_is_held_with_the_figures(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.screening_pay_min_samples = 6).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let district = district_of(&app, &shop).await;
    let token = Some(shop.merchant.access_token.as_str());
    let priced = |pay_max: i64| {
        let mut body = posting_body("奶茶店店员");
        body["pay_min"] = json!(2500);
        body["pay_max"] = json!(pay_max);
        body
    };
    // Five live coffee_tea postings by the hour: too few to compare with.
    for pay in [2600, 2700, 2800, 2900, 3000] {
        open_with(&app, &shop, &priced(pay)).await;
    }
    let lonely = open_with(&app, &shop, &priced(15_000)).await;
    let decisions = app
        .get(
            &format!("/api/v1/districts/{district}/screening-decisions"),
            Some(&officer.access_token),
        )
        .await;
    assert!(items(&decisions).is_empty(), "{}", decisions.body);
    // Six (the 150 元 one counts too): 150 元/小时 is now far above, 35 元 is not.
    let ordinary = app
        .post(
            &format!("/api/v1/businesses/{}/postings", shop.business_id),
            &priced(3500),
            token,
        )
        .await;
    assert_eq!(ordinary.status, 201, "{}", ordinary.body);
    let high = app
        .post(
            &format!("/api/v1/businesses/{}/postings", shop.business_id),
            &priced(16_000),
            token,
        )
        .await;
    assert_eq!(high.status, 201, "{}", high.body);
    let id = high.body["id"].as_str().unwrap();
    let publish = app
        .post(&format!("/api/v1/postings/{id}/publish"), &json!({}), token)
        .await;
    assert_eq!(publish.status, 409, "{}", publish.body);
    let review = review_of(&app, &officer, district, id).await;
    let reason = review["reason"].as_str().unwrap();
    assert!(
        reason.contains("pay_far_above_local") && reason.contains("median 28.50元/小时"),
        "{reason}"
    );
    assert_eq!(review["field"], "pay_max");
    let ordinary_id = ordinary.body["id"].as_str().unwrap();
    let decisions = app
        .get(
            &format!("/api/v1/districts/{district}/screening-decisions"),
            Some(&officer.access_token),
        )
        .await;
    let rows = items(&decisions);
    assert_eq!(rows.len(), 1, "{}", decisions.body);
    assert_eq!(rows[0]["posting_id"], id);
    assert_ne!(rows[0]["posting_id"], ordinary_id);
    assert_ne!(rows[0]["posting_id"], lonely.as_str());
}

async fn screening_decisions_are_kept_three_years(backend: Backend) {
    use doorstep_domain::entities::screening_decision;
    use doorstep_domain::media::DiskStore;
    use doorstep_domain::retention;
    use sea_orm::PaginatorTrait;

    let app = spawn_app(backend).await;
    let shop = app.unverified_shop("13912345678").await;
    let refused = app
        .post(
            &format!("/api/v1/businesses/{}/postings", shop.business_id),
            &with_description("发传单兼职，报名费30元，当天结算工资。"),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let count = async || {
        screening_decision::Entity::find()
            .count(&app.db)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 1);
    let store = DiskStore::new(app.settings.media_dir());
    let now = doorstep_domain::time::now();
    let before = now + chrono::Months::new(36) - chrono::Duration::days(1);
    let kept = retention::run(&app.db, &store, before, &Default::default())
        .await
        .unwrap();
    assert_eq!(kept.screening_decisions_deleted, 0, "{kept:?}");
    assert_eq!(count().await, 1);
    let after = now + chrono::Months::new(36) + chrono::Duration::days(1);
    let gone = retention::run(&app.db, &store, after, &Default::default())
        .await
        .unwrap();
    assert_eq!(gone.screening_decisions_deleted, 1, "{gone:?}");
    assert_eq!(count().await, 0);
}
