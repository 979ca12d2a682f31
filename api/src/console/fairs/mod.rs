//! Job fairs: the fairs an officer runs or sees, one fair's booths (approve / reject),
//! registrations and route plan, the lifecycle moves, and the printable route sheets and
//! booth schedules ([`sheets`]). Every read and move goes through the same domain
//! functions as `/api/v1/fairs/…`, which keep officers to their districts.

pub mod actions;
pub mod sheets;

use actix_web::{HttpResponse, web};
use doorstep_domain::entities::fair;
use doorstep_domain::fairs::booths::{self, BoothDetail};
use doorstep_domain::fairs::plans::{self, PlanSummary, RosterEntry};
use doorstep_domain::fairs::status::{BoothStatus, FairStatus, RegistrationStatus};
use doorstep_domain::fairs::{self, Action};
use doorstep_domain::{ErrorCode, Invalid, time};
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::error::ConsoleError;
use super::layout::{self, csrf_field, notice, when};
use super::session::ConsoleUser;
use crate::http::{ApiError, page};
use crate::startup::AppState;

pub(crate) const SECTION: &str = "/console/fairs";
/// Registrations listed on a fair's page; the route sheets hold everyone.
const ROSTER_SHOWN: usize = 200;

const STATUSES: [FairStatus; 5] = [
    FairStatus::Draft,
    FairStatus::Published,
    FairStatus::Closed,
    FairStatus::Finished,
    FairStatus::Cancelled,
];

pub fn status_label(status: FairStatus) -> &'static str {
    match status {
        FairStatus::Draft => "草稿",
        FairStatus::Published => "报名中",
        FairStatus::Closed => "报名已截止",
        FairStatus::Finished => "已举办",
        FairStatus::Cancelled => "已取消",
    }
}

fn status_badge(status: FairStatus) -> Markup {
    let class = match status {
        FairStatus::Published => "badge ok",
        FairStatus::Cancelled => "badge bad",
        FairStatus::Draft | FairStatus::Closed => "badge warn",
        FairStatus::Finished => "badge",
    };
    html! { span class=(class) { (status_label(status)) } }
}

fn booth_badge(status: BoothStatus) -> Markup {
    match status {
        BoothStatus::Requested => html! { span.badge.warn { "待审核" } },
        BoothStatus::Approved => html! { span.badge.ok { "已通过" } },
        BoothStatus::Rejected => html! { span.badge.bad { "已驳回" } },
    }
}

fn registration_label(status: RegistrationStatus) -> &'static str {
    match status {
        RegistrationStatus::Registered => "已报名",
        RegistrationStatus::Waitlisted => "候补",
        RegistrationStatus::Cancelled => "已取消",
    }
}

/// `/console/fairs/{id}` and the paths under it.
pub(crate) fn fair_path(id: Uuid) -> String {
    format!("{SECTION}/{id}")
}

/// A one-button form posted as a plain form, not through htmx: htmx 2 does not swap in
/// an error answer (a 409 when another officer reviewed the booth first, say), so a
/// refused form would look as if nothing happened; a plain post shows the error page.
fn button_form(user: &ConsoleUser, action: &str, label: &str, class: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) hx-boost="false" {
            (csrf_field(user))
            button type="submit" class=(class) { (label) }
        }
    }
}

/// "10:00–10:30" of slot `slot`.
pub(crate) fn slot_label(f: &fair::Model, slot: i32) -> String {
    let (start, end) = fairs::slot_window(f, slot);
    format!(
        "{}–{}",
        time::to_display(start).format("%H:%M"),
        time::to_display(end).format("%H:%M")
    )
}

/// Where and when, in one line (the sheets' header too).
pub(crate) fn venue_line(f: &fair::Model) -> String {
    format!(
        "{} {} · {} · {} 至 {}",
        f.mall,
        f.hall,
        f.address,
        when(f.starts_at),
        time::to_display(fairs::ends_at(f)).format("%H:%M")
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Empty: every status.
    status: Option<String>,
    cursor: Option<String>,
}

fn parse_status(raw: Option<&str>) -> Result<Option<FairStatus>, ConsoleError> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => STATUSES
            .into_iter()
            .find(|x| x.as_str() == s)
            .map(Some)
            .ok_or_else(|| {
                ApiError::field(
                    ErrorCode::InvalidQuery,
                    "status",
                    Invalid::new(ErrorCode::InvalidQuery, "unknown fair status"),
                )
                .into()
            }),
    }
}

