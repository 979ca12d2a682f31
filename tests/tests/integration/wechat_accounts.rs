//! The WeChat mini-program's accounts (issue 23, items 1, 2 and 6): sign-in with
//! `wx.login`, binding and unbinding, the phone number from `getPhoneNumber`, WeChat's
//! errors as problems, and the mini-program codes of postings, fairs and stations. All
//! through real HTTP against the fake WeChat server.

use doorstep_domain::accounts::NO_PASSWORD;
use doorstep_domain::entities::{account, wechat_binding};
use doorstep_tests::community::{always_open, station_body};
use doorstep_tests::fairs::fair_body;
use doorstep_tests::market::posting_body;
use doorstep_tests::wechat::{FakeWechat, PNG};
use doorstep_tests::{ApiResponse, Backend, Session, TestApp, on_both_databases, spawn_app};
use futures_util::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    the_first_sign_in_creates_a_seeker_whose_tokens_work,
    twenty_first_sign_ins_at_once_make_one_account,
    a_reused_or_unknown_code_is_422,
    rate_limits_busy_and_an_unreachable_wechat_are_problems,
    without_wechat_every_wechat_route_is_404,
    binding_a_wechat_user_of_another_account_is_409,
    unbinding_then_signing_in_makes_a_new_account,
    the_phone_number_from_wechat_is_verified_and_never_merged,
    mini_program_codes_are_pngs_made_once,
);

const SIGN_IN: &str = "/api/v1/auth/wechat";
const JSCODE2SESSION: &str = "/sns/jscode2session";
const WXACODE: &str = "/wxa/getwxacodeunlimit";

async fn wechat_app(backend: Backend) -> (TestApp, FakeWechat) {
    let fake = FakeWechat::start().await;
    let app = doorstep_tests::spawn_app_with(backend, |settings| fake.configure(settings)).await;
    (app, fake)
}

async fn sign_in(app: &TestApp, code: &str) -> ApiResponse {
    app.post(SIGN_IN, &json!({"code": code}), None).await
}

async fn me(app: &TestApp, who: &Session) -> Value {
    let me = app.get("/api/v1/me", Some(&who.access_token)).await;
    assert_eq!(me.status, 200, "{}", me.body);
    me.body
}

fn assert_code_invalid(response: &ApiResponse) {
    assert_eq!(response.status, 422, "{}", response.body);
    assert_eq!(
        response.field_errors(),
        vec![("code".to_owned(), "wechat_code_invalid".to_owned())],
        "{}",
        response.body
    );
}

fn assert_problem(response: &ApiResponse, status: u16, code: &str) {
    assert_eq!(response.status, status, "{}", response.body);
    assert_eq!(response.problem_code(), code, "{}", response.body);
}

async fn bindings(app: &TestApp) -> u64 {
    wechat_binding::Entity::find()
        .count(&app.db)
        .await
        .expect("count bindings")
}

