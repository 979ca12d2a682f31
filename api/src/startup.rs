//! Building and running the server: the same code path for `doorstep serve` and the tests.

use std::net::{IpAddr, TcpListener};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use actix_service::ServiceFactoryExt;
use actix_web::dev::Server;
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, HttpRequest, HttpServer, web};
use anyhow::Context;
use doorstep_domain::auth::password::HashPool;
use doorstep_domain::auth::{TokenService, TokenSettings};
use doorstep_domain::codes::{CodeRules, Courier};
use doorstep_domain::db::{self, Backend};
use doorstep_domain::jobs::{CancellationToken, Running};
use doorstep_domain::media::{DiskStore, MediaStore};
use doorstep_domain::reports::UploadLimits;
use doorstep_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use utoipa_actix_web::AppExt;

use crate::config::Settings;
use crate::contract::{RouteTable, refuse_unserved_methods};
use crate::http::ApiError;
use crate::http::client_ip::client_ip;
use crate::http::connection::ProblemIo;
use crate::http::coord::read_coord;
use crate::http::cors;
use crate::http::etag::etag;
use crate::http::metrics::Metrics;
use crate::http::problem::{localise_problems, path_error, query_error};
use crate::http::request_context::request_context;
use crate::ratelimit::{
    KeyedLimiter, LoginLimiter, SearchLimiter, SignupLimiter, rate_limit_fields,
};
use crate::routes::openapi::OpenApiJson;
use crate::{keys, openapi, routes};
use doorstep_matcher::codes::CodeCourier;
use doorstep_matcher::mail::Mailer;
use doorstep_matcher::sms::{OutboxSms, SmsSender, SmsTemplate};
use doorstep_matcher::tencent_sms::{TencentSms, TencentSmsConfig};
use doorstep_matcher::wechat::content::ContentGuard;
use doorstep_matcher::wechat::push::{Group, Template, Templates};
use doorstep_matcher::wechat::{Wechat, WechatConfig};
use doorstep_matcher::{MatchSettings, Matcher};
use doorstep_search_index::SearchIndex;
use doorstep_search_index::sync;

/// What every handler can reach.
pub struct AppState {
    pub db: DatabaseConnection,
    pub tokens: TokenService,
    pub settings: Settings,
    pub login_limiter: LoginLimiter,
    pub search_limiter: SearchLimiter,
    pub signup_limiter: SignupLimiter,
    /// Per client IP, for the unauthenticated writes other than login and sign-up
    /// (refresh, logout, the report handling links).
    pub anonymous_write_limiter: KeyedLimiter<IpAddr>,
    /// Every password hash and check runs here.
    pub passwords: HashPool,
    pub metrics: Metrics,
    pub search: Arc<SearchIndex>,
    /// Uploaded photos and voice notes.
    pub media: Arc<dyn MediaStore>,
    /// One-time codes: their rules, and how they reach a phone or e-mail address.
    pub codes: CodeRules,
    pub courier: Arc<dyn Courier>,
    /// The matcher's factor weights, loaded once at start: fair planning and the
    /// in-process matcher share them.
    pub weights: Arc<doorstep_matcher::Weights>,
    /// The WeChat mini-program API, when configured.
    pub wechat: Option<Arc<Wechat>>,
    /// The subscribe-message templates by notice group (empty without WeChat).
    pub wechat_templates: Arc<Templates>,
    /// Content security over user text (a no-op without WeChat).
    pub content: ContentGuard,
    /// This instance's real-time connections.
    pub realtime: Arc<crate::realtime::Hub>,
    /// Businesses' responsiveness figures, kept a few minutes (postings show them).
    pub responsiveness: doorstep_domain::conversations::responsiveness::Cache,
    /// The keys resident ID numbers are encrypted and hashed under (issue 25).
    pub identity_keys: doorstep_domain::identity::IdentityKeys,
    /// The identity verification provider, when configured; local checks only otherwise.
    pub identity_provider: Option<Arc<dyn doorstep_domain::identity::IdentityProvider>>,
}

