//! The caller's own account: reading it, changing its password, moving it to a new phone
//! number (proved by a one-time code).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use doorstep_domain::auth::session;
use doorstep_domain::codes::OneTimeCode;
use doorstep_domain::types::Phone;
use doorstep_domain::{DomainError, ValidationErrors};
use doorstep_domain::{accounts, wechat_accounts};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::http::{ApiError, Auth, JsonBody, Problem, problems};
use crate::ratelimit::enforce;
use crate::startup::AppState;
use crate::views::{AccountView, CodeRequestedView, MeView, SessionView};

/// The account the access token belongs to.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, body = MeView),
        problems::Unauthorized,
    )
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, auth: Auth) -> Result<web::Json<MeView>, ApiError> {
    let account = accounts::find(&state.db, auth.0.account_id).await?;
    let wechat_bound = wechat_accounts::is_bound(&state.db, account.id).await?;
    Ok(web::Json(MeView {
        account: account.into(),
        wechat_bound,
    }))
}

/// A new password for the caller's account, with the current one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    pub current_password: String,
    /// At least 8 characters, not a common password, not containing the login.
    pub new_password: String,
}

/// The number the caller wants their account on (their own, to verify it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneCodeRequest {
    /// Mainland mobile number, e.g. `13812345678`.
    pub phone: String,
}

/// The number and the code `POST /me/phone/code` sent to it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneChangeRequest {
    pub phone: String,
    pub code: String,
}

/// Changes the caller's password. The current password is required; every session of the
/// account ends (other devices must log in again), and the answer is a new session for
/// the caller.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    request_body = PasswordChangeRequest,
    responses(
        (status = 200, body = SessionView, description = "the new password is set; this is the caller's new session, every other one has ended"),
        problems::BadRequest,
        problems::Unauthorized,
        problems::PayloadTooLarge,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`wrong_password` on field `current_password`; a new password the policy refuses on `new_password`"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`: too many password attempts for this account or from this address (see `Retry-After`)"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`busy`: too many passwords being hashed at once (see `Retry-After`)"),
    )
)]
#[post("/me/password")]
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<PasswordChangeRequest>,
) -> Result<web::Json<SessionView>, ApiError> {
    // Guessing the current password with a stolen access token counts like guessing it at
    // login.
    let ip = state.client_ip(&req);
    enforce(
        &req,
        state
            .login_limiter
            .check(ip, &auth.0.account_id.to_string()),
    )
    .inspect_err(|_| {
        tracing::warn!(ip = ?ip, account = %auth.0.account_id, "password change rate limit reached");
    })?;
    let body = body.into_inner();
    let account = accounts::change_password(
        &state.db,
        &state.passwords,
        auth.0.account_id,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    tracing::info!(account = %account.id, "password changed; other sessions ended");
    let session = session::start(&state.db, &state.tokens, state.refresh_ttl(), &account).await?;
    Ok(web::Json(SessionView::new(session, account)))
}

/// Sends a one-time code by SMS to the number the caller wants their account on (or to
/// their own number, to verify it). A number another account holds is refused.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    request_body = PhoneCodeRequest,
    responses(
        (status = 202, body = CodeRequestedView),
        problems::BadRequest,
        problems::Unauthorized,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`phone_taken`: another account holds this number"),
        problems::PayloadTooLarge,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "invalid phone"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`code_resend_too_soon` or `code_daily_limit` for this number (with Retry-After)"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`delivery_failed`: the SMS gateway refused the message"),
    )
)]
#[post("/me/phone/code")]
pub async fn request_phone_code(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<PhoneCodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let phone = Phone::parse(&body.into_inner().phone)
        .map_err(|invalid| DomainError::Validation(ValidationErrors::single("phone", invalid)))?;
    let receipt = accounts::request_phone_change(
        &state.db,
        &state.codes,
        state.courier.as_ref(),
        auth.0.account_id,
        phone,
    )
    .await?;
    Ok(HttpResponse::Accepted().json(CodeRequestedView {
        channel: "sms".into(),
        expires_in_secs: receipt.expires_in_secs,
        resend_after_secs: receipt.resend_after_secs,
    }))
}

/// Puts the caller's account on the number `POST /me/phone/code` sent a code to, recorded
/// as verified. The account then logs in with that number.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    request_body = PhoneChangeRequest,
    responses(
        (status = 200, body = AccountView),
        problems::BadRequest,
        problems::Unauthorized,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`phone_taken`: another account took this number since the code was sent"),
        problems::PayloadTooLarge,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "invalid phone; `invalid_code` on field `code` for a wrong, expired, used or dead code"),
    )
)]
#[post("/me/phone")]
pub async fn change_phone(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<PhoneChangeRequest>,
) -> Result<web::Json<AccountView>, ApiError> {
    let body = body.into_inner();
    let mut errors = ValidationErrors::new();
    let phone = errors.check("phone", Phone::parse(&body.phone));
    let code = errors.check("code", OneTimeCode::parse(&body.code));
    let (Some(phone), Some(code)) = (phone, code) else {
        return Err(DomainError::Validation(errors).into());
    };
    let account =
        accounts::change_phone(&state.db, &state.codes, auth.0.account_id, phone, &code).await?;
    tracing::info!(account = %account.id, "phone number changed and verified");
    Ok(web::Json(account.into()))
}
