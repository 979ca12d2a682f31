//! The one place where errors become HTTP responses: RFC 7807 `application/problem+json`
//! with a stable `code` and, for bad input, the offending fields.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use doorstep_domain::{DomainError, ErrorCode, FieldError, Invalid, ValidationErrors};
use sea_orm::DbErr;
use serde::Serialize;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 7807 problem document.
// `doorstep-client` decodes it too, so a client refuses a code that is not in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:doorstep:problem:<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, for a human.
    pub detail: String,
    /// Stable machine-readable code; clients branch on this.
    pub code: ErrorCode,
    /// The offending fields, for bad input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(nullable = false)]
    pub errors: Vec<FieldError>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.detail)?;
        for e in &self.errors {
            write!(f, "; {}: {}", e.field, e.code)?;
        }
        Ok(())
    }
}

/// Everything an HTTP handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// Malformed input the domain never saw: bad JSON, unknown field, bad query parameter.
    #[error("{detail}")]
    BadRequest {
        code: ErrorCode,
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("the request body must be application/json")]
    UnsupportedMediaType,
    #[error("this route needs an access token (Authorization: Bearer …)")]
    MissingToken,
    #[error("{0}")]
    Forbidden(String),
    #[error("no such route")]
    RouteNotFound,
    #[error("this route does not accept this method; it accepts {}", allow.join(", "))]
    MethodNotAllowed { allow: Vec<String> },
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("not ready: {0}")]
    NotReady(String),
}

impl ApiError {
    /// A bad-request error about one field.
    pub fn field(code: ErrorCode, field: impl Into<String>, invalid: Invalid) -> Self {
        let detail = invalid.message.clone();
        Self::BadRequest {
            code,
            detail,
            errors: ValidationErrors::single(field, invalid).0,
        }
    }

    fn parts(&self) -> (StatusCode, ErrorCode, String, Vec<FieldError>) {
        use DomainError as D;
        match self {
            ApiError::Domain(err) => match err {
                D::Validation(errors) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::ValidationFailed,
                    summarise(&errors.0),
                    errors.0.clone(),
                ),
                D::NotFound(what) => (
                    StatusCode::NOT_FOUND,
                    ErrorCode::NotFound,
                    format!("no such {what}, or it is not yours to see"),
                    vec![],
                ),
                D::Conflict { code, detail } => {
                    (StatusCode::CONFLICT, *code, detail.clone(), vec![])
                }
                D::InvalidCredentials => (
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::InvalidCredentials,
                    "the login or the password is wrong".into(),
                    vec![],
                ),
                D::AccountDisabled => (
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::AccountDisabled,
                    "this account is disabled".into(),
                    vec![],
                ),
                D::Unauthenticated { code, detail } => {
                    (StatusCode::UNAUTHORIZED, *code, detail.clone(), vec![])
                }
                D::Forbidden { detail } => (
                    StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    detail.clone(),
                    vec![],
                ),
                D::TooManyRequests { code, detail, .. } => {
                    (StatusCode::TOO_MANY_REQUESTS, *code, detail.clone(), vec![])
                }
                D::Unavailable { code, detail } => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    *code,
                    detail.clone(),
                    vec![],
                ),
                D::Database(db) if is_unavailable(db) => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::DatabaseUnavailable,
                    "the database cannot be reached; try again shortly".into(),
                    vec![],
                ),
                D::Busy { .. } => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Busy,
                    "too many passwords are being checked right now; try again shortly".into(),
                    vec![],
                ),
                D::Database(_) | D::Internal { .. } => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "something went wrong on our side; it has been logged".into(),
                    vec![],
                ),
            },
            ApiError::BadRequest {
                code,
                detail,
                errors,
            } => (
                StatusCode::BAD_REQUEST,
                *code,
                detail.clone(),
                errors.clone(),
            ),
            ApiError::PayloadTooLarge { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                self.to_string(),
                vec![],
            ),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                self.to_string(),
                vec![],
            ),
            ApiError::MissingToken => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::MissingToken,
                self.to_string(),
                vec![],
            ),
            ApiError::Forbidden(detail) => (
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                detail.clone(),
                vec![],
            ),
            ApiError::RouteNotFound => (
                StatusCode::NOT_FOUND,
                ErrorCode::RouteNotFound,
                self.to_string(),
                vec![],
            ),
            ApiError::MethodNotAllowed { .. } => (
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                self.to_string(),
                vec![],
            ),
            ApiError::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                self.to_string(),
                vec![],
            ),
            ApiError::NotReady(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::NotReady,
                self.to_string(),
                vec![],
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let (status, code, detail, errors) = self.parts();
        Problem {
            problem_type: format!("urn:doorstep:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code,
            errors,
        }
    }
}

fn summarise(errors: &[FieldError]) -> String {
    match errors {
        [one] => format!("{}: {}", one.field, one.message),
        many => format!("{} fields are invalid", many.len()),
    }
}

/// An error and each of its sources, outermost first: `a: b: c`. A cause whose text its
/// wrapper already printed (`database error: {0}`) is not repeated.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn is_unavailable(err: &DbErr) -> bool {
    matches!(err, DbErr::ConnectionAcquire(_) | DbErr::Conn(_))
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        let problem = self.problem();
        // A full hashing pool is load, not a fault; the pool logs it once per refusal.
        if problem.status >= 500 && !matches!(self, ApiError::Domain(DomainError::Busy { .. })) {
            // The whole cause chain goes to the log; the client sees only the code.
            tracing::error!(error = %chain(self), code = %problem.code, "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match self {
            ApiError::Domain(DomainError::Unauthenticated { .. })
            | ApiError::Domain(DomainError::AccountDisabled)
            | ApiError::MissingToken => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::RateLimited { retry_after_secs }
            | ApiError::Domain(DomainError::Busy { retry_after_secs })
            | ApiError::Domain(DomainError::TooManyRequests {
                retry_after_secs, ..
            }) => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            ApiError::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, allow.join(", ")));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

/// Problem documents for errors actix raises before our handlers run (bad query strings,
/// bad path segments).
pub fn query_error(err: actix_web::error::QueryPayloadError) -> actix_web::Error {
    ApiError::BadRequest {
        code: ErrorCode::InvalidQuery,
        detail: format!("invalid query string: {err}"),
        errors: vec![],
    }
    .into()
}

pub fn path_error(err: actix_web::error::PathError) -> actix_web::Error {
    // A malformed id names nothing that exists: answer as for any unknown object.
    tracing::debug!(%err, "unparseable path segment");
    ApiError::Domain(DomainError::NotFound("resource")).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_logs_its_sources_but_answers_only_its_code() {
        let io = std::io::Error::other("disk on fire");
        let err = ApiError::from(DomainError::internal_from("storing an upload", io));
        assert_eq!(
            chain(&err),
            "internal error: storing an upload: disk on fire"
        );
        let problem = err.problem();
        assert_eq!(problem.code, ErrorCode::Internal);
        assert!(!problem.detail.contains("disk"), "{}", problem.detail);
        let db = ApiError::from(DomainError::Database(DbErr::Custom("boom".into())));
        assert_eq!(chain(&db), "database error: Custom Error: boom");
    }
}
