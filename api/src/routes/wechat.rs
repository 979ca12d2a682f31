//! The WeChat mini-program (issue 23): signing in with `wx.login`, binding WeChat to an
//! account and unbinding it, the phone number from the `getPhoneNumber` button, and the
//! mini-program codes (`getwxacodeunlimit`) of postings, fairs and stations.
//!
//! Every route here answers 404 `wechat_not_configured` when `wechat_app_id` is unset.
//! WeChat's own errors become problems in one place (`ApiError::Wechat`): a bad or used
//! code is a 422 on field `code` (`wechat_code_invalid`), 45011 a 429
//! `wechat_rate_limited` with Retry-After, -1 twice a 503 `wechat_busy`, anything else
//! (bad credentials, WeChat unreachable) a 503 `wechat_unavailable` with an error log line.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use doorstep_domain::auth::session;
use doorstep_domain::media::sniff;
use doorstep_domain::types::Phone;
use doorstep_domain::wechat_accounts::{self, WechatUser};
use doorstep_domain::{DomainError, ErrorCode, Invalid, ValidationErrors, accounts};
use doorstep_domain::{fairs, postings, stations};
use doorstep_matcher::wechat::{Answer, Wechat, WechatError};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, MaybeAuth, Problem, problems};
use crate::startup::AppState;
use crate::views::{MeView, SessionView};

/// A code from the mini-program: `wx.login`'s for sign-in and binding, the
/// `getPhoneNumber` button's for the phone number. Each is good once, for five minutes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WechatCodeRequest {
    pub code: String,
}

/// The WeChat client, or 404 `wechat_not_configured`.
fn client(state: &AppState) -> Result<&Wechat, ApiError> {
    state.wechat.as_deref().ok_or(ApiError::WechatNotConfigured)
}

/// The code, refused before WeChat is asked when it cannot be one.
fn code_of(body: WechatCodeRequest) -> Result<String, ApiError> {
    let code = body.code.trim().to_owned();
    if code.is_empty() || code.len() > 256 || !code.chars().all(|c| c.is_ascii_graphic()) {
        return Err(DomainError::Validation(ValidationErrors::single(
            "code",
            Invalid::new(
                ErrorCode::WechatCodeInvalid,
                "not a WeChat code: get one from wx.login or the phone button",
            ),
        ))
        .into());
    }
    Ok(code)
}

async fn me_view(state: &AppState, account_id: Uuid) -> Result<MeView, ApiError> {
    let account = accounts::find(&state.db, account_id).await?;
    let wechat_bound = wechat_accounts::is_bound(&state.db, account_id).await?;
    Ok(MeView {
        account: account.into(),
        wechat_bound,
    })
}

/// Signs in with the code from `wx.login`: Doorstep's own access and refresh tokens, as
/// for a password login. The first sign-in of a WeChat user creates a seeker account
/// bound to it (no phone, e-mail or password; it verifies its phone with
/// `POST /me/phone/wechat`) and answers 201; later sign-ins answer 200. An account of
/// another role signs in here once it has bound WeChat (`POST /me/wechat`).
#[utoipa::path(
    tag = "wechat",
    request_body = WechatCodeRequest,
    responses(
        (status = 200, body = SessionView, description = "signed in to the account bound to this WeChat user"),
        (status = 201, body = SessionView, description = "first sign-in: a seeker account was created and bound"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "malformed body or unknown field"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`account_disabled`: the bound account is disabled"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`wechat_not_configured`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`wechat_taken`: the user's unionid is bound to another account"),
        problems::PayloadTooLarge,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`wechat_code_invalid` on field `code`: wrong, expired or used code (WeChat 40029, 40163)"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`wechat_rate_limited` (WeChat 45011) or `rate_limited` for this address; see `Retry-After`"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`wechat_busy` (WeChat -1, retried once; see `Retry-After`) or `wechat_unavailable` (WeChat unreachable or refusing this server's credentials)"),
    )
)]
#[post("/auth/wechat")]
pub async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<WechatCodeRequest>,
) -> Result<HttpResponse, ApiError> {
    // Limited like every write without a token, configured or not.
    state.limit_anonymous_write(&req)?;
    let wechat = client(&state)?;
    let code = code_of(body.into_inner())?;
    let user = wechat.code2session(&code).await?;
    let user = WechatUser {
        openid: user.openid,
        unionid: user.unionid,
    };
    let (account, created) = wechat_accounts::sign_in(&state.db, &user).await?;
    tracing::info!(account = %account.id, created, "signed in with WeChat");
    let session = session::start(&state.db, &state.tokens, state.refresh_ttl(), &account).await?;
    let view = SessionView::new(session, account);
    Ok(if created {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}

/// Binds the WeChat user of a `wx.login` code to the caller's account (any role), so it
/// can sign in with `POST /auth/wechat`. Binding the same WeChat again changes nothing.
#[utoipa::path(
    tag = "wechat",
    security(("bearer" = [])),
    request_body = WechatCodeRequest,
    responses(
        (status = 200, body = MeView),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "malformed body or unknown field"),
        (status = 401, body = Problem, content_type = "application/problem+json",
            description = "`missing_token`, `invalid_token`, `token_expired`, `token_not_yet_valid`, `token_revoked` or `account_disabled`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`wechat_not_configured`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`wechat_taken`: this WeChat user is bound to another account (never moved); `wechat_already_bound`: this account is bound to another WeChat user"),
        problems::PayloadTooLarge,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`wechat_code_invalid` on field `code`"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`wechat_rate_limited` (see `Retry-After`)"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`wechat_busy` or `wechat_unavailable`"),
    )
)]
#[post("/me/wechat")]
pub async fn bind(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<WechatCodeRequest>,
) -> Result<web::Json<MeView>, ApiError> {
    let wechat = client(&state)?;
    let code = code_of(body.into_inner())?;
    let user = wechat.code2session(&code).await?;
    let user = WechatUser {
        openid: user.openid,
        unionid: user.unionid,
    };
    wechat_accounts::bind(&state.db, auth.0.account_id, &user).await?;
    tracing::info!(account = %auth.0.account_id, "WeChat bound");
    Ok(web::Json(me_view(&state, auth.0.account_id).await?))
}

