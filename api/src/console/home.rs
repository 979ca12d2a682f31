//! The home page: today's work for the officer, from the same queues the API serves
//! (each applies the officer's district scope).

use actix_web::{HttpResponse, web};
use chrono::Duration;
use doorstep_domain::pagination::{Page, PageRequest};
use doorstep_domain::types::BusinessStatus;
use doorstep_domain::{businesses, complaints, fairs, reports, service_records, time};
use maud::{Markup, html};

use super::error::ConsoleError;
use super::layout::{self, when};
use super::session::ConsoleUser;
use crate::startup::AppState;

/// How many of each queue the home page looks at; more shows as "100+".
const LOOK: u64 = 100;
/// Complaints whose deadline is this near are shown as due.
const DUE_SOON: Duration = Duration::hours(24);

fn first_page<K>() -> PageRequest<K> {
    PageRequest {
        limit: LOOK,
        after: None,
    }
}

fn count<T>(page: &Page<T>) -> String {
    if page.next_cursor.is_some() {
        format!("{}+", page.items.len())
    } else {
        page.items.len().to_string()
    }
}

fn card(title: &str, figure: String, href: &str, detail: Markup) -> Markup {
    html! {
        section.card {
            h2 { a href=(href) { (title) } }
            p.big { (figure) }
            (detail)
        }
    }
}

pub async fn page(
    user: ConsoleUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ConsoleError> {
    let db = &state.db;
    let me = &user.principal;
    let pending =
        businesses::list_by_status(db, me, Some(BusinessStatus::Pending), first_page()).await?;
    let follow_ups = service_records::follow_ups(db, me, 0).await?;
    let reports_waiting = reports::queue(db, me, None, false, first_page()).await?;
    let open_complaints = complaints::queue(db, me, None, false, first_page()).await?;
    let now = time::now();
    let mut due_complaints: Vec<_> = open_complaints
        .items
        .iter()
        .filter_map(|c| {
            let due = if c.acknowledged_at.is_none() {
                c.ack_due_at
            } else {
                c.close_due_at
            };
            (due - now <= DUE_SOON).then_some((due, c))
        })
        .collect();
    due_complaints.sort_by_key(|(due, _)| *due);
    let week = time::week_bounds(time::today());
    let fairs_page = fairs::list(db, Some(me), None, first_page()).await?;
    let this_week: Vec<_> = fairs_page
        .items
        .iter()
        .filter(|f| week.is_some_and(|(from, to)| f.starts_at >= from && f.starts_at < to))
        .collect();

    let body = html! {
        p.muted { "今天是 " (time::today().format("%Y年%m月%d日")) "。以下是你所负责辖区的待办。" }
        div.cards {
            (card("待审核商户", count(&pending), "/console/businesses", html! {
                ul { @for b in pending.items.iter().take(5) { li { a href=(format!("/console/businesses/{}", b.id)) { (b.name) } } } }
            }))
            (card("今日到期的回访", follow_ups.len().to_string(), "/console/service-records", html! {
                ul { @for r in follow_ups.iter().take(5) {
                    li { @if let Some(due) = r.follow_up_due { (due.format("%m-%d").to_string()) " " } (super::service_records::kind_label(r.kind)) }
                } }
            }))
            (card("待派单的随手拍", count(&reports_waiting), "/console/reports", html! {
                ul { @for r in reports_waiting.items.iter().take(5) {
                    li { a href=(format!("/console/reports/{}", r.id)) { (r.address) } " " span.muted { (when(r.created_at)) } }
                } }
            }))
            (card("24 小时内到期的投诉", due_complaints.len().to_string(), "/console/complaints", html! {
                ul { @for (due, c) in due_complaints.iter().take(5) {
                    li { (doorstep_domain::complaints::reason_label(c.reason)) " " span class=(if *due < now { "bad" } else { "warn" }) { (when(*due)) } }
                } }
            }))
            (card("本周招聘会", this_week.len().to_string(), "/console/fairs", html! {
                ul { @for f in this_week.iter().take(5) {
                    li { a href=(format!("/console/fairs/{}", f.id)) { (f.title) } " " span.muted { (when(f.starts_at)) } }
                } }
            }))
        }
    };
    Ok(layout::ok(layout::page(&user, "/console", "工作台", body)))
}
