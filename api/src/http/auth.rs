//! Bearer authentication as an extractor: a handler that takes [`Auth`] only runs for a
//! caller with a valid access token whose account still stands as the token says.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use doorstep_domain::auth::{Principal, session};
use doorstep_domain::types::Role;
use futures_util::future::LocalBoxFuture;

use super::ApiError;
use crate::startup::AppState;

/// The authenticated caller.
#[derive(Debug, Clone, Copy)]
pub struct Auth(pub Principal);

impl Auth {
    /// Refuses with 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<Principal, ApiError> {
        if roles.contains(&self.0.role) {
            Ok(self.0)
        } else {
            let allowed: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::Forbidden(format!(
                "this route is for {} accounts",
                allowed.join(" or ")
            )))
        }
    }
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let bearer = bearer_of(req);
        Box::pin(async move {
            let state = state.expect("AppState is registered");
            Ok(Auth(authorize(&state, bearer).await?))
        })
    }
}

/// The token of an `Authorization: Bearer …` header, if the request has one.
pub fn bearer_of(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        })
}

/// The account behind `token` (401 when there is none or it does not stand), recorded on
/// the request's span.
pub async fn authorize(state: &AppState, token: Option<String>) -> Result<Principal, ApiError> {
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::MissingToken)?;
    let principal = session::authorize(&state.db, &state.tokens, &token).await?;
    tracing::Span::current().record("account", tracing::field::display(principal.account_id));
    Ok(principal)
}

/// The caller if they sent a token (which must then be valid), or nobody.
#[derive(Debug, Clone, Copy)]
pub struct MaybeAuth(pub Option<Principal>);

impl FromRequest for MaybeAuth {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req.headers().contains_key(header::AUTHORIZATION) {
            let auth = Auth::from_request(req, payload);
            Box::pin(async move { Ok(MaybeAuth(Some(auth.await?.0))) })
        } else {
            Box::pin(async { Ok(MaybeAuth(None)) })
        }
    }
}
