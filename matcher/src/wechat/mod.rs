//! The WeChat mini-program server API (`api.weixin.qq.com`, "服务端 API"), called over its
//! documented HTTP interface. One [`Wechat`] per process: it signs users in
//! (`jscode2session`), and calls every API that takes the mini-program's `access_token`
//! through [`Wechat::call`], which obtains the token from [`token::AccessTokens`] (shared
//! by all instances through a row in `leases`) and retries once when WeChat says the token
//! is stale (40001, 40014, 42001) or that it is busy (-1).
//!
//! Every answer is JSON with `errcode`/`errmsg` (0 or absent means success), except
//! `getwxacodeunlimit`, which answers with the image itself on success. Errors are sorted
//! into [`WechatError`] once, here, so the API maps them to problems and the push worker to
//! retry-or-not without knowing WeChat's numbers (the few that callers must tell apart,
//! such as 43101 and 47003 for subscribe messages, stay readable in `Refused`).
//!
//! `session_key` is read from `jscode2session` and dropped: Doorstep decrypts nothing on
//! the server (the phone number comes from `getuserphonenumber`), so it is never stored,
//! returned or logged.

pub mod content;
pub mod push;
pub mod token;

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use token::AccessTokens;

/// WeChat's documented host.
pub const DEFAULT_BASE_URL: &str = "https://api.weixin.qq.com";

/// What Doorstep needs to call WeChat, from the settings.
#[derive(Clone)]
pub struct WechatConfig {
    /// `https://api.weixin.qq.com` in production; a fake server's address in tests.
    pub base_url: String,
    pub app_id: String,
    /// The mini-program's AppSecret: sent only to WeChat, never logged.
    pub app_secret: String,
    /// How long one call may take before it counts as a timeout.
    pub timeout: Duration,
}

impl fmt::Debug for WechatConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WechatConfig")
            .field("base_url", &self.base_url)
            .field("app_id", &self.app_id)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Why a WeChat call did not give what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WechatError {
    /// A `wx.login` or `getPhoneNumber` code that is wrong, expired or already used
    /// (40029, 40163, 40125 is not this: that is a bad secret).
    #[error("the WeChat code is invalid, expired or already used (errcode {0})")]
    InvalidCode(i64),
    /// 45011: the per-minute quota of this API is used up.
    #[error("WeChat's rate limit for this API was reached (errcode 45011)")]
    RateLimited,
    /// -1 (system busy), still so after one retry.
    #[error("WeChat is busy (errcode -1)")]
    Busy,
    /// WeChat refuses Doorstep itself: wrong AppID or AppSecret, server IP not on the
    /// allow-list, API not granted. Nothing a user can do; an operator must.
    #[error(
        "WeChat refused Doorstep's credentials or rights (errcode {errcode}: {errmsg}); check wechat_app_id, wechat_app_secret and the server's IP allow-list"
    )]
    Misconfigured { errcode: i64, errmsg: String },
    /// Any other errcode: the caller decides what it means for its API.
    #[error("WeChat refused the call (errcode {errcode}: {errmsg})")]
    Refused { errcode: i64, errmsg: String },
    /// No answer, a timeout, or an answer that is not WeChat's JSON.
    #[error("WeChat could not be reached: {0}")]
    Unreachable(String),
    /// The shared access token could not be read or written.
    #[error("database: {0}")]
    Database(String),
}

impl WechatError {
    /// Worth trying again later (a push's retry with backoff).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Busy
                | Self::RateLimited
                | Self::Unreachable(_)
                | Self::Database(_)
                | Self::Misconfigured { .. }
        )
    }

    /// The errcode WeChat gave, if it gave one.
    pub fn errcode(&self) -> Option<i64> {
        match self {
            Self::InvalidCode(code) => Some(*code),
            Self::RateLimited => Some(45011),
            Self::Busy => Some(-1),
            Self::Misconfigured { errcode, .. } | Self::Refused { errcode, .. } => Some(*errcode),
            Self::Unreachable(_) | Self::Database(_) => None,
        }
    }
}

/// The errcodes that mean the access token must be fetched again.
const STALE_TOKEN: [i64; 3] = [40001, 40014, 42001];

