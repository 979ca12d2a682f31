//! District figures as charts drawn on the server: new postings, applications and hires
//! by week (lines), new postings and hires by category (bars), the same numbers as tables,
//! and the CSV download, all from the same domain call as
//! `GET /api/v1/districts/{id}/figures` (which keeps to the officer's districts).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use doorstep_domain::districts;
use doorstep_domain::entities::district;
use doorstep_domain::figures::{self, DayRange, Figures};
use doorstep_domain::postings::taxonomy;
use doorstep_domain::{DomainError, time};
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::error::ConsoleError;
use super::layout::{self, trusted};
use super::session::ConsoleUser;
use super::svg::{self, Series};
use crate::startup::AppState;

const SECTION: &str = "/console/figures";

/// The district and the range of days. Dates are text so a bad one is named like the
/// API names it; empty fields are the defaults (the first district, the last 12 weeks).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    district: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The user's districts, the one asked for (else the first) and the range, checked as the
/// API checks them. A district id that does not parse names no district: "not found".
async fn choose(
    state: &AppState,
    user: &ConsoleUser,
    query: &FiguresQuery,
) -> Result<(Vec<district::Model>, Option<Uuid>, DayRange), ConsoleError> {
    let mine = districts::list(&state.db, &user.principal).await?;
    let chosen = match present(&query.district) {
        Some(text) => Some(
            text.parse::<Uuid>()
                .map_err(|_| DomainError::NotFound("district"))?,
        ),
        None => mine.first().map(|d| d.id),
    };
    let range = DayRange::parse(present(&query.from), present(&query.to), time::today())?;
    Ok((mine, chosen, range))
}

fn csv_href(district: Uuid, range: &DayRange) -> String {
    format!(
        "{SECTION}.csv?district={district}&from={}&to={}",
        range.from, range.to
    )
}

fn category_name(code: &str) -> String {
    if taxonomy::is_known(code) {
        taxonomy::name_zh(code).to_owned()
    } else {
        code.to_owned()
    }
}

/// The weekly series drawn as lines, in the order of the weekly table's columns.
pub fn weekly_series(f: &Figures) -> Vec<Series> {
    let of = |name: &str, pick: fn(&figures::Measures) -> u64| Series {
        name: name.to_owned(),
        values: f.weeks.iter().map(|w| pick(&w.measures) as f64).collect(),
    };
    vec![
        of("新发布岗位", |m| m.new_postings),
        of("投递", |m| m.applications),
        of("录用", |m| m.placements),
    ]
}

/// The category series drawn as bars, in the order of the category table's columns.
pub fn category_series(f: &Figures) -> Vec<Series> {
    vec![
        Series {
            name: "新发布岗位".into(),
            values: f
                .categories
                .iter()
                .map(|c| c.counts.new_postings as f64)
                .collect(),
        },
        Series {
            name: "录用".into(),
            values: f
                .categories
                .iter()
                .map(|c| c.counts.placements as f64)
                .collect(),
        },
    ]
}

fn rate(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |r| format!("{:.0}%", r * 100.0))
}

fn hours(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |h| format!("{h:.1}"))
}

fn filters(mine: &[district::Model], chosen: Uuid, range: &DayRange) -> Markup {
    html! {
        form.filters method="get" action=(SECTION) hx-get=(SECTION) hx-trigger="change" hx-target="#main" hx-select="#main" hx-swap="outerHTML" hx-push-url="true" {
            label { "片区"
                select name="district" {
                    @for d in mine {
                        option value=(d.id) selected[d.id == chosen] { (d.name) }
                    }
                }
            }
            label { "从" input type="date" name="from" value=(range.from) required; }
            label { "到（含）" input type="date" name="to" value=(range.to) required; }
            noscript { button type="submit" { "查看" } }
        }
    }
}

fn stat(title: &str, figure: String, note: String) -> Markup {
    html! {
        div.stat {
            span.label { (title) }
            span.big { (figure) }
            @if !note.is_empty() { span.muted { (note) } }
        }
    }
}

