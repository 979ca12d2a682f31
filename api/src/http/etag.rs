//! Validators on read answers: every `200` JSON answer to a GET carries a strong `ETag`
//! made from a hash of its body, and a GET whose `If-None-Match` names the current tag is
//! answered `304 Not Modified` with no body. One middleware, so every list and detail
//! (job search, a posting, stations, trainings, rewards, fairs…) gets it alike; the
//! handler still runs (the tag is of what it would send), so this saves bandwidth and the
//! client's parsing, not the server's work.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use sha2::{Digest, Sha256};

/// Answers larger than this are sent without a tag rather than held in memory to hash
/// (a JSON page is far smaller; this only bounds the buffer).
const MAX_TAGGED_BYTES: usize = 8 * 1024 * 1024;

pub async fn etag(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let candidate = req.method() == Method::GET || req.method() == Method::HEAD;
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let res = next.call(req).await?;
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.starts_with("application/json") || ct.starts_with("application/geo+json")
        });
    if !candidate
        || res.status() != StatusCode::OK
        || !json
        || res.headers().contains_key(header::ETAG)
    {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = match to_bytes_limited(body).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(error = %err, "reading an answer to tag it");
            let err = crate::http::ApiError::from(doorstep_domain::DomainError::internal(
                "reading an answer to tag it",
            ));
            return Ok(ServiceResponse::new(req, err.error_response()));
        }
    };
    let tag = tag_of(&bytes);
    let Ok(value) = HeaderValue::from_str(&tag) else {
        return Ok(ServiceResponse::new(
            req,
            head.set_body(BoxBody::new(bytes)),
        ));
    };
    if if_none_match.is_some_and(|v| matches(&v, &tag)) {
        // RFC 9110 §15.4.5: the headers a 200 would carry that describe the resource, and
        // no body.
        let mut not_modified = HttpResponse::NotModified();
        for (name, value) in head.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                not_modified.append_header((name.clone(), value.clone()));
            }
        }
        let response = not_modified.insert_header((header::ETAG, value)).finish();
        return Ok(ServiceResponse::new(req, response));
    }
    let mut response = head.set_body(BoxBody::new(bytes));
    response.headers_mut().insert(header::ETAG, value);
    Ok(ServiceResponse::new(req, response))
}

async fn to_bytes_limited(body: impl MessageBody) -> Result<actix_web::web::Bytes, String> {
    actix_web::body::to_bytes_limited(body, MAX_TAGGED_BYTES)
        .await
        .map_err(|_| "the answer is too large to tag".to_owned())?
        .map_err(|err| {
            let err: Box<dyn std::error::Error> = err.into();
            err.to_string()
        })
}

/// A strong tag: the first 128 bits of the body's SHA-256, quoted.
pub fn tag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether an `If-None-Match` value names `tag`: `*`, or a list of tags (weak comparison,
/// as RFC 9110 §13.1.2 asks for If-None-Match).
fn matches(if_none_match: &HeaderValue, tag: &str) -> bool {
    let Ok(value) = if_none_match.to_str() else {
        return false;
    };
    value.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == tag
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_body() {
        assert_eq!(tag_of(b"{}"), tag_of(b"{}"));
        assert_ne!(tag_of(b"{}"), tag_of(b"[]"));
        assert_eq!(tag_of(b"{}").len(), 34);
    }

    #[test]
    fn if_none_match_lists_and_weak_tags_match() {
        let tag = tag_of(b"{}");
        let value = |s: &str| HeaderValue::from_str(s).unwrap();
        assert!(matches(&value(&tag), &tag));
        assert!(matches(&value(&format!("\"x\", W/{tag}")), &tag));
        assert!(matches(&value("*"), &tag));
        assert!(!matches(&value("\"x\""), &tag));
    }
}