async fn the_first_sign_in_creates_a_seeker_whose_tokens_work(backend: Backend) {
    let (app, fake) = wechat_app(backend).await;
    let first = sign_in(&app, &fake.login_code("o-alice", Some("u-alice"))).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let text = first.body.to_string();
    assert!(!text.contains("session_key") && !text.contains("tiihtNczf5v6AKRyjwEUhQ=="));
    assert!(
        !text.contains("o-alice"),
        "the openid is not handed out: {text}"
    );
    let alice = Session::from_response(&first);

    let mine = me(&app, &alice).await;
    assert_eq!(mine["id"], json!(alice.account_id));
    assert_eq!(mine["role"], "seeker");
    assert_eq!(mine["display_name"], "微信用户");
    assert_eq!(mine["phone"], Value::Null);
    assert_eq!(mine["phone_verified"], false);
    assert_eq!(mine["wechat_bound"], true);

    // The refresh token is Doorstep's usual one.
    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": alice.refresh_token}),
            None,
        )
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);

    // Signing in again (a new code, as wx.login gives each time) is the same account.
    let again = sign_in(&app, &fake.login_code("o-alice", Some("u-alice"))).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(Session::from_response(&again).account_id, alice.account_id);

    // jscode2session got the app's credentials; the row keeps openid and unionid only.
    let asked = fake.requests(JSCODE2SESSION);
    assert_eq!(asked.len(), 2);
    assert_eq!(asked[0].query["grant_type"], "authorization_code");
    let row = wechat_binding::Entity::find_by_id(alice.account_id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("a binding");
    assert_eq!(row.openid, "o-alice");
    assert_eq!(row.unionid.as_deref(), Some("u-alice"));
    let account = account::Entity::find_by_id(alice.account_id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the account");
    assert_eq!(account.password_hash, NO_PASSWORD);
    assert_eq!(bindings(&app).await, 1);
}

async fn twenty_first_sign_ins_at_once_make_one_account(backend: Backend) {
    let (app, fake) = wechat_app(backend).await;
    let codes: Vec<String> = (0..20).map(|_| fake.login_code("o-crowd", None)).collect();
    let answers = join_all(codes.iter().map(|code| sign_in(&app, code))).await;
    let mut ids = Vec::new();
    let mut created = 0;
    for answer in &answers {
        assert!(
            matches!(answer.status, 200 | 201),
            "{} {}",
            answer.status,
            answer.body
        );
        created += usize::from(answer.status == 201);
        ids.push(Session::from_response(answer).account_id);
    }
    assert_eq!(created, 1, "exactly one sign-in created the account");
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(bindings(&app).await, 1);
    let wechat_accounts = account::Entity::find()
        .filter(account::Column::PasswordHash.eq(NO_PASSWORD))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(wechat_accounts, 1, "no orphan account was left behind");
    assert_eq!(fake.calls(JSCODE2SESSION), 20);
}

async fn a_reused_or_unknown_code_is_422(backend: Backend) {
    let (app, fake) = wechat_app(backend).await;
    let code = fake.login_code("o-alice", None);
    assert_eq!(sign_in(&app, &code).await.status, 201);
    // WeChat's 40163 (used) and 40029 (unknown).
    assert_code_invalid(&sign_in(&app, &code).await);
    assert_code_invalid(&sign_in(&app, "no-such-code").await);
    assert_eq!(fake.calls(JSCODE2SESSION), 3);
    // Not a code at all: refused without asking WeChat.
    assert_code_invalid(&sign_in(&app, "   ").await);
    assert_eq!(fake.calls(JSCODE2SESSION), 3);
    assert_eq!(bindings(&app).await, 1);
}

async fn rate_limits_busy_and_an_unreachable_wechat_are_problems(backend: Backend) {
    let (app, fake) = wechat_app(backend).await;

    // 45011: 429 with Retry-After; the code was not spent, so it works afterwards.
    let code = fake.login_code("o-alice", None);
    fake.fail_next(JSCODE2SESSION, &[45011]);
    let limited = sign_in(&app, &code).await;
    assert_problem(&limited, 429, "wechat_rate_limited");
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0);
    assert_eq!(bindings(&app).await, 0);
    assert_eq!(sign_in(&app, &code).await.status, 201);

    // -1 once: retried inside the client, the user sees a success.
    let before = fake.calls(JSCODE2SESSION);
    fake.fail_next(JSCODE2SESSION, &[-1]);
    let busy_once = sign_in(&app, &fake.login_code("o-bob", None)).await;
    assert_eq!(busy_once.status, 201, "{}", busy_once.body);
    assert_eq!(fake.calls(JSCODE2SESSION), before + 2);
    // -1 twice: 503 wechat_busy with Retry-After.
    let code = fake.login_code("o-carol", None);
    fake.fail_next(JSCODE2SESSION, &[-1, -1]);
    let busy = sign_in(&app, &code).await;
    assert_problem(&busy, 503, "wechat_busy");
    assert!(busy.headers.get("retry-after").is_some());

    // The whole server down: 503 wechat_unavailable, never a 500, and nothing is lost:
    // the same code signs in once WeChat is back.
    fake.go_down();
    assert_problem(&sign_in(&app, &code).await, 503, "wechat_unavailable");
    assert_eq!(bindings(&app).await, 2);
    fake.come_up();
    let carol = sign_in(&app, &code).await;
    assert_eq!(carol.status, 201, "{}", carol.body);
    assert_eq!(bindings(&app).await, 3);

    // A wrong AppSecret (40125) is the operator's problem: 503, not a 500.
    let wrong = doorstep_tests::spawn_app_with(app.backend, |settings| {
        fake.configure(settings);
        settings.wechat_app_secret = Some("not-the-secret".into());
    })
    .await;
    let refused = sign_in(&wrong, &fake.login_code("o-dave", None)).await;
    assert_problem(&refused, 503, "wechat_unavailable");
}

async fn without_wechat_every_wechat_route_is_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let seeker = app.register_as("seeker", "13812345678").await;
    let token = Some(seeker.access_token.as_str());
    let body = json!({"code": "whatever"});
    let id = Uuid::new_v4();
    let answers = [
        app.post(SIGN_IN, &body, None).await,
        app.post("/api/v1/me/wechat", &body, token).await,
        app.delete("/api/v1/me/wechat", token).await,
        app.post("/api/v1/me/phone/wechat", &body, token).await,
        app.get(&format!("/api/v1/postings/{id}/wxacode"), None)
            .await,
        app.get(&format!("/api/v1/fairs/{id}/wxacode"), None).await,
        app.get(&format!("/api/v1/stations/{id}/wxacode"), None)
            .await,
    ];
    for answer in &answers {
        assert_problem(answer, 404, "wechat_not_configured");
    }
    // Everything else is as before.
    let mine = me(&app, &seeker).await;
    assert_eq!(mine["wechat_bound"], false);
    assert_eq!(mine["phone"], "13812345678");
}

