//! District figures for officers: by week and by category over a range of days, as JSON or
//! as a long-format CSV for Excel.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use doorstep_domain::figures::{self, DayRange, Figures};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{ApiError, Auth, Problem};
use crate::startup::AppState;

/// The range of Shanghai days. Dates are taken as text so a bad one is a 422 naming the
/// field, like any other bad input the domain sees.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// First day, `YYYY-MM-DD`; default the Monday eleven weeks before this week's (twelve
    /// weeks with this one).
    pub from: Option<String>,
    /// Last day, included, `YYYY-MM-DD`; default today. At most two years (731 days) from
    /// `from`.
    pub to: Option<String>,
}

impl FiguresQuery {
    fn range(&self) -> Result<DayRange, ApiError> {
        Ok(DayRange::parse(
            self.from.as_deref(),
            self.to.as_deref(),
            doorstep_domain::time::today(),
        )?)
    }
}

/// A district's figures: open postings, new postings, fill rate, median time to fill,
/// applications per posting, placements (of graduates by graduation year), gig shifts and
/// hours, job fairs, training and resolved reports; totals, every week (Monday to Sunday,
/// Asia/Shanghai) and every category. Admins, and the officers who serve the district.
#[utoipa::path(
    tag = "districts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), FiguresQuery),
    responses(
        (status = 200, body = Figures),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "a bad date, `from` after `to`, or more than two years"),
    )
)]
#[get("/districts/{id}/figures")]
pub async fn district_figures(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<FiguresQuery>,
) -> Result<web::Json<Figures>, ApiError> {
    let range = query.range()?;
    Ok(web::Json(
        figures::district_figures(&state.db, &auth.0, id.into_inner(), range).await?,
    ))
}

/// The same figures as CSV (UTF-8 with a byte-order mark, so Excel shows Chinese), one
/// figure per row: `week_start,section,category,metric,value`. `week_start` is the week's
/// Monday, empty for the whole range; `category` is empty for all categories (for the
/// `graduates` section it is the graduation year); `metric` is the JSON field name.
#[utoipa::path(
    tag = "districts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), FiguresQuery),
    responses(
        (status = 200, content_type = "text/csv; charset=utf-8", body = String),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/districts/{id}/figures.csv")]
pub async fn district_figures_csv(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<FiguresQuery>,
) -> Result<HttpResponse, ApiError> {
    let range = query.range()?;
    let id = id.into_inner();
    let found = figures::district_figures(&state.db, &auth.0, id, range).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"district-{id}-{}-{}.csv\"",
                range.from, range.to
            ),
        ))
        .body(figures::to_csv(&found)))
}
