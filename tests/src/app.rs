//! The app under test and a typed client for it.

use std::path::PathBuf;
use std::sync::Once;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use doorstep_api::{Application, Settings};
use doorstep_client::views::SessionView;
use doorstep_domain::accounts::{self, NewAccount};
use doorstep_domain::types::Role;
use reqwest::header::HeaderMap;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db::{Backend, TestDatabase};

/// The key the test server signs with, so tests can forge tokens it must refuse.
pub const TEST_KID: &str = "test-k1";
pub const TEST_SECRET: &str = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
/// The district every officer made by [`TestApp::create_staff`] serves: all of Suzhou.
pub const CITY_DISTRICT: &str = "苏州市区（测试）";
/// `(south, west, north, east)` of [`CITY_DISTRICT`].
pub const CITY_BOX: (f64, f64, f64, f64) = (30.7, 119.9, 32.1, 121.4);
/// A password that passes the policy, used by the helpers.
pub const PASSWORD: &str = "收银员周末班2026";

/// A response, read whole: status, headers, and the body as JSON (`Value::String` if the
/// body is not JSON, `Value::Null` if empty).
#[derive(Debug)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl From<doorstep_client::RawResponse> for ApiResponse {
    /// Every answer the tests read passes here, so every problem the API sends in any test
    /// is checked against the error-code catalogue.
    fn from(raw: doorstep_client::RawResponse) -> Self {
        let response = Self {
            status: raw.status,
            headers: raw.headers,
            body: raw.body,
        };
        assert_catalogued(&response);
        response
    }
}

impl ApiResponse {
    /// The body decoded as the view `T` (a server view type), panicking with the answer
    /// when it does not decode.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.body.clone()).unwrap_or_else(|e| {
            panic!(
                "{} answer is not a {}: {e}: {}",
                self.status,
                std::any::type_name::<T>(),
                self.body
            )
        })
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The problem `code`, asserting that this is a problem+json document.
    pub fn problem_code(&self) -> &str {
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "expected a problem document, got {} {}",
            self.status,
            self.body
        );
        assert_eq!(
            self.body["status"], self.status,
            "problem status matches HTTP status"
        );
        self.body["code"].as_str().expect("problem has a code")
    }

    /// `(field, code)` of each offending field.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        (
                            e["field"].as_str().unwrap_or("").to_owned(),
                            e["code"].as_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Every problem the server sends names codes of the catalogue (`doorstep_domain::ErrorCode`),
/// at the top and for each offending field, so the catalogue and the OpenAPI document built
/// from it list every code a client can meet.
fn assert_catalogued(response: &ApiResponse) {
    if response.content_type() != "application/problem+json" {
        return;
    }
    let body = &response.body;
    let codes = std::iter::once(&body["code"]).chain(
        body["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| &e["code"]),
    );
    for code in codes {
        let code = code
            .as_str()
            .unwrap_or_else(|| panic!("a problem without a code: {body}"));
        assert!(
            code.parse::<doorstep_domain::ErrorCode>().is_ok(),
            "{code:?} is not in the catalogue (domain/src/error_codes.rs): {body}"
        );
    }
}

/// The tokens and account of a logged-in client.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub account_id: Uuid,
}

impl Session {
    pub fn from_response(response: &ApiResponse) -> Self {
        assert!(
            matches!(response.status, 200 | 201),
            "expected a session, got {} {}",
            response.status,
            response.body
        );
        response.json::<SessionView>().into()
    }
}

impl From<SessionView> for Session {
    fn from(view: SessionView) -> Self {
        Self {
            access_token: view.access_token,
            refresh_token: view.refresh_token,
            account_id: view.account.id,
        }
    }
}

