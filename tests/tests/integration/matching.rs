//! Matching and push, end to end: the worker in the server finds pairs through the index,
//! scores them, and announces good ones in the inbox and by e-mail to a real SMTP server.

use std::time::Duration;

use chrono::Timelike;
use doorstep_client::views::marketplace::PostingView;
use doorstep_domain::entities::{job_match, lease as matcher_state, push};
use doorstep_tests::app::PASSWORD;
use doorstep_tests::market::{posting_body, profile_body};
use doorstep_tests::smtp::SmtpServer;
use doorstep_tests::{Backend, Session, TestApp, on_both_databases, spawn_app_with};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

on_both_databases!(
    a_nearby_weekend_seeker_gets_the_cafe_job_pushed_and_explained,
    only_the_seeker_free_on_weekends_with_a_health_certificate_is_matched,
    the_daily_cap_and_quiet_hours_hold,
    replaying_events_pushes_nothing_twice,
);

async fn seeker(app: &TestApp, email: &str, profile: Value) -> Session {
    let signed_up = app
        .register(&json!({"role": "seeker", "email": email, "password": PASSWORD, "display_name": "求职者"}))
        .await;
    let session = Session::from_response(&signed_up);
    let saved = app
        .put("/api/v1/me/profile", &profile, Some(&session.access_token))
        .await;
    assert_eq!(saved.status, 201, "{}", saved.body);
    session
}

fn weekend_barista() -> Value {
    let mut body = posting_body("周末咖啡师");
    body["skills"] = json!(["咖啡", "收银"]);
    body
}

/// A profile about 800 m from the café, free on weekends, holding the health certificate
/// the café's posting asks for, with `channels`.
fn near_profile(name: &str, channels: Value) -> Value {
    let mut body = profile_body(name);
    body["skills"] = json!(["咖啡", "收银"]);
    body["credentials"] = json!([{"name": "健康证"}]);
    body["home_lat"] = json!(31.3235);
    body["home_lon"] = json!(120.6771);
    body["availability"] = json!({"slots": [
        {"day": 6, "start": "09:00", "end": "20:00"},
        {"day": 7, "start": "09:00", "end": "20:00"}
    ]});
    body["push"] = json!({"channels": channels, "daily_cap": 5});
    body
}

