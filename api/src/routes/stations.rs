//! Stations (驿站): the public map and "nearest open now", and officers' upkeep.

use actix_web::{HttpResponse, get, post, put, web};
use doorstep_domain::ErrorCode;
use doorstep_domain::stations::{self, NearbyQuery, StationInput};
use doorstep_domain::types::{Amenity, GeoPoint};
use doorstep_domain::{Invalid, time};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{ApiError, Auth, Coord, CoordParam, JsonBody, limit, problems};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::community::{StationCollection, StationView};

/// Adds a station. Officers and admins.
#[utoipa::path(
    tag = "stations",
    params(CoordParam),
    security(("bearer" = [])),
    request_body = StationInput,
    responses(
        (status = 201, body = StationView),
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[post("/stations")]
pub async fn create_station(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<StationInput>,
) -> Result<HttpResponse, ApiError> {
    let created = stations::create(&state.db, &auth.0, coord.inbound(body.into_inner())).await?;
    Ok(HttpResponse::Created().json(coord.outbound(StationView::now(created))))
}

/// Replaces a station's details (hours, amenities…). Officers and admins.
#[utoipa::path(
    tag = "stations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = StationInput,
    responses(
        (status = 200, body = StationView),
        problems::Forbidden,
        problems::NotFound,
        problems::ValidationFailed,
    )
)]
#[put("/stations/{id}")]
pub async fn update_station(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<StationInput>,
) -> Result<web::Json<StationView>, ApiError> {
    let updated = stations::update(
        &state.db,
        &auth.0,
        id.into_inner(),
        coord.inbound(body.into_inner()),
    )
    .await?;
    Ok(coord.json(StationView::now(updated)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NearbyParams {
    #[param(minimum = -90, maximum = 90)]
    pub lat: f64,
    #[param(minimum = -180, maximum = 180)]
    pub lon: f64,
    /// Kilometres, above 0 and up to 50 (default 5).
    #[param(exclusive_minimum = 0, maximum = 50)]
    pub radius_km: Option<f64>,
    /// Only stations open right now.
    #[serde(default)]
    pub open_now: bool,
    /// Only stations offering all of these (comma-separated: `charging,water`).
    #[param(
        pattern = "^((rest|water|charging|microwave|toilet|first_aid_kit|job_help|wifi|air_conditioning|repair_kit|umbrella|legal)(,(rest|water|charging|microwave|toilet|first_aid_kit|job_help|wifi|air_conditioning|repair_kit|umbrella|legal))*)?$"
    )]
    pub amenities: Option<String>,
    /// 1 to 100 (default 20).
    pub limit: Option<u64>,
}

fn parse_amenities(raw: Option<&str>) -> Result<Vec<Amenity>, ApiError> {
    raw.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|name| {
            serde_json::from_value::<Amenity>(serde_json::Value::String(name.to_owned())).map_err(
                |_| {
                    ApiError::field(
                        ErrorCode::InvalidQuery,
                        "amenities",
                        Invalid::new(
                            ErrorCode::UnknownAmenity,
                            format!("unknown amenity {name:?}"),
                        ),
                    )
                },
            )
        })
        .collect()
}

/// Stations near a point, nearest first, each with whether it is open now and when it
/// closes or opens. Anyone.
#[utoipa::path(
    tag = "stations",
    params(NearbyParams, CoordParam),
    responses(
        (status = 200, body = Page<StationView>),
        problems::BadRequest,
        problems::ValidationFailed,
    )
)]
#[get("/stations")]
pub async fn nearby_stations(
    coord: Coord,
    state: web::Data<AppState>,
    query: web::Query<NearbyParams>,
) -> Result<web::Json<Page<StationView>>, ApiError> {
    let query = coord.inbound(query.into_inner());
    let from = GeoPoint::new(query.lat, query.lon)
        .map_err(|e| ApiError::field(ErrorCode::InvalidQuery, "lat", e))?;
    let asked = NearbyQuery {
        radius_km: query.radius_km,
        open_now: query.open_now,
        amenities: parse_amenities(query.amenities.as_deref())?,
        limit: limit(query.limit)?,
    };
    let found = stations::nearby(&state.db, from, &asked, time::now()).await?;
    // The nearest `limit`: a ranked answer with no next page.
    Ok(coord.json(Page::whole(found.into_iter().map(Into::into))))
}

/// Every active station as GeoJSON (`application/geo+json`), for a map client to draw
/// directly (WGS-84, as GeoJSON is, unless `coord=gcj02` asks for the map SDK's system).
/// Anyone.
#[utoipa::path(
    tag = "stations",
    params(CoordParam),
    responses((status = 200, body = StationCollection, content_type = "application/geo+json"))
)]
#[get("/stations/map.geojson")]
pub async fn station_map(
    coord: Coord,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let all = stations::all_active(&state.db).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .json(coord.outbound(StationCollection::of(all))))
}

/// One station. Anyone (closed-down stations are not found).
#[utoipa::path(
    tag = "stations",
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = StationView),
        problems::NotFound,
    )
)]
#[get("/stations/{id}")]
pub async fn get_station(
    coord: Coord,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<StationView>, ApiError> {
    let found = stations::find_active(&state.db, id.into_inner()).await?;
    Ok(coord.json(StationView::now(found)))
}
