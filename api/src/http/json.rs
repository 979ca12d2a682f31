//! The JSON body extractor every route uses. Compared with `actix_web::web::Json` it
//! enforces the configured size limit before reading, answers problem+json, and names the
//! offending field (with its path) for unknown fields, missing fields and wrong types.
//! Request types carry `#[serde(deny_unknown_fields)]`, so a client can never set a field
//! the route does not expect (no mass assignment).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest, web};
use doorstep_domain::ErrorCode;
use doorstep_domain::Invalid;
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::ApiError;
use crate::startup::AppState;

/// Used when no app state is registered (never in the server; kept for completeness).
const FALLBACK_LIMIT: usize = 256 * 1024;

pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map(|state| state.settings.max_body_bytes)
            .unwrap_or(FALLBACK_LIMIT);
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|essence| {
                let essence = essence.trim().to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared_length.is_some_and(|len| len > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let mut body = BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|err| ApiError::BadRequest {
                    code: ErrorCode::InvalidBody,
                    detail: format!("the request body could not be read: {err}"),
                    errors: vec![],
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            parse(&body).map(JsonBody)
        })
    }
}

/// Deserialises `body`, turning serde's error into a problem that names the field.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut value: serde_json::Value =
        serde_json::from_slice(body).map_err(|err| ApiError::BadRequest {
            code: ErrorCode::InvalidJson,
            detail: format!("the request body is not valid JSON: {err}"),
            errors: vec![],
        })?;
    integral_floats_as_integers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = inner.to_string();
        if !inner.is_data() {
            return ApiError::BadRequest {
                code: ErrorCode::InvalidJson,
                detail: format!("the request body is not valid JSON: {message}"),
                errors: vec![],
            };
        }
        // serde_path_to_error's path already ends at an unknown key, but stops at the
        // enclosing object for a missing one.
        let join = |name: &str| {
            if path == "." || path.is_empty() {
                name.to_owned()
            } else if path == name || path.ends_with(&format!(".{name}")) {
                path.clone()
            } else {
                format!("{path}.{name}")
            }
        };
        if let Some(name) = backticked(&message, "unknown field `") {
            let field = join(name);
            ApiError::field(
                ErrorCode::UnknownField,
                field.clone(),
                Invalid::new(ErrorCode::UnknownField, format!("unknown field {field:?}")),
            )
        } else if let Some(name) = backticked(&message, "missing field `") {
            let field = join(name);
            ApiError::field(
                ErrorCode::MissingField,
                field.clone(),
                Invalid::new(ErrorCode::Required, format!("field {field:?} is required")),
            )
        } else {
            let field = if path == "." { String::new() } else { path };
            ApiError::field(
                ErrorCode::InvalidField,
                field,
                Invalid::new(ErrorCode::InvalidType, strip_position(&message)),
            )
        }
    })
}

/// JSON has one number type: `3.0` is the integer 3 to JSON Schema, and so to clients that
/// write every number as a float; serde would refuse it for an integer field.
fn integral_floats_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f >= i64::MIN as f64
                && f < i64::MAX as f64
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// The name between `prefix` and the next backtick, e.g. `role` in
/// "unknown field `role`, expected one of …".
fn backticked<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = &message[message.find(prefix)? + prefix.len()..];
    rest.split('`').next()
}

/// serde_json appends " at line 1 column 42"; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        start: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        slots: Vec<Inner>,
    }

    fn field_of(err: ApiError) -> (String, String) {
        let problem = err.problem();
        (
            problem.code.to_string(),
            problem
                .errors
                .first()
                .map(|e| e.field.clone())
                .unwrap_or_default(),
        )
    }

    #[test]
    fn names_unknown_fields_with_their_path() {
        let err = parse::<Outer>(br#"{"name":"a","slots":[{"start":1,"end":2}]}"#).unwrap_err();
        assert_eq!(
            field_of(err),
            ("unknown_field".into(), "slots[0].end".into())
        );
        let err = parse::<Outer>(br#"{"name":"a","slots":[],"role":"admin"}"#).unwrap_err();
        assert_eq!(field_of(err), ("unknown_field".into(), "role".into()));
    }

    #[test]
    fn names_missing_and_mistyped_fields() {
        let err = parse::<Outer>(br#"{"slots":[]}"#).unwrap_err();
        assert_eq!(field_of(err), ("missing_field".into(), "name".into()));
        let err = parse::<Outer>(br#"{"name":"a","slots":[{"start":"x"}]}"#).unwrap_err();
        assert_eq!(
            field_of(err),
            ("invalid_field".into(), "slots[0].start".into())
        );
    }

    #[test]
    fn integral_floats_are_integers() {
        let parsed = parse::<Outer>(br#"{"name":"a","slots":[{"start":7.0}]}"#).unwrap();
        assert_eq!(parsed.slots[0].start, 7);
        let err = parse::<Outer>(br#"{"name":"a","slots":[{"start":7.5}]}"#).unwrap_err();
        assert_eq!(
            field_of(err),
            ("invalid_field".into(), "slots[0].start".into())
        );
    }

    #[test]
    fn syntax_errors_are_invalid_json() {
        let err = parse::<Outer>(b"{not json").unwrap_err();
        assert_eq!(err.problem().code, "invalid_json");
    }
}
