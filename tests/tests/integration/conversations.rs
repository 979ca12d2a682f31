//! Conversations between seekers and businesses (issue 24, items 1 and 3): opening,
//! messages in order and once, read receipts, who may read, contacts masked until the
//! seeker consents.

use doorstep_api::config::Settings;
use doorstep_tests::market::posting_body;
use doorstep_tests::talk::Talk;
use doorstep_tests::{Backend, Session, on_both_databases};
use futures_util::future::join_all;
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    a_seeker_and_a_merchant_talk_about_a_posting,
    only_the_two_sides_and_members_read_or_write,
    typed_contacts_are_masked_until_the_seeker_agrees,
    bad_messages_are_refused_naming_the_field,
    concurrent_messages_are_numbered_once_each,
    a_seekers_messages_are_exported_and_erased_with_the_account,
    scam_phrases_warn_the_recipient_queue_for_an_officer_and_suspend,
    a_blocked_side_cannot_write_either_way,
    too_many_messages_or_new_conversations_get_429,
    an_interview_agreed_in_the_conversation_moves_the_application,
);

async fn talk(backend: Backend) -> Talk {
    Talk::start(backend).await
}

async fn talk_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Talk {
    Talk::start_with(backend, configure).await
}

/// What these tests ask of a conversation beyond [`Talk`].
trait Asks {
    async fn say(&self, who: &Session, text: &str) -> i64;
    async fn read(&self, who: &Session, query: &str) -> Vec<Value>;
    async fn view(&self, who: &Session) -> Value;
}

impl Asks for Talk {
    async fn say(&self, who: &Session, text: &str) -> i64 {
        let sent = self.send(who, json!({"kind": "text", "text": text})).await;
        assert_eq!(sent.status, 201, "{}", sent.body);
        sent.body["seq"].as_i64().unwrap()
    }

    async fn read(&self, who: &Session, query: &str) -> Vec<Value> {
        let page = self
            .app
            .get(
                &self.path(&format!("/messages?{query}")),
                Some(&who.access_token),
            )
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        page.body["items"].as_array().unwrap().clone()
    }

    async fn view(&self, who: &Session) -> Value {
        let got = self.app.get(&self.path(""), Some(&who.access_token)).await;
        assert_eq!(got.status, 200, "{}", got.body);
        got.body
    }
}

fn seqs(messages: &[Value]) -> Vec<i64> {
    messages
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect()
}

