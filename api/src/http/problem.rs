//! The one place where errors become HTTP responses: RFC 7807 `application/problem+json`
//! with a stable `code` and, for bad input, the offending fields. Titles, details and field
//! messages are in the language the request's `Accept-Language` prefers: Chinese (the
//! default) or English; codes are the same in both.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use doorstep_domain::{DomainError, ErrorCode, FieldError, Invalid, Language, ValidationErrors};
use doorstep_matcher::wechat::WechatError;
use sea_orm::DbErr;
use serde::Serialize;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 7807 problem document. `title`, `detail` and each field error's `message` are in
/// the language the request's `Accept-Language` prefers: Chinese when it prefers `zh` or
/// names neither supported language (the default), English when it prefers `en`; the answer's
/// `Content-Language` says which. `code` and `type` are the same in every language.
// `doorstep-client` decodes it too, so a client refuses a code that is not in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:doorstep:problem:<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the kind of problem (Chinese: the code's title; English: the
    /// status's reason phrase).
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, for a human, in the negotiated language.
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
    /// An officer console form without its session's anti-forgery token (or with a wrong
    /// one): perhaps forged by another site, perhaps from a page older than the session.
    #[error("the form's anti-forgery token is missing or wrong; reload the page")]
    ConsoleFormExpired,
    #[error("no such route")]
    RouteNotFound,
    #[error("this route does not accept this method; it accepts {}", allow.join(", "))]
    MethodNotAllowed { allow: Vec<String> },
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("not ready: {0}")]
    NotReady(String),
    /// A call to WeChat failed; [`WechatError`] sorted its errcode.
    #[error("WeChat: {0}")]
    Wechat(#[from] WechatError),
    /// A WeChat route on a server where `wechat_app_id` is unset.
    #[error("WeChat mini-program features are not configured on this server")]
    WechatNotConfigured,
}

/// Seconds a client waits after WeChat's per-minute quota (45011) ran out.
pub const WECHAT_RATE_LIMIT_RETRY_SECS: u64 = 60;
/// Seconds a client waits after WeChat said it was busy (-1) twice.
pub const WECHAT_BUSY_RETRY_SECS: u64 = 5;

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
                    // Text refused by content security says so at the top, naming the
                    // fields below.
                    if !errors.0.is_empty()
                        && errors.0.iter().all(|e| e.code == ErrorCode::ContentRisky)
                    {
                        ErrorCode::ContentRisky
                    } else {
                        ErrorCode::ValidationFailed
                    },
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
            ApiError::ConsoleFormExpired => (
                StatusCode::FORBIDDEN,
                ErrorCode::ConsoleFormExpired,
                self.to_string(),
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
            ApiError::WechatNotConfigured => (
                StatusCode::NOT_FOUND,
                ErrorCode::WechatNotConfigured,
                self.to_string(),
                vec![],
            ),
            ApiError::Wechat(err) => match err {
                WechatError::InvalidCode(_) => {
                    let errors = ValidationErrors::single(
                        "code",
                        Invalid::new(
                            ErrorCode::WechatCodeInvalid,
                            "the WeChat code is invalid, expired or already used; get a new one",
                        ),
                    );
                    (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        ErrorCode::ValidationFailed,
                        summarise(&errors.0),
                        errors.0,
                    )
                }
                WechatError::RateLimited => (
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::WechatRateLimited,
                    format!(
                        "WeChat's rate limit for this call was reached; try again in {WECHAT_RATE_LIMIT_RETRY_SECS} s"
                    ),
                    vec![],
                ),
                WechatError::Busy => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::WechatBusy,
                    format!("WeChat is busy; try again in {WECHAT_BUSY_RETRY_SECS} s"),
                    vec![],
                ),
                // Whatever else: the operator reads why in the log, the client retries later.
                WechatError::Misconfigured { .. }
                | WechatError::Refused { .. }
                | WechatError::Unreachable(_)
                | WechatError::Database(_) => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::WechatUnavailable,
                    "WeChat cannot be reached right now; try again later".into(),
                    vec![],
                ),
            },
        }
    }

    /// The problem document in English (tests and logs read this one).
    pub fn problem(&self) -> Problem {
        self.problem_in(Language::En)
    }

    /// The problem document in `language`. English keeps the details the code that failed
    /// wrote; Chinese says the code's own sentence, with what the error carries that a
    /// client needs (the field, the methods allowed, when to retry, the size limit).
    pub fn problem_in(&self, language: Language) -> Problem {
        let (status, code, detail, errors) = self.parts();
        let (title, detail, errors) = match language {
            Language::En => (
                status.canonical_reason().unwrap_or("Error").to_owned(),
                detail,
                errors,
            ),
            Language::Zh => {
                let errors: Vec<FieldError> = errors
                    .into_iter()
                    .map(|e| FieldError {
                        message: e.code.sentence(Language::Zh).to_owned(),
                        ..e
                    })
                    .collect();
                let detail = self.detail_zh(code, &errors);
                (code.title(Language::Zh).to_owned(), detail, errors)
            }
        };
        Problem {
            problem_type: format!("urn:doorstep:problem:{code}"),
            title,
            status: status.as_u16(),
            detail,
            code,
            errors,
        }
    }

    fn detail_zh(&self, code: ErrorCode, errors: &[FieldError]) -> String {
        let sentence = code.sentence(Language::Zh);
        match (self, errors) {
            (_, [one]) => format!("{}：{}", one.field, one.message),
            (_, [_, ..]) => format!("有 {} 项填写不符合要求，详见 errors", errors.len()),
            (ApiError::MethodNotAllowed { allow }, []) => {
                format!("这个路径不支持该请求方法，支持的方法：{}", allow.join(", "))
            }
            (ApiError::PayloadTooLarge { limit }, []) => {
                format!("请求内容超过了 {limit} 字节的上限")
            }
            (
                ApiError::RateLimited { retry_after_secs }
                | ApiError::Domain(
                    DomainError::Busy { retry_after_secs }
                    | DomainError::TooManyRequests {
                        retry_after_secs, ..
                    },
                ),
                [],
            ) => format!("{sentence}（{retry_after_secs} 秒后可重试）"),
            _ => sentence.to_owned(),
        }
    }
}

