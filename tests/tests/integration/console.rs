//! The officer console (`/console`): signing in and out, the verification queue in a real
//! browser, CSRF, idle sessions, escaping, and the district scope of every console route
//! (generated from `doorstep_api::console::ROUTES`).

use std::collections::HashMap;

use doorstep_api::console::{Access, ROUTES};
use doorstep_client::views::marketplace::BusinessView;
use doorstep_domain::entities::console_session;
use doorstep_domain::types::BusinessStatus;
use doorstep_tests::browser::{self, Browser};
use doorstep_tests::console::ConsoleClient;
use doorstep_tests::market::business_body;
use doorstep_tests::{Backend, TestApp, on_both_databases, spawn_app};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, QueryFilter};
use uuid::Uuid;

on_both_databases!(
    an_officer_verifies_a_business_in_the_browser,
    a_session_ends_when_idle_and_at_sign_out,
    sign_in_is_for_staff_with_the_right_password,
    forms_without_their_token_are_refused,
    text_people_typed_is_shown_as_text,
    every_console_route_keeps_to_the_officers_districts,
    officers_keep_the_search_lexicon_from_the_console,
);

const OFFICER_PHONE: &str = "13700000002";

async fn business_status(app: &TestApp, id: Uuid) -> BusinessStatus {
    let officer = app.admin().await;
    app.get(
        &format!("/api/v1/businesses/{id}"),
        Some(&officer.access_token),
    )
    .await
    .json::<BusinessView>()
    .status
}

async fn an_officer_verifies_a_business_in_the_browser(backend: Backend) {
    if !browser::available() {
        return;
    }
    let app = spawn_app(backend).await;
    app.officer().await;
    let shop = app.unverified_shop("13912345678").await;
    let b = Browser::open(&app).await;

    b.sign_in(OFFICER_PHONE).await;
    assert_eq!(b.path().await, "/console");
    let home = b.wait_for_text("待审核商户").await;
    assert!(
        home.contains("漫咖啡 圆融店"),
        "the home page lists the waiting business: {home}"
    );
    b.screenshot(&format!("home-{}", backend.name())).await;

    b.click("nav a[href='/console/businesses']").await;
    b.wait_for_text("营业执照号").await;
    assert_eq!(b.path().await, "/console/businesses");
    b.screenshot(&format!("verification-queue-{}", backend.name()))
        .await;

    b.click(&format!(
        "a[href='/console/businesses/{}']",
        shop.business_id
    ))
    .await;
    let file = b.wait_for_text("营业执照照片").await;
    assert!(
        file.contains("已实名"),
        "the owner's real name is checked: {file}"
    );
    assert!(b.image_loads("img.photo").await, "the licence photo loads");
    b.screenshot(&format!("business-file-{}", backend.name()))
        .await;

    b.click("form[action$='/verify'] button").await;
    b.wait_for_text("已通过认证").await;
    b.screenshot(&format!("business-verified-{}", backend.name()))
        .await;
    assert_eq!(
        business_status(&app, shop.business_id).await,
        BusinessStatus::Verified
    );

    // The queue no longer holds it.
    b.goto("/console/businesses").await;
    let queue = b.wait_for_text("商户审核").await;
    assert!(!queue.contains("漫咖啡 圆融店"), "{queue}");
    b.close().await;
}

async fn a_session_ends_when_idle_and_at_sign_out(backend: Backend) {
    if !browser::available() {
        return;
    }
    let app = spawn_app(backend).await;
    app.officer().await;
    let b = Browser::open(&app).await;
    b.sign_in(OFFICER_PHONE).await;
    b.wait_for_text("工作台").await;

    // Half an hour and a minute without a request: past `console_idle_minutes` (30).
    console_session::Entity::update_many()
        .col_expr(
            console_session::Column::LastSeenAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::minutes(31)),
        )
        .exec(&app.db)
        .await
        .expect("age the session");
    b.goto("/console/businesses").await;
    b.wait_for_text("工作台登录").await;
    assert_eq!(
        b.path().await,
        "/console/sign-in?next=%2Fconsole%2Fbusinesses",
        "an idle session sends the officer to sign in, then back"
    );
    b.screenshot(&format!("session-expired-{}", backend.name()))
        .await;
    assert_eq!(
        console_session::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .len(),
        0,
        "the idle session is gone"
    );

    // Signing in again lands on the page asked for.
    b.fill("input[name=login]", OFFICER_PHONE).await;
    b.fill("input[name=password]", doorstep_tests::app::PASSWORD)
        .await;
    b.click("form button[type=submit]").await;
    b.wait_for_text("没有待审核的商户").await;
    assert_eq!(b.path().await, "/console/businesses");

    // Signing out ends the session at once, on the server too.
    let cookie = b
        .client
        .get_named_cookie("doorstep_console")
        .await
        .expect("session cookie")
        .value()
        .to_owned();
    b.click("header form[action='/console/sign-out'] button")
        .await;
    b.wait_for_text("工作台登录").await;
    let replayed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/console"))
        .header("cookie", format!("doorstep_console={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        replayed.status(),
        StatusCode::SEE_OTHER,
        "the old cookie is dead"
    );
    b.close().await;
}

