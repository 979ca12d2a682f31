//! Service records: the officer's follow-up queue, and a seeker's file (asked for with a
//! reason, audited as in the API) with its records and the form to file a new one.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use doorstep_domain::entities::{seeker_profile, service_record};
use doorstep_domain::postings::taxonomy;
use doorstep_domain::service_records::{self, ServiceRecordInput, ServiceRecordUpdate};
use doorstep_domain::types::{Education, ServiceKind, Visibility};
use doorstep_domain::{ErrorCode, Invalid, profiles, time};
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::error::ConsoleError;
use super::layout::{self, csrf_field, notice, post_button, when};
use super::session::{ConsoleUser, Posted};
use crate::http::{ApiError, page};
use crate::startup::AppState;
use doorstep_search_index::SearchRequest;

const SECTION: &str = "/console/service-records";
const SEEKERS: &str = "/console/seekers";
/// The "within N days" choices of the queue (the API takes 0 to 90).
const WINDOWS: &[i64] = &[0, 3, 7, 14, 30, 90];
const KINDS: &[ServiceKind] = &[
    ServiceKind::JobGuidance,
    ServiceKind::TrainingReferral,
    ServiceKind::RightsConsultation,
    ServiceKind::SkillsAssessment,
    ServiceKind::Other,
];

pub fn kind_label(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::JobGuidance => "就业指导",
        ServiceKind::TrainingReferral => "培训推荐",
        ServiceKind::RightsConsultation => "权益咨询",
        ServiceKind::SkillsAssessment => "技能评估",
        ServiceKind::Other => "其他",
    }
}

fn seeker_path(seeker: Uuid) -> String {
    format!("{SEEKERS}/{seeker}")
}

/// The file's address with the reason it was opened for, so the officer stays on it (each
/// read is audited again with that reason).
fn file_path(seeker: Uuid, reason: &str, extra: &str) -> String {
    let reason: String = form_urlencoded::byte_serialize(reason.as_bytes()).collect();
    format!("{}?reason={reason}{extra}", seeker_path(seeker))
}

