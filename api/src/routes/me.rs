//! The caller's own account.

use actix_web::{get, web};
use doorstep_domain::accounts;

use crate::http::{ApiError, Auth, Problem};
use crate::startup::AppState;
use crate::views::AccountView;

/// The account the access token belongs to.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, body = AccountView),
        (status = 401, body = Problem, content_type = "application/problem+json",
            description = "`missing_token`, `invalid_token`, `token_expired`, `token_not_yet_valid`, `token_revoked` or `account_disabled`"),
    )
)]
#[get("/me")]
pub async fn me(
    state: web::Data<AppState>,
    auth: Auth,
) -> Result<web::Json<AccountView>, ApiError> {
    let account = accounts::find(&state.db, auth.0.account_id).await?;
    Ok(web::Json(account.into()))
}