impl AppState {
    pub fn upload_limits(&self) -> UploadLimits {
        UploadLimits {
            photo_bytes: self.settings.max_photo_bytes,
            voice_bytes: self.settings.max_voice_bytes,
        }
    }

    pub fn conversation_limits(&self) -> doorstep_domain::conversations::Limits {
        doorstep_domain::conversations::Limits {
            opens_per_day: self.settings.conversation_opens_per_day,
            messages_per_minute: self.settings.conversation_messages_per_minute,
            flags_to_suspend: self.settings.conversation_flags_to_suspend,
        }
    }

    /// Posting screening's rules, from the `screening_*` settings.
    pub fn screening_policy(&self) -> doorstep_domain::screening::Policy {
        doorstep_domain::screening::Policy {
            city: self.settings.screening_city.clone(),
            pay_min_samples: self.settings.screening_pay_min_samples,
            pay_outlier_factor: self.settings.screening_pay_outlier_factor,
        }
    }

    pub fn refresh_ttl(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.settings.refresh_token_ttl_days))
    }

    /// The client's address, believing `X-Forwarded-For` only from trusted proxies.
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        client_ip(
            req.peer_addr().map(|a| a.ip()),
            forwarded,
            &self.settings.trusted_proxies,
        )
    }

    /// Counts one unauthenticated write from this client against its per-IP limit.
    pub fn limit_anonymous_write(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let ip = self.client_ip(req);
        crate::ratelimit::enforce(req, self.anonymous_write_limiter.check_ip(ip))
            .inspect_err(|_| tracing::warn!(ip = ?ip, "unauthenticated write limit reached"))
    }
}

/// The matcher's factor weights: the refitted file `match_weights` names, or the built-in
/// ones.
pub fn weights(settings: &Settings) -> anyhow::Result<Arc<doorstep_matcher::Weights>> {
    let weights = match &settings.match_weights {
        Some(path) => {
            Arc::new(doorstep_matcher::Weights::load(path).context("the matcher weights file")?)
        }
        None => doorstep_matcher::Weights::builtin(),
    };
    tracing::info!(
        version = weights.version,
        fitted_at = %weights.fitted_at,
        "matcher weights loaded"
    );
    Ok(weights)
}

/// The matching worker, delivering mail by SMTP or to the outbox folder.
pub fn matcher(
    settings: &Settings,
    db: DatabaseConnection,
    search: Arc<SearchIndex>,
    role: &str,
) -> anyhow::Result<Matcher> {
    matcher_with(settings, db, search, weights(settings)?, role)
}

/// [`matcher`] with weights already loaded (the server's, shared with fair planning).
pub fn matcher_with(
    settings: &Settings,
    db: DatabaseConnection,
    search: Arc<SearchIndex>,
    weights: Arc<doorstep_matcher::Weights>,
    role: &str,
) -> anyhow::Result<Matcher> {
    let (mailer, from) = Mailer::new(
        settings.smtp_url.as_deref(),
        settings.mail_outbox_dir(),
        &settings.mail_from,
    )
    .context("mail settings")?;
    Ok(Matcher {
        backend: Backend::of_url(&settings.database_url()).unwrap_or(Backend::Sqlite),
        db,
        index: search,
        mailer,
        from,
        settings: MatchSettings {
            threshold: settings.match_threshold,
            gap_timeout: Duration::from_secs(settings.search_gap_timeout_secs),
            retry_base: Duration::from_millis(settings.push_retry_base_ms.max(1)),
            webhook_allow_internal: settings.webhook_allow_internal,
            weights,
            ..MatchSettings::default()
        },
        holder: format!("{role}-{}", uuid::Uuid::new_v4().simple()),
    })
}

