//! HTTP conventions shared by every route: errors as problem+json, the strict JSON body
//! extractor, bearer authentication, the request context middleware and client addresses.

pub mod auth;
pub mod client_ip;
pub mod json;
pub mod metrics;
pub mod problem;
pub mod request_context;

pub use auth::Auth;
pub use json::JsonBody;
pub use problem::{ApiError, Problem};
