//! 随手拍 reports: filing with photos and a voice note, the coordinators' queue and dispatch,
//! the department's handling (by account or signed link), files, and the public board.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use doorstep_domain::reports::handling::{self, DepartmentInput, DispatchInput, Handler};
use doorstep_domain::reports::{self, ReportInput};
use doorstep_domain::types::{MediaKind, ReportStatus, Role};
use doorstep_matcher::wechat::content::Scene;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::upload::read_body;
use crate::http::{
    ApiError, Auth, Coord, CoordParam, JsonBody, MaybeAuth, Problem, page, problems,
};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::community::{
    DepartmentView, DispatchView, MediaView, PublicReportView, ReportView,
};

async fn full_view(
    state: &AppState,
    report: doorstep_domain::entities::report::Model,
    show_reporter: bool,
) -> Result<ReportView, ApiError> {
    let (files, history) = reports::details(&state.db, report.id).await?;
    Ok(ReportView::new(report, files, history, show_reporter))
}

fn is_coordinator(auth: &Auth) -> bool {
    matches!(auth.0.role, Role::Officer | Role::Admin)
}

/// Files a report. Registered workers (seekers). If the same problem was reported within
/// 50 m in the last day, the report is linked to that one (`status: duplicate`).
#[utoipa::path(
    tag = "reports",
    params(CoordParam),
    security(("bearer" = [])),
    request_body = ReportInput,
    responses(
        (status = 201, body = ReportView),
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[post("/reports")]
pub async fn file_report(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<ReportInput>,
) -> Result<HttpResponse, ApiError> {
    let input = coord.inbound(body.into_inner());
    let checked = state
        .content
        .check(
            &state.db,
            auth.0.account_id,
            Scene::Forum,
            &[("text", &input.text), ("address", &input.address)],
        )
        .await?;
    let created = reports::file(&state.db, &auth.0, input, &checked.held).await?;
    Ok(HttpResponse::Created().json(coord.outbound(full_view(&state, created, false).await?)))
}

async fn upload(
    state: &AppState,
    auth: &Auth,
    req: &HttpRequest,
    payload: web::Payload,
    id: Uuid,
    kind: MediaKind,
) -> Result<HttpResponse, ApiError> {
    let limits = state.upload_limits();
    let limit = match kind {
        MediaKind::Voice => limits.voice_bytes,
        _ => limits.photo_bytes,
    };
    let bytes = read_body(req, payload, limit).await?;
    let stored = reports::attach(
        &state.db,
        state.media.as_ref(),
        limits,
        &auth.0,
        id,
        kind,
        bytes,
    )
    .await?;
    Ok(HttpResponse::Created().json(MediaView::from(stored)))
}

/// Adds a photo (the request body: JPEG, PNG or WebP, at most `max_photo_bytes`) to the
/// caller's report, until it is dispatched; location and other metadata are removed
/// before it is stored. Up to six.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses(
        (status = 201, body = MediaView),
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`too_many_files` or `report_closed_for_files`"),
        problems::PayloadTooLarge,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`not_an_image`"),
    )
)]
#[post("/reports/{id}/photos")]
pub async fn add_photo(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    upload(
        &state,
        &auth,
        &req,
        payload,
        id.into_inner(),
        MediaKind::Photo,
    )
    .await
}

/// Adds a voice note (the request body: MP3, AAC, M4A, AMR, SILK, WAV or Ogg, at most
/// `max_voice_bytes`) to the caller's report. One per report.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "audio/mpeg"),
    responses(
        (status = 201, body = MediaView),
        problems::NotFound,
        problems::Conflict,
        problems::PayloadTooLarge,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`not_audio`"),
    )
)]
#[post("/reports/{id}/voice")]
pub async fn add_voice(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    upload(
        &state,
        &auth,
        &req,
        payload,
        id.into_inner(),
        MediaKind::Voice,
    )
    .await
}

/// A file attached to a report: for those who may read the report; resolution photos of a
/// resolved report are public (they appear on the board).
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "the file, with its content type", content_type = "application/octet-stream"),
        problems::NotFound,
    )
)]
#[get("/media/{id}")]
pub async fn get_media(
    state: web::Data<AppState>,
    auth: MaybeAuth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (row, bytes) = reports::media_file(
        &state.db,
        state.media.as_ref(),
        auth.0.as_ref(),
        id.into_inner(),
    )
    .await?;
    Ok(crate::http::upload::private_file(row.content_type, bytes))
}