async fn matches_of(app: &TestApp, session: &Session) -> Vec<Value> {
    app.get("/api/v1/matches", Some(&session.access_token))
        .await
        .body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn until<F: Fn() -> Fut, Fut: std::future::Future<Output = bool>>(what: &str, check: F) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_nearby_weekend_seeker_gets_the_cafe_job_pushed_and_explained(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = spawn_app_with(backend, |s| {
        s.smtp_url = Some(url);
        s.match_in_process = true;
    })
    .await;
    let officer = app.officer().await;
    let near = seeker(
        &app,
        "lina@example.cn",
        near_profile("李娜", json!(["inbox", "email"])),
    )
    .await;
    let mut far_profile = near_profile("远方", json!(["inbox", "email"]));
    far_profile["home_lat"] = json!(31.50); // about 20 km away, 5 km radius
    let far = seeker(&app, "far@example.cn", far_profile).await;
    let mut hidden_profile = near_profile("隐藏", json!(["inbox", "email"]));
    hidden_profile["visibility"] = json!("hidden");
    let hidden = seeker(&app, "hidden@example.cn", hidden_profile).await;

    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &weekend_barista()).await;

    // The match reaches the inbox, explained.
    until("the inbox push", || async {
        app.get("/api/v1/inbox", Some(&near.access_token))
            .await
            .body["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|n| n["kind"] == "match"))
    })
    .await;
    let inbox = app.get("/api/v1/inbox", Some(&near.access_token)).await;
    let notice = inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "match")
        .unwrap()
        .clone();
    assert_eq!(notice["title"], "为你推荐：周末咖啡师");
    let explanation = notice["body"].as_str().unwrap();
    assert!(
        explanation.starts_with("距家")
            && explanation.contains("技能匹配：咖啡、收银")
            && explanation.contains("周末有空"),
        "{explanation}"
    );

    // And by e-mail, through the SMTP server, once.
    until("the e-mail", || async {
        smtp.received()
            .iter()
            .any(|m| m.to.contains(&"lina@example.cn".to_owned()))
    })
    .await;
    let mails: Vec<_> = smtp
        .received()
        .into_iter()
        .filter(|m| m.to.contains(&"lina@example.cn".to_owned()))
        .collect();
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].data.contains("Message-ID: <match-"),
        "{}",
        mails[0].data
    );
    assert!(mails[0].data.contains("text/html") && mails[0].data.contains("text/plain"));

    // The seeker's matches carry the score and explanation.
    let mine = matches_of(&app, &near).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["posting_id"], posting.to_string());
    assert!(mine[0]["score"].as_f64().unwrap() > 0.7);
    assert_eq!(mine[0]["status"], "pushed");
    // The merchant sees the candidate, masked.
    let candidates = app
        .get(
            &format!("/api/v1/matches?posting_id={posting}"),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(candidates.status, 200, "{}", candidates.body);
    assert_eq!(candidates.body["items"][0]["seeker_name"], "李娜");
    assert!(!candidates.body.to_string().contains("lina@example.cn"));

    // Nobody outside their radius, and no hidden profile, got anything.
    for other in [&far, &hidden] {
        assert!(matches_of(&app, other).await.is_empty());
        let inbox = app.get("/api/v1/inbox", Some(&other.access_token)).await;
        assert!(!inbox.body.to_string().contains("\"match\""));
    }
    assert_eq!(smtp.received().len(), 1);

    // Dismissing is recorded; applying from a match creates the application.
    let id = mine[0]["id"].as_str().unwrap();
    let dismissed = app
        .post(
            &format!("/api/v1/matches/{id}/feedback"),
            &json!({"action": "dismiss", "reason": "太远"}),
            Some(&near.access_token),
        )
        .await;
    assert_eq!(dismissed.status, 200, "{}", dismissed.body);
    assert!(matches_of(&app, &near).await.is_empty());
    let foreign = app
        .post(
            &format!("/api/v1/matches/{id}/feedback"),
            &json!({"action": "save"}),
            Some(&far.access_token),
        )
        .await;
    assert_eq!(foreign.status, 404);

    // A like posting from the same business now ranks lower for this seeker.
    let first_score = mine[0]["score"].as_f64().unwrap();
    let mut again = weekend_barista();
    again["title"] = json!("周末咖啡师");
    again["description"] = json!("负责门店收银、咖啡制作和顾客接待，周末客流较大，有培训。");
    app.open_posting(&shop, &again).await;
    until("the second match", || async {
        matches_of(&app, &near).await.len() == 1
    })
    .await;
    let second = matches_of(&app, &near).await[0]["score"].as_f64().unwrap();
    assert!(
        second < first_score * 0.85,
        "demoted after a dismissal: {second} vs {first_score}"
    );
}

