//! Conversations beyond talking (issue 24): reports to the officers of the posting's
//! district, read only through a report with a reason (audited) and resolved with the
//! reporter told; search within one's own conversations under the masking rules; the
//! business's responsiveness on its postings; retention of conversations.

use chrono::{Duration, Utc};
use doorstep_domain::entities::{application, conversation, conversation_message, message_stream};
use doorstep_domain::media::DiskStore;
use doorstep_domain::retention::{self, Policy};
use doorstep_tests::market::{Shop, posting_body};
use doorstep_tests::{ApiResponse, Backend, Session, TestApp, on_both_databases, spawn_app_with};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    a_report_reaches_the_districts_officers_who_read_it_with_a_reason_and_resolve_it,
    bad_reports_are_refused_naming_the_field,
    search_finds_ones_own_messages_newest_first_and_never_a_masked_number,
    responsiveness_shows_on_postings_once_three_conversations_count,
    retention_deletes_quiet_conversations_without_an_application,
);

/// Somewhere the shop is not: 石路, west of the old town.
const ELSEWHERE: (f64, f64, f64, f64) = (31.30, 120.58, 31.33, 120.62);

struct World {
    app: TestApp,
    officer: Session,
    shop: Shop,
    posting: Uuid,
}

async fn world(backend: Backend) -> World {
    // Responsiveness figures are read on every request, so changes show at once.
    let app = spawn_app_with(backend, |s| s.responsiveness_cache_secs = 0).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("周末咖啡师")).await;
    World {
        app,
        officer,
        shop,
        posting,
    }
}

impl World {
    /// A seeker and the conversation they opened about the posting.
    async fn seeker_talking(&self, phone: &str, name: &str) -> (Session, String) {
        let seeker = self.app.seeker_with_profile(phone, name).await;
        let opened = self
            .app
            .post(
                &format!("/api/v1/postings/{}/conversations", self.posting),
                &json!({}),
                Some(&seeker.access_token),
            )
            .await;
        assert_eq!(opened.status, 201, "{}", opened.body);
        (seeker, opened.body["id"].as_str().unwrap().to_owned())
    }

    async fn say(&self, who: &Session, conversation: &str, text: &str) -> i64 {
        let sent = self
            .app
            .post(
                &format!("/api/v1/conversations/{conversation}/messages"),
                &json!({"kind": "text", "text": text}),
                Some(&who.access_token),
            )
            .await;
        assert_eq!(sent.status, 201, "{}", sent.body);
        sent.body["seq"].as_i64().unwrap()
    }

    async fn report(&self, who: &Session, conversation: &str, body: Value) -> ApiResponse {
        self.app
            .post(
                &format!("/api/v1/conversations/{conversation}/report"),
                &body,
                Some(&who.access_token),
            )
            .await
    }

    async fn search(&self, who: &Session, query: &str) -> ApiResponse {
        self.app
            .get(
                &format!("/api/v1/conversations/search?{query}"),
                Some(&who.access_token),
            )
            .await
    }
}