/// One report, with its files and history: its reporter, coordinators, and the handler
/// account of its department.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = ReportView),
        problems::NotFound,
    )
)]
#[get("/reports/{id}")]
pub async fn get_report(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<ReportView>, ApiError> {
    let found = reports::readable_by(&state.db, &auth.0, id.into_inner()).await?;
    Ok(coord.json(full_view(&state, found, is_coordinator(&auth)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The caller's own reports, newest first.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(PageQuery, CoordParam),
    responses((status = 200, body = Page<ReportView>))
)]
#[get("/me/reports")]
pub async fn my_reports(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<ReportView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = reports::mine(&state.db, &auth.0, request).await?;
    Ok(coord.json(Page::from(found, |r| ReportView::brief(r, false))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Default `submitted` (waiting for dispatch).
    pub status: Option<ReportStatus>,
    /// Only reports that went past their deadline.
    #[serde(default)]
    pub overdue: bool,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The coordinators' queue, newest first (linked duplicates travel with their report).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(QueueQuery, CoordParam),
    responses(
        (status = 200, body = Page<ReportView>),
        problems::Forbidden,
    )
)]
#[get("/reports")]
pub async fn report_queue(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<QueueQuery>,
) -> Result<web::Json<Page<ReportView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = reports::queue(&state.db, &auth.0, query.status, query.overdue, request).await?;
    Ok(coord.json(Page::from(found, |r| ReportView::brief(r, true))))
}

/// Dispatches a report to a department with a deadline (or again, to another department):
/// the reporter earns points, the department is e-mailed a signed handling link, its
/// handler account gets a notice. Coordinators (officers).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = DispatchInput,
    responses(
        (status = 200, body = DispatchView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`report_is_duplicate` or `report_closed`"),
        problems::ValidationFailed,
    )
)]
#[post("/reports/{id}/dispatch")]
pub async fn dispatch_report(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<DispatchInput>,
) -> Result<web::Json<DispatchView>, ApiError> {
    let dispatched = handling::dispatch(
        &state.db,
        &auth.0,
        id.into_inner(),
        body.into_inner(),
        &state.settings.public_url(),
    )
    .await?;
    Ok(coord.json(DispatchView {
        report: full_view(&state, dispatched.report, true).await?,
        handling_link: dispatched.link,
    }))
}

/// A reason the route requires (the gig routes' `ReasonInput` is optional; one schema name
/// each, or one would replace the other in the document).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredReason {
    /// 2 to 300 characters; the other side reads it.
    pub reason: String,
}

/// Turns a report down with a reason. Coordinators.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = RequiredReason,
    responses(
        (status = 200, body = ReportView),
        problems::Forbidden,
        problems::Conflict,
    )
)]
#[post("/reports/{id}/reject")]
pub async fn reject_report(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<RequiredReason>,
) -> Result<web::Json<ReportView>, ApiError> {
    let rejected = handling::reject(
        &state.db,
        &auth.0,
        id.into_inner(),
        &body.into_inner().reason,
    )
    .await?;
    Ok(coord.json(full_view(&state, rejected, true).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// What was done (required, 2 to 500 characters, when resolving).
    #[serde(default)]
    pub note: String,
}

async fn advance(
    coord: Coord,
    state: &AppState,
    handler: Handler<'_>,
    id: Option<Uuid>,
    to: ReportStatus,
    note: &str,
) -> Result<web::Json<ReportView>, ApiError> {
    let updated = handling::advance(&state.db, handler, id, to, note).await?;
    Ok(coord.json(full_view(state, updated, false).await?))
}

/// The department's handler account (or a coordinator) marks the work started.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = NoteInput,
    responses(
        (status = 200, body = ReportView),
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`invalid_transition`"),
    )
)]
#[post("/reports/{id}/progress")]
pub async fn report_in_progress(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<NoteInput>,
) -> Result<web::Json<ReportView>, ApiError> {
    let note = body.into_inner().note;
    advance(
        coord,
        &state,
        Handler::Account(&auth.0),
        Some(id.into_inner()),
        ReportStatus::InProgress,
        &note,
    )
    .await
}

/// The department's handler account (or a coordinator) marks the problem fixed, with a
/// note.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = NoteInput,
    responses(
        (status = 200, body = ReportView),
        problems::NotFound,
        problems::Conflict,
        problems::ValidationFailed,
    )
)]
#[post("/reports/{id}/resolve")]
pub async fn resolve_report(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<NoteInput>,
) -> Result<web::Json<ReportView>, ApiError> {
    let note = body.into_inner().note;
    advance(
        coord,
        &state,
        Handler::Account(&auth.0),
        Some(id.into_inner()),
        ReportStatus::Resolved,
        &note,
    )
    .await
}

async fn resolution_photo(
    state: &AppState,
    handler: Handler<'_>,
    id: Option<Uuid>,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let limits = state.upload_limits();
    let bytes = read_body(req, payload, limits.photo_bytes).await?;
    let stored = handling::attach_resolution_photo(
        &state.db,
        state.media.as_ref(),
        limits,
        handler,
        id,
        bytes,
    )
    .await?;
    Ok(HttpResponse::Created().json(MediaView::from(stored)))
}

