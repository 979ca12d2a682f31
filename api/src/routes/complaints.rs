//! Complaints (issue 25): filing with photos, the complainant's list and steps, the
//! officers' queue per district with its deadlines, acknowledging and closing with an
//! outcome, what the business sees (never the complainant), and lifting a suspension.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use doorstep_domain::businesses;
use doorstep_domain::complaints::handling::{self, AcknowledgeInput, ComplaintOutcomeInput};
use doorstep_domain::complaints::{self, ComplaintInput};
use doorstep_domain::entities::complaint;
use doorstep_domain::types::{ComplaintStatus, Role};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::upload::read_body;
use crate::http::{ApiError, Auth, Coord, CoordParam, JsonBody, Problem, page, problems};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::complaints::{BusinessComplaintView, ComplaintPhotoView, ComplaintView};
use crate::views::marketplace::BusinessView;

/// A complaint in full, with the business's upheld count for officers.
async fn full_view(
    state: &AppState,
    auth: &Auth,
    found: complaint::Model,
) -> Result<ComplaintView, ApiError> {
    let (photos, steps) = complaints::details(&state.db, found.id).await?;
    let business = found.business_id;
    let mut view = ComplaintView::full(found, photos, steps);
    if matches!(auth.0.role, Role::Officer | Role::Admin) {
        view.business_upheld_complaints =
            Some(complaints::upheld_against(&state.db, business).await?);
    }
    Ok(view)
}

/// Files a complaint about a posting, a business, a message of one's conversation (the
/// conversation's id and the message's `seq`) or a gig shift. Seekers and merchants. It
/// goes to the officers of the business's district, with an acknowledgement deadline
/// (`complaint_ack_hours`) and a closing deadline (`complaint_close_days`). The business
/// is told of it, never by whom.
#[utoipa::path(
    tag = "complaints",
    security(("bearer" = [])),
    request_body = ComplaintInput,
    responses(
        (status = 201, body = ComplaintView),
        problems::Forbidden,
        problems::NotFound,
        problems::ValidationFailed,
    )
)]
#[post("/complaints")]
pub async fn file_complaint(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<ComplaintInput>,
) -> Result<HttpResponse, ApiError> {
    let created = complaints::file(
        &state.db,
        &state.settings.complaint_rules(),
        &auth.0,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created().json(full_view(&state, &auth, created).await?))
}

/// Adds a photo (the request body: JPEG, PNG or WebP, at most `max_photo_bytes`; metadata
/// removed) to the caller's complaint until it is closed. Up to six.
#[utoipa::path(
    tag = "complaints",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses(
        (status = 201, body = ComplaintPhotoView),
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`too_many_files` or `complaint_closed`"),
        problems::PayloadTooLarge,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`not_an_image`"),
    )
)]
#[post("/complaints/{id}/photos")]
pub async fn add_complaint_photo(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let limit = state.settings.max_photo_bytes;
    let bytes = read_body(&req, payload, limit).await?;
    let stored = complaints::attach_photo(
        &state.db,
        state.media.as_ref(),
        limit,
        &auth.0,
        id.into_inner(),
        bytes,
    )
    .await?;
    Ok(HttpResponse::Created().json(ComplaintPhotoView::from(stored)))
}

/// A complaint's photo: its complainant and the officers of its district.
#[utoipa::path(
    tag = "complaints",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("photo_id" = Uuid, Path)),
    responses(
        (status = 200, description = "the photo, with its content type", content_type = "application/octet-stream"),
        problems::NotFound,
    )
)]
#[get("/complaints/{id}/photos/{photo_id}")]
pub async fn get_complaint_photo(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, photo_id) = path.into_inner();
    let (row, bytes) =
        complaints::photo(&state.db, state.media.as_ref(), &auth.0, id, photo_id).await?;
    Ok(crate::http::upload::private_file(row.content_type, bytes))
}