async fn a_seeker_and_a_merchant_talk_about_a_posting(backend: Backend) {
    let t = talk(backend).await;
    let merchant = &t.shop.merchant;
    // Opening again returns the same conversation.
    let again = t
        .app
        .post(
            &format!("/api/v1/postings/{}/conversations", t.posting),
            &json!({}),
            Some(&t.seeker.access_token),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["id"], t.conversation.as_str());

    let quick = t.app.get("/api/v1/conversations/quick-replies", None).await;
    let ask = quick.body["seeker"][0].as_str().unwrap().to_owned();
    let asked = t
        .send(&t.seeker, json!({"kind": "quick_reply", "text": ask}))
        .await;
    assert_eq!(asked.status, 201, "{}", asked.body);
    assert_eq!(asked.body["seq"], 1);

    // The merchant's list shows it, unread, with the posting's title.
    let listed = t
        .app
        .get("/api/v1/conversations", Some(&merchant.access_token))
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let first = &listed.body["items"][0];
    assert_eq!(first["id"], t.conversation.as_str());
    assert_eq!(first["posting_title"], "周末咖啡师");
    assert_eq!(first["side"], "business");
    assert_eq!(first["unread"], 1);
    assert_eq!(
        t.view(&t.seeker).await["unread"],
        0,
        "one's own message is read"
    );

    // The merchant reads: the seeker sees the receipt.
    let read = t
        .app
        .post(
            &t.path("/read"),
            &json!({"seq": 1}),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["unread"], 0);
    assert_eq!(t.view(&t.seeker).await["their_read_seq"], 1);

    // Cards: the shop's location and a posting.
    let location = t.send(merchant, json!({"kind": "location_card"})).await;
    assert_eq!(location.status, 201, "{}", location.body);
    assert!(location.body["data"]["lat"].is_number());
    let card = t
        .send(
            merchant,
            json!({"kind": "posting_card", "posting_id": t.posting}),
        )
        .await;
    assert_eq!(card.status, 201, "{}", card.body);
    assert_eq!(card.body["data"]["title"], "周末咖啡师");
    t.say(merchant, "周六上午十点来店里面试可以吗？").await;

    // What the seeker missed after 1, in order and once; nothing after the last.
    let missed = t.read(&t.seeker, "after=1").await;
    assert_eq!(seqs(&missed), vec![2, 3, 4]);
    assert_eq!(missed[0]["kind"], "location_card");
    assert!(t.read(&t.seeker, "after=4").await.is_empty());
    let mut paged = Vec::new();
    let mut query = "limit=1".to_owned();
    loop {
        let page = t
            .app
            .get(
                &t.path(&format!("/messages?{query}")),
                Some(&t.seeker.access_token),
            )
            .await;
        paged.extend(seqs(page.body["items"].as_array().unwrap()));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(paged, vec![1, 2, 3, 4]);
    let seen = t.view(&t.seeker).await;
    assert_eq!(seen["unread"], 3);
    assert_eq!(seen["last_seq"], 4);
    // Read receipts never go backwards.
    let back = t
        .app
        .post(
            &t.path("/read"),
            &json!({"seq": 0}),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(back.body["read_seq"], 4);
}

async fn only_the_two_sides_and_members_read_or_write(backend: Backend) {
    let t = talk(backend).await;
    t.say(&t.seeker, "周末能排班吗？").await;
    let stranger = t.app.seeker_with_profile("13812340000", "王芳").await;
    let officer = &t.officer;
    let other_officer_shop = t.app.verified_shop("13912340000", officer).await;
    for who in [&stranger, officer, &other_officer_shop.merchant] {
        assert_eq!(
            t.app.get(&t.path(""), Some(&who.access_token)).await.status,
            404
        );
        assert_eq!(
            t.app
                .get(&t.path("/messages"), Some(&who.access_token))
                .await
                .status,
            404
        );
        assert_eq!(
            t.send(who, json!({"kind": "text", "text": "你好"}))
                .await
                .status,
            404
        );
    }
    assert_eq!(t.app.get(&t.path(""), None).await.status, 401);
    // A member of the business reads and writes as the business.
    let member = t.app.register_as("merchant", "13912349999").await;
    let added = t
        .app
        .post(
            &format!("/api/v1/businesses/{}/members", t.shop.business_id),
            &json!({"login": "13912349999"}),
            Some(&t.shop.merchant.access_token),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(t.view(&member).await["side"], "business");
    t.say(&member, "可以的，周六日都有班。").await;
    assert_eq!(seqs(&t.read(&t.seeker, "").await), vec![1, 2]);

    // Opening: the seeker from an open posting only; the business only with a seeker tied
    // to the posting; neither through the other's route.
    let draft = t
        .app
        .as_user(&t.shop.merchant)
        .create_posting(t.shop.business_id, &posting_body("收银员"))
        .await
        .unwrap()
        .id;
    let hidden = t
        .app
        .post(
            &format!("/api/v1/postings/{draft}/conversations"),
            &json!({}),
            Some(&stranger.access_token),
        )
        .await;
    assert_eq!(hidden.status, 404);
    let wrong_route = t
        .app
        .post(
            &format!("/api/v1/postings/{}/conversations", t.posting),
            &json!({}),
            Some(&t.shop.merchant.access_token),
        )
        .await;
    assert_eq!(wrong_route.status, 403);
    let open_with = |seeker: Uuid| json!({"posting_id": t.posting, "seeker_id": seeker});
    let untied = t
        .app
        .post(
            "/api/v1/conversations",
            &open_with(stranger.account_id),
            Some(&t.shop.merchant.access_token),
        )
        .await;
    assert_eq!(untied.status, 409, "{}", untied.body);
    assert_eq!(untied.problem_code(), "no_conversation_grounds");
    let applied = t.app.apply(&stranger, t.posting, "").await;
    assert_eq!(applied.status, 201, "{}", applied.body);
    let tied = t
        .app
        .post(
            "/api/v1/conversations",
            &open_with(stranger.account_id),
            Some(&t.shop.merchant.access_token),
        )
        .await;
    assert_eq!(tied.status, 201, "{}", tied.body);
    assert!(tied.body["seeker_name"].is_string());
    // Someone else's business cannot open about this posting.
    let foreign = t
        .app
        .post(
            "/api/v1/conversations",
            &open_with(stranger.account_id),
            Some(&other_officer_shop.merchant.access_token),
        )
        .await;
    assert_eq!(foreign.status, 404, "{}", foreign.body);
    // Each sees only their own conversations.
    let mine = t
        .app
        .get("/api/v1/conversations", Some(&stranger.access_token))
        .await;
    let ids: Vec<&str> = mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![tied.body["id"].as_str().unwrap()]);
    let staff = t
        .app
        .get("/api/v1/conversations", Some(&officer.access_token))
        .await;
    assert_eq!(staff.status, 403);
}

async fn typed_contacts_are_masked_until_the_seeker_agrees(backend: Backend) {
    let t = talk(backend).await;
    let merchant = &t.shop.merchant;
    t.say(merchant, "方便的话加我微信：shop_2026，或者打13912345678")
        .await;
    t.say(&t.seeker, "我的电话是 138 1234 5678").await;

    // Each side sees its own words; the other side's contacts are hidden, saying why.
    let seeker_sees = t.read(&t.seeker, "").await;
    assert_eq!(seeker_sees[0]["masked"], true);
    assert_eq!(seeker_sees[0]["body"], "方便的话加我***，或者打***");
    assert!(
        seeker_sees[0]["note"]
            .as_str()
            .unwrap()
            .contains("联系方式")
    );
    assert_eq!(seeker_sees[1]["masked"], false);
    assert_eq!(seeker_sees[1]["body"], "我的电话是 138 1234 5678");
    let merchant_sees = t.read(merchant, "").await;
    assert_eq!(merchant_sees[0]["masked"], false);
    assert_eq!(merchant_sees[1]["body"], "我的电话是 ***");
    assert!(merchant_sees[1]["note"].is_string());
    let profile = format!("/api/v1/profiles/{}", t.seeker.account_id);
    let before = t.app.get(&profile, Some(&merchant.access_token)).await;
    assert_eq!(before.body["phone"], Value::Null);

    // Only the seeker can agree; either side can ask.
    let refused = t
        .app
        .post(
            &t.path("/contact-consent"),
            &json!({}),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(refused.status, 403);
    let asked = t
        .app
        .post(
            &t.path("/contact-request"),
            &json!({}),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(asked.status, 201, "{}", asked.body);
    assert_eq!(asked.body["kind"], "contact_request");
    let agreed = t
        .app
        .post(
            &t.path("/contact-consent"),
            &json!({}),
            Some(&t.seeker.access_token),
        )
        .await;
    assert_eq!(agreed.status, 201, "{}", agreed.body);
    assert_eq!(agreed.body["kind"], "contact_shared");

    // From then on nothing is masked, and the business sees the seeker's number.
    assert_eq!(t.view(merchant).await["contacts_shared"], true);
    let merchant_sees = t.read(merchant, "").await;
    assert_eq!(merchant_sees[1]["body"], "我的电话是 138 1234 5678");
    assert!(merchant_sees.iter().all(|m| m["masked"] == false));
    let seeker_sees = t.read(&t.seeker, "").await;
    assert_eq!(
        seeker_sees[0]["body"],
        "方便的话加我微信：shop_2026，或者打13912345678"
    );
    let after = t.app.get(&profile, Some(&merchant.access_token)).await;
    assert_eq!(after.body["phone"], "13812345678");
}

async fn bad_messages_are_refused_naming_the_field(backend: Backend) {
    let t = talk(backend).await;
    let other = t.app.verified_shop("13912340000", &t.officer).await;
    let elsewhere = t.app.open_posting(&other, &posting_body("理货员")).await;
    let cases = [
        (json!({"kind": "text", "text": "   "}), "text", "required"),
        (
            json!({"kind": "text", "text": "好".repeat(1001)}),
            "text",
            "too_long",
        ),
        (
            json!({"kind": "quick_reply", "text": "借我点钱"}),
            "text",
            "unknown_quick_reply",
        ),
        (
            json!({"kind": "location_card"}),
            "kind",
            "not_for_this_side",
        ),
        (
            json!({"kind": "contact_shared"}),
            "kind",
            "not_for_this_side",
        ),
        (json!({"kind": "posting_card"}), "posting_id", "required"),
        (
            json!({"kind": "posting_card", "posting_id": elsewhere}),
            "posting_id",
            "unknown_posting",
        ),
        (
            json!({"kind": "posting_card", "posting_id": t.posting, "text": "看看"}),
            "text",
            "field_not_for_kind",
        ),
    ];
    for (body, field, code) in cases {
        let refused = t.send(&t.seeker, body.clone()).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert_eq!(
            refused.field_errors(),
            vec![(field.to_owned(), code.to_owned())],
            "{body}"
        );
    }
    let unknown = t
        .send(
            &t.seeker,
            json!({"kind": "text", "text": "你好", "urgent": true}),
        )
        .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.problem_code(), "unknown_field");
    let kind = t
        .send(&t.seeker, json!({"kind": "voice", "text": "你好"}))
        .await;
    assert_eq!(kind.status, 400, "{}", kind.body);
    // Nothing was stored.
    assert!(t.read(&t.seeker, "").await.is_empty());
    assert_eq!(t.view(&t.seeker).await["last_seq"], 0);
}

async fn concurrent_messages_are_numbered_once_each(backend: Backend) {
    let t = talk(backend).await;
    let sends = (0..20).map(|i| {
        let who = if i % 2 == 0 {
            &t.seeker
        } else {
            &t.shop.merchant
        };
        t.send(who, json!({"kind": "text", "text": format!("第{i}条")}))
    });
    let sent = join_all(sends).await;
    assert!(
        sent.iter().all(|s| s.status == 201),
        "{:?}",
        sent.iter().map(|s| s.status).collect::<Vec<_>>()
    );
    let mut numbers: Vec<i64> = sent
        .iter()
        .map(|s| s.body["seq"].as_i64().unwrap())
        .collect();
    numbers.sort();
    assert_eq!(numbers, (1..=20).collect::<Vec<_>>());
    let all = t.read(&t.shop.merchant, "limit=50").await;
    assert_eq!(seqs(&all), (1..=20).collect::<Vec<_>>());
    assert_eq!(t.view(&t.seeker).await["last_seq"], 20);
}

async fn a_seekers_messages_are_exported_and_erased_with_the_account(backend: Backend) {
    let t = talk(backend).await;
    let merchant = &t.shop.merchant;
    t.say(&t.seeker, "我周末都有空，电话13812345678").await;
    t.say(merchant, "好的，周六来面试吧。").await;

    let export = t
        .app
        .get("/api/v1/me/export", Some(&t.seeker.access_token))
        .await;
    assert_eq!(export.status, 200, "{}", export.body);
    let conversations = export.body["conversations"].as_array().unwrap();
    assert_eq!(conversations.len(), 1);
    let bodies: Vec<&str> = conversations[0]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        vec!["我周末都有空，电话13812345678", "好的，周六来面试吧。"]
    );

    let erased = t
        .app
        .delete("/api/v1/me", Some(&t.seeker.access_token))
        .await;
    assert!(erased.status < 300, "{}", erased.body);
    // The business keeps the conversation and its own words; the seeker's are gone and the
    // seeker reads as 已注销用户.
    assert_eq!(t.view(merchant).await["seeker_name"], "已注销用户");
    let left = t.read(merchant, "").await;
    assert_eq!(seqs(&left), vec![1, 2]);
    assert!(
        !left[0]["body"].as_str().unwrap().contains("周末"),
        "{left:?}"
    );
    assert!(!left[0]["body"].as_str().unwrap().contains("138"));
    assert_eq!(left[1]["body"], "好的，周六来面试吧。");
}

/// The content reviews an officer sees for conversations.
async fn flagged(t: &Talk) -> Vec<Value> {
    let listed = t
        .app
        .get(
            "/api/v1/content-reviews?limit=50",
            Some(&t.officer.access_token),
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["subject_type"] == "conversation")
        .cloned()
        .collect()
}

async fn scam_phrases_warn_the_recipient_queue_for_an_officer_and_suspend(backend: Backend) {
    let t = talk_with(backend, |s| s.conversation_flags_to_suspend = 2).await;
    let merchant = &t.shop.merchant;
    t.say(merchant, "入职前需要先交押金300元，干满一个月退")
        .await;
    t.say(merchant, "周六上午十点来店里面试可以吗？").await;

    // The recipient is warned next to the message; the sender is not.
    let seeker_sees = t.read(&t.seeker, "").await;
    assert!(
        seeker_sees[0]["warning"].as_str().unwrap().contains("押金"),
        "{seeker_sees:?}"
    );
    assert_eq!(seeker_sees[1]["warning"], Value::Null);
    assert_eq!(t.read(merchant, "").await[0]["warning"], Value::Null);
    // An officer has it in the queue, with the conversation and what it tripped.
    let queued = flagged(&t).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0]["subject_id"], t.conversation.as_str());
    assert_eq!(queued[0]["suggest"], "scam");
    assert!(queued[0]["reason"].as_str().unwrap().starts_with("fee"));
    assert_eq!(queued[0]["account_id"], merchant.account_id.to_string());

    // A second flag reaches the threshold: no new conversations, but replies go on.
    t.say(merchant, "把身份证正反面拍照发给我").await;
    let other = t.app.seeker_with_profile("13812340000", "王芳").await;
    assert_eq!(t.app.apply(&other, t.posting, "").await.status, 201);
    let open = json!({"posting_id": t.posting, "seeker_id": other.account_id});
    let suspended = t
        .app
        .post("/api/v1/conversations", &open, Some(&merchant.access_token))
        .await;
    assert_eq!(suspended.status, 409, "{}", suspended.body);
    assert_eq!(suspended.problem_code(), "conversations_suspended");
    t.say(merchant, "好的，不方便的话到店里再办。").await;

    // Once an officer has looked at both, the business may open conversations again.
    for review in flagged(&t).await {
        let done = t
            .app
            .post(
                &format!(
                    "/api/v1/content-reviews/{}/resolve",
                    review["id"].as_str().unwrap()
                ),
                &json!({"resolution": "approved"}),
                Some(&t.officer.access_token),
            )
            .await;
        assert_eq!(done.status, 200, "{}", done.body);
    }
    let reopened = t
        .app
        .post("/api/v1/conversations", &open, Some(&merchant.access_token))
        .await;
    assert_eq!(reopened.status, 201, "{}", reopened.body);
}