fn ids(response: &ApiResponse) -> Vec<String> {
    response.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_report_reaches_the_districts_officers_who_read_it_with_a_reason_and_resolve_it(
    backend: Backend,
) {
    let w = world(backend).await;
    let app = &w.app;
    let merchant = &w.shop.merchant;
    let elsewhere_district = app.create_district("石路片区", ELSEWHERE).await;
    let elsewhere = app
        .create_officer_in("13700000511", &[elsewhere_district])
        .await;
    let (seeker, conversation) = w.seeker_talking("13812345678", "李娜").await;

    // Nothing to report before the other side writes.
    let early = w
        .report(&seeker, &conversation, json!({"reason": "harassment"}))
        .await;
    assert_eq!(early.status, 409, "{}", early.body);
    assert_eq!(early.problem_code(), "nothing_to_report");

    w.say(&seeker, &conversation, "你好，周末还招人吗？").await;
    let contact = w
        .say(merchant, &conversation, "加我微信：lina_2026 详细聊")
        .await;
    let rude = w
        .say(merchant, &conversation, "你这种条件还挑什么，爱来不来")
        .await;

    let filed = w
        .report(
            &seeker,
            &conversation,
            json!({"reason": "harassment", "seq": rude, "note": "语气很不尊重人"}),
        )
        .await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    assert_eq!(filed.body["status"], "open");
    assert_eq!(filed.body["seq"], rude);
    let report = filed.body["id"].as_str().unwrap().to_owned();
    let again = w
        .report(
            &seeker,
            &conversation,
            json!({"reason": "scam", "seq": rude}),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(again.problem_code(), "already_reported");
    // The business may report the conversation too (the seeker wrote in it).
    let theirs = w
        .report(
            merchant,
            &conversation,
            json!({"reason": "other", "note": "对方频繁骚扰"}),
        )
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.body);
    assert_eq!(theirs.body["seq"], Value::Null);

    // Only staff have a queue; an officer's holds their districts' reports only.
    for who in [&seeker, merchant] {
        let refused = app
            .get("/api/v1/conversation-reports", Some(&who.access_token))
            .await;
        assert_eq!(refused.status, 403, "{}", refused.body);
    }
    let queue = app
        .get(
            "/api/v1/conversation-reports",
            Some(&w.officer.access_token),
        )
        .await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert_eq!(ids(&queue).len(), 2, "{}", queue.body);
    assert_eq!(queue.body["items"][0]["id"], report.as_str());
    assert_eq!(queue.body["items"][0]["posting_title"], "周末咖啡师");
    assert_eq!(queue.body["items"][0]["reason"], "harassment");
    assert_eq!(
        queue.body["items"][0]["reported_id"],
        merchant.account_id.to_string()
    );
    let none = app
        .get(
            "/api/v1/conversation-reports",
            Some(&elsewhere.access_token),
        )
        .await;
    assert_eq!(none.status, 200, "{}", none.body);
    assert!(ids(&none).is_empty(), "{}", none.body);

    // Officers do not read conversations directly, only through a report, with a reason.
    let direct = app
        .get(
            &format!("/api/v1/conversations/{conversation}/messages"),
            Some(&w.officer.access_token),
        )
        .await;
    assert_eq!(direct.status, 404, "{}", direct.body);
    let path = format!("/api/v1/conversation-reports/{report}");
    let unexplained = app.get(&path, Some(&w.officer.access_token)).await;
    assert_eq!(unexplained.status, 422, "{}", unexplained.body);
    assert_eq!(
        unexplained.field_errors(),
        [("reason".to_owned(), "reason_required".to_owned())]
    );
    let with_reason = format!("{path}?reason=%E6%A0%B8%E5%AE%9E%E4%B8%BE%E6%8A%A5");
    let outside = app.get(&with_reason, Some(&elsewhere.access_token)).await;
    assert_eq!(outside.status, 404, "{}", outside.body);
    let stranger = app.get(&with_reason, Some(&seeker.access_token)).await;
    assert_eq!(stranger.status, 403, "{}", stranger.body);
    let read = app.get(&with_reason, Some(&w.officer.access_token)).await;
    assert_eq!(read.status, 200, "{}", read.body);
    let messages = read.body["messages"].as_array().unwrap();
    let seqs: Vec<i64> = messages
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [1, contact, rude]);
    // As written: the officer sees the WeChat id the seeker sees masked.
    let shown = &messages[(contact - 1) as usize];
    assert_eq!(shown["body"], "加我微信：lina_2026 详细聊");
    assert_eq!(shown["masked"], false);
    // The read is in the audit log, with its reason.
    let admin = app.admin().await;
    let audit = app
        .get(
            "/api/v1/audit?action=read_conversation",
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    let entries = audit.body["items"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{}", audit.body);
    assert_eq!(entries[0]["reason"], "核实举报");
    assert_eq!(entries[0]["object_id"], conversation.as_str());
    assert_eq!(entries[0]["actor_id"], w.officer.account_id.to_string());

    // Resolving: bad input, someone else's district, then a suspension.
    let resolve = format!("{path}/resolve");
    let odd = app
        .post(
            &resolve,
            &json!({"outcome": "warned", "suspend_days": 3}),
            Some(&w.officer.access_token),
        )
        .await;
    assert_eq!(odd.status, 422, "{}", odd.body);
    assert_eq!(
        odd.field_errors(),
        [("suspend_days".to_owned(), "not_allowed".to_owned())]
    );
    let suspend = json!({"outcome": "suspended", "suspend_days": 7, "note": "多次辱骂求职者"});
    let not_theirs = app
        .post(&resolve, &suspend, Some(&elsewhere.access_token))
        .await;
    assert_eq!(not_theirs.status, 404, "{}", not_theirs.body);
    let by_merchant = app
        .post(&resolve, &suspend, Some(&merchant.access_token))
        .await;
    assert_eq!(by_merchant.status, 403, "{}", by_merchant.body);
    let done = app
        .post(&resolve, &suspend, Some(&w.officer.access_token))
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["status"], "resolved");
    assert_eq!(done.body["outcome"], "suspended");
    assert!(done.body["suspended_until"].is_string(), "{}", done.body);
    let twice = app
        .post(&resolve, &suspend, Some(&w.officer.access_token))
        .await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert_eq!(twice.problem_code(), "already_resolved");
    let open_now = app
        .get(
            "/api/v1/conversation-reports",
            Some(&w.officer.access_token),
        )
        .await;
    assert_eq!(ids(&open_now).len(), 1, "{}", open_now.body);
    let all = app
        .get(
            "/api/v1/conversation-reports?open_only=false",
            Some(&w.officer.access_token),
        )
        .await;
    assert_eq!(ids(&all).len(), 2, "{}", all.body);

    // The reporter hears the outcome; the reported merchant is told of the suspension.
    assert!(
        app.inbox_kinds(&seeker)
            .await
            .contains(&"conversation_report_resolved".to_owned())
    );
    assert!(
        app.inbox_kinds(merchant)
            .await
            .contains(&"conversation_suspension".to_owned())
    );
    // Suspended: no new conversations, while the existing one goes on.
    let other = app.seeker_with_profile("13812340000", "王芳").await;
    assert_eq!(app.apply(&other, w.posting, "").await.status, 201);
    let refused = app
        .post(
            "/api/v1/conversations",
            &json!({"posting_id": w.posting, "seeker_id": other.account_id}),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.problem_code(), "conversations_suspended");
    w.say(merchant, &conversation, "抱歉，刚才说话太冲了。")
        .await;

    // The merchant's report of the conversation, dismissed: the merchant is told.
    let second = ids(&open_now)[0].clone();
    let dismissed = app
        .post(
            &format!("/api/v1/conversation-reports/{second}/resolve"),
            &json!({"outcome": "dismissed"}),
            Some(&w.officer.access_token),
        )
        .await;
    assert_eq!(dismissed.status, 200, "{}", dismissed.body);
    assert_eq!(dismissed.body["suspended_until"], Value::Null);
    assert!(
        app.inbox_kinds(merchant)
            .await
            .contains(&"conversation_report_resolved".to_owned())
    );
    assert!(
        !app.inbox_kinds(&seeker)
            .await
            .iter()
            .any(|k| k == "conversation_warning" || k == "conversation_suspension")
    );

    // The reporter's export holds the report and its outcome; erasing the account erases
    // the note, while the officers keep the report.
    let export = app
        .get("/api/v1/me/export", Some(&seeker.access_token))
        .await;
    assert_eq!(export.status, 200, "{}", export.body);
    let exported = export.body["conversation_reports"].as_array().unwrap();
    assert_eq!(exported.len(), 1, "{}", export.body);
    assert_eq!(exported[0]["note"], "语气很不尊重人");
    assert_eq!(exported[0]["outcome"], "suspended");
    let erased = app.delete("/api/v1/me", Some(&seeker.access_token)).await;
    assert!(erased.status < 300, "{}", erased.body);
    let kept = app
        .get(
            "/api/v1/conversation-reports?open_only=false",
            Some(&w.officer.access_token),
        )
        .await;
    let theirs: Vec<&Value> = kept.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == report.as_str())
        .collect();
    assert_eq!(theirs.len(), 1, "{}", kept.body);
    assert_eq!(theirs[0]["note"], Value::Null);
    assert_eq!(theirs[0]["outcome"], "suspended");
}

