//! Liveness, readiness and metrics.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use doorstep_domain::DomainError;
use doorstep_domain::ErrorCode;
use doorstep_migrations::{Migrator, MigratorTrait};

use crate::http::{ApiError, Problem};
use crate::startup::AppState;
use crate::views::operations::Health;

/// The process is up and serving HTTP.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health::ok())
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
    // The read-only check: the plain one first runs `CREATE TABLE IF NOT EXISTS
    // seaql_migrations`, whose PostgreSQL notice would be logged on every probe.
    let pending = Migrator::get_pending_migrations_read_only(&state.db)
        .await
        .map_err(|err| unavailable(err.to_string()))?;
    if !pending.is_empty() {
        return Err(unavailable(format!("{} migrations pending", pending.len())));
    }
    Ok(web::Json(Health::ok()))
}

/// Request counts and latency histograms, background jobs, queues, the connection pool and
/// the process (CPU, memory, open files) in Prometheus text format. On the API address it
/// needs the configured `metrics_token` as a bearer token (and is not served there without
/// one); `metrics_bind` serves it on a private address without a token.
#[utoipa::path(
    tag = "operations",
    security(("metrics_token" = [])),
    responses(
        (status = 200, content_type = "text/plain; version=0.0.4", body = String),
        (status = 401, body = Problem, content_type = "application/problem+json",
            description = "no token, or not the metrics token"),
        (status = 404, body = Problem, content_type = "application/problem+json",
            description = "no `metrics_token` is configured: metrics are not served on this address"),
    )
)]
#[get("/metrics")]
pub async fn metrics(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let Some(expected) = state.settings.metrics_token.as_deref() else {
        return Err(ApiError::RouteNotFound);
    };
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::MissingToken)?;
    if !same_secret(presented.as_bytes(), expected.as_bytes()) {
        return Err(DomainError::unauthenticated(
            ErrorCode::InvalidToken,
            "this is not the metrics token",
        )
        .into());
    }
    Ok(render_metrics(&state).await)
}

/// `/metrics` on the `metrics_bind` address, which only a private network reaches.
pub async fn metrics_without_token(state: web::Data<AppState>) -> HttpResponse {
    render_metrics(&state).await
}

/// Compares in time that depends only on the lengths, so the token cannot be guessed a
/// byte at a time from response times.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn render_metrics(state: &AppState) -> HttpResponse {
    state.metrics.observe_pool(&state.db);
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
    // The WeChat channel's messages by state (`wechat_messages_sent`, `_dead`…), beside
    // the other channels' `pushes_*`.
    if state.wechat.is_some() {
        match doorstep_matcher::wechat::push::stats(&state.db).await {
            Ok(counts) => {
                for (status, n) in counts {
                    state
                        .metrics
                        .set_queue(&format!("wechat_messages_{status}"), n as i64);
                }
            }
            Err(err) => tracing::warn!(error = %err, "WeChat message figures unavailable"),
        }
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}
