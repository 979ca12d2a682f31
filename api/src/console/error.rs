//! The console's errors: the API's own errors (one mapping to a status and a code, in
//! `http::problem`), shown as a Chinese HTML page instead of problem+json; and "sign in
//! first", which is a redirect.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use doorstep_domain::{DomainError, Language};
use maud::html;

use super::layout;
use crate::http::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// No session, or it ended (signed out, idle, revoked): sign in, then come back to
    /// `next`.
    #[error("sign in to the console first")]
    SignIn { next: Option<String> },
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<DomainError> for ConsoleError {
    fn from(err: DomainError) -> Self {
        ConsoleError::Api(ApiError::Domain(err))
    }
}

/// The sign-in page's address, with where to come back to if that is a console page.
pub fn sign_in_location(next: Option<&str>) -> String {
    match next.filter(|n| is_console_path(n)) {
        Some(next) => format!(
            "/console/sign-in?next={}",
            form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        ),
        None => "/console/sign-in".to_owned(),
    }
}

/// Only console pages of this site are followed after signing in (never `//host` or a
/// scheme), so the sign-in page cannot be used to send someone elsewhere.
pub fn is_console_path(path: &str) -> bool {
    (path == "/console" || path.starts_with("/console/") || path.starts_with("/console?"))
        && !path.contains("//")
        && !path.contains('\\')
}

impl ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self {
            ConsoleError::SignIn { .. } => StatusCode::SEE_OTHER,
            ConsoleError::Api(err) => err.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ConsoleError::SignIn { next } => HttpResponse::SeeOther()
                .insert_header((header::LOCATION, sign_in_location(next.as_deref())))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish(),
            ConsoleError::Api(err) => {
                let status = err.status_code();
                if status.is_server_error() {
                    tracing::error!(error = %err, "console page failed");
                }
                let problem = err.problem_in(Language::Zh);
                let body = html! {
                    h1 { (problem.title) }
                    p.problem-detail { (problem.detail) }
                    @if !problem.errors.is_empty() {
                        ul.problem-fields {
                            @for e in &problem.errors {
                                li { code { (e.field) } "：" (e.message) }
                            }
                        }
                    }
                    p.muted { "错误代码：" code { (problem.code.as_str()) } }
                    p { a href="/console" { "回到工作台" } }
                };
                let mut response = layout::respond(status, layout::bare(&problem.title, body));
                if let ApiError::MethodNotAllowed { allow } = err
                    && let Ok(value) = header::HeaderValue::from_str(&allow.join(", "))
                {
                    response.headers_mut().insert(header::ALLOW, value);
                }
                response
            }
        }
    }
}

/// Any other path under `/console/`.
pub async fn not_found(_req: HttpRequest) -> Result<HttpResponse, ConsoleError> {
    Err(ConsoleError::Api(ApiError::RouteNotFound))
}

/// Path segments that do not parse (a malformed id) name nothing: the HTML "not found".
pub fn path_config() -> actix_web::web::PathConfig {
    actix_web::web::PathConfig::default()
        .error_handler(|_, _| ConsoleError::Api(ApiError::RouteNotFound).into())
}