/// Sorts a non-zero errcode.
pub fn classify(errcode: i64, errmsg: &str) -> WechatError {
    match errcode {
        40029 | 40163 => WechatError::InvalidCode(errcode),
        45011 => WechatError::RateLimited,
        -1 => WechatError::Busy,
        // Bad AppID or AppSecret, missing appid, IP not allowed, API not granted or banned.
        40013 | 40125 | 41002 | 41004 | 40164 | 61004 | 48001 | 48004 => {
            WechatError::Misconfigured {
                errcode,
                errmsg: errmsg.to_owned(),
            }
        }
        _ => WechatError::Refused {
            errcode,
            errmsg: errmsg.to_owned(),
        },
    }
}

#[derive(Debug, Deserialize)]
struct Status {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

/// Who signed in, from `jscode2session`.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub openid: String,
    /// Present when the mini-program is bound to a WeChat Open Platform account.
    pub unionid: Option<String>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("openid", &self.openid)
            .field("unionid", &self.unionid)
            .finish()
    }
}

/// What a call that takes the access token answered.
pub enum Answer {
    Json(Value),
    /// A body that is not JSON (an image from `getwxacodeunlimit`), with its content type.
    Bytes {
        content_type: String,
        body: Vec<u8>,
    },
}

pub struct Wechat {
    config: WechatConfig,
    http: reqwest::Client,
    tokens: AccessTokens,
}

impl fmt::Debug for Wechat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wechat")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Wechat {
    /// `holder` names this instance in the token's lease.
    pub fn new(config: WechatConfig, db: sea_orm::DatabaseConnection, holder: String) -> Self {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .expect("an HTTP client without custom TLS settings builds");
        let tokens = AccessTokens::new(db, holder);
        Self {
            config,
            http,
            tokens,
        }
    }

    pub fn config(&self) -> &WechatConfig {
        &self.config
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    /// Exchanges a `wx.login` code for the user's openid (and unionid). Busy is retried
    /// once.
    pub async fn code2session(&self, code: &str) -> Result<Session, WechatError> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            errcode: i64,
            #[serde(default)]
            errmsg: String,
            openid: Option<String>,
            unionid: Option<String>,
        }
        let mut busy_retried = false;
        loop {
            let request = self.http.get(self.url("/sns/jscode2session")).query(&[
                ("appid", self.config.app_id.as_str()),
                ("secret", self.config.app_secret.as_str()),
                ("js_code", code),
                ("grant_type", "authorization_code"),
            ]);
            let answer: Answer = read_json(request.send().await).await?;
            match answer.errcode {
                0 => {
                    let openid = answer.openid.filter(|o| !o.is_empty()).ok_or_else(|| {
                        WechatError::Unreachable("jscode2session answered without an openid".into())
                    })?;
                    return Ok(Session {
                        openid,
                        unionid: answer.unionid.filter(|u| !u.is_empty()),
                    });
                }
                -1 if !busy_retried => busy_retried = true,
                errcode => return Err(classify(errcode, &answer.errmsg)),
            }
        }
    }

    /// The current access token (see [`AccessTokens`]).
    pub async fn access_token(&self) -> Result<String, WechatError> {
        self.tokens.get(self, None).await
    }

    /// `POST <path>?access_token=…` with a JSON body. A stale token is fetched again and
    /// the call retried once; so is -1. Any other non-zero errcode is an error.
    pub async fn call(&self, path: &str, body: &Value) -> Result<Answer, WechatError> {
        let mut token = self.tokens.get(self, None).await?;
        let (mut token_retried, mut busy_retried) = (false, false);
        loop {
            let sent = self
                .http
                .post(self.url(path))
                .query(&[("access_token", token.as_str())])
                .json(body)
                .send()
                .await;
            let response = sent.map_err(unreachable)?;
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let status = response.status();
            let bytes = response.bytes().await.map_err(unreachable)?;
            let json: Option<Value> = serde_json::from_slice(&bytes).ok();
            let Some(json) = json else {
                if status.is_success() && !content_type.is_empty() {
                    return Ok(Answer::Bytes {
                        content_type,
                        body: bytes.to_vec(),
                    });
                }
                return Err(WechatError::Unreachable(format!(
                    "{path} answered HTTP {status} without JSON"
                )));
            };
            let errcode = json.get("errcode").and_then(Value::as_i64).unwrap_or(0);
            let errmsg = json.get("errmsg").and_then(Value::as_str).unwrap_or("");
            match errcode {
                0 => return Ok(Answer::Json(json)),
                code if STALE_TOKEN.contains(&code) && !token_retried => {
                    token_retried = true;
                    tracing::info!(
                        errcode = code,
                        path,
                        "WeChat access token stale; refreshing"
                    );
                    token = self.tokens.get(self, Some(&token)).await?;
                }
                -1 if !busy_retried => busy_retried = true,
                code => return Err(classify(code, errmsg)),
            }
        }
    }

    /// [`call`](Self::call) for an API that answers JSON.
    pub async fn call_json(&self, path: &str, body: &Value) -> Result<Value, WechatError> {
        match self.call(path, body).await? {
            Answer::Json(json) => Ok(json),
            Answer::Bytes { content_type, .. } => Err(WechatError::Unreachable(format!(
                "{path} answered {content_type} instead of JSON"
            ))),
        }
    }

    /// `POST /cgi-bin/stable_token`: a token and its lifetime in seconds. `force` asks for a
    /// new one even while the current one is valid (only after WeChat refused it).
    pub(crate) async fn fetch_stable_token(
        &self,
        force: bool,
    ) -> Result<(String, i64), WechatError> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            errcode: i64,
            #[serde(default)]
            errmsg: String,
            access_token: Option<String>,
            expires_in: Option<i64>,
        }
        let mut busy_retried = false;
        loop {
            let request =
                self.http
                    .post(self.url("/cgi-bin/stable_token"))
                    .json(&serde_json::json!({
                        "grant_type": "client_credential",
                        "appid": self.config.app_id,
                        "secret": self.config.app_secret,
                        "force_refresh": force,
                    }));
            let answer: Answer = read_json(request.send().await).await?;
            match (answer.errcode, answer.access_token) {
                (0, Some(token)) if !token.is_empty() => {
                    return Ok((token, answer.expires_in.unwrap_or(7200)));
                }
                (0, _) => {
                    return Err(WechatError::Unreachable(
                        "stable_token answered without a token".into(),
                    ));
                }
                (-1, _) if !busy_retried => busy_retried = true,
                (errcode, _) => {
                    let err = classify(errcode, &answer.errmsg);
                    tracing::error!(error = %err, "WeChat refused to issue an access token");
                    return Err(err);
                }
            }
        }
    }
}

