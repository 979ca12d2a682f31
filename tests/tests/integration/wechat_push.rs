//! WeChat subscribe messages as a push channel, content security and the shared access
//! token (issue 23, items 3 to 5), against the fake WeChat server.

use std::sync::Arc;
use std::time::Duration;

use chrono::Timelike;
use doorstep_domain::entities::{content_review, wechat_message, wechat_subscription};
use doorstep_domain::jobs::queue;
use doorstep_domain::time;
use doorstep_matcher::wechat::push::{PushRules, WechatPush};
use doorstep_matcher::wechat::{Wechat, WechatConfig};
use doorstep_tests::market::{posting_body, profile_body};
use doorstep_tests::wechat::{self as fake, FakeWechat};
use doorstep_tests::{Backend, Session, TestApp, on_both_databases, spawn_app_with};
use futures_util::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

on_both_databases!(
    a_message_goes_once_per_acceptance_and_never_without_one,
    a_killed_worker_never_sends_twice,
    refused_43101_spends_nothing_and_is_not_retried,
    bad_data_47003_is_dead_lettered_with_its_reason_and_busy_is_retried,
    risky_text_is_refused_naming_the_field,
    review_text_is_held_until_an_officer_approves_it,
    held_edits_wishes_and_resumes_stay_hidden_and_removal_takes_them_down,
    text_is_kept_and_queued_when_wechat_is_down,
    two_instances_fetch_the_access_token_once,
    a_stale_token_is_refreshed_once_and_the_call_succeeds,
    without_wechat_the_routes_say_not_configured,
    the_job_sends_on_its_own,
    quiet_hours_hold_a_message_until_they_end,
);

const TEMPLATE: &str = "tmpl-application-status-0001";
const SEND: &str = "/cgi-bin/message/subscribe/send";
/// 40 characters.
const LONG_TITLE: &str =
    "社区食堂招聘帮厨与面点师傅每天早班六点到十一点包一餐提供工作服需健康证先附近居民";

async fn wechat_app(backend: Backend, wechat: &FakeWechat) -> TestApp {
    spawn_app_with(backend, |s| {
        wechat.configure(s);
        s.wechat_template_application_status = Some(TEMPLATE.into());
        // The tests drive the sender themselves (`sender`), pass by pass.
        s.wechat_push_poll_ms = 3_600_000;
        s.push_retry_base_ms = 20;
    })
    .await
}

/// The sender as the `wechat_push` job builds it: a second worker on the same database.
fn sender(app: &TestApp) -> WechatPush {
    let wechat = doorstep_api::startup::wechat(&app.settings, app.db.clone(), "test-worker")
        .unwrap()
        .expect("WeChat is configured");
    WechatPush {
        db: app.db.clone(),
        wechat,
        templates: doorstep_api::startup::wechat_templates(&app.settings, true).unwrap(),
        rules: PushRules {
            max_attempts: 5,
            retry_base: Duration::from_millis(20),
            lease: chrono::Duration::seconds(30),
        },
    }
}

/// Binds `who` to the WeChat user `openid` the way a mini-program does: a `wx.login` code
/// from the fake, given to `POST /me/wechat`.
async fn bind(app: &TestApp, wechat: &FakeWechat, who: &Session, openid: &str) {
    let code = wechat.login_code(openid, None);
    let bound = app
        .post(
            "/api/v1/me/wechat",
            &json!({ "code": code }),
            Some(&who.access_token),
        )
        .await;
    assert!(bound.status < 300, "{}", bound.body);
}

async fn subscribe(app: &TestApp, who: &Session, templates: &[&str]) -> u16 {
    app.post(
        "/api/v1/me/wechat/subscriptions",
        &json!({"template_ids": templates}),
        Some(&who.access_token),
    )
    .await
    .status
}

struct Scene {
    app: TestApp,
    shop: doorstep_tests::market::Shop,
    seeker: Session,
    application: String,
}

/// A seeker bound to WeChat who applied to a posting with a 40-character title, and who
/// keeps no quiet hours: the default ones (22:00–08:00 Beijing time) would hold every
/// message for half of each day, whenever the suite happens to run.
async fn scene(backend: Backend, wechat: &FakeWechat) -> Scene {
    scene_with_push(backend, wechat, json!({"channels": ["inbox"]})).await
}

