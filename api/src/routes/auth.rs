//! Sign-up (a one-time code first, then the account), login, refresh, logout, and the
//! password reset by a one-time code.

use actix_web::{HttpRequest, HttpResponse, post, web};
use doorstep_domain::accounts;
use doorstep_domain::auth::session;
use doorstep_domain::codes::{self, Purpose};
use doorstep_domain::types::{LoginId, Role};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::http::{ApiError, JsonBody, Problem, problems};
use crate::ratelimit::enforce;
use crate::startup::AppState;
use crate::views::{CodeRequestedView, SessionView};

/// What a code asked for without logging in is for. (A phone change asks for its code
/// through `POST /me/phone/code`, logged in.)
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    /// Signing up (`POST /auth/register`).
    Register,
    /// Setting a new password without the old one (`POST /auth/password/reset`).
    ResetPassword,
}

impl From<CodePurpose> for Purpose {
    fn from(purpose: CodePurpose) -> Self {
        match purpose {
            CodePurpose::Register => Purpose::Register,
            CodePurpose::ResetPassword => Purpose::ResetPassword,
        }
    }
}

/// Asks for a one-time code sent to a phone number (SMS) or e-mail address (exactly one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// Mainland mobile number, e.g. `13812345678`.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// What the code is for: `register` or `reset_password`.
    pub purpose: CodePurpose,
}

/// A new password, with the code `POST /auth/codes` (purpose `reset_password`) sent to the
/// account's phone or e-mail.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// The phone number or e-mail address the account logs in with.
    pub login: String,
    /// The six digits that were sent.
    pub code: String,
    /// At least 8 characters, not a common password, not containing the login.
    pub new_password: String,
}

/// Sign-up with a phone number or an e-mail address (exactly one) and the code sent to it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// `seeker` or `merchant`.
    pub role: Role,
    /// Mainland mobile number, e.g. `13812345678`.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// At least 8 characters, not a common password.
    pub password: String,
    pub display_name: String,
    /// The six digits `POST /auth/codes` (purpose `register`) sent to the phone or e-mail.
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The phone number or e-mail address the account was registered with.
    pub login: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Sends a one-time code to a phone number or e-mail address. The answer is the same
/// whether or not an account holds it: for sign-up, a number that already has an account
/// gets a note telling its owner of the attempt instead of a code; for a password reset, a
/// code goes only to an account's own phone or e-mail, and nothing is sent elsewhere.
#[utoipa::path(
    tag = "auth",
    request_body = CodeRequest,
    responses(
        (status = 202, body = CodeRequestedView),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "malformed body, unknown field or purpose"),
        problems::PayloadTooLarge,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "invalid phone or e-mail"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`code_resend_too_soon` or `code_daily_limit` for this phone or e-mail, or `rate_limited` for this address (with Retry-After)"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`delivery_failed`: the SMS or mail gateway refused the message"),
    )
)]
#[post("/auth/codes")]
pub async fn request_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<CodeRequest>,
) -> Result<HttpResponse, ApiError> {
    // Each code is a message sent at our cost: the address is limited before anything else.
    state.limit_anonymous_write(&req)?;
    let body = body.into_inner();
    let to = accounts::parse_login(body.phone.as_deref(), body.email.as_deref())?;
    let channel = match to {
        LoginId::Phone(_) => "sms",
        LoginId::Email(_) => "email",
    };
    let receipt = codes::request(
        &state.db,
        &state.codes,
        state.courier.as_ref(),
        to,
        body.purpose.into(),
    )
    .await?;
    Ok(HttpResponse::Accepted().json(CodeRequestedView {
        channel: channel.into(),
        expires_in_secs: receipt.expires_in_secs,
        resend_after_secs: receipt.resend_after_secs,
    }))
}

