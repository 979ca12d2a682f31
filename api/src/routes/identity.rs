//! Real names (实名认证, issue 25): the caller verifies their name and resident ID number,
//! and reads where they stand. The number is answered only masked.

use actix_web::{HttpResponse, get, post, web};
use doorstep_domain::identity::{self, IdentityInput};

use crate::http::{ApiError, Auth, JsonBody, Problem, problems};
use crate::startup::AppState;
use crate::views::trust::IdentityStatusView;

/// Verifies the caller's real name: the ID number's format, birth date and check digit,
/// then the verification provider when one is configured (`method` says which was done).
/// Seekers and merchants, once per account; one ID number verifies one account. The
/// answer shows the number masked.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    request_body = IdentityInput,
    responses(
        (status = 201, body = IdentityStatusView),
        problems::Forbidden,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`identity_already_verified` or `identity_already_used`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: `invalid_id_number`, `identity_mismatch` or `identity_not_found` on `id_number`"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`identity_provider_unavailable`: the provider timed out or failed; nothing was recorded, retry"),
    )
)]
#[post("/me/identity")]
pub async fn verify_identity(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<IdentityInput>,
) -> Result<HttpResponse, ApiError> {
    let verified = identity::verify(
        &state.db,
        &state.identity_keys,
        state.identity_provider.as_deref(),
        &auth.0,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created().json(IdentityStatusView::new(Some(verified))))
}

/// Where the caller stands with their real name (the ID number masked).
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, body = IdentityStatusView),
        problems::Unauthorized,
    )
)]
#[get("/me/identity")]
pub async fn my_identity(
    state: web::Data<AppState>,
    auth: Auth,
) -> Result<web::Json<IdentityStatusView>, ApiError> {
    let found = identity::of_account(&state.db, auth.0.account_id).await?;
    Ok(web::Json(IdentityStatusView::new(found)))
}
