//! Job fairs: officers create and run them, plan the routes, read the figures.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, put, web};
use doorstep_domain::fairs::checkin::{self, DeviceKey};
use doorstep_domain::fairs::figures::{self, FairFigures};
use doorstep_domain::fairs::plans::PlanSummary;
use doorstep_domain::fairs::status::FairStatus;
use doorstep_domain::fairs::{self, Action, FairInput};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{
    ApiError, Auth, Coord, CoordParam, JsonBody, MaybeAuth, Problem, page, problems,
};
use crate::services;
use crate::startup::AppState;
use crate::views::Page;
use crate::views::fairs::FairView;

/// Creates a draft fair. Officers and admins only.
#[utoipa::path(
    tag = "fairs",
    params(CoordParam),
    security(("bearer" = [])),
    request_body = FairInput,
    responses(
        (status = 201, body = FairView),
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[post("/fairs")]
pub async fn create_fair(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<FairInput>,
) -> Result<HttpResponse, ApiError> {
    let created = fairs::create(&state.db, &auth.0, coord.inbound(body.into_inner())).await?;
    Ok(HttpResponse::Created().json(coord.outbound(FairView::from(created))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FairListQuery {
    pub status: Option<FairStatus>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Fairs, newest first: published, closed, finished and cancelled ones for everyone; drafts
/// too for officers.
#[utoipa::path(
    tag = "fairs",
    params(FairListQuery, CoordParam),
    responses(
        (status = 200, body = Page<FairView>),
        problems::BadRequest,
    )
)]
#[get("/fairs")]
pub async fn list_fairs(
    coord: Coord,
    state: web::Data<AppState>,
    auth: MaybeAuth,
    query: web::Query<FairListQuery>,
) -> Result<web::Json<Page<FairView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = fairs::list(&state.db, auth.0.as_ref(), query.status, request).await?;
    Ok(coord.json(Page::from(found, FairView::from)))
}

/// One fair (drafts: officers only).
#[utoipa::path(
    tag = "fairs",
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = FairView),
        problems::NotFound,
    )
)]
#[get("/fairs/{id}")]
pub async fn get_fair(
    coord: Coord,
    state: web::Data<AppState>,
    auth: MaybeAuth,
    id: web::Path<Uuid>,
) -> Result<web::Json<FairView>, ApiError> {
    let found = fairs::visible(&state.db, auth.0.as_ref(), id.into_inner()).await?;
    Ok(coord.json(found.into()))
}

/// Replaces a draft fair's details. Officers only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = FairInput,
    responses(
        (status = 200, body = FairView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`fair_not_draft`"),
        problems::ValidationFailed,
    )
)]
#[put("/fairs/{id}")]
pub async fn update_fair(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<FairInput>,
) -> Result<web::Json<FairView>, ApiError> {
    let updated = fairs::update(
        &state.db,
        &auth.0,
        id.into_inner(),
        coord.inbound(body.into_inner()),
    )
    .await?;
    Ok(coord.json(updated.into()))
}

async fn move_fair(
    coord: Coord,
    state: &AppState,
    auth: &Auth,
    id: Uuid,
    action: Action,
    reason: Option<&str>,
) -> Result<web::Json<FairView>, ApiError> {
    let moved = fairs::transition(&state.db, &auth.0, id, action, reason).await?;
    Ok(coord.json(moved.into()))
}

/// Publishes a draft: merchants may request booths and seekers register. Officers only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = FairView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`illegal_transition` or `deadline_passed`"),
    )
)]
#[post("/fairs/{id}/publish")]
pub async fn publish_fair(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<FairView>, ApiError> {
    move_fair(coord, &state, &auth, id.into_inner(), Action::Publish, None).await
}

/// Closes registration early. Officers only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = FairView),
        problems::Forbidden,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`illegal_transition`"),
    )
)]
#[post("/fairs/{id}/close")]
pub async fn close_fair(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<FairView>, ApiError> {
    move_fair(coord, &state, &auth, id.into_inner(), Action::Close, None).await
}

/// Marks the fair as held; outcomes may still be recorded. Officers only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = FairView),
        problems::Forbidden,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`illegal_transition`"),
    )
)]
#[post("/fairs/{id}/finish")]
pub async fn finish_fair(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<FairView>, ApiError> {
    move_fair(coord, &state, &auth, id.into_inner(), Action::Finish, None).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// Told to everyone registered or waiting and to every business with a booth.
    pub reason: String,
}

/// Cancels the fair with a reason; every registered or waiting seeker and every business
/// with a booth is told. Officers only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = CancelRequest,
    responses(
        (status = 200, body = FairView),
        problems::Forbidden,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`illegal_transition`"),
        problems::ValidationFailed,
    )
)]
#[post("/fairs/{id}/cancel")]
pub async fn cancel_fair(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<CancelRequest>,
) -> Result<web::Json<FairView>, ApiError> {
    let reason = body.into_inner().reason;
    move_fair(
        coord,
        &state,
        &auth,
        id.into_inner(),
        Action::Cancel,
        Some(&reason),
    )
    .await
}

/// Plans (or re-plans) every registered seeker's route and sends the routes and the booths'
/// schedules. Without seekers' slot restrictions and on a first plan, the result is the
/// optimum; otherwise `gap_bound` says how far from it it can be at most. Routes already
/// sent are kept unless they must change. Officers only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = PlanSummary),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`fair_not_open`"),
    )
)]
#[post("/fairs/{id}/plan")]
pub async fn plan_routes(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<PlanSummary>, ApiError> {
    let summary = services::fairs::plan(
        &state.db,
        &state.weights,
        state.settings.fair_min_score,
        &auth.0,
        id.into_inner(),
    )
    .await?;
    Ok(web::Json(summary))
}

/// Registrations, attendance, booth visits, applications, interviews, offers and hires for
/// the fair, each booth and each posting, with the share of planned visits that happened.
/// Officers only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = FairFigures),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[get("/fairs/{id}/figures")]
pub async fn fair_figures(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<FairFigures>, ApiError> {
    Ok(web::Json(
        figures::figures(&state.db, &auth.0, id.into_inner()).await?,
    ))
}

/// The figures as CSV (UTF-8 with a byte-order mark, so Excel shows Chinese): one row for
/// the fair, one per booth, one per posting. Officers only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, content_type = "text/csv; charset=utf-8", body = String),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[get("/fairs/{id}/figures.csv")]
pub async fn fair_figures_csv(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let found = figures::figures(&state.db, &auth.0, id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"fair-{id}.csv\""),
        ))
        .body(figures::to_csv(&found)))
}

/// The fair's check-in key, so a scanner verifies QR tokens with no round trip. The officers
/// of the fair's district (and admins) only; anyone else's answer is 404.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = DeviceKey),
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`fair_not_open`"),
    )
)]
#[get("/fairs/{id}/device-key")]
pub async fn device_key(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<DeviceKey>, ApiError> {
    Ok(web::Json(
        checkin::device_key(&state.db, &auth.0, id.into_inner()).await?,
    ))
}

/// Replaces the fair's check-in key (one that leaked) and answers the new one. Tokens signed
/// with the old key are refused from now on (`token_tampered`); seekers' registrations show
/// tokens under the new key. The officers of the fair's district (and admins) only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = DeviceKey),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[post("/fairs/{id}/device-key/rotate")]
pub async fn rotate_device_key(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<DeviceKey>, ApiError> {
    Ok(web::Json(
        checkin::rotate(&state.db, &auth.0, id.into_inner()).await?,
    ))
}
