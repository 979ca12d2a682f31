//! Invitations to apply.

use actix_web::{HttpResponse, get, post, web};
use doorstep_domain::invitations::{self, InviteInput};
use doorstep_domain::types::InvitationStatus;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, Problem, page};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::marketplace::InvitationView;

/// Invites a seeker with a public profile to apply to an open posting (members of its
/// business). The seeker's contact details stay hidden until they accept.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "posting id")),
    request_body = InviteInput,
    responses(
        (status = 201, body = InvitationView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`already_invited` or `posting_not_open`"),
    )
)]
#[post("/postings/{id}/invitations")]
pub async fn invite(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<InviteInput>,
) -> Result<HttpResponse, ApiError> {
    let created =
        invitations::invite(&state.db, &auth.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(InvitationView::from(created)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvitationListQuery {
    pub status: Option<InvitationStatus>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The caller's invitations, newest first. Seekers only.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(InvitationListQuery),
    responses(
        (status = 200, body = Page<InvitationView>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/invitations")]
pub async fn my_invitations(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<InvitationListQuery>,
) -> Result<web::Json<Page<InvitationView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = invitations::list_for_seeker(&state.db, &auth.0, query.status, request).await?;
    Ok(web::Json(Page::from(found, InvitationView::from)))
}

/// Accepts an invitation: the seeker's contact details are shared with the business.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = InvitationView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`already_answered`"),
    )
)]
#[post("/invitations/{id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<InvitationView>, ApiError> {
    let answered = invitations::respond(&state.db, &auth.0, id.into_inner(), true).await?;
    Ok(web::Json(answered.into()))
}

/// Declines an invitation; nothing is shared.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = InvitationView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/invitations/{id}/decline")]
pub async fn decline(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<InvitationView>, ApiError> {
    let answered = invitations::respond(&state.db, &auth.0, id.into_inner(), false).await?;
    Ok(web::Json(answered.into()))
}
