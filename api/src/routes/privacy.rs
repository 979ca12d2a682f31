//! A person's rights over their data: export and erasure.

use actix_web::{HttpResponse, delete, get, web};
use doorstep_domain::privacy;

use crate::http::{ApiError, Auth, problems};
use crate::startup::AppState;

/// Everything Doorstep holds about the caller, as JSON (account, profile, applications
/// with their history, consents, inbox, and which officers read the file and why).
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/json", body = Object))
)]
#[get("/me/export")]
pub async fn export(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let data = privacy::export(&state.db, &auth.0).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            "content-disposition",
            "attachment; filename=\"doorstep-export.json\"",
        ))
        .json(data))
}

/// Erases the caller's personal data and closes the account (seekers). Anonymised records
/// that figures and recruitment rules need are kept.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 204),
        problems::Forbidden,
    )
)]
#[delete("/me")]
pub async fn erase(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    privacy::erase(&state.db, &auth.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
