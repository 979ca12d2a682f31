//! Changing and resetting a password (issue 22, item 4): the change needs the current
//! password and ends every other session; the reset goes by a one-time code to the
//! account's phone or e-mail, answers the same whether or not an account exists, and its
//! codes expire, are spent once, die after five wrong guesses and are throttled.

use doorstep_domain::entities::auth_code;
use doorstep_tests::app::PASSWORD;
use doorstep_tests::{
    ApiResponse, Backend, Session, TestApp, on_both_databases, spawn_app, spawn_app_with,
};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

on_both_databases!(
    a_password_change_needs_the_current_one_and_ends_other_sessions,
    a_reset_code_sets_the_password_once_and_ends_every_session,
    a_reset_does_not_tell_whether_an_account_exists,
    an_expired_reset_code_is_refused,
    five_wrong_reset_codes_kill_the_code,
    reset_codes_are_throttled_alike_for_every_login,
    a_reset_by_e_mail_goes_through_the_mail,
);

const PHONE: &str = "13812345678";
const UNKNOWN: &str = "13912345678";
const NEW_PASSWORD: &str = "另一个好密码-2026";

fn reset_request(phone: &str) -> Value {
    json!({"phone": phone, "purpose": "reset_password"})
}

fn reset(login: &str, code: &str, password: &str) -> Value {
    json!({"login": login, "code": code, "new_password": password})
}

async fn confirm(app: &TestApp, body: &Value) -> ApiResponse {
    app.post("/api/v1/auth/password/reset", body, None).await
}

fn assert_field(response: &ApiResponse, field: &str, code: &str) {
    assert_eq!(response.status, 422, "{}", response.body);
    assert_eq!(response.problem_code(), "validation_failed");
    assert_eq!(
        response.field_errors(),
        vec![(field.to_owned(), code.to_owned())],
        "{}",
        response.body
    );
}

/// A code that is not the one sent.
fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

/// The SMS messages sent to `phone`.
fn texts_to(app: &TestApp, phone: &str) -> usize {
    app.sms_outbox()
        .into_iter()
        .filter(|sms| sms["phone"] == phone)
        .count()
}

/// The session is over: its refresh token is refused and its access token too.
async fn assert_ended(app: &TestApp, session: &Session) {
    let refreshed = app.refresh(&session.refresh_token).await;
    assert_eq!(refreshed.status, 401, "{}", refreshed.body);
    let me = app.me(&session.access_token).await;
    assert_eq!(me.status, 401, "{}", me.body);
    assert_eq!(me.problem_code(), "token_revoked");
}

async fn a_password_change_needs_the_current_one_and_ends_other_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let phone_session = app.register_as("seeker", PHONE).await;
    let laptop = app.session(PHONE).await;
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let path = "/api/v1/me/password";

    // The wrong current password changes nothing, and says which field is wrong.
    let refused = app
        .post(
            path,
            &change("not-my-password", NEW_PASSWORD),
            Some(&phone_session.access_token),
        )
        .await;
    assert_field(&refused, "current_password", "wrong_password");
    // A weak or login-containing new password is refused before the current one is checked.
    let weak = app
        .post(
            path,
            &change(PASSWORD, "12345678"),
            Some(&phone_session.access_token),
        )
        .await;
    assert_field(&weak, "new_password", "weak_password");
    let with_login = app
        .post(
            path,
            &change(PASSWORD, &format!("my{PHONE}!")),
            Some(&phone_session.access_token),
        )
        .await;
    assert_field(&with_login, "new_password", "weak_password");
    // Without a token: 401.
    assert_eq!(
        app.post(path, &change(PASSWORD, NEW_PASSWORD), None)
            .await
            .status,
        401
    );
    // Nothing changed so far: both sessions live, the old password logs in.
    assert_eq!(app.me(&laptop.access_token).await.status, 200);
    assert_eq!(app.login(PHONE, PASSWORD).await.status, 200);

    let changed = app
        .as_user(&phone_session)
        .change_password(PASSWORD, NEW_PASSWORD)
        .await
        .expect("the password changes");
    let current: Session = changed.into();
    assert_eq!(current.account_id, phone_session.account_id);

    // The other device is logged out at once, and so is the session that asked (it holds
    // a new one now).
    assert_ended(&app, &laptop).await;
    assert_ended(&app, &phone_session).await;
    // The new session works and refreshes.
    let me = app
        .as_user(&current)
        .me()
        .await
        .expect("the new session works");
    assert_eq!(me.phone.as_deref(), Some(PHONE));
    assert_eq!(app.refresh(&current.refresh_token).await.status, 200);

    // The old password no longer logs in; the new one does.
    let old = app.login(PHONE, PASSWORD).await;
    assert_eq!(old.status, 401, "{}", old.body);
    assert_eq!(old.problem_code(), "invalid_credentials");
    assert_eq!(app.login(PHONE, NEW_PASSWORD).await.status, 200);
}

