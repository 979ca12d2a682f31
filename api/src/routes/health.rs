//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, get, web};
use doorstep_migrations::{Migrator, MigratorTrait};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::{ApiError, Problem};
use crate::startup::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
}

/// The process is up and serving HTTP.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// The database answers and every migration is applied.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, body = Health),
        (status = 503, body = Problem, content_type = "application/problem+json",
            description = "database unreachable or migrations pending"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<web::Json<Health>, ApiError> {
    let unavailable = |detail: String| {
        tracing::warn!(%detail, "not ready");
        ApiError::NotReady(detail)
    };
    state
        .db
        .ping()
        .await
        .map_err(|err| unavailable(err.to_string()))?;
    let pending = Migrator::get_pending_migrations(&state.db)
        .await
        .map_err(|err| unavailable(err.to_string()))?;
    if !pending.is_empty() {
        return Err(unavailable(format!("{} migrations pending", pending.len())));
    }
    Ok(web::Json(Health { status: "ok" }))
}

/// Request counts and latency histograms in Prometheus text format.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, content_type = "text/plain; version=0.0.4", body = String))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    // Queue sizes are read now; if the database is down the request figures still answer.
    match doorstep_matcher::worker::stats(&state.db).await {
        Ok(stats) => {
            state.metrics.set_queue("matcher_backlog", stats.backlog);
            for (status, n) in stats.pushes {
                state
                    .metrics
                    .set_queue(&format!("pushes_{status}"), n as i64);
            }
            let indexed = state.search.current().state().watermark;
            state
                .metrics
                .set_queue("index_lag", (stats.last_event - indexed).max(0));
        }
        Err(err) => tracing::warn!(error = %err, "queue figures unavailable"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}
