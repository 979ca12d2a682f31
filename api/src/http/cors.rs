//! Cross-origin calls from a browser front end (`cors_allowed_origins`). With no origin
//! configured nothing here runs and no CORS header is ever sent.

use actix_cors::Cors;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

use crate::contract::RouteTable;
use crate::http::ApiError;
use crate::http::request_context::REQUEST_ID;

/// The CORS middleware for the configured origins; `None` when there are none.
pub fn cors(origins: &[String]) -> Option<Cors> {
    if origins.is_empty() {
        return None;
    }
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::IF_NONE_MATCH,
            REQUEST_ID,
        ])
        // What a front end reads besides the body.
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
            header::ALLOW,
            header::CONTENT_DISPOSITION,
            REQUEST_ID,
            header::HeaderName::from_static("ratelimit-policy"),
            header::HeaderName::from_static("ratelimit"),
        ])
        .max_age(3600)
        // Another origin's request is served as if CORS did not exist: without the headers,
        // so the browser withholds the answer; a client that is not a browser is not refused.
        .block_on_origin_mismatch(false);
    if origins == ["*"] {
        cors = cors.allow_any_origin().send_wildcard();
    } else {
        for origin in origins {
            cors = cors.allowed_origin(origin);
        }
    }
    Some(cors)
}

/// `actix-cors` answers every `OPTIONS` it does not allow (another origin, a method or
/// header not allowed, no `Origin` at all) with a plain-text 400. This middleware, outside
/// it, gives those requests the answer they get with CORS off: a problem document, 405
/// `method_not_allowed` with `Allow` (no route serves `OPTIONS`) or 404 for an unknown path,
/// and still no CORS header.
pub async fn refused_preflight(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let preflight = req.method() == Method::OPTIONS;
    let res = next.call(req).await?;
    let refused = preflight
        && res.status() == StatusCode::BAD_REQUEST
        && !res
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN);
    if !refused {
        return Ok(res.map_into_left_body());
    }
    let allow = res
        .request()
        .app_data::<web::Data<RouteTable>>()
        .map(|table| table.allowed(res.request().path()))
        .unwrap_or_default();
    let error = if allow.is_empty() {
        ApiError::RouteNotFound
    } else {
        ApiError::MethodNotAllowed { allow }
    };
    let (req, _) = res.into_parts();
    Ok(ServiceResponse::new(req, error.error_response()).map_into_right_body())
}