async fn a_reset_code_sets_the_password_once_and_ends_every_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = app.register_as("merchant", PHONE).await;
    app.let_code_waits_pass(PHONE).await;

    let asked = app
        .api
        .request_password_reset(PHONE)
        .await
        .expect("a reset code is sent");
    assert_eq!(asked.channel, "sms");
    assert_eq!(asked.expires_in_secs, 600);
    let code = app.last_code(PHONE).expect("a code by SMS");
    let text = app.sms_outbox().last().unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains(&code), "{text}");

    // A wrong code, a malformed one, a weak password: refused, nothing changes.
    assert_field(
        &confirm(&app, &reset(PHONE, &wrong(&code), NEW_PASSWORD)).await,
        "code",
        "invalid_code",
    );
    assert_field(
        &confirm(&app, &reset(PHONE, "12 34", NEW_PASSWORD)).await,
        "code",
        "invalid_code",
    );
    assert_field(
        &confirm(&app, &reset(PHONE, &code, "password")).await,
        "new_password",
        "weak_password",
    );
    let unknown_field = app
        .post(
            "/api/v1/auth/password/reset",
            &json!({"login": PHONE, "code": code, "new_password": NEW_PASSWORD, "role": "admin"}),
            None,
        )
        .await;
    assert_eq!(unknown_field.status, 400, "{}", unknown_field.body);
    assert_eq!(app.me(&session.access_token).await.status, 200);

    app.api
        .reset_password(PHONE, &code, NEW_PASSWORD)
        .await
        .expect("the code resets the password");
    assert_ended(&app, &session).await;
    assert_eq!(app.login(PHONE, PASSWORD).await.status, 401);
    let logged_in = app.login(PHONE, NEW_PASSWORD).await;
    assert_eq!(logged_in.status, 200, "{}", logged_in.body);
    assert_eq!(logged_in.body["account"]["phone_verified"], true);

    // The code is spent: using it again, even with another password, is refused.
    assert_field(
        &confirm(&app, &reset(PHONE, &code, "第三个好密码-2026")).await,
        "code",
        "invalid_code",
    );
    assert_eq!(app.login(PHONE, NEW_PASSWORD).await.status, 200);
}

async fn a_reset_does_not_tell_whether_an_account_exists(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register_as("seeker", PHONE).await;
    app.let_code_waits_pass(PHONE).await;
    let sent_before = texts_to(&app, PHONE);

    let known = app.request_code(&reset_request(PHONE)).await;
    let unknown = app.request_code(&reset_request(UNKNOWN)).await;
    assert_eq!(known.status, 202, "{}", known.body);
    assert_eq!(unknown.status, 202, "{}", unknown.body);
    assert_eq!(known.body, unknown.body);
    assert_eq!(known.content_type(), unknown.content_type());
    // The account's owner got a code; the unknown number got nothing at all.
    assert_eq!(texts_to(&app, PHONE), sent_before + 1);
    assert_eq!(texts_to(&app, UNKNOWN), 0);
    let unknown_mail = app
        .request_code(&json!({"email": "nobody@example.cn", "purpose": "reset_password"}))
        .await;
    assert_eq!(unknown_mail.status, 202, "{}", unknown_mail.body);
    assert!(app.mail_outbox("nobody@example.cn").is_empty());

    // Confirming answers alike: a guessed code for the unknown number and a wrong one for
    // the account.
    let code = app.last_code(PHONE).unwrap();
    let on_unknown = confirm(&app, &reset(UNKNOWN, &code, NEW_PASSWORD)).await;
    let on_known = confirm(&app, &reset(PHONE, &wrong(&code), NEW_PASSWORD)).await;
    assert_field(&on_unknown, "code", "invalid_code");
    assert_field(&on_known, "code", "invalid_code");
    assert_eq!(on_unknown.body, on_known.body);
    // No account appeared for the unknown number.
    assert_eq!(app.login(UNKNOWN, NEW_PASSWORD).await.status, 401);
}

