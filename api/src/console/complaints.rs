//! Complaints: the officers' queue of open complaints by their next deadline (overdue in
//! red), a complaint with its photos and steps, and the acknowledge and outcome forms — the
//! same domain calls as `/api/v1/complaints`.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use doorstep_domain::complaints::handling::{
    self, AcknowledgeInput, ComplaintOutcomeInput, action_label,
};
use doorstep_domain::complaints::{self, reason_label};
use doorstep_domain::entities::complaint;
use doorstep_domain::types::{
    ComplaintAction, ComplaintOutcome, ComplaintStatus, ComplaintSubject,
};
use doorstep_domain::{ErrorCode, Invalid, time};
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::error::ConsoleError;
use super::layout::{self, csrf_field, notice, when};
use super::session::{ConsoleUser, Posted};
use crate::http::{ApiError, page};
use crate::startup::AppState;

const SECTION: &str = "/console/complaints";
const ACTIONS: &[ComplaintAction] = &[
    ComplaintAction::PostingTakenDown,
    ComplaintAction::BusinessWarned,
    ComplaintAction::BusinessSuspended,
];

fn status_label(status: ComplaintStatus) -> &'static str {
    match status {
        ComplaintStatus::Open => "待受理",
        ComplaintStatus::Acknowledged => "处理中",
        ComplaintStatus::Closed => "已办结",
    }
}

fn subject_label(subject: ComplaintSubject) -> &'static str {
    match subject {
        ComplaintSubject::Posting => "岗位",
        ComplaintSubject::Business => "商户",
        ComplaintSubject::Message => "聊天消息",
        ComplaintSubject::Shift => "零工班次",
    }
}

fn event_label(kind: &str) -> &str {
    match kind {
        "filed" => "提交投诉",
        "acknowledged" => "受理",
        "closed" => "办结",
        "ack_overdue" | "ack_escalated" => "受理逾期",
        "close_overdue" | "close_escalated" => "办结逾期",
        other => other,
    }
}

/// The deadline that matters now: to acknowledge, then to close; none once closed.
fn next_deadline(c: &complaint::Model) -> Option<(DateTime<Utc>, &'static str)> {
    match c.status {
        ComplaintStatus::Open => Some((c.ack_due_at, "受理")),
        ComplaintStatus::Acknowledged => Some((c.close_due_at, "办结")),
        ComplaintStatus::Closed => None,
    }
}

