//! Accounts, for admins: the list by role, creating staff accounts, disabling and enabling,
//! and changing a role — the same domain calls as `/api/v1/accounts`.

use actix_web::{HttpResponse, web};
use doorstep_domain::accounts::{self, NewAccount};
use doorstep_domain::types::Role;
use doorstep_domain::{ErrorCode, Invalid};
use maud::html;
use serde::Deserialize;
use uuid::Uuid;

use super::error::ConsoleError;
use super::layout::{self, csrf_field, notice, post_button, when};
use super::session::{ConsoleUser, Posted};
use crate::http::{ApiError, page};
use crate::startup::AppState;
use crate::views::AccountSummary;

const SECTION: &str = "/console/accounts";
const ROLES: &[Role] = &[Role::Seeker, Role::Merchant, Role::Officer, Role::Admin];

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Seeker => "求职者",
        Role::Merchant => "商户",
        Role::Officer => "就业服务专员",
        Role::Admin => "管理员",
    }
}

fn parse_role(raw: &str) -> Result<Role, ConsoleError> {
    Role::parse(raw.trim()).ok_or_else(|| {
        ApiError::field(
            ErrorCode::InvalidBody,
            "role",
            Invalid::new(ErrorCode::InvalidBody, "请选择角色"),
        )
        .into()
    })
}

fn optional(raw: &str) -> Option<&str> {
    Some(raw.trim()).filter(|s| !s.is_empty())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    role: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

/// Accounts in creation order, contact details masked, 50 a page (as `GET /api/v1/accounts`).
pub async fn list(
    user: ConsoleUser,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ConsoleError> {
    user.require_admin()?;
    let role = match query.role.as_deref().and_then(optional) {
        Some(raw) => Some(parse_role(raw)?),
        None => None,
    };
    let request = page(Some(50), query.cursor.as_deref())?;
    let found = accounts::list(&state.db, role, request).await?;
    let body = html! {
        (notice(query.done.as_deref(), &[
            ("created", "账号已创建。"),
            ("disabled", "账号已停用，其登录已全部失效。"),
            ("enabled", "账号已恢复。"),
            ("role", "角色已更改，该账号需重新登录。"),
        ]))
        form.filters method="get" action=(SECTION) hx-get=(SECTION) hx-trigger="change" hx-target="#main" hx-select="#main" hx-swap="outerHTML" hx-push-url="true" {
            label { "角色"
                select name="role" {
                    option value="" selected[role.is_none()] { "全部" }
                    @for r in ROLES {
                        option value=(r.as_str()) selected[role == Some(*r)] { (role_label(*r)) }
                    }
                }
            }
            noscript { button type="submit" { "筛选" } }
        }
        table {
            thead { tr { th { "名称" } th { "角色" } th { "手机" } th { "创建时间" } th { "状态" } th { "操作" } } }
            tbody {
                @for a in found.items.into_iter().map(AccountSummary::from) {
                    tr {
                        td { (a.display_name) }
                        td { (role_label(a.role)) }
                        td { (a.phone_masked.as_deref().unwrap_or(if a.has_email { "（邮箱）" } else { "—" })) }
                        td { (when(a.created_at.with_timezone(&chrono::Utc))) }
                        td { @if a.disabled { span.badge.bad { "已停用" } } @else { span.badge.ok { "正常" } } }
                        td.actions {
                            @if a.disabled {
                                (post_button(&user, &format!("{SECTION}/{}/enable", a.id), "恢复", ""))
                            } @else {
                                (post_button(&user, &format!("{SECTION}/{}/disable", a.id), "停用", "danger"))
                            }
                            form.inline method="post" action=(format!("{SECTION}/{}/role", a.id)) {
                                (csrf_field(&user))
                                label.sr-only for=(format!("role-{}", a.id)) { "新角色" }
                                select id=(format!("role-{}", a.id)) name="role" {
                                    @for r in ROLES { option value=(r.as_str()) selected[*r == a.role] { (role_label(*r)) } }
                                }
                                button type="submit" { "改角色" }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(next) = &found.next_cursor {
            p.pager { a href=(format!("{SECTION}?role={}&cursor={next}", role.map(Role::as_str).unwrap_or(""))) { "下一页 →" } }
        }
        h2 { "新建工作人员账号" }
        form.card.stack method="post" action=(SECTION) {
            (csrf_field(&user))
            label { "角色"
                select name="role" required {
                    option value=(Role::Officer.as_str()) { (role_label(Role::Officer)) }
                    option value=(Role::Admin.as_str()) { (role_label(Role::Admin)) }
                }
            }
            label { "名称" input type="text" name="display_name" required maxlength="40"; }
            label { "手机号（与邮箱二选一）" input type="tel" name="phone" inputmode="numeric"; }
            label { "邮箱" input type="email" name="email"; }
            label { "初始密码" input type="password" name="password" required autocomplete="new-password"; }
            button type="submit" { "创建账号" }
        }
    };
    Ok(layout::ok(layout::page(&user, SECTION, "账号", body)))
}

/// Every field is text, so an officer is refused for being an officer whatever they sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// Creates an account (as `POST /api/v1/accounts`).
pub async fn create(
    state: web::Data<AppState>,
    posted: Posted<CreateForm>,
) -> Result<HttpResponse, ConsoleError> {
    posted.user.require_admin()?;
    let form = posted.form;
    let new = NewAccount::parse(
        parse_role(&form.role)?,
        optional(&form.phone),
        optional(&form.email),
        &form.password,
        &form.display_name,
    )?;
    let account = accounts::create(&state.db, &state.passwords, new).await?;
    tracing::info!(by = %posted.user.principal.account_id, account = %account.id, role = %account.role, "account created by admin in the console");
    Ok(layout::see_other(&format!("{SECTION}?done=created")))
}

#[derive(Debug, Deserialize)]
pub struct NoFields {}

async fn set_disabled(
    state: &AppState,
    user: &ConsoleUser,
    id: Uuid,
    disabled: bool,
) -> Result<HttpResponse, ConsoleError> {
    user.require_admin()?;
    let account = accounts::set_disabled(&state.db, id, disabled).await?;
    tracing::info!(by = %user.principal.account_id, account = %account.id, disabled, "account disabled or enabled in the console");
    Ok(layout::see_other(&format!(
        "{SECTION}?done={}",
        if disabled { "disabled" } else { "enabled" }
    )))
}

/// Disables an account (as `POST /api/v1/accounts/{id}/disable`).
pub async fn disable(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<NoFields>,
) -> Result<HttpResponse, ConsoleError> {
    set_disabled(&state, &posted.user, id.into_inner(), true).await
}

/// Re-enables an account (as `POST /api/v1/accounts/{id}/enable`).
pub async fn enable(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<NoFields>,
) -> Result<HttpResponse, ConsoleError> {
    set_disabled(&state, &posted.user, id.into_inner(), false).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// Changes an account's role (as `PUT /api/v1/accounts/{id}/role`).
pub async fn change_role(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<RoleForm>,
) -> Result<HttpResponse, ConsoleError> {
    posted.user.require_admin()?;
    let role = parse_role(&posted.form.role)?;
    let account = accounts::set_role(&state.db, id.into_inner(), role).await?;
    tracing::info!(by = %posted.user.principal.account_id, account = %account.id, %role, "role changed in the console");
    Ok(layout::see_other(&format!("{SECTION}?done=role")))
}
