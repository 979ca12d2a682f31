//! Claims on shifts: claiming (or joining the waiting list), cancelling, the merchant's
//! approval, and the lists each side reads.

use actix_web::{HttpResponse, get, post, web};
use doorstep_domain::gigs::claims::{self, ClaimInput};
use doorstep_domain::gigs::reliability;
use doorstep_domain::types::ClaimStatus;
use doorstep_domain::{applications, time};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::ReasonInput;
use crate::http::{ApiError, Auth, Coord, CoordParam, JsonBody, Problem, page, problems};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::gigs::ClaimView;

/// Claims a place on a shift (seekers). Instant postings confirm at once; approval
/// postings hold the place pending the merchant. When the shift is full the claim is
/// refused with `shift_full`, or with `"waitlist": true` joins the waiting list (promoted
/// in order when a place frees). Claiming shares the seeker's name and phone with the
/// business. However many claim at once, no shift holds more claims than places.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "shift id"), CoordParam),
    request_body = ClaimInput,
    responses(
        (status = 201, body = ClaimView, description = "confirmed, pending or waitlisted"),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json",
            description = "`shift_full`, `already_claimed`, `overlapping_claim`, `favourites_only`, `shift_started` or `shift_cancelled`"),
    )
)]
#[post("/shifts/{id}/claims")]
pub async fn claim_shift(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ClaimInput>,
) -> Result<HttpResponse, ApiError> {
    let now = time::now();
    let made = claims::claim(&state.db, &auth.0, id.into_inner(), body.into_inner(), now).await?;
    Ok(HttpResponse::Created().json(
        coord.outbound(
            ClaimView::new(made.claim)
                .with_position(made.waitlist_position)
                .with_shift(made.shift, now),
        ),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClaimListQuery {
    pub status: Option<ClaimStatus>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The claims on a shift in the order they were made, each with the worker's name, phone
/// and reliability (members of its business).
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "shift id"), ClaimListQuery, CoordParam),
    responses(
        (status = 200, body = Page<ClaimView>),
        problems::NotFound,
    )
)]
#[get("/shifts/{id}/claims")]
pub async fn list_shift_claims(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<ClaimListQuery>,
) -> Result<web::Json<Page<ClaimView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found =
        claims::list_for_shift(&state.db, &auth.0, id.into_inner(), query.status, request).await?;
    let seekers: Vec<Uuid> = found.items.iter().map(|c| c.seeker_id).collect();
    let workers = applications::applicants(&state.db, &seekers).await?;
    let records = reliability::of_seekers(&state.db, &seekers, time::now()).await?;
    let mut positions = Vec::new();
    for claim in &found.items {
        positions.push(claims::waitlist_position(&state.db, claim).await?);
    }
    let mut positions = positions.into_iter();
    Ok(coord.json(Page::from(found, |c| {
        let seeker = c.seeker_id;
        ClaimView::new(c)
            .with_position(positions.next().flatten())
            .with_worker(
                workers.get(&seeker),
                records.get(&seeker).copied().unwrap_or_default(),
            )
    })))
}

/// The caller's claims with their shifts, newest first (seekers).
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(ClaimListQuery, CoordParam),
    responses(
        (status = 200, body = Page<ClaimView>),
        problems::Forbidden,
    )
)]
#[get("/me/claims")]
pub async fn my_claims(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<ClaimListQuery>,
) -> Result<web::Json<Page<ClaimView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = claims::list_mine(&state.db, &auth.0, query.status, request).await?;
    let mut positions = Vec::new();
    for (claim, _) in &found.items {
        positions.push(claims::waitlist_position(&state.db, claim).await?);
    }
    let mut positions = positions.into_iter();
    let now = time::now();
    Ok(coord.json(Page::from(found, |(c, s)| {
        ClaimView::new(c)
            .with_position(positions.next().flatten())
            .with_shift(s, now)
    })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClaimReadQuery {
    /// Officers: why they read it (required; the read is audited).
    pub reason: Option<String>,
}

/// One claim with its shift: for its seeker, the members of its business, or an officer
/// who states why.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ClaimReadQuery, CoordParam),
    responses(
        (status = 200, body = ClaimView),
        problems::NotFound,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "an officer without `reason`"),
    )
)]
#[get("/claims/{id}")]
pub async fn get_claim(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<ClaimReadQuery>,
) -> Result<web::Json<ClaimView>, ApiError> {
    let (claim, shift, party) =
        claims::get(&state.db, &auth.0, id.into_inner(), query.reason.as_deref()).await?;
    let now = time::now();
    let position = claims::waitlist_position(&state.db, &claim).await?;
    let mut view = ClaimView::new(claim.clone())
        .with_position(position)
        .with_shift(shift, now);
    if party != claims::Party::Seeker {
        let workers = applications::applicants(&state.db, &[claim.seeker_id]).await?;
        let record = reliability::of_seeker(&state.db, claim.seeker_id, now).await?;
        view = view.with_worker(workers.get(&claim.seeker_id), record);
    }
    Ok(coord.json(view))
}

/// The seeker cancels their claim before the shift starts. Later than the posting's
/// cut-off (default 12 h before the start) it is a late cancellation, unless the merchant
/// changed the shift after it was claimed. The place goes to the waiting list.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = ReasonInput,
    responses(
        (status = 200, body = ClaimView),
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`cannot_cancel` or `shift_started`"),
    )
)]
#[post("/claims/{id}/cancel")]
pub async fn cancel_claim(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ReasonInput>,
) -> Result<web::Json<ClaimView>, ApiError> {
    let reason = body.into_inner().reason;
    let cancelled = claims::cancel(
        &state.db,
        &auth.0,
        id.into_inner(),
        reason.as_deref(),
        time::now(),
    )
    .await?;
    Ok(coord.json(ClaimView::new(cancelled)))
}

/// Approves a pending claim (members; approval postings).
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = ClaimView),
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`not_pending` or `shift_started`"),
    )
)]
#[post("/claims/{id}/approve")]
pub async fn approve_claim(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<ClaimView>, ApiError> {
    let decided =
        claims::decide(&state.db, &auth.0, id.into_inner(), true, None, time::now()).await?;
    Ok(coord.json(ClaimView::new(decided)))
}

/// Rejects a pending claim, with an optional reason told to the seeker (members). The
/// place goes to the waiting list.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = ReasonInput,
    responses(
        (status = 200, body = ClaimView),
        problems::NotFound,
        problems::Conflict,
    )
)]
#[post("/claims/{id}/reject")]
pub async fn reject_claim(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ReasonInput>,
) -> Result<web::Json<ClaimView>, ApiError> {
    let reason = body.into_inner().reason;
    let decided = claims::decide(
        &state.db,
        &auth.0,
        id.into_inner(),
        false,
        reason.as_deref(),
        time::now(),
    )
    .await?;
    Ok(coord.json(ClaimView::new(decided)))
}
