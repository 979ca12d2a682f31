//! Configuration: one typed struct, read once at start.
//!
//! Sources, later ones winning: built-in defaults, a TOML file (`doorstep.toml` in the
//! working directory, or the path in `DOORSTEP_CONFIG`), the conventional `DATABASE_URL` and
//! `SMTP_URL`, then `DOORSTEP_<SETTING>` environment variables. Every setting is listed, with
//! its default, in the README.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address and port the HTTP server listens on.
    pub bind: String,
    /// Folder for everything the embedded setup keeps on disk.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; unset means `sqlite://<data_dir>/doorstep.db`.
    pub database_url: Option<String>,
    /// Size of the database connection pool.
    pub database_max_connections: u32,
    /// Search index folder; unset means `<data_dir>/index`.
    pub index_dir: Option<PathBuf>,
    /// Where e-mails are written as `.eml` files when no SMTP server is set; unset means
    /// `<data_dir>/outbox`.
    pub mail_outbox_dir: Option<PathBuf>,
    /// `smtp://…` or `smtps://…`; unset means mail goes to the outbox folder.
    pub smtp_url: Option<String>,
    /// The From address of outgoing mail.
    pub mail_from: String,
    /// Where text messages are written as JSON files (one per message) while no SMS
    /// provider is configured; unset means `<data_dir>/sms-outbox`.
    pub sms_outbox_dir: Option<PathBuf>,
    /// Seconds a one-time code (sign-up, password reset, phone change) stays valid.
    pub auth_code_ttl_secs: u64,
    /// Seconds before another code or notice may be sent to the same phone or e-mail.
    pub auth_code_resend_secs: u64,
    /// Codes and notices sent to one phone or e-mail per purpose in 24 hours.
    pub auth_codes_per_day: u32,
    /// Tencent Cloud SMS `SecretId` (CAM API key). Setting it turns SMS sending on through
    /// Tencent Cloud; every other `sms_tencent_*` setting without a default is then
    /// required. Unset means text messages go to the SMS outbox folder.
    pub sms_tencent_secret_id: Option<String>,
    /// Tencent Cloud SMS `SecretKey`, paired with `sms_tencent_secret_id`.
    pub sms_tencent_secret_key: Option<String>,
    /// The SMS application's `SmsSdkAppId` (e.g. `1400006666`).
    pub sms_tencent_sdk_app_id: Option<String>,
    /// The approved SMS signature (`SignName`), e.g. `家门口就业`.
    pub sms_tencent_sign_name: Option<String>,
    /// Approved template id of the one-time code message; the template takes the code as
    /// `{1}` and its minutes of validity as `{2}`.
    pub sms_tencent_template_auth_code: Option<String>,
    /// Approved template id of the note telling a number's owner that someone tried to
    /// sign up with it (no parameters).
    pub sms_tencent_template_signup_attempt: Option<String>,
    /// `X-TC-Region` of SMS requests.
    pub sms_tencent_region: String,
    /// Base URL of the Tencent Cloud SMS API (changed only for a test double or a proxy).
    pub sms_tencent_endpoint: String,
    /// The WeChat mini-program's AppID (`wx…`). Setting it and `wechat_app_secret` turns
    /// the WeChat features on (sign-in with `wx.login`, phone numbers, subscribe messages,
    /// content security, mini-program codes); unset, those routes answer 404
    /// `wechat_not_configured` and nothing else changes.
    pub wechat_app_id: Option<String>,
    /// The mini-program's AppSecret; give it through the environment
    /// (`DOORSTEP_WECHAT_APP_SECRET`), never in a committed file. It is never logged.
    pub wechat_app_secret: Option<String>,
    /// Base URL of the WeChat server API (changed only for a test double or a proxy).
    pub wechat_api_base: String,
    /// Milliseconds one call to WeChat may take before it counts as a timeout.
    pub wechat_timeout_ms: u64,
    /// Mini-program page a posting's code opens (`getwxacodeunlimit`'s `page`: no leading
    /// `/`, no query); the page reads the posting's id from its `scene`.
    pub wechat_page_posting: String,
    /// Mini-program page a fair's code opens.
    pub wechat_page_fair: String,
    /// Mini-program page a station's code opens.
    pub wechat_page_station: String,
    /// Subscribe-message template id (from the mini-program's 订阅消息 console) for new
    /// matches; unset: these notices are not sent on WeChat. Likewise the six below.
    pub wechat_template_new_match: Option<String>,
    /// Template for application status changes (`application_*` notices).
    pub wechat_template_application_status: Option<String>,
    /// Template for an interview's time (an application moved to `interview`); unset: the
    /// application status template is used.
    pub wechat_template_interview_time: Option<String>,
    /// Template for shift reminders (`shift_reminder_*` notices).
    pub wechat_template_shift_reminder: Option<String>,
    /// Template for shift changes (other `shift_*` notices).
    pub wechat_template_shift_change: Option<String>,
    /// Template for fair reminders (`fair_*` notices).
    pub wechat_template_fair_reminder: Option<String>,
    /// Template for 随手拍 report progress (`report_*` notices).
    pub wechat_template_report_progress: Option<String>,
    /// Template for unread conversation messages (`conversation_message` notices).
    pub wechat_template_new_message: Option<String>,
    /// Keyword mapping per template, overriding the built-in one: group name (`new_match`,
    /// `application_status`, `interview_time`, `shift_reminder`, `shift_change`,
    /// `fair_reminder`, `report_progress`, `new_message`) → { keyword → source }. A keyword's type is its
    /// name without the trailing number (`thing1` is a thing: 20 characters; `phrase`,
    /// `name`, `number`, `letter`, `character_string`, `time`, `date`, `amount`…); a source
    /// is `title`, `body`, `time`, `kind`, `data.<key>` or `=<fixed text>`. Built in:
    /// `thing1 = title, thing2 = body, time3 = time` (interview: `thing1 = title, time2 =
    /// time, thing3 = body`).
    pub wechat_template_keywords:
        std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// The mini-program page a subscribe message opens.
    pub wechat_message_page: String,
    /// Milliseconds between passes of the subscribe-message sender.
    pub wechat_push_poll_ms: u64,
    /// The openid content security checks with when the author's account is not bound to
    /// WeChat (`msg_sec_check` version 2 needs one); unset: such text is stored and queued
    /// for an officer's review unchecked.
    pub wechat_content_fallback_openid: Option<String>,
    /// New conversations one account may open in 24 hours (then 429).
    pub conversation_opens_per_day: u64,
    /// Conversation messages one account may send in a minute (then 429).
    pub conversation_messages_per_minute: u64,
    /// Scam-flagged messages of an account, still open for an officer, that suspend its new
    /// conversations.
    pub conversation_flags_to_suspend: u64,
    /// Seconds a conversation stays quiet before a side with unread messages that is not
    /// connected is sent one notice about it (checked with the gig jobs, every
    /// `gig_jobs_secs`).
    pub conversation_notice_quiet_secs: u64,
    /// The city whose minimum wage (`minimum_wages`, from `domain/data/minimum_wages.toml`
    /// and the API) postings are judged by, and whose live postings are the pay
    /// distribution screening compares with (a deployment serves one city).
    pub screening_city: String,
    /// Live postings of the same category and pay unit needed before posting screening
    /// compares a posting's pay with them (fewer: not compared).
    pub screening_pay_min_samples: usize,
    /// How many scaled MADs above the median pay of those postings holds a posting for an
    /// officer as 虚假高薪 (it must also be above 1.5 × the median).
    pub screening_pay_outlier_factor: f64,
    /// HTTP worker threads; 0 means one per CPU core.
    pub http_workers: usize,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    pub shutdown_timeout_secs: u64,
    /// Proxies whose `X-Forwarded-For` is believed (comma-separated IPs).
    #[serde(deserialize_with = "ip_list")]
    pub trusted_proxies: Vec<IpAddr>,
    /// `pretty` or `json`.
    pub log_format: LogFormat,
    /// A `tracing` filter, e.g. `info` or `info,doorstep_api=debug`; a directive that names
    /// no level (`verbose`) is refused at start.
    #[serde(deserialize_with = "log_filter")]
    pub log_level: String,
    /// The `iss` of access tokens.
    pub jwt_issuer: String,
    /// The `aud` of access tokens.
    pub jwt_audience: String,
    /// Signing keys as `kid:secret` pairs, comma-separated; the first signs, all verify.
    /// Unset means a key generated once and kept in `<data_dir>/jwt-keys`.
    pub jwt_keys: Option<String>,
    /// Lifetime of an access token, in seconds.
    pub access_token_ttl_secs: u64,
    /// Lifetime of a refresh token, in days.
    pub refresh_token_ttl_days: u32,
    /// Login attempts allowed per client IP per minute.
    pub login_per_ip_per_minute: u32,
    /// Login attempts allowed per account (phone or e-mail) per minute.
    pub login_per_account_per_minute: u32,
    /// Sign-up attempts allowed per client IP per minute.
    pub signup_per_ip_per_minute: u32,
    /// Sign-up attempts allowed per phone number or e-mail address per hour.
    pub signup_per_number_per_hour: u32,
    /// Other unauthenticated writes (refresh, logout, report handling links) allowed per
    /// client IP per minute.
    pub anonymous_writes_per_ip_per_minute: u32,
    /// Passwords hashed or checked at once (argon2id, 19 MiB each); 0 means one per CPU
    /// core. Peak memory for hashing is this × 19 MiB.
    pub password_hash_workers: usize,
    /// Password hashes or checks that may wait for a worker; beyond them a request is
    /// answered `503 busy` with `Retry-After` at once.
    pub password_hash_queue: usize,
    /// Milliseconds a password hash or check may wait for a worker before it is answered
    /// `503 busy`.
    pub password_hash_wait_ms: u64,
    /// Seconds between sweeps that close expired postings.
    pub expiry_sweep_secs: u64,
    /// Milliseconds between passes that apply change events to the search index.
    pub search_poll_ms: u64,
    /// Seconds a missing change-event id is waited for before it counts as rolled back.
    pub search_gap_timeout_secs: u64,
    /// Searches allowed per client IP per minute.
    pub search_per_ip_per_minute: u32,
    /// Milliseconds between matching passes (new events, then due pushes).
    pub match_poll_ms: u64,
    /// Pairs scoring below this (0 to 1) are not stored or pushed.
    pub match_threshold: f64,
    /// Run the matching worker inside `serve` (turn off when `doorstep worker` runs it).
    pub match_in_process: bool,
    /// A refitted matcher weights file (TOML, as `matcher/data/weights.toml`); unset means
    /// the weights built in.
    pub match_weights: Option<PathBuf>,
    /// Milliseconds before the first retry of a failed push; each further retry waits twice
    /// as long, and the fifth failure dead-letters it.
    pub push_retry_base_ms: u64,
    /// Let webhooks target loopback and private networks (off: they are refused, against
    /// server-side request forgery).
    pub webhook_allow_internal: bool,
    /// `/metrics` on the API address answers only requests carrying
    /// `Authorization: Bearer <this token>`; unset means it is not served there at all, so
    /// metrics are never public by accident.
    pub metrics_token: Option<String>,
    /// A second address serving `/metrics` alone, without a token, for a scraper on a
    /// private network (e.g. `127.0.0.1:9464`); unset means no second listener.
    pub metrics_bind: Option<String>,
    /// Job fairs: a seeker and a booth scoring below this (0 to 1) get no planned visit.
    pub fair_min_score: f64,
    /// Where uploaded photos and voice notes are kept; unset means `<data_dir>/media`.
    /// Several instances need a folder they all share.
    pub media_dir: Option<PathBuf>,
    /// The address people reach this service at, for links sent by e-mail; unset means
    /// `http://<bind>`.
    pub public_url: Option<String>,
    /// Origins whose pages may call the API from a browser (CORS), e.g.
    /// `https://console.example.cn`: a list or comma-separated. Empty (the default) sends no
    /// CORS headers at all; `*` alone allows any origin (no credentials are involved: the
    /// API takes bearer tokens, not cookies).
    #[serde(deserialize_with = "origin_list")]
    pub cors_allowed_origins: Vec<String>,
    /// Largest photo accepted, in bytes.
    pub max_photo_bytes: usize,
    /// Largest voice note accepted, in bytes.
    pub max_voice_bytes: usize,
    /// Seconds between passes of the gig jobs (no-shows, reminders, automatic confirmation
    /// of hours, favourites windows, gig notice delivery).
    pub gig_jobs_secs: u64,
    /// Minutes before a shift's start check-in opens.
    pub gig_checkin_opens_mins: u32,
    /// Minutes after a shift's start check-in stays open; no check-in by then is a no-show.
    pub gig_checkin_grace_mins: u32,
    /// Hours after a shift's end unconfirmed hours are confirmed from check-in and out.
    pub gig_auto_confirm_hours: u32,
    // Issue 25: complaints, and merchants held to their word.
    /// Hours before a gig shift's start within which a merchant cancelling a claimed shift
    /// cancels late and owes each claimed worker `merchant_late_cancel_share_percent` of the
    /// shift's pay.
    pub merchant_late_cancel_hours: u32,
    /// The share (0 to 100 %) of a shift's scheduled pay a late-cancelling merchant owes
    /// each claimed worker; it is put on the worker's pay statement.
    pub merchant_late_cancel_share_percent: u32,
    /// Hours an officer has to acknowledge a complaint before it escalates.
    pub complaint_ack_hours: u32,
    /// Days an officer has to close a complaint with an outcome before it escalates.
    pub complaint_close_days: u32,
    /// Minutes an officer console session may sit unused before it ends (at least 1).
    pub console_idle_minutes: u32,
    /// Seconds between runs of the retention job (erasing and anonymising what is past its
    /// retention; see `domain::retention`); 0 disables it (run `doorstep retention` instead).
    pub retention_interval_secs: u64,
    /// Days a conversation in which the seeker has no application to the posting is kept
    /// after its last message (at least 1); one with an application is kept as a recruiting
    /// record until the application is anonymised.
    pub conversation_retention_days: u32,
    /// Seconds each instance keeps a business's responsiveness figure (shown on its
    /// postings) before reading it again; 0 reads it on every request.
    pub responsiveness_cache_secs: u64,
    // Real names (issue 25).
    /// Keys resident ID numbers are encrypted under, as `kid:secret` pairs (secrets of at
    /// least 32 bytes), comma-separated; the first encrypts, all decrypt. Put a new key
    /// first and run `doorstep identity-rekey` to move old rows to it. Unset means a key
    /// generated once and kept in `<data_dir>/identity-keys`.
    pub identity_keys: Option<String>,
    /// The secret (at least 32 bytes) ID numbers are hashed under to find an ID number used
    /// by two accounts. It never rotates (changing it loses duplicate detection for earlier
    /// rows). Required with `identity_keys`; unset with it unset means one generated once
    /// into `<data_dir>/identity-hash-key`.
    pub identity_hash_key: Option<String>,
    /// The identity verification provider's base URL (name + ID number, the protocol in
    /// `matcher/src/identity_provider.rs`). Unset: only the local checks (format, birth date,
    /// check digit) are done, and verifications record `method = "local"`.
    pub identity_provider_url: Option<String>,
    /// The provider's API key, sent as a bearer token; required with the URL.
    pub identity_provider_key: Option<String>,
    /// How long one call to the provider may take, in milliseconds.
    pub identity_provider_timeout_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            database_max_connections: 10,
            index_dir: None,
            mail_outbox_dir: None,
            smtp_url: None,
            mail_from: "Doorstep 家门口就业 <noreply@doorstep.local>".into(),
            sms_outbox_dir: None,
            auth_code_ttl_secs: 10 * 60,
            auth_code_resend_secs: 60,
            auth_codes_per_day: 10,
            sms_tencent_secret_id: None,
            sms_tencent_secret_key: None,
            sms_tencent_sdk_app_id: None,
            sms_tencent_sign_name: None,
            sms_tencent_template_auth_code: None,
            sms_tencent_template_signup_attempt: None,
            sms_tencent_region: "ap-guangzhou".into(),
            sms_tencent_endpoint: "https://sms.tencentcloudapi.com".into(),
            wechat_app_id: None,
            wechat_app_secret: None,
            wechat_api_base: "https://api.weixin.qq.com".into(),
            wechat_timeout_ms: 5_000,
            wechat_page_posting: "pages/posting/index".into(),
            wechat_page_fair: "pages/fair/index".into(),
            wechat_page_station: "pages/station/index".into(),
            wechat_template_new_match: None,
            wechat_template_application_status: None,
            wechat_template_interview_time: None,
            wechat_template_shift_reminder: None,
            wechat_template_shift_change: None,
            wechat_template_fair_reminder: None,
            wechat_template_report_progress: None,
            wechat_template_new_message: None,
            wechat_template_keywords: Default::default(),
            wechat_message_page: "pages/inbox/index".into(),
            wechat_push_poll_ms: 1_000,
            wechat_content_fallback_openid: None,
            conversation_opens_per_day: 30,
            conversation_messages_per_minute: 20,
            conversation_flags_to_suspend: 3,
            conversation_notice_quiet_secs: 120,
            screening_city: "suzhou".to_owned(),
            screening_pay_min_samples: 20,
            screening_pay_outlier_factor: 5.0,
            http_workers: 0,
            max_body_bytes: 256 * 1024,
            shutdown_timeout_secs: 30,
            trusted_proxies: Vec::new(),
            log_format: LogFormat::Pretty,
            log_level: "info".into(),
            jwt_issuer: "doorstep".into(),
            jwt_audience: "doorstep-api".into(),
            jwt_keys: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            login_per_ip_per_minute: 30,
            login_per_account_per_minute: 5,
            signup_per_ip_per_minute: 10,
            signup_per_number_per_hour: 5,
            anonymous_writes_per_ip_per_minute: 60,
            password_hash_workers: 0,
            password_hash_queue: 32,
            password_hash_wait_ms: 2_000,
            expiry_sweep_secs: 60,
            search_poll_ms: 200,
            search_gap_timeout_secs: 300,
            search_per_ip_per_minute: 120,
            match_poll_ms: 500,
            match_threshold: 0.55,
            match_in_process: true,
            match_weights: None,
            push_retry_base_ms: 2_000,
            webhook_allow_internal: false,
            metrics_token: None,
            metrics_bind: None,
            fair_min_score: 0.3,
            media_dir: None,
            public_url: None,
            cors_allowed_origins: Vec::new(),
            max_photo_bytes: 5 * 1024 * 1024,
            max_voice_bytes: 2 * 1024 * 1024,
            gig_jobs_secs: 30,
            gig_checkin_opens_mins: 30,
            gig_checkin_grace_mins: 15,
            gig_auto_confirm_hours: 48,
            merchant_late_cancel_hours: 24,
            merchant_late_cancel_share_percent: 50,
            complaint_ack_hours: 48,
            complaint_close_days: 7,
            console_idle_minutes: 30,
            retention_interval_secs: 24 * 60 * 60,
            conversation_retention_days: 180,
            responsiveness_cache_secs: 300,
            identity_keys: None,
            identity_hash_key: None,
            identity_provider_url: None,
            identity_provider_key: None,
            identity_provider_timeout_ms: 5_000,
        }
    }
}

