//! Training sessions at stations: publishing, registration, cancellation.

use actix_web::{HttpResponse, delete, get, post, web};
use doorstep_domain::trainings::{self, SessionInput};
use doorstep_domain::types::TrainingCategory;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, Problem, page, problems};
use crate::routes::reports::RequiredReason;
use crate::startup::AppState;
use crate::views::Page;
use crate::views::community::{SeatView, TrainingCheckinView, TrainingSessionView};

/// Publishes a training session (at a station or another venue). Officers.
#[utoipa::path(
    tag = "trainings",
    security(("bearer" = [])),
    request_body = SessionInput,
    responses(
        (status = 201, body = TrainingSessionView),
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[post("/trainings")]
pub async fn create_training(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<SessionInput>,
) -> Result<HttpResponse, ApiError> {
    let created = trainings::create(&state.db, &auth.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(TrainingSessionView::from(created)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrainingQuery {
    pub station_id: Option<Uuid>,
    pub category: Option<TrainingCategory>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Sessions to come, soonest first, with seats left. Anyone.
#[utoipa::path(
    tag = "trainings",
    params(TrainingQuery),
    responses((status = 200, body = Page<TrainingSessionView>))
)]
#[get("/trainings")]
pub async fn list_trainings(
    state: web::Data<AppState>,
    query: web::Query<TrainingQuery>,
) -> Result<web::Json<Page<TrainingSessionView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = trainings::upcoming(&state.db, query.station_id, query.category, request).await?;
    Ok(web::Json(Page::from(found, Into::into)))
}

/// One session. Anyone.
#[utoipa::path(
    tag = "trainings",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = TrainingSessionView),
        problems::NotFound,
    )
)]
#[get("/trainings/{id}")]
pub async fn get_training(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<TrainingSessionView>, ApiError> {
    Ok(web::Json(
        trainings::find(&state.db, id.into_inner()).await?.into(),
    ))
}

/// Takes a seat (never beyond the capacity, whatever the concurrency). Workers.
#[utoipa::path(
    tag = "trainings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 201, body = SeatView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`session_full`, `already_registered` or `registration_closed`"),
    )
)]
#[post("/trainings/{id}/registrations")]
pub async fn register_training(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let seat = trainings::register(&state.db, &auth.0, id.into_inner()).await?;
    Ok(HttpResponse::Created().json(SeatView::new(seat, None)))
}

/// Gives the caller's seat back, before the session starts.
#[utoipa::path(
    tag = "trainings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = SeatView),
        problems::NotFound,
        problems::Conflict,
    )
)]
#[delete("/trainings/{id}/registrations/me")]
pub async fn cancel_training_registration(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<SeatView>, ApiError> {
    let seat = trainings::cancel_registration(&state.db, &auth.0, id.into_inner()).await?;
    Ok(web::Json(SeatView::new(seat, None)))
}

/// Cancels a session; everyone registered is told. Officers.
#[utoipa::path(
    tag = "trainings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = RequiredReason,
    responses(
        (status = 200, body = TrainingSessionView),
        problems::Forbidden,
        problems::Conflict,
    )
)]
#[post("/trainings/{id}/cancel")]
pub async fn cancel_training(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<RequiredReason>,
) -> Result<web::Json<TrainingSessionView>, ApiError> {
    let cancelled = trainings::cancel_session(
        &state.db,
        &auth.0,
        id.into_inner(),
        &body.into_inner().reason,
    )
    .await?;
    Ok(web::Json(cancelled.into()))
}

/// The caller's registrations with their sessions, newest first.
#[utoipa::path(
    tag = "trainings",
    security(("bearer" = [])),
    params(MyTrainingsQuery),
    responses((status = 200, body = Page<SeatView>), problems::ValidationFailed)
)]
#[get("/me/trainings")]
pub async fn my_trainings(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<MyTrainingsQuery>,
) -> Result<web::Json<Page<SeatView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let mine = trainings::my_registrations(&state.db, &auth.0, request).await?;
    Ok(web::Json(Page::from(mine, |(r, s)| {
        let token = trainings::checkin_token(&s, &r);
        SeatView::new(r, Some(s)).with_token(token)
    })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MyTrainingsQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinInput {
    /// The token read from the worker's QR code.
    pub token: String,
}

/// Scans a worker's QR token at the session: attendance, points and any certificate are
/// recorded once. Officers.
#[utoipa::path(
    tag = "trainings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = CheckinInput,
    responses(
        (status = 200, body = TrainingCheckinView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`registration_cancelled` or `outside_session`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`token_foreign`, `token_tampered`, `token_expired`, `token_wrong_purpose` or `token_malformed` on `token`"),
    )
)]
#[post("/trainings/{id}/check-ins")]
pub async fn training_check_in(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<CheckinInput>,
) -> Result<web::Json<TrainingCheckinView>, ApiError> {
    let (seat, first) = trainings::check_in(
        &state.db,
        &auth.0,
        id.into_inner(),
        &body.into_inner().token,
    )
    .await?;
    Ok(web::Json(TrainingCheckinView {
        registration: SeatView::new(seat, None),
        first,
    }))
}