async fn a_blocked_side_cannot_write_either_way(backend: Backend) {
    let t = talk(backend).await;
    let merchant = &t.shop.merchant;
    t.say(merchant, "你好，岗位还在招。").await;
    let blocked = t
        .app
        .post(&t.path("/block"), &json!({}), Some(&t.seeker.access_token))
        .await;
    assert_eq!(blocked.status, 200, "{}", blocked.body);
    assert_eq!(blocked.body["blocked_by_me"], true);
    assert_eq!(t.view(merchant).await["blocked_by_them"], true);
    let text = json!({"kind": "text", "text": "还在吗？"});
    for who in [merchant, &t.seeker] {
        let refused = t.send(who, text.clone()).await;
        assert_eq!(refused.status, 409, "{}", refused.body);
        assert_eq!(refused.problem_code(), "conversation_blocked");
    }
    // Blocking twice is one block; the business lifting its own (none) changes nothing.
    let again = t
        .app
        .post(&t.path("/block"), &json!({}), Some(&t.seeker.access_token))
        .await;
    assert_eq!(again.status, 200);
    let lifted = t
        .app
        .delete(&t.path("/block"), Some(&merchant.access_token))
        .await;
    assert_eq!(lifted.status, 200, "{}", lifted.body);
    assert_eq!(t.send(merchant, text.clone()).await.status, 409);
    // The block covers the pair: no new conversation about another of the shop's postings.
    let second = t.app.open_posting(&t.shop, &posting_body("收银员")).await;
    let other = t
        .app
        .post(
            &format!("/api/v1/postings/{second}/conversations"),
            &json!({}),
            Some(&t.seeker.access_token),
        )
        .await;
    assert_eq!(other.status, 409, "{}", other.body);
    // The seeker lifts it: messages flow again, nothing of the blocked ones was stored.
    let unblocked = t
        .app
        .delete(&t.path("/block"), Some(&t.seeker.access_token))
        .await;
    assert_eq!(unblocked.body["blocked_by_me"], false);
    assert_eq!(t.say(merchant, "还在吗？").await, 2);
}