/// The seeker 李娜 with her push preferences.
async fn seeker_lina(app: &TestApp, push: Value) -> Session {
    let seeker = app.register_as("seeker", "13812345678").await;
    let mut profile = profile_body("李娜");
    profile["push"] = push;
    app.as_user(&seeker)
        .save_profile(&profile)
        .await
        .expect("the seeker saves a profile");
    seeker
}

async fn scene_with_push(backend: Backend, wechat: &FakeWechat, push: Value) -> Scene {
    let app = wechat_app(backend, wechat).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body(LONG_TITLE)).await;
    let seeker = seeker_lina(&app, push).await;
    bind(&app, wechat, &seeker, "o-seeker-lina").await;
    let applied = app.apply(&seeker, posting, "").await;
    assert_eq!(applied.status, 201, "{}", applied.body);
    let application = applied.body["id"].as_str().unwrap().to_owned();
    Scene {
        app,
        shop,
        seeker,
        application,
    }
}

impl Scene {
    async fn move_to(&self, body: Value) {
        let moved = self
            .app
            .post(
                &format!("/api/v1/applications/{}/transitions", self.application),
                &body,
                Some(&self.shop.merchant.access_token),
            )
            .await;
        assert_eq!(moved.status, 200, "{body}: {}", moved.body);
    }

    async fn messages(&self) -> Vec<wechat_message::Model> {
        wechat_message::Entity::find()
            .all(&self.app.db)
            .await
            .unwrap()
    }

    async fn unspent(&self) -> usize {
        wechat_subscription::Entity::find()
            .filter(wechat_subscription::Column::AccountId.eq(self.seeker.account_id))
            .filter(wechat_subscription::Column::UsedAt.is_null())
            .all(&self.app.db)
            .await
            .unwrap()
            .len()
    }
}

async fn a_message_goes_once_per_acceptance_and_never_without_one(backend: Backend) {
    let wechat = FakeWechat::start().await;
    let s = scene(backend, &wechat).await;
    let worker = sender(&s.app);
    // Without an acceptance nothing is queued and nothing sent.
    s.move_to(json!({"to": "viewed"})).await;
    worker.run_once().await.unwrap();
    assert!(s.messages().await.is_empty());
    assert_eq!(wechat.calls(SEND), 0);

    // An unknown template is refused, naming it; a known one is recorded.
    let unknown = s
        .app
        .post(
            "/api/v1/me/wechat/subscriptions",
            &json!({"template_ids": [TEMPLATE, "tmpl-nobody-sends"]}),
            Some(&s.seeker.access_token),
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert_eq!(
        unknown.field_errors(),
        vec![("template_ids.1".to_owned(), "unknown_template".to_owned())]
    );
    assert_eq!(subscribe(&s.app, &s.seeker, &[TEMPLATE]).await, 204);
    wechat.accept("o-seeker-lina", TEMPLATE);
    assert_eq!(s.unspent().await, 1);

    s.move_to(json!({"to": "shortlisted"})).await;
    let pass = worker.run_once().await.unwrap();
    assert_eq!(pass.sent, 1);
    let delivered = wechat.delivered();
    assert_eq!(delivered.len(), 1);
    let sent = &delivered[0];
    assert_eq!(sent["touser"], "o-seeker-lina");
    assert_eq!(sent["template_id"], TEMPLATE);
    assert_eq!(sent["page"], "pages/inbox/index");
    // The notice's title (申请进展：+ the 40-character posting title) cut into a `thing`:
    // 20 characters, cut on a character, ending in an ellipsis; the fake checked it too.
    let thing = sent["data"]["thing1"]["value"].as_str().unwrap();
    assert_eq!(thing.chars().count(), 20, "{thing}");
    let full = format!("申请进展：{LONG_TITLE}");
    assert!(full.starts_with(thing.trim_end_matches('…')), "{thing}");
    assert!(thing.ends_with('…'));
    assert!(fake::keyword_problem("thing1", thing).is_none());
    assert_eq!(sent["data"]["thing2"]["value"], "你已进入候选名单。");
    assert!(
        sent["data"]["time3"]["value"]
            .as_str()
            .unwrap()
            .starts_with("20")
    );
    assert_eq!(s.unspent().await, 0);

    // The acceptance is spent: the next notice is not sent, not even queued.
    s.move_to(json!({"to": "rejected", "reason": "岗位已招满"}))
        .await;
    worker.run_once().await.unwrap();
    worker.run_once().await.unwrap();
    assert_eq!(wechat.calls(SEND), 1);
    let messages = s.messages().await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].status, "sent");
}