/// Unbinds WeChat from the caller's account. The account keeps its other logins; the
/// next WeChat sign-in of that user creates a new seeker account. An account whose only
/// login is WeChat (no phone, no e-mail) cannot unbind.
#[utoipa::path(
    tag = "wechat",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "unbound (also when nothing was bound)"),
        (status = 401, body = Problem, content_type = "application/problem+json",
            description = "`missing_token`, `invalid_token`, `token_expired`, `token_not_yet_valid`, `token_revoked` or `account_disabled`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`wechat_not_configured`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`wechat_only_login`: verify a phone number first"),
    )
)]
#[delete("/me/wechat")]
pub async fn unbind(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    client(&state)?;
    if wechat_accounts::unbind(&state.db, auth.0.account_id).await? {
        tracing::info!(account = %auth.0.account_id, "WeChat unbound");
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Reads the phone number out of a `getuserphonenumber` answer.
fn phone_of(answer: &Value) -> Result<String, WechatError> {
    let info = &answer["phone_info"];
    let number = info["purePhoneNumber"]
        .as_str()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            WechatError::Unreachable("getuserphonenumber answered without phone_info".into())
        })?;
    Ok(match info["countryCode"].as_str() {
        Some(country) if !country.is_empty() && country != "86" => format!("+{country}{number}"),
        _ => number.to_owned(),
    })
}

/// Stores the phone number the user shared with the mini-program's `getPhoneNumber`
/// button (its code, through WeChat's `getuserphonenumber`) on the caller's account,
/// verified. A number another account holds is refused, never merged.
#[utoipa::path(
    tag = "wechat",
    security(("bearer" = [])),
    request_body = WechatCodeRequest,
    responses(
        (status = 200, body = MeView),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "malformed body or unknown field"),
        (status = 401, body = Problem, content_type = "application/problem+json",
            description = "`missing_token`, `invalid_token`, `token_expired`, `token_not_yet_valid`, `token_revoked` or `account_disabled`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`wechat_not_configured`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`phone_taken`: another account holds this number"),
        problems::PayloadTooLarge,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`wechat_code_invalid` on field `code`; `invalid_phone` on field `phone` for a number that is not a mainland mobile number"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`wechat_rate_limited` (see `Retry-After`)"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`wechat_busy` or `wechat_unavailable`"),
    )
)]
#[post("/me/phone/wechat")]
pub async fn phone(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<WechatCodeRequest>,
) -> Result<web::Json<MeView>, ApiError> {
    let wechat = client(&state)?;
    let code = code_of(body.into_inner())?;
    let answer = wechat
        .call_json("/wxa/business/getuserphonenumber", &json!({"code": code}))
        .await?;
    let phone = Phone::parse(&phone_of(&answer)?)
        .map_err(|invalid| DomainError::Validation(ValidationErrors::single("phone", invalid)))?;
    wechat_accounts::set_phone(&state.db, auth.0.account_id, phone).await?;
    tracing::info!(account = %auth.0.account_id, "phone number verified through WeChat");
    Ok(web::Json(me_view(&state, auth.0.account_id).await?))
}

