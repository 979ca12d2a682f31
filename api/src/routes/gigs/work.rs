//! The work itself: check-in and out, hours and their disputes, ratings, pay summaries and
//! reliability.

use actix_web::{HttpResponse, get, post, web};
use doorstep_domain::gigs::attendance::{self, AttendanceInput};
use doorstep_domain::gigs::hours::{self, HoursInput};
use doorstep_domain::gigs::pay::{iso_week, lines_csv, weekly_csv};
use doorstep_domain::gigs::ratings::{self, RatingInput};
use doorstep_domain::gigs::{payroll, reliability};
use doorstep_domain::time;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{PayFormat, csv};
use crate::http::{ApiError, Auth, Coord, CoordParam, JsonBody, Problem, page, problems};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::gigs::{
    ClaimView, RatingView, RatingsView, ReliabilityView, ShiftPayView, WeekPayView,
};

/// Checks in on the caller's confirmed claim, with the code shown at the workplace or a
/// position inside the shift's geofence (with its accuracy). Check-in opens 30 minutes
/// before the start and closes 15 minutes after it (settings); arriving after the start
/// records `late_minutes`. A second check-in (a replayed code) is refused.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "claim id"), CoordParam),
    request_body = AttendanceInput,
    responses(
        (status = 200, body = ClaimView),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such claim, or someone else's"),
        (status = 409, body = Problem, content_type = "application/problem+json",
            description = "`invalid_code`, `too_many_attempts`, `outside_geofence`, `location_too_inaccurate`, `checkin_not_open`, `checkin_closed`, `already_checked_in` or `not_confirmed`"),
        problems::ValidationFailed,
    )
)]
#[post("/claims/{id}/check-in")]
pub async fn check_in(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<AttendanceInput>,
) -> Result<web::Json<ClaimView>, ApiError> {
    let rules = state.settings.gig_rules();
    let claim = attendance::check_in(
        &state.db,
        &rules,
        &auth.0,
        id.into_inner(),
        coord.inbound(body.into_inner()),
        time::now(),
    )
    .await?;
    Ok(coord.json(ClaimView::new(claim)))
}

/// Checks out, by code or position as at check-in. A forgotten check-out is settled by the
/// merchant confirming the hours, or automatically 48 h after the shift.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "claim id"), CoordParam),
    request_body = AttendanceInput,
    responses(
        (status = 200, body = ClaimView),
        problems::NotFound,
        problems::Conflict,
        problems::ValidationFailed,
    )
)]
#[post("/claims/{id}/check-out")]
pub async fn check_out(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<AttendanceInput>,
) -> Result<web::Json<ClaimView>, ApiError> {
    let claim = attendance::check_out(
        &state.db,
        &auth.0,
        id.into_inner(),
        coord.inbound(body.into_inner()),
        time::now(),
    )
    .await?;
    Ok(coord.json(ClaimView::new(claim)))
}

/// Confirms a worker's hours (members of the shift's business): minutes × rate gives the
/// pay, in integer fen. Settles a forgotten check-out, and overturns a no-show for a
/// worker who came. Can be repeated until the worker disputes.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "claim id"), CoordParam),
    request_body = HoursInput,
    responses(
        (status = 200, body = ClaimView),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such claim, or another business's"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`not_worked` or `hours_settled`"),
        problems::ValidationFailed,
    )
)]
#[post("/claims/{id}/hours")]
pub async fn confirm_hours(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<HoursInput>,
) -> Result<web::Json<ClaimView>, ApiError> {
    let claim = hours::confirm(
        &state.db,
        &auth.0,
        id.into_inner(),
        body.into_inner(),
        time::now(),
    )
    .await?;
    Ok(coord.json(ClaimView::new(claim)))
}

/// The worker disputes settled hours (or a no-show) within 7 days, giving their own times
/// and why (`note`). Both sides' times are kept until an officer resolves it.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "claim id"), CoordParam),
    request_body = HoursInput,
    responses(
        (status = 200, body = ClaimView),
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`not_disputable` or `dispute_window_closed`"),
        problems::ValidationFailed,
    )
)]
#[post("/claims/{id}/dispute")]
pub async fn dispute_hours(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<HoursInput>,
) -> Result<web::Json<ClaimView>, ApiError> {
    let claim = hours::dispute(
        &state.db,
        &auth.0,
        id.into_inner(),
        body.into_inner(),
        time::now(),
    )
    .await?;
    Ok(coord.json(ClaimView::new(claim)))
}

/// An officer resolves a dispute with the times they found and a `note`; both sides are
/// told, and the decision is audited.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "claim id"), CoordParam),
    request_body = HoursInput,
    responses(
        (status = 200, body = ClaimView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`not_disputed`"),
        problems::ValidationFailed,
    )
)]
#[post("/claims/{id}/resolve")]
pub async fn resolve_dispute(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<HoursInput>,
) -> Result<web::Json<ClaimView>, ApiError> {
    let claim = hours::resolve(
        &state.db,
        &auth.0,
        id.into_inner(),
        body.into_inner(),
        time::now(),
    )
    .await?;
    Ok(coord.json(ClaimView::new(claim)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DisputeListQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Disputed hours waiting for an officer, oldest first (officers).
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(DisputeListQuery, CoordParam),
    responses(
        (status = 200, body = Page<ClaimView>),
        problems::Forbidden,
    )
)]
#[get("/disputes")]
pub async fn list_disputes(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<DisputeListQuery>,
) -> Result<web::Json<Page<ClaimView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = hours::disputes(&state.db, &auth.0, request).await?;
    Ok(coord.json(Page::from(found, ClaimView::new)))
}

