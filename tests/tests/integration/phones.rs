//! Phone numbers proved by SMS codes (issue 22, item 4): sign-up by phone records the number
//! as verified; a phone change sends a code to the new number and stores it verified; a
//! number another account holds is `409 phone_taken`, never merged. And SMS through Tencent
//! Cloud SMS: signed requests to a fake of its documented API, its errors mapped.

use std::collections::BTreeMap;

use doorstep_domain::types::Role;
use doorstep_matcher::mail::DeliveryError;
use doorstep_matcher::sms::{Sms, SmsSender, SmsTemplate};
use doorstep_matcher::tencent_sms::{TencentSms, TencentSmsConfig};
use doorstep_tests::app::PASSWORD;
use doorstep_tests::tencent_sms::{self as fake, FakeTencentSms, Reply};
use doorstep_tests::{ApiResponse, Backend, on_both_databases, spawn_app, spawn_app_with};
use serde_json::json;

on_both_databases!(
    sign_up_by_phone_records_the_number_as_verified,
    a_phone_change_needs_the_code_sent_to_the_new_number,
    a_number_held_by_another_account_is_refused,
    codes_go_through_tencent_cloud_sms,
);

const PHONE: &str = "13812345678";
const NEW: &str = "13912345678";

fn assert_invalid_code(response: &ApiResponse) {
    assert_eq!(response.status, 422, "{}", response.body);
    assert_eq!(
        response.field_errors(),
        vec![("code".to_owned(), "invalid_code".to_owned())],
        "{}",
        response.body
    );
}

async fn sign_up_by_phone_records_the_number_as_verified(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", PHONE).await;
    let me = app.as_user(&seeker).me().await.unwrap();
    assert_eq!(me.phone.as_deref(), Some(PHONE));
    assert!(me.phone_verified, "{me:?}");
    // An account an admin made proved nothing.
    let officer = app.create_staff(Role::Officer, "13700000001").await;
    let me = app.as_user(&officer).me().await.unwrap();
    assert!(!me.phone_verified, "{me:?}");
}

async fn a_phone_change_needs_the_code_sent_to_the_new_number(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", PHONE).await;
    let client = app.as_user(&seeker);

    // Malformed numbers are named; no token is a 401.
    let bad = app
        .post(
            "/api/v1/me/phone/code",
            &json!({"phone": "12345"}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.field_errors()[0].0, "phone");
    let anonymous = app
        .post("/api/v1/me/phone/code", &json!({"phone": NEW}), None)
        .await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
    // Asking for a change without a code first gets nothing.
    assert_invalid_code(
        &app.post(
            "/api/v1/me/phone",
            &json!({"phone": NEW, "code": "123456"}),
            Some(&seeker.access_token),
        )
        .await,
    );

    let asked = client
        .request_phone_code("+86 139-1234-5678")
        .await
        .expect("a code to the new number");
    assert_eq!(asked.channel, "sms");
    let code = app.last_code(NEW).expect("the code went to the new number");
    let text = app.sms_outbox().last().unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains(&code), "{text}");

    // The code is bound to the number it was sent to.
    assert_invalid_code(
        &app.post(
            "/api/v1/me/phone",
            &json!({"phone": "13712345678", "code": code}),
            Some(&seeker.access_token),
        )
        .await,
    );
    let n: u32 = code.parse().unwrap();
    assert_invalid_code(
        &app.post(
            "/api/v1/me/phone",
            &json!({"phone": NEW, "code": format!("{:06}", (n + 1) % 1_000_000)}),
            Some(&seeker.access_token),
        )
        .await,
    );

    let changed = client
        .change_phone(NEW, &code)
        .await
        .expect("the number changes");
    assert_eq!(changed.phone.as_deref(), Some(NEW));
    assert!(changed.phone_verified);
    // The session goes on (the password did not change); logins use the new number.
    assert_eq!(client.me().await.unwrap().phone.as_deref(), Some(NEW));
    assert_eq!(app.login(NEW, PASSWORD).await.status, 200);
    assert_eq!(app.login(PHONE, PASSWORD).await.status, 401);
    // The code is spent.
    assert_invalid_code(
        &app.post(
            "/api/v1/me/phone",
            &json!({"phone": NEW, "code": code}),
            Some(&seeker.access_token),
        )
        .await,
    );
}