async fn binding_a_wechat_user_of_another_account_is_409(backend: Backend) {
    let (app, fake) = wechat_app(backend).await;
    let alice = Session::from_response(&sign_in(&app, &fake.login_code("o-alice", None)).await);
    let merchant = app.register_as("merchant", "13912345678").await;
    let token = Some(merchant.access_token.as_str());

    let taken = app
        .post(
            "/api/v1/me/wechat",
            &json!({"code": fake.login_code("o-alice", None)}),
            token,
        )
        .await;
    assert_problem(&taken, 409, "wechat_taken");
    // Alice keeps her WeChat.
    let back = sign_in(&app, &fake.login_code("o-alice", None)).await;
    assert_eq!(Session::from_response(&back).account_id, alice.account_id);

    // The merchant binds their own WeChat and then signs in with it.
    let bound = app
        .post(
            "/api/v1/me/wechat",
            &json!({"code": fake.login_code("o-merchant", None)}),
            token,
        )
        .await;
    assert_eq!(bound.status, 200, "{}", bound.body);
    assert_eq!(bound.body["wechat_bound"], true);
    assert_eq!(bound.body["role"], "merchant");
    let signed_in = sign_in(&app, &fake.login_code("o-merchant", None)).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    assert_eq!(
        Session::from_response(&signed_in).account_id,
        merchant.account_id
    );
    // Binding the same WeChat again changes nothing; another one needs an unbind first.
    let same = app
        .post(
            "/api/v1/me/wechat",
            &json!({"code": fake.login_code("o-merchant", None)}),
            token,
        )
        .await;
    assert_eq!(same.status, 200, "{}", same.body);
    let other = app
        .post(
            "/api/v1/me/wechat",
            &json!({"code": fake.login_code("o-other", None)}),
            token,
        )
        .await;
    assert_problem(&other, 409, "wechat_already_bound");
    assert_eq!(bindings(&app).await, 2);
}

async fn unbinding_then_signing_in_makes_a_new_account(backend: Backend) {
    let (app, fake) = wechat_app(backend).await;
    let merchant = app.register_as("merchant", "13912345678").await;
    let token = Some(merchant.access_token.as_str());
    let bound = app
        .post(
            "/api/v1/me/wechat",
            &json!({"code": fake.login_code("o-bob", None)}),
            token,
        )
        .await;
    assert_eq!(bound.status, 200, "{}", bound.body);

    let unbound = app.delete("/api/v1/me/wechat", token).await;
    assert_eq!(unbound.status, 204, "{}", unbound.body);
    assert_eq!(me(&app, &merchant).await["wechat_bound"], false);
    // Unbinding twice is harmless.
    assert_eq!(app.delete("/api/v1/me/wechat", token).await.status, 204);

    // The same WeChat user now gets a new seeker account; the merchant's stays as it was.
    let fresh = sign_in(&app, &fake.login_code("o-bob", None)).await;
    assert_eq!(fresh.status, 201, "{}", fresh.body);
    let fresh = Session::from_response(&fresh);
    assert_ne!(fresh.account_id, merchant.account_id);
    assert_eq!(me(&app, &fresh).await["role"], "seeker");
    assert_eq!(
        app.login("13912345678", doorstep_tests::app::PASSWORD)
            .await
            .status,
        200
    );

    // An account whose only login is WeChat cannot unbind it.
    let only = app
        .delete("/api/v1/me/wechat", Some(&fresh.access_token))
        .await;
    assert_problem(&only, 409, "wechat_only_login");
    assert_eq!(me(&app, &fresh).await["wechat_bound"], true);

    // Erasing the account removes its WeChat too: the next sign-in starts afresh.
    let erased = app.delete("/api/v1/me", Some(&fresh.access_token)).await;
    assert_eq!(erased.status, 204, "{}", erased.body);
    let again = sign_in(&app, &fake.login_code("o-bob", None)).await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_ne!(Session::from_response(&again).account_id, fresh.account_id);
}