async fn bad_reports_are_refused_naming_the_field(backend: Backend) {
    let w = world(backend).await;
    let merchant = &w.shop.merchant;
    let (seeker, conversation) = w.seeker_talking("13812345678", "李娜").await;
    let mine = w.say(&seeker, &conversation, "你好").await;
    let theirs = w.say(merchant, &conversation, "你好，岗位还在招。").await;
    let cases = [
        (
            json!({"reason": "harassment", "seq": mine}),
            422,
            "seq",
            "own_message",
        ),
        (
            json!({"reason": "harassment", "seq": 99}),
            422,
            "seq",
            "unknown_message",
        ),
        (
            json!({"reason": "other", "seq": theirs}),
            422,
            "note",
            "required",
        ),
        (
            json!({"reason": "scam", "seq": theirs, "note": "骗".repeat(501)}),
            422,
            "note",
            "too_long",
        ),
    ];
    for (body, status, field, code) in cases {
        let refused = w.report(&seeker, &conversation, body.clone()).await;
        assert_eq!(refused.status, status, "{body}: {}", refused.body);
        assert_eq!(
            refused.field_errors(),
            [(field.to_owned(), code.to_owned())],
            "{body}"
        );
    }
    // Not one of the reasons, or a field the route does not take: 400.
    for body in [
        json!({"reason": "spam", "seq": theirs}),
        json!({"reason": "scam", "seq": theirs, "block": true}),
    ] {
        let refused = w.report(&seeker, &conversation, body.clone()).await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.body);
    }
    // Someone else's conversation does not exist for them, nor for the officer.
    let stranger = w.app.seeker_with_profile("13812340000", "王芳").await;
    for who in [&stranger, &w.officer] {
        let hidden = w
            .report(who, &conversation, json!({"reason": "scam", "seq": theirs}))
            .await;
        assert_eq!(hidden.status, 404, "{}", hidden.body);
    }
    let unknown = w
        .report(
            &seeker,
            &Uuid::now_v7().to_string(),
            json!({"reason": "scam"}),
        )
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    // Nothing was filed.
    let queue = w
        .app
        .get(
            "/api/v1/conversation-reports",
            Some(&w.officer.access_token),
        )
        .await;
    assert!(ids(&queue).is_empty(), "{}", queue.body);
}

