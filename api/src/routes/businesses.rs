//! Businesses: registration by merchants, verification by officers, membership.

use actix_web::{HttpResponse, delete, get, post, put, web};
use doorstep_domain::businesses::{self, BusinessInput};
use doorstep_domain::types::BusinessStatus;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::{ApiError, Auth, Coord, CoordParam, JsonBody, MaybeAuth, page, problems};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::marketplace::{BusinessView, MemberView};

/// Registers a business; the caller becomes its owner. It waits for an officer's
/// verification before its postings reach seekers. Merchants only.
#[utoipa::path(
    tag = "businesses",
    params(CoordParam),
    security(("bearer" = [])),
    request_body = BusinessInput,
    responses(
        (status = 201, body = BusinessView),
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[post("/businesses")]
pub async fn create_business(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<BusinessInput>,
) -> Result<HttpResponse, ApiError> {
    let created = businesses::create(&state.db, &auth.0, coord.inbound(body.into_inner())).await?;
    Ok(HttpResponse::Created().json(coord.outbound(BusinessView::full(created))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BusinessListQuery {
    /// `pending` (the verification queue), `verified` or `rejected`.
    pub status: Option<BusinessStatus>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Businesses by status, oldest first. Officers and admins only.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(BusinessListQuery, CoordParam),
    responses(
        (status = 200, body = Page<BusinessView>),
        problems::Forbidden,
    )
)]
#[get("/businesses")]
pub async fn list_businesses(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<BusinessListQuery>,
) -> Result<web::Json<Page<BusinessView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = businesses::list_by_status(&state.db, &auth.0, query.status, request).await?;
    Ok(coord.json(Page::from(found, BusinessView::full)))
}

/// The businesses the caller belongs to.
#[utoipa::path(
    tag = "businesses",
    params(CoordParam),
    security(("bearer" = [])),
    responses((status = 200, body = Page<BusinessView>))
)]
#[get("/businesses/mine")]
pub async fn my_businesses(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
) -> Result<web::Json<Page<BusinessView>>, ApiError> {
    let found = businesses::mine(&state.db, auth.0.account_id).await?;
    Ok(coord.json(Page::whole(found.into_iter().map(BusinessView::full))))
}

/// A business: in full for its members and officers; its public details for anyone else
/// once verified.
#[utoipa::path(
    tag = "businesses",
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = BusinessView),
        problems::NotFound,
    )
)]
#[get("/businesses/{id}")]
pub async fn get_business(
    coord: Coord,
    state: web::Data<AppState>,
    auth: MaybeAuth,
    id: web::Path<Uuid>,
) -> Result<web::Json<BusinessView>, ApiError> {
    let (found, full) = businesses::view_for(&state.db, auth.0.as_ref(), id.into_inner()).await?;
    Ok(coord.json(if full {
        BusinessView::full(found)
    } else {
        BusinessView::public(found)
    }))
}

/// Replaces a business's details (members only). Changing the name or licence number
/// sends it back for verification.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = BusinessInput,
    responses(
        (status = 200, body = BusinessView),
        problems::NotFound,
        problems::ValidationFailed,
    )
)]
#[put("/businesses/{id}")]
pub async fn update_business(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<BusinessInput>,
) -> Result<web::Json<BusinessView>, ApiError> {
    let updated = businesses::update(
        &state.db,
        &auth.0,
        id.into_inner(),
        coord.inbound(body.into_inner()),
    )
    .await?;
    Ok(coord.json(BusinessView::full(updated)))
}

/// Verifies a business. Officers and admins only.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = BusinessView),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[post("/businesses/{id}/verify")]
pub async fn verify_business(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<BusinessView>, ApiError> {
    let reviewed = businesses::review(&state.db, &auth.0, id.into_inner(), Ok(())).await?;
    Ok(coord.json(BusinessView::full(reviewed)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Told to the merchant.
    pub reason: String,
}

/// Rejects a business with a reason. Officers and admins only.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = RejectRequest,
    responses(
        (status = 200, body = BusinessView),
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[post("/businesses/{id}/reject")]
pub async fn reject_business(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<RejectRequest>,
) -> Result<web::Json<BusinessView>, ApiError> {
    let reason = body.into_inner().reason;
    let reviewed = businesses::review(&state.db, &auth.0, id.into_inner(), Err(reason)).await?;
    Ok(coord.json(BusinessView::full(reviewed)))
}

/// The members of a business (members only).
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Page<MemberView>),
        problems::NotFound,
    )
)]
#[get("/businesses/{id}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<Page<MemberView>>, ApiError> {
    let id = id.into_inner();
    businesses::as_member(&state.db, id, auth.0.account_id).await?;
    let members = businesses::members(&state.db, id).await?;
    Ok(web::Json(Page::whole(members.into_iter().map(|m| {
        MemberView {
            account_id: m.account_id,
            role: m.role.as_str().to_owned(),
            added_at: doorstep_domain::time::to_display(m.added_at),
        }
    }))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberRequest {
    /// The phone or e-mail of an existing merchant account.
    pub login: String,
}

/// Adds a merchant account as a member (the owner only).
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = AddMemberRequest,
    responses(
        (status = 201, body = MemberView),
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
        problems::ValidationFailed,
    )
)]
#[post("/businesses/{id}/members")]
pub async fn add_member(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<AddMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    let member = businesses::add_member(
        &state.db,
        &auth.0,
        id.into_inner(),
        &body.into_inner().login,
    )
    .await?;
    Ok(HttpResponse::Created().json(MemberView {
        account_id: member.account_id,
        role: member.role.as_str().to_owned(),
        added_at: doorstep_domain::time::to_display(member.added_at),
    }))
}

/// Removes a member (the owner only).
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("account_id" = Uuid, Path)),
    responses(
        (status = 204),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[delete("/businesses/{id}/members/{account_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, member) = path.into_inner();
    businesses::remove_member(&state.db, &auth.0, id, member).await?;
    Ok(HttpResponse::NoContent().finish())
}
