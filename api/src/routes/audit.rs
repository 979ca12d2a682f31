//! Audit browsing for admins: who read whose personal data, filtered by actor, subject,
//! action and time, as pages or as a CSV export.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use doorstep_domain::audit::{self, AuditFilter, RawAuditFilter};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::http::{ApiError, Auth, Problem, page};
use crate::startup::AppState;
use crate::views::officer::AuditPage;

/// The filters, all optional and combined. Bad ones are refused with 422 naming the field.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries by this account (an officer's id).
    pub actor: Option<String>,
    /// Entries about this person (a seeker's account id).
    pub subject: Option<String>,
    /// Entries of this action, e.g. `read_profile`.
    pub action: Option<String>,
    /// From this time (inclusive): a date (`2026-11-26`, the day's start in +08:00) or an
    /// RFC 3339 time.
    pub from: Option<String>,
    /// Until this time (exclusive): a date includes that whole day (+08:00), or an RFC
    /// 3339 time.
    pub to: Option<String>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter, ApiError> {
        Ok(AuditFilter::parse(RawAuditFilter {
            actor: self.actor.as_deref(),
            subject: self.subject.as_deref(),
            action: self.action.as_deref(),
            from: self.from.as_deref(),
            to: self.to.as_deref(),
        })?)
    }
}

/// The CSV export's filters: the page's, without `limit` and `cursor` (one export is every
/// matching row up to its cap).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditExportQuery {
    /// Entries by this account (an officer's id).
    pub actor: Option<String>,
    /// Entries about this person (a seeker's account id).
    pub subject: Option<String>,
    /// Entries of this action, e.g. `read_profile`.
    pub action: Option<String>,
    /// From this time (inclusive): a date (`2026-11-26`, the day's start in +08:00) or an
    /// RFC 3339 time.
    pub from: Option<String>,
    /// Until this time (exclusive): a date includes that whole day (+08:00), or an RFC
    /// 3339 time.
    pub to: Option<String>,
}

impl AuditExportQuery {
    fn filter(&self) -> Result<AuditFilter, ApiError> {
        Ok(AuditFilter::parse(RawAuditFilter {
            actor: self.actor.as_deref(),
            subject: self.subject.as_deref(),
            action: self.action.as_deref(),
            from: self.from.as_deref(),
            to: self.to.as_deref(),
        })?)
    }
}

/// The audit log, newest first, one page at a time. Admins only.
#[utoipa::path(
    tag = "officer",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, body = AuditPage),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "bad limit or cursor"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an admin"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "a bad filter, named in `errors`"),
    )
)]
#[get("/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<AuditQuery>,
) -> Result<web::Json<AuditPage>, ApiError> {
    let filter = query.filter()?;
    let page = page(query.limit, query.cursor.as_deref())?;
    let found = audit::browse(&state.db, &auth.0, &filter, page).await?;
    Ok(web::Json(AuditPage {
        next_cursor: found.next_cursor,
        items: found.items.into_iter().map(Into::into).collect(),
    }))
}

/// The audit log as CSV (UTF-8 with a byte-order mark, times in +08:00), newest first,
/// with the same filters: at most 100,000 rows; when more match, the newest are given and
/// the `X-Doorstep-Truncated: true` header says so (narrow the time range for the rest).
/// Admins only.
#[utoipa::path(
    tag = "officer",
    security(("bearer" = [])),
    params(AuditExportQuery),
    responses(
        (status = 200, content_type = "text/csv; charset=utf-8", body = String,
            description = "columns: id, at, actor_id, actor_name, subject_id, action, object_type, object_id, reason"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an admin"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "a bad filter, named in `errors`"),
    )
)]
#[get("/audit.csv")]
pub async fn export_audit(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<AuditExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = query.filter()?;
    let (rows, truncated) = audit::export(&state.db, &auth.0, &filter).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"audit.csv\"",
        ))
        .insert_header(("X-Doorstep-Truncated", truncated.to_string()))
        .body(audit::to_csv(&rows)))
}
