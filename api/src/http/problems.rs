//! The problem responses routes share, for `#[utoipa::path(responses(...))]`: a route lists
//! `problems::NotFound` instead of repeating `(status = 404, body = Problem, ...)`. Each one
//! is a reference to an entry of `components/responses`, which `crate::contract` registers
//! from [`SHARED`] and also adds to every operation its rules cover. A route that has codes
//! of its own to name for a status keeps a tuple with that description.

use std::collections::BTreeMap;

use utoipa::openapi::{Ref, RefOr, Response};

macro_rules! shared_responses {
    ($($name:ident = $status:literal, $description:literal;)*) => {
        $(
            #[doc = $description]
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    BTreeMap::from([(
                        $status.to_owned(),
                        RefOr::Ref(Ref::new(concat!("#/components/responses/", stringify!($name)))),
                    )])
                }
            }
        )*

        /// `(status, components/responses name, description)` of each shared response.
        pub const SHARED: &[(&str, &str, &str)] = &[$(($status, stringify!($name), $description),)*];
    };
}

shared_responses! {
    BadRequest = "400",
        "Malformed input the route never saw as valid: a query parameter out of range or of the \
         wrong type, an unknown query parameter, or a body that is not valid JSON or names an \
         unknown field (`invalid_query`, `invalid_json`, `unknown_field`, `missing_field`, \
         `invalid_field`).";
    Unauthorized = "401",
        "No access token, or one that is invalid, expired, revoked or of a disabled account \
         (`missing_token`, `invalid_token`, `account_disabled`, …).";
    Forbidden = "403",
        "The caller's role or relation to the object does not allow this (`forbidden`).";
    NotFound = "404",
        "No such object, or it is not the caller's to see; a malformed id names nothing \
         (`not_found`).";
    Conflict = "409",
        "The object's state does not allow this now; `code` says why (see `ErrorCode`).";
    PayloadTooLarge = "413",
        "The request body is larger than the configured limit (`payload_too_large`).";
    UnsupportedMediaType = "415",
        "The request body is not of the media type the route takes \
         (`unsupported_media_type`).";
    ValidationFailed = "422",
        "Well-formed input that breaks a rule; `errors` names each offending field \
         (`validation_failed`).";
    TooManyRequests = "429",
        "Too many attempts from this caller; retry after `Retry-After` seconds \
         (`rate_limited`).";
    ServiceUnavailable = "503",
        "The database cannot be reached, or a bounded pool (password hashing) is full; retry \
         shortly (`database_unavailable`, `busy`, `not_ready`).";
}
