//! Shifts of gig postings, the posting's booking options, and the business's gig settings:
//! check-in code, geofence, favourite workers.

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::NaiveDate;
use doorstep_domain::ErrorCode;
use doorstep_domain::gigs::settings::{OptionsInput, SettingsInput};
use doorstep_domain::gigs::shifts::{ShiftFilter, ShiftInput, ShiftKey};
use doorstep_domain::gigs::{favourites, settings, shifts};
use doorstep_domain::pagination::PageRequest;
use doorstep_domain::{applications, postings, time};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::ReasonInput;
use crate::http::{
    ApiError, Auth, Coord, CoordParam, JsonBody, MaybeAuth, Problem, page, problems,
};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::gigs::{
    CheckinCodeView, FavouriteView, GigOptionsView, GigSettingsView, ShiftChangeView, ShiftList,
    ShiftView,
};

/// Adds a dated shift to a gig posting, or with `pattern` the shifts of a weekly pattern
/// for up to 12 weeks (members of its business). `favourites_first_hours` offers them to
/// the business's favourite workers only for that long, and tells them.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "posting id"), CoordParam),
    request_body = ShiftInput,
    responses(
        (status = 201, body = ShiftList),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`not_a_gig` or `posting_final`"),
        problems::ValidationFailed,
    )
)]
#[post("/postings/{id}/shifts")]
pub async fn create_shifts(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ShiftInput>,
) -> Result<HttpResponse, ApiError> {
    let created = shifts::create(
        &state.db,
        &auth.0,
        id.into_inner(),
        coord.inbound(body.into_inner()),
    )
    .await?;
    let now = time::now();
    Ok(HttpResponse::Created().json(
        coord.outbound(ShiftList {
            items: created
                .into_iter()
                .map(|s| ShiftView::new(s, now))
                .collect(),
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ShiftListQuery {
    /// First day (China time), inclusive.
    pub from: Option<NaiveDate>,
    /// Last day (China time), inclusive.
    pub to: Option<NaiveDate>,
    /// Only shifts with a place left.
    pub open_places: Option<bool>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A posting's shifts in start order. Anyone sees the open, upcoming shifts of a public
/// posting; members of its business see every shift.
#[utoipa::path(
    tag = "gigs",
    params(("id" = Uuid, Path, description = "posting id"), ShiftListQuery, CoordParam),
    responses(
        (status = 200, body = Page<ShiftView>),
        problems::BadRequest,
        problems::NotFound,
    )
)]
#[get("/postings/{id}/shifts")]
pub async fn list_shifts(
    coord: Coord,
    state: web::Data<AppState>,
    auth: MaybeAuth,
    id: web::Path<Uuid>,
    query: web::Query<ShiftListQuery>,
) -> Result<web::Json<Page<ShiftView>>, ApiError> {
    let request = PageRequest::<ShiftKey>::parse(query.limit, query.cursor.as_deref())
        .map_err(|(field, invalid)| ApiError::field(ErrorCode::InvalidQuery, field, invalid))?;
    let filter = ShiftFilter {
        from: query.from.and_then(time::local_midnight),
        to: query
            .to
            .and_then(|d| d.succ_opt())
            .and_then(time::local_midnight),
        open_places: query.open_places.unwrap_or(false),
    };
    let found =
        shifts::list_for_posting(&state.db, auth.0.as_ref(), id.into_inner(), filter, request)
            .await?;
    let now = time::now();
    let record = match found.items.first() {
        Some(s) => Some(crate::routes::complaints::merchant_record(&state, s.business_id).await?),
        None => None,
    };
    Ok(coord.json(Page::from(found, |s| {
        ShiftView::new(s, now).with_merchant(record.clone())
    })))
}

/// One shift.
#[utoipa::path(
    tag = "gigs",
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = ShiftView),
        problems::NotFound,
    )
)]
#[get("/shifts/{id}")]
pub async fn get_shift(
    coord: Coord,
    state: web::Data<AppState>,
    auth: MaybeAuth,
    id: web::Path<Uuid>,
) -> Result<web::Json<ShiftView>, ApiError> {
    let (found, _, _, _) = shifts::get(&state.db, auth.0.as_ref(), id.into_inner()).await?;
    let record = crate::routes::complaints::merchant_record(&state, found.business_id).await?;
    Ok(coord.json(ShiftView::new(found, time::now()).with_merchant(Some(record))))
}

/// Changes a shift that has not started (members). Once someone has claimed it, `reason`
/// is required, places cannot drop below the claims holding them, the change is recorded
/// and every claimant told (urgently on the day itself); added places go to the waiting
/// list first.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = ShiftInput,
    responses(
        (status = 200, body = ShiftView),
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`shift_started`, `shift_cancelled` or `places_below_claims`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "invalid field, or `reason_required`"),
    )
)]
#[put("/shifts/{id}")]
pub async fn update_shift(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ShiftInput>,
) -> Result<web::Json<ShiftView>, ApiError> {
    let updated = shifts::update(
        &state.db,
        &auth.0,
        id.into_inner(),
        coord.inbound(body.into_inner()),
    )
    .await?;
    Ok(coord.json(ShiftView::new(updated, time::now())))
}