/// Creates a seeker or merchant account with the code sent to its phone or e-mail, and
/// logs it in.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, body = SessionView),
        problems::BadRequest,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`account_exists`: only when an account was created for the phone or e-mail after its code was sent"),
        problems::PayloadTooLarge,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "invalid phone, e-mail, password or name; `invalid_code` on field `code` for a wrong, expired, used or dead code (the same whether or not an account exists)"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`: too many sign-ups from this address or for this number (see `Retry-After`)"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`busy`: too many passwords being hashed at once (see `Retry-After`)"),
    )
)]
#[post("/auth/register")]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let ip = state.client_ip(&req);
    let limited = |_: &ApiError| tracing::warn!(ip = ?ip, "sign-up rate limit reached");
    // Every attempt counts against the address, even one that names no valid number.
    enforce(&req, state.signup_limiter.per_ip.check_ip(ip)).inspect_err(limited)?;
    let body = body.into_inner();
    let (new, code) = accounts::parse_sign_up(
        body.role,
        body.phone.as_deref(),
        body.email.as_deref(),
        &body.password,
        &body.display_name,
        &body.code,
    )?;
    let per_login = state
        .signup_limiter
        .per_login
        .check(&new.login.as_str().to_owned());
    enforce(&req, [per_login]).inspect_err(limited)?;
    let account = accounts::register(&state.db, &state.passwords, &state.codes, new, &code).await?;
    tracing::info!(account = %account.id, role = %account.role, "account registered");
    let session = session::start(&state.db, &state.tokens, state.refresh_ttl(), &account).await?;
    Ok(HttpResponse::Created().json(SessionView::new(session, account)))
}

/// Logs in with a phone number or e-mail address and a password.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = SessionView),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`invalid_credentials` (the same whether or not the account exists) or `account_disabled`"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "too many attempts from this address or for this account"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`busy`: too many passwords being checked at once (see `Retry-After`)"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<LoginRequest>,
) -> Result<web::Json<SessionView>, ApiError> {
    let body = body.into_inner();
    let ip = state.client_ip(&req);
    // A login that cannot name an account still counts against the IP; it is keyed by the
    // raw text so that garbage cannot dodge the per-account limit either.
    let login = LoginId::parse(&body.login);
    let key = match &login {
        Ok(login) => login.as_str().to_owned(),
        Err(_) => body.login.trim().to_lowercase(),
    };
    enforce(&req, state.login_limiter.check(ip, &key))
        .inspect_err(|_| tracing::warn!(ip = ?ip, "login rate limit reached"))?;
    let account = match login {
        Ok(login) => {
            accounts::authenticate(&state.db, &state.passwords, &login, &body.password).await?
        }
        // Not a phone or e-mail: answer exactly like a wrong password.
        Err(_) => return Err(doorstep_domain::DomainError::InvalidCredentials.into()),
    };
    let session = session::start(&state.db, &state.tokens, state.refresh_ttl(), &account).await?;
    Ok(web::Json(SessionView::new(session, account)))
}

/// Trades a refresh token for a new session; the old refresh token is spent.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = SessionView),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`invalid_refresh_token`, or `refresh_token_reused` (the whole login is then revoked)"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`: too many unauthenticated writes from this address"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<RefreshRequest>,
) -> Result<web::Json<SessionView>, ApiError> {
    state.limit_anonymous_write(&req)?;
    let presented = body.into_inner().refresh_token;
    let (session, account) =
        session::refresh(&state.db, &state.tokens, state.refresh_ttl(), &presented).await?;
    Ok(web::Json(SessionView::new(session, account)))
}

/// Ends the session the refresh token belongs to. Access tokens already issued stay valid
/// until they expire (at most 15 minutes).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "logged out (also when the token was unknown)"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`: too many unauthenticated writes from this address"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    state.limit_anonymous_write(&req)?;
    session::logout(&state.db, &body.into_inner().refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sets a new password with the one-time code sent to the account's phone or e-mail
/// (`POST /auth/codes`, purpose `reset_password`), and ends every session of the account.
/// Every failure about the code or the login is the same `invalid_code`, whether or not an
/// account exists.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetRequest,
    responses(
        (status = 204, description = "the password is set; every session of the account has ended"),
        problems::BadRequest,
        problems::PayloadTooLarge,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "invalid login or new password; `invalid_code` on field `code` for a wrong, expired, used or dead code (five wrong codes kill it), the same whether or not an account exists"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`: too many unauthenticated writes from this address (see `Retry-After`)"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`busy`: too many passwords being hashed at once (see `Retry-After`)"),
    )
)]
#[post("/auth/password/reset")]
pub async fn reset_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    state.limit_anonymous_write(&req)?;
    let body = body.into_inner();
    let reset = accounts::PasswordReset::parse(&body.login, &body.code, &body.new_password)?;
    let account =
        accounts::reset_password(&state.db, &state.passwords, &state.codes, reset).await?;
    tracing::info!(account = %account.id, "password reset by one-time code; every session ended");
    Ok(HttpResponse::NoContent().finish())
}
