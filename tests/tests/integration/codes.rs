//! Sign-up by one-time code (issue 20, item 2): asking for a code and signing up answer
//! the same whether or not a number is registered; codes expire, are spent once, die after
//! five wrong guesses, and are throttled per number.

use doorstep_domain::entities::{account, auth_code};
use doorstep_tests::app::PASSWORD;
use doorstep_tests::{ApiResponse, Backend, TestApp, on_both_databases, spawn_app, spawn_app_with};
use futures_util::future::join_all;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

on_both_databases!(
    sign_up_does_not_tell_whether_a_number_is_registered,
    a_code_signs_up_once,
    an_expired_code_is_refused,
    five_wrong_codes_kill_the_code,
    codes_are_throttled_per_number_and_per_day,
    e_mail_codes_go_through_the_mail_outbox,
    concurrent_sign_ups_with_one_code_create_one_account,
);

const EXISTING: &str = "13812345678";
const NEW: &str = "13912345678";

fn code_request(phone: &str) -> Value {
    json!({"phone": phone, "purpose": "register"})
}

fn sign_up(phone: &str, code: &str) -> Value {
    json!({
        "role": "seeker",
        "phone": phone,
        "password": PASSWORD,
        "display_name": "李娜",
        "code": code,
    })
}

/// The SMS templates sent to `phone`, oldest first.
fn sms_templates(app: &TestApp, phone: &str) -> Vec<String> {
    app.sms_outbox()
        .into_iter()
        .filter(|sms| sms["phone"] == phone)
        .map(|sms| sms["template"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn assert_invalid_code(response: &ApiResponse) {
    assert_eq!(response.status, 422, "{}", response.body);
    assert_eq!(response.problem_code(), "validation_failed");
    assert_eq!(
        response.field_errors(),
        vec![("code".to_owned(), "invalid_code".to_owned())],
        "{}",
        response.body
    );
}

/// A code that is not the one sent (the sent one plus one, wrapped).
fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

/// Moves the last message to `phone` a minute into the past, past the resend wait.
async fn a_minute_passes(app: &TestApp, phone: &str) {
    auth_code::Entity::update_many()
        .col_expr(
            auth_code::Column::LastSentAt,
            Expr::value(Some(chrono::Utc::now() - chrono::Duration::seconds(61))),
        )
        .filter(auth_code::Column::Destination.eq(phone))
        .exec(&app.db)
        .await
        .unwrap();
}

async fn sign_up_does_not_tell_whether_a_number_is_registered(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register_as("seeker", EXISTING).await;
    a_minute_passes(&app, EXISTING).await;
    let sent_before = sms_templates(&app, EXISTING).len();

    // Asking for a code answers alike for a registered number and a new one.
    let existing = app.request_code(&code_request(EXISTING)).await;
    let new = app.request_code(&code_request(NEW)).await;
    assert_eq!(existing.status, 202, "{}", existing.body);
    assert_eq!(new.status, 202, "{}", new.body);
    assert_eq!(existing.body, new.body);
    assert_eq!(existing.content_type(), new.content_type());

    // What is sent differs: the new number gets a code, the owner of the registered one is
    // told someone tried, and gets no code.
    assert_eq!(sms_templates(&app, NEW), vec!["auth_code"]);
    let to_owner = sms_templates(&app, EXISTING);
    assert_eq!(to_owner.len(), sent_before + 1);
    assert_eq!(to_owner.last().unwrap(), "signup_attempt");
    let notice = app
        .sms_outbox()
        .into_iter()
        .rfind(|sms| sms["phone"] == EXISTING)
        .unwrap();
    assert!(
        notice["text"].as_str().unwrap().contains("已有账号"),
        "{notice}"
    );

    // Signing up with a wrong code answers alike too (not `account_exists`), and so does
    // the code the owner used for their own sign-up, now spent.
    let new_code = app.last_code(NEW).unwrap();
    let old_code = app.last_code(EXISTING).unwrap();
    let on_existing = app
        .register_raw(&sign_up(EXISTING, &wrong(&new_code)))
        .await;
    let on_new = app.register_raw(&sign_up(NEW, &wrong(&new_code))).await;
    assert_invalid_code(&on_existing);
    assert_invalid_code(&on_new);
    assert_eq!(on_existing.body, on_new.body);
    assert_invalid_code(&app.register_raw(&sign_up(EXISTING, &old_code)).await);
    // Guessing the new number's code for the registered one does not work either.
    assert_invalid_code(&app.register_raw(&sign_up(EXISTING, &new_code)).await);

    // The new number signs up with its code.
    let created = app.register_raw(&sign_up(NEW, &new_code)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["account"]["phone"], NEW);
    // The registered account is untouched.
    assert_eq!(app.login(EXISTING, PASSWORD).await.status, 200);
}

async fn a_code_signs_up_once(backend: Backend) {
    let app = spawn_app(backend).await;
    // The number may be typed any way; the code goes to the normalised number.
    let asked = app
        .request_code(&json!({"phone": "+86 139-1234-5678", "purpose": "register"}))
        .await;
    assert_eq!(asked.status, 202, "{}", asked.body);
    assert_eq!(asked.body["channel"], "sms");
    assert_eq!(asked.body["expires_in_secs"], 600);
    assert_eq!(asked.body["resend_after_secs"], 60);
    let code = app.last_code(NEW).expect("a code in the SMS outbox");

    // The code is not stored as itself.
    let row = auth_code::Entity::find()
        .filter(auth_code::Column::Destination.eq(NEW))
        .one(&app.db)
        .await
        .unwrap()
        .expect("a code row");
    assert!(!row.code_hash.as_deref().unwrap().contains(&code));

    // A sign-up without a code is malformed; a malformed code is named.
    let mut without = sign_up(NEW, &code);
    without.as_object_mut().unwrap().remove("code");
    let missing = app.register_raw(&without).await;
    assert_eq!(missing.status, 400, "{}", missing.body);
    assert_eq!(missing.field_errors()[0].0, "code");
    assert_invalid_code(&app.register_raw(&sign_up(NEW, "12 34")).await);

    let created = app.register_raw(&sign_up(NEW, &code)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(app.login(NEW, PASSWORD).await.status, 200);

    // Used once, the code is spent: the same sign-up again gets `invalid_code`.
    let mut again = sign_up(NEW, &code);
    again["display_name"] = json!("someone else");
    assert_invalid_code(&app.register_raw(&again).await);
    assert_eq!(
        account::Entity::find()
            .filter(account::Column::Phone.eq(NEW))
            .count(&app.db)
            .await
            .unwrap(),
        1
    );
}

async fn an_expired_code_is_refused(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.auth_code_resend_secs = 0).await;
    assert_eq!(app.request_code(&code_request(NEW)).await.status, 202);
    let code = app.last_code(NEW).unwrap();
    // Ten minutes pass.
    auth_code::Entity::update_many()
        .col_expr(
            auth_code::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(auth_code::Column::Destination.eq(NEW))
        .exec(&app.db)
        .await
        .unwrap();
    assert_invalid_code(&app.register_raw(&sign_up(NEW, &code)).await);

    // A new code works.
    assert_eq!(app.request_code(&code_request(NEW)).await.status, 202);
    let fresh = app.last_code(NEW).unwrap();
    let created = app.register_raw(&sign_up(NEW, &fresh)).await;
    assert_eq!(created.status, 201, "{}", created.body);
}

async fn five_wrong_codes_kill_the_code(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.auth_code_resend_secs = 0).await;
    assert_eq!(app.request_code(&code_request(NEW)).await.status, 202);
    let code = app.last_code(NEW).unwrap();
    let mut guess = code.clone();
    for _ in 0..5 {
        guess = wrong(&guess);
        assert_invalid_code(&app.register_raw(&sign_up(NEW, &guess)).await);
    }
    // Now even the right code is refused.
    assert_invalid_code(&app.register_raw(&sign_up(NEW, &code)).await);
    assert_eq!(app.login(NEW, PASSWORD).await.status, 401);

    // A new code replaces the dead one, and the old one stays dead.
    assert_eq!(app.request_code(&code_request(NEW)).await.status, 202);
    let fresh = app.last_code(NEW).unwrap();
    if fresh != code {
        assert_invalid_code(&app.register_raw(&sign_up(NEW, &code)).await);
    }
    let created = app.register_raw(&sign_up(NEW, &fresh)).await;
    assert_eq!(created.status, 201, "{}", created.body);
}

async fn codes_are_throttled_per_number_and_per_day(backend: Backend) {
    // The resend wait, for a new number and a registered one alike.
    let app = spawn_app(backend).await;
    app.register_as("merchant", EXISTING).await;
    a_minute_passes(&app, EXISTING).await;
    for phone in [NEW, EXISTING] {
        assert_eq!(app.request_code(&code_request(phone)).await.status, 202);
    }
    let sent = app.sms_outbox().len();
    let mut answers = Vec::new();
    for phone in [NEW, EXISTING] {
        let again = app.request_code(&code_request(phone)).await;
        assert_eq!(again.status, 429, "{}", again.body);
        assert_eq!(again.problem_code(), "code_resend_too_soon");
        let retry: u64 = again.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        answers.push(again.body);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(app.sms_outbox().len(), sent, "nothing more was sent");
    // Another number is not held back.
    assert_eq!(
        app.request_code(&code_request("13700001111")).await.status,
        202
    );

    // The daily count, with no resend wait; each new code replaces the one before.
    let app = spawn_app_with(backend, |s| {
        s.auth_code_resend_secs = 0;
        s.auth_codes_per_day = 3;
    })
    .await;
    let mut codes = Vec::new();
    for _ in 0..3 {
        assert_eq!(app.request_code(&code_request(NEW)).await.status, 202);
        codes.push(app.last_code(NEW).unwrap());
    }
    let fourth = app.request_code(&code_request(NEW)).await;
    assert_eq!(fourth.status, 429, "{}", fourth.body);
    assert_eq!(fourth.problem_code(), "code_daily_limit");
    assert_eq!(sms_templates(&app, NEW).len(), 3);
    if codes[0] != codes[2] {
        assert_invalid_code(&app.register_raw(&sign_up(NEW, &codes[0])).await);
    }
    let created = app.register_raw(&sign_up(NEW, &codes[2])).await;
    assert_eq!(created.status, 201, "{}", created.body);
}

async fn e_mail_codes_go_through_the_mail_outbox(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.auth_code_resend_secs = 0).await;
    let asked = app
        .request_code(&json!({"email": "Lina@Example.cn", "purpose": "register"}))
        .await;
    assert_eq!(asked.status, 202, "{}", asked.body);
    assert_eq!(asked.body["channel"], "email");
    let mails = app.mail_outbox("lina@example.cn");
    assert_eq!(mails.len(), 1);
    let code = doorstep_tests::app::six_digits(&mails[0].1).expect("the code in the mail");
    assert!(mails[0].1.contains("验证码"), "{}", mails[0].1);
    assert!(app.sms_outbox().is_empty(), "no SMS for an e-mail");

    let created = app
        .register_raw(&json!({
            "role": "merchant",
            "email": "lina@example.cn",
            "password": PASSWORD,
            "display_name": "星巴克园区店",
            "code": code,
        }))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);

    // Someone tries the address again: the same answer, and its owner gets a note with no
    // code in it.
    let again = app
        .request_code(&json!({"email": "lina@example.cn", "purpose": "register"}))
        .await;
    assert_eq!(again.status, 202, "{}", again.body);
    assert_eq!(again.body, asked.body);
    let mails = app.mail_outbox("lina@example.cn");
    assert_eq!(mails.len(), 2);
    let note = &mails[1].1;
    assert!(note.contains("已有账号"), "{note}");
    assert_eq!(doorstep_tests::app::six_digits(note), None, "{note}");
}

async fn concurrent_sign_ups_with_one_code_create_one_account(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.request_code(&code_request(NEW)).await.status, 202);
    let code = app.last_code(NEW).unwrap();
    let attempts = (0..6).map(|i| {
        let mut body = sign_up(NEW, &code);
        body["display_name"] = json!(format!("抢注{i}"));
        let app = &app;
        async move { app.register_raw(&body).await }
    });
    let responses = join_all(attempts).await;
    let created = responses.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1, "{responses:?}");
    for response in responses.iter().filter(|r| r.status != 201) {
        assert_invalid_code(response);
    }
    assert_eq!(
        account::Entity::find()
            .filter(account::Column::Phone.eq(NEW))
            .count(&app.db)
            .await
            .unwrap(),
        1
    );
}