fn deadline_cell(c: &complaint::Model, now: DateTime<Utc>) -> Markup {
    html! {
        @match next_deadline(c) {
            Some((due, what)) if due < now => { span.bad { (what) "期限 " (when(due)) "（已逾期）" } }
            Some((due, what)) => { (what) "期限 " (when(due)) }
            None => { span.muted { "已办结 " (c.closed_at.map(when).unwrap_or_default()) } }
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    status: Option<String>,
    overdue: Option<String>,
    cursor: Option<String>,
}

/// The queue (the same call as `GET /api/v1/complaints`), each page ordered by the next
/// deadline.
pub async fn queue(
    user: ConsoleUser,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let status = match query.status.as_deref().unwrap_or("") {
        "" => None,
        "open" => Some(ComplaintStatus::Open),
        "acknowledged" => Some(ComplaintStatus::Acknowledged),
        "closed" => Some(ComplaintStatus::Closed),
        _ => {
            return Err(ApiError::field(
                ErrorCode::InvalidQuery,
                "status",
                Invalid::new(ErrorCode::InvalidQuery, "open、acknowledged 或 closed"),
            )
            .into());
        }
    };
    let overdue = matches!(query.overdue.as_deref(), Some("true" | "on" | "1"));
    let request = page(Some(50), query.cursor.as_deref())?;
    let found = complaints::queue(&state.db, &user.principal, status, overdue, request).await?;
    let mut items: Vec<&complaint::Model> = found.items.iter().collect();
    items.sort_by_key(|c| next_deadline(c).map(|(d, _)| d));
    let now = time::now();
    let body = html! {
        form.filters method="get" action=(SECTION) hx-get=(SECTION) hx-trigger="change" hx-target="#main" hx-select="#main" hx-swap="outerHTML" hx-push-url="true" {
            label { "状态"
                select name="status" {
                    option value="" selected[status.is_none()] { "未办结" }
                    @for s in [ComplaintStatus::Open, ComplaintStatus::Acknowledged, ComplaintStatus::Closed] {
                        option value=(s.as_str()) selected[status == Some(s)] { (status_label(s)) }
                    }
                }
            }
            label.check { input type="checkbox" name="overdue" value="true" checked[overdue]; "只看逾期" }
            noscript { button type="submit" { "筛选" } }
        }
        @if items.is_empty() {
            p.muted { "没有符合条件的投诉。" }
        } @else {
            table {
                thead { tr { th { "期限" } th { "原因" } th { "对象" } th { "内容" } th { "状态" } } }
                tbody {
                    @for c in &items {
                        tr {
                            td { (deadline_cell(c, now)) }
                            td { a href=(format!("{SECTION}/{}", c.id)) { (reason_label(c.reason)) } }
                            td { (subject_label(c.subject_kind)) " · " a href=(format!("/console/businesses/{}", c.business_id)) { "商户档案" } }
                            td { (c.text) }
                            td { (status_label(c.status)) }
                        }
                    }
                }
            }
        }
        @if let Some(next) = &found.next_cursor {
            p.pager { a href=(format!("{SECTION}?status={}{}&cursor={next}", status.map(|s| s.as_str()).unwrap_or(""), if overdue { "&overdue=true" } else { "" })) { "下一页 →" } }
        }
    };
    Ok(layout::ok(layout::page(&user, SECTION, "投诉", body)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailQuery {
    done: Option<String>,
}

/// A complaint: what was said, its photos and steps, and the forms for the next step.
pub async fn detail(
    user: ConsoleUser,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: web::Query<DetailQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let found = complaints::readable_by(&state.db, &user.principal, id.into_inner()).await?;
    let id = found.id;
    let (photos, steps) = complaints::details(&state.db, id).await?;
    let upheld = complaints::upheld_against(&state.db, found.business_id).await?;
    let now = time::now();
    let body = html! {
        (notice(query.done.as_deref(), &[("acknowledged", "已受理，投诉人已收到通知。"), ("closed", "已办结，投诉人已收到结果。")]))
        p { a href=(SECTION) { "← 返回投诉队列" } }
        dl.facts {
            dt { "状态" } dd { (status_label(found.status)) }
            dt { "期限" } dd { (deadline_cell(&found, now)) }
            dt { "原因" } dd { (reason_label(found.reason)) }
            dt { "对象" } dd { (subject_label(found.subject_kind)) " · " a href=(format!("/console/businesses/{}", found.business_id)) { "商户档案" } " " span.muted { "该商户被认定属实的投诉：" (upheld) " 起" } }
            dt { "内容" } dd { (found.text) }
            dt { "提交时间" } dd { (when(found.created_at)) @if found.complainant_id.is_none() { " " span.badge.warn { "平台自动发起" } } }
            @if let Some(outcome) = found.outcome {
                dt { "结果" } dd {
                    @if outcome == ComplaintOutcome::Upheld { "属实 " (action_label(found.action)) } @else { "不属实" }
                    @if let Some(note) = &found.outcome_note { " " span.muted { (note) } }
                }
            }
        }
        @if !photos.is_empty() {
            h2 { "照片" }
            div.photos {
                @for p in &photos {
                    @let src = format!("{SECTION}/{id}/photos/{}", p.id);
                    a href=(src) { img.photo src=(src) alt="投诉照片（点击看原图）"; }
                }
            }
        }
        @if found.status != ComplaintStatus::Closed {
            h2 { "处理" }
            div.cards {
                @if found.status == ComplaintStatus::Open {
                    form.card.stack method="post" action=(format!("{SECTION}/{id}/acknowledge")) {
                        (csrf_field(&user))
                        label { "给投诉人的话（可不填）" input type="text" name="note" maxlength="300"; }
                        button type="submit" { "受理" }
                    }
                }
                form.card.stack method="post" action=(format!("{SECTION}/{id}/outcome")) {
                    (csrf_field(&user))
                    label { "结果"
                        select name="outcome" required {
                            option value=(ComplaintOutcome::Upheld.as_str()) { "属实" }
                            option value=(ComplaintOutcome::NotUpheld.as_str()) { "不属实" }
                        }
                    }
                    label { "措施（属实时必选）"
                        select name="action" {
                            option value="" { "无（不属实）" }
                            @for a in ACTIONS { option value=(a.as_str()) { (action_label(Some(*a))) } }
                        }
                    }
                    label { "调查情况（投诉人会看到）"
                        textarea name="note" rows="3" minlength="2" maxlength="500" required {}
                    }
                    button type="submit" { "办结" }
                }
            }
        }
        h2 { "经过" }
        table {
            thead { tr { th { "时间" } th { "事项" } th { "说明" } } }
            tbody {
                @for e in &steps {
                    tr { td { (when(e.at)) } td { (event_label(&e.kind)) } td { (e.note) } }
                }
            }
        }
    };
    Ok(layout::ok(layout::page(
        &user,
        SECTION,
        &format!("投诉 · {}", reason_label(found.reason)),
        body,
    )))
}

/// A complaint's photo (the same call as `GET /api/v1/complaints/{id}/photos/{photo_id}`).
pub async fn photo(
    user: ConsoleUser,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ConsoleError> {
    let (id, photo) = path.into_inner();
    let (row, bytes) =
        complaints::photo(&state.db, state.media.as_ref(), &user.principal, id, photo).await?;
    Ok(crate::http::upload::private_file(row.content_type, bytes))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeForm {
    #[serde(default)]
    note: String,
}

/// Takes the complaint up (the same call as `POST /api/v1/complaints/{id}/acknowledge`).
pub async fn acknowledge(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<AcknowledgeForm>,
) -> Result<HttpResponse, ConsoleError> {
    let me = &posted.user.principal;
    let id = complaints::readable_by(&state.db, me, id.into_inner())
        .await?
        .id;
    let input = AcknowledgeInput {
        note: posted.form.note,
    };
    handling::acknowledge(&state.db, me, id, input).await?;
    Ok(layout::see_other(&format!(
        "{SECTION}/{id}?done=acknowledged"
    )))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeForm {
    outcome: ComplaintOutcome,
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
}

/// Closes the complaint (the same call as `POST /api/v1/complaints/{id}/outcome`).
pub async fn outcome(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<OutcomeForm>,
) -> Result<HttpResponse, ConsoleError> {
    let me = &posted.user.principal;
    let id = complaints::readable_by(&state.db, me, id.into_inner())
        .await?
        .id;
    let form = posted.form;
    let action = match form.action.trim() {
        "" => None,
        raw => Some(
            ACTIONS
                .iter()
                .copied()
                .find(|a| a.as_str() == raw)
                .ok_or_else(|| {
                    ApiError::field(
                        ErrorCode::InvalidBody,
                        "action",
                        Invalid::new(ErrorCode::InvalidBody, "请选择措施"),
                    )
                })?,
        ),
    };
    let input = ComplaintOutcomeInput {
        outcome: form.outcome,
        action,
        note: form.note,
    };
    handling::decide(&state.db, me, id, input).await?;
    Ok(layout::see_other(&format!("{SECTION}/{id}?done=closed")))
}