async fn too_many_messages_or_new_conversations_get_429(backend: Backend) {
    let t = talk_with(backend, |s| {
        s.conversation_messages_per_minute = 3;
        s.conversation_opens_per_day = 1;
    })
    .await;
    for i in 1..=3 {
        assert_eq!(t.say(&t.seeker, &format!("第{i}个问题")).await, i);
    }
    let refused = t
        .send(&t.seeker, json!({"kind": "text", "text": "第4个问题"}))
        .await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(refused.problem_code(), "rate_limited");
    let wait: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(t.view(&t.seeker).await["last_seq"], 3, "nothing stored");
    // The limit is the sender's: the business answers.
    t.say(&t.shop.merchant, "你好，请讲。").await;

    // One new conversation a day: a second posting is refused, the first reopens.
    let second = t.app.open_posting(&t.shop, &posting_body("收银员")).await;
    let more = t
        .app
        .post(
            &format!("/api/v1/postings/{second}/conversations"),
            &json!({}),
            Some(&t.seeker.access_token),
        )
        .await;
    assert_eq!(more.status, 429, "{}", more.body);
    assert!(more.headers.contains_key("retry-after"));
    let same = t
        .app
        .post(
            &format!("/api/v1/postings/{}/conversations", t.posting),
            &json!({}),
            Some(&t.seeker.access_token),
        )
        .await;
    assert_eq!(same.status, 200, "{}", same.body);
}

