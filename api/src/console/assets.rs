//! The console's static files, embedded in the binary: nothing is fetched from elsewhere.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::error::ConsoleError;
use crate::http::ApiError;

const CSS: &str = include_str!("assets/console.css");
const HTMX: &str = include_str!("assets/htmx.min.js");

pub async fn file(name: web::Path<String>) -> Result<HttpResponse, ConsoleError> {
    let (body, content_type) = match name.as_str() {
        "console.css" => (CSS, "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        _ => return Err(ApiError::RouteNotFound.into()),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body))
}