/// A scratch folder removed when the test ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    pub backend: Backend,
    /// The typed client, logged out; [`TestApp::as_user`] logs it in.
    pub api: doorstep_client::Client,
    /// The HTTP client under [`TestApp::api`], for requests built by hand.
    pub client: reqwest::Client,
    /// The server's own database handle.
    pub db: DatabaseConnection,
    pub settings: Settings,
    /// The server's search index.
    pub search: std::sync::Arc<doorstep_search_index::SearchIndex>,
    /// The server's password hashing pool, which staff accounts are created through.
    pub passwords: doorstep_domain::auth::password::HashPool,
    handle: actix_web::dev::ServerHandle,
    database: TestDatabase,
    _scratch: Scratch,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command now; the server winds down on its own threads.
        drop(self.handle.stop(false));
    }
}

fn init_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            doorstep_api::telemetry::init(doorstep_api::config::LogFormat::Pretty, "debug");
        } else {
            crate::logs::install();
        }
    });
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Spawns the app with settings adjusted by `tweak`.
pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    spawn(backend, tweak, async |_: &Settings| {}).await
}

/// Spawns the app once `before` has run against its settings, with the test's database
/// created but no server using it yet: a command that must run alone (`doorstep demo`)
/// writes the data the test then reads through the API.
pub async fn spawn_app_after(backend: Backend, before: impl AsyncFnOnce(&Settings)) -> TestApp {
    spawn(backend, |_| {}, before).await
}

