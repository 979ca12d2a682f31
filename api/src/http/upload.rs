//! Raw upload bodies (a photo or a voice note sent as the request body, with its own
//! content type), read up to a route's limit. Whatever the declared type, the domain reads
//! the real type from the bytes.

use actix_web::HttpRequest;
use actix_web::http::header;
use actix_web::web::{self, BytesMut};
use doorstep_domain::ErrorCode;
use futures_util::StreamExt;

use super::ApiError;

/// Reads the whole body, refusing with 413 as soon as it is known to exceed `limit`.
pub async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
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
    Ok(body.to_vec())
}

/// An uploaded file served back to someone allowed to see it: its own content type, never
/// sniffed as another, cached only by the viewer's browser.
pub fn private_file(content_type: String, bytes: Vec<u8>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("cache-control", "private, max-age=3600"))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(bytes)
}
