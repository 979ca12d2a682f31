//! Who is at the console: a session cookie (HttpOnly, SameSite=Strict, `Secure` over TLS,
//! scoped to `/console`) checked against `console_sessions`, and a CSRF token every form
//! carries (the synchronizer-token pattern: the token is the session's, kept server-side).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use doorstep_domain::auth::Principal;
use doorstep_domain::console_sessions::{self, tokens_match};
use doorstep_domain::types::Role;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::error::ConsoleError;
use crate::http::ApiError;
use crate::startup::AppState;

/// The session cookie.
pub const SESSION_COOKIE: &str = "doorstep_console";
/// The sign-in form's own CSRF cookie (there is no session yet to hold its token).
pub const SIGN_IN_COOKIE: &str = "doorstep_console_sign_in";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";
/// The header htmx sends the CSRF token in (set on the page with `hx-headers`).
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The largest form the console accepts.
const FORM_LIMIT: usize = 64 * 1024;

/// The signed-in officer or admin.
#[derive(Debug, Clone)]
pub struct ConsoleUser {
    pub principal: Principal,
    pub name: String,
    /// The token the session's forms carry.
    pub csrf: String,
}

impl ConsoleUser {
    pub fn is_admin(&self) -> bool {
        self.principal.role == Role::Admin
    }

    /// Refuses (403) unless the user is an admin.
    pub fn require_admin(&self) -> Result<(), ConsoleError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::Forbidden("this page is for admins".into()).into())
        }
    }
}

/// A cookie of the console: HttpOnly, SameSite=Strict, only sent to `/console`, and
/// `Secure` when the console is served over TLS (directly or behind a proxy that says so).
pub fn cookie(req: &HttpRequest, name: &'static str, value: String) -> Cookie<'static> {
    let secure = req.connection_info().scheme() == "https";
    Cookie::build(name, value)
        .path("/console")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish()
}

/// The cookie that removes `name` from the browser.
pub fn removal(req: &HttpRequest, name: &'static str) -> Cookie<'static> {
    let mut gone = cookie(req, name, String::new());
    gone.make_removal();
    gone
}

/// Where to come back to after signing in: the page asked for, when it was a page.
fn next_of(req: &HttpRequest) -> Option<String> {
    (req.method() == actix_web::http::Method::GET)
        .then(|| req.uri().path_and_query().map(|p| p.as_str().to_owned()))
        .flatten()
}

impl FromRequest for ConsoleUser {
    type Error = ConsoleError;
    type Future = LocalBoxFuture<'static, Result<Self, ConsoleError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let presented = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let next = next_of(req);
        Box::pin(async move {
            let state = state.expect("AppState is registered");
            let Some(presented) = presented.filter(|v| !v.is_empty()) else {
                return Err(ConsoleError::SignIn { next });
            };
            let idle = state.settings.console_idle();
            let Some(current) = console_sessions::current(&state.db, &presented, idle)
                .await
                .map_err(ApiError::from)?
            else {
                return Err(ConsoleError::SignIn { next });
            };
            tracing::Span::current().record(
                "account",
                tracing::field::display(current.principal.account_id),
            );
            Ok(ConsoleUser {
                principal: current.principal,
                name: current.name,
                csrf: current.csrf_token,
            })
        })
    }
}

/// A form posted from a console page by the signed-in user, with its CSRF token checked
/// (the `_csrf` field, or the `X-CSRF-Token` header htmx sends) before `T` is parsed.
#[derive(Debug)]
pub struct Posted<T> {
    pub user: ConsoleUser,
    pub form: T,
}

impl<T: DeserializeOwned + 'static> FromRequest for Posted<T> {
    type Error = ConsoleError;
    type Future = LocalBoxFuture<'static, Result<Self, ConsoleError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = ConsoleUser::from_request(req, payload);
        let header = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let user = user.await?;
            let body = body
                .await
                .map_err(|_| ApiError::PayloadTooLarge { limit: FORM_LIMIT })?;
            if body.len() > FORM_LIMIT {
                return Err(ApiError::PayloadTooLarge { limit: FORM_LIMIT }.into());
            }
            let (presented, form) = split_csrf(&body);
            let presented = presented.or(header).unwrap_or_default();
            if !tokens_match(&user.csrf, &presented) {
                tracing::warn!("console form refused: CSRF token missing or wrong");
                return Err(ApiError::ConsoleFormExpired.into());
            }
            let form = parse_form(&form)?;
            Ok(Posted { user, form })
        })
    }
}

/// The `_csrf` field of an urlencoded body, and the body without it.
pub fn split_csrf(body: &[u8]) -> (Option<String>, String) {
    let mut token = None;
    let mut rest = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(body) {
        if key == CSRF_FIELD {
            token = Some(value.into_owned());
        } else {
            rest.append_pair(&key, &value);
        }
    }
    (token, rest.finish())
}

/// The field of serde's "missing field `name`" message.
fn missing_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
}

/// Parses an urlencoded form into `T`; a field that does not parse is a 400 naming it.
pub fn parse_form<T: DeserializeOwned>(form: &str) -> Result<T, ConsoleError> {
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(form.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        // A missing field is reported at the form's top level; name the field itself.
        let field = match missing_field(&message) {
            Some(missing) => missing.to_owned(),
            None if path == "." => "form".to_owned(),
            None => path,
        };
        ApiError::field(
            doorstep_domain::ErrorCode::InvalidBody,
            field,
            doorstep_domain::Invalid::new(doorstep_domain::ErrorCode::InvalidBody, message),
        )
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // read only through Debug
    struct Reject {
        reason: String,
        days: u32,
    }

    fn field_of(form: &str) -> String {
        match parse_form::<Reject>(form) {
            Err(ConsoleError::Api(err)) => err.problem().errors[0].field.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn form_errors_name_the_field() {
        assert_eq!(field_of("days=3"), "reason");
        assert_eq!(field_of("reason=x&days=abc"), "days");
        assert_eq!(field_of("reason=x&days=3&extra=1"), "extra");
        assert!(parse_form::<Reject>("reason=%E8%B5%84&days=3").is_ok());
    }

    #[test]
    fn the_csrf_field_is_taken_out_of_the_form() {
        let (token, rest) = split_csrf(b"_csrf=abc&reason=%E8%B5%84+x&days=3");
        assert_eq!(token.as_deref(), Some("abc"));
        assert_eq!(rest, "reason=%E8%B5%84+x&days=3");
        assert_eq!(split_csrf(b"days=3").0, None);
    }
}