fn ip_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<IpAddr>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        List(Vec<String>),
    }
    let items = match Raw::deserialize(deserializer)? {
        Raw::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        Raw::List(list) => list,
    };
    items
        .iter()
        .map(|item| {
            item.parse()
                .map_err(|_| serde::de::Error::custom(format!("{item:?} is not an IP address")))
        })
        .collect()
}

fn log_filter<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let filter = String::deserialize(deserializer)?;
    crate::telemetry::check_filter(&filter).map_err(serde::de::Error::custom)?;
    Ok(filter)
}

/// Origins as a browser sends them: `scheme://host[:port]`, no path; or `*` alone.
fn origin_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let items = text_or_list(deserializer)?;
    if items.iter().any(|o| o == "*") && items.len() > 1 {
        return Err(serde::de::Error::custom(
            "`*` allows every origin and cannot be listed with others",
        ));
    }
    for item in &items {
        let valid = item == "*"
            || item.split_once("://").is_some_and(|(scheme, host)| {
                matches!(scheme, "http" | "https")
                    && !host.is_empty()
                    && !host.contains(['/', '?', '#', ' '])
            });
        if !valid {
            return Err(serde::de::Error::custom(format!(
                "{item:?} is not an origin (scheme://host[:port], no path)"
            )));
        }
    }
    Ok(items)
}

