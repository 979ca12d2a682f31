//! 随手拍 reports: the coordinators' queue (by status, overdue, paged), a report with its
//! photos, duplicates and history, and dispatch to a department with a deadline, or reject.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Duration, NaiveDateTime, Timelike, Utc};
use doorstep_domain::entities::report;
use doorstep_domain::reports::handling::{self, DispatchInput};
use doorstep_domain::reports::{self, category_label};
use doorstep_domain::types::{MediaKind, ReportStatus};
use doorstep_domain::{DomainError, ErrorCode, Invalid, time};
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::error::ConsoleError;
use super::layout::{self, csrf_field, notice, when};
use super::session::{ConsoleUser, Posted};
use crate::http::{ApiError, page};
use crate::startup::AppState;

const SECTION: &str = "/console/reports";
const STATUSES: &[ReportStatus] = &[
    ReportStatus::Submitted,
    ReportStatus::Dispatched,
    ReportStatus::InProgress,
    ReportStatus::Resolved,
    ReportStatus::Rejected,
];
/// The deadline the dispatch form offers first.
const DEFAULT_DEADLINE: Duration = Duration::hours(72);

pub fn status_label(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Submitted => "待派单",
        ReportStatus::Duplicate => "重复上报",
        ReportStatus::Dispatched => "已派单",
        ReportStatus::InProgress => "处理中",
        ReportStatus::Resolved => "已解决",
        ReportStatus::Rejected => "未受理",
    }
}

fn event_label(kind: &str) -> &str {
    match kind {
        "submitted" => "提交",
        "duplicate_linked" => "关联重复上报",
        "dispatched" => "派单",
        "in_progress" => "开始处理",
        "resolved" => "已解决",
        "rejected" => "未受理",
        "escalated" => "逾期升级",
        other => other,
    }
}

fn is_open(status: ReportStatus) -> bool {
    matches!(
        status,
        ReportStatus::Submitted | ReportStatus::Dispatched | ReportStatus::InProgress
    )
}

/// How long ago, as officers say it.
fn age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = now - since;
    if d.num_days() >= 1 {
        format!("{} 天", d.num_days())
    } else if d.num_hours() >= 1 {
        format!("{} 小时", d.num_hours())
    } else {
        format!("{} 分钟", d.num_minutes().max(0))
    }
}

