//! Webhook endpoints: register, list, remove, and a signed test ping.

use actix_web::{HttpResponse, delete, get, post, web};
use doorstep_domain::webhooks;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, Problem, problems};
use crate::services;
use crate::startup::AppState;
use crate::views::Page;
use crate::views::matching::{PingResult, WebhookView};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookRequest {
    /// http(s) URL; internal addresses are refused.
    pub url: String,
}

/// Registers an endpoint for the caller's pushes (channel `webhook`). Each POST is signed:
/// `X-Doorstep-Signature: v1=hex(HMAC-SHA256(secret, "<X-Doorstep-Timestamp>.<body>"))`.
#[utoipa::path(
    tag = "matches",
    security(("bearer" = [])),
    request_body = WebhookRequest,
    responses(
        (status = 201, body = WebhookView),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`too_many_endpoints`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "bad or internal URL"),
    )
)]
#[post("/webhooks")]
pub async fn register_webhook(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<WebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let endpoint = webhooks::register(
        &state.db,
        &auth.0,
        &body.into_inner().url,
        state.settings.webhook_allow_internal,
    )
    .await?;
    Ok(HttpResponse::Created().json(WebhookView::new(endpoint, true)))
}

/// The caller's endpoints (without secrets).
#[utoipa::path(tag = "matches", security(("bearer" = [])), responses((status = 200, body = Page<WebhookView>)))]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    auth: Auth,
) -> Result<web::Json<Page<WebhookView>>, ApiError> {
    let endpoints = webhooks::list(&state.db, auth.0.account_id).await?;
    Ok(web::Json(Page::whole(
        endpoints.into_iter().map(|e| WebhookView::new(e, false)),
    )))
}

/// Removes one of the caller's endpoints.
#[utoipa::path(
    tag = "matches",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), problems::NotFound)
)]
#[delete("/webhooks/{id}")]
pub async fn remove_webhook(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    webhooks::delete(&state.db, &auth.0, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sends a signed `{"type": "ping"}` to the endpoint now and reports how it went.
#[utoipa::path(
    tag = "matches",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = PingResult), problems::NotFound)
)]
#[post("/webhooks/{id}/ping")]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<PingResult>, ApiError> {
    let outcome = services::webhooks::ping(
        &state.db,
        &auth.0,
        id.into_inner(),
        state.settings.webhook_allow_internal,
    )
    .await?;
    Ok(web::Json(PingResult {
        delivered: outcome.is_ok(),
        error: outcome.err().map(|e| e.to_string()),
    }))
}
