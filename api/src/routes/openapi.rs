//! The OpenAPI document, generated from the handlers' annotations.

use actix_web::{HttpResponse, get, web};

/// The serialised document, computed once at start.
pub struct OpenApiJson(pub String);

/// This API's OpenAPI 3.1 document.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, content_type = "application/json", body = Object))
)]
#[get("/openapi.json")]
pub async fn openapi_json(doc: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}