async fn a_killed_worker_never_sends_twice(backend: Backend) {
    let wechat = FakeWechat::start().await;
    let s = scene(backend, &wechat).await;
    assert_eq!(
        subscribe(&s.app, &s.seeker, &[TEMPLATE, TEMPLATE]).await,
        204
    );
    wechat.accept("o-seeker-lina", TEMPLATE);
    wechat.accept("o-seeker-lina", TEMPLATE);
    s.move_to(json!({"to": "viewed"})).await;

    // A worker claims the message, spends the acceptance and marks it sending, then dies
    // before WeChat's answer is recorded.
    let dying = sender(&s.app);
    let claimed = queue::claim::<wechat_message::Entity, _>(
        &s.app.db,
        time::now(),
        chrono::Duration::seconds(1),
        10,
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(dying.reserve(&claimed[0]).await.unwrap());
    drop(dying);
    assert_eq!(s.messages().await[0].status, "sending");
    assert_eq!(s.unspent().await, 1, "one acceptance spent, one left");

    // Restarted workers, after the claim's lease ran out, never send it.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    for _ in 0..3 {
        let pass = sender(&s.app).run_once().await.unwrap();
        assert_eq!(pass.claimed, 0);
    }
    assert_eq!(wechat.calls(SEND), 0);
    assert_eq!(s.messages().await[0].status, "sending");

    // The next notice spends the other acceptance and goes, once.
    s.move_to(json!({"to": "shortlisted"})).await;
    let restarted = sender(&s.app);
    assert_eq!(restarted.run_once().await.unwrap().sent, 1);
    assert_eq!(restarted.run_once().await.unwrap().claimed, 0);
    assert_eq!(wechat.delivered().len(), 1);
    assert_eq!(s.unspent().await, 0);
}