async fn an_expired_reset_code_is_refused(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.auth_code_resend_secs = 0).await;
    app.register_as("seeker", PHONE).await;
    assert_eq!(app.request_code(&reset_request(PHONE)).await.status, 202);
    let code = app.last_code(PHONE).unwrap();
    // Ten minutes pass.
    auth_code::Entity::update_many()
        .col_expr(
            auth_code::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(auth_code::Column::Destination.eq(PHONE))
        .filter(auth_code::Column::Purpose.eq("reset_password"))
        .exec(&app.db)
        .await
        .unwrap();
    assert_field(
        &confirm(&app, &reset(PHONE, &code, NEW_PASSWORD)).await,
        "code",
        "invalid_code",
    );
    assert_eq!(app.login(PHONE, PASSWORD).await.status, 200);

    // A new code works.
    assert_eq!(app.request_code(&reset_request(PHONE)).await.status, 202);
    let fresh = app.last_code(PHONE).unwrap();
    let done = confirm(&app, &reset(PHONE, &fresh, NEW_PASSWORD)).await;
    assert_eq!(done.status, 204, "{}", done.body);
}

async fn five_wrong_reset_codes_kill_the_code(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register_as("seeker", PHONE).await;
    app.let_code_waits_pass(PHONE).await;
    assert_eq!(app.request_code(&reset_request(PHONE)).await.status, 202);
    let code = app.last_code(PHONE).unwrap();
    for _ in 0..5 {
        assert_field(
            &confirm(&app, &reset(PHONE, &wrong(&code), NEW_PASSWORD)).await,
            "code",
            "invalid_code",
        );
    }
    // The right code comes too late: the code is dead.
    assert_field(
        &confirm(&app, &reset(PHONE, &code, NEW_PASSWORD)).await,
        "code",
        "invalid_code",
    );
    assert_eq!(app.login(PHONE, PASSWORD).await.status, 200);
    assert_eq!(app.login(PHONE, NEW_PASSWORD).await.status, 401);
}

async fn reset_codes_are_throttled_alike_for_every_login(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register_as("seeker", PHONE).await;
    app.let_code_waits_pass(PHONE).await;
    for phone in [PHONE, UNKNOWN] {
        assert_eq!(app.request_code(&reset_request(phone)).await.status, 202);
    }
    let sent = app.sms_outbox().len();
    let mut answers = Vec::new();
    for phone in [PHONE, UNKNOWN] {
        let again = app.request_code(&reset_request(phone)).await;
        assert_eq!(again.status, 429, "{}", again.body);
        assert_eq!(again.problem_code(), "code_resend_too_soon");
        assert!(again.headers.contains_key("retry-after"));
        answers.push(again.body);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(app.sms_outbox().len(), sent, "nothing more was sent");

    // The daily count, with no resend wait, holds for both alike.
    let app = spawn_app_with(backend, |s| {
        s.auth_code_resend_secs = 0;
        s.auth_codes_per_day = 2;
    })
    .await;
    app.register_as("seeker", PHONE).await;
    let mut answers = Vec::new();
    for phone in [PHONE, UNKNOWN] {
        for _ in 0..2 {
            assert_eq!(app.request_code(&reset_request(phone)).await.status, 202);
        }
        let third = app.request_code(&reset_request(phone)).await;
        assert_eq!(third.status, 429, "{}", third.body);
        assert_eq!(third.problem_code(), "code_daily_limit");
        answers.push(third.body);
    }
    assert_eq!(answers[0], answers[1]);
    // The limit counts reset codes apart from sign-up codes: the sign-up used one.
    let codes_to_owner = app
        .sms_outbox()
        .into_iter()
        .filter(|sms| sms["phone"] == PHONE && sms["template"] == "auth_code")
        .count();
    assert_eq!(codes_to_owner, 1 + 2);
}

async fn a_reset_by_e_mail_goes_through_the_mail(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = "lina@example.cn";
    let mut sign_up = json!({
        "role": "seeker",
        "email": email,
        "password": PASSWORD,
        "display_name": "李娜",
    });
    sign_up["code"] = json!(app.sign_up_code(&sign_up).await);
    let session: Session = app.api.register(&sign_up).await.expect("signed up").into();
    app.let_code_waits_pass(email).await;

    let asked = app
        .api
        .request_password_reset("Lina@Example.cn")
        .await
        .expect("a reset code by mail");
    assert_eq!(asked.channel, "email");
    let mails = app.mail_outbox(email);
    let (_, text) = mails.last().expect("the reset mail");
    assert!(text.contains("重置密码"), "{text}");
    let code = doorstep_tests::app::six_digits(text).expect("the code in the mail");
    assert!(app.sms_outbox().is_empty(), "no SMS for an e-mail login");

    app.api
        .reset_password(email, &code, NEW_PASSWORD)
        .await
        .expect("the mailed code resets the password");
    assert_ended(&app, &session).await;
    assert_eq!(app.login(email, PASSWORD).await.status, 401);
    let logged_in = app.login(email, NEW_PASSWORD).await;
    assert_eq!(logged_in.status, 200, "{}", logged_in.body);
    // An e-mail login proves no phone.
    assert_eq!(logged_in.body["account"]["phone_verified"], false);
}