async fn sign_in_is_for_staff_with_the_right_password(backend: Backend) {
    let app = spawn_app(backend).await;
    app.officer().await;
    app.register_as("seeker", "13900000001").await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let try_sign_in = async |login: &str, password: &str, next: Option<&str>| {
        let form = http.get(app.url("/console/sign-in")).send().await.unwrap();
        let cookie = form
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .expect("the sign-in form sets its CSRF cookie")
            .to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let token = doorstep_tests::console::hidden_value(&form.text().await.unwrap(), "_csrf")
            .expect("token");
        let mut fields = vec![
            ("_csrf", token.as_str()),
            ("login", login),
            ("password", password),
        ];
        if let Some(next) = next {
            fields.push(("next", next));
        }
        http.post(app.url("/console/sign-in"))
            .header("cookie", cookie)
            .form(&fields)
            .send()
            .await
            .unwrap()
    };

    let wrong = try_sign_in(OFFICER_PHONE, "not-the-password-1", None).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(
        wrong.headers().get("set-cookie").is_none(),
        "no session for a wrong password"
    );
    assert!(wrong.text().await.unwrap().contains("密码不对"));

    let seeker = try_sign_in("13900000001", doorstep_tests::app::PASSWORD, None).await;
    assert_eq!(seeker.status(), StatusCode::FORBIDDEN);
    assert!(
        seeker
            .text()
            .await
            .unwrap()
            .contains("仅供就业服务专员和管理员使用")
    );

    let ok = try_sign_in(
        OFFICER_PHONE,
        doorstep_tests::app::PASSWORD,
        Some("/console/businesses?status=verified"),
    )
    .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        ok.headers()["location"],
        "/console/businesses?status=verified"
    );
    let session = ok
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("doorstep_console="))
        .expect("the session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(session.contains(attribute), "{attribute} on {session}");
    }
    assert!(!session.contains("Secure"), "plain HTTP here: {session}");

    // Behind a TLS proxy the cookie is Secure.
    let form = http
        .get(app.url("/console/sign-in"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let cookie = form.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");

    // Only console pages are followed after signing in.
    for elsewhere in [
        "//evil.example/console",
        "https://evil.example/",
        "/api/v1/me",
    ] {
        let answer = try_sign_in(
            OFFICER_PHONE,
            doorstep_tests::app::PASSWORD,
            Some(elsewhere),
        )
        .await;
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        assert_eq!(answer.headers()["location"], "/console", "next={elsewhere}");
    }

    // The sign-in form without its own token is refused, password right or not.
    let forged = http
        .post(app.url("/console/sign-in"))
        .form(&[
            ("login", OFFICER_PHONE),
            ("password", doorstep_tests::app::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(
        forged
            .text()
            .await
            .unwrap()
            .contains("console_form_expired")
    );
}

async fn forms_without_their_token_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.officer().await;
    let shop = app.unverified_shop("13912345678").await;
    let officer = ConsoleClient::sign_in(&app, OFFICER_PHONE).await;
    let mut fixtures = Fixtures::of_business(shop.business_id);
    fixtures.add_city_wide(&app).await;
    let fixtures = with_desk_fixtures(&app, OFFICER_PHONE, "无名之店", fixtures).await;
    let fair = crate::console_fairs::fair_with_booths(
        &app,
        &app.session(OFFICER_PHONE).await,
        "圆融招聘会",
        5,
        &["林小雨"],
    )
    .await;
    let fixtures = fixtures.with_fair(&fair);

    for route in ROUTES
        .iter()
        .filter(|r| r.method == "POST" && r.access != Access::Public)
    {
        let path = fixtures.fill(route.path);
        let form = form_for(route.path);
        let with_forged = [vec![("_csrf", "forged-token")], form.clone()].concat();
        for (how, fields) in [("no token", form.clone()), ("a wrong token", with_forged)] {
            let answer = officer.post_raw(&path, &fields).await;
            assert_eq!(
                answer.status,
                StatusCode::FORBIDDEN,
                "POST {path} with {how}: {}",
                answer.body
            );
            assert!(
                answer.content_type.starts_with("text/html"),
                "{}",
                answer.content_type
            );
            assert!(
                answer.body.contains("console_form_expired"),
                "POST {path}: {}",
                answer.body
            );
        }
    }
    assert_eq!(
        business_status(&app, shop.business_id).await,
        BusinessStatus::Pending,
        "no refused form changed anything"
    );
    fair.assert_untouched(&app).await;
    // With the token the same form works (the refusals above were for the token alone).
    let done = officer
        .post(
            &format!("/console/businesses/{}/reject", shop.business_id),
            &[("reason", "资料不全")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        business_status(&app, shop.business_id).await,
        BusinessStatus::Rejected
    );
    // An htmx request may carry the token as a header instead.
    let other = app.unverified_shop("13912345679").await;
    let by_header = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url(&format!("/console/businesses/{}/verify", other.business_id)))
        .header("cookie", &officer.cookie)
        .header("x-csrf-token", &officer.csrf)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(by_header.status(), StatusCode::SEE_OTHER);
}

async fn text_people_typed_is_shown_as_text(backend: Backend) {
    let app = spawn_app(backend).await;
    app.officer().await;
    let merchant = app.register_as("merchant", "13912345678").await;
    app.verify_identity(&merchant, "13912345678").await;
    let name = r#"<script>alert("x")</script><b>店</b> & "引号""#;
    let created = app
        .as_user(&merchant)
        .create_business(&business_body(name))
        .await
        .expect("a business with markup in its name");
    let officer = ConsoleClient::sign_in(&app, OFFICER_PHONE).await;
    for path in [
        "/console".to_owned(),
        "/console/businesses".to_owned(),
        format!("/console/businesses/{}", created.id),
    ] {
        let page = officer.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            !page.body.contains("<script>alert"),
            "{path} carries raw markup"
        );
        assert!(
            !page.body.contains("<b>店</b>"),
            "{path} carries raw markup"
        );
        assert!(
            page.body.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;店&lt;/b&gt; &amp; &quot;引号&quot;"),
            "{path} shows the name escaped"
        );
    }

    if !browser::available() {
        return;
    }
    let b = Browser::open(&app).await;
    b.sign_in(OFFICER_PHONE).await;
    b.goto(&format!("/console/businesses/{}", created.id)).await;
    let text = b.wait_for_text("营业执照号").await;
    assert!(text.contains(name), "the name reads as typed: {text}");
    assert!(b.client.get_alert_text().await.is_err(), "no script ran");
    b.screenshot(&format!("escaping-{}", backend.name())).await;
    b.close().await;
}

/// A valid form for each console POST route that takes fields (others take none), so a
/// refusal is the scope's and not the form's.
fn form_for(route: &str) -> Vec<(&'static str, &'static str)> {
    match route {
        "/console/businesses/{business}/reject" => vec![("reason", "资料与执照不一致")],
        "/console/lexicon" => vec![
            ("kind", "colloquial"),
            ("category", "general"),
            ("word", "看店"),
            ("means", "店员 营业员"),
        ],
        "/console/seekers/{seeker}/service-records" => vec![
            ("kind", "job_guidance"),
            ("notes", "介绍了商场里的咖啡师岗位"),
            ("outcome", ""),
            ("follow_up_due", ""),
            ("reason", "登记就业指导"),
        ],
        // The console finds the report before it reads the form, so the department (which
        // the fixtures make too late for this table) does not decide the answer.
        "/console/reports/{report}/dispatch" => vec![
            ("department_id", "00000000-0000-0000-0000-000000000000"),
            ("deadline", desk_deadline()),
            ("note", "请尽快处理"),
        ],
        "/console/reports/{report}/reject" => vec![("reason", "不属于市政问题")],
        "/console/accounts" => vec![
            ("role", "officer"),
            ("display_name", "新来的专员"),
            ("phone", "13700000077"),
            ("email", ""),
            ("password", doorstep_tests::app::PASSWORD),
        ],
        "/console/accounts/{account}/role" => vec![("role", "admin")],
        "/console/complaints/{complaint}/acknowledge" => vec![("note", "已联系商户核实")],
        "/console/complaints/{complaint}/outcome" => vec![
            ("outcome", "not_upheld"),
            ("action", ""),
            ("note", "核实后不属实"),
        ],
        "/console/districts" => vec![
            ("name", "新画片区"),
            ("boundary", "31.20,120.50\n31.20,120.55\n31.25,120.55"),
        ],
        "/console/districts/{district}/officers" => {
            vec![("officer", "00000000-0000-0000-0000-000000000001")]
        }
        "/console/fairs/{fair}/booths/{booth}/reject" => vec![("reason", "岗位与本场主题不符")],
        "/console/fairs/{fair}/cancel" => vec![("reason", "场地临时调整")],
        _ => vec![],
    }
}

/// An object of each kind a console path can name, in the first officer's district.
struct Fixtures(HashMap<&'static str, String>);

impl Fixtures {
    /// A fair (`{fair}`) and its booth waiting for review (`{booth}`).
    fn with_fair(mut self, fair: &crate::console_fairs::FairFixture) -> Self {
        self.0.insert("fair", fair.fair.to_string());
        self.0.insert("booth", fair.requested.to_string());
        self
    }
}

impl Fixtures {
    fn of_business(business: Uuid) -> Self {
        let mut known = HashMap::new();
        known.insert("business", business.to_string());
        known.insert("file", "console.css".to_owned());
        // The token test is refused before any id is looked at; the scope test sets real
        // ones with `with`.
        known.insert("district", Uuid::nil().to_string());
        known.insert("officer", Uuid::nil().to_string());
        Fixtures(known)
    }

    /// What belongs to no district: a lexicon entry.
    async fn add_city_wide(&mut self, app: &TestApp) {
        let admin = app.admin().await;
        let entry = app
            .post(
                "/api/v1/lexicon",
                &serde_json::json!({"kind": "colloquial", "category": "general", "word": "帮忙卸货", "means": ["装卸工"]}),
                Some(&admin.access_token),
            )
            .await;
        assert_eq!(entry.status, 201, "{}", entry.body);
        self.0
            .insert("entry", entry.body["id"].as_str().expect("id").to_owned());
    }

    /// The fixture `name` set to `value`.
    fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.0.insert(name, value.to_string());
        self
    }

    /// `path` with each `{name}` replaced by its fixture; a route naming something without
    /// a fixture fails here, so every new route is checked.
    fn fill(&self, path: &str) -> String {
        let mut out = String::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').expect("closed segment") + open;
            let name = &rest[open + 1..close];
            let value = self.0.get(name).unwrap_or_else(|| {
                panic!("no fixture for {{{name}}} in {path}: add one to the console scope test")
            });
            out.push_str(&rest[..open]);
            out.push_str(value);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

async fn every_console_route_keeps_to_the_officers_districts(backend: Backend) {
    let app = spawn_app(backend).await;
    let park = app
        .create_district("园区湖西片区", (31.30, 120.65, 31.34, 120.70))
        .await;
    let shilu = app
        .create_district("石路片区", (31.30, 120.58, 31.33, 120.62))
        .await;
    app.create_officer_in("13700000011", &[park]).await;
    app.create_officer_in("13700000012", &[shilu]).await;
    // The mall of the fixtures is in the park district.
    let merchant = app.register_as("merchant", "13912345678").await;
    app.verify_identity(&merchant, "13912345678").await;
    let secret = "湖西专属咖啡";
    let created = app
        .as_user(&merchant)
        .create_business(&business_body(secret))
        .await
        .expect("business");
    let photo = app.upload_licence_photo(&merchant, created.id).await;
    assert_eq!(photo.status, 201);
    let mut fixtures = Fixtures::of_business(created.id);
    fixtures.add_city_wide(&app).await;
    let fixtures = with_desk_fixtures(&app, "13700000011", secret, fixtures).await;
    // The park district, and its officer for the assignment routes.
    let park_officer = doorstep_domain::entities::account::Entity::find()
        .filter(doorstep_domain::entities::account::Column::Phone.eq("13700000011"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the park's officer")
        .id;
    let fixtures = fixtures
        .with("district", park)
        .with("officer", park_officer);
    let fair = crate::console_fairs::fair_with_booths(
        &app,
        &app.session("13700000011").await,
        "湖西招聘会",
        6,
        &["林小雨"],
    )
    .await;
    let fixtures = fixtures.with_fair(&fair);

    let own = ConsoleClient::sign_in(&app, "13700000011").await;
    let other = ConsoleClient::sign_in(&app, "13700000012").await;
    let mut checked = 0;
    for route in ROUTES {
        let path = fixtures.fill(route.path);
        match (route.access, route.method) {
            (Access::Public, _) => continue,
            // The same for every officer (the lexicon): both may read it; the change
            // forms are checked by the CSRF test and the lexicon's own test.
            (Access::CityWide, "GET") => {
                assert_eq!(own.get(&path).await.status, StatusCode::OK, "GET {path}");
                assert_eq!(other.get(&path).await.status, StatusCode::OK, "GET {path}");
            }
            (Access::CityWide, _) => continue,
            (_, "GET") => {
                let mine = own.get(&path).await;
                let theirs = other.get(&path).await;
                if route.access == Access::Admin {
                    assert_eq!(
                        mine.status,
                        StatusCode::FORBIDDEN,
                        "GET {path} is for admins"
                    );
                    assert_eq!(
                        theirs.status,
                        StatusCode::FORBIDDEN,
                        "GET {path} is for admins"
                    );
                    continue;
                }
                assert_eq!(
                    mine.status,
                    StatusCode::OK,
                    "GET {path} for its district's officer"
                );
                assert!(
                    matches!(
                        theirs.status,
                        StatusCode::OK | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                    ),
                    "GET {path} for another district's officer: {}",
                    theirs.status
                );
                assert!(
                    !theirs.body.contains(secret),
                    "GET {path} shows another district's business to an officer outside it"
                );
                if route.path.contains('{') && !route.path.starts_with("/console/assets/") {
                    assert_ne!(
                        theirs.status,
                        StatusCode::OK,
                        "GET {path} for another district's officer"
                    );
                }
            }
            (_, "POST") => {
                if route.path == "/console/sign-out" {
                    continue;
                }
                let theirs = other.post(&path, &form_for(route.path)).await;
                assert!(
                    matches!(theirs.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                    "POST {path} by another district's officer: {} {}",
                    theirs.status,
                    theirs.body
                );
            }
            (_, method) => panic!("no scope check for {method} {path}"),
        }
        checked += 1;
    }
    assert!(checked >= 5, "the route list was walked: {checked}");
    assert_eq!(
        business_status(&app, created.id).await,
        BusinessStatus::Pending,
        "nothing another district's officer posted changed the business"
    );
    fair.assert_untouched(&app).await;
}

async fn officers_keep_the_search_lexicon_from_the_console(backend: Backend) {
    let app = spawn_app(backend).await;
    app.officer().await;
    let officer = ConsoleClient::sign_in(&app, OFFICER_PHONE).await;

    // A colloquial phrase without what it means is refused, naming the field.
    let incomplete = officer
        .post(
            "/console/lexicon",
            &[
                ("kind", "colloquial"),
                ("category", "general"),
                ("word", "看店"),
                ("means", ""),
            ],
        )
        .await;
    incomplete.assert_refused(StatusCode::UNPROCESSABLE_ENTITY, "means");
    let unknown_kind = officer
        .post(
            "/console/lexicon",
            &[
                ("kind", "rumour"),
                ("category", "general"),
                ("word", "看店"),
            ],
        )
        .await;
    unknown_kind.assert_refused(StatusCode::BAD_REQUEST, "kind");

    let added = officer
        .post(
            "/console/lexicon",
            &[
                ("kind", "colloquial"),
                ("category", "general"),
                ("word", "看店"),
                ("means", "店员，营业员"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = officer.get(added.location.as_deref().unwrap()).await;
    assert!(page.body.contains("已添加"), "{}", page.body);
    assert!(page.body.contains("店员、营业员"), "{}", page.body);

    // The API sees the same entry: one store, one set of rules.
    let admin = app.admin().await;
    let listed = app.get("/api/v1/lexicon", Some(&admin.access_token)).await;
    let items = listed.body["items"].as_array().expect("items").clone();
    assert_eq!(items.len(), 1, "{}", listed.body);
    assert_eq!(items[0]["word"], "看店");
    assert_eq!(items[0]["means"], serde_json::json!(["店员", "营业员"]));

    let id = items[0]["id"].as_str().unwrap();
    let removed = officer
        .post(&format!("/console/lexicon/{id}/remove"), &[])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let listed = app.get("/api/v1/lexicon", Some(&admin.access_token)).await;
    assert_eq!(listed.body["items"], serde_json::json!([]));
    let again = officer
        .post(&format!("/console/lexicon/{id}/remove"), &[])
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
}

/// Two days ahead in Beijing time, as a `datetime-local` field holds it.
fn desk_deadline() -> &'static str {
    let at = chrono::Utc::now().with_timezone(&doorstep_domain::time::shanghai())
        + chrono::Duration::days(2);
    Box::leak(at.format("%Y-%m-%dT%H:%M").to_string().into_boxed_str())
}

/// The service records', reports', complaints' and accounts' objects, in the park
/// district: a seeker (named with `secret`) with a record on their file by `officer_phone`,
/// a report and a complaint about the fixtures' business (with `secret` in their text),
/// each with a photo, and an account.
async fn with_desk_fixtures(
    app: &TestApp,
    officer_phone: &str,
    secret: &str,
    mut fixtures: Fixtures,
) -> Fixtures {
    use doorstep_tests::market::{MALL_LAT, MALL_LON};
    let seeker = app
        .seeker_with_profile("13900000077", &format!("{secret}店员"))
        .await;
    let officer = app.session(officer_phone).await;
    let record = app
        .post(
            &format!("/api/v1/profiles/{}/service-records", seeker.account_id),
            &serde_json::json!({"kind": "job_guidance", "notes": "初次登记",
                "follow_up_due": doorstep_domain::time::today()}),
            Some(&officer.access_token),
        )
        .await;
    assert_eq!(record.status, 201, "{}", record.body);
    let mut report = doorstep_tests::community::manhole(MALL_LAT, MALL_LON);
    report["text"] = serde_json::json!(format!("{secret}门口井盖破损，很危险"));
    let filed = app.file_report(&seeker, &report).await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    let report_id = filed.body["id"].as_str().expect("report id").to_owned();
    let photo = app
        .post_bytes(
            &format!("/api/v1/reports/{report_id}/photos"),
            doorstep_domain::media::samples::jpeg_with_gps(),
            "image/jpeg",
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(photo.status, 201, "{}", photo.body);
    // Seekers complain about verified businesses only; the fixtures' own business waits.
    let complained = app.verified_shop("13912340077", &officer).await;
    let complaint = app
        .post(
            "/api/v1/complaints",
            &serde_json::json!({"subject": "business", "subject_id": complained.business_id,
                "reason": "fee_charged", "text": format!("{secret}面试要求先交押金")}),
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(complaint.status, 201, "{}", complaint.body);
    let complaint_id = complaint.body["id"]
        .as_str()
        .expect("complaint id")
        .to_owned();
    let complaint_photo = app
        .post_bytes(
            &format!("/api/v1/complaints/{complaint_id}/photos"),
            doorstep_domain::media::samples::jpeg_with_gps(),
            "image/jpeg",
            Some(&seeker.access_token),
        )
        .await;
    assert_eq!(complaint_photo.status, 201, "{}", complaint_photo.body);
    let known = &mut fixtures.0;
    known.insert("complaint", complaint_id);
    known.insert(
        "photo",
        complaint_photo.body["id"]
            .as_str()
            .expect("photo id")
            .to_owned(),
    );
    known.insert("seeker", seeker.account_id.to_string());
    known.insert("record", record.body["id"].as_str().expect("id").to_owned());
    known.insert("report", report_id);
    known.insert(
        "media",
        photo.body["id"].as_str().expect("media id").to_owned(),
    );
    known.insert("account", seeker.account_id.to_string());
    fixtures
}
