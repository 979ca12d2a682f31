//! Seeker profiles.

use actix_web::{HttpResponse, get, put, web};
use doorstep_domain::profiles::{self, ProfileInput};
use doorstep_domain::trainings;
use doorstep_matcher::wechat::content::Scene;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{ApiError, Auth, Coord, CoordParam, JsonBody, Problem, problems};
use crate::startup::AppState;
use crate::views::marketplace::ProfileView;

/// The caller's own profile. Seekers only.
#[utoipa::path(
    tag = "profiles",
    params(CoordParam),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ProfileView),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no profile yet"),
    )
)]
#[get("/me/profile")]
pub async fn my_profile(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
) -> Result<web::Json<ProfileView>, ApiError> {
    let view = profiles::view_for(&state.db, &auth.0, auth.0.account_id, None, None).await?;
    let trainings = trainings::completed(&state.db, auth.0.account_id).await?;
    Ok(coord.json(ProfileView::new(view, true).with_trainings(trainings)))
}

/// Creates or replaces the caller's profile. Seekers only.
#[utoipa::path(
    tag = "profiles",
    params(CoordParam),
    security(("bearer" = [])),
    request_body = ProfileInput,
    responses(
        (status = 200, body = ProfileView, description = "replaced"),
        (status = 201, body = ProfileView, description = "created"),
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[put("/me/profile")]
pub async fn put_profile(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<ProfileInput>,
) -> Result<HttpResponse, ApiError> {
    let input = coord.inbound(body.into_inner());
    let checked = state
        .content
        .check(
            &state.db,
            auth.0.account_id,
            Scene::Profile,
            &[("resume", &input.resume)],
        )
        .await?;
    let (_, created) = profiles::upsert(&state.db, &auth.0, input, &checked.held).await?;
    let view = profiles::view_for(&state.db, &auth.0, auth.0.account_id, None, None).await?;
    let trainings = trainings::completed(&state.db, auth.0.account_id).await?;
    let body = coord.outbound(ProfileView::new(view, true).with_trainings(trainings));
    Ok(if created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProfileQuery {
    /// Merchants: which of their businesses distances are measured from.
    pub business_id: Option<Uuid>,
    /// Officers: why they read this file (required; written to the audit log).
    pub reason: Option<String>,
}

/// A seeker's profile. Merchants see public profiles (and those of seekers who applied to
/// them) without contact details or exact home until the seeker applies; officers see public
/// and officers-only profiles, state a reason, and are audited.
#[utoipa::path(
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "seeker account id"), ProfileQuery, CoordParam),
    responses(
        (status = 200, body = ProfileView),
        problems::NotFound,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "officer without a reason"),
    )
)]
#[get("/profiles/{id}")]
pub async fn get_profile(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<ProfileQuery>,
) -> Result<web::Json<ProfileView>, ApiError> {
    let seeker = id.into_inner();
    let view = profiles::view_for(
        &state.db,
        &auth.0,
        seeker,
        query.business_id,
        query.reason.as_deref(),
    )
    .await?;
    let trainings = trainings::completed(&state.db, seeker).await?;
    Ok(coord.json(ProfileView::new(view, seeker == auth.0.account_id).with_trainings(trainings)))
}
