//! The in-app inbox.

use actix_web::{HttpResponse, get, post, web};
use doorstep_domain::inbox;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{ApiError, Auth, Problem, page};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::marketplace::NotificationView;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    #[serde(default)]
    pub unread_only: bool,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The caller's notices, newest first.
#[utoipa::path(
    tag = "inbox",
    security(("bearer" = [])),
    params(InboxQuery),
    responses((status = 200, body = Page<NotificationView>))
)]
#[get("/inbox")]
pub async fn list_inbox(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<InboxQuery>,
) -> Result<web::Json<Page<NotificationView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = inbox::list(&state.db, auth.0.account_id, query.unread_only, request).await?;
    Ok(web::Json(Page::from(found, NotificationView::from)))
}

/// Marks one of the caller's notices read.
#[utoipa::path(
    tag = "inbox",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/inbox/{id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    inbox::mark_read(&state.db, auth.0.account_id, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