/// The handler's photo of the fix (request body: a photo, metadata removed).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses(
        (status = 201, body = MediaView),
        problems::NotFound,
        problems::PayloadTooLarge,
        problems::ValidationFailed,
    )
)]
#[post("/reports/{id}/resolution-photos")]
pub async fn add_resolution_photo(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    resolution_photo(
        &state,
        Handler::Account(&auth.0),
        Some(id.into_inner()),
        &req,
        payload,
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// The signed handling link's token.
    pub token: String,
}

/// The report a handling link is for (no account needed; nothing about the reporter).
#[utoipa::path(
    tag = "reports",
    params(LinkQuery, CoordParam),
    responses(
        (status = 200, body = ReportView),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`invalid_token`, `token_expired` or `token_revoked`"),
    )
)]
#[get("/report-handling")]
pub async fn handling_view(
    coord: Coord,
    state: web::Data<AppState>,
    query: web::Query<LinkQuery>,
) -> Result<web::Json<ReportView>, ApiError> {
    let found = handling::report_for_handler(&state.db, Handler::Link(&query.token), None).await?;
    Ok(coord.json(full_view(&state, found, false).await?))
}

/// Through the handling link: the work has started.
#[utoipa::path(
    tag = "reports",
    params(LinkQuery, CoordParam),
    request_body = NoteInput,
    responses(
        (status = 200, body = ReportView),
        problems::Unauthorized,
        problems::Conflict,
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`: too many unauthenticated writes from this address"),
    )
)]
#[post("/report-handling/progress")]
pub async fn handling_progress(
    coord: Coord,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LinkQuery>,
    body: JsonBody<NoteInput>,
) -> Result<web::Json<ReportView>, ApiError> {
    state.limit_anonymous_write(&req)?;
    let note = body.into_inner().note;
    advance(
        coord,
        &state,
        Handler::Link(&query.token),
        None,
        ReportStatus::InProgress,
        &note,
    )
    .await
}

/// Through the handling link: the problem is fixed.
#[utoipa::path(
    tag = "reports",
    params(LinkQuery, CoordParam),
    request_body = NoteInput,
    responses(
        (status = 200, body = ReportView),
        problems::Unauthorized,
        problems::Conflict,
        problems::ValidationFailed,
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`: too many unauthenticated writes from this address"),
    )
)]
#[post("/report-handling/resolve")]
pub async fn handling_resolve(
    coord: Coord,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LinkQuery>,
    body: JsonBody<NoteInput>,
) -> Result<web::Json<ReportView>, ApiError> {
    state.limit_anonymous_write(&req)?;
    let note = body.into_inner().note;
    advance(
        coord,
        &state,
        Handler::Link(&query.token),
        None,
        ReportStatus::Resolved,
        &note,
    )
    .await
}

/// Through the handling link: a photo of the fix.
#[utoipa::path(
    tag = "reports",
    params(LinkQuery),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses(
        (status = 201, body = MediaView),
        problems::Unauthorized,
        problems::PayloadTooLarge,
        problems::ValidationFailed,
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`rate_limited`: too many unauthenticated writes from this address"),
    )
)]
#[post("/report-handling/photos")]
pub async fn handling_photo(
    state: web::Data<AppState>,
    query: web::Query<LinkQuery>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    state.limit_anonymous_write(&req)?;
    resolution_photo(&state, Handler::Link(&query.token), None, &req, payload).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// One district's board.
    pub district_id: Option<Uuid>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The public board: resolved reports, newest first, with how many people reported each
/// and the photos of the fix; never who reported. Anyone.
#[utoipa::path(
    tag = "reports",
    params(BoardQuery, CoordParam),
    responses((status = 200, body = Page<PublicReportView>))
)]
#[get("/board/reports")]
pub async fn report_board(
    coord: Coord,
    state: web::Data<AppState>,
    query: web::Query<BoardQuery>,
) -> Result<web::Json<Page<PublicReportView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = reports::board(&state.db, query.district_id, request).await?;
    Ok(coord.json(Page::from(found, |(r, photos)| {
        PublicReportView::new(r, photos)
    })))
}

/// Adds a department that handles reports. Coordinators.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    request_body = DepartmentInput,
    responses(
        (status = 201, body = DepartmentView),
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[post("/departments")]
pub async fn create_department(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<DepartmentInput>,
) -> Result<HttpResponse, ApiError> {
    let created = handling::create_department(&state.db, &auth.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(DepartmentView::from(created)))
}

/// The departments reports go to. Coordinators.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Page<DepartmentView>),
        problems::Forbidden,
    )
)]
#[get("/departments")]
pub async fn list_departments(
    state: web::Data<AppState>,
    auth: Auth,
) -> Result<web::Json<Page<DepartmentView>>, ApiError> {
    let all = handling::list_departments(&state.db, &auth.0).await?;
    Ok(web::Json(Page::whole(all.into_iter().map(Into::into))))
}
