//! Conversations in real time (issue 24, item 2): the WebSocket at `/api/v1/ws`, resuming
//! after the last message seen, delivery across instances, and one notice to a recipient
//! who is away.

use std::time::Duration;

use chrono::Timelike;
use doorstep_api::config::Settings;
use doorstep_domain::entities::{conversation, gig_notice};
use doorstep_domain::time;
use doorstep_domain::types::NoticeStatus;
use doorstep_tests::live::connect;
use doorstep_tests::market::{posting_body, profile_body};
use doorstep_tests::talk::{Talk, open_conversation, say_in};
use doorstep_tests::{Backend, Session, TestApp, on_both_databases};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    messages_read_receipts_and_typing_arrive_live,
    a_reconnect_gets_what_it_missed_once_and_in_order,
    only_a_valid_token_of_a_side_opens_a_socket,
    a_socket_hears_only_its_own_conversations,
    bad_client_frames_get_an_error_frame_and_the_socket_stays_open,
    an_absent_recipient_gets_one_notice_per_conversation,
    a_connected_recipient_gets_no_notice,
    a_notice_waits_for_quiet_hours_and_is_dropped_if_read_meanwhile,
);

async fn talk(backend: Backend) -> Talk {
    Talk::start(backend).await
}

async fn talk_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Talk {
    Talk::start_with(backend, configure).await
}

async fn say(app: &TestApp, conversation: &str, who: &Session, text: &str) -> Value {
    say_in(app, conversation, who, text).await
}

async fn open(app: &TestApp, seeker: &Session, posting: Uuid) -> String {
    open_conversation(app, seeker, posting).await
}

fn id_of(message: &Value) -> Uuid {
    message["id"].as_str().unwrap().parse().unwrap()
}