/// A list setting given as a TOML list or a comma-separated string (from the environment).
fn text_or_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        List(Vec<String>),
    }
    Ok(match Raw::deserialize(deserializer)? {
        Raw::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        Raw::List(list) => list.into_iter().map(|s| s.trim().to_owned()).collect(),
    })
}

impl Settings {
    /// The retention periods that are settings.
    pub fn retention_policy(&self) -> doorstep_domain::retention::Policy {
        doorstep_domain::retention::Policy {
            conversation_days: self.conversation_retention_days.max(1),
        }
    }

    /// Reads the settings from the default file, `DATABASE_URL`/`SMTP_URL` and `DOORSTEP_*`.
    pub fn load() -> Result<Self, Box<figment::Error>> {
        let file = std::env::var_os("DOORSTEP_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("doorstep.toml"));
        Self::load_from(&file)
    }

    pub fn load_from(file: &Path) -> Result<Self, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(file))
            .merge(Env::raw().only(&["database_url", "smtp_url"]))
            // DOORSTEP_CONFIG names the file; DOORSTEP_NEW_PASSWORD and DOORSTEP_DEMO_PASSWORD
            // feed `doorstep admin` and `doorstep demo`.
            .merge(Env::prefixed("DOORSTEP_").ignore(&["config", "new_password", "demo_password"]))
            .extract()
            .map_err(Box::new)
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("doorstep.db").display()
            )
        })
    }

    pub fn index_dir(&self) -> PathBuf {
        self.index_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("index"))
    }

    pub fn mail_outbox_dir(&self) -> PathBuf {
        self.mail_outbox_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("outbox"))
    }

    pub fn sms_outbox_dir(&self) -> PathBuf {
        self.sms_outbox_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("sms-outbox"))
    }

    pub fn media_dir(&self) -> PathBuf {
        self.media_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("media"))
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_owned()
    }

    /// A password hashing pool of the configured size (its worker threads start now).
    pub fn password_pool(&self) -> doorstep_domain::auth::password::HashPool {
        doorstep_domain::auth::password::HashPool::new(
            doorstep_domain::auth::password::PoolSettings {
                workers: self.password_hash_workers,
                queue: self.password_hash_queue,
                max_wait: std::time::Duration::from_millis(self.password_hash_wait_ms),
            },
        )
    }

    pub fn jwt_keys_file(&self) -> PathBuf {
        self.data_dir.join("jwt-keys")
    }

    pub fn identity_keys_file(&self) -> PathBuf {
        self.data_dir.join("identity-keys")
    }

    pub fn identity_hash_key_file(&self) -> PathBuf {
        self.data_dir.join("identity-hash-key")
    }

    /// The timing rules of gig check-in and hours.
    pub fn gig_rules(&self) -> doorstep_domain::gigs::Rules {
        doorstep_domain::gigs::Rules {
            checkin_opens_before: chrono::Duration::minutes(i64::from(self.gig_checkin_opens_mins)),
            checkin_grace: chrono::Duration::minutes(i64::from(self.gig_checkin_grace_mins)),
            auto_confirm_after: chrono::Duration::hours(i64::from(self.gig_auto_confirm_hours)),
            merchant_late_cancel_before: chrono::Duration::hours(i64::from(
                self.merchant_late_cancel_hours,
            )),
            merchant_late_cancel_share_percent: self.merchant_late_cancel_share_percent.min(100),
        }
    }

    /// How long an officer console session may sit unused.
    pub fn console_idle(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.console_idle_minutes.max(1)))
    }

    /// The deadlines of complaints.
    pub fn complaint_rules(&self) -> doorstep_domain::complaints::Rules {
        doorstep_domain::complaints::Rules {
            ack_within: chrono::Duration::hours(i64::from(self.complaint_ack_hours.max(1))),
            close_within: chrono::Duration::days(i64::from(self.complaint_close_days.max(1))),
        }
    }
}

