//! Districts (片区): the officer's districts with what each holds, a district drawn as SVG
//! from its boundary with its businesses, stations and open reports (随手拍), its officers;
//! and for admins, drawing a new district and assigning officers.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, web};
use doorstep_domain::districts::map::{self, DistrictMap};
use doorstep_domain::districts::{self, DistrictInput, LatLon};
use doorstep_domain::pagination::PageRequest;
use doorstep_domain::types::Role;
use doorstep_domain::{DomainError, ErrorCode, Invalid, Language, ValidationErrors, accounts};
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::businesses::status_label;
use super::error::ConsoleError;
use super::layout::{self, csrf_field, notice, post_button, trusted, when};
use super::session::{ConsoleUser, Posted};
use super::svg::{self, MapLayer, MapPoint, Marker};
use crate::http::ApiError;
use crate::startup::AppState;

const SECTION: &str = "/console/districts";
/// Officer accounts offered in the assignment form (a city has tens).
const OFFICER_CHOICES: u64 = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The districts the user serves (admins: all), with what each holds.
pub async fn list(
    user: ConsoleUser,
    state: web::Data<AppState>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let found = districts::list(&state.db, &user.principal).await?;
    let counts = map::counts(&state.db, &user.principal).await?;
    let body = html! {
        (notice(query.done.as_deref(), &[("created", "片区已创建。")]))
        @if user.is_admin() {
            p { a href=(format!("{SECTION}/new")) { "＋ 新建片区" } }
        }
        @if found.is_empty() {
            p.muted { "你还没有负责的片区，请联系管理员分配。" }
        } @else {
            table {
                thead { tr {
                    th { "片区" } th.num { "面积（平方公里）" } th.num { "商户" } th.num { "服务站" } th.num { "未办结随手拍" } th { "" }
                } }
                tbody {
                    @for d in &found {
                        @let c = counts.get(&d.id).copied().unwrap_or_default();
                        tr {
                            td { a href=(format!("{SECTION}/{}", d.id)) { (d.name) } }
                            td.num { (format!("{:.2}", d.area_m2 / 1e6)) }
                            td.num { (c.businesses) }
                            td.num { (c.stations) }
                            td.num { (c.open_reports) }
                            td { a href=(format!("/console/figures?district={}", d.id)) { "数据" } }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::ok(layout::page(&user, SECTION, "辖区", body)))
}

fn layers(found: &DistrictMap) -> Vec<MapLayer> {
    vec![
        MapLayer {
            marker: Marker::Business,
            legend: "商户".into(),
            points: found
                .businesses
                .iter()
                .map(|b| MapPoint {
                    lat: b.lat,
                    lon: b.lon,
                    tooltip: format!("商户：{}（{}）", b.name, status_label(b.status)),
                })
                .collect(),
        },
        MapLayer {
            marker: Marker::Station,
            legend: "服务站".into(),
            points: found
                .stations
                .iter()
                .map(|s| MapPoint {
                    lat: s.lat,
                    lon: s.lon,
                    tooltip: format!("服务站：{}", s.name),
                })
                .collect(),
        },
        MapLayer {
            marker: Marker::Report,
            legend: "未办结随手拍".into(),
            points: found
                .open_reports
                .iter()
                .map(|r| MapPoint {
                    lat: r.lat,
                    lon: r.lon,
                    tooltip: format!(
                        "随手拍：{}，{}（{}）",
                        doorstep_domain::reports::category_label(r.category),
                        r.address,
                        super::reports::status_label(r.status)
                    ),
                })
                .collect(),
        },
    ]
}

/// A district drawn from its boundary with its points, the lists behind the points (the
/// map's accessible version), its officers, and for admins the assignment forms.
pub async fn detail(
    user: ConsoleUser,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    let found = map::contents(&state.db, &user.principal, id).await?;
    let d = &found.district;
    let drawing = svg::district_map(
        "district-map",
        &format!("{} 地图", d.name),
        &d.boundary.0,
        &layers(&found),
    );
    let choices = if user.is_admin() {
        let officers = accounts::list(
            &state.db,
            Some(Role::Officer),
            PageRequest {
                limit: OFFICER_CHOICES,
                after: None,
            },
        )
        .await?;
        officers
            .items
            .into_iter()
            .filter(|a| a.deleted_at.is_none() && !found.officers.iter().any(|o| o.id == a.id))
            .collect()
    } else {
        Vec::new()
    };
    let body = html! {
        (notice(query.done.as_deref(), &[
            ("created", "片区已创建，范围内的商户、服务站等已归入本片区。"),
            ("assigned", "已分配专员。"),
            ("unassigned", "已取消该专员的分配。"),
        ]))
        p { a href=(SECTION) { "← 返回辖区列表" } " · " a href=(format!("/console/figures?district={id}")) { "查看本片区数据" } }
        @if found.truncated {
            p.warn { "点太多，每类只画出前 " (map::MAP_LIMIT) " 个。" }
        }
        div.map-layout {
            figure.district-map {
                (trusted(drawing))
                figcaption.muted { "圆点为商户，方块为服务站，三角为未办结的随手拍；鼠标停在点上可看名称。下方列表与地图内容相同。" }
            }
            aside {
                dl.facts {
                    dt { "面积" } dd { (format!("{:.2}", d.area_m2 / 1e6)) " 平方公里" }
                    dt { "中心点" } dd { (format!("{:.5}, {:.5}", d.center_lat, d.center_lon)) }
                    dt { "商户" } dd { (found.businesses.len()) }
                    dt { "服务站" } dd { (found.stations.len()) }
                    dt { "未办结随手拍" } dd { (found.open_reports.len()) }
                }
                h2 { "负责的专员" }
                @if found.officers.is_empty() {
                    p.muted { "还没有分配专员。" }
                } @else {
                    table.officers {
                        thead { tr { th { "姓名" } th { "手机号" } @if user.is_admin() { th { "" } } } }
                        tbody {
                            @for o in &found.officers {
                                tr {
                                    td { (o.display_name) }
                                    td { (o.phone.as_deref().unwrap_or("")) }
                                    @if user.is_admin() {
                                        td { (post_button(&user, &format!("{SECTION}/{id}/officers/{}/remove", o.id), "取消分配", "secondary")) }
                                    }
                                }
                            }
                        }
                    }
                }
                @if user.is_admin() {
                    form.filters method="post" action=(format!("{SECTION}/{id}/officers")) {
                        (csrf_field(&user))
                        label { "分配专员"
                            select name="officer" required {
                                @for a in &choices {
                                    option value=(a.id) { (a.display_name) " " (a.phone.as_deref().unwrap_or("")) }
                                }
                            }
                        }
                        button type="submit" disabled[choices.is_empty()] { "分配" }
                    }
                }
            }
        }
        h2 { "地图上的点" }
        details open {
            summary { "商户（" (found.businesses.len()) "）" }
            table {
                thead { tr { th { "商户" } th { "商场 / 地址" } th { "状态" } } }
                tbody { @for b in &found.businesses {
                    tr { td { a href=(format!("/console/businesses/{}", b.id)) { (b.name) } } td { (b.mall) " " span.muted { (b.address) } } td { (status_label(b.status)) } }
                } }
            }
        }
        details {
            summary { "服务站（" (found.stations.len()) "）" }
            table {
                thead { tr { th { "服务站" } th { "地址" } } }
                tbody { @for s in &found.stations { tr { td { (s.name) } td { (s.address) } } } }
            }
        }
        details {
            summary { "未办结随手拍（" (found.open_reports.len()) "）" }
            table {
                thead { tr { th { "类别" } th { "地址" } th { "状态" } th { "上报时间" } } }
                tbody { @for r in &found.open_reports {
                    tr { td { (doorstep_domain::reports::category_label(r.category)) } td { (r.address) } td { (super::reports::status_label(r.status)) } td { (when(r.created_at)) } }
                } }
            }
        }
    };
    Ok(layout::ok(layout::page(&user, SECTION, &d.name, body)))
}

/// A field of the district form as officers read it.
fn field_label(field: &str) -> String {
    match field {
        "name" => "片区名称".into(),
        "boundary" => "边界".into(),
        "center" => "中心点".into(),
        other => match other
            .strip_prefix("boundary[")
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|i| i.parse::<usize>().ok())
        {
            Some(i) => format!("边界第 {} 个点", i + 1),
            None => other.to_owned(),
        },
    }
}

/// What went wrong with a form, each bad field named (its label and its name).
pub fn form_errors(err: &ApiError, label: impl Fn(&str) -> String) -> Markup {
    let problem = err.problem_in(Language::Zh);
    html! {
        div.form-errors role="alert" {
            p.bad { strong { (problem.title) } "：" (problem.detail) }
            @if !problem.errors.is_empty() {
                ul.problem-fields {
                    @for e in &problem.errors {
                        li { (label(&e.field)) "（" code { (e.field) } "）：" (e.message) }
                    }
                }
            }
        }
    }
}

fn new_district_form(
    user: &ConsoleUser,
    name: &str,
    boundary: &str,
    error: Option<&ApiError>,
) -> Markup {
    html! {
        @if let Some(err) = error { (form_errors(err, field_label)) }
        form.stack method="post" action=(SECTION) {
            (csrf_field(user))
            label { "片区名称（2 到 100 个字，不能与其他片区重名）"
                input type="text" name="name" value=(name) minlength="2" maxlength="100" required;
            }
            label { "边界：每行一个点，写作“纬度,经度”，按边界顺序排列，至少三个点"
                textarea name="boundary" rows="8" required placeholder="31.30,120.65\n31.30,120.70\n31.34,120.70\n31.34,120.65" { (boundary) }
            }
            p.muted { "坐标为 WGS-84（GPS）经纬度。范围内已有的商户、岗位、服务站等会立即归入新片区。" }
            button type="submit" { "创建片区" }
        }
    }
}

/// The form that draws a new district. Admins.
pub async fn new_form(user: ConsoleUser) -> Result<HttpResponse, ConsoleError> {
    user.require_admin()?;
    let body = html! {
        p { a href=(SECTION) { "← 返回辖区列表" } }
        (new_district_form(&user, "", "", None))
    };
    Ok(layout::ok(layout::page(&user, SECTION, "新建片区", body)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateForm {
    name: String,
    boundary: String,
}

/// The boundary as typed: one `lat,lon` a line (a comma, a full-width comma or spaces
/// between), blank lines skipped. A line that is not two numbers is named by its point.
pub fn parse_boundary(text: &str) -> Result<Vec<LatLon>, DomainError> {
    let mut errors = ValidationErrors::new();
    let mut points = Vec::new();
    for (i, line) in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let parts: Vec<&str> = line
            .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .collect();
        let numbers: Option<Vec<f64>> = parts.iter().map(|p| p.parse().ok()).collect();
        match numbers.as_deref() {
            Some(&[lat, lon]) => points.push(LatLon { lat, lon }),
            _ => errors.push(
                format!("boundary[{i}]"),
                Invalid::new(
                    ErrorCode::InvalidType,
                    format!("{line:?} is not a point written as lat,lon"),
                ),
            ),
        }
    }
    errors.into_result()?;
    Ok(points)
}

/// Draws a district through the same domain call as `POST /api/v1/districts`; bad input
/// comes back on the form with each field named. Admins.
pub async fn create(
    state: web::Data<AppState>,
    posted: Posted<CreateForm>,
) -> Result<HttpResponse, ConsoleError> {
    let user = posted.user;
    user.require_admin()?;
    let form = posted.form;
    let created = match parse_boundary(&form.boundary) {
        Ok(boundary) => {
            let input = DistrictInput {
                name: form.name.clone(),
                center: None,
                boundary,
            };
            districts::create(&state.db, &user.principal, &input)
                .await
                .map_err(ApiError::from)
        }
        Err(err) => Err(ApiError::from(err)),
    };
    match created {
        Ok((district, _moved)) => Ok(layout::see_other(&format!(
            "{SECTION}/{}?done=created",
            district.id
        ))),
        Err(err)
            if matches!(
                err.status_code(),
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
            ) =>
        {
            let body = html! {
                p { a href=(SECTION) { "← 返回辖区列表" } }
                (new_district_form(&user, &form.name, &form.boundary, Some(&err)))
            };
            Ok(layout::respond(
                err.status_code(),
                layout::page(&user, SECTION, "新建片区", body),
            ))
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignForm {
    officer: Uuid,
}

/// Assigns an officer, as `PUT /api/v1/districts/{id}/officers/{officer_id}`. Admins.
pub async fn assign(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<AssignForm>,
) -> Result<HttpResponse, ConsoleError> {
    posted.user.require_admin()?;
    let id = id.into_inner();
    districts::assign(&state.db, &posted.user.principal, id, posted.form.officer).await?;
    Ok(layout::see_other(&format!("{SECTION}/{id}?done=assigned")))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnassignForm {}

/// Ends an assignment, as `DELETE /api/v1/districts/{id}/officers/{officer_id}`. Admins.
pub async fn unassign(
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    posted: Posted<UnassignForm>,
) -> Result<HttpResponse, ConsoleError> {
    posted.user.require_admin()?;
    let (id, officer) = path.into_inner();
    districts::unassign(&state.db, &posted.user.principal, id, officer).await?;
    Ok(layout::see_other(&format!(
        "{SECTION}/{id}?done=unassigned"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(err: DomainError) -> Vec<String> {
        match err {
            DomainError::Validation(errors) => errors.0.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn boundaries_are_read_a_point_a_line() {
        let points = parse_boundary("31.30,120.65\n\n 31.30， 120.70 \r\n31.34 120.70\n").unwrap();
        let read: Vec<(f64, f64)> = points.iter().map(|p| (p.lat, p.lon)).collect();
        assert_eq!(read, [(31.30, 120.65), (31.30, 120.70), (31.34, 120.70)]);
        assert_eq!(
            fields(parse_boundary("31.30,120.65\nabc\n1,2,3").unwrap_err()),
            ["boundary[1]", "boundary[2]"]
        );
        assert_eq!(field_label("boundary[1]"), "边界第 2 个点");
    }
}