fn charts(f: &Figures) -> Markup {
    let weeks: Vec<String> = f
        .weeks
        .iter()
        .map(|w| w.week_start.format("%m-%d").to_string())
        .collect();
    let weekly = weekly_series(f);
    let names: Vec<String> = f
        .categories
        .iter()
        .map(|c| category_name(&c.category))
        .collect();
    let by_category = category_series(f);
    let t = &f.totals;
    html! {
        div.stats {
            (stat("在招岗位", f.open_postings.to_string(), "当前".into()))
            (stat("新发布岗位", t.new_postings.to_string(), String::new()))
            (stat("投递", t.applications.to_string(), format!("每岗 {}", hours(t.applications_per_posting))))
            (stat("录用", t.placements.to_string(), format!("其中毕业生 {}", t.graduate_placements)))
            (stat("补缺率", rate(t.fill_rate), format!("补满用时中位数 {} 小时", hours(t.median_hours_to_fill))))
        }
        div.chart-row {
            section {
                h2 { "每周走势" }
                figure.chart {
                    (trusted(svg::line_chart("weekly-chart", "每周新发布岗位、投递与录用", &weeks, &weekly)))
                }
            }
            section {
                h2 { "按岗位类别" }
                @if f.categories.is_empty() {
                    p.muted { "这段时间没有按类别统计的岗位。" }
                } @else {
                    figure.chart {
                        (trusted(svg::bar_chart("category-chart", "各类别新发布岗位与录用", &names, &by_category)))
                    }
                }
            }
        }
        div.chart-row {
            table.weekly {
                caption { "每周数字（周一开始）" }
                thead { tr { th { "周" } @for s in &weekly { th.num { (s.name) } } } }
                tbody {
                    @for (i, w) in f.weeks.iter().enumerate() {
                        tr {
                            td { (w.week_start) }
                            @for s in &weekly { td.num { (svg::label(s.values[i])) } }
                        }
                    }
                }
            }
            @if !f.categories.is_empty() {
                table.categories {
                    caption { "各类别数字" }
                    thead { tr {
                        th { "类别" }
                        @for s in &by_category { th.num { (s.name) } }
                        th.num { "在招" } th.num { "结束" } th.num { "补满" } th.num { "补缺率" }
                    } }
                    tbody {
                        @for (i, c) in f.categories.iter().enumerate() {
                            tr {
                                td { (names[i]) }
                                @for s in &by_category { td.num { (svg::label(s.values[i])) } }
                                td.num { (c.open_postings) }
                                td.num { (c.counts.ended_postings) }
                                td.num { (c.counts.filled_postings) }
                                td.num { (rate(c.counts.fill_rate)) }
                            }
                        }
                    }
                }
            }
        }
        h2 { "其他" }
        table.others {
            tbody {
                tr { th { "零工完成班次" } td.num { (t.gig_shifts_completed) } th { "零工工时" } td.num { (format!("{:.1}", t.gig_hours_worked)) } }
                tr { th { "招聘会" } td.num { (t.fairs) } th { "招聘会签到 / 报名" } td.num { (t.fair_attended) " / " (t.fair_registrations) } }
                tr { th { "招聘会录用" } td.num { (t.fair_hires) } th { "培训场次 / 签到" } td.num { (t.training_sessions) " / " (t.training_attended) } }
                tr { th { "办结随手拍" } td.num { (t.reports_resolved) } th { "投诉 受理 / 办结 / 超期未结" } td.num { (f.complaints.filed) " / " (f.complaints.closed) " / " (f.complaints.open_overdue) } }
            }
        }
    }
}

/// The figures page: the district and range chosen, the charts and their tables, the CSV.
pub async fn page(
    user: ConsoleUser,
    state: web::Data<AppState>,
    query: web::Query<FiguresQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let (mine, chosen, range) = choose(&state, &user, &query).await?;
    let Some(district) = chosen else {
        let body = html! { p.muted { "你还没有负责的片区，请联系管理员分配。" } };
        return Ok(layout::ok(layout::page(&user, SECTION, "数据", body)));
    };
    let found = figures::district_figures(&state.db, &user.principal, district, range).await?;
    let body = html! {
        (filters(&mine, district, &range))
        p {
            (found.district_name) "，" (range.from) " 至 " (range.to) "。 "
            a.button href=(csv_href(district, &range)) hx-boost="false" download { "下载 CSV" }
            span.muted { "（Excel 可直接打开）" }
        }
        (charts(&found))
    };
    Ok(layout::ok(layout::page(&user, SECTION, "数据", body)))
}

/// The figures as CSV: exactly what `GET /api/v1/districts/{id}/figures.csv` answers.
pub async fn csv(
    user: ConsoleUser,
    state: web::Data<AppState>,
    query: web::Query<FiguresQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let (_, chosen, range) = choose(&state, &user, &query).await?;
    let district = chosen.ok_or(DomainError::NotFound("district"))?;
    let found = figures::district_figures(&state.db, &user.principal, district, range).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"district-{district}-{}-{}.csv\"",
                range.from, range.to
            ),
        ))
        .body(figures::to_csv(&found)))
}
