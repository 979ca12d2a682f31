//! HTTP conventions shared by every route: errors as problem+json, the strict JSON body
//! extractor, bearer authentication, the request context middleware and client addresses.

use doorstep_domain::ErrorCode;

pub mod auth;
pub mod client_ip;
pub mod connection;
pub mod coord;
pub mod cors;
pub mod etag;
pub mod json;
pub mod metrics;
pub mod problem;
pub mod problems;
pub mod request_context;
pub mod upload;

pub use auth::{Auth, MaybeAuth};
pub use coord::{Coord, CoordParam, Points};
pub use json::JsonBody;
pub use problem::{ApiError, Problem, negotiate_language};

/// Parses `limit` and `cursor` query parameters into a page request keyed by `K` (an id,
/// or whatever the list is ordered by).
pub fn page<K: serde::de::DeserializeOwned>(
    limit: Option<u64>,
    cursor: Option<&str>,
) -> Result<doorstep_domain::pagination::PageRequest<K>, ApiError> {
    doorstep_domain::pagination::PageRequest::parse(limit, cursor)
        .map_err(|(field, invalid)| ApiError::field(ErrorCode::InvalidQuery, field, invalid))
}

/// A page size without a cursor (lists that are not paged by key), checked as [`page`] does.
pub fn limit(limit: Option<u64>) -> Result<u64, ApiError> {
    doorstep_domain::pagination::parse_limit(limit)
        .map_err(|(field, invalid)| ApiError::field(ErrorCode::InvalidQuery, field, invalid))
}