/// The fairs, newest first, 50 a page: published and later ones of every district (as the
/// API lists them), drafts of the officer's districts. Only the officer's own open.
pub async fn list(
    user: ConsoleUser,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let status = parse_status(query.status.as_deref())?;
    let request = page(Some(50), query.cursor.as_deref())?;
    let found = fairs::list(&state.db, Some(&user.principal), status, request).await?;
    // Present exactly for the fairs this officer runs.
    let waiting = booths::waiting_counts(&state.db, &user.principal, &found.items).await?;
    let status_value = status.map(FairStatus::as_str).unwrap_or("");
    let body = html! {
        form.filters method="get" action=(SECTION) hx-get=(SECTION) hx-trigger="change" hx-target="#main" hx-select="#main" hx-swap="outerHTML" hx-push-url="true" {
            label { "状态"
                select name="status" {
                    option value="" selected[status.is_none()] { "全部" }
                    @for s in STATUSES {
                        option value=(s.as_str()) selected[Some(s) == status] { (status_label(s)) }
                    }
                }
            }
            noscript { button type="submit" { "筛选" } }
        }
        @if found.items.is_empty() {
            p.muted { "没有" @if let Some(s) = status { (status_label(s)) } "的招聘会。" }
        } @else {
            table.fairs {
                thead { tr {
                    th { "招聘会" } th { "商场 / 场地" } th { "开始时间" } th { "状态" }
                    th.num { "展位 已通过 / 总数" } th.num { "待审展位" } th.num { "报名 / 名额" }
                } }
                tbody {
                    @for f in &found.items {
                        @let mine = waiting.get(&f.id);
                        tr {
                            td {
                                @if mine.is_some() {
                                    a href=(fair_path(f.id)) { (f.title) }
                                } @else {
                                    (f.title) " " span.muted { "（其他辖区）" }
                                }
                            }
                            td { (f.mall) " " span.muted { (f.hall) } }
                            td { (when(f.starts_at)) }
                            td { (status_badge(f.status)) }
                            td.num { (f.approved_booths) " / " (f.booth_count) }
                            td.num {
                                @match mine {
                                    Some(0) => { "0" }
                                    Some(n) => { span.badge.warn { (n) } }
                                    None => { span.muted { "—" } }
                                }
                            }
                            td.num { (f.registered_count) " / " (f.seeker_capacity) }
                        }
                    }
                }
            }
        }
        @if let Some(next) = &found.next_cursor {
            p.pager { a href=(format!("{SECTION}?status={status_value}&cursor={next}")) { "下一页 →" } }
        }
    };
    Ok(layout::ok(layout::page(&user, SECTION, "招聘会", body)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailQuery {
    done: Option<String>,
}

const NOTICES: &[(&str, &str)] = &[
    ("approved", "展位已通过并分配了展位号，商户已收到通知。"),
    ("rejected", "展位已驳回，商户已收到理由。"),
    ("planned", "路线已规划，求职者和展位已收到各自的安排。"),
    ("published", "招聘会已发布：商户可申请展位，求职者可报名。"),
    ("closed", "报名已截止。"),
    ("finished", "招聘会已标记为举办完毕。"),
    (
        "cancelled",
        "招聘会已取消，已报名的求职者和展位商户都已收到通知。",
    ),
];

/// One fair: its facts, the moves its status allows, its booths with the review forms,
/// the route plan and its registrations.
pub async fn detail(
    user: ConsoleUser,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: web::Query<DetailQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    // The roster loads the fair for the staff who run it: another district's is 404.
    let (f, roster) = plans::roster(&state.db, &user.principal, id).await?;
    let booth_list = booths::list(&state.db, Some(&user.principal), id).await?;
    let body = html! {
        (notice(query.done.as_deref(), NOTICES))
        p.no-print { a href=(SECTION) { "← 返回招聘会列表" } }
        (facts(&f))
        h2 #booths { "展位" }
        (booth_table(&user, &f, &booth_list))
        h2 #plan { "路线规划" }
        (plan_section(&user, &f))
        h2 #registrations { "报名" }
        (roster_section(&f, &roster))
        (lifecycle(&user, &f))
    };
    Ok(layout::ok(layout::page(&user, SECTION, &f.title, body)))
}

fn facts(f: &fair::Model) -> Markup {
    html! {
        dl.facts.fair-facts {
            dt { "状态" } dd { (status_badge(f.status)) @if let Some(r) = &f.cancel_reason { " " span.muted { "取消原因：" (r) } } }
            dt { "地点" } dd { (f.mall) " " (f.hall) " · " (f.address) }
            dt { "时间" } dd { (when(f.starts_at)) " 至 " (time::to_display(fairs::ends_at(f)).format("%H:%M")) }
            dt { "时段" } dd { (f.slot_count) " 个，每个 " (f.slot_minutes) " 分钟；每人安排 " (f.visits_per_seeker) " 个展位" }
            dt { "展位" } dd { "已通过 " (f.approved_booths) " / 场地共 " (f.booth_count) " 个" }
            dt { "报名" } dd { (f.registered_count) " / 名额 " (f.seeker_capacity) "，" (when(f.registration_deadline)) " 截止" }
        }
        @if !f.description.is_empty() { p.prose.muted { (f.description) } }
    }
}

/// The moves the fair's status allows (the domain's own table says which).
fn lifecycle(user: &ConsoleUser, f: &fair::Model) -> Markup {
    let can = |action| fairs::next_status(f.status, action).is_some();
    let base = fair_path(f.id);
    html! {
        @if can(Action::Publish) || can(Action::Close) || can(Action::Finish) || can(Action::Cancel) {
            h2 #status { "招聘会状态" }
            div.cards.lifecycle {
                @if can(Action::Publish) {
                    div.card {
                        p { "发布后商户可申请展位，求职者可报名。" }
                        (button_form(user, &format!("{base}/publish"), "发布招聘会", ""))
                    }
                }
                @if can(Action::Close) {
                    div.card {
                        p { "提前截止报名（已报名的不受影响）。" }
                        (button_form(user, &format!("{base}/close"), "截止报名", "secondary"))
                    }
                }
                @if can(Action::Finish) {
                    div.card {
                        p { "招聘会举办完毕后标记；之后仍可记录展位结果。" }
                        (button_form(user, &format!("{base}/finish"), "标记为已举办", "secondary"))
                    }
                }
                @if can(Action::Cancel) {
                    form.card.stack method="post" action=(format!("{base}/cancel")) hx-boost="false" {
                        (csrf_field(user))
                        label { "取消原因（会通知所有报名者和展位商户）"
                            input type="text" name="reason" minlength="2" maxlength="500" required;
                        }
                        button.danger type="submit" { "取消招聘会" }
                    }
                }
            }
        }
    }
}

fn booth_table(user: &ConsoleUser, f: &fair::Model, list: &[BoothDetail]) -> Markup {
    let reviewable = f.status.is_live();
    html! {
        @if list.is_empty() {
            p.muted { "还没有商户申请展位。" }
        } @else {
            table.booths {
                thead { tr { th { "展位号" } th { "商户" } th { "带来的岗位" } th.num { "每时段接待" } th { "状态" } th { "审核" } } }
                tbody {
                    @for d in list {
                        tr {
                            td { @if let Some(n) = d.booth.number { (n) " 号" } @else { span.muted { "—" } } }
                            td { (d.business.name) }
                            td { @for (k, p) in d.postings.iter().enumerate() { @if k > 0 { "、" } (p.title) } }
                            td.num { (d.booth.capacity_per_slot) }
                            td { (booth_badge(d.booth.status)) @if let Some(r) = &d.booth.rejection_reason { " " span.muted { "理由：" (r) } } }
                            td {
                                @if d.booth.status == BoothStatus::Requested && reviewable {
                                    @let base = format!("{}/booths/{}", fair_path(f.id), d.booth.id);
                                    div.review {
                                        (button_form(user, &format!("{base}/approve"), "通过", ""))
                                        form.inline method="post" action=(format!("{base}/reject")) hx-boost="false" {
                                            (csrf_field(user))
                                            label.inline { span.visually-hidden { "驳回 " (d.business.name) " 的理由" }
                                                input type="text" name="reason" placeholder="驳回理由" minlength="2" maxlength="500" required;
                                            }
                                            button.danger type="submit" { "驳回" }
                                        }
                                    }
                                } @else if d.booth.status == BoothStatus::Approved {
                                    a href=(format!("{}/booth-schedules#booth-{}", fair_path(f.id), d.booth.id)) { "到访安排" }
                                }
                            }
                        }
                    }
                }
            }
            @if !reviewable && list.iter().any(|d| d.booth.status == BoothStatus::Requested) {
                p.muted { "招聘会" (status_label(f.status)) "，展位申请不能再审核。" }
            }
        }
    }
}

fn plan_section(user: &ConsoleUser, f: &fair::Model) -> Markup {
    let summary: Option<PlanSummary> = f
        .plan_summary
        .clone()
        .and_then(|v| serde_json::from_value(v).ok());
    let base = fair_path(f.id);
    html! {
        @match (&summary, f.planned_at) {
            (Some(s), Some(at)) => {
                dl.facts.plan {
                    dt { "规划时间" } dd { (when(at)) " （第 " (s.version) " 版）" }
                    dt { "方法" } dd {
                        @if s.method == "exact" { "精确求解（最优）" }
                        @else { "启发式，与最优相差不超过 " (format!("{:.1}%", s.gap_bound * 100.0)) }
                    }
                    dt { "求职者" } dd { (s.seekers_with_route) " / " (s.seekers) " 人有路线" }
                    dt { "展位" } dd { (s.booths) " 个" }
                    dt { "到访安排" } dd { (s.visits) " 次（保留 " (s.kept) "，新增 " (s.added) "，取消 " (s.dropped) "）" }
                    dt { "匹配" } dd { "评估 " (s.pairs_scored) " 对，值得到访 " (s.pairs_worth_a_visit) " 对；用时 " (s.planning_ms) " 毫秒" }
                }
            }
            _ => { p.muted { "还没有规划路线。" } }
        }
        @if f.status.is_live() {
            div.plan-run {
                (button_form(user, &format!("{base}/plan"), "运行路线规划", ""))
                span.muted { " 已发出的路线尽量保留；有变动的求职者和展位会收到通知。" }
            }
        } @else {
            p.muted { "只有报名中或报名已截止的招聘会可以规划路线。" }
        }
        p.print-links {
            a href=(format!("{base}/route-sheets")) { "打印路线单（每位求职者一页）" }
            " · "
            a href=(format!("{base}/booth-schedules")) { "打印展位到访表（每个展位一页）" }
        }
    }
}

fn roster_section(f: &fair::Model, roster: &[RosterEntry]) -> Markup {
    let count =
        |s: RegistrationStatus| roster.iter().filter(|r| r.registration.status == s).count();
    let checked_in = roster
        .iter()
        .filter(|r| r.registration.checked_in_at.is_some())
        .count();
    let walk_ins = roster.iter().filter(|r| r.registration.walk_in).count();
    html! {
        p {
            "已报名 " strong { (count(RegistrationStatus::Registered)) } " 人 / 名额 " (f.seeker_capacity)
            "；候补 " (count(RegistrationStatus::Waitlisted)) " 人；现场登记 " (walk_ins) " 人；已签到 " (checked_in) " 人。"
        }
        p.muted { "姓名在求职者签到前只显示姓氏（与展位看到的一致）。" }
        @if !roster.is_empty() {
            table.roster {
                thead { tr { th { "报名号" } th { "求职者" } th { "状态" } th { "签到" } th { "路线" } } }
                tbody {
                    @for r in roster.iter().take(ROSTER_SHOWN) {
                        tr {
                            td { code { (short_number(r.registration.id)) } }
                            td { (r.name) @if r.registration.walk_in { " " span.badge { "现场" } } }
                            td { (registration_label(r.registration.status)) }
                            td { @if let Some(at) = r.registration.checked_in_at { (when(at)) } @else { span.muted { "未签到" } } }
                            td {
                                @if r.stops.is_empty() { span.muted { "—" } }
                                @else {
                                    @for (k, s) in r.stops.iter().enumerate() {
                                        @if k > 0 { " → " }
                                        (s.starts_at.format("%H:%M").to_string()) " "
                                        @if let Some(n) = s.booth_number { (n) "号" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if roster.len() > ROSTER_SHOWN {
                p.muted { "共 " (roster.len()) " 人，这里列出前 " (ROSTER_SHOWN) " 人；完整名单见路线单。" }
            }
        }
    }
}

/// A registration's number as officers and seekers can say it aloud: the last six hex
/// digits of its id (the random part of a UUIDv7).
pub(crate) fn short_number(id: Uuid) -> String {
    let simple = id.simple().to_string();
    simple[simple.len() - 6..].to_uppercase()
}

/// The registrations holding a place, for the route sheets.
pub(crate) fn holding_a_place(roster: Vec<RosterEntry>) -> Vec<RosterEntry> {
    roster
        .into_iter()
        .filter(|r| r.registration.status == RegistrationStatus::Registered)
        .collect()
}