fn unreachable(err: reqwest::Error) -> WechatError {
    // reqwest's message names the URL, whose query may hold the access token or secret.
    WechatError::Unreachable(err.without_url().to_string())
}

async fn read_json<T: DeserializeOwned>(
    sent: Result<reqwest::Response, reqwest::Error>,
) -> Result<T, WechatError> {
    let response = sent.map_err(unreachable)?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(unreachable)?;
    serde_json::from_slice(&bytes).map_err(|_| {
        let what = serde_json::from_slice::<Status>(&bytes)
            .map(|s| format!("errcode {}: {}", s.errcode, s.errmsg))
            .unwrap_or_else(|_| format!("HTTP {status} without WeChat's JSON"));
        WechatError::Unreachable(what)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errcodes_are_sorted_once() {
        assert_eq!(
            classify(40029, "invalid code"),
            WechatError::InvalidCode(40029)
        );
        assert_eq!(
            classify(40163, "code been used"),
            WechatError::InvalidCode(40163)
        );
        assert_eq!(classify(45011, "minute-quota"), WechatError::RateLimited);
        assert_eq!(classify(-1, "system error"), WechatError::Busy);
        assert!(matches!(
            classify(40125, "invalid appsecret"),
            WechatError::Misconfigured { errcode: 40125, .. }
        ));
        assert!(matches!(
            classify(43101, "user refuse to accept the msg"),
            WechatError::Refused { errcode: 43101, .. }
        ));
        assert!(!classify(47003, "argument invalid").is_transient());
        assert!(classify(-1, "").is_transient());
        assert_eq!(classify(47003, "").errcode(), Some(47003));
    }

    #[test]
    fn the_secret_is_not_in_debug_output() {
        let config = WechatConfig {
            base_url: DEFAULT_BASE_URL.into(),
            app_id: "wx0123456789abcdef".into(),
            app_secret: "s3cr3t-app-secret".into(),
            timeout: Duration::from_secs(5),
        };
        let shown = format!("{config:?}");
        assert!(shown.contains("wx0123456789abcdef"));
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
}