async fn messages_read_receipts_and_typing_arrive_live(backend: Backend) {
    let t = talk(backend).await;
    let merchant = &t.shop.merchant;
    let (mut seeker_live, missed) = t.app.live(&t.seeker, None).await;
    assert!(
        missed.is_empty(),
        "nothing before a first connection: {missed:?}"
    );
    let (mut merchant_live, _) = t.app.live(merchant, None).await;

    say(&t.app, &t.conversation, merchant, "你好，周末能来吗？").await;
    say(
        &t.app,
        &t.conversation,
        merchant,
        "方便的话打我电话13912345678",
    )
    .await;
    let first = seeker_live.next_of("message").await;
    assert_eq!(first["message"]["seq"], 1);
    assert_eq!(first["message"]["body"], "你好，周末能来吗？");
    assert_eq!(first["message"]["side"], "business");
    let second = seeker_live.next_of("message").await;
    assert_eq!(second["message"]["seq"], 2);
    assert_eq!(second["message"]["masked"], true, "{second}");
    assert!(
        !second["message"]["body"]
            .as_str()
            .unwrap()
            .contains("13912345678"),
        "a number before consent is masked live too: {second}"
    );
    // The sender's own connection gets its messages too (its other devices stay in step),
    // unmasked.
    let own = merchant_live.next_of("message").await;
    assert_eq!(own["message"]["seq"], 1);
    let own = merchant_live.next_of("message").await;
    assert_eq!(own["message"]["masked"], false);

    seeker_live
        .send(&json!({"type": "typing", "conversation_id": t.conversation}))
        .await;
    let typing = merchant_live.next_of("typing").await;
    assert_eq!(typing["side"], "seeker");
    assert_eq!(typing["conversation_id"], t.conversation.as_str());

    seeker_live
        .send(&json!({"type": "read", "conversation_id": t.conversation, "seq": 2}))
        .await;
    let read = merchant_live.next_of("read").await;
    assert_eq!(read["side"], "seeker");
    assert_eq!(read["seq"], 2);
    let seen = t
        .app
        .get(
            &format!("/api/v1/conversations/{}", t.conversation),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(seen.body["their_read_seq"], 2, "{}", seen.body);

    // A reply over HTTP reaches the merchant's socket; a read receipt over HTTP too.
    say(&t.app, &t.conversation, &t.seeker, "可以的").await;
    let reply = merchant_live.next_of("message").await;
    assert_eq!(reply["message"]["seq"], 3);
    assert_eq!(reply["message"]["side"], "seeker");
    let read = t
        .app
        .post(
            &format!("/api/v1/conversations/{}/read", t.conversation),
            &json!({"seq": 3}),
            Some(&merchant.access_token),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    // Read frames go to both sides (a side's other devices learn what it read): the
    // seeker's own comes first.
    let own = seeker_live.next_of("read").await;
    assert_eq!(own["side"], "seeker");
    let receipt = seeker_live.next_of("read").await;
    assert_eq!(receipt["side"], "business");
    assert_eq!(receipt["seq"], 3);

    seeker_live.send(&json!({"type": "ping"})).await;
    assert_eq!(seeker_live.next_of("pong").await["type"], "pong");
    seeker_live.close().await;
    merchant_live.close().await;
}

async fn a_reconnect_gets_what_it_missed_once_and_in_order(backend: Backend) {
    let t = talk(backend).await;
    let merchant = &t.shop.merchant;
    let second_posting = t.app.open_posting(&t.shop, &posting_body("收银员")).await;
    let other_conversation = open(&t.app, &t.seeker, second_posting).await;

    let (mut live, _) = t.app.live(&t.seeker, None).await;
    say(&t.app, &t.conversation, merchant, "第一条").await;
    let seen = live.next_of("message").await;
    let last_seen = seen["message"]["id"].as_str().unwrap().parse().unwrap();
    live.close().await;

    // While the seeker is away: messages in both conversations, from both sides.
    let mut expected = Vec::new();
    for (i, (conversation, who)) in [
        (&t.conversation, merchant),
        (&other_conversation, merchant),
        (&t.conversation, &t.seeker),
        (&other_conversation, merchant),
        (&t.conversation, merchant),
    ]
    .into_iter()
    .enumerate()
    {
        let sent = say(&t.app, conversation, who, &format!("离线消息{i}")).await;
        expected.push(id_of(&sent));
    }

    let (mut live, missed) = t.app.live(&t.seeker, Some(last_seen)).await;
    let got: Vec<Uuid> = missed.iter().map(|f| id_of(&f["message"])).collect();
    assert_eq!(got, expected, "each missed message once, in the order sent");
    assert_eq!(live.resumed, 5);
    // And then live, once.
    let after = say(&t.app, &t.conversation, merchant, "又一条").await;
    let next = live.next_of("message").await;
    assert_eq!(id_of(&next["message"]), id_of(&after));
    // Resuming from the last one misses nothing and repeats nothing.
    live.close().await;
    let (live, missed) = t.app.live(&t.seeker, Some(id_of(&after))).await;
    assert!(missed.is_empty(), "{missed:?}");
    assert_eq!(live.resumed, 0);
    live.close().await;

    // The merchant, resuming after the first message, gets the same messages in its own
    // stream's order.
    let (live, missed) = t.app.live(merchant, Some(last_seen)).await;
    let got: Vec<Uuid> = missed.iter().map(|f| id_of(&f["message"])).collect();
    let mut all = expected.clone();
    all.push(id_of(&after));
    assert_eq!(got, all);
    live.close().await;
}

async fn only_a_valid_token_of_a_side_opens_a_socket(backend: Backend) {
    let t = talk(backend).await;
    let ws = format!("{}/api/v1/ws", t.app.address);
    // Plain HTTP, not an upgrade: a problem, never a hang.
    let anonymous = t.app.get("/api/v1/ws", None).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.body["code"], "missing_token");
    let tampered = format!("{}x", t.seeker.access_token);
    let refused = t.app.get("/api/v1/ws", Some(&tampered)).await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    let plain = t.app.get("/api/v1/ws", Some(&t.seeker.access_token)).await;
    assert_eq!(plain.status, 400, "{}", plain.body);
    assert_eq!(plain.body["code"], "not_a_websocket");
    assert_eq!(plain.body["errors"][0]["field"], "upgrade");
    let staff = t.app.get("/api/v1/ws", Some(&t.officer.access_token)).await;
    assert_eq!(staff.status, 403, "{}", staff.body);
    let unknown = t
        .app
        .get(
            &format!("/api/v1/ws?since={}", Uuid::now_v7()),
            Some(&t.seeker.access_token),
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert_eq!(unknown.body["errors"][0]["field"], "since");
    assert_eq!(unknown.body["errors"][0]["code"], "unknown_message");
    let stray = t
        .app
        .get("/api/v1/ws?sinse=1", Some(&t.seeker.access_token))
        .await;
    assert_eq!(stray.status, 400, "{}", stray.body);

    // Someone else's message is as unknown as no message.
    let theirs = say(&t.app, &t.conversation, &t.shop.merchant, "你好").await;
    let stranger = t.app.seeker_with_profile("13812340000", "王芳").await;
    let foreign = t
        .app
        .get(
            &format!("/api/v1/ws?since={}", id_of(&theirs)),
            Some(&stranger.access_token),
        )
        .await;
    assert_eq!(foreign.status, 422, "{}", foreign.body);

    // The token also works as a query parameter, for browsers.
    let url = format!(
        "{}?access_token={}",
        ws.replacen("http", "ws", 1),
        t.seeker.access_token
    );
    let (_socket, response) = tokio_tungstenite::connect_async(url)
        .await
        .expect("the WebSocket opens with the token in the query");
    assert_eq!(response.status(), 101);
}

async fn a_socket_hears_only_its_own_conversations(backend: Backend) {
    let t = talk(backend).await;
    let stranger = t.app.seeker_with_profile("13812340000", "王芳").await;
    let posting = t.app.open_posting(&t.shop, &posting_body("收银员")).await;
    let theirs = open(&t.app, &stranger, posting).await;
    let (mut live, _) = t.app.live(&stranger, None).await;
    // A message in someone else's conversation, then one in the stranger's own: the first
    // frame the stranger gets is their own.
    say(&t.app, &t.conversation, &t.shop.merchant, "给李娜的消息").await;
    let own = say(&t.app, &theirs, &t.shop.merchant, "给王芳的消息").await;
    let first = live.next_of("message").await;
    assert_eq!(id_of(&first["message"]), id_of(&own));
    // Typing into or reading someone else's conversation is "not found".
    live.send(&json!({"type": "typing", "conversation_id": t.conversation}))
        .await;
    let refused = live.next_of("error").await;
    assert_eq!(refused["problem"]["code"], "not_found");
    live.send(&json!({"type": "read", "conversation_id": t.conversation, "seq": 1}))
        .await;
    let refused = live.next_of("error").await;
    assert_eq!(refused["problem"]["code"], "not_found");
    let untouched = t
        .app
        .get(
            &format!("/api/v1/conversations/{}", t.conversation),
            Some(&t.seeker.access_token),
        )
        .await;
    assert_eq!(untouched.body["unread"], 1, "{}", untouched.body);
    live.close().await;
}

async fn bad_client_frames_get_an_error_frame_and_the_socket_stays_open(backend: Backend) {
    let t = talk(backend).await;
    let (mut live, _) = t.app.live(&t.seeker, None).await;
    live.send_text("not json").await;
    let refused = live.next_of("error").await;
    assert_eq!(refused["problem"]["code"], "invalid_json");
    assert_eq!(refused["problem"]["status"], 400);
    live.send(&json!({"type": "typing", "conversation_id": t.conversation, "extra": 1}))
        .await;
    assert_eq!(
        live.next_of("error").await["problem"]["code"],
        "invalid_json"
    );
    live.send(&json!({"type": "shout"})).await;
    assert_eq!(
        live.next_of("error").await["problem"]["code"],
        "invalid_json"
    );
    // Still open: a message arrives.
    let sent = say(&t.app, &t.conversation, &t.shop.merchant, "还在吗").await;
    assert_eq!(
        id_of(&live.next_of("message").await["message"]),
        id_of(&sent)
    );
    // A flood of frames: twenty a second are answered, the rest refused.
    for _ in 0..30 {
        live.send(&json!({"type": "ping"})).await;
    }
    let mut pongs = 0;
    let mut refused = 0;
    while pongs + refused < 30 {
        let frame = live.next().await;
        match frame["type"].as_str() {
            Some("pong") => pongs += 1,
            Some("error") => {
                assert_eq!(frame["problem"]["code"], "rate_limited", "{frame}");
                refused += 1;
            }
            _ => {}
        }
    }
    assert!(
        pongs <= 20 && refused >= 10,
        "{pongs} pongs, {refused} refused"
    );
    live.close().await;
}

/// Notices of unread messages in `who`'s inbox.
async fn message_notices(app: &TestApp, who: &Session) -> Vec<Value> {
    let inbox = app
        .get("/api/v1/inbox?limit=100", Some(&who.access_token))
        .await;
    assert_eq!(inbox.status, 200, "{}", inbox.body);
    inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "conversation_message")
        .cloned()
        .collect()
}

/// Waits until `side`'s notice mark of the conversation reaches `seq`.
async fn told_up_to(app: &TestApp, conversation: &str, seeker_side: bool, seq: i32) {
    let id: Uuid = conversation.parse().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let c = conversation::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let told = if seeker_side {
            c.seeker_notified_seq
        } else {
            c.business_notified_seq
        };
        if told >= seq {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the notice mark stayed at {told}, short of {seq}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn quick_notices(settings: &mut Settings) {
    settings.gig_jobs_secs = 1;
    settings.conversation_notice_quiet_secs = 0;
}

async fn an_absent_recipient_gets_one_notice_per_conversation(backend: Backend) {
    let t = talk_with(backend, quick_notices).await;
    let merchant = &t.shop.merchant;
    for text in ["你好", "周末能来吗？", "回个话"] {
        say(&t.app, &t.conversation, merchant, text).await;
    }
    told_up_to(&t.app, &t.conversation, true, 1).await;
    // Delivered from the queue to the inbox on the same pass or the next.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let mut notices = message_notices(&t.app, &t.seeker).await;
    while notices.is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        notices = message_notices(&t.app, &t.seeker).await;
    }
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(
        notices[0]["data"]["conversation_id"],
        t.conversation.as_str()
    );
    assert!(
        !notices[0]["body"].as_str().unwrap().contains("回个话"),
        "a notice names the posting, never the words"
    );
    // More messages while the first notice is unread: no second notice. A few passes go
    // by (the notice mark is at the newest message once they have).
    say(&t.app, &t.conversation, merchant, "第四条").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(message_notices(&t.app, &t.seeker).await.len(), 1);

    // Once the seeker has read, the next quiet run of messages is told again.
    let read = t
        .app
        .post(
            &format!("/api/v1/conversations/{}/read", t.conversation),
            &json!({"seq": 4}),
            Some(&t.seeker.access_token),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    say(&t.app, &t.conversation, merchant, "第五条").await;
    told_up_to(&t.app, &t.conversation, true, 5).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while message_notices(&t.app, &t.seeker).await.len() < 2 {
        assert!(std::time::Instant::now() < deadline, "a second notice");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The merchant's side, away too, is told of the seeker's message.
    say(&t.app, &t.conversation, &t.seeker, "好的").await;
    told_up_to(&t.app, &t.conversation, false, 6).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while message_notices(&t.app, merchant).await.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the merchant's notice"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn a_connected_recipient_gets_no_notice(backend: Backend) {
    let t = talk_with(backend, quick_notices).await;
    let (mut live, _) = t.app.live(&t.seeker, None).await;
    say(&t.app, &t.conversation, &t.shop.merchant, "在吗").await;
    live.next_of("message").await;
    told_up_to(&t.app, &t.conversation, true, 1).await;
    // The mark moved without a notice: none queued, none in the inbox.
    let queued = gig_notice::Entity::find()
        .filter(gig_notice::Column::AccountId.eq(t.seeker.account_id))
        .filter(gig_notice::Column::Kind.eq("conversation_message"))
        .all(&t.app.db)
        .await
        .unwrap();
    assert!(queued.is_empty(), "{queued:?}");
    assert!(message_notices(&t.app, &t.seeker).await.is_empty());
    live.close().await;
}

async fn a_notice_waits_for_quiet_hours_and_is_dropped_if_read_meanwhile(backend: Backend) {
    let t = talk_with(backend, quick_notices).await;
    // Quiet from the hour before now until two hours after, Beijing time.
    let now = time::to_display(chrono::Utc::now());
    let mut profile = profile_body("李娜");
    profile["push"] = json!({
        "channels": ["inbox"],
        "daily_cap": 20,
        "quiet_hours_start": format!("{:02}:00", (now.hour() + 23) % 24),
        "quiet_hours_end": format!("{:02}:00", (now.hour() + 2) % 24),
    });
    t.app
        .as_user(&t.seeker)
        .save_profile(&profile)
        .await
        .expect("the seeker sets quiet hours");
    say(&t.app, &t.conversation, &t.shop.merchant, "晚上打扰了").await;
    told_up_to(&t.app, &t.conversation, true, 1).await;
    let queued = || async {
        gig_notice::Entity::find()
            .filter(gig_notice::Column::AccountId.eq(t.seeker.account_id))
            .filter(gig_notice::Column::Kind.eq("conversation_message"))
            .all(&t.app.db)
            .await
            .unwrap()
    };
    // Held for the quiet hours: queued, put off past their end, not in the inbox.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let held = queued().await;
        assert_eq!(held.len(), 1, "{held:?}");
        if held[0].due_at > chrono::Utc::now() + chrono::Duration::minutes(59) {
            assert_eq!(held[0].status, NoticeStatus::Pending);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the notice is put off: {held:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(message_notices(&t.app, &t.seeker).await.is_empty());

    // The seeker reads in the meantime; when the notice comes due it says nothing new,
    // and is dropped.
    let read = t
        .app
        .post(
            &format!("/api/v1/conversations/{}/read", t.conversation),
            &json!({"seq": 1}),
            Some(&t.seeker.access_token),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    gig_notice::Entity::update_many()
        .col_expr(gig_notice::Column::DueAt, Expr::value(chrono::Utc::now()))
        .filter(gig_notice::Column::AccountId.eq(t.seeker.account_id))
        .exec(&t.app.db)
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while queued().await[0].status != NoticeStatus::Dropped {
        assert!(
            std::time::Instant::now() < deadline,
            "the read notice is dropped"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(message_notices(&t.app, &t.seeker).await.is_empty());
}

/// Two instances on one PostgreSQL database: a message sent through one reaches a
/// connection held by the other, and so does a read receipt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(doorstep_pg),
    ignore = "PostgreSQL test skipped: TEST_DATABASE_URL was not set when the tests were built"
)]
async fn two_instances_deliver_across_on_postgres() {
    let t = talk(Backend::Postgres).await;
    let other = t.app.another_instance().await;
    let (mut seeker_on_b, _) = connect(&other.address, &t.seeker, None).await;
    let (mut merchant_on_a, _) = t.app.live(&t.shop.merchant, None).await;

    let sent = say(&t.app, &t.conversation, &t.shop.merchant, "两台服务器之间").await;
    let got = seeker_on_b.next_of("message").await;
    assert_eq!(id_of(&got["message"]), id_of(&sent));

    seeker_on_b
        .send(&json!({"type": "read", "conversation_id": t.conversation, "seq": 1}))
        .await;
    let receipt = merchant_on_a.next_of("read").await;
    assert_eq!(receipt["seq"], 1);
    seeker_on_b
        .send(&json!({"type": "typing", "conversation_id": t.conversation}))
        .await;
    assert_eq!(merchant_on_a.next_of("typing").await["side"], "seeker");

    // A reconnect to the other instance resumes in the same order.
    seeker_on_b.close().await;
    let more = say(&t.app, &t.conversation, &t.shop.merchant, "你断线时发的").await;
    let (live, missed) = t.app.live(&t.seeker, Some(id_of(&sent))).await;
    assert_eq!(missed.len(), 1);
    assert_eq!(id_of(&missed[0]["message"]), id_of(&more));
    live.close().await;
    merchant_on_a.close().await;
}