/// The merchant states the health certificate and the weekend hours in fields; of two
/// nearby seekers with the right skills, the one free only on weekday evenings is never
/// matched, and the one free on weekends who holds the certificate is, with the reasons.
async fn only_the_seeker_free_on_weekends_with_a_health_certificate_is_matched(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.match_in_process = true).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;

    let mut evenings = profile_body("晚上有空");
    evenings["skills"] = json!(["咖啡", "收银"]);
    evenings["home_lat"] = json!(31.3235);
    evenings["home_lon"] = json!(120.6771);
    let weekday_evenings: Vec<Value> = (1..=5)
        .map(|d| json!({"day": d, "start": "18:00", "end": "22:00"}))
        .collect();
    evenings["availability"] = json!({ "slots": weekday_evenings });
    evenings["credentials"] = json!([{"name": "健康证"}]);
    let evenings = seeker(&app, "evenings@example.cn", evenings).await;

    let mut weekends = near_profile("周末有空", json!(["inbox"]));
    // Stated under another name: the API folds it to the canonical one.
    weekends["credentials"] = json!([{"name": "健康证明"}]);
    let weekends = seeker(&app, "weekends@example.cn", weekends).await;
    let profile = app
        .get("/api/v1/me/profile", Some(&weekends.access_token))
        .await;
    assert_eq!(
        profile.body["credentials"],
        json!([{"name": "健康证", "years": null}])
    );

    let mut body = weekend_barista();
    body["requirements"] = json!("");
    body["description"] = json!("负责咖啡制作和收银，周末客流大。");
    body["required_credentials"] = json!([{"name": "健康证"}]);
    let created = app
        .post(
            &format!("/api/v1/businesses/{}/postings", shop.business_id),
            &body,
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.body["required_credentials"],
        json!([{"name": "健康证", "min_years": null}])
    );
    let posting = created.json::<PostingView>().id.to_string();
    let published = app
        .post(
            &format!("/api/v1/postings/{posting}/publish"),
            &json!({}),
            Some(&shop.merchant.access_token),
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.body);

    until("the weekend seeker's match", || async {
        !matches_of(&app, &weekends).await.is_empty()
    })
    .await;
    let mine = matches_of(&app, &weekends).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["posting_id"], posting.as_str());
    let explanation = mine[0]["explanation"].as_str().unwrap();
    assert!(
        explanation.contains("周末有空") && explanation.contains("有健康证"),
        "{explanation}"
    );
    // The evening seeker's profile was handled too (the matcher has passed every event),
    // and nothing came of it.
    let last_event = doorstep_domain::entities::outbox_event::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .max()
        .unwrap();
    until("the matcher to pass every event", || async {
        matcher_state::Entity::find_by_id("outbox".to_owned())
            .one(&app.db)
            .await
            .unwrap()
            .and_then(|row| row.progress["watermark"].as_i64())
            .is_some_and(|w| w >= last_event)
    })
    .await;
    assert!(matches_of(&app, &evenings).await.is_empty());
    assert_eq!(
        job_match::Entity::find()
            .filter(job_match::Column::SeekerId.eq(evenings.account_id))
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
}