async fn refused_43101_spends_nothing_and_is_not_retried(backend: Backend) {
    let wechat = FakeWechat::start().await;
    let s = scene(backend, &wechat).await;
    // Doorstep holds an acceptance, but WeChat has none for the user (the fake answers
    // 43101 as WeChat does).
    assert_eq!(subscribe(&s.app, &s.seeker, &[TEMPLATE]).await, 204);
    s.move_to(json!({"to": "viewed"})).await;
    let worker = sender(&s.app);
    assert_eq!(worker.run_once().await.unwrap().sent, 0);
    assert_eq!(wechat.calls(SEND), 1);
    let messages = s.messages().await;
    assert_eq!(messages[0].status, "refused");
    assert!(messages[0].last_error.as_deref().unwrap().contains("43101"));
    // The acceptance came back, and nothing is tried again.
    assert_eq!(s.unspent().await, 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    worker.run_once().await.unwrap();
    worker.run_once().await.unwrap();
    assert_eq!(wechat.calls(SEND), 1);
}

async fn bad_data_47003_is_dead_lettered_with_its_reason_and_busy_is_retried(backend: Backend) {
    let wechat = FakeWechat::start().await;
    let s = scene(backend, &wechat).await;
    assert_eq!(subscribe(&s.app, &s.seeker, &[TEMPLATE]).await, 204);
    wechat.accept("o-seeker-lina", TEMPLATE);
    wechat.fail_next(SEND, &[47003]);
    s.move_to(json!({"to": "viewed"})).await;
    let worker = sender(&s.app);
    worker.run_once().await.unwrap();
    let messages = s.messages().await;
    assert_eq!(messages[0].status, "dead");
    let reason = messages[0].last_error.clone().unwrap();
    assert!(reason.contains("47003"), "{reason}");
    assert_eq!(s.unspent().await, 1, "WeChat did not spend it");
    tokio::time::sleep(Duration::from_millis(100)).await;
    worker.run_once().await.unwrap();
    assert_eq!(wechat.calls(SEND), 1, "a dead letter is not retried");

    // WeChat busy twice (the client retries -1 once by itself): the message waits its
    // backoff with the acceptance given back, then goes.
    wechat.fail_next(SEND, &[-1, -1]);
    s.move_to(json!({"to": "shortlisted"})).await;
    assert_eq!(worker.run_once().await.unwrap().sent, 0);
    let waiting = s
        .messages()
        .await
        .into_iter()
        .find(|m| m.status == "pending")
        .expect("due again later");
    assert_eq!(waiting.attempts, 1);
    assert!(waiting.next_attempt_at > waiting.created_at);
    assert_eq!(s.unspent().await, 1);
    let mut sent = 0;
    for _ in 0..50 {
        sent += worker.run_once().await.unwrap().sent;
        if sent > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(sent, 1);
    assert_eq!(wechat.delivered().len(), 1);
    assert_eq!(s.unspent().await, 0);
}

async fn reviews(app: &TestApp, officer: &Session) -> Vec<Value> {
    let listed = app
        .get(
            "/api/v1/content-reviews?limit=50",
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    listed.body["items"].as_array().unwrap().clone()
}

async fn risky_text_is_refused_naming_the_field(backend: Backend) {
    let wechat = FakeWechat::start().await;
    let app = wechat_app(backend, &wechat).await;
    wechat.verdict("包赚不赔", "risky", 20008);
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    bind(&app, &wechat, &shop.merchant, "o-merchant").await;
    let mut body = posting_body("咖啡师");
    body["description"] = json!("投资入股包赚不赔，日结高薪");
    let refused = app
        .post(
            &format!("/api/v1/businesses/{}/postings", shop.business_id),
            &body,
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.problem_code(), "content_risky");
    assert_eq!(
        refused.field_errors(),
        vec![("description".to_owned(), "content_risky".to_owned())]
    );
    let checked = wechat.requests("/wxa/msg_sec_check");
    let sent = checked
        .iter()
        .map(|r| r.json())
        .find(|b| b["content"] == "投资入股包赚不赔，日结高薪")
        .expect("the description was checked");
    assert_eq!(sent["version"], 2);
    assert_eq!(sent["openid"], "o-merchant");
    let postings = doorstep_domain::entities::posting::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(postings.is_empty(), "nothing stored");
    assert!(reviews(&app, &officer).await.is_empty());
}

async fn review_text_is_held_until_an_officer_approves_it(backend: Backend) {
    let wechat = FakeWechat::start().await;
    let app = wechat_app(backend, &wechat).await;
    wechat.verdict("海外代购", "review", 10001);
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    bind(&app, &wechat, &shop.merchant, "o-merchant").await;
    let merchant = app.as_user(&shop.merchant);
    let posting = merchant
        .create_posting(shop.business_id, &posting_body("海外代购店员"))
        .await
        .expect("the text is accepted")
        .id;
    let queued = reviews(&app, &officer).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    let review = &queued[0];
    assert_eq!(review["field"], "title");
    assert_eq!(review["content"], "海外代购店员");
    assert_eq!(review["suggest"], "review");
    assert_eq!(review["label"], 10001);
    assert_eq!(review["subject_type"], "posting");
    assert_eq!(review["subject_id"], posting.to_string());
    assert_eq!(review["status"], "open");

    // Held: stored as written for its author, but it cannot be published.
    let own = app
        .get(
            &format!("/api/v1/postings/{posting}"),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(own.body["title"], "海外代购店员");
    let publish = format!("/api/v1/postings/{posting}/publish");
    let early = app
        .post(&publish, &json!({}), Some(&shop.merchant.access_token))
        .await;
    assert_eq!(early.status, 409, "{}", early.body);
    assert_eq!(early.problem_code(), "under_review");
    let public = app.get(&format!("/api/v1/postings/{posting}"), None).await;
    assert_eq!(public.status, 404);

    // Officers only; resolved once.
    let seeker = app.seeker_with_profile("13812345678", "李娜").await;
    let forbidden = app
        .get("/api/v1/content-reviews", Some(&seeker.access_token))
        .await;
    assert_eq!(forbidden.status, 403);
    let resolve = format!(
        "/api/v1/content-reviews/{}/resolve",
        review["id"].as_str().unwrap()
    );
    let done = app
        .post(
            &resolve,
            &json!({"resolution": "approved"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["resolution"], "approved");
    let again = app
        .post(
            &resolve,
            &json!({"resolution": "removed"}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.problem_code(), "review_resolved");

    // Approved: the merchant is told, publishes, and everyone sees it.
    assert!(
        app.inbox_kinds(&shop.merchant)
            .await
            .contains(&"content_approved".to_owned())
    );
    merchant
        .publish_posting(posting)
        .await
        .expect("approved text publishes");
    let public = app.get(&format!("/api/v1/postings/{posting}"), None).await;
    assert_eq!(public.status, 200, "{}", public.body);
    assert_eq!(public.body["title"], "海外代购店员");

    // Open ones only: the resolved review is gone; what is left is the seeker's résumé,
    // queued unchecked (and not held) since the seeker is not bound to WeChat.
    let open = reviews(&app, &officer).await;
    assert!(open.iter().all(|r| r["id"] != review["id"]), "{open:?}");
    assert!(
        open.iter()
            .all(|r| r["subject_type"] == "profile" && r["suggest"] == "unchecked"),
        "{open:?}"
    );
    let seen = app
        .get(
            &format!("/api/v1/profiles/{}", seeker.account_id),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(seen.body["resume"], "应届毕业生，做过两年奶茶店兼职。");
}

/// The open review of `field` whose content is `content`, resolved as `resolution`.
async fn resolve_review(app: &TestApp, officer: &Session, content: &str, resolution: &str) {
    let queued = reviews(app, officer).await;
    let review = queued
        .iter()
        .find(|r| r["content"] == content && r["status"] == "open")
        .unwrap_or_else(|| panic!("{content} is queued: {queued:?}"));
    let done = app
        .post(
            &format!(
                "/api/v1/content-reviews/{}/resolve",
                review["id"].as_str().unwrap()
            ),
            &json!({ "resolution": resolution }),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
}

async fn held_edits_wishes_and_resumes_stay_hidden_and_removal_takes_them_down(backend: Backend) {
    let wechat = FakeWechat::start().await;
    let app = wechat_app(backend, &wechat).await;
    wechat.verdict("代购", "review", 10001);
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    bind(&app, &wechat, &shop.merchant, "o-merchant").await;
    let posting = app.open_posting(&shop, &posting_body("咖啡师")).await;
    let path = format!("/api/v1/postings/{posting}");

    // An open posting whose edit is held is paused, so the text is never public.
    let mut body = posting_body("咖啡师");
    body["description"] = json!("周末兼职代购店员，日结工资，包午餐");
    let edited = app
        .put(&path, &body, Some(&shop.merchant.access_token))
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["status"], "paused");
    assert_eq!(app.get(&path, None).await.status, 404);
    let republish = app
        .post(
            &format!("{path}/publish"),
            &json!({}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(republish.problem_code(), "under_review");
    // Removed: the posting is closed for good and the merchant told.
    resolve_review(
        &app,
        &officer,
        "周末兼职代购店员，日结工资，包午餐",
        "removed",
    )
    .await;
    let own = app.get(&path, Some(&shop.merchant.access_token)).await;
    assert_eq!(own.body["status"], "closed");
    assert!(
        app.inbox_kinds(&shop.merchant)
            .await
            .contains(&"content_removed".to_owned())
    );

    // Wishes: a held one stays off the wall until approved; a removed one for good.
    let seeker = seeker_lina(&app, json!({"channels": ["inbox"]})).await;
    bind(&app, &wechat, &seeker, "o-seeker-lina").await;
    for text in [
        "想找代购店的兼职",
        "帮忙介绍代购的活",
        "希望商场里多几个充电桩",
    ] {
        let posted = app
            .post(
                "/api/v1/wishes",
                &json!({"category": "other", "text": text}),
                Some(&seeker.access_token),
            )
            .await;
        assert_eq!(posted.status, 201, "{}", posted.body);
    }
    let wall = || async {
        let wall = app.get("/api/v1/wishes?limit=50", None).await;
        assert_eq!(wall.status, 200, "{}", wall.body);
        let mut texts: Vec<String> = wall.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["text"].as_str().unwrap().to_owned())
            .collect();
        texts.sort();
        texts
    };
    assert_eq!(wall().await, vec!["希望商场里多几个充电桩"]);
    resolve_review(&app, &officer, "想找代购店的兼职", "approved").await;
    resolve_review(&app, &officer, "帮忙介绍代购的活", "removed").await;
    assert_eq!(
        wall().await,
        vec!["希望商场里多几个充电桩", "想找代购店的兼职"]
    );

    // A held résumé is blank to merchants until approved; its author sees it.
    let mut profile = profile_body("李娜");
    profile["push"] = json!({"channels": ["inbox"]});
    profile["resume"] = json!("做过两年代购店店员");
    let saved = app
        .put("/api/v1/me/profile", &profile, Some(&seeker.access_token))
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.body["resume"], "做过两年代购店店员");
    let seeker_path = format!("/api/v1/profiles/{}", seeker.account_id);
    let as_merchant = || app.get(&seeker_path, Some(&shop.merchant.access_token));
    assert_eq!(as_merchant().await.body["resume"], "");
    resolve_review(&app, &officer, "做过两年代购店店员", "approved").await;
    assert_eq!(as_merchant().await.body["resume"], "做过两年代购店店员");

    // The privacy export holds the WeChat binding and the queued texts.
    let export = app
        .get("/api/v1/me/export", Some(&seeker.access_token))
        .await;
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(export.body["wechat"]["openid"], "o-seeker-lina");
    let held: Vec<&str> = export.body["content_reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resolution"].as_str().unwrap_or("open"))
        .collect();
    assert_eq!(
        held.len(),
        4,
        "two held wishes, the résumé first saved unbound, the held résumé: {held:?}"
    );
    assert!(held.contains(&"removed") && held.contains(&"approved"));
}

async fn text_is_kept_and_queued_when_wechat_is_down(backend: Backend) {
    let wechat = FakeWechat::start().await;
    let app = wechat_app(backend, &wechat).await;
    let officer = app.officer().await;
    let seeker = app.register_as("seeker", "13812345678").await;
    bind(&app, &wechat, &seeker, "o-seeker").await;
    wechat.go_down();
    let mut body = profile_body("李娜");
    body["resume"] = json!("五年咖啡店经验，持健康证，会拉花。");
    let saved = app
        .put("/api/v1/me/profile", &body, Some(&seeker.access_token))
        .await;
    assert_eq!(saved.status, 201, "{}", saved.body);
    assert_eq!(saved.body["resume"], "五年咖啡店经验，持健康证，会拉花。");
    let queued = reviews(&app, &officer).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0]["field"], "resume");
    assert_eq!(queued[0]["suggest"], "unchecked");
    assert_eq!(queued[0]["content"], "五年咖啡店经验，持健康证，会拉花。");
    assert_eq!(queued[0]["subject_id"], seeker.account_id.to_string());

    // An account without an openid (and no fallback set) is stored and queued likewise,
    // without calling WeChat.
    wechat.come_up();
    let before = wechat.calls("/wxa/msg_sec_check");
    let other = app.register_as("seeker", "13812345679").await;
    let saved = app
        .put("/api/v1/me/profile", &body, Some(&other.access_token))
        .await;
    assert_eq!(saved.status, 201, "{}", saved.body);
    assert_eq!(wechat.calls("/wxa/msg_sec_check"), before);
    let queued = reviews(&app, &officer).await;
    assert_eq!(queued.len(), 2);
    assert!(
        queued[1]["reason"].as_str().unwrap().contains("openid"),
        "{queued:?}"
    );
}

fn client(wechat: &FakeWechat, app: &TestApp, holder: &str) -> Arc<Wechat> {
    Arc::new(Wechat::new(
        WechatConfig {
            base_url: wechat.base_url(),
            app_id: fake::APP_ID.into(),
            app_secret: fake::APP_SECRET.into(),
            timeout: Duration::from_secs(5),
        },
        app.db.clone(),
        holder.into(),
    ))
}

async fn two_instances_fetch_the_access_token_once(backend: Backend) {
    let wechat = FakeWechat::start().await;
    let app = wechat_app(backend, &wechat).await;
    let (a, b) = (
        client(&wechat, &app, "instance-a"),
        client(&wechat, &app, "instance-b"),
    );
    let calls = (0..8).map(|i| {
        let instance = if i % 2 == 0 { a.clone() } else { b.clone() };
        async move { instance.access_token().await.unwrap() }
    });
    let tokens = join_all(calls).await;
    assert_eq!(wechat.calls("/cgi-bin/stable_token"), 1);
    assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");
    // A third instance started later reads it from the database too.
    let c = client(&wechat, &app, "instance-c");
    assert_eq!(c.access_token().await.unwrap(), tokens[0]);
    assert_eq!(wechat.calls("/cgi-bin/stable_token"), 1);
}

async fn a_stale_token_is_refreshed_once_and_the_call_succeeds(backend: Backend) {
    let wechat = FakeWechat::start().await;
    let app = wechat_app(backend, &wechat).await;
    let (a, b) = (
        client(&wechat, &app, "instance-a"),
        client(&wechat, &app, "instance-b"),
    );
    let first = a.access_token().await.unwrap();
    assert_eq!(b.access_token().await.unwrap(), first);
    let check = json!({"content": "你好", "version": 2, "scene": 1, "openid": "o-x"});
    wechat.fail_next("/wxa/msg_sec_check", &[40001]);
    let answer = a.call_json("/wxa/msg_sec_check", &check).await.unwrap();
    assert_eq!(answer["result"]["suggest"], "pass");
    let requests = wechat.requests("/wxa/msg_sec_check");
    assert_eq!(requests.len(), 2, "refused once, then succeeded");
    let second = requests[1].query["access_token"].clone();
    assert_ne!(second, first, "called again with a new token");
    // One refresh: a normal fetch gave back the refused token, so a forced one followed.
    let fetches = wechat.requests("/cgi-bin/stable_token");
    assert_eq!(fetches.len(), 3);
    assert_eq!(fetches[2].json()["force_refresh"], true);
    // The other instance's old token is now ended (42001): it takes the new one from the
    // database, without fetching.
    let answer = b.call_json("/wxa/msg_sec_check", &check).await.unwrap();
    assert_eq!(answer["result"]["suggest"], "pass");
    assert_eq!(wechat.calls("/cgi-bin/stable_token"), 3);
    assert_eq!(
        wechat.requests("/wxa/msg_sec_check").last().unwrap().query["access_token"],
        second
    );
}

async fn without_wechat_the_routes_say_not_configured(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let answer = app
        .post(
            "/api/v1/me/wechat/subscriptions",
            &json!({"template_ids": [TEMPLATE]}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    assert_eq!(answer.problem_code(), "wechat_not_configured");
    // Content security is a no-op: text is stored and nothing is queued.
    let saved = app
        .put(
            "/api/v1/me/profile",
            &profile_body("李娜"),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(saved.status, 201, "{}", saved.body);
    let held = content_review::Entity::find().all(&app.db).await.unwrap();
    assert!(held.is_empty());
}

async fn the_job_sends_on_its_own(backend: Backend) {
    let wechat = FakeWechat::start().await;
    let app = spawn_app_with(backend, |s| {
        wechat.configure(s);
        s.wechat_template_application_status = Some(TEMPLATE.into());
        s.wechat_push_poll_ms = 50;
    })
    .await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("咖啡师")).await;
    let seeker = seeker_lina(&app, json!({"channels": ["inbox"]})).await;
    bind(&app, &wechat, &seeker, "o-seeker-lina").await;
    assert_eq!(subscribe(&app, &seeker, &[TEMPLATE]).await, 204);
    wechat.accept("o-seeker-lina", TEMPLATE);
    let applied = app.apply(&seeker, posting, "").await;
    let id = applied.body["id"].as_str().unwrap().to_owned();
    let moved = app
        .post(
            &format!("/api/v1/applications/{id}/transitions"),
            &json!({"to": "viewed"}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    for _ in 0..100 {
        if !wechat.delivered().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(wechat.delivered().len(), 1);
    assert_eq!(
        wechat.delivered()[0]["data"]["thing1"]["value"],
        "申请进展：咖啡师"
    );
    // And never again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(wechat.calls(SEND), 1);
}

async fn quiet_hours_hold_a_message_until_they_end(backend: Backend) {
    // Quiet from the hour before now until two hours after, in Beijing time.
    let now = time::to_display(chrono::Utc::now());
    let push = json!({
        "channels": ["inbox"],
        "quiet_hours_start": format!("{:02}:00", (now.hour() + 23) % 24),
        "quiet_hours_end": format!("{:02}:00", (now.hour() + 2) % 24),
    });
    let wechat = FakeWechat::start().await;
    let s = scene_with_push(backend, &wechat, push).await;
    assert_eq!(subscribe(&s.app, &s.seeker, &[TEMPLATE]).await, 204);
    wechat.accept("o-seeker-lina", TEMPLATE);
    s.move_to(json!({"to": "viewed"})).await;

    let pass = sender(&s.app).run_once().await.unwrap();
    assert_eq!(pass.sent, 0);
    assert_eq!(wechat.calls(SEND), 0, "nothing is sent in quiet hours");
    // Held, not lost and not spent: due again after the quiet hours end.
    let messages = s.messages().await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].status, "pending");
    assert!(messages[0].next_attempt_at > chrono::Utc::now() + chrono::Duration::minutes(59));
    assert_eq!(s.unspent().await, 1, "the acceptance is kept for later");
    assert_eq!(sender(&s.app).run_once().await.unwrap().claimed, 0);
}
