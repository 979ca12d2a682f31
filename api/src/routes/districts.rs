//! Districts and their officers. Admins draw districts and assign officers; officers read
//! the districts they serve.

use actix_web::{HttpResponse, delete, get, post, put, web};
use doorstep_domain::districts::{self, DistrictInput};
use uuid::Uuid;

use crate::http::{ApiError, Auth, Coord, CoordParam, JsonBody, Problem, problems};
use crate::startup::AppState;
use crate::views::AccountView;
use crate::views::Page;
use crate::views::officer::{DistrictChangeView, DistrictView};

/// Draws a district; everything located inside it is placed there at once. Admins.
#[utoipa::path(
    tag = "districts",
    params(CoordParam),
    security(("bearer" = [])),
    request_body = DistrictInput,
    responses(
        (status = 201, body = DistrictChangeView),
        problems::Forbidden,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`district_name_taken`"),
        problems::ValidationFailed,
    )
)]
#[post("/districts")]
pub async fn create_district(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<DistrictInput>,
) -> Result<HttpResponse, ApiError> {
    let (created, moved) =
        districts::create(&state.db, &auth.0, &coord.inbound(body.into_inner())).await?;
    Ok(
        HttpResponse::Created().json(coord.outbound(DistrictChangeView {
            district: created.into(),
            moved: moved.into(),
        })),
    )
}

/// The districts the caller serves (all of them for admins), by name. Staff.
#[utoipa::path(
    tag = "districts",
    params(CoordParam),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Page<DistrictView>),
        problems::Forbidden,
    )
)]
#[get("/districts")]
pub async fn list_districts(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
) -> Result<web::Json<Page<DistrictView>>, ApiError> {
    let found = districts::list(&state.db, &auth.0).await?;
    Ok(coord.json(Page::whole(found.into_iter().map(Into::into))))
}

/// One district: admins, and the officers who serve it.
#[utoipa::path(
    tag = "districts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = DistrictView),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[get("/districts/{id}")]
pub async fn get_district(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<DistrictView>, ApiError> {
    let found = districts::view_for(&state.db, &auth.0, id.into_inner()).await?;
    Ok(coord.json(found.into()))
}

/// Renames or redraws a district; what falls in or out moves at once. Admins.
#[utoipa::path(
    tag = "districts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = DistrictInput,
    responses(
        (status = 200, body = DistrictChangeView),
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
        problems::ValidationFailed,
    )
)]
#[put("/districts/{id}")]
pub async fn update_district(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<DistrictInput>,
) -> Result<web::Json<DistrictChangeView>, ApiError> {
    let (updated, moved) = districts::update(
        &state.db,
        &auth.0,
        id.into_inner(),
        &coord.inbound(body.into_inner()),
    )
    .await?;
    Ok(coord.json(DistrictChangeView {
        district: updated.into(),
        moved: moved.into(),
    }))
}

/// Removes a district; what was in it falls to an overlapping district or to none. Admins.
#[utoipa::path(
    tag = "districts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "removed"),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[delete("/districts/{id}")]
pub async fn delete_district(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    districts::delete(&state.db, &auth.0, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The officers who serve a district. Admins, and those officers.
#[utoipa::path(
    tag = "districts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Page<AccountView>),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[get("/districts/{id}/officers")]
pub async fn list_officers(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<Page<AccountView>>, ApiError> {
    let found = districts::officers(&state.db, &auth.0, id.into_inner()).await?;
    Ok(web::Json(Page::whole(found.into_iter().map(Into::into))))
}

/// Assigns an officer to a district (idempotent). Admins.
#[utoipa::path(
    tag = "districts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("officer_id" = Uuid, Path)),
    responses(
        (status = 204, description = "assigned"),
        problems::Forbidden,
        problems::NotFound,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`not_an_officer`"),
    )
)]
#[put("/districts/{id}/officers/{officer_id}")]
pub async fn assign_officer(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (district, officer) = path.into_inner();
    districts::assign(&state.db, &auth.0, district, officer).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ends an officer's assignment (idempotent). Admins.
#[utoipa::path(
    tag = "districts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("officer_id" = Uuid, Path)),
    responses(
        (status = 204, description = "unassigned"),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[delete("/districts/{id}/officers/{officer_id}")]
pub async fn unassign_officer(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (district, officer) = path.into_inner();
    districts::unassign(&state.db, &auth.0, district, officer).await?;
    Ok(HttpResponse::NoContent().finish())
}