async fn a_number_held_by_another_account_is_refused(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.auth_code_resend_secs = 0).await;
    let seeker = app.register_as("seeker", PHONE).await;
    let merchant = app.register_as("merchant", NEW).await;
    let to_holder = app
        .sms_outbox()
        .into_iter()
        .filter(|s| s["phone"] == NEW)
        .count();

    let taken = app
        .post(
            "/api/v1/me/phone/code",
            &json!({"phone": NEW}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert_eq!(taken.problem_code(), "phone_taken");
    // Nothing was sent to the holder's phone, and both accounts are as they were.
    assert_eq!(
        app.sms_outbox()
            .into_iter()
            .filter(|s| s["phone"] == NEW)
            .count(),
        to_holder
    );
    assert_eq!(
        app.as_user(&seeker).me().await.unwrap().phone.as_deref(),
        Some(PHONE)
    );
    assert_eq!(
        app.as_user(&merchant).me().await.unwrap().phone.as_deref(),
        Some(NEW)
    );

    // A number taken between the code and the change: the change is refused too.
    let free = "13712345678";
    app.as_user(&seeker).request_phone_code(free).await.unwrap();
    let code = app.last_code(free).unwrap();
    app.create_staff(Role::Officer, free).await;
    let late = app
        .post(
            "/api/v1/me/phone",
            &json!({"phone": free, "code": code}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(late.status, 409, "{}", late.body);
    assert_eq!(late.problem_code(), "phone_taken");
    assert_eq!(
        app.as_user(&seeker).me().await.unwrap().phone.as_deref(),
        Some(PHONE)
    );

    // Asking for one's own number re-verifies it.
    app.as_user(&seeker)
        .request_phone_code(PHONE)
        .await
        .unwrap();
    let own = app.last_code(PHONE).unwrap();
    let same = app
        .as_user(&seeker)
        .change_phone(PHONE, &own)
        .await
        .unwrap();
    assert_eq!(same.phone.as_deref(), Some(PHONE));
    assert!(same.phone_verified);
}

fn config(endpoint: String) -> TencentSmsConfig {
    TencentSmsConfig {
        endpoint,
        region: "ap-guangzhou".into(),
        secret_id: fake::SECRET_ID.into(),
        secret_key: fake::SECRET_KEY.into(),
        sdk_app_id: fake::SDK_APP_ID.into(),
        sign_name: fake::SIGN_NAME.into(),
        templates: BTreeMap::from([
            (SmsTemplate::AuthCode, fake::TEMPLATE_AUTH_CODE.into()),
            (
                SmsTemplate::SignUpAttempt,
                fake::TEMPLATE_SIGNUP_ATTEMPT.into(),
            ),
        ]),
    }
}

async fn codes_go_through_tencent_cloud_sms(backend: Backend) {
    let tencent = FakeTencentSms::start().await;
    let app = spawn_app_with(backend, |s| {
        tencent.configure(s);
        s.auth_code_resend_secs = 0;
    })
    .await;

    // A sign-up code: one signed SendSms request in the documented shape.
    let asked = app
        .request_code(&json!({"phone": PHONE, "purpose": "register"}))
        .await;
    assert_eq!(asked.status, 202, "{}", asked.body);
    let requests = tencent.received();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert!(
        sent.signature_ok,
        "the TC3 signature checks out: {:?}",
        sent.headers
    );
    let header = |name: &str| sent.headers.get(name).cloned().unwrap_or_default();
    assert_eq!(header("x-tc-action"), "SendSms");
    assert_eq!(header("x-tc-version"), "2021-01-11");
    assert_eq!(header("x-tc-region"), "ap-guangzhou");
    assert_eq!(header("content-type"), "application/json; charset=utf-8");
    assert_eq!(header("host"), format!("127.0.0.1:{}", tencent.port));
    let timestamp: i64 = header("x-tc-timestamp").parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 300);
    assert!(
        header("authorization")
            .starts_with(&format!("TC3-HMAC-SHA256 Credential={}/", fake::SECRET_ID)),
        "{}",
        header("authorization")
    );
    assert!(
        header("authorization")
            .contains("/sms/tc3_request, SignedHeaders=content-type;host, Signature=")
    );
    assert_eq!(sent.body["PhoneNumberSet"], json!([format!("+86{PHONE}")]));
    assert_eq!(sent.body["SmsSdkAppId"], fake::SDK_APP_ID);
    assert_eq!(sent.body["SignName"], fake::SIGN_NAME);
    assert_eq!(sent.body["TemplateId"], fake::TEMPLATE_AUTH_CODE);
    let params = sent.params();
    assert_eq!(params.len(), 2, "{params:?}");
    assert_eq!(params[1], "10", "minutes of validity");
    let code = tencent.last_code(PHONE).unwrap();
    assert_eq!(code.len(), 6);
    // Nothing went to the outbox folder.
    assert!(app.sms_outbox().is_empty());

    // The code signs up, and the number is verified.
    let created = app
        .register_raw(&json!({
            "role": "seeker", "phone": PHONE, "password": PASSWORD,
            "display_name": "李娜", "code": code,
        }))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["account"]["phone_verified"], true);

    // Someone else tries the number: its owner gets the notice template, no parameters.
    let again = app
        .request_code(&json!({"phone": PHONE, "purpose": "register"}))
        .await;
    assert_eq!(again.status, 202, "{}", again.body);
    let notice = tencent.sent_to(PHONE).pop().unwrap();
    assert_eq!(notice.body["TemplateId"], fake::TEMPLATE_SIGNUP_ATTEMPT);
    assert!(notice.params().is_empty());

    // A password reset by SMS through the provider.
    app.api.request_password_reset(PHONE).await.unwrap();
    let reset_code = tencent.last_code(PHONE).unwrap();
    app.api
        .reset_password(PHONE, &reset_code, "另一个好密码-2026")
        .await
        .expect("the provider's code resets the password");
    assert_eq!(app.login(PHONE, "另一个好密码-2026").await.status, 200);

    // The provider refuses: the request is `503 delivery_failed`, and nothing else leaks.
    for reply in [
        Reply::Error("AuthFailure.SecretIdNotFound"),
        Reply::NumberRefused("LimitExceeded.PhoneNumberDailyLimit"),
        Reply::Error("InternalError.Timeout"),
    ] {
        tencent.reply(reply.clone());
        let refused = app
            .request_code(&json!({"phone": NEW, "purpose": "register"}))
            .await;
        assert_eq!(refused.status, 503, "{reply:?}: {}", refused.body);
        assert_eq!(refused.problem_code(), "delivery_failed");
    }

    // The sender maps the documented errors: throttles and the provider's own trouble are
    // worth retrying, the rest are not.
    let sender = TencentSms::new(config(tencent.endpoint())).unwrap();
    let sms = Sms {
        phone: NEW.into(),
        template: SmsTemplate::AuthCode,
        params: BTreeMap::from([
            ("code".to_owned(), "042917".to_owned()),
            ("minutes".to_owned(), "10".to_owned()),
        ]),
    };
    let cases = [
        (Reply::Sent, None),
        (Reply::Error("InternalError.Timeout"), Some(true)),
        (Reply::Error("RequestLimitExceeded"), Some(true)),
        (
            Reply::NumberRefused("LimitExceeded.PhoneNumberOneHourLimit"),
            Some(true),
        ),
        (
            Reply::NumberRefused("LimitExceeded.PhoneNumberDailyLimit"),
            Some(false),
        ),
        (
            Reply::NumberRefused("InvalidParameterValue.IncorrectPhoneNumber"),
            Some(false),
        ),
        (
            Reply::Error("FailedOperation.TemplateIncorrectOrUnapproved"),
            Some(false),
        ),
    ];
    for (reply, retryable) in cases {
        tencent.reply(reply.clone());
        let result = sender.send(&sms).await;
        match (retryable, &result) {
            (None, Ok(())) => {}
            (Some(true), Err(DeliveryError::Transient(text)))
            | (Some(false), Err(DeliveryError::Permanent(text))) => {
                assert!(text.contains("Tencent Cloud SMS answered"), "{text}");
            }
            _ => panic!("{reply:?}: {result:?}"),
        }
    }
    let last = tencent.received().pop().unwrap();
    assert_eq!(last.params(), vec!["042917".to_owned(), "10".to_owned()]);

    // A wrong secret key: the fake refuses the signature, and so would Tencent Cloud.
    let mut wrong_key = config(tencent.endpoint());
    wrong_key.secret_key = "not-the-key".into();
    tencent.reply(Reply::Sent);
    let refused = TencentSms::new(wrong_key).unwrap().send(&sms).await;
    assert!(
        matches!(&refused, Err(DeliveryError::Permanent(text)) if text.contains("AuthFailure.SignatureFailure")),
        "{refused:?}"
    );
    assert!(!tencent.received().pop().unwrap().signature_ok);

    // A half-configured provider stops the start instead of losing codes.
    let mut missing = config(tencent.endpoint());
    missing.templates.remove(&SmsTemplate::SignUpAttempt);
    assert!(TencentSms::new(missing).is_err());
}