/// The deadline, red once passed while the report is still open.
fn deadline_cell(r: &report::Model, now: DateTime<Utc>) -> Markup {
    html! {
        @match r.deadline {
            Some(d) if is_open(r.status) && (d < now || r.escalated_at.is_some()) => {
                span.bad { (when(d)) "（已逾期）" }
            }
            Some(d) => { (when(d)) }
            None => { span.muted { "—" } }
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    status: Option<ReportStatus>,
    #[serde(default)]
    overdue: Option<String>,
    cursor: Option<String>,
}

/// The coordinators' queue (the same call as `GET /api/v1/reports`), 50 a page.
pub async fn queue(
    user: ConsoleUser,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let status = query.status.unwrap_or(ReportStatus::Submitted);
    let overdue = matches!(query.overdue.as_deref(), Some("true" | "on" | "1"));
    let request = page(Some(50), query.cursor.as_deref())?;
    let found = reports::queue(&state.db, &user.principal, Some(status), overdue, request).await?;
    let now = time::now();
    let body = html! {
        form.filters method="get" action=(SECTION) hx-get=(SECTION) hx-trigger="change" hx-target="#main" hx-select="#main" hx-swap="outerHTML" hx-push-url="true" {
            label { "状态"
                select name="status" {
                    @for s in STATUSES {
                        option value=(s.as_str()) selected[*s == status] { (status_label(*s)) }
                    }
                }
            }
            label.check { input type="checkbox" name="overdue" value="true" checked[overdue]; "只看逾期" }
            noscript { button type="submit" { "筛选" } }
        }
        @if found.items.is_empty() {
            p.muted { "没有" (status_label(status)) @if overdue { "且逾期" } "的随手拍。" }
        } @else {
            table {
                thead { tr { th { "类别" } th { "地址" } th { "描述" } th { "已过" } th { "期限" } th { "重复" } th { "状态" } } }
                tbody {
                    @for r in &found.items {
                        tr {
                            td { a href=(format!("{SECTION}/{}", r.id)) { (category_label(r.category)) } }
                            td { (r.address) }
                            td { (r.text) }
                            td { (age(r.created_at, now)) }
                            td { (deadline_cell(r, now)) }
                            td { @if r.duplicates > 0 { (r.duplicates) } }
                            td { (status_label(r.status)) }
                        }
                    }
                }
            }
        }
        @if let Some(next) = &found.next_cursor {
            p.pager { a href=(format!("{SECTION}?status={}{}&cursor={next}", status.as_str(), if overdue { "&overdue=true" } else { "" })) { "下一页 →" } }
        }
    };
    Ok(layout::ok(layout::page(&user, SECTION, "随手拍", body)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailQuery {
    done: Option<String>,
}

fn media_path(report: Uuid, media: Uuid) -> String {
    format!("{SECTION}/{report}/media/{media}")
}

/// `datetime-local` value of a time, in Beijing time.
fn local_input(at: DateTime<Utc>) -> String {
    time::to_display(at).format("%Y-%m-%dT%H:%M").to_string()
}

/// A report: what was reported, its photos, duplicates and history; dispatch and reject.
pub async fn detail(
    user: ConsoleUser,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: web::Query<DetailQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let found = reports::readable_by(&state.db, &user.principal, id.into_inner()).await?;
    let id = found.id;
    let (files, history) = reports::details(&state.db, id).await?;
    let duplicates = reports::linked(&state.db, id).await?;
    let departments = handling::list_departments(&state.db, &user.principal).await?;
    let now = time::now();
    let suggested = (now + DEFAULT_DEADLINE)
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .unwrap_or(now + DEFAULT_DEADLINE);
    let title = format!("{} · {}", category_label(found.category), found.address);
    let body = html! {
        (notice(query.done.as_deref(), &[("dispatched", "已派单，部门已收到处理链接。"), ("rejected", "已驳回，上报人已收到理由。")]))
        p { a href=(SECTION) { "← 返回随手拍队列" } }
        dl.facts {
            dt { "状态" } dd { (status_label(found.status)) }
            dt { "类别" } dd { (category_label(found.category)) }
            dt { "地址" } dd { (found.address) " " span.muted { (format!("{:.5}, {:.5}", found.lat, found.lon)) } }
            dt { "描述" } dd { (found.text) }
            dt { "上报时间" } dd { (when(found.created_at)) "（" (age(found.created_at, now)) "前）" }
            dt { "处理期限" } dd { (deadline_cell(&found, now)) }
            @if let Some(dup) = found.duplicate_of {
                dt { "重复于" } dd { a href=(format!("{SECTION}/{dup}")) { "更早的上报" } }
            }
            @if let Some(note) = &found.resolution_note { dt { "处理说明" } dd { (note) } }
        }
        h2 { "照片与录音" }
        @if files.is_empty() {
            p.muted { "没有附件。" }
        } @else {
            div.photos {
                @for f in &files {
                    @match f.kind {
                        MediaKind::Voice => { audio controls src=(media_path(id, f.id)) {} }
                        MediaKind::Photo => { a href=(media_path(id, f.id)) { img.photo src=(media_path(id, f.id)) alt="上报照片（点击看原图）"; } }
                        MediaKind::ResolutionPhoto => { a href=(media_path(id, f.id)) { img.photo src=(media_path(id, f.id)) alt="处理后照片（点击看原图）"; } }
                    }
                }
            }
        }
        h2 { "重复上报（" (duplicates.len()) "）" }
        @if duplicates.is_empty() {
            p.muted { "没有关联的重复上报。" }
        } @else {
            ul {
                @for d in &duplicates {
                    li { a href=(format!("{SECTION}/{}", d.id)) { (when(d.created_at)) } " " (d.text) }
                }
            }
        }
        @if is_open(found.status) {
            h2 { "派单" }
            div.cards {
                form.card.stack method="post" action=(format!("{SECTION}/{id}/dispatch")) {
                    (csrf_field(&user))
                    label { "派往部门"
                        select name="department_id" required {
                            option value="" { "请选择部门" }
                            @for d in &departments {
                                option value=(d.id) selected[found.department_id == Some(d.id)] { (d.name) }
                            }
                        }
                    }
                    label { "处理期限（北京时间）"
                        input type="datetime-local" name="deadline" required value=(local_input(suggested));
                    }
                    label { "给部门的话（可不填）"
                        input type="text" name="note" maxlength="300";
                    }
                    button type="submit" { @if found.status == ReportStatus::Submitted { "派单" } @else { "重新派单" } }
                }
                @if found.status == ReportStatus::Submitted {
                    form.card.stack method="post" action=(format!("{SECTION}/{id}/reject")) {
                        (csrf_field(&user))
                        label { "不受理的理由（上报人会看到）"
                            textarea name="reason" rows="3" minlength="2" maxlength="300" required {}
                        }
                        button.danger type="submit" { "不予受理" }
                    }
                }
            }
            @if departments.is_empty() {
                p.warn { "还没有可派单的部门。" }
            }
        }
        h2 { "处理经过" }
        table {
            thead { tr { th { "时间" } th { "事项" } th { "说明" } } }
            tbody {
                @for e in &history {
                    tr { td { (when(e.at)) } td { (event_label(&e.kind)) } td { (e.note) } }
                }
            }
        }
    };
    Ok(layout::ok(layout::page(&user, SECTION, &title, body)))
}

/// A photo or voice note of a report (the same call as `GET /api/v1/media/{id}`: for those
/// who may read the report).
pub async fn media(
    user: ConsoleUser,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ConsoleError> {
    let (report, media) = path.into_inner();
    let (row, bytes) = reports::media_file(
        &state.db,
        state.media.as_ref(),
        Some(&user.principal),
        media,
    )
    .await?;
    if row.report_id != report {
        return Err(DomainError::NotFound("file").into());
    }
    Ok(crate::http::upload::private_file(row.content_type, bytes))
}

fn field_error(field: &'static str, message: &str) -> ConsoleError {
    ApiError::field(
        ErrorCode::InvalidBody,
        field,
        Invalid::new(ErrorCode::InvalidBody, message),
    )
    .into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DispatchForm {
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    note: String,
}

/// Dispatches the report (the same call as `POST /api/v1/reports/{id}/dispatch`).
pub async fn dispatch(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<DispatchForm>,
) -> Result<HttpResponse, ConsoleError> {
    let me = &posted.user.principal;
    // Read first: an officer outside the report's district learns nothing, not even
    // whether the form would have passed.
    let id = reports::readable_by(&state.db, me, id.into_inner())
        .await?
        .id;
    let form = posted.form;
    let department_id = Uuid::parse_str(form.department_id.trim())
        .map_err(|_| field_error("department_id", "请选择派往的部门"))?;
    let deadline = NaiveDateTime::parse_from_str(form.deadline.trim(), "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(time::from_local)
        .ok_or_else(|| field_error("deadline", "请填写处理期限，例如 2026-06-01T18:00"))?;
    let input = DispatchInput {
        department_id,
        deadline: deadline.with_timezone(&time::shanghai()),
        note: form.note,
    };
    handling::dispatch(&state.db, me, id, input, &state.settings.public_url()).await?;
    Ok(layout::see_other(&format!(
        "{SECTION}/{id}?done=dispatched"
    )))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectForm {
    #[serde(default)]
    reason: String,
}

/// Turns the report down with a reason (the same call as `POST /api/v1/reports/{id}/reject`).
pub async fn reject(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<RejectForm>,
) -> Result<HttpResponse, ConsoleError> {
    let me = &posted.user.principal;
    let id = reports::readable_by(&state.db, me, id.into_inner())
        .await?
        .id;
    handling::reject(&state.db, me, id, &posted.form.reason).await?;
    Ok(layout::see_other(&format!("{SECTION}/{id}?done=rejected")))
}
