//! Applications and their stages.

use actix_web::{HttpResponse, get, post, web};
use doorstep_domain::applications::{self, ApplyInput, TransitionInput};
use doorstep_domain::identity;
use doorstep_domain::types::{ApplicationStatus, Role};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, Problem, page, problems};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::marketplace::ApplicationView;

/// Applies to an open posting. Applying shares the seeker's contact details with the
/// business. Seekers only; once per posting.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "posting id")),
    request_body = ApplyInput,
    responses(
        (status = 201, body = ApplicationView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`already_applied`"),
    )
)]
#[post("/postings/{id}/applications")]
pub async fn apply(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ApplyInput>,
) -> Result<HttpResponse, ApiError> {
    let created =
        applications::apply(&state.db, &auth.0, id.into_inner(), body.into_inner()).await?;
    let verified = identity::verified_among(&state.db, [created.seeker_id]).await?;
    Ok(HttpResponse::Created().json(ApplicationView::new(created).with_badge(&verified)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApplicationListQuery {
    pub status: Option<ApplicationStatus>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Applications to one posting, with who applied. Members of its business only.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "posting id"), ApplicationListQuery),
    responses(
        (status = 200, body = Page<ApplicationView>),
        problems::NotFound,
    )
)]
#[get("/postings/{id}/applications")]
pub async fn list_for_posting(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<ApplicationListQuery>,
) -> Result<web::Json<Page<ApplicationView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found =
        applications::list_for_posting(&state.db, &auth.0, id.into_inner(), query.status, request)
            .await?;
    let seekers: Vec<Uuid> = found.items.iter().map(|a| a.seeker_id).collect();
    let applicants = applications::applicants(&state.db, &seekers).await?;
    let verified = identity::verified_among(&state.db, seekers.iter().copied()).await?;
    Ok(web::Json(Page::from(found, |a| {
        let seeker = a.seeker_id;
        ApplicationView::new(a)
            .with_applicant(applicants.get(&seeker))
            .with_badge(&verified)
    })))
}

/// The caller's own applications, newest first. Seekers only.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(ApplicationListQuery),
    responses(
        (status = 200, body = Page<ApplicationView>),
        problems::Forbidden,
    )
)]
#[get("/me/applications")]
pub async fn my_applications(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<ApplicationListQuery>,
) -> Result<web::Json<Page<ApplicationView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = applications::list_for_seeker(&state.db, &auth.0, query.status, request).await?;
    let verified = identity::verified_among(&state.db, [auth.0.account_id]).await?;
    Ok(web::Json(Page::from(found, |a| {
        ApplicationView::new(a).with_badge(&verified)
    })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApplicationQuery {
    /// Officers: why they read this record (required; audited).
    pub reason: Option<String>,
}

/// One application with its full history: for its seeker, the members of its business, and
/// officers (who state a reason and are audited).
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ApplicationQuery),
    responses(
        (status = 200, body = ApplicationView),
        problems::NotFound,
    )
)]
#[get("/applications/{id}")]
pub async fn get_application(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<ApplicationQuery>,
) -> Result<web::Json<ApplicationView>, ApiError> {
    let (app, events) =
        applications::get(&state.db, &auth.0, id.into_inner(), query.reason.as_deref()).await?;
    let verified = identity::verified_among(&state.db, [app.seeker_id]).await?;
    let view = if auth.0.role == Role::Seeker {
        ApplicationView::new(app).with_badge(&verified)
    } else {
        let applicants = applications::applicants(&state.db, &[app.seeker_id]).await?;
        let seeker = app.seeker_id;
        ApplicationView::new(app)
            .with_applicant(applicants.get(&seeker))
            .with_badge(&verified)
    };
    Ok(web::Json(view.with_history(events)))
}

/// Moves an application to another stage. The merchant moves it one stage forward
/// (viewed → shortlisted → interview → offered → hired) or rejects it; the seeker withdraws
/// it. The other side is notified.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = TransitionInput,
    responses(
        (status = 200, body = ApplicationView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`illegal_transition`; `application_anonymised` past its retention"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "interview without time or place"),
    )
)]
#[post("/applications/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<TransitionInput>,
) -> Result<web::Json<ApplicationView>, ApiError> {
    let updated =
        applications::transition(&state.db, &auth.0, id.into_inner(), body.into_inner()).await?;
    let verified = identity::verified_among(&state.db, [updated.seeker_id]).await?;
    Ok(web::Json(
        ApplicationView::new(updated).with_badge(&verified),
    ))
}
