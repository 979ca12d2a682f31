//! Gig shifts (零工): shifts and booking options, claims and the waiting list, check-in and
//! out, hours, ratings, pay and reliability. Business rules live in
//! `doorstep_domain::gigs`; these handlers parse, authorise and map.

pub mod claims;
pub mod shifts;
pub mod work;

use actix_web::HttpResponse;
use actix_web::http::header;
use serde::Deserialize;

/// A short reason, optional or required depending on the route.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    /// Up to 300 characters; shown to the other side.
    #[serde(default)]
    pub reason: Option<String>,
}

/// JSON (the default) or CSV (UTF-8 with a byte-order mark, for spreadsheets).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PayFormat {
    #[default]
    Json,
    Csv,
}

/// A CSV download named `filename`.
pub fn csv(filename: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body)
}
