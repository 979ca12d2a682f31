//! A fake WeChat server API for tests, speaking the documented JSON protocol of the calls
//! Doorstep makes (`developers.weixin.qq.com`, 服务端 API):
//!
//! - `GET /sns/jscode2session` (appid, secret, js_code, grant_type): `{openid, session_key,
//!   unionid?}`; a code is good once (40029 unknown, 40163 used), a wrong secret is 40125,
//!   a wrong appid 40013.
//! - `POST /cgi-bin/stable_token` (`{grant_type, appid, secret, force_refresh}`):
//!   `{access_token, expires_in}`; in normal mode the current token while it lives, in
//!   force mode a new one that ends the old.
//! - Every other call takes `?access_token=`: an unknown one is 40001, an ended one 42001.
//! - `POST /wxa/business/getuserphonenumber` (`{code}`): `{phone_info: {phoneNumber,
//!   purePhoneNumber, countryCode, watermark}}`; codes good once (40029).
//! - `POST /cgi-bin/message/subscribe/send`: spends one acceptance of (touser,
//!   template_id), 43101 without one; 47003 when a field breaks its keyword's rules.
//! - `POST /wxa/msg_sec_check` (version 2): `result.suggest` of `pass`, `review` or `risky`
//!   by the words the test gave.
//! - `POST /wxa/getwxacodeunlimit`: a PNG, or 41030 for a bad page / 40169 for a bad scene.
//!
//! A test can make the next calls of one path fail with an errcode ([`FakeWechat::fail_next`])
//! or take the whole server down ([`FakeWechat::go_down`]: HTTP 503, not JSON).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::fake_http::{FakeHttp, Request, Response};

pub const APP_ID: &str = "wxd00r5tep0test01";
pub const APP_SECRET: &str = "fake-wechat-app-secret-0123456789";

/// A 1×1 PNG: what the fake answers `getwxacodeunlimit` with.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[derive(Debug, Clone)]
struct Token {
    value: String,
    expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Default)]
struct State {
    /// wx.login codes not yet used: code → (openid, unionid).
    login_codes: HashMap<String, (String, Option<String>)>,
    phone_codes: HashMap<String, String>,
    used_codes: HashSet<String>,
    /// Every token issued; the last is current. Ended ones answer 42001.
    tokens: Vec<Token>,
    ended: HashSet<String>,
    token_ttl_secs: i64,
    /// (openid, template id) → acceptances left.
    acceptances: HashMap<(String, String), u32>,
    /// What each subscribe message that WeChat accepted looked like.
    delivered: Vec<Value>,
    /// Word → (suggest, label) for msg_sec_check.
    verdicts: Vec<(String, &'static str, u32)>,
    /// path → errcodes to answer, in order, before behaving normally again.
    failures: HashMap<String, Vec<i64>>,
    down: bool,
    requests: Vec<Request>,
    counter: u64,
}

pub struct FakeWechat {
    server: FakeHttp,
    state: Arc<Mutex<State>>,
}

fn error(errcode: i64, errmsg: &str) -> Response {
    Response::json(&json!({"errcode": errcode, "errmsg": errmsg}))
}

impl FakeWechat {
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State {
            token_ttl_secs: 7200,
            ..State::default()
        }));
        let shared = state.clone();
        let server = FakeHttp::start(move |request| {
            let mut state = shared.lock().expect("fake wechat state");
            state.requests.push(request.clone());
            answer(&mut state, &request)
        })
        .await;
        Self { server, state }
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// Points `settings` at this fake, with its AppID and AppSecret.
    pub fn configure(&self, settings: &mut doorstep_api::config::Settings) {
        settings.wechat_api_base = self.base_url();
        settings.wechat_app_id = Some(APP_ID.into());
        settings.wechat_app_secret = Some(APP_SECRET.into());
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().expect("fake wechat state"))
    }

    fn next_id(state: &mut State, prefix: &str) -> String {
        state.counter += 1;
        format!("{prefix}{:06}", state.counter)
    }

    /// A fresh `wx.login` code for the WeChat user `openid`.
    pub fn login_code(&self, openid: &str, unionid: Option<&str>) -> String {
        self.with(|s| {
            let code = Self::next_id(s, "login-");
            s.login_codes.insert(
                code.clone(),
                (openid.to_owned(), unionid.map(str::to_owned)),
            );
            code
        })
    }

    /// A fresh `getPhoneNumber` code for the number `phone` (11 digits, mainland).
    pub fn phone_code(&self, phone: &str) -> String {
        self.with(|s| {
            let code = Self::next_id(s, "phone-");
            s.phone_codes.insert(code.clone(), phone.to_owned());
            code
        })
    }

    /// The user `openid` tapped "allow" for `template_id` once more.
    pub fn accept(&self, openid: &str, template_id: &str) {
        self.with(|s| {
            *s.acceptances
                .entry((openid.to_owned(), template_id.to_owned()))
                .or_default() += 1;
        });
    }

    /// Subscribe messages WeChat accepted, oldest first.
    pub fn delivered(&self) -> Vec<Value> {
        self.with(|s| s.delivered.clone())
    }

    /// Text containing `word` gets `suggest` (`review` or `risky`) with `label`.
    pub fn verdict(&self, word: &str, suggest: &'static str, label: u32) {
        self.with(|s| s.verdicts.push((word.to_owned(), suggest, label)));
    }

    /// The next calls to `path` answer these errcodes, one each, in order.
    pub fn fail_next(&self, path: &str, errcodes: &[i64]) {
        self.with(|s| {
            s.failures
                .entry(path.to_owned())
                .or_default()
                .extend_from_slice(errcodes)
        });
    }

    /// Every call answers HTTP 503 with an HTML page until [`come_up`](Self::come_up).
    pub fn go_down(&self) {
        self.with(|s| s.down = true);
    }

    pub fn come_up(&self) {
        self.with(|s| s.down = false);
    }

    /// Tokens issued from now on live this long.
    pub fn token_ttl(&self, secs: i64) {
        self.with(|s| s.token_ttl_secs = secs);
    }

    /// Every token issued so far is ended (42001 from now on), as after WeChat's two hours.
    pub fn end_tokens(&self) {
        self.with(|s| {
            let values: Vec<String> = s.tokens.iter().map(|t| t.value.clone()).collect();
            s.ended.extend(values);
        });
    }

    /// How many requests reached `path`.
    pub fn calls(&self, path: &str) -> usize {
        self.with(|s| s.requests.iter().filter(|r| r.path == path).count())
    }

    /// Every request to `path`, oldest first.
    pub fn requests(&self, path: &str) -> Vec<Request> {
        self.with(|s| {
            s.requests
                .iter()
                .filter(|r| r.path == path)
                .cloned()
                .collect()
        })
    }
}