async fn the_daily_cap_and_quiet_hours_hold(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.match_in_process = true).await;
    let officer = app.officer().await;
    let mut capped = near_profile("一天一条", json!(["inbox"]));
    capped["push"]["daily_cap"] = json!(1);
    let capped = seeker(&app, "capped@example.cn", capped).await;
    let now = doorstep_domain::time::to_display(chrono::Utc::now());
    let quiet_start = format!("{:02}:00", (now.hour() + 23) % 24);
    let quiet_end = format!("{:02}:00", (now.hour() + 2) % 24);
    let mut sleeping = near_profile("夜里别吵", json!(["inbox"]));
    sleeping["push"]["quiet_hours_start"] = json!(quiet_start);
    sleeping["push"]["quiet_hours_end"] = json!(quiet_end);
    let sleeping = seeker(&app, "quiet@example.cn", sleeping).await;

    let shop = app.verified_shop("13912345678", &officer).await;
    app.open_posting(&shop, &weekend_barista()).await;
    let mut second = weekend_barista();
    second["title"] = json!("周末咖啡师（二店）");
    app.open_posting(&shop, &second).await;

    // Both postings matched both seekers...
    until("four matches", || async {
        job_match::Entity::find().count(&app.db).await.unwrap() == 4
    })
    .await;
    // ...and every push has been looked at (sent or held).
    until("the deliveries", || async {
        push::Entity::find()
            .filter(push::Column::Status.eq("pending"))
            .filter(push::Column::NextAttemptAt.lte(chrono::Utc::now()))
            .count(&app.db)
            .await
            .unwrap()
            == 0
    })
    .await;
    let db = &app.db;
    let sent = |account| async move {
        push::Entity::find()
            .filter(push::Column::AccountId.eq(account))
            .filter(push::Column::Status.eq("sent"))
            .count(db)
            .await
            .unwrap()
    };
    assert_eq!(
        sent(capped.account_id).await,
        1,
        "never more than the daily cap"
    );
    assert_eq!(
        sent(sleeping.account_id).await,
        0,
        "nothing during quiet hours"
    );
    // Held, not lost: due again when the quiet hours end (or tomorrow, for the cap).
    let held = push::Entity::find()
        .filter(push::Column::AccountId.eq(sleeping.account_id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(held.len(), 2);
    assert!(
        held.iter()
            .all(|p| p.status == doorstep_domain::types::PushStatus::Pending
                && p.next_attempt_at > chrono::Utc::now())
    );
}

async fn replaying_events_pushes_nothing_twice(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = spawn_app_with(backend, |s| {
        s.smtp_url = Some(url);
        s.match_in_process = true;
    })
    .await;
    let officer = app.officer().await;
    let near = seeker(
        &app,
        "lina@example.cn",
        near_profile("李娜", json!(["inbox", "email"])),
    )
    .await;
    let shop = app.verified_shop("13912345678", &officer).await;
    app.open_posting(&shop, &weekend_barista()).await;
    until("the e-mail", || async { smtp.received().len() == 1 }).await;

    let before = job_match::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .updated_at;
    // As if the worker had crashed before saving its progress: every event is read again.
    matcher_state::Entity::update_many()
        .col_expr(
            matcher_state::Column::Progress,
            Expr::value(json!({"watermark": 0, "gaps": []})),
        )
        .exec(&app.db)
        .await
        .unwrap();
    // The replay re-scores the pair (the stored match is refreshed)...
    until("the replay", || async {
        job_match::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .updated_at
            > before
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        smtp.received().len(),
        1,
        "the same match is never e-mailed twice"
    );
    let inbox = app.get("/api/v1/inbox", Some(&near.access_token)).await;
    let pushed = inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "match")
        .count();
    assert_eq!(pushed, 1);
    assert_eq!(
        push::Entity::find().count(&app.db).await.unwrap(),
        2,
        "one push per channel"
    );
}

on_both_databases!(
    webhooks_are_signed_retried_and_dead_lettered,
    webhooks_to_internal_addresses_are_refused
);

async fn webhooks_are_signed_retried_and_dead_lettered(backend: Backend) {
    use doorstep_tests::webhook::Receiver;
    let app = spawn_app_with(backend, |s| {
        s.match_in_process = true;
        s.webhook_allow_internal = true;
        s.push_retry_base_ms = 20;
    })
    .await;
    let officer = app.officer().await;
    let receiver = Receiver::start(200).await;
    let failing = Receiver::start(500).await;
    let near = seeker(
        &app,
        "lina@example.cn",
        near_profile("李娜", json!(["webhook"])),
    )
    .await;
    let registered = app
        .post(
            "/api/v1/webhooks",
            &json!({"url": receiver.url()}),
            Some(&near.access_token),
        )
        .await;
    assert_eq!(registered.status, 201, "{}", registered.body);
    let secret = registered.body["secret"].as_str().unwrap().to_owned();
    // The ping works and is signed too.
    let id = registered.body["id"].as_str().unwrap();
    let ping = app
        .post(
            &format!("/api/v1/webhooks/{id}/ping"),
            &json!({}),
            Some(&near.access_token),
        )
        .await;
    assert_eq!(ping.body["delivered"], true, "{}", ping.body);
    // Another account cannot ping or remove it.
    let other = seeker(
        &app,
        "other@example.cn",
        near_profile("王芳", json!(["inbox"])),
    )
    .await;
    assert_eq!(
        app.post(
            &format!("/api/v1/webhooks/{id}/ping"),
            &json!({}),
            Some(&other.access_token)
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.delete(&format!("/api/v1/webhooks/{id}"), Some(&other.access_token))
            .await
            .status,
        404
    );

    // A second seeker whose receiver keeps failing.
    let unlucky = seeker(
        &app,
        "unlucky@example.cn",
        near_profile("张伟", json!(["webhook"])),
    )
    .await;
    app.post(
        "/api/v1/webhooks",
        &json!({"url": failing.url()}),
        Some(&unlucky.access_token),
    )
    .await;

    let shop = app.verified_shop("13912345678", &officer).await;
    app.open_posting(&shop, &weekend_barista()).await;
    until("the webhook", || async {
        receiver
            .received()
            .iter()
            .any(|d| d.body.contains("\"match\""))
    })
    .await;
    let delivery = receiver
        .received()
        .into_iter()
        .find(|d| d.body.contains("\"match\""))
        .unwrap();
    let timestamp: i64 = delivery.headers["x-doorstep-timestamp"].parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
    assert_eq!(
        delivery.headers["x-doorstep-signature"],
        doorstep_matcher::webhook::signature(&secret, timestamp, &delivery.body),
        "the signature checks out with the endpoint's secret"
    );
    assert!(delivery.body.contains("周末咖啡师") && delivery.body.contains("距家"));

    // The failing receiver is tried five times, then the push is dead-lettered.
    until("the dead letter", || async {
        push::Entity::find()
            .filter(push::Column::AccountId.eq(unlucky.account_id))
            .filter(push::Column::Status.eq("dead"))
            .count(&app.db)
            .await
            .unwrap()
            == 1
    })
    .await;
    let attempts: Vec<_> = failing
        .received()
        .into_iter()
        .filter(|d| d.body.contains("\"match\""))
        .collect();
    assert_eq!(attempts.len(), 5, "retried, then given up");
    let dead = push::Entity::find()
        .filter(push::Column::AccountId.eq(unlucky.account_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dead.attempts, 5);
    assert!(dead.last_error.unwrap().contains("500"));
}

async fn webhooks_to_internal_addresses_are_refused(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let near = seeker(
        &app,
        "lina@example.cn",
        near_profile("李娜", json!(["webhook"])),
    )
    .await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://localhost/x",
        "ftp://example.cn/x",
        // IPv6 forms that carry an internal IPv4 address (accepted before issue 20).
        "http://[::127.0.0.1]/x",
        "http://[64:ff9b::127.0.0.1]/x",
        "http://[2002:7f00:1::]/x",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x",
        // Other spellings of 127.0.0.1, and localhost with its root dot.
        "http://2130706433/x",
        "http://0x7f000001/x",
        "http://0177.0.0.1/x",
        "http://127.1/x",
        "http://localhost./x",
    ] {
        let response = app
            .post(
                "/api/v1/webhooks",
                &json!({"url": url}),
                Some(&near.access_token),
            )
            .await;
        assert_eq!(response.status, 422, "{url}: {}", response.body);
        assert_eq!(response.field_errors()[0].0, "url");
    }
    assert!(
        app.get("/api/v1/webhooks", Some(&near.access_token))
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

on_both_databases!(a_worker_killed_between_scoring_and_pushing_loses_and_doubles_nothing);

async fn a_worker_killed_between_scoring_and_pushing_loses_and_doubles_nothing(backend: Backend) {
    use doorstep_matcher::mail::Mailer;
    use doorstep_matcher::{MatchSettings, Matcher};
    let smtp = SmtpServer::start().await;
    // The server's own worker stays off: two hand-driven workers play it.
    let app = spawn_app_with(backend, |_| {}).await;
    let officer = app.officer().await;
    let near = seeker(
        &app,
        "lina@example.cn",
        near_profile("李娜", json!(["inbox", "email"])),
    )
    .await;
    let shop = app.verified_shop("13912345678", &officer).await;
    app.open_posting(&shop, &weekend_barista()).await;
    app.wait_for_index().await;
    let worker = |holder: &str| {
        let (mailer, from) = Mailer::new(
            Some(&smtp.url()),
            std::env::temp_dir(),
            "Doorstep <noreply@doorstep.local>",
        )
        .unwrap();
        Matcher {
            db: app.db.clone(),
            backend: match app.backend {
                Backend::Sqlite => doorstep_domain::db::Backend::Sqlite,
                Backend::Postgres => doorstep_domain::db::Backend::Postgres,
            },
            index: app.search.clone(),
            mailer,
            from,
            settings: MatchSettings {
                lease: Duration::from_millis(500),
                ..MatchSettings::default()
            },
            holder: holder.to_owned(),
        }
    };

    // Worker A scores and stores, then dies before pushing anything.
    let a = worker("worker-a");
    assert!(a.step().await.unwrap() > 0);
    drop(a);
    let pending = push::Entity::find()
        .filter(push::Column::Status.eq("pending"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(pending, 2, "one push per channel waits");
    // As if A had also leased them just before dying.
    push::Entity::update_many()
        .col_expr(
            push::Column::LeaseUntil,
            Expr::value(chrono::Utc::now() + chrono::Duration::milliseconds(500)),
        )
        .exec(&app.db)
        .await
        .unwrap();

    // Worker B cannot take A's work while A's leases live (on SQLite, `doorstep worker`
    // refuses to start on exactly this answer)...
    let b = worker("worker-b");
    assert_eq!(b.lease_holder().await.unwrap().as_deref(), Some("worker-a"));
    assert_eq!(b.deliver().await.unwrap(), 0);
    assert_eq!(b.step().await.unwrap(), 0, "A's outbox lease is still live");
    // ...and takes it over once they expire, delivering each push exactly once.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(b.deliver().await.unwrap(), 2);
    assert_eq!(b.deliver().await.unwrap(), 0);
    b.step().await.unwrap();
    assert_eq!(b.deliver().await.unwrap(), 0);
    assert_eq!(smtp.received().len(), 1, "one e-mail");
    let inbox = app.get("/api/v1/inbox", Some(&near.access_token)).await;
    let notices = inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "match")
        .count();
    assert_eq!(notices, 1, "one inbox notice");
}

on_both_databases!(merchants_get_one_candidate_digest_a_day);

async fn merchants_get_one_candidate_digest_a_day(backend: Backend) {
    use chrono::TimeZone;
    let app = spawn_app_with(backend, |s| s.match_in_process = true).await;
    let officer = app.officer().await;
    seeker(
        &app,
        "lina@example.cn",
        near_profile("李娜", json!(["inbox"])),
    )
    .await;
    let shop = app.verified_shop("13912345678", &officer).await;
    app.open_posting(&shop, &weekend_barista()).await;
    until("the match", || async {
        job_match::Entity::find().count(&app.db).await.unwrap() == 1
    })
    .await;
    let (mailer, from) = doorstep_matcher::mail::Mailer::new(
        None,
        std::env::temp_dir(),
        "Doorstep <noreply@doorstep.local>",
    )
    .unwrap();
    let worker = doorstep_matcher::Matcher {
        db: app.db.clone(),
        backend: match app.backend {
            Backend::Sqlite => doorstep_domain::db::Backend::Sqlite,
            Backend::Postgres => doorstep_domain::db::Backend::Postgres,
        },
        index: app.search.clone(),
        mailer,
        from,
        settings: doorstep_matcher::MatchSettings::default(),
        holder: "digest-test".into(),
    };
    let shanghai = doorstep_domain::time::shanghai();
    let today = doorstep_domain::time::to_display(chrono::Utc::now()).date_naive();
    let at = |hour| {
        shanghai
            .from_local_datetime(&today.and_hms_opt(hour, 0, 0).unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    // Not before nine; then once for the day, however often it is asked (the in-process
    // worker may already have sent today's).
    assert_eq!(worker.send_digests(at(8)).await.unwrap(), 0);
    let first = worker.send_digests(at(10)).await.unwrap();
    assert_eq!(worker.send_digests(at(11)).await.unwrap(), 0);
    let inbox = app
        .get("/api/v1/inbox", Some(&shop.merchant.access_token))
        .await;
    let digests: Vec<_> = inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "candidate_digest")
        .cloned()
        .collect();
    assert_eq!(digests.len(), 1, "{first} sent by this worker; one in all");
    assert!(digests[0]["body"].as_str().unwrap().contains("李娜"));
    assert!(
        !digests[0]["body"]
            .as_str()
            .unwrap()
            .contains("lina@example.cn")
    );
}
