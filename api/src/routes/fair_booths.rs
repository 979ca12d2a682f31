//! Booths at a fair: merchants request them, officers review them; the schedule of who comes
//! when; outcomes and applications at the booth.

use actix_web::{HttpResponse, get, post, put, web};
use doorstep_domain::fairs::booths::{self, BoothChange, BoothRequest};
use doorstep_domain::fairs::outcomes::{self, BoothApplyInput, OutcomeInput};
use doorstep_domain::fairs::plans;
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, MaybeAuth, Problem, problems};
use crate::routes::businesses::RejectRequest;
use crate::startup::AppState;
use crate::views::Page;
use crate::views::fairs::{BoothView, BoothVisitView, ScheduleView, VisitorView};
use crate::views::marketplace::ApplicationView;

/// Requests a booth for one of the caller's verified businesses, with up to ten of its open
/// postings. Merchants only; one booth per business and fair.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "fair id")),
    request_body = BoothRequest,
    responses(
        (status = 201, body = BoothView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`booth_already_requested`, `business_not_verified` or `fair_not_open`"),
        problems::ValidationFailed,
    )
)]
#[post("/fairs/{id}/booths")]
pub async fn request_booth(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<BoothRequest>,
) -> Result<HttpResponse, ApiError> {
    let created = booths::request(&state.db, &auth.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(BoothView::from(created)))
}

/// The fair's booths by number: approved ones for everyone, a merchant's own requests too,
/// every request for officers.
#[utoipa::path(
    tag = "fairs",
    params(("id" = Uuid, Path, description = "fair id")),
    responses(
        (status = 200, body = Page<BoothView>),
        problems::NotFound,
    )
)]
#[get("/fairs/{id}/booths")]
pub async fn list_booths(
    state: web::Data<AppState>,
    auth: MaybeAuth,
    id: web::Path<Uuid>,
) -> Result<web::Json<Page<BoothView>>, ApiError> {
    let found = booths::list(&state.db, auth.0.as_ref(), id.into_inner()).await?;
    Ok(web::Json(Page::whole(
        found.into_iter().map(BoothView::from),
    )))
}

/// Changes a booth's postings or capacity. Members of its business only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "fair id"), ("booth_id" = Uuid, Path)),
    request_body = BoothChange,
    responses(
        (status = 200, body = BoothView),
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`booth_rejected` or `fair_not_open`"),
        problems::ValidationFailed,
    )
)]
#[put("/fairs/{id}/booths/{booth_id}")]
pub async fn change_booth(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody<BoothChange>,
) -> Result<web::Json<BoothView>, ApiError> {
    let (fair_id, booth_id) = path.into_inner();
    let changed = booths::change(&state.db, &auth.0, fair_id, booth_id, body.into_inner()).await?;
    Ok(web::Json(changed.into()))
}

/// Approves a requested booth, giving it the lowest free booth number; the merchant is told.
/// Officers only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "fair id"), ("booth_id" = Uuid, Path)),
    responses(
        (status = 200, body = BoothView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`no_booths_left` or `booth_already_reviewed`"),
    )
)]
#[post("/fairs/{id}/booths/{booth_id}/approve")]
pub async fn approve_booth(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<BoothView>, ApiError> {
    let (fair_id, booth_id) = path.into_inner();
    let reviewed = booths::review(&state.db, &auth.0, fair_id, booth_id, Ok(())).await?;
    Ok(web::Json(reviewed.into()))
}

/// Rejects a requested booth with a reason the merchant is told. Officers only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "fair id"), ("booth_id" = Uuid, Path)),
    request_body = RejectRequest,
    responses(
        (status = 200, body = BoothView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`booth_already_reviewed`"),
        problems::ValidationFailed,
    )
)]
#[post("/fairs/{id}/booths/{booth_id}/reject")]
pub async fn reject_booth(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody<RejectRequest>,
) -> Result<web::Json<BoothView>, ApiError> {
    let (fair_id, booth_id) = path.into_inner();
    let reason = body.into_inner().reason;
    let reviewed = booths::review(&state.db, &auth.0, fair_id, booth_id, Err(reason)).await?;
    Ok(web::Json(reviewed.into()))
}

/// Who comes to the booth when, with why they suit it; names masked until the visitor has
/// checked in, contact details never (applying shares them). Members of the booth's
/// business and officers only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "fair id"), ("booth_id" = Uuid, Path)),
    responses(
        (status = 200, body = ScheduleView),
        problems::NotFound,
    )
)]
#[get("/fairs/{id}/booths/{booth_id}/schedule")]
pub async fn booth_schedule(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<ScheduleView>, ApiError> {
    let (fair_id, booth_id) = path.into_inner();
    let (_, booth, visitors) = plans::schedule(&state.db, &auth.0, fair_id, booth_id).await?;
    Ok(web::Json(ScheduleView {
        fair_id,
        booth_id,
        booth_number: booth.booth.number,
        business_name: booth.business.name,
        capacity_per_slot: booth.booth.capacity_per_slot,
        visitors: visitors.into_iter().map(VisitorView::from).collect(),
    }))
}

/// Records how far a visitor got at the booth: `met`, `interview`, `offer` or `hire`.
/// Members of the booth's business (and officers).
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "fair id"), ("booth_id" = Uuid, Path)),
    request_body = OutcomeInput,
    responses(
        (status = 200, body = BoothVisitView),
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`fair_not_open` or `booth_not_approved`"),
        problems::ValidationFailed,
    )
)]
#[post("/fairs/{id}/booths/{booth_id}/outcomes")]
pub async fn record_outcome(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody<OutcomeInput>,
) -> Result<web::Json<BoothVisitView>, ApiError> {
    let (fair_id, booth_id) = path.into_inner();
    let saved = outcomes::record(&state.db, &auth.0, fair_id, booth_id, body.into_inner()).await?;
    Ok(web::Json(saved.into()))
}

/// Applies on the spot to one of the booth's postings: an ordinary application (contact
/// details shared with the business, the merchant told), counted in the fair's figures.
/// Registered seekers only.
#[utoipa::path(
    tag = "fairs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "fair id"), ("booth_id" = Uuid, Path)),
    request_body = BoothApplyInput,
    responses(
        (status = 201, body = ApplicationView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`already_applied`, `not_registered` or `fair_not_open`"),
        problems::ValidationFailed,
    )
)]
#[post("/fairs/{id}/booths/{booth_id}/applications")]
pub async fn apply_at_booth(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody<BoothApplyInput>,
) -> Result<HttpResponse, ApiError> {
    let (fair_id, booth_id) = path.into_inner();
    let created =
        outcomes::apply_at_booth(&state.db, &auth.0, fair_id, booth_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(ApplicationView::new(created)))
}