#[cfg(test)]
// figment's Jail dictates the closure's (large) error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_embedded_setup() {
        let settings = Settings::default();
        assert_eq!(settings.bind, "127.0.0.1:8080");
        assert_eq!(
            settings.database_url(),
            "sqlite://data/doorstep.db?mode=rwc"
        );
        assert_eq!(settings.index_dir(), PathBuf::from("data/index"));
        assert_eq!(settings.mail_outbox_dir(), PathBuf::from("data/outbox"));
        assert_eq!(settings.sms_outbox_dir(), PathBuf::from("data/sms-outbox"));
    }

    #[test]
    fn cors_origins_are_checked_at_load() {
        figment::Jail::expect_with(|jail| {
            jail.set_env(
                "DOORSTEP_CORS_ALLOWED_ORIGINS",
                "https://console.example.cn, http://localhost:5173",
            );
            let settings = Settings::load_from(Path::new("none.toml")).expect("loads");
            assert_eq!(
                settings.cors_allowed_origins,
                vec!["https://console.example.cn", "http://localhost:5173"]
            );
            for bad in ["console.example.cn", "https://a.cn/path", "*, https://a.cn"] {
                jail.set_env("DOORSTEP_CORS_ALLOWED_ORIGINS", bad);
                assert!(
                    Settings::load_from(Path::new("none.toml")).is_err(),
                    "{bad}"
                );
            }
            jail.set_env("DOORSTEP_CORS_ALLOWED_ORIGINS", "*");
            let settings = Settings::load_from(Path::new("none.toml")).expect("loads");
            assert_eq!(settings.cors_allowed_origins, vec!["*"]);
            Ok(())
        });
    }

    #[test]
    fn file_and_environment_override_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "doorstep.toml",
                "bind = \"0.0.0.0:9000\"\nlog_format = \"json\"\ntrusted_proxies = [\"10.0.0.1\"]",
            )?;
            jail.set_env("DATABASE_URL", "postgres://app@db/doorstep");
            jail.set_env("DOORSTEP_MAX_BODY_BYTES", "1024");
            jail.set_env("DOORSTEP_TRUSTED_PROXIES", "10.0.0.2, 10.0.0.3");
            let settings = Settings::load_from(Path::new("doorstep.toml")).unwrap();
            assert_eq!(settings.bind, "0.0.0.0:9000");
            assert_eq!(settings.log_format, LogFormat::Json);
            assert_eq!(settings.database_url(), "postgres://app@db/doorstep");
            assert_eq!(settings.max_body_bytes, 1024);
            assert_eq!(settings.trusted_proxies.len(), 2);
            Ok(())
        });
    }

    #[test]
    fn variables_of_other_purposes_are_not_settings() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("DOORSTEP_NEW_PASSWORD", "for the admin command");
            jail.set_env("DOORSTEP_CONFIG", "none.toml");
            assert!(Settings::load_from(Path::new("none.toml")).is_ok());
            Ok(())
        });
    }

    #[test]
    fn log_levels_are_checked() {
        for good in [
            "info",
            "WARN",
            "info,doorstep_api=debug",
            "off",
            "sqlx=warn, info",
        ] {
            figment::Jail::expect_with(|jail| {
                jail.set_env("DOORSTEP_LOG_LEVEL", good);
                let settings = Settings::load_from(Path::new("none.toml")).unwrap();
                assert_eq!(settings.log_level, good);
                Ok(())
            });
        }
        for bad in ["verbose", "infoo", "doorstep_api=loud", "", "info,["] {
            figment::Jail::expect_with(|jail| {
                jail.create_file("doorstep.toml", &format!("log_level = {bad:?}"))?;
                let err = Settings::load_from(Path::new("doorstep.toml")).unwrap_err();
                let message = err.to_string();
                assert!(message.contains("log_level"), "{bad:?}: {message}");
                Ok(())
            });
        }
    }

    fn example_file() -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../doorstep.example.toml");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn from_toml(text: &str) -> Result<Settings, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::string(text))
            .extract()
            .map_err(Box::new)
    }

    /// Every setting has an entry in `doorstep.example.toml`, set to its default or (for a
    /// setting unset by default) commented out as `# name = example`; the file as shipped
    /// is the defaults, and with every such line uncommented it is still a valid config.
    #[test]
    fn the_example_file_lists_every_setting() {
        let example = example_file();
        let defaults = serde_json::to_value(Settings::default()).unwrap();
        let fields = defaults.as_object().unwrap();
        let assigned = |line: &str, field: &str| {
            line.strip_prefix(field)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        };
        for field in fields.keys() {
            let set = example.lines().any(|l| assigned(l, field));
            let commented = example
                .lines()
                .filter_map(|l| l.strip_prefix("# "))
                .any(|l| assigned(l, field));
            assert!(
                set ^ commented,
                "doorstep.example.toml needs exactly one `{field} = …` line (set, or commented out when unset by default)"
            );
            if commented {
                assert!(
                    fields[field].is_null(),
                    "{field} has a default: the example sets it rather than commenting it out"
                );
            }
        }
        let shipped = from_toml(&example).expect("the example file is a valid config");
        assert_eq!(
            serde_json::to_value(&shipped).unwrap(),
            defaults,
            "the example file's values are the defaults"
        );
        let uncommented: String = example
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if fields.keys().any(|f| assigned(rest, f)) => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let all = from_toml(&uncommented).expect("every example value is valid");
        let all = serde_json::to_value(&all).unwrap();
        for (field, value) in all.as_object().unwrap() {
            assert!(!value.is_null(), "{field} has no example value");
        }
    }

    #[test]
    fn unknown_settings_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("DOORSTEP_BINDD", "0.0.0.0:1");
            assert!(Settings::load_from(Path::new("none.toml")).is_err());
            Ok(())
        });
    }
}