fn hits(response: &ApiResponse) -> Vec<(String, i64)> {
    assert_eq!(response.status, 200, "{}", response.body);
    response.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["conversation_id"].as_str().unwrap().to_owned(),
                h["seq"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn search_finds_ones_own_messages_newest_first_and_never_a_masked_number(backend: Backend) {
    let w = world(backend).await;
    let merchant = &w.shop.merchant;
    let (lina, hers) = w.seeker_talking("13812345678", "李娜").await;
    let (fang, his) = w.seeker_talking("13812340000", "王芳").await;
    let asked = w.say(&lina, &hers, "周六上午可以面试吗？").await;
    let answered = w
        .say(merchant, &hers, "周六上午十点来店里面试，带上健康证")
        .await;
    let number = w.say(merchant, &hers, "有事打我电话13912345678").await;
    let other = w.say(&fang, &his, "周六我也想来面试").await;
    w.say(&lina, &hers, "好的，100%准时到").await;

    // Every word must appear; newest first; only the caller's conversations.
    let found = w
        .search(&lina, "q=%E9%9D%A2%E8%AF%95%20%E5%91%A8%E5%85%AD")
        .await;
    assert_eq!(
        hits(&found),
        [(hers.clone(), answered), (hers.clone(), asked)]
    );
    let first = &found.body["items"][0];
    assert_eq!(first["posting_title"], "周末咖啡师");
    assert_eq!(first["other_name"], "漫咖啡 圆融店");
    assert_eq!(first["side"], "business");
    assert!(
        first["snippet"].as_str().unwrap().contains("面试"),
        "{first}"
    );
    // The merchant finds it in both conversations.
    let theirs = w.search(merchant, "q=%E9%9D%A2%E8%AF%95").await;
    assert_eq!(
        hits(&theirs),
        [
            (his.clone(), other),
            (hers.clone(), answered),
            (hers.clone(), asked)
        ]
    );
    // Page by page, the same messages in the same order.
    let mut paged = Vec::new();
    let mut query = "q=%E9%9D%A2%E8%AF%95&limit=1".to_owned();
    loop {
        let page = w.search(merchant, &query).await;
        paged.extend(hits(&page));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => query = format!("q=%E9%9D%A2%E8%AF%95&limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(paged, hits(&theirs));

    // The merchant's number is masked for the seeker, so it cannot be found by her…
    assert!(hits(&w.search(&lina, "q=139").await).is_empty());
    assert!(hits(&w.search(&lina, "q=12345678").await).is_empty());
    let word = w.search(&lina, "q=%E7%94%B5%E8%AF%9D").await;
    assert_eq!(hits(&word), [(hers.clone(), number)]);
    assert_eq!(word.body["items"][0]["masked"], true);
    assert!(
        !word.body["items"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("139"),
        "{}",
        word.body
    );
    // …while the merchant finds his own words.
    assert_eq!(
        hits(&w.search(merchant, "q=139").await),
        [(hers.clone(), number)]
    );
    // `%` and `_` are characters, not wildcards.
    assert_eq!(hits(&w.search(&lina, "q=%25").await).len(), 1);
    assert!(hits(&w.search(&lina, "q=_").await).is_empty());

    // Once she agrees to exchange contacts, the number is hers to find.
    let shared = w
        .app
        .post(
            &format!("/api/v1/conversations/{hers}/contact-consent"),
            &json!({}),
            Some(&lina.access_token),
        )
        .await;
    assert_eq!(shared.status, 201, "{}", shared.body);
    let now_found = w.search(&lina, "q=139").await;
    assert_eq!(hits(&now_found), [(hers.clone(), number)]);
    assert_eq!(now_found.body["items"][0]["masked"], false);

    // Bad queries name `q`; staff have no conversations to search.
    for query in [
        "",
        "q=",
        "q=%20%20",
        "q=%E9%9D%A2%00",
        &format!("q={}", "a".repeat(51)),
    ] {
        let bad = w.search(&lina, query).await;
        assert_eq!(bad.status, 400, "{query}: {}", bad.body);
        assert_eq!(bad.field_errors()[0].0, "q", "{query}: {}", bad.body);
    }
    let unknown = w.search(&lina, "q=x&page=2").await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    let officer = w.search(&w.officer, "q=x").await;
    assert_eq!(officer.status, 403, "{}", officer.body);
    let anonymous = w.app.get("/api/v1/conversations/search?q=x", None).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
}

/// Moves a conversation's first seeker message back by `asked_ago`, with the first reply
/// `reply_after` later (none: unanswered).
async fn backdate(app: &TestApp, id: &str, asked_ago: Duration, reply_after: Option<Duration>) {
    let asked = Utc::now() - asked_ago;
    conversation::Entity::update_many()
        .col_expr(conversation::Column::SeekerFirstAt, Expr::value(asked))
        .col_expr(
            conversation::Column::FirstReplyAt,
            Expr::value(reply_after.map(|after| asked + after)),
        )
        .filter(conversation::Column::Id.eq(id.parse::<Uuid>().unwrap()))
        .exec(&app.db)
        .await
        .unwrap();
}

async fn responsiveness_of(app: &TestApp, posting: Uuid) -> Value {
    let got = app.get(&format!("/api/v1/postings/{posting}"), None).await;
    assert_eq!(got.status, 200, "{}", got.body);
    got.body["responsiveness"].clone()
}

async fn responsiveness_shows_on_postings_once_three_conversations_count(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let merchant = &w.shop.merchant;
    assert_eq!(responsiveness_of(app, w.posting).await, Value::Null);

    let (a, first) = w.seeker_talking("13812340001", "甲").await;
    let (b, second) = w.seeker_talking("13812340002", "乙").await;
    let (c, third) = w.seeker_talking("13812340003", "丙").await;
    for (who, id) in [(&a, &first), (&b, &second), (&c, &third)] {
        w.say(who, id, "你好，还招人吗？").await;
    }
    w.say(merchant, &first, "你好，岗位还在招。").await;
    w.say(merchant, &second, "在的。").await;
    // The first reply is stamped once; later messages leave it.
    let stamped = |id: &str| {
        let id: Uuid = id.parse().unwrap();
        let db = app.db.clone();
        async move {
            conversation::Entity::find_by_id(id)
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let before = stamped(&first).await;
    assert!(before.seeker_first_at.is_some() && before.first_reply_at.is_some());
    w.say(&a, &first, "好的，谢谢").await;
    w.say(merchant, &first, "不客气").await;
    let after = stamped(&first).await;
    assert_eq!(after.first_reply_at, before.first_reply_at);
    assert_eq!(after.seeker_first_at, before.seeker_first_at);
    // A question asked a moment ago is not unanswered yet: two count, too few to say.
    assert_eq!(
        stamped(&third).await.first_reply_at,
        None,
        "unanswered so far"
    );
    assert_eq!(responsiveness_of(app, w.posting).await, Value::Null);

    // A conversation the business opened does not count, however long it waits.
    let d = app.seeker_with_profile("13812340004", "丁").await;
    assert_eq!(app.apply(&d, w.posting, "").await.status, 201);
    let opened = app
        .post(
            "/api/v1/conversations",
            &json!({"posting_id": w.posting, "seeker_id": d.account_id}),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let fourth = opened.body["id"].as_str().unwrap().to_owned();
    w.say(&d, &fourth, "您好").await;
    backdate(app, &fourth, Duration::days(2), None).await;

    // Answered in 10 and 30 minutes; the third waited two days with no answer.
    backdate(app, &first, Duration::hours(5), Some(Duration::minutes(10))).await;
    backdate(
        app,
        &second,
        Duration::hours(5),
        Some(Duration::minutes(30)),
    )
    .await;
    backdate(app, &third, Duration::days(2), None).await;
    let figure = responsiveness_of(app, w.posting).await;
    assert_eq!(
        figure,
        json!({"conversations": 3, "reply_rate": 0.67, "median_first_reply_minutes": 20})
    );
    // The public list shows the same figure.
    let listed = app.get("/api/v1/postings", None).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let mine = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == w.posting.to_string())
        .cloned()
        .unwrap();
    assert_eq!(mine["responsiveness"], figure);
    // An answer after two days counts in the median, not in the rate.
    backdate(app, &third, Duration::days(3), Some(Duration::days(2))).await;
    let later = responsiveness_of(app, w.posting).await;
    assert_eq!(later["reply_rate"], 0.67);
    assert_eq!(later["median_first_reply_minutes"], 30);
}

async fn retention_deletes_quiet_conversations_without_an_application(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let merchant = &w.shop.merchant;
    let (a, chatted) = w.seeker_talking("13812340001", "甲").await;
    let (b, applied) = w.seeker_talking("13812340002", "乙").await;
    let (c, reported) = w.seeker_talking("13812340003", "丙").await;
    let (d, recent) = w.seeker_talking("13812340004", "丁").await;
    for (who, id) in [
        (&a, &chatted),
        (&b, &applied),
        (&c, &reported),
        (&d, &recent),
    ] {
        w.say(who, id, "你好，还招人吗？").await;
        w.say(merchant, id, "在的。").await;
    }
    assert_eq!(app.apply(&b, w.posting, "").await.status, 201);
    let filed = w
        .report(&c, &reported, json!({"reason": "scam", "seq": 2}))
        .await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    let now = Utc::now();
    let quiet = |id: &str, days: i64| {
        let id: Uuid = id.parse().unwrap();
        let db = app.db.clone();
        async move {
            conversation::Entity::update_many()
                .col_expr(
                    conversation::Column::LastMessageAt,
                    Expr::value(now - Duration::days(days)),
                )
                .filter(conversation::Column::Id.eq(id))
                .exec(&db)
                .await
                .unwrap();
        }
    };
    for id in [&chatted, &applied, &reported] {
        quiet(id, 200).await;
    }
    quiet(&recent, 10).await;
    let exists = |id: &str| {
        let id: Uuid = id.parse().unwrap();
        let db = app.db.clone();
        async move {
            let messages = conversation_message::Entity::find()
                .filter(conversation_message::Column::ConversationId.eq(id))
                .all(&db)
                .await
                .unwrap()
                .len();
            let row = conversation::Entity::find_by_id(id)
                .one(&db)
                .await
                .unwrap()
                .is_some();
            (row, messages)
        }
    };

    let store = DiskStore::new(app.settings.media_dir());
    let policy = Policy::default();
    let first = retention::run(&app.db, &store, now, &policy).await.unwrap();
    assert_eq!(first.conversations_deleted, 1, "{first:?}");
    assert_eq!(first.conversation_messages_deleted, 2, "{first:?}");
    assert_eq!(exists(&chatted).await, (false, 0));
    // Their places in the seeker's and the business's real-time streams go too.
    let placed = |id: &str| {
        let id: Uuid = id.parse().unwrap();
        let db = app.db.clone();
        async move {
            message_stream::Entity::find()
                .filter(message_stream::Column::ConversationId.eq(id))
                .all(&db)
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(placed(&chatted).await, 0);
    assert_eq!(placed(&applied).await, 4, "two messages in two streams");
    // An application keeps it as a recruiting record; an open report keeps the evidence;
    // ten quiet days are within the period.
    assert_eq!(exists(&applied).await, (true, 2));
    assert_eq!(exists(&reported).await, (true, 2));
    assert_eq!(exists(&recent).await, (true, 2));
    let gone = app
        .get(
            &format!("/api/v1/conversations/{chatted}"),
            Some(&a.access_token),
        )
        .await;
    assert_eq!(gone.status, 404, "{}", gone.body);
    // A second run changes nothing.
    let second = retention::run(&app.db, &store, now, &policy).await.unwrap();
    assert_eq!(second.conversations_deleted, 0, "{second:?}");

    // The period is a setting.
    let short = Policy {
        conversation_days: 5,
    };
    let third = retention::run(&app.db, &store, now, &short).await.unwrap();
    assert_eq!(third.conversations_deleted, 1, "{third:?}");
    assert_eq!(exists(&recent).await, (false, 0));
    // Once the application is anonymised, its conversation goes too.
    application::Entity::update_many()
        .col_expr(application::Column::AnonymisedAt, Expr::value(now))
        .filter(application::Column::PostingId.eq(w.posting))
        .exec(&app.db)
        .await
        .unwrap();
    let fourth = retention::run(&app.db, &store, now, &policy).await.unwrap();
    assert_eq!(fourth.conversations_deleted, 1, "{fourth:?}");
    assert_eq!(exists(&applied).await, (false, 0));
    assert_eq!(exists(&reported).await, (true, 2));
}