/// Cancels a shift that has not started (members); a reason is required once claimed.
/// Every claim ends as `shift_cancelled` and its seeker is told.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = ReasonInput,
    responses(
        (status = 200, body = ShiftView),
        problems::NotFound,
        problems::Conflict,
        problems::ValidationFailed,
    )
)]
#[post("/shifts/{id}/cancel")]
pub async fn cancel_shift(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ReasonInput>,
) -> Result<web::Json<ShiftView>, ApiError> {
    let cancelled = shifts::cancel(
        &state.db,
        &state.settings.gig_rules(),
        &auth.0,
        id.into_inner(),
        body.into_inner().reason,
    )
    .await?;
    Ok(coord.json(ShiftView::new(cancelled, time::now())))
}

/// The changes made to a shift after it was claimed, with their reasons (members).
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Page<ShiftChangeView>),
        problems::NotFound,
    )
)]
#[get("/shifts/{id}/changes")]
pub async fn shift_changes(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<Page<ShiftChangeView>>, ApiError> {
    // A shift's own history: short, answered whole.
    let found = shifts::changes(&state.db, &auth.0, id.into_inner()).await?;
    Ok(web::Json(Page::whole(
        found.into_iter().map(ShiftChangeView::from),
    )))
}

/// How a gig posting takes claims: `instant`, or `approval` by the merchant; and the
/// cancellation cut-off.
#[utoipa::path(
    tag = "gigs",
    params(("id" = Uuid, Path, description = "posting id")),
    responses(
        (status = 200, body = GigOptionsView),
        problems::NotFound,
    )
)]
#[get("/postings/{id}/gig-options")]
pub async fn get_gig_options(
    state: web::Data<AppState>,
    auth: MaybeAuth,
    id: web::Path<Uuid>,
) -> Result<web::Json<GigOptionsView>, ApiError> {
    let id = id.into_inner();
    postings::find_visible(&state.db, auth.0.as_ref(), id).await?;
    let options = settings::of_posting(&state.db, id).await?;
    Ok(web::Json(GigOptionsView::new(id, options)))
}

/// Sets a gig posting's booking mode and cut-off (members). Claims already made keep their
/// state.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "posting id")),
    request_body = OptionsInput,
    responses(
        (status = 200, body = GigOptionsView),
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`not_a_gig`"),
        problems::ValidationFailed,
    )
)]
#[put("/postings/{id}/gig-options")]
pub async fn set_gig_options(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<OptionsInput>,
) -> Result<web::Json<GigOptionsView>, ApiError> {
    let saved =
        settings::set_posting_options(&state.db, &auth.0, id.into_inner(), body.into_inner())
            .await?;
    Ok(web::Json(saved.into()))
}

/// Sets the business's default geofence radius, and can rotate its check-in secret
/// (members).
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "business id")),
    request_body = SettingsInput,
    responses(
        (status = 200, body = GigSettingsView),
        problems::NotFound,
        problems::ValidationFailed,
    )
)]
#[put("/businesses/{id}/gig-settings")]
pub async fn update_gig_settings(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<SettingsInput>,
) -> Result<web::Json<GigSettingsView>, ApiError> {
    let saved = settings::update(&state.db, &auth.0, id.into_inner(), body.into_inner()).await?;
    Ok(web::Json(saved.into()))
}

/// The rotating check-in code the merchant's device shows now (members): six digits from
/// the business's secret and the 30-second step (TOTP, HMAC-SHA256), accepted one step
/// either side, useless at another business.
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "business id")),
    responses(
        (status = 200, body = CheckinCodeView),
        problems::NotFound,
    )
)]
#[get("/businesses/{id}/checkin-code")]
pub async fn checkin_code(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<CheckinCodeView>, ApiError> {
    let id = id.into_inner();
    let code = settings::current_code(&state.db, &auth.0, id, time::now()).await?;
    Ok(web::Json(CheckinCodeView::new(id, code)))
}

/// The business's favourite workers (members).
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "business id"), FavouritesQuery),
    responses(
        (status = 200, body = Page<FavouriteView>),
        problems::NotFound,
    )
)]
#[get("/businesses/{id}/favourites")]
pub async fn list_favourites(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<FavouritesQuery>,
) -> Result<web::Json<Page<FavouriteView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = favourites::list(&state.db, &auth.0, id.into_inner(), request).await?;
    let seekers: Vec<Uuid> = found.items.iter().map(|f| f.seeker_id).collect();
    let names = applications::applicants(&state.db, &seekers).await?;
    Ok(web::Json(Page::from(found, |f| {
        let name = names.get(&f.seeker_id);
        FavouriteView::new(f, name)
    })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FavouritesQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Marks a worker who completed a shift at the business as a favourite (members;
/// idempotent).
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "business id"), ("seeker_id" = Uuid, Path)),
    responses(
        (status = 200, body = FavouriteView),
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`not_worked_here`"),
    )
)]
#[put("/businesses/{id}/favourites/{seeker_id}")]
pub async fn add_favourite(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<FavouriteView>, ApiError> {
    let (business, seeker) = path.into_inner();
    let saved = favourites::add(&state.db, &auth.0, business, seeker).await?;
    let names = applications::applicants(&state.db, &[seeker]).await?;
    Ok(web::Json(FavouriteView::new(saved, names.get(&seeker))))
}

/// Removes a favourite (members).
#[utoipa::path(
    tag = "gigs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "business id"), ("seeker_id" = Uuid, Path)),
    responses(
        (status = 204),
        problems::NotFound,
    )
)]
#[delete("/businesses/{id}/favourites/{seeker_id}")]
pub async fn remove_favourite(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (business, seeker) = path.into_inner();
    favourites::remove(&state.db, &auth.0, business, seeker).await?;
    Ok(HttpResponse::NoContent().finish())
}
