//! Businesses: registration by merchants, verification by officers, membership.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use doorstep_domain::business_verification;
use doorstep_domain::businesses::{self, BusinessInput};
use doorstep_domain::entities::business;
use doorstep_domain::types::BusinessStatus;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::upload::read_body;
use crate::http::{
    ApiError, Auth, Coord, CoordParam, JsonBody, MaybeAuth, Problem, page, problems,
};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::marketplace::{BusinessView, MemberView};
use crate::views::trust::{
    BusinessChecksView, BusinessVerificationFileView, BusinessVerificationRecordView,
    LicencePhotoView, OwnerIdentityView,
};

/// Full views with what members and officers see of the verification checks (duplicate
/// licence numbers, the latest licence photo).
async fn with_checks(
    state: &AppState,
    found: Vec<business::Model>,
) -> Result<Vec<BusinessView>, ApiError> {
    let counts = business_verification::licence_counts(
        &state.db,
        found.iter().map(|b| b.licence_number.clone()),
    )
    .await?;
    let photos =
        business_verification::latest_photos(&state.db, found.iter().map(|b| b.id)).await?;
    Ok(found
        .into_iter()
        .map(|b| {
            let others = counts
                .get(&b.licence_number)
                .copied()
                .unwrap_or(1)
                .saturating_sub(1);
            let photo = photos.get(&b.id).copied();
            BusinessView::full(b).with_checks(others, photo)
        })
        .collect())
}

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
    let next_cursor = found.next_cursor.clone();
    let items = with_checks(&state, found.items).await?;
    Ok(coord.json(Page { items, next_cursor }))
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
    Ok(coord.json(Page::whole(with_checks(&state, found).await?)))
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
        with_checks(&state, vec![found])
            .await?
            .pop()
            .ok_or(ApiError::from(doorstep_domain::DomainError::NotFound(
                "business",
            )))?
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

/// Verifies a business. Officers and admins of its district only. Needs the owner's
/// verified real name and a licence photo; the decision is recorded with what was checked.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = BusinessView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`owner_not_verified` or `licence_photo_missing`"),
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

/// Uploads a photo of the business licence (the request body: JPEG, PNG or WebP, at most
/// `max_photo_bytes`; metadata removed before it is stored). Members only. An officer
/// verifies a business only with one; the latest counts.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses(
        (status = 201, body = LicencePhotoView),
        problems::NotFound,
        problems::PayloadTooLarge,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`not_an_image`"),
    )
)]
#[post("/businesses/{id}/licence-photo")]
pub async fn upload_licence_photo(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let limits = state.upload_limits();
    let bytes = read_body(&req, payload, limits.photo_bytes).await?;
    let stored = business_verification::attach_photo(
        &state.db,
        state.media.as_ref(),
        limits,
        &auth.0,
        id.into_inner(),
        bytes,
    )
    .await?;
    Ok(HttpResponse::Created().json(LicencePhotoView::from(stored)))
}

/// The latest licence photo: for the business's members and the officers of its district.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "the photo, with its content type", content_type = "application/octet-stream"),
        problems::NotFound,
    )
)]
#[get("/businesses/{id}/licence-photo")]
pub async fn get_licence_photo(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (row, bytes) =
        business_verification::photo(&state.db, state.media.as_ref(), &auth.0, id.into_inner())
            .await?;
    Ok(crate::http::upload::private_file(row.content_type, bytes))
}

/// A business's verification file for the officer: the owner's identity (ID number
/// masked), the checks as they stand (licence check character, duplicate licence numbers,
/// licence photo, owner verified) and every decision with who made it and what it was
/// based on. Officers of its district and admins.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = BusinessVerificationFileView),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[get("/businesses/{id}/verifications")]
pub async fn business_verification_file(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<BusinessVerificationFileView>, ApiError> {
    let id = id.into_inner();
    let records = business_verification::history(&state.db, &auth.0, id).await?;
    let found = businesses::find(&state.db, id).await?;
    let checks = business_verification::checks(&state.db, &found).await?;
    let owner = doorstep_domain::identity::of_account(&state.db, found.created_by)
        .await?
        .map(|row| OwnerIdentityView {
            account_id: row.account_id,
            full_name: row.full_name,
            id_number_masked: row.id_masked,
            method: row.method,
            verified_at: doorstep_domain::time::to_display(row.verified_at),
        });
    Ok(web::Json(BusinessVerificationFileView {
        business_id: id,
        owner,
        checks: BusinessChecksView {
            checksum_ok: checks.checksum_ok,
            duplicate_licences: checks.duplicates,
            licence_photo_id: checks.licence_photo_id,
            owner_verified: checks.owner_verified,
        },
        records: records
            .into_iter()
            .map(BusinessVerificationRecordView::from)
            .collect(),
    }))
}