/// The SMS sender: Tencent Cloud SMS when `sms_tencent_secret_id` is set (every setting it
/// needs then required, so a half-configured provider stops the start rather than losing
/// codes), the local outbox folder otherwise.
pub fn sms_sender(settings: &Settings) -> anyhow::Result<Arc<dyn SmsSender>> {
    let Some(secret_id) = settings.sms_tencent_secret_id.clone() else {
        let outbox = OutboxSms::new(settings.sms_outbox_dir());
        tracing::info!(folder = %settings.sms_outbox_dir().display(),
            "SMS is off: no provider configured (sms_tencent_secret_id unset); text messages go to the local outbox");
        return Ok(Arc::new(outbox));
    };
    let required = |value: &Option<String>, name: &str| {
        value
            .clone()
            .filter(|v| !v.trim().is_empty())
            .with_context(|| format!("`{name}` is required when `sms_tencent_secret_id` is set"))
    };
    let config = TencentSmsConfig {
        endpoint: settings.sms_tencent_endpoint.clone(),
        region: settings.sms_tencent_region.clone(),
        secret_id,
        secret_key: required(&settings.sms_tencent_secret_key, "sms_tencent_secret_key")?,
        sdk_app_id: required(&settings.sms_tencent_sdk_app_id, "sms_tencent_sdk_app_id")?,
        sign_name: required(&settings.sms_tencent_sign_name, "sms_tencent_sign_name")?,
        templates: [
            (
                SmsTemplate::AuthCode,
                required(
                    &settings.sms_tencent_template_auth_code,
                    "sms_tencent_template_auth_code",
                )?,
            ),
            (
                SmsTemplate::SignUpAttempt,
                required(
                    &settings.sms_tencent_template_signup_attempt,
                    "sms_tencent_template_signup_attempt",
                )?,
            ),
        ]
        .into(),
    };
    let sender = TencentSms::new(config).map_err(|e| anyhow::anyhow!(e))?;
    tracing::info!(sender = %sender.describe(), "SMS: sending through Tencent Cloud SMS");
    Ok(Arc::new(sender))
}