/// One complaint with its photos and each step: its complainant, and the officers of its
/// district.
#[utoipa::path(
    tag = "complaints",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = ComplaintView),
        problems::NotFound,
    )
)]
#[get("/complaints/{id}")]
pub async fn get_complaint(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<ComplaintView>, ApiError> {
    let found = complaints::readable_by(&state.db, &auth.0, id.into_inner()).await?;
    Ok(web::Json(full_view(&state, &auth, found).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ComplaintPageQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The caller's own complaints, newest first.
#[utoipa::path(
    tag = "complaints",
    security(("bearer" = [])),
    params(ComplaintPageQuery),
    responses((status = 200, body = Page<ComplaintView>))
)]
#[get("/me/complaints")]
pub async fn my_complaints(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<ComplaintPageQuery>,
) -> Result<web::Json<Page<ComplaintView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = complaints::mine(&state.db, &auth.0, request).await?;
    Ok(web::Json(Page::from(found, ComplaintView::brief)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ComplaintQueueQuery {
    /// Default: every complaint not closed.
    pub status: Option<ComplaintStatus>,
    /// Only complaints that passed a deadline.
    #[serde(default)]
    pub overdue: bool,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The officers' queue of complaints in their districts, newest first, with each one's
/// deadlines.
#[utoipa::path(
    tag = "complaints",
    security(("bearer" = [])),
    params(ComplaintQueueQuery),
    responses(
        (status = 200, body = Page<ComplaintView>),
        problems::Forbidden,
    )
)]
#[get("/complaints")]
pub async fn complaint_queue(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<ComplaintQueueQuery>,
) -> Result<web::Json<Page<ComplaintView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = complaints::queue(&state.db, &auth.0, query.status, query.overdue, request).await?;
    Ok(web::Json(Page::from(found, ComplaintView::brief)))
}

/// An officer of the complaint's district takes it up (the first answer; the complainant
/// is told).
#[utoipa::path(
    tag = "complaints",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = AcknowledgeInput,
    responses(
        (status = 200, body = ComplaintView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`invalid_transition` or `complaint_closed`"),
        problems::ValidationFailed,
    )
)]
#[post("/complaints/{id}/acknowledge")]
pub async fn acknowledge_complaint(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<AcknowledgeInput>,
) -> Result<web::Json<ComplaintView>, ApiError> {
    let updated =
        handling::acknowledge(&state.db, &auth.0, id.into_inner(), body.into_inner()).await?;
    Ok(web::Json(full_view(&state, &auth, updated).await?))
}

/// An officer of the complaint's district closes it: upheld with an action (the posting
/// taken down, the business warned, or the business suspended: it cannot post and its
/// postings leave search at once), or not upheld with a reason. The complainant sees the
/// outcome; the business is told of an upheld one, never by whom.
#[utoipa::path(
    tag = "complaints",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = ComplaintOutcomeInput,
    responses(
        (status = 200, body = ComplaintView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`complaint_closed`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed` (`required`, `field_not_for_kind`, `action_not_applicable`)"),
    )
)]
#[post("/complaints/{id}/outcome")]
pub async fn decide_complaint(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ComplaintOutcomeInput>,
) -> Result<web::Json<ComplaintView>, ApiError> {
    let updated = handling::decide(&state.db, &auth.0, id.into_inner(), body.into_inner()).await?;
    Ok(web::Json(full_view(&state, &auth, updated).await?))
}

/// The complaints against a business: its members, and the officers of its district. Who
/// complained, and in what words, is not shown.
#[utoipa::path(
    tag = "complaints",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ComplaintPageQuery),
    responses(
        (status = 200, body = Page<BusinessComplaintView>),
        problems::NotFound,
    )
)]
#[get("/businesses/{id}/complaints")]
pub async fn business_complaints(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<ComplaintPageQuery>,
) -> Result<web::Json<Page<BusinessComplaintView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = complaints::against_business(&state.db, &auth.0, id.into_inner(), request).await?;
    Ok(web::Json(Page::from(found, BusinessComplaintView::from)))
}

/// Why an officer lifts a suspension.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspensionLiftInput {
    /// 2 to 300 characters (kept in the audit log).
    pub reason: String,
}

/// An officer of the business's district lifts its suspension: it is verified again and
/// its open postings return to search.
#[utoipa::path(
    tag = "complaints",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = SuspensionLiftInput,
    responses(
        (status = 200, body = BusinessView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`business_not_suspended`"),
        problems::ValidationFailed,
    )
)]
#[post("/businesses/{id}/lift-suspension")]
pub async fn lift_business_suspension(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<SuspensionLiftInput>,
) -> Result<web::Json<BusinessView>, ApiError> {
    let lifted = businesses::lift_suspension(
        &state.db,
        &auth.0,
        id.into_inner(),
        &body.into_inner().reason,
    )
    .await?;
    Ok(coord.json(BusinessView::full(lifted)))
}

/// A business's merchant record (reliability on gig shifts, upheld complaints), for the
/// posting and shift views.
pub(crate) async fn merchant_record(
    state: &AppState,
    business: Uuid,
) -> Result<crate::views::complaints::MerchantRecordView, ApiError> {
    let now = doorstep_domain::time::now();
    let reliability =
        doorstep_domain::gigs::reliability::of_merchant(&state.db, business, now).await?;
    let upheld = complaints::upheld_against(&state.db, business).await?;
    Ok(crate::views::complaints::MerchantRecordView::new(
        reliability,
        upheld,
    ))
}
