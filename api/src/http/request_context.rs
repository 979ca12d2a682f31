//! The middleware every request passes through: it gives the request an id (the client's
//! `X-Request-Id` if it is sane, a new UUID otherwise), runs the request inside a span that
//! carries the id, echoes the id in the response, logs one line per request and records
//! the metrics.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use tracing::Instrument;

use crate::startup::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, available to handlers as a request extension.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn acceptable(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().to_string();
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        %method,
        path = %req.path(),
        account = tracing::field::Empty,
    );
    let started = Instant::now();

    let mut response = next.call(req).instrument(span.clone()).await?;

    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    if let Some(state) = state {
        state
            .metrics
            .observe(&method, &route, status, elapsed.as_secs_f64());
    }
    span.in_scope(|| {
        tracing::info!(
            status,
            route = %route,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "served"
        )
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn request_ids_are_bounded_and_plain() {
        assert!(acceptable("3f2b8c1e-0c4b-4e5e-9d51-7d0e3e0f9a11"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(129)));
        assert!(!acceptable("id with spaces"));
        assert!(!acceptable("line\nbreak"));
    }
}
