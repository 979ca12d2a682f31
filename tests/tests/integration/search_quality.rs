//! Search as seekers really type: traditional characters, full-width letters, English,
//! pinyin, homophone typos, colloquial phrases, mixed compounds and intent words; the
//! lexicon officers extend at run time; and what a search that finds nothing offers.

use doorstep_tests::market::{Shop, posting_body};
use doorstep_tests::{ApiResponse, Backend, TestApp, on_both_databases, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    seekers_find_jobs_the_way_they_type_them,
    intent_words_lift_the_postings_that_fit_without_filtering,
    officers_extend_the_lexicon_and_it_applies_at_once,
    nothing_found_as_asked_offers_a_wider_search_flagged,
);

use doorstep_tests::{item_ids as ids, url_encode as enc};

/// A posting body with only what the test is about; everything else neutral.
fn job(title: &str, category: &str, kind: &str, description: &str, skills: &[&str]) -> Value {
    let mut body = posting_body(title);
    body["category"] = json!(category);
    body["kind"] = json!(kind);
    body["description"] = json!(description);
    body["skills"] = json!(skills);
    body["requirements"] = json!("");
    body["benefits"] = json!([]);
    body["lat"] = json!(31.3185);
    body["lon"] = json!(120.6716);
    body
}

fn weekly(days: &[u8], start: &str, end: &str) -> Value {
    json!({"slots": days.iter().map(|d| json!({"day": d, "start": start, "end": end})).collect::<Vec<_>>()})
}

async fn search(app: &TestApp, query: &str, extra: &str) -> ApiResponse {
    let found = app
        .get(
            &format!("/api/v1/jobs/search?q={}{extra}", enc(query)),
            None,
        )
        .await;
    assert_eq!(found.status, 200, "{query}: {}", found.body);
    found
}

async fn first(app: &TestApp, query: &str) -> String {
    ids(&search(app, query, "").await)
        .first()
        .cloned()
        .unwrap_or_default()
}

async fn post_all(app: &TestApp, shop: &Shop, bodies: &[Value]) -> Vec<Uuid> {
    let mut out = Vec::new();
    for body in bodies {
        out.push(app.open_posting(shop, body).await);
    }
    app.wait_for_index().await;
    out
}

async fn seekers_find_jobs_the_way_they_type_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let made = post_all(
        &app,
        &shop,
        &[
            job(
                "西餐厅服务员",
                "food_service",
                "full_time",
                "负责点餐、上菜和翻台，包工作餐。",
                &["点餐", "上菜"],
            ),
            job(
                "奶茶店店员",
                "coffee_tea",
                "part_time",
                "负责饮品制作和打包，每周不少于三天。",
                &["奶茶", "打包"],
            ),
            job(
                "Python开发实习生",
                "it",
                "internship",
                "参与门店小程序后台开发，每周到岗四天。",
                &["Python", "SQL"],
            ),
            job(
                "同城配送员",
                "delivery",
                "gig",
                "园区范围内代买代送文件和生活用品，按单结算。",
                &["配送", "电动车"],
            ),
            job(
                "商场保洁员",
                "cleaning",
                "full_time",
                "负责公共区域和卫生间的日常清洁。",
                &["清洁"],
            ),
        ],
    )
    .await;
    let made: Vec<String> = made.iter().map(Uuid::to_string).collect();
    let [waiter, shop_assistant, python, courier, cleaner]: [String; 5] = made.try_into().unwrap();

    // Traditional characters and full-width letters are folded on both sides.
    assert_eq!(first(&app, "服務員").await, waiter);
    assert_eq!(first(&app, "ＰＹＴＨＯＮ").await, python);
    // English, pinyin (full and initials) and colloquial phrases.
    assert_eq!(first(&app, "waiter").await, waiter);
    assert_eq!(first(&app, "cleaner").await, cleaner);
    assert_eq!(first(&app, "dianyuan").await, shop_assistant);
    assert_eq!(first(&app, "跑腿").await, courier);
    // Mixed compounds split: python实习 is python + 实习.
    assert_eq!(first(&app, "python实习").await, python);
    // A homophone typo is corrected and the response says what was searched.
    let typo = search(&app, "服物员", "").await;
    assert_eq!(typo.body["corrected_query"], "服务员", "{}", typo.body);
    assert_eq!(ids(&typo).first(), Some(&waiter));
    let right = search(&app, "服务员", "").await;
    assert!(right.body["corrected_query"].is_null());
    // Fillers do not drag in everything that says 招聘.
    let filler = search(&app, "招聘保洁师傅", "").await;
    assert_eq!(ids(&filler), vec![cleaner.clone()], "{}", filler.body);
}