async fn the_phone_number_from_wechat_is_verified_and_never_merged(backend: Backend) {
    let (app, fake) = wechat_app(backend).await;
    let alice = Session::from_response(&sign_in(&app, &fake.login_code("o-alice", None)).await);
    let code = fake.phone_code("13812345678");
    let verified = app
        .post(
            "/api/v1/me/phone/wechat",
            &json!({"code": code}),
            Some(&alice.access_token),
        )
        .await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert_eq!(verified.body["phone"], "13812345678");
    assert_eq!(verified.body["phone_verified"], true);
    let stored = account::Entity::find_by_id(alice.account_id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the account");
    assert!(stored.phone_verified_at.is_some());
    // getuserphonenumber was called with the code, under the access token.
    let asked = fake.requests("/wxa/business/getuserphonenumber");
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].json()["code"], code.as_str());
    assert!(asked[0].query.contains_key("access_token"));
    // The code is good once.
    assert_code_invalid(
        &app.post(
            "/api/v1/me/phone/wechat",
            &json!({"code": code}),
            Some(&alice.access_token),
        )
        .await,
    );

    // Another account's number: 409, and nothing moves.
    let holder = app.register_as("seeker", "13912345678").await;
    let bob = Session::from_response(&sign_in(&app, &fake.login_code("o-bob", None)).await);
    let conflict = app
        .post(
            "/api/v1/me/phone/wechat",
            &json!({"code": fake.phone_code("13912345678")}),
            Some(&bob.access_token),
        )
        .await;
    assert_problem(&conflict, 409, "phone_taken");
    assert_eq!(me(&app, &bob).await["phone"], Value::Null);
    assert_eq!(me(&app, &holder).await["phone"], "13912345678");

    // With a verified number, Alice may now unbind WeChat.
    let unbound = app
        .delete("/api/v1/me/wechat", Some(&alice.access_token))
        .await;
    assert_eq!(unbound.status, 204, "{}", unbound.body);
}

async fn mini_program_codes_are_pngs_made_once(backend: Backend) {
    let (app, fake) = wechat_app(backend).await;
    let officer = app.officer().await;
    let shop = app.verified_shop("13912345678", &officer).await;
    let posting = app.open_posting(&shop, &posting_body("咖啡师")).await;
    let fair = app
        .published_fair(&officer, &fair_body("石路招聘会", 3))
        .await;
    let station = app
        .station(
            &officer,
            &station_body("石路暖新驿站", 31.3137, 120.6004, always_open()),
        )
        .await;

    let path = format!("/api/v1/postings/{posting}/wxacode");
    let first = app.get_bytes(&path, None).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.headers["content-type"], "image/png");
    assert_eq!(first.bytes, PNG);
    let second = app.get_bytes(&path, None).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.bytes, PNG);
    assert_eq!(
        fake.calls(WXACODE),
        1,
        "the second answer came from the store"
    );
    let asked = fake.requests(WXACODE)[0].json();
    let scene = asked["scene"].as_str().unwrap();
    assert!(scene.len() <= 32, "{scene}");
    assert_eq!(Uuid::parse_str(scene).unwrap(), posting);
    // The page opens the posting by the scene as it is.
    let opened = app.get(&format!("/api/v1/postings/{scene}"), None).await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert_eq!(opened.body["id"], json!(posting));
    assert_eq!(asked["page"], "pages/posting/index");
    assert_eq!(asked["check_path"], false);

    for (kind, id, page) in [
        ("fairs", fair, "pages/fair/index"),
        ("stations", station, "pages/station/index"),
    ] {
        let path = format!("/api/v1/{kind}/{id}/wxacode");
        for _ in 0..2 {
            let image = app.get_bytes(&path, None).await;
            assert_eq!(image.status, 200, "{kind}");
            assert_eq!(image.bytes, PNG, "{kind}");
        }
        let last = fake.requests(WXACODE).last().unwrap().json();
        assert_eq!(last["page"], page);
        assert_eq!(last["scene"], id.simple().to_string());
    }
    assert_eq!(fake.calls(WXACODE), 3);
    // One access token served every call.
    assert_eq!(fake.calls("/cgi-bin/stable_token"), 1);

    // No such posting: 404 before WeChat is asked.
    let missing = app
        .get(
            &format!("/api/v1/postings/{}/wxacode", Uuid::new_v4()),
            None,
        )
        .await;
    assert_problem(&missing, 404, "not_found");
    assert_eq!(fake.calls(WXACODE), 3);
    // WeChat down for an image not yet made: 503, not a 500.
    fake.go_down();
    let other = app.open_posting(&shop, &posting_body("收银员")).await;
    let down = app
        .get(&format!("/api/v1/postings/{other}/wxacode"), None)
        .await;
    assert_problem(&down, 503, "wechat_unavailable");
    // Made ones are still served.
    assert_eq!(app.get_bytes(&path, None).await.bytes, PNG);
}