fn answer(state: &mut State, request: &Request) -> Response {
    if state.down {
        return Response::bytes(
            "text/html",
            b"<html>503 Service Unavailable</html>".to_vec(),
        )
        .with_status(503);
    }
    if let Some(queue) = state.failures.get_mut(&request.path)
        && !queue.is_empty()
    {
        let errcode = queue.remove(0);
        return error(errcode, "injected by the test");
    }
    match request.path.as_str() {
        "/sns/jscode2session" => jscode2session(state, request),
        "/cgi-bin/stable_token" => stable_token(state, request),
        path => {
            let token = request
                .query
                .get("access_token")
                .cloned()
                .unwrap_or_default();
            if state.ended.contains(&token) {
                return error(42001, "access_token expired");
            }
            let current = state
                .tokens
                .iter()
                .any(|t| t.value == token && t.expires_at > chrono::Utc::now());
            if !current {
                return error(
                    40001,
                    "invalid credential, access_token is invalid or not latest",
                );
            }
            let body = request.json();
            match path {
                "/wxa/business/getuserphonenumber" => phone_number(state, &body),
                "/cgi-bin/message/subscribe/send" => subscribe_send(state, &body),
                "/wxa/msg_sec_check" => msg_sec_check(state, &body),
                "/wxa/getwxacodeunlimit" => wxacode(&body),
                _ => error(40066, "invalid url"),
            }
        }
    }
}

fn jscode2session(state: &mut State, request: &Request) -> Response {
    let q = |name: &str| request.query.get(name).map(String::as_str).unwrap_or("");
    if q("appid") != APP_ID {
        return error(40013, "invalid appid");
    }
    if q("secret") != APP_SECRET {
        return error(40125, "invalid appsecret");
    }
    if q("grant_type") != "authorization_code" {
        return error(40002, "invalid grant_type");
    }
    let code = q("js_code").to_owned();
    if state.used_codes.contains(&code) {
        return error(40163, "code been used");
    }
    let Some((openid, unionid)) = state.login_codes.remove(&code) else {
        return error(40029, "invalid code");
    };
    state.used_codes.insert(code);
    let mut body = json!({"openid": openid, "session_key": "tiihtNczf5v6AKRyjwEUhQ=="});
    if let Some(unionid) = unionid {
        body["unionid"] = json!(unionid);
    }
    Response::json(&body)
}

fn stable_token(state: &mut State, request: &Request) -> Response {
    let body = request.json();
    if body["appid"] != APP_ID {
        return error(40013, "invalid appid");
    }
    if body["secret"] != APP_SECRET {
        return error(40125, "invalid appsecret");
    }
    if body["grant_type"] != "client_credential" {
        return error(40002, "invalid grant_type");
    }
    let now = chrono::Utc::now();
    let force = body["force_refresh"].as_bool().unwrap_or(false);
    let live = state
        .tokens
        .last()
        .filter(|t| t.expires_at > now && !state.ended.contains(&t.value))
        .cloned();
    let token = match live {
        Some(token) if !force => token,
        _ => {
            if let Some(old) = state.tokens.last() {
                let old = old.value.clone();
                state.ended.insert(old);
            }
            let token = Token {
                value: FakeWechat::next_id(state, "ACCESS_TOKEN_"),
                expires_at: now + chrono::Duration::seconds(state.token_ttl_secs),
            };
            state.tokens.push(token.clone());
            token
        }
    };
    Response::json(&json!({
        "access_token": token.value,
        "expires_in": (token.expires_at - now).num_seconds(),
    }))
}

