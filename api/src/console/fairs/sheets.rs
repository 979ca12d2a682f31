//! The printouts of a fair: a route sheet for every seeker holding a place and a schedule
//! for every approved booth, each a `.sheet` (one printed page; the stylesheet's print
//! rules break the pages and hide the navigation).

use actix_web::{HttpResponse, web};
use doorstep_domain::entities::fair;
use doorstep_domain::fairs::plans::{self, Visitor};
use maud::{Markup, html};
use uuid::Uuid;

use super::{SECTION, fair_path, holding_a_place, short_number, slot_label, venue_line};
use crate::console::error::ConsoleError;
use crate::console::layout;
use crate::console::session::ConsoleUser;
use crate::startup::AppState;

fn how_to_print(f: &fair::Model, what: &str, count: usize) -> Markup {
    html! {
        div.no-print.print-help {
            p { a href=(fair_path(f.id)) { "← 返回招聘会" } }
            p {
                "共 " strong { (count) } " 页" (what) "。打印：按 " kbd { "Ctrl" } "+" kbd { "P" }
                "（Mac 上 " kbd { "⌘" } "+" kbd { "P" } "），每页一份；导航和本说明不会打印。"
            }
        }
    }
}

fn sheet_header(f: &fair::Model) -> Markup {
    html! {
        header.sheet-head {
            p.sheet-fair { (f.title) }
            p.muted { (venue_line(f)) }
        }
    }
}

/// One page per seeker holding a place: the fair, their name as officers see it, and their
/// route in slot order.
pub async fn route_sheets(
    user: ConsoleUser,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ConsoleError> {
    let (f, roster) = plans::roster(&state.db, &user.principal, id.into_inner()).await?;
    let seekers = holding_a_place(roster);
    let body = html! {
        (how_to_print(&f, "路线单", seekers.len()))
        @if f.planned_at.is_none() {
            p.warn.no-print { "还没有规划路线，路线单上暂无展位安排。先在招聘会页面运行路线规划。" }
        }
        @if seekers.is_empty() {
            p.muted { "还没有求职者报名。" }
        }
        @for r in &seekers {
            section.sheet.route-sheet {
                (sheet_header(&f))
                h2 { "求职者路线单" }
                p.seeker {
                    "求职者：" strong.seeker-name { (r.name) }
                    " · 报名号 " code { (short_number(r.registration.id)) }
                    @if r.registration.walk_in { " · 现场登记" }
                }
                @if r.stops.is_empty() {
                    p { "暂时没有适合你的展位安排，可以现场自由参观。" }
                } @else {
                    table.route {
                        thead { tr { th { "顺序" } th { "时段" } th { "展位" } th { "商户" } th { "岗位" } } }
                        tbody {
                            @for (k, s) in r.stops.iter().enumerate() {
                                tr {
                                    td.num { (k + 1) }
                                    td { (slot_label(&f, s.visit.slot)) }
                                    td { @if let Some(n) = s.booth_number { (n) " 号" } }
                                    td { (s.business_name) }
                                    td { (s.posting_title) }
                                }
                            }
                        }
                    }
                }
                p.muted { "请按时段前往展位；入场和到展位时出示报名二维码。" }
            }
        }
    };
    let title = format!("路线单 · {}", f.title);
    Ok(layout::ok(layout::page(&user, SECTION, &title, body)))
}

/// One page per approved booth: who comes in each slot, as merchants read it
/// (`GET /api/v1/fairs/{id}/booths/{booth_id}/schedule`, which shares its reads).
pub async fn booth_schedules(
    user: ConsoleUser,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ConsoleError> {
    let (f, schedules) = plans::schedules(&state.db, &user.principal, id.into_inner()).await?;
    let body = html! {
        (how_to_print(&f, "展位到访表", schedules.len()))
        @if f.planned_at.is_none() {
            p.warn.no-print { "还没有规划路线，到访表暂时是空的。" }
        }
        @if schedules.is_empty() {
            p.muted { "还没有通过审核的展位。" }
        }
        @for (d, visitors) in &schedules {
            section.sheet.booth-sheet id=(format!("booth-{}", d.booth.id)) {
                (sheet_header(&f))
                h2 {
                    @if let Some(n) = d.booth.number { (n) " 号展位 · " }
                    (d.business.name)
                }
                p.muted { "每时段可接待 " (d.booth.capacity_per_slot) " 人；共安排 " (visitors.len()) " 人次。姓名在求职者签到后显示全名。" }
                table.schedule {
                    thead { tr { th { "时段" } th { "求职者" } th { "岗位" } th { "签到" } } }
                    tbody {
                        @for slot in 1..=f.slot_count {
                            @let here: Vec<&Visitor> = visitors.iter().filter(|v| v.visit.slot == slot).collect();
                            @if here.is_empty() {
                                tr { td { (slot_label(&f, slot)) } td.muted colspan="3" { "—" } }
                            }
                            @for (k, v) in here.iter().enumerate() {
                                tr {
                                    @if k == 0 { td rowspan=(here.len()) { (slot_label(&f, slot)) } }
                                    td { (v.name) }
                                    td { (v.posting_title) }
                                    td { @if v.checked_in { "已签到" } @else { span.muted { "未签到" } } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let title = format!("展位到访表 · {}", f.title);
    Ok(layout::ok(layout::page(&user, SECTION, &title, body)))
}