/// The language `Accept-Language` prefers among those problems are written in: the
/// supported one with the highest weight (the first listed on a tie); `*`, no header, or
/// only other languages mean Chinese, the default. A range with a malformed weight is
/// skipped, as is one weighted 0 (RFC 9110 §12.5.4).
pub fn negotiate_language(accept_language: Option<&str>) -> Language {
    let mut best: Option<(Language, f32)> = None;
    for range in accept_language.unwrap_or("").split(',') {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut weight = Some(1.0_f32);
        for param in parts {
            if let Some((name, value)) = param.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                weight = value
                    .trim()
                    .parse::<f32>()
                    .ok()
                    .filter(|q| (0.0..=1.0).contains(q));
            }
        }
        let Some(weight) = weight.filter(|q| *q > 0.0) else {
            continue;
        };
        let primary = tag.split('-').next().unwrap_or("");
        let language = match primary {
            "zh" | "*" => Language::Zh,
            "en" => Language::En,
            _ => continue,
        };
        if best.is_none_or(|(_, q)| weight > q) {
            best = Some((language, weight));
        }
    }
    best.map(|(language, _)| language).unwrap_or_default()
}

/// Middleware: answers problems in the language the request prefers. Every problem is
/// rendered in the default language by [`ApiError::error_response`]; a request that prefers
/// another gets the same problem rendered again from the error the response carries, with
/// its status and headers kept.
pub async fn localise_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let language = negotiate_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    // The middlewares inside this one answer their refusals as responses carrying the
    // error (`HttpResponse::from_error`), never as `Err`, so every problem passes here.
    let response = next.call(req).await?.map_into_boxed_body();
    if language == Language::default() {
        return Ok(response);
    }
    let Some(problem) = response
        .response()
        .error()
        .and_then(|err| err.as_error::<ApiError>())
        .map(|err| err.problem_in(language))
    else {
        return Ok(response);
    };
    let body = serde_json::to_string(&problem).unwrap_or_default();
    Ok(response.map_body(|head, _| {
        head.headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(language.tag()),
        );
        BoxBody::new(body)
    }))
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
        // In the default language; `localise_problems` renders it again for a request that
        // prefers another.
        let language = Language::default();
        let problem = self.problem_in(language);
        // A full hashing pool is load, not a fault; the pool logs it once per refusal.
        if let ApiError::Wechat(err @ WechatError::Busy) = self {
            tracing::warn!(error = %err, code = %problem.code, "WeChat busy");
        } else if problem.status >= 500
            && !matches!(self, ApiError::Domain(DomainError::Busy { .. }))
        {
            // The whole cause chain goes to the log; the client sees only the code.
            tracing::error!(error = %chain(self), code = %problem.code, "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        response.insert_header((
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(language.tag()),
        ));
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
            ApiError::Wechat(WechatError::RateLimited) => {
                response.insert_header((
                    header::RETRY_AFTER,
                    WECHAT_RATE_LIMIT_RETRY_SECS.to_string(),
                ));
            }
            ApiError::Wechat(WechatError::Busy) => {
                response.insert_header((header::RETRY_AFTER, WECHAT_BUSY_RETRY_SECS.to_string()));
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
        assert!(!err.problem_in(Language::Zh).detail.contains("disk"));
    }

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        let cases = [
            (None, Language::Zh),
            (Some(""), Language::Zh),
            (Some("*"), Language::Zh),
            (Some("fr-FR, de;q=0.8"), Language::Zh),
            (Some("zh-CN"), Language::Zh),
            (Some("zh-TW,zh;q=0.9"), Language::Zh),
            (Some("en"), Language::En),
            (Some("EN-gb"), Language::En),
            (Some("en-US,en;q=0.9,zh;q=0.8"), Language::En),
            (Some("en-US,zh;q=0.5"), Language::En),
            (Some("zh;q=0.5, en;q=0.6"), Language::En),
            (Some("fr, en;q=0.3"), Language::En),
            (Some("en;q=0, zh;q=0.1"), Language::Zh),
            (Some("zh;q=0, en;q=0.1"), Language::En),
            (Some("en;q=abc, zh;q=0.2"), Language::Zh),
            (Some("en;q=2, zh;q=0.2"), Language::Zh),
            (Some("zh, en"), Language::Zh),
            (Some("en, zh"), Language::En),
            (Some("*;q=0.9, en;q=0.5"), Language::Zh),
        ];
        for (header, expected) in cases {
            assert_eq!(negotiate_language(header), expected, "{header:?}");
        }
    }

    #[test]
    fn chinese_problems_keep_codes_and_fields_and_say_the_code_in_chinese() {
        let mut errors = ValidationErrors::new();
        errors.push(
            "phone",
            Invalid::new(ErrorCode::InvalidPhone, "not a phone"),
        );
        let err = ApiError::from(DomainError::Validation(errors.clone()));
        let zh = err.problem_in(Language::Zh);
        let en = err.problem_in(Language::En);
        assert_eq!((zh.code, zh.status), (en.code, en.status));
        assert_eq!(zh.title, "填写有误");
        assert_eq!(en.title, "Unprocessable Entity");
        assert_eq!(en.detail, "phone: not a phone");
        assert_eq!(zh.detail, "phone：请填写 11 位大陆手机号，以 13 到 19 开头");
        assert_eq!(zh.errors[0].field, "phone");
        assert_eq!(zh.errors[0].code, ErrorCode::InvalidPhone);
        assert_eq!(
            zh.errors[0].message,
            ErrorCode::InvalidPhone.sentence(Language::Zh)
        );
        assert_eq!(en.errors[0].message, "not a phone");

        errors.push("name", Invalid::new(ErrorCode::Required, "required"));
        let two = ApiError::from(DomainError::Validation(errors)).problem_in(Language::Zh);
        assert_eq!(two.detail, "有 2 项填写不符合要求，详见 errors");

        let limited = ApiError::RateLimited {
            retry_after_secs: 7,
        }
        .problem_in(Language::Zh);
        assert_eq!(limited.title, "操作太频繁");
        assert_eq!(limited.detail, "操作太频繁，请稍后再试（7 秒后可重试）");
        let not_found = ApiError::from(DomainError::NotFound("posting")).problem_in(Language::Zh);
        assert_eq!(not_found.title, "找不到该资源");
        assert_eq!(not_found.code, ErrorCode::NotFound);
    }
}