/// The follow-up's due date, red when it has passed.
fn due_cell(r: &service_record::Model, today: NaiveDate) -> Markup {
    html! {
        @match (r.follow_up_due, r.follow_up_done_at) {
            (_, Some(done)) => { span.muted { "已回访 " (when(done)) } }
            (Some(due), None) if due < today => { span.bad { (due.to_string()) "（已逾期）" } }
            (Some(due), None) if due == today => { span.warn { (due.to_string()) "（今天）" } }
            (Some(due), None) => { (due.to_string()) }
            (None, None) => { span.muted { "无需回访" } }
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    within_days: Option<i64>,
    done: Option<String>,
}

/// The officer's follow-ups: overdue, due today, or due within the chosen days.
pub async fn queue(
    user: ConsoleUser,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let within = query.within_days.unwrap_or(7);
    let records = service_records::follow_ups(&state.db, &user.principal, within).await?;
    let today = time::today();
    let body = html! {
        (notice(query.done.as_deref(), &[("followed_up", "已标记回访完成。")]))
        form.filters method="get" action=(SECTION) hx-get=(SECTION) hx-trigger="change" hx-target="#main" hx-select="#main" hx-swap="outerHTML" hx-push-url="true" {
            label { "到期时间"
                select name="within_days" {
                    @for d in WINDOWS {
                        option value=(d) selected[*d == within] {
                            @if *d == 0 { "今天及已逾期" } @else { (d) " 天内" }
                        }
                    }
                }
            }
            noscript { button type="submit" { "筛选" } }
        }
        @if records.is_empty() {
            p.muted { "没有需要回访的服务记录。" }
        } @else {
            table {
                thead { tr { th { "回访日期" } th { "服务" } th { "求职者" } th { "记录" } th { "结果" } th { "操作" } } }
                tbody {
                    @for r in &records {
                        tr {
                            td { (due_cell(r, today)) }
                            td { (kind_label(r.kind)) }
                            td { a href=(seeker_path(r.seeker_id)) { "查看档案" } }
                            td { (r.notes) }
                            td { (r.outcome.as_deref().unwrap_or("")) }
                            td { (post_button(&user, &format!("{SECTION}/{}/done", r.id), "回访完成", "")) }
                        }
                    }
                }
            }
        }
        h2 { "查找求职者" }
        (search_form("", ""))
    };
    Ok(layout::ok(layout::page(
        &user,
        SECTION,
        "服务记录与回访",
        body,
    )))
}

fn search_form(q: &str, reason: &str) -> Markup {
    html! {
        form.filters method="get" action=(SEEKERS) {
            label { "技能、专业或求职意向" input type="search" name="q" value=(q) maxlength="200" required; }
            label { "查阅理由" input type="text" name="reason" value=(reason) minlength="2" maxlength="200" required placeholder="例如：为招聘会推荐人选"; }
            button type="submit" { "查找" }
        }
        p.muted { "查找结果中的每一位求职者都会连同理由记入审计日志；打开档案时以同一理由再次记录。" }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    q: Option<String>,
    reason: Option<String>,
}

/// Finds seekers of the officer's districts (the same search as `GET
/// /api/v1/profiles/search`: a reason required, every profile found audited with it).
pub async fn search(
    user: ConsoleUser,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let q = query.q.as_deref().map(str::trim).unwrap_or("");
    let reason = query.reason.as_deref().unwrap_or("");
    if q.is_empty() {
        let body = html! {
            (search_form(q, reason))
            p { a href=(SECTION) { "← 返回服务记录" } }
        };
        return Ok(layout::ok(layout::page(&user, SECTION, "查找求职者", body)));
    }
    if q.chars().count() > 200 {
        return Err(ApiError::field(
            ErrorCode::InvalidQuery,
            "q",
            Invalid::new(ErrorCode::TooLong, "at most 200 characters"),
        )
        .into());
    }
    let found = crate::services::search::search_profiles(
        &state.db,
        &state.search,
        &user.principal,
        SearchRequest::new(q),
        20,
        None,
        Some(reason),
    )
    .await
    .map_err(crate::routes::search::search_error)?;
    let results = found.results;
    let body = html! {
        (search_form(q, reason))
        @if results.fallback.is_some() && !results.hits.is_empty() {
            p.warn { "没有完全符合的求职者，以下是放宽条件后的结果。" }
        }
        @if results.hits.is_empty() {
            p.muted { "没有找到求职者。" }
        } @else {
            table {
                thead { tr { th { "姓名" } th { "技能" } th { "学历 / 专业" } th { "意向类别" } } }
                tbody {
                    @for h in &results.hits {
                        @let d = &h.display;
                        tr {
                            td { a href=(file_path(h.id, reason, "")) { (d.full_name) } }
                            td { (d.skills.join("、")) }
                            td { (d.education.map(education_label).unwrap_or("—")) " " (d.major.as_deref().unwrap_or("")) }
                            td { (d.desired_categories.iter().map(|c| taxonomy::name_zh(c)).collect::<Vec<_>>().join("、")) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::ok(layout::page(&user, SECTION, "查找求职者", body)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneForm {}

/// Marks a follow-up done (the same update as `PATCH /api/v1/service-records/{id}`).
pub async fn done(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<DoneForm>,
) -> Result<HttpResponse, ConsoleError> {
    let update = ServiceRecordUpdate {
        follow_up_done: true,
        ..ServiceRecordUpdate::default()
    };
    service_records::update(&state.db, &posted.user.principal, id.into_inner(), update).await?;
    Ok(layout::see_other(&format!("{SECTION}?done=followed_up")))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileQuery {
    reason: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

/// A seeker's file. Without a reason it only asks for one (and only for a seeker the
/// officer may serve); with one, the profile and the records are read through the same
/// domain calls as `GET /api/v1/profiles/{id}` and `…/service-records`, each audited with it.
pub async fn seeker(
    user: ConsoleUser,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: web::Query<FileQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let seeker = id.into_inner();
    let Some(reason) = query.reason.as_deref().filter(|r| !r.trim().is_empty()) else {
        service_records::may_serve(&state.db, &user.principal, seeker).await?;
        return Ok(layout::ok(layout::page(
            &user,
            SECTION,
            "查阅求职者档案",
            reason_form(seeker),
        )));
    };
    let request = page(Some(50), query.cursor.as_deref())?;
    let view = profiles::view_for(&state.db, &user.principal, seeker, None, Some(reason)).await?;
    let records =
        service_records::file(&state.db, &user.principal, seeker, Some(reason), request).await?;
    let today = time::today();
    let p = &view.profile;
    let body = html! {
        (notice(query.done.as_deref(), &[("recorded", "服务记录已保存。")]))
        p.muted { "查阅理由：" (reason) "（已记入审计日志）" }
        (profile_facts(p, view.phone.as_deref(), view.email.as_deref()))
        h2 { "服务记录" }
        @if records.items.is_empty() {
            p.muted { "还没有服务记录。" }
        } @else {
            table {
                thead { tr { th { "时间" } th { "服务" } th { "记录" } th { "结果" } th { "回访" } } }
                tbody {
                    @for r in &records.items {
                        tr {
                            td { (when(r.created_at)) }
                            td { (kind_label(r.kind)) }
                            td { (r.notes) }
                            td { (r.outcome.as_deref().unwrap_or("")) }
                            td { (due_cell(r, today)) }
                        }
                    }
                }
            }
        }
        @if let Some(next) = &records.next_cursor {
            p.pager { a href=(file_path(seeker, reason, &format!("&cursor={next}"))) { "更早的记录 →" } }
        }
        h2 { "新增服务记录" }
        form.card.stack method="post" action=(format!("{}/service-records", seeker_path(seeker))) {
            (csrf_field(&user))
            input type="hidden" name="reason" value=(reason);
            label { "服务类型"
                select name="kind" required {
                    @for k in KINDS { option value=(k.as_str()) { (kind_label(*k)) } }
                }
            }
            label { "服务内容"
                textarea name="notes" rows="3" minlength="2" maxlength="2000" required {}
            }
            label { "结果（可不填）"
                input type="text" name="outcome" maxlength="1000";
            }
            label { "回访日期（可不填）"
                input type="date" name="follow_up_due" min=(today.to_string());
            }
            button type="submit" { "保存服务记录" }
        }
    };
    Ok(layout::ok(layout::page(&user, SECTION, &p.full_name, body)))
}

fn reason_form(seeker: Uuid) -> Markup {
    html! {
        p { "查阅求职者的档案须说明理由。理由与查阅时间会记入审计日志，求职者本人可以查询。" }
        form.card.stack method="get" action=(seeker_path(seeker)) {
            label { "查阅理由"
                input type="text" name="reason" minlength="2" maxlength="200" required placeholder="例如：回访培训报名情况";
            }
            button type="submit" { "查阅档案" }
        }
        p { a href=(SECTION) { "← 返回服务记录" } }
    }
}

fn education_label(e: Education) -> &'static str {
    match e {
        Education::None => "无",
        Education::JuniorHigh => "初中",
        Education::HighSchool => "高中",
        Education::Vocational => "中专/职高",
        Education::Associate => "大专",
        Education::Bachelor => "本科",
        Education::Master => "硕士",
        Education::Doctorate => "博士",
    }
}

fn visibility_label(v: Visibility) -> &'static str {
    match v {
        Visibility::Public => "公开",
        Visibility::OfficersOnly => "仅就业服务专员可见",
        Visibility::Hidden => "隐藏",
    }
}

fn profile_facts(p: &seeker_profile::Model, phone: Option<&str>, email: Option<&str>) -> Markup {
    html! {
        dl.facts {
            dt { "姓名" } dd { (p.full_name) }
            dt { "电话" } dd { (phone.unwrap_or("—")) }
            @if let Some(email) = email { dt { "邮箱" } dd { (email) } }
            dt { "学历" } dd { (p.education.map(education_label).unwrap_or("—")) }
            dt { "专业" } dd { (p.major.as_deref().unwrap_or("—")) }
            @if let Some(year) = p.graduation_year { dt { "毕业年份" } dd { (year) } }
            dt { "技能" } dd { (p.skills.0.join("、")) }
            dt { "意向类别" } dd { (p.desired_categories.0.iter().map(|c| taxonomy::name_zh(c)).collect::<Vec<_>>().join("、")) }
            dt { "档案可见性" } dd { (visibility_label(p.visibility)) }
            dt { "简历" } dd { (p.resume) }
            dt { "资料更新" } dd { (when(p.updated_at)) }
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordForm {
    kind: ServiceKind,
    notes: String,
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    follow_up_due: String,
    /// The reason the file was opened for, to come back to it.
    #[serde(default)]
    reason: Option<String>,
}

/// Files a service record (the same call as `POST /api/v1/profiles/{id}/service-records`).
pub async fn create(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<RecordForm>,
) -> Result<HttpResponse, ConsoleError> {
    let seeker = id.into_inner();
    let form = posted.form;
    let follow_up_due = match form.follow_up_due.trim() {
        "" => None,
        raw => Some(NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
            ApiError::field(
                ErrorCode::InvalidBody,
                "follow_up_due",
                Invalid::new(ErrorCode::InvalidBody, "a date like 2026-06-01"),
            )
        })?),
    };
    let input = ServiceRecordInput {
        kind: form.kind,
        notes: form.notes,
        outcome: form.outcome,
        follow_up_due,
    };
    service_records::create(&state.db, &posted.user.principal, seeker, input).await?;
    let back = match form.reason.as_deref().filter(|r| !r.trim().is_empty()) {
        Some(reason) => file_path(seeker, reason, "&done=recorded"),
        None => seeker_path(seeker),
    };
    Ok(layout::see_other(&back))
}
