//! What officers and admins do with accounts. Officers list (with contact details masked);
//! only admins create staff accounts, disable accounts and change roles.

use actix_web::{HttpResponse, get, post, put, web};
use doorstep_domain::ErrorCode;
use doorstep_domain::accounts::{self, NewAccount};
use doorstep_domain::pagination::PageRequest;
use doorstep_domain::types::Role;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, Problem, problems};
use crate::startup::AppState;
use crate::views::{AccountPage, AccountView};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListAccountsQuery {
    /// Only accounts of this role.
    pub role: Option<Role>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Accounts in creation order, contact details masked. Officers and admins only.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    params(ListAccountsQuery),
    responses(
        (status = 200, body = AccountPage),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "bad limit or cursor"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an officer or admin"),
    )
)]
#[get("/accounts")]
pub async fn list_accounts(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<ListAccountsQuery>,
) -> Result<web::Json<AccountPage>, ApiError> {
    auth.require(&[Role::Officer, Role::Admin])?;
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())
        .map_err(|(field, invalid)| ApiError::field(ErrorCode::InvalidQuery, field, invalid))?;
    let page = accounts::list(&state.db, query.role, page).await?;
    Ok(web::Json(AccountPage {
        next_cursor: page.next_cursor,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// An account an admin creates, of any role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountRequest {
    pub role: Role,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub password: String,
    pub display_name: String,
}

/// Creates an account of any role (officers, admins). Admins only.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    request_body = CreateAccountRequest,
    responses(
        (status = 201, body = AccountView),
        problems::Forbidden,
        problems::Conflict,
        problems::ValidationFailed,
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`busy`: too many passwords being hashed at once (see `Retry-After`)"),
    )
)]
#[post("/accounts")]
pub async fn create_account(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<CreateAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    let admin = auth.require(&[Role::Admin])?;
    let body = body.into_inner();
    let new = NewAccount::parse(
        body.role,
        body.phone.as_deref(),
        body.email.as_deref(),
        &body.password,
        &body.display_name,
    )?;
    let account = accounts::create(&state.db, &state.passwords, new).await?;
    tracing::info!(by = %admin.account_id, account = %account.id, role = %account.role, "account created by admin");
    Ok(HttpResponse::Created().json(AccountView::from(account)))
}

/// Disables an account: its tokens stop working at once. Admins only.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "account id")),
    responses(
        (status = 200, body = AccountView),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[post("/accounts/{id}/disable")]
pub async fn disable_account(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<AccountView>, ApiError> {
    let admin = auth.require(&[Role::Admin])?;
    let account = accounts::set_disabled(&state.db, id.into_inner(), true).await?;
    tracing::info!(by = %admin.account_id, account = %account.id, "account disabled");
    Ok(web::Json(account.into()))
}

/// Re-enables a disabled account. Admins only.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "account id")),
    responses(
        (status = 200, body = AccountView),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[post("/accounts/{id}/enable")]
pub async fn enable_account(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<AccountView>, ApiError> {
    let admin = auth.require(&[Role::Admin])?;
    let account = accounts::set_disabled(&state.db, id.into_inner(), false).await?;
    tracing::info!(by = %admin.account_id, account = %account.id, "account enabled");
    Ok(web::Json(account.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRoleRequest {
    pub role: Role,
}

/// Changes an account's role; tokens issued under the old role stop working. Admins only.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "account id")),
    request_body = ChangeRoleRequest,
    responses(
        (status = 200, body = AccountView),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[put("/accounts/{id}/role")]
pub async fn change_role(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ChangeRoleRequest>,
) -> Result<web::Json<AccountView>, ApiError> {
    let admin = auth.require(&[Role::Admin])?;
    let role = body.into_inner().role;
    let account = accounts::set_role(&state.db, id.into_inner(), role).await?;
    tracing::info!(by = %admin.account_id, account = %account.id, %role, "role changed");
    Ok(web::Json(account.into()))
}
