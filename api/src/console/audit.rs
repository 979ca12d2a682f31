//! The audit log for admins: who read whose personal data, what and when, filtered as
//! `GET /api/v1/audit` filters it, a page at a time, and the same selection as CSV
//! (`GET /api/v1/audit.csv`'s domain call).

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError, web};
use doorstep_domain::accounts;
use doorstep_domain::audit::{self, AuditFilter, AuditRow, RawAuditFilter};
use doorstep_domain::entities::account;
use doorstep_domain::pagination::{Page, PageRequest};
use doorstep_domain::types::Role;
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::districts::form_errors;
use super::error::ConsoleError;
use super::layout::{self, when};
use super::session::ConsoleUser;
use crate::http::{ApiError, page};
use crate::startup::AppState;

const SECTION: &str = "/console/audit";
const PAGE_SIZE: u64 = 50;
/// Staff accounts offered in the "who" list (a city has tens).
const STAFF_CHOICES: u64 = 500;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    actor: Option<String>,
    subject: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    cursor: Option<String>,
}

impl AuditQuery {
    fn raw(&self) -> RawAuditFilter<'_> {
        RawAuditFilter {
            actor: self.actor.as_deref(),
            subject: self.subject.as_deref(),
            action: self.action.as_deref(),
            from: self.from.as_deref(),
            to: self.to.as_deref(),
        }
    }

    /// The filters as a query string (no cursor), for the next page and the CSV.
    fn filters(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("actor", &self.actor),
            ("subject", &self.subject),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
                out.append_pair(key, v);
            }
        }
        out.finish()
    }
}

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

fn field_label(field: &str) -> String {
    match field {
        "actor" => "操作人".into(),
        "subject" => "当事人".into(),
        "action" => "操作".into(),
        "from" => "开始日期".into(),
        "to" => "结束日期".into(),
        "cursor" => "页码".into(),
        other => other.to_owned(),
    }
}

/// Officers and admins, for the "who" list.
async fn staff(state: &AppState) -> Result<Vec<account::Model>, ConsoleError> {
    let mut all = Vec::new();
    for role in [Role::Officer, Role::Admin] {
        let found = accounts::list(
            &state.db,
            Some(role),
            PageRequest {
                limit: STAFF_CHOICES,
                after: None,
            },
        )
        .await?;
        all.extend(found.items);
    }
    Ok(all)
}

fn filter_form(query: &AuditQuery, staff: &[account::Model]) -> Markup {
    let actor = query.actor.as_deref().unwrap_or("");
    html! {
        form.filters method="get" action=(SECTION) hx-get=(SECTION) hx-trigger="change" hx-target="#main" hx-select="#main" hx-swap="outerHTML" hx-push-url="true" {
            label { "操作人"
                select name="actor" {
                    option value="" { "全部" }
                    @for a in staff {
                        @let id = a.id.to_string();
                        option value=(id) selected[id == actor] { (a.display_name) " " (a.phone.as_deref().unwrap_or("")) }
                    }
                }
            }
            label { "当事人（账号 ID）"
                input type="text" name="subject" value=(query.subject.as_deref().unwrap_or("")) size="36";
            }
            label { "操作"
                input type="text" name="action" value=(query.action.as_deref().unwrap_or("")) placeholder="如 read_profile" size="18";
            }
            label { "从" input type="date" name="from" value=(query.from.as_deref().unwrap_or("")); }
            label { "到（含）" input type="date" name="to" value=(query.to.as_deref().unwrap_or("")); }
            noscript { button type="submit" { "筛选" } }
        }
    }
}

fn entries(found: &Page<AuditRow>, query: &AuditQuery) -> Markup {
    let filters = query.filters();
    let next = found.next_cursor.as_deref().map(|cursor| {
        let mut with_cursor = form_urlencoded::Serializer::new(filters.clone());
        with_query(SECTION, &with_cursor.append_pair("cursor", cursor).finish())
    });
    html! {
        p {
            a.button href=(with_query(&format!("{SECTION}.csv"), &filters)) hx-boost="false" download { "下载 CSV（当前筛选）" }
        }
        @if found.items.is_empty() {
            p.muted { "没有符合条件的记录。" }
        } @else {
            table.audit {
                thead { tr { th { "时间" } th { "操作人" } th { "当事人" } th { "操作" } th { "对象" } th { "理由" } } }
                tbody {
                    @for row in &found.items {
                        @let e = &row.entry;
                        tr {
                            td { (when(e.at)) }
                            td { a href=(format!("{SECTION}?actor={}", e.actor_id)) title="只看此人的记录" { (row.actor_name.as_deref().unwrap_or("（已删除）")) } }
                            td { @if let Some(s) = e.subject_id { a href=(format!("{SECTION}?subject={s}")) title="只看关于此人的记录" { code { (s) } } } }
                            td { code { (e.action) } }
                            td { (e.object_type) " " code.muted { (e.object_id) } }
                            td { (e.reason) }
                        }
                    }
                }
            }
        }
        @if let Some(next) = &next {
            p.pager { a href=(next) { "下一页 →" } }
        }
    }
}

/// The audit log, newest first, 50 a page, with the API's filters. Admins.
pub async fn page_view(
    user: ConsoleUser,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ConsoleError> {
    user.require_admin()?;
    let staff = staff(&state).await?;
    let found = match AuditFilter::parse(query.raw()).map_err(ApiError::from) {
        Ok(filter) => {
            let request = page::<Uuid>(Some(PAGE_SIZE), query.cursor.as_deref())?;
            Ok(audit::browse(&state.db, &user.principal, &filter, request).await?)
        }
        Err(err) => Err(err),
    };
    let (status, listing) = match &found {
        Ok(found) => (StatusCode::OK, entries(found, &query)),
        Err(err) => (err.status_code(), form_errors(err, field_label)),
    };
    let body = html! {
        p.muted { "每次工作人员查看个人信息都会记录在此：谁、看了谁的什么、何时、为什么。" }
        (filter_form(&query, &staff))
        (listing)
    };
    Ok(layout::respond(
        status,
        layout::page(&user, SECTION, "审计日志", body),
    ))
}

/// The same selection as CSV: what `GET /api/v1/audit.csv` answers. Admins.
pub async fn csv(
    user: ConsoleUser,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ConsoleError> {
    user.require_admin()?;
    let filter = AuditFilter::parse(query.raw())?;
    let (rows, truncated) = audit::export(&state.db, &user.principal, &filter).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"audit.csv\"",
        ))
        .insert_header(("X-Doorstep-Truncated", truncated.to_string()))
        .body(audit::to_csv(&rows)))
}