/// Rates the other side of a worked shift: the business its worker, or the worker the
/// business; 1 to 5 stars and tags from the side's list, within 7 days of the shift. Each
/// side's rating stays hidden from the other until both have rated or the 7 days passed.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "claim id")),
    request_body = RatingInput,
    responses(
        (status = 201, body = RatingView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`already_rated`, `not_completed` or `rating_window_closed`"),
        problems::ValidationFailed,
    )
)]
#[post("/claims/{id}/rating")]
pub async fn rate_shift(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<RatingInput>,
) -> Result<HttpResponse, ApiError> {
    let rating = ratings::rate(
        &state.db,
        &auth.0,
        id.into_inner(),
        body.into_inner(),
        time::now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(RatingView::from(rating)))
}

/// A claim's ratings as the caller sees them: their own, and the other side's once both
/// rated or 7 days after the shift.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "claim id")),
    responses(
        (status = 200, body = RatingsView),
        problems::NotFound,
    )
)]
#[get("/claims/{id}/ratings")]
pub async fn claim_ratings(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<RatingsView>, ApiError> {
    let seen = ratings::seen_by(&state.db, &auth.0, id.into_inner(), time::now()).await?;
    Ok(web::Json(seen.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PayQuery {
    /// `json` (default) or `csv` (UTF-8 with a byte-order mark).
    #[param(inline)]
    pub format: Option<PayFormat>,
}

/// Every worker's hours and pay on a shift (members), as JSON or CSV.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "shift id"), PayQuery),
    responses(
        (status = 200, content((ShiftPayView = "application/json"), (String = "text/csv"))),
        problems::NotFound,
    )
)]
#[get("/shifts/{id}/pay")]
pub async fn shift_pay(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<PayQuery>,
) -> Result<HttpResponse, ApiError> {
    let (shift, lines) = payroll::shift_pay(&state.db, &auth.0, id.into_inner()).await?;
    Ok(match query.format.unwrap_or_default() {
        PayFormat::Csv => csv(
            &format!(
                "shift-{}.csv",
                time::to_display(shift.starts_at).format("%Y%m%d-%H%M")
            ),
            lines_csv(&lines),
        ),
        PayFormat::Json => HttpResponse::Ok().json(ShiftPayView::new(shift.id, lines)),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WeekQuery {
    /// ISO week, e.g. `2026-W48` (Monday to Sunday, China time); absent means this week.
    pub week: Option<String>,
    /// `json` (default) or `csv`.
    #[param(inline)]
    pub format: Option<PayFormat>,
}

fn week_response(
    week: String,
    lines: Vec<doorstep_domain::gigs::pay::PayLine>,
    totals: Vec<doorstep_domain::gigs::pay::WeekTotal>,
    format: Option<PayFormat>,
    name: &str,
) -> HttpResponse {
    match format.unwrap_or_default() {
        PayFormat::Csv => csv(&format!("{name}-{week}.csv"), weekly_csv(&totals)),
        PayFormat::Json => HttpResponse::Ok().json(WeekPayView {
            week,
            lines: lines.into_iter().map(Into::into).collect(),
            totals: totals.into_iter().map(Into::into).collect(),
        }),
    }
}

/// A business's pay per worker for an ISO week (members), as JSON or CSV.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "business id"), WeekQuery),
    responses(
        (status = 200, content((WeekPayView = "application/json"), (String = "text/csv"))),
        problems::NotFound,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`invalid_week`"),
    )
)]
#[get("/businesses/{id}/pay")]
pub async fn business_pay(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<WeekQuery>,
) -> Result<HttpResponse, ApiError> {
    let week = query.week.clone().unwrap_or_else(|| iso_week(time::now()));
    let (lines, totals) =
        payroll::business_week(&state.db, &auth.0, id.into_inner(), &week).await?;
    Ok(week_response(week, lines, totals, query.format, "pay"))
}

/// The caller's own shifts and pay for an ISO week (seekers), as JSON or CSV.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(WeekQuery),
    responses(
        (status = 200, content((WeekPayView = "application/json"), (String = "text/csv"))),
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[get("/me/pay")]
pub async fn my_pay(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<WeekQuery>,
) -> Result<HttpResponse, ApiError> {
    let week = query.week.clone().unwrap_or_else(|| iso_week(time::now()));
    let (lines, totals) = payroll::my_week(&state.db, &auth.0, &week).await?;
    Ok(week_response(week, lines, totals, query.format, "my-pay"))
}

/// A worker's reliability over the last 90 days (completed / (completed + no-shows + late
/// cancellations), with the counts) and revealed ratings, for merchants when the worker's
/// profile is public or they claimed one of the merchant's shifts.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "seeker account id")),
    responses(
        (status = 200, body = ReliabilityView),
        problems::NotFound,
    )
)]
#[get("/seekers/{id}/reliability")]
pub async fn seeker_reliability(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<ReliabilityView>, ApiError> {
    let record = reliability::record_for(&state.db, &auth.0, id.into_inner(), time::now()).await?;
    Ok(web::Json(ReliabilityView::of_record(record)))
}

/// The caller's own reliability and revealed ratings (seekers).
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    responses(
        (status = 200, body = ReliabilityView),
        problems::NotFound,
    )
)]
#[get("/me/reliability")]
pub async fn my_reliability(
    state: web::Data<AppState>,
    auth: Auth,
) -> Result<web::Json<ReliabilityView>, ApiError> {
    let record =
        reliability::record_for(&state.db, &auth.0, auth.0.account_id, time::now()).await?;
    Ok(web::Json(ReliabilityView::of_record(record)))
}
