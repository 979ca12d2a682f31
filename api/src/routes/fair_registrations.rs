//! Registering for a fair, the seeker's registration with its route and QR token, walk-ins
//! and check-in scans.

use actix_web::{HttpResponse, get, post, web};
use doorstep_domain::DomainError;
use doorstep_domain::fairs::checkin::{self, ScanInput};
use doorstep_domain::fairs::registrations::{self, RegisterInput, WalkInInput};
use doorstep_domain::fairs::{self, plans};
use doorstep_domain::time::to_display;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, Problem, page};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::fairs::{RegistrationSummary, RegistrationView, ScanView};

async fn registration_view(
    state: &AppState,
    fair_id: Uuid,
    registration: doorstep_domain::entities::fair_registration::Model,
) -> Result<RegistrationView, ApiError> {
    let f = fairs::find(&state.db, fair_id).await?;
    let position = registrations::position(&state.db, &registration).await?;
    Ok(RegistrationView::new(
        &f,
        registration,
        position,
        Vec::new(),
    ))
}

/// Registers the caller for a published fair before its deadline: a place while places are
/// left (with the QR token), the waiting list after (with the position). `slots` limits
/// the slots planned. Seekers with a profile only; once per fair.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "fair id")),
    request_body = RegisterInput,
    responses(
        (status = 201, body = RegistrationView, description = "`status` is `registered` or `waitlisted`"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`already_registered`, `registration_closed` or `profile_required`"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/fairs/{id}/registrations")]
pub async fn register_for_fair(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<RegisterInput>,
) -> Result<HttpResponse, ApiError> {
    let fair_id = id.into_inner();
    let saved = registrations::register(&state.db, &auth.0, fair_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(registration_view(&state, fair_id, saved).await?))
}

/// The caller's own registration: status, waiting-list position, QR token and planned
/// route (booth, slot, posting, why it suits them). Nobody else's.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "fair id"), ("registration_id" = Uuid, Path)),
    responses(
        (status = 200, body = RegistrationView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/fairs/{id}/registrations/{registration_id}")]
pub async fn get_registration(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<RegistrationView>, ApiError> {
    let (fair_id, registration_id) = path.into_inner();
    let (f, registration, stops) =
        plans::route(&state.db, &auth.0, fair_id, registration_id).await?;
    let position = registrations::position(&state.db, &registration).await?;
    Ok(web::Json(RegistrationView::new(
        &f,
        registration,
        position,
        stops,
    )))
}

/// Cancels the caller's registration (or leaves the waiting list); a freed place goes to
/// the first on the waiting list, who is told.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "fair id"), ("registration_id" = Uuid, Path)),
    responses(
        (status = 200, body = RegistrationView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`already_cancelled` or `fair_not_open`"),
    )
)]
#[post("/fairs/{id}/registrations/{registration_id}/cancel")]
pub async fn cancel_registration(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<RegistrationView>, ApiError> {
    let (fair_id, registration_id) = path.into_inner();
    let saved = registrations::cancel(&state.db, &auth.0, fair_id, registration_id).await?;
    Ok(web::Json(registration_view(&state, fair_id, saved).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RegistrationListQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The caller's fair registrations, newest first. Seekers only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(RegistrationListQuery),
    responses(
        (status = 200, body = Page<RegistrationSummary>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/fair-registrations")]
pub async fn my_registrations(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<RegistrationListQuery>,
) -> Result<web::Json<Page<RegistrationSummary>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = registrations::list_mine(&state.db, &auth.0, request).await?;
    Ok(web::Json(Page::from(found, RegistrationSummary::new)))
}

/// Registers a seeker at the door by their phone or e-mail, checked in at once (walk-ins
/// may exceed the capacity). Officers only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "fair id")),
    request_body = WalkInInput,
    responses(
        (status = 201, body = RegistrationView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`already_registered` or `fair_not_open`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`no_such_seeker`"),
    )
)]
#[post("/fairs/{id}/walk-ins")]
pub async fn walk_in(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<WalkInInput>,
) -> Result<HttpResponse, ApiError> {
    let fair_id = id.into_inner();
    let saved = registrations::walk_in(&state.db, &auth.0, fair_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(registration_view(&state, fair_id, saved).await?))
}

/// Records a scan of a seeker's QR token: at the door (officers, no `booth_id`) or at a
/// booth (its members or officers). A second scan at the same place answers
/// `first_scan: false` with the first scan's time and counts nothing again. Refused tokens
/// are 422 on `token`: `token_tampered`, `token_foreign` (another fair's),
/// `token_expired`, `token_wrong_purpose`, `token_malformed`.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "fair id")),
    request_body = ScanInput,
    responses(
        (status = 200, body = ScanView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`registration_not_active`, `booth_not_approved` or `fair_not_open`"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/fairs/{id}/check-ins")]
pub async fn record_scan(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ScanInput>,
) -> Result<web::Json<ScanView>, ApiError> {
    let recorded = checkin::scan(&state.db, &auth.0, id.into_inner(), body.into_inner()).await?;
    let seeker = recorded.registration.seeker_id;
    let name = doorstep_domain::applications::applicants(&state.db, &[seeker])
        .await?
        .remove(&seeker)
        .map(|a| a.name)
        .ok_or(DomainError::NotFound("seeker"))?;
    Ok(web::Json(ScanView {
        registration_id: recorded.registration.id,
        seeker_id: seeker,
        name,
        booth_id: recorded.booth_id,
        first_scan: recorded.first,
        scanned_at: to_display(recorded.at),
        checked_in_at: recorded.registration.checked_in_at.map(to_display),
    }))
}