/// The identity verification provider when `identity_provider_url` is set (its key then
/// required); `None`, and a line saying identity checks by a provider are off, otherwise.
pub fn identity_provider(
    settings: &Settings,
) -> anyhow::Result<Option<Arc<dyn doorstep_domain::identity::IdentityProvider>>> {
    let Some(url) = settings
        .identity_provider_url
        .clone()
        .filter(|u| !u.trim().is_empty())
    else {
        tracing::info!(
            "identity checks by a provider are off (identity_provider_url unset): real names are checked locally only (format, birth date, check digit) and recorded as method \"local\""
        );
        return Ok(None);
    };
    let key = settings
        .identity_provider_key
        .clone()
        .filter(|k| !k.trim().is_empty())
        .context("`identity_provider_key` is required when `identity_provider_url` is set")?;
    let provider = doorstep_matcher::identity_provider::HttpIdentityProvider::new(
        doorstep_matcher::identity_provider::HttpProviderConfig {
            base_url: url,
            api_key: key,
            timeout: Duration::from_millis(settings.identity_provider_timeout_ms.max(1)),
        },
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    use doorstep_domain::identity::IdentityProvider as _;
    tracing::info!(provider = %provider.describe(), "identity checks: through the provider");
    Ok(Some(Arc::new(provider)))
}

/// The WeChat client when `wechat_app_id` and `wechat_app_secret` are both set; `None`
/// (and a line saying so) otherwise. One of the two without the other stops the start.
pub fn wechat(
    settings: &Settings,
    db: DatabaseConnection,
    role: &str,
) -> anyhow::Result<Option<Arc<Wechat>>> {
    let present = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
    match (
        present(&settings.wechat_app_id),
        present(&settings.wechat_app_secret),
    ) {
        (None, None) => {
            tracing::info!(
                "WeChat is off (wechat_app_id unset): no mini-program sign-in, phone numbers, subscribe messages, content security or mini-program codes"
            );
            Ok(None)
        }
        (Some(app_id), Some(app_secret)) => {
            let config = WechatConfig {
                base_url: settings.wechat_api_base.clone(),
                app_id,
                app_secret,
                timeout: Duration::from_millis(settings.wechat_timeout_ms.max(1)),
            };
            tracing::info!(app_id = %config.app_id, base = %config.base_url, "WeChat mini-program API on");
            let holder = format!("{role}-{}", uuid::Uuid::new_v4().simple());
            Ok(Some(Arc::new(Wechat::new(config, db, holder))))
        }
        (Some(_), None) => {
            anyhow::bail!("`wechat_app_secret` is required when `wechat_app_id` is set")
        }
        (None, Some(_)) => {
            anyhow::bail!("`wechat_app_id` is required when `wechat_app_secret` is set")
        }
    }
}

/// The subscribe-message templates from the settings: one per notice group whose
/// `wechat_template_<group>` is set, with its keyword mapping from
/// `wechat_template_keywords` or the built-in one. Says once at start what is sent.
pub fn wechat_templates(settings: &Settings, on: bool) -> anyhow::Result<Templates> {
    let mut templates = Templates {
        page: settings.wechat_message_page.clone(),
        ..Templates::default()
    };
    for group in Group::ALL {
        let id = match group {
            Group::NewMatch => &settings.wechat_template_new_match,
            Group::ApplicationStatus => &settings.wechat_template_application_status,
            Group::InterviewTime => &settings.wechat_template_interview_time,
            Group::ShiftReminder => &settings.wechat_template_shift_reminder,
            Group::ShiftChange => &settings.wechat_template_shift_change,
            Group::FairReminder => &settings.wechat_template_fair_reminder,
            Group::ReportProgress => &settings.wechat_template_report_progress,
            Group::NewMessage => &settings.wechat_template_new_message,
        };
        let Some(id) = id.clone().filter(|i| !i.trim().is_empty()) else {
            continue;
        };
        let keywords = match settings.wechat_template_keywords.get(group.name()) {
            Some(map) if !map.is_empty() => {
                map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
            }
            _ => group.default_keywords(),
        };
        templates.by_group.insert(group, Template { id, keywords });
    }
    for name in settings.wechat_template_keywords.keys() {
        if !Group::ALL.iter().any(|g| g.name() == name) {
            anyhow::bail!("`wechat_template_keywords.{name}` names no notice group");
        }
    }
    if !on {
        // Said once by `wechat` already: WeChat is off, so no message is sent.
        return Ok(Templates::default());
    }
    if templates.by_group.is_empty() {
        tracing::info!("WeChat subscribe messages are off: no wechat_template_* is set");
    } else {
        let groups: Vec<&str> = templates.by_group.keys().map(|g| g.name()).collect();
        tracing::info!(groups = ?groups, "WeChat subscribe messages on");
    }
    Ok(templates)
}

/// Delivers one-time codes: SMS through [`sms_sender`], e-mail through the same mail
/// settings as every other mail.
pub fn courier(settings: &Settings) -> anyhow::Result<Arc<dyn Courier>> {
    let (mailer, from) = Mailer::new(
        settings.smtp_url.as_deref(),
        settings.mail_outbox_dir(),
        &settings.mail_from,
    )
    .context("mail settings")?;
    Ok(Arc::new(CodeCourier {
        mailer,
        from,
        sms: sms_sender(settings)?,
    }))
}

/// Creates the folders the embedded setup keeps its data in.
pub fn prepare_folders(settings: &Settings) -> anyhow::Result<()> {
    for dir in [
        settings.data_dir.clone(),
        settings.index_dir(),
        settings.mail_outbox_dir(),
        settings.sms_outbox_dir(),
        settings.media_dir(),
    ] {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    Ok(())
}

/// Connects and applies pending migrations. On PostgreSQL the migrations run in one
/// transaction holding an advisory lock, so instances starting together migrate once.
pub async fn connect_and_migrate(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let url = settings.database_url();
    let db = db::connect(&url, settings.database_max_connections)
        .await
        .with_context(|| format!("connecting to {}", db::redact(&url)))?;
    migrate(&db, &url).await?;
    Ok(db)
}

pub async fn migrate(db: &DatabaseConnection, url: &str) -> anyhow::Result<()> {
    if Backend::of_url(url) == Some(Backend::Postgres) {
        let txn = db.begin().await?;
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(727171)")
            .await?;
        Migrator::up(&txn, None).await.context("migrating")?;
        load_minimum_wages(&txn).await?;
        txn.commit().await?;
    } else {
        Migrator::up(db, None).await.context("migrating")?;
        let txn = doorstep_domain::db::begin_write(db).await?;
        load_minimum_wages(&txn).await?;
        txn.commit().await?;
    }
    Ok(())
}

/// The minimum wages of `domain/data/minimum_wages.toml` a database lacks, added under the
/// migration's lock (posting screening judges pay by them).
async fn load_minimum_wages<C: sea_orm::ConnectionTrait>(db: &C) -> anyhow::Result<()> {
    let added = doorstep_domain::screening::minimum_wages::load_built_in(db)
        .await
        .context("loading the minimum wages")?;
    if added > 0 {
        tracing::info!(added, "minimum wages loaded from the data file");
    }
    Ok(())
}

pub struct Application {
    port: u16,
    server: Server,
    /// The `metrics_bind` listener, if configured.
    metrics_server: Option<Server>,
    db: DatabaseConnection,
    search: Arc<SearchIndex>,
    passwords: HashPool,
    /// The background jobs, stopped once the server has (dropping the application without
    /// running it aborts them).
    jobs: Running,
    jobs_grace: Duration,
    /// The real-time connections, whose presence rows go once the server has stopped.
    realtime: Arc<crate::realtime::Hub>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        doorstep_matcher::webhook::install_crypto();
        prepare_folders(&settings)?;
        let db = connect_and_migrate(&settings).await?;
        let weights = weights(&settings)?;
        let search = Arc::new(
            sync::open_or_rebuild(&db, &settings.index_dir())
                .await
                .context("opening the search index")?,
        );
        let matcher = if settings.match_in_process {
            Some(matcher_with(
                &settings,
                db.clone(),
                search.clone(),
                weights.clone(),
                "serve",
            )?)
        } else {
            None
        };
        let keys = keys::load(settings.jwt_keys.as_deref(), &settings.jwt_keys_file())?;
        let codes = CodeRules {
            ttl: chrono::Duration::seconds(i64::try_from(settings.auth_code_ttl_secs)?),
            resend_after: chrono::Duration::seconds(i64::try_from(settings.auth_code_resend_secs)?),
            per_day: settings.auth_codes_per_day,
            key: keys::code_key(settings.jwt_keys.as_deref(), &settings.jwt_keys_file())?,
        };
        let courier = courier(&settings)?;
        let identity_keys = keys::identity_keys(
            settings.identity_keys.as_deref(),
            settings.identity_hash_key.as_deref(),
            &settings.identity_keys_file(),
            &settings.identity_hash_key_file(),
        )?;
        let identity_provider = identity_provider(&settings)?;
        let wechat = wechat(&settings, db.clone(), "serve")?;
        let wechat_templates = Arc::new(wechat_templates(&settings, wechat.is_some())?);
        let content = ContentGuard::new(
            wechat.clone(),
            settings.wechat_content_fallback_openid.clone(),
        );
        let tokens = TokenService::new(
            keys,
            TokenSettings {
                issuer: settings.jwt_issuer.clone(),
                audience: settings.jwt_audience.clone(),
                access_ttl: Duration::from_secs(settings.access_token_ttl_secs),
            },
        );
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        log_layout(&settings, &listener);
        let passwords = settings.password_pool();
        let state = web::Data::new(AppState {
            db: db.clone(),
            tokens,
            login_limiter: LoginLimiter::new(
                settings.login_per_ip_per_minute,
                settings.login_per_account_per_minute,
            ),
            search_limiter: SearchLimiter::per_minute("search", settings.search_per_ip_per_minute),
            signup_limiter: SignupLimiter::new(
                settings.signup_per_ip_per_minute,
                settings.signup_per_number_per_hour,
            ),
            anonymous_write_limiter: KeyedLimiter::per_minute(
                "anonymous-writes",
                settings.anonymous_writes_per_ip_per_minute,
            ),
            passwords: passwords.clone(),
            metrics: Metrics::new(),
            search,
            media: Arc::new(DiskStore::new(settings.media_dir())),
            codes,
            courier,
            weights,
            wechat,
            wechat_templates,
            content,
            realtime: crate::realtime::Hub::new(db.clone()),
            responsiveness: doorstep_domain::conversations::responsiveness::Cache::new(
                std::time::Duration::from_secs(settings.responsiveness_cache_secs),
            ),
            identity_keys,
            identity_provider,
            settings,
        });
        let search = state.search.clone();
        let metrics_server = match state.settings.metrics_bind.clone() {
            Some(bind) => Some(serve_metrics(&bind, state.clone())?),
            None => None,
        };
        let jobs = crate::jobs::registry(crate::jobs::Parts {
            settings: &state.settings,
            db: db.clone(),
            search: state.search.clone(),
            matcher,
            server: Some(state.clone().into_inner()),
            metrics: state.metrics.jobs(),
        });
        let jobs_grace = Duration::from_secs(state.settings.shutdown_timeout_secs);
        let hub = state.realtime.clone();
        let server = serve(listener, state)?;
        let jobs = jobs.start(CancellationToken::new());
        // Beside the jobs, stopped by the same token: they run on every instance, all the
        // time, on no schedule.
        tokio::spawn(crate::realtime::listen(hub.clone(), jobs.token()));
        tokio::spawn(
            hub.clone()
                .keep_presence(Duration::from_secs(30), jobs.token()),
        );
        Ok(Self {
            port,
            server,
            metrics_server,
            db,
            search,
            passwords,
            jobs,
            jobs_grace,
            realtime: hub,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from outside (tests stop theirs when they end).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// The server's search index (tests watch it switch generations).
    pub fn search(&self) -> Arc<SearchIndex> {
        self.search.clone()
    }

    /// The server's password hashing pool (tests create staff accounts through it).
    pub fn passwords(&self) -> HashPool {
        self.passwords.clone()
    }

    /// The server's database handle (tests use it to simulate an outage).
    pub fn db(&self) -> DatabaseConnection {
        self.db.clone()
    }

    /// Serves until SIGTERM or SIGINT (both graceful: the listener closes, in-flight
    /// requests get `shutdown_timeout_secs` to finish), then stops the background jobs and
    /// only then closes the database, so no job meets a closed pool.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let grace = self.jobs_grace;
        let signals = tokio::spawn(async move {
            let signal = stop_signal().await;
            tracing::info!(
                %signal,
                grace_secs = grace.as_secs(),
                "stopping: no new connections; in-flight requests may finish"
            );
            handle.stop(true).await;
        });
        let metrics = self.metrics_server.map(|server| {
            let handle = server.handle();
            (tokio::spawn(server), handle)
        });
        let served = self.server.await;
        signals.abort();
        if let Some((task, handle)) = metrics {
            handle.stop(true).await;
            let _ = task.await;
        }
        self.realtime.forget_presence().await;
        tracing::info!("server stopped; stopping the background jobs");
        self.jobs.stop(self.jobs_grace).await;
        served?;
        tracing::info!("closing the database");
        let _ = self.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Waits for SIGINT (Ctrl-C) or SIGTERM and names the one that came. Both mean the same
/// graceful stop (actix's own handling would make SIGINT a forced stop that drops in-flight
/// requests, so the servers here are built with its signal handling off).
pub async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                return tokio::select! {
                    _ = tokio::signal::ctrl_c() => "SIGINT",
                    _ = term.recv() => "SIGTERM",
                };
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM; stopping on Ctrl-C only")
            }
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    "SIGINT"
}

/// `/metrics` alone on its own address, for a scraper on a private network.
fn serve_metrics(bind: &str, state: web::Data<AppState>) -> anyhow::Result<Server> {
    let listener =
        TcpListener::bind(bind).with_context(|| format!("binding metrics_bind {bind}"))?;
    tracing::info!(address = %listener.local_addr()?, "metrics are served without a token on this address");
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route(
                "/metrics",
                web::get().to(routes::health::metrics_without_token),
            )
            .default_service(web::to(|| async {
                Err::<actix_web::HttpResponse, _>(ApiError::RouteNotFound)
            }))
            .wrap(from_fn(localise_problems))
            .wrap(from_fn(request_context))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}

fn log_layout(settings: &Settings, listener: &TcpListener) {
    let absolute = |path: &Path| {
        std::path::absolute(path)
            .unwrap_or_else(|_| path.to_owned())
            .display()
            .to_string()
    };
    tracing::info!(
        address = %listener.local_addr().map(|a| a.to_string()).unwrap_or_default(),
        database = %db::redact(&settings.database_url()),
        index = %absolute(&settings.index_dir()),
        mail = %settings.smtp_url.as_deref().map(db::redact).unwrap_or_else(|| absolute(&settings.mail_outbox_dir())),
        metrics = match (&settings.metrics_token, &settings.metrics_bind) {
            (_, Some(bind)) => format!("without a token on {bind}"),
            (Some(_), None) => "with the metrics token at /metrics".to_owned(),
            (None, None) => "off (set metrics_token or metrics_bind)".to_owned(),
        },
        "doorstep is listening"
    );
}

fn serve(listener: TcpListener, state: web::Data<AppState>) -> anyhow::Result<Server> {
    let document = openapi::document();
    let route_table = web::Data::new(RouteTable::from_document(&document));
    let doc = web::Data::new(OpenApiJson(serde_json::to_string(
        &openapi::document_json(),
    )?));
    let workers = state.settings.http_workers;
    let shutdown = state.settings.shutdown_timeout_secs;
    let cors_on = !state.settings.cors_allowed_origins.is_empty();
    let app = move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .configure(routes::configure)
            .split_for_parts();
        app.configure(crate::console::configure)
            .app_data(state.clone())
            .app_data(doc.clone())
            .app_data(route_table.clone())
            .app_data(web::QueryConfig::default().error_handler(|err, _| query_error(err)))
            .app_data(web::PathConfig::default().error_handler(|err, _| path_error(err)))
            // Also reached for a known path with a method it does not serve: actix falls
            // back to the app's default service there, which the route table tells apart.
            .default_service(web::to(
                |req: HttpRequest, table: web::Data<RouteTable>| async move {
                    let allow = table.allowed(req.path());
                    Err::<actix_web::HttpResponse, _>(if allow.is_empty() {
                        ApiError::RouteNotFound
                    } else {
                        ApiError::MethodNotAllowed { allow }
                    })
                },
            ))
            .wrap(from_fn(read_coord))
            .wrap(from_fn(refuse_unserved_methods))
            .wrap(from_fn(etag))
            .wrap(from_fn(rate_limit_fields))
            .wrap(from_fn(localise_problems))
            .wrap(from_fn(request_context))
            .wrap(Condition::new(
                cors_on,
                cors::cors(&state.settings.cors_allowed_origins).unwrap_or_default(),
            ))
            .wrap(Condition::new(cors_on, from_fn(cors::refused_preflight)))
    };
    // What `HttpServer` builds, with the connection wrapped so that the errors the HTTP/1
    // dispatcher answers itself become problem+json too (see `http::connection`).
    let addr = listener.local_addr()?;
    let mut builder = actix_server::Server::build()
        .shutdown_timeout(shutdown)
        // SIGINT and SIGTERM are handled by `Application::run_until_stopped`, the same way.
        .disable_signals();
    if workers > 0 {
        builder = builder.workers(workers);
    }
    let graceful = builder.graceful_shutdown_signal();
    let builder = builder.listen("doorstep", listener, move || {
        let graceful = graceful.clone();
        let h1 = actix_http::HttpService::build()
            .graceful_shutdown_signal(move || {
                let graceful = graceful.clone();
                async move { graceful.notified().await }
            })
            .client_request_timeout(Duration::from_secs(5))
            .client_disconnect_timeout(Duration::from_secs(1))
            .local_addr(addr)
            // The app config's host and address only serve URL generation and requests
            // without a Host header, which nothing here uses.
            .h1(actix_service::map_config(app(), |_| {
                actix_web::dev::AppConfig::default()
            }));
        actix_service::fn_service(|io: actix_rt::net::TcpStream| async move {
            let peer = io.peer_addr().ok();
            Ok::<_, actix_http::error::DispatchError>((ProblemIo::new(io), peer))
        })
        .and_then(h1)
    })?;
    Ok(builder.run())
}