async fn spawn(
    backend: Backend,
    tweak: impl FnOnce(&mut Settings),
    before: impl AsyncFnOnce(&Settings),
) -> TestApp {
    init_logs();
    // HTTP clients with TLS need the process-wide crypto provider chosen first.
    doorstep_matcher::webhook::install_crypto();
    let scratch = std::env::temp_dir().join(format!("doorstep-test-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&scratch).expect("scratch folder");
    let database = TestDatabase::create(backend, &scratch).await;
    let mut settings = Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: scratch.join("data"),
        database_url: Some(database.url.clone()),
        database_max_connections: 5,
        http_workers: 1,
        shutdown_timeout_secs: 1,
        jwt_keys: Some(format!("{TEST_KID}:{TEST_SECRET}")),
        login_per_ip_per_minute: 1000,
        login_per_account_per_minute: 1000,
        signup_per_ip_per_minute: 100_000,
        signup_per_number_per_hour: 100_000,
        anonymous_writes_per_ip_per_minute: 100_000,
        // The hashing pool's limits are tested in signup_limits.rs; elsewhere a crowd of
        // sign-ups on a loaded two-core CI machine must wait for the pool, not get `busy`.
        password_hash_queue: 1_024,
        password_hash_wait_ms: 120_000,
        search_per_ip_per_minute: 100_000,
        search_poll_ms: 50,
        match_poll_ms: 50,
        // Pushed matches would add notices to every other test's inboxes; the matching
        // tests turn the worker on.
        match_in_process: false,
        ..Settings::default()
    };
    tweak(&mut settings);
    before(&settings).await;
    let app = Application::build(settings.clone())
        .await
        .expect("the app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db();
    let search = app.search();
    let passwords = app.passwords();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    // Tests read problems in English unless they ask otherwise: Chinese, the server's
    // default, has its own tests (`messages.rs`), which use `TestApp::without_language`.
    let english = reqwest::header::HeaderMap::from_iter([(
        reqwest::header::ACCEPT_LANGUAGE,
        reqwest::header::HeaderValue::from_static("en"),
    )]);
    let client = reqwest::Client::builder()
        .no_proxy()
        .default_headers(english)
        .build()
        .expect("client");
    TestApp {
        api: doorstep_client::Client::new(client.clone(), &address),
        address,
        backend,
        client,
        db,
        settings,
        search,
        passwords,
        handle,
        database,
        _scratch: Scratch(scratch),
    }
}

/// A second instance of a test's app on the same database (with its own index and data
/// folders), as production runs several; stopped when dropped.
pub struct Instance {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    handle: actix_web::dev::ServerHandle,
    _scratch: Scratch,
}

impl Drop for Instance {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

impl TestApp {
    /// Starts another instance on this app's database (PostgreSQL: SQLite is one
    /// instance's embedded database).
    pub async fn another_instance(&self) -> Instance {
        let scratch =
            std::env::temp_dir().join(format!("doorstep-test-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&scratch).expect("scratch folder");
        let mut settings = self.settings.clone();
        settings.data_dir = scratch.join("data");
        let app = Application::build(settings)
            .await
            .expect("the second instance builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        Instance {
            address,
            handle,
            _scratch: Scratch(scratch),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// The typed client with no `Accept-Language` at all (every other request of a test
    /// asks for English), logged out.
    pub fn without_language(&self) -> doorstep_client::Client {
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        doorstep_client::Client::new(http, &self.address)
    }

    /// The typed client logged in as `who`.
    pub fn as_user(&self, who: &Session) -> doorstep_client::Client {
        self.api.with_token(&who.access_token)
    }

    pub async fn send(&self, request: reqwest::RequestBuilder, token: Option<&str>) -> ApiResponse {
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        self.api.send(request).await.expect("request sent").into()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> ApiResponse {
        self.send(self.client.get(self.url(path)), token).await
    }

    pub async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> ApiResponse {
        self.send(self.client.post(self.url(path)).json(body), token)
            .await
    }

    pub async fn put(&self, path: &str, body: &Value, token: Option<&str>) -> ApiResponse {
        self.send(self.client.put(self.url(path)).json(body), token)
            .await
    }

    pub async fn patch(&self, path: &str, body: &Value, token: Option<&str>) -> ApiResponse {
        self.send(self.client.patch(self.url(path)).json(body), token)
            .await
    }

    /// Signs up as a client does: asks for a sign-up code for the body's phone or e-mail,
    /// reads it from the server's SMS or mail outbox, and registers with it (a body that
    /// brings its own `code` is sent as it is, through [`TestApp::register_raw`]).
    pub async fn register(&self, body: &Value) -> ApiResponse {
        let mut body = body.clone();
        if body.is_object() && body.get("code").is_none() {
            body["code"] = json!(self.sign_up_code(&body).await);
        }
        self.register_raw(&body).await
    }

    /// `POST /auth/register` with exactly `body`.
    pub async fn register_raw(&self, body: &Value) -> ApiResponse {
        self.post("/api/v1/auth/register", body, None).await
    }

    /// `POST /auth/codes` with exactly `body`.
    pub async fn request_code(&self, body: &Value) -> ApiResponse {
        self.post("/api/v1/auth/codes", body, None).await
    }

    /// A sign-up code for the phone or e-mail of a sign-up body, asked for and read from
    /// the outbox. When a code was sent moments ago (the resend wait, e.g. signing up again
    /// after an erasure), the harness lets the wait pass and asks again. A body whose login
    /// is invalid gets a placeholder, so its sign-up answers about the login.
    pub async fn sign_up_code(&self, body: &Value) -> String {
        let login = body
            .get("phone")
            .or_else(|| body.get("email"))
            .and_then(Value::as_str)
            .and_then(|raw| doorstep_domain::types::LoginId::parse(raw).ok());
        if let Some(login @ doorstep_domain::types::LoginId::Email(_)) = &login
            && self.settings.smtp_url.is_some()
        {
            return self.plant_code(login).await;
        }
        let mut request = json!({"purpose": "register"});
        for field in ["phone", "email"] {
            if let Some(value) = body.get(field) {
                request[field] = value.clone();
            }
        }
        let mut response = self.request_code(&request).await;
        if response.status == 429
            && let Some(login) = &login
        {
            self.let_code_waits_pass(login.as_str()).await;
            response = self.request_code(&request).await;
        }
        match (response.status, login) {
            (202, Some(login)) => self
                .last_code(login.as_str())
                .unwrap_or_else(|| "000000".into()),
            _ => "000000".into(),
        }
    }

    /// Clears the resend wait and the daily count of `destination` (normalised), as if a
    /// day had passed.
    pub async fn let_code_waits_pass(&self, destination: &str) {
        use doorstep_domain::entities::auth_code;
        use sea_orm::sea_query::Expr;
        auth_code::Entity::update_many()
            .col_expr(
                auth_code::Column::LastSentAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .col_expr(auth_code::Column::SendsInWindow, Expr::value(0))
            .filter(auth_code::Column::Destination.eq(destination))
            .exec(&self.db)
            .await
            .expect("reset the code throttles");
    }

    /// Stores a sign-up code for `login` as the server would, without sending it: for apps
    /// whose mail goes to a test's own SMTP server, which the harness cannot read (and
    /// whose received mail the test counts).
    async fn plant_code(&self, login: &doorstep_domain::types::LoginId) -> String {
        use doorstep_domain::codes::{self, Purpose};
        use doorstep_domain::entities::auth_code;
        use sea_orm::{ActiveModelTrait, Set};
        const CODE: &str = "246810";
        let keys = self.settings.jwt_keys.as_deref().expect("test keys");
        let secret = keys
            .split(',')
            .next()
            .and_then(|pair| pair.split_once(':'))
            .map(|(_, secret)| secret.trim())
            .expect("kid:secret");
        let key = codes::derive_key(secret.as_bytes());
        let destination = login.as_str();
        let now = chrono::Utc::now();
        let existing = auth_code::Entity::find()
            .filter(auth_code::Column::Destination.eq(destination))
            .filter(auth_code::Column::Purpose.eq(Purpose::Register.as_str()))
            .one(&self.db)
            .await
            .expect("read codes");
        if let Some(row) = existing {
            auth_code::Entity::delete_by_id(row.id)
                .exec(&self.db)
                .await
                .expect("replace the code");
        }
        auth_code::ActiveModel {
            id: Set(Uuid::now_v7()),
            destination: Set(destination.to_owned()),
            purpose: Set(Purpose::Register.as_str().to_owned()),
            code_hash: Set(Some(codes::hash(
                &key,
                Purpose::Register,
                destination,
                CODE,
            ))),
            attempts: Set(0),
            expires_at: Set(now + chrono::Duration::minutes(10)),
            used_at: Set(None),
            last_sent_at: Set(Some(now)),
            window_started_at: Set(now),
            sends_in_window: Set(1),
            version: Set(1),
            created_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("plant a code");
        CODE.to_owned()
    }

    /// Every text message the server wrote to its SMS outbox, oldest first.
    pub fn sms_outbox(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(self.settings.sms_outbox_dir()) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect(),
            Err(_) => Vec::new(),
        };
        // Named by time-ordered ids.
        files.sort();
        files
            .iter()
            .map(|path| {
                serde_json::from_slice(&std::fs::read(path).expect("read an SMS"))
                    .expect("an SMS is JSON")
            })
            .collect()
    }

    /// Every e-mail the server wrote to its mail outbox to `address`, oldest first, as
    /// `(raw message, decoded text parts)`.
    pub fn mail_outbox(&self, address: &str) -> Vec<(String, String)> {
        let mut mails: Vec<(std::time::SystemTime, String)> =
            match std::fs::read_dir(self.settings.mail_outbox_dir()) {
                Ok(entries) => entries
                    .filter_map(|e| e.ok())
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .map(|e| {
                        let modified = e.metadata().and_then(|m| m.modified()).expect("mtime");
                        let raw = std::fs::read_to_string(e.path()).expect("read an e-mail");
                        (modified, raw)
                    })
                    .collect(),
                Err(_) => Vec::new(),
            };
        mails.sort_by_key(|(modified, _)| *modified);
        let to = format!("to: {}", address.to_lowercase());
        mails
            .into_iter()
            .map(|(_, raw)| raw)
            .filter(|raw| raw.to_lowercase().lines().any(|line| line.trim() == to))
            .map(|raw| {
                let text = crate::smtp::decoded_text(&raw);
                (raw, text)
            })
            .collect()
    }

    /// The newest code the server sent to `login` (a phone number by SMS, an e-mail
    /// address by mail), as typed in any accepted form.
    pub fn last_code(&self, login: &str) -> Option<String> {
        match doorstep_domain::types::LoginId::parse(login).ok()? {
            doorstep_domain::types::LoginId::Phone(phone) => self
                .sms_outbox()
                .into_iter()
                .filter(|sms| sms["phone"] == phone.as_str() && sms["template"] == "auth_code")
                .filter_map(|sms| sms["params"]["code"].as_str().map(str::to_owned))
                .next_back(),
            doorstep_domain::types::LoginId::Email(email) => self
                .mail_outbox(email.as_str())
                .into_iter()
                .filter_map(|(_, text)| six_digits(&text))
                .next_back(),
        }
    }

    pub async fn register_as(&self, role: &str, phone: &str) -> Session {
        let mut body = json!({
            "role": role,
            "phone": phone,
            "password": PASSWORD,
            "display_name": format!("{role} 测试用户"),
        });
        body["code"] = json!(self.sign_up_code(&body).await);
        self.api
            .register(&body)
            .await
            .unwrap_or_else(|e| panic!("register {role} {phone}: {e}"))
            .into()
    }

    /// Logs `login` in with the helpers' password.
    pub async fn session(&self, login: &str) -> Session {
        self.api
            .login(login, PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("log {login} in: {e}"))
            .into()
    }

    pub async fn login(&self, login: &str, password: &str) -> ApiResponse {
        self.post(
            "/api/v1/auth/login",
            &json!({ "login": login, "password": password }),
            None,
        )
        .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> ApiResponse {
        self.post(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": refresh_token }),
            None,
        )
        .await
    }

    pub async fn logout(&self, refresh_token: &str) -> ApiResponse {
        self.post(
            "/api/v1/auth/logout",
            &json!({ "refresh_token": refresh_token }),
            None,
        )
        .await
    }

    pub async fn me(&self, token: &str) -> ApiResponse {
        self.get("/api/v1/me", Some(token)).await
    }

    /// The kinds of the notices in `who`'s inbox, newest first.
    pub async fn inbox_kinds(&self, who: &Session) -> Vec<String> {
        let inbox = self.as_user(who).inbox(100).await.expect("the inbox");
        inbox.items.into_iter().map(|notice| notice.kind).collect()
    }

    /// Polls `path` until `done` holds (the index is near-real-time, not synchronous), for
    /// at most ten seconds; returns the last response.
    pub async fn eventually(
        &self,
        path: &str,
        token: Option<&str>,
        done: impl Fn(&ApiResponse) -> bool,
    ) -> ApiResponse {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let response = self.get(path, token).await;
            if done(&response) || std::time::Instant::now() > deadline {
                return response;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Waits until the search index has applied every change event written so far.
    pub async fn wait_for_index(&self) {
        use doorstep_domain::entities::outbox_event;
        use sea_orm::{EntityTrait, QueryOrder};
        let last = outbox_event::Entity::find()
            .order_by_desc(outbox_event::Column::Id)
            .one(&self.db)
            .await
            .expect("read the outbox")
            .map(|e| e.id)
            .unwrap_or(0);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.search.current().state().watermark < last {
            assert!(
                std::time::Instant::now() < deadline,
                "the index did not catch up with event {last}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Creates an officer or admin the way `doorstep admin` does, and logs them in. An
    /// officer serves [`CITY_DISTRICT`], which covers every place the fixtures use; tests of
    /// district isolation draw smaller districts with [`TestApp::create_officer_in`].
    pub async fn create_staff(&self, role: Role, phone: &str) -> Session {
        let session = self.create_account(role, phone).await;
        if role == Role::Officer {
            let city = self.city_district().await;
            self.assign_officer(city, session.account_id).await;
        }
        session
    }

    async fn create_account(&self, role: Role, phone: &str) -> Session {
        let new = NewAccount::parse(role, Some(phone), None, PASSWORD, "工作人员")
            .expect("valid staff account");
        accounts::create(&self.db, &self.passwords, new)
            .await
            .expect("staff account created");
        self.session(phone).await
    }

    /// An officer who serves only `districts`.
    pub async fn create_officer_in(&self, phone: &str, districts: &[Uuid]) -> Session {
        let session = self.create_account(Role::Officer, phone).await;
        for district in districts {
            self.assign_officer(*district, session.account_id).await;
        }
        session
    }

    /// An admin, created once per app (the fixed phone 13700000099).
    pub async fn admin(&self) -> Session {
        const PHONE: &str = "13700000099";
        let exists = doorstep_domain::entities::account::Entity::find()
            .filter(doorstep_domain::entities::account::Column::Phone.eq(PHONE))
            .one(&self.db)
            .await
            .expect("read accounts")
            .is_some();
        if exists {
            self.session(PHONE).await
        } else {
            self.create_account(Role::Admin, PHONE).await
        }
    }

    /// Draws a district through the API as an admin; `box_` is `(south, west, north, east)`.
    pub async fn create_district(&self, name: &str, box_: (f64, f64, f64, f64)) -> Uuid {
        let admin = self.admin().await;
        let (s, w, n, e) = box_;
        let created = self
            .as_user(&admin)
            .create_district(&json!({
                "name": name,
                "boundary": [
                    {"lat": s, "lon": w}, {"lat": s, "lon": e},
                    {"lat": n, "lon": e}, {"lat": n, "lon": w},
                ],
            }))
            .await
            .unwrap_or_else(|e| panic!("draw {name}: {e}"));
        created.district.id
    }

    async fn city_district(&self) -> Uuid {
        let found = doorstep_domain::entities::district::Entity::find()
            .filter(doorstep_domain::entities::district::Column::Name.eq(CITY_DISTRICT))
            .one(&self.db)
            .await
            .expect("read districts");
        match found {
            Some(d) => d.id,
            None => self.create_district(CITY_DISTRICT, CITY_BOX).await,
        }
    }

    async fn assign_officer(&self, district: Uuid, officer: Uuid) {
        let admin = self.admin().await;
        self.as_user(&admin)
            .assign_officer(district, officer)
            .await
            .unwrap_or_else(|e| panic!("assign {officer} to {district}: {e}"));
    }

    /// Drops (PostgreSQL) or closes (SQLite) the app's database under it.
    pub async fn lose_database(&self) {
        match self.backend {
            Backend::Postgres => self.database.drop_now().await,
            Backend::Sqlite => self.db.close_by_ref().await.expect("close the pool"),
        }
    }
}

/// Signs arbitrary claims as the test server would (HS256, `kid` in the header).
pub fn sign(claims: &Value, kid: &str, secret: &str) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(
        &header,
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

/// A token with a hand-written header and no signature checks by the library, for
/// `alg: none` and other malformed headers.
pub fn raw_token(header: &Value, claims: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        signature
    )
}

/// Claims the test server would accept for `account`, valid now.
pub fn valid_claims(account: Uuid, role: &str, version: i32) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": "doorstep",
        "aud": "doorstep-api",
        "sub": account,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": Uuid::new_v4(),
        "role": role,
        "ver": version,
    })
}

/// The first run of exactly six ASCII digits in `text` (the code in a code e-mail).
pub fn six_digits(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if bytes[start].is_ascii_digit() {
            let end = start
                + bytes[start..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
            if end - start == 6 {
                return Some(text[start..end].to_owned());
            }
            start = end;
        } else {
            start += 1;
        }
    }
    None
}

/// `text` percent-encoded for a query string (Chinese queries in search URLs).
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `id`s of a list response's `items`, in order.
pub fn item_ids(response: &ApiResponse) -> Vec<String> {
    response.body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["id"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}