/// What a mini-program code opens.
#[derive(Debug, Clone, Copy)]
enum Target {
    Posting,
    Fair,
    Station,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Self::Posting => "posting",
            Self::Fair => "fair",
            Self::Station => "station",
        }
    }

    fn page(self, state: &AppState) -> &str {
        match self {
            Self::Posting => &state.settings.wechat_page_posting,
            Self::Fair => &state.settings.wechat_page_fair,
            Self::Station => &state.settings.wechat_page_station,
        }
    }
}

/// The code image of `id`: from the media store when it was made before, else from
/// WeChat (then kept). The scene is the id's 32 hex digits (WeChat allows 32 characters);
/// the page is the configured one, so a changed page setting makes new images.
async fn wxacode(state: &AppState, target: Target, id: Uuid) -> Result<HttpResponse, ApiError> {
    let wechat = client(state)?;
    let page = target.page(state);
    let folder: String = page
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let key = format!("wxacode/{folder}/{}-{}", target.name(), id.simple());
    let image = match state.media.get(&key).await {
        Ok(bytes) if sniff(&bytes).is_some_and(|t| t.is_image()) => bytes,
        _ => {
            let body = json!({
                "scene": id.simple().to_string(),
                "page": page,
                "check_path": false,
            });
            let bytes = match wechat.call("/wxa/getwxacodeunlimit", &body).await? {
                Answer::Bytes { body, .. } if sniff(&body).is_some_and(|t| t.is_image()) => body,
                _ => {
                    return Err(WechatError::Unreachable(
                        "getwxacodeunlimit answered without an image".into(),
                    )
                    .into());
                }
            };
            if let Err(err) = state.media.put(&key, bytes.clone()).await {
                tracing::warn!(%err, key, "could not keep a mini-program code; it is made again next time");
            }
            bytes
        }
    };
    let content_type = sniff(&image).map_or("image/png", |t| t.content_type());
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(image))
}

/// The mini-program code of a posting, for a poster: scanning it opens
/// `wechat_page_posting` with the posting's id (32 hex digits, no dashes) as `scene`.
/// Whoever may see the posting may get its code.
#[utoipa::path(
    tag = "wechat",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, content_type = "image/png", body = Vec<u8>, description = "the code image (PNG or JPEG, as WeChat made it)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`, or `wechat_not_configured`"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`wechat_rate_limited` (see `Retry-After`)"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`wechat_busy` or `wechat_unavailable`"),
    )
)]
#[get("/postings/{id}/wxacode")]
pub async fn posting_code(
    state: web::Data<AppState>,
    auth: MaybeAuth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    client(&state)?;
    let (found, _, _) = postings::find_visible(&state.db, auth.0.as_ref(), id.into_inner()).await?;
    wxacode(&state, Target::Posting, found.id).await
}

/// The mini-program code of a fair (opens `wechat_page_fair`; `scene` is the fair's id).
/// Not the check-in code: check-in keeps its own signed codes.
#[utoipa::path(
    tag = "wechat",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, content_type = "image/png", body = Vec<u8>, description = "the code image (PNG or JPEG, as WeChat made it)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`, or `wechat_not_configured`"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`wechat_rate_limited` (see `Retry-After`)"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`wechat_busy` or `wechat_unavailable`"),
    )
)]
#[get("/fairs/{id}/wxacode")]
pub async fn fair_code(
    state: web::Data<AppState>,
    auth: MaybeAuth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    client(&state)?;
    let found = fairs::visible(&state.db, auth.0.as_ref(), id.into_inner()).await?;
    wxacode(&state, Target::Fair, found.id).await
}

/// The mini-program code of a station (opens `wechat_page_station`; `scene` is the
/// station's id).
#[utoipa::path(
    tag = "wechat",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, content_type = "image/png", body = Vec<u8>, description = "the code image (PNG or JPEG, as WeChat made it)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`, or `wechat_not_configured`"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`wechat_rate_limited` (see `Retry-After`)"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`wechat_busy` or `wechat_unavailable`"),
    )
)]
#[get("/stations/{id}/wxacode")]
pub async fn station_code(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    client(&state)?;
    let found = stations::find_active(&state.db, id.into_inner()).await?;
    wxacode(&state, Target::Station, found.id).await
}