async fn intent_words_lift_the_postings_that_fit_without_filtering(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    // The weekday job says 收银 twice, so on words alone it ranks first.
    let mut weekday = job(
        "超市收银员",
        "cashier",
        "part_time",
        "负责收银结账，收银后核对。",
        &[],
    );
    weekday["schedule"] = weekly(&[1, 2, 3], "09:00", "17:00");
    let mut weekend = job(
        "超市收银员",
        "cashier",
        "part_time",
        "负责收银结账和小票核对。",
        &[],
    );
    weekend["schedule"] = weekly(&[6, 7], "09:00", "17:00");
    let [weekday, weekend]: [Uuid; 2] = post_all(&app, &shop, &[weekday, weekend])
        .await
        .try_into()
        .unwrap();
    let plain = search(&app, "收银", "").await;
    assert_eq!(ids(&plain)[0], weekday.to_string(), "{}", plain.body);
    // 周末 lifts the weekend job above it, and filters nothing out.
    let intent = search(&app, "周末 收银", "").await;
    assert_eq!(
        ids(&intent),
        vec![weekend.to_string(), weekday.to_string()],
        "{}",
        intent.body
    );
    // The schedule filter, when the seeker sets it, does filter.
    let filtered = search(&app, "收银", "&schedule=weekend").await;
    assert_eq!(ids(&filtered), vec![weekend.to_string()]);
}

async fn officers_extend_the_lexicon_and_it_applies_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let [water]: [Uuid; 1] = post_all(
        &app,
        &shop,
        &[job(
            "桶装水配送员",
            "delivery",
            "full_time",
            "给写字楼和小区送桶装水，片区固定。",
            &["桶装水"],
        )],
    )
    .await
    .try_into()
    .unwrap();
    let entry =
        json!({"kind": "colloquial", "category": "delivery", "word": "扛水", "means": ["桶装水"]});
    assert!(ids(&search(&app, "扛水", "").await).is_empty());

    // Merchants and seekers may not edit the vocabulary.
    let refused = app
        .post("/api/v1/lexicon", &entry, Some(&shop.merchant.access_token))
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(app.get("/api/v1/lexicon", None).await.status, 401);
    // Malformed entries name the field.
    let wrong_shape = app
        .post(
            "/api/v1/lexicon",
            &json!({"kind": "synonym", "category": "delivery", "word": "扛水", "means": ["桶装水"]}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(wrong_shape.status, 422, "{}", wrong_shape.body);
    assert_eq!(wrong_shape.field_errors()[0].0, "word");
    let unknown_category = app
        .post(
            "/api/v1/lexicon",
            &json!({"kind": "alias", "category": "astronaut", "word": "x1", "means": ["桶装水"]}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(unknown_category.field_errors()[0].0, "category");
    let unknown_field = app
        .post(
            "/api/v1/lexicon",
            &json!({"kind": "alias", "category": "delivery", "word": "x1", "means": ["桶装水"], "weight": 5}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(unknown_field.status, 400, "{}", unknown_field.body);

    let added = app
        .post("/api/v1/lexicon", &entry, Some(&officer.access_token))
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(added.body["word"], "扛水");
    // Applies to the next search, with no reindex.
    assert_eq!(
        ids(&search(&app, "扛水", "").await),
        vec![water.to_string()]
    );
    let listed = app
        .get("/api/v1/lexicon", Some(&officer.access_token))
        .await;
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        listed.body
    );
    let id = added.body["id"].as_str().unwrap();
    let not_theirs = app
        .delete(
            &format!("/api/v1/lexicon/{id}"),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(not_theirs.status, 403, "{}", not_theirs.body);
    let removed = app
        .delete(
            &format!("/api/v1/lexicon/{id}"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert!(ids(&search(&app, "扛水", "").await).is_empty());
    let again = app
        .delete(
            &format!("/api/v1/lexicon/{id}"),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(again.status, 404);
}

async fn nothing_found_as_asked_offers_a_wider_search_flagged(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    // About 4 km north of the point searched from.
    let mut far = job(
        "便利店店员",
        "retail_sales",
        "part_time",
        "负责门店补货、陈列和日常整理。",
        &["补货"],
    );
    far["lat"] = json!(31.3545);
    let [far]: [Uuid; 1] = post_all(&app, &shop, &[far]).await.try_into().unwrap();

    let inside = search(&app, "店员", "&lat=31.3185&lon=120.6716&radius_km=1").await;
    assert_eq!(inside.body["total"], 0, "{}", inside.body);
    assert_eq!(inside.body["fallback"], "beyond_radius");
    assert_eq!(ids(&inside), vec![far.to_string()]);
    assert_eq!(inside.body["items"][0]["fallback"], "beyond_radius");
    assert!(inside.body["items"][0]["distance_m"].as_u64().unwrap() > 1000);
    assert!(inside.body["next_cursor"].is_null());

    let filtered = search(&app, "店员", "&kind=internship").await;
    assert_eq!(filtered.body["fallback"], "relaxed", "{}", filtered.body);
    assert_eq!(ids(&filtered), vec![far.to_string()]);

    // Found as asked: no fallback at all.
    let found = search(&app, "店员", "").await;
    assert!(found.body["fallback"].is_null());
    assert!(found.body["items"][0]["fallback"].is_null());
    assert_eq!(found.body["total"], 1);
}