fn take_code(state: &mut State, code: &str) -> Result<String, Response> {
    if state.used_codes.contains(code) {
        return Err(error(40163, "code been used"));
    }
    let phone = state
        .phone_codes
        .remove(code)
        .ok_or_else(|| error(40029, "invalid code"))?;
    state.used_codes.insert(code.to_owned());
    Ok(phone)
}

fn phone_number(state: &mut State, body: &Value) -> Response {
    let code = body["code"].as_str().unwrap_or("");
    match take_code(state, code) {
        Ok(phone) => Response::json(&json!({
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": phone,
                "purePhoneNumber": phone,
                "countryCode": "86",
                "watermark": {"timestamp": chrono::Utc::now().timestamp(), "appid": APP_ID},
            },
        })),
        Err(refused) => refused,
    }
}

/// The documented limits of a keyword's value, by the keyword's type (its name without the
/// trailing number): `None` when the value is acceptable.
pub fn keyword_problem(keyword: &str, value: &str) -> Option<String> {
    let kind = keyword.trim_end_matches(|c: char| c.is_ascii_digit());
    let chars = value.chars().count();
    let too_long = |max: usize| (chars > max).then(|| format!("{keyword} longer than {max}"));
    let only = |ok: fn(char) -> bool, max: usize| {
        if !value.chars().all(ok) || chars == 0 {
            Some(format!(
                "{keyword} holds characters its type does not allow"
            ))
        } else {
            too_long(max)
        }
    };
    match kind {
        "thing" => too_long(20),
        "name" => too_long(10),
        "phrase" => too_long(5),
        "number" => only(|c| c.is_ascii_digit() || c == '.', 32),
        "letter" => only(|c| c.is_ascii_alphabetic(), 32),
        "character_string" => only(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c), 32),
        "amount" => only(|c| c.is_ascii_digit() || ".元¥".contains(c), 32),
        "phone_number" => only(|c| c.is_ascii_digit() || "-+".contains(c), 17),
        "time" | "date" => (chars == 0 || chars > 32).then(|| format!("{keyword} not a time")),
        _ => None,
    }
}

fn subscribe_send(state: &mut State, body: &Value) -> Response {
    let touser = body["touser"].as_str().unwrap_or("").to_owned();
    let template = body["template_id"].as_str().unwrap_or("").to_owned();
    if touser.is_empty() || template.is_empty() {
        return error(47003, "argument invalid! touser or template_id missing");
    }
    if let Some(data) = body["data"].as_object() {
        for (keyword, value) in data {
            let value = value["value"].as_str().unwrap_or("");
            if let Some(problem) = keyword_problem(keyword, value) {
                return error(47003, &format!("argument invalid! data.{problem}"));
            }
        }
    } else {
        return error(47003, "argument invalid! data missing");
    }
    let left = state.acceptances.entry((touser, template)).or_default();
    if *left == 0 {
        return error(43101, "user refuse to accept the msg");
    }
    *left -= 1;
    state.delivered.push(body.clone());
    Response::json(&json!({"errcode": 0, "errmsg": "ok", "msgid": state.delivered.len()}))
}

fn msg_sec_check(state: &mut State, body: &Value) -> Response {
    if body["version"] != 2 {
        return error(47003, "argument invalid! version");
    }
    if body["openid"].as_str().unwrap_or("").is_empty() {
        return error(47003, "argument invalid! openid");
    }
    let content = body["content"].as_str().unwrap_or("");
    let (suggest, label) = state
        .verdicts
        .iter()
        .find(|(word, _, _)| content.contains(word.as_str()))
        .map(|(_, suggest, label)| (*suggest, *label))
        .unwrap_or(("pass", 100));
    Response::json(&json!({
        "errcode": 0,
        "errmsg": "ok",
        "result": {"suggest": suggest, "label": label},
        "detail": [{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90}],
        "trace_id": "60ae120f-371d5872-7941a05b",
    }))
}

fn wxacode(body: &Value) -> Response {
    let scene = body["scene"].as_str().unwrap_or("");
    let allowed = |c: char| c.is_ascii_alphanumeric() || "!#$&'()*+,/:;=?@-._~".contains(c);
    if scene.is_empty() || scene.chars().count() > 32 || !scene.chars().all(allowed) {
        return error(
            40169,
            "invalid length for scene, or the data is not json string",
        );
    }
    let page = body["page"].as_str().unwrap_or("");
    if page.starts_with('/') || page.contains('?') {
        return error(41030, "invalid page rule");
    }
    Response::bytes("image/png", PNG.to_vec())
}
