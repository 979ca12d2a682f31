//! Signing in and out of the console, with the same accounts, passwords and login limits
//! as `POST /auth/login`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use doorstep_domain::console_sessions::{self, random_token, tokens_match};
use doorstep_domain::types::LoginId;
use doorstep_domain::{DomainError, accounts};
use maud::{Markup, html};
use serde::Deserialize;

use super::error::{ConsoleError, is_console_path};
use super::layout;
use super::session::{self, CSRF_FIELD, ConsoleUser, Posted, SESSION_COOKIE, SIGN_IN_COOKIE};
use crate::http::ApiError;
use crate::ratelimit::enforce;
use crate::startup::AppState;

#[derive(Debug, Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInForm {
    login: String,
    password: String,
    next: Option<String>,
}

fn form(token: &str, next: Option<&str>, login: &str, message: Option<&str>) -> Markup {
    layout::bare(
        "登录",
        html! {
            h1 { "家门口就业 · 工作台登录" }
            p.muted { "供就业服务专员和管理员使用，账号与 App 相同。" }
            @if let Some(message) = message {
                p.bad role="alert" { (message) }
            }
            form.stack method="post" action="/console/sign-in" {
                input type="hidden" name=(CSRF_FIELD) value=(token);
                @if let Some(next) = next.filter(|n| is_console_path(n)) {
                    input type="hidden" name="next" value=(next);
                }
                label { "手机号或邮箱"
                    input type="text" name="login" value=(login) autocomplete="username" required autofocus;
                }
                label { "密码"
                    input type="password" name="password" autocomplete="current-password" required;
                }
                button type="submit" { "登录" }
            }
        },
    )
}

/// The sign-in form. Its CSRF token is a cookie of its own (there is no session yet).
pub async fn page(req: HttpRequest, query: web::Query<SignInQuery>) -> HttpResponse {
    let token = random_token();
    let mut response = layout::ok(form(&token, query.next.as_deref(), "", None));
    let _ = response.add_cookie(&session::cookie(&req, SIGN_IN_COOKIE, token));
    response
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ConsoleError> {
    let expected = req.cookie(SIGN_IN_COOKIE).map(|c| c.value().to_owned());
    let (presented, rest) = session::split_csrf(&body);
    let (Some(expected), Some(presented)) = (expected, presented) else {
        return Err(ApiError::ConsoleFormExpired.into());
    };
    if expected.is_empty() || !tokens_match(&expected, &presented) {
        return Err(ApiError::ConsoleFormExpired.into());
    }
    let input: SignInForm = session::parse_form(&rest)?;
    let next = input.next.as_deref().filter(|n| is_console_path(n));
    let again = |status: StatusCode, message: &str| {
        layout::respond(status, form(&expected, next, &input.login, Some(message)))
    };

    let ip = state.client_ip(&req);
    let login = LoginId::parse(&input.login);
    let key = match &login {
        Ok(login) => login.as_str().to_owned(),
        Err(_) => input.login.trim().to_lowercase(),
    };
    if enforce(&req, state.login_limiter.check(ip, &key)).is_err() {
        tracing::warn!(ip = ?ip, "console sign-in rate limit reached");
        return Ok(again(
            StatusCode::TOO_MANY_REQUESTS,
            "尝试次数过多，请稍后再试。",
        ));
    }
    let account = match login {
        Ok(login) => {
            accounts::authenticate(&state.db, &state.passwords, &login, &input.password).await
        }
        Err(_) => Err(DomainError::InvalidCredentials),
    };
    let account = match account {
        Ok(account) => account,
        Err(DomainError::InvalidCredentials) => {
            return Ok(again(StatusCode::UNAUTHORIZED, "手机号、邮箱或密码不对。"));
        }
        Err(DomainError::AccountDisabled) => {
            return Ok(again(StatusCode::UNAUTHORIZED, "该账号已停用。"));
        }
        Err(other) => return Err(other.into()),
    };
    let started = match console_sessions::start(&state.db, &account).await {
        Ok(started) => started,
        Err(DomainError::Forbidden { .. }) => {
            return Ok(again(
                StatusCode::FORBIDDEN,
                "工作台仅供就业服务专员和管理员使用；求职者和商户请使用 App 或小程序。",
            ));
        }
        Err(other) => return Err(other.into()),
    };
    tracing::info!(account = %account.id, "console sign-in");
    let mut response = layout::see_other(next.unwrap_or("/console"));
    let _ = response.add_cookie(&session::cookie(&req, SESSION_COOKIE, started.cookie));
    let _ = response.add_cookie(&session::removal(&req, SIGN_IN_COOKIE));
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

pub async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    posted: Posted<Empty>,
) -> Result<HttpResponse, ConsoleError> {
    let ConsoleUser { principal, .. } = posted.user;
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        console_sessions::end(&state.db, cookie.value()).await?;
    }
    tracing::info!(account = %principal.account_id, "console sign-out");
    let mut response = layout::see_other("/console/sign-in");
    let _ = response.add_cookie(&session::removal(&req, SESSION_COOKIE));
    Ok(response)
}