async fn an_interview_agreed_in_the_conversation_moves_the_application(backend: Backend) {
    let t = talk(backend).await;
    let merchant = &t.shop.merchant;
    let at = (chrono::Utc::now() + chrono::Duration::days(2))
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m-%dT10:00:00+08:00")
        .to_string();
    let proposal = json!({"kind": "interview_proposal", "interview_at": at, "interview_place": "圆融时代广场二楼店内"});
    // Without an application there is nothing to schedule.
    let early = t.send(merchant, proposal.clone()).await;
    assert_eq!(early.status, 409, "{}", early.body);
    assert_eq!(early.problem_code(), "no_application");
    let applied = t.app.apply(&t.seeker, t.posting, "周末都可以").await;
    assert_eq!(applied.status, 201, "{}", applied.body);
    let application = applied.body["id"].as_str().unwrap().to_owned();

    // Bad proposals name their field; the seeker cannot propose.
    let past = t
        .send(
            merchant,
            json!({"kind": "interview_proposal", "interview_at": "2020-01-01T10:00:00+08:00", "interview_place": "店里"}),
        )
        .await;
    assert_eq!(
        past.field_errors(),
        vec![("interview_at".to_owned(), "in_the_past".to_owned())]
    );
    let placeless = t
        .send(
            merchant,
            json!({"kind": "interview_proposal", "interview_at": at}),
        )
        .await;
    assert_eq!(
        placeless.field_errors(),
        vec![("interview_place".to_owned(), "required".to_owned())]
    );
    let by_seeker = t.send(&t.seeker, proposal.clone()).await;
    assert_eq!(
        by_seeker.field_errors(),
        vec![("kind".to_owned(), "not_for_this_side".to_owned())]
    );
    let stray = t
        .send(
            &t.seeker,
            json!({"kind": "text", "text": "好的", "interview_place": "店里"}),
        )
        .await;
    assert_eq!(
        stray.field_errors(),
        vec![(
            "interview_place".to_owned(),
            "field_not_for_kind".to_owned()
        )]
    );

    let proposed = t.send(merchant, proposal).await;
    assert_eq!(proposed.status, 201, "{}", proposed.body);
    assert_eq!(proposed.body["kind"], "interview_proposal");
    assert_eq!(proposed.body["data"]["accepted"], false);
    let seq = proposed.body["seq"].as_i64().unwrap();
    let accept = t.path(&format!("/messages/{seq}/accept"));

    // Only the seeker accepts, and only a proposal.
    let by_merchant = t
        .app
        .post(&accept, &json!({}), Some(&merchant.access_token))
        .await;
    assert_eq!(by_merchant.status, 403);
    let not_a_proposal = t
        .app
        .post(
            &t.path(&format!("/messages/{}/accept", seq + 10)),
            &json!({}),
            Some(&t.seeker.access_token),
        )
        .await;
    assert_eq!(not_a_proposal.status, 404);

    let accepted = t
        .app
        .post(&accept, &json!({}), Some(&t.seeker.access_token))
        .await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    assert_eq!(accepted.body["kind"], "interview_accepted");
    // The application is at the interview stage, at the proposed time and place.
    let moved = t
        .app
        .get(
            &format!("/api/v1/applications/{application}"),
            Some(&t.seeker.access_token),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["status"], "interview");
    assert_eq!(moved.body["interview_place"], "圆融时代广场二楼店内");
    let twice = t
        .app
        .post(&accept, &json!({}), Some(&t.seeker.access_token))
        .await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert_eq!(twice.problem_code(), "proposal_accepted");
    let marked = t.read(merchant, "").await;
    assert_eq!(marked[(seq - 1) as usize]["data"]["accepted"], true);
}
