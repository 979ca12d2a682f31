//! Posting screening: the minimum-wage table (read by anyone, added to by officers and
//! admins) and the officers' list of what screening refused or held in their district.
//! The rules live in `doorstep_domain::screening`; held postings are in the content review
//! queue (`GET /content-reviews?district_id=`).

use actix_web::{HttpResponse, get, post, web};
use doorstep_domain::screening::minimum_wages::{self, NewMinimumWage};
use doorstep_domain::screening::{self, DecisionFilter};
use doorstep_domain::types::{Role, ScreeningOutcome};
use doorstep_domain::{districts, time};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, Problem, page, problems};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::screening::{MinimumWageView, ScreeningDecisionView};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MinimumWageQuery {
    /// Only this city's rows.
    pub city: Option<String>,
}

/// The legal minimum wages by city and effective date (a short list by nature). Postings
/// are judged by the row of the deployment's city in force on the day they are screened.
/// No login needed.
#[utoipa::path(
    tag = "screening",
    params(MinimumWageQuery),
    responses((status = 200, body = Page<MinimumWageView>), problems::BadRequest)
)]
#[get("/minimum-wages")]
pub async fn list_minimum_wages(
    state: web::Data<AppState>,
    query: web::Query<MinimumWageQuery>,
) -> Result<web::Json<Page<MinimumWageView>>, ApiError> {
    let rows = minimum_wages::list(&state.db, query.city.as_deref()).await?;
    Ok(web::Json(Page::whole(
        rows.into_iter().map(MinimumWageView::from),
    )))
}

/// Records a change of a city's minimum wage, effective today or later: a new row, never
/// an edit, so what postings were judged by stays as it was. Officers and admins;
/// audit-logged (`minimum_wage_added`).
#[utoipa::path(
    tag = "screening",
    security(("bearer" = [])),
    request_body = NewMinimumWage,
    responses(
        (status = 201, body = MinimumWageView),
        problems::Forbidden,
        (status = 409, body = Problem, content_type = "application/problem+json",
            description = "`minimum_wage_exists`: the city already has a row from that date"),
        (status = 422, body = Problem, content_type = "application/problem+json",
            description = "invalid field, or `date_in_past` on `effective_from`"),
    )
)]
#[post("/minimum-wages")]
pub async fn add_minimum_wage(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<NewMinimumWage>,
) -> Result<HttpResponse, ApiError> {
    let staff = auth.require(&[Role::Officer, Role::Admin])?;
    let row = minimum_wages::add(
        &state.db,
        staff.account_id,
        body.into_inner(),
        time::today(),
    )
    .await?;
    Ok(HttpResponse::Created().json(MinimumWageView::from(row)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScreeningDecisionQuery {
    /// Only refusals or only holds.
    pub outcome: Option<ScreeningOutcome>,
    /// Only the decisions about one posting.
    pub posting_id: Option<Uuid>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// What posting screening refused or held in a district, and why, newest first. Officers
/// of the district and admins; another district's is "not found".
#[utoipa::path(
    tag = "screening",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "district id"), ScreeningDecisionQuery),
    responses(
        (status = 200, body = Page<ScreeningDecisionView>),
        problems::BadRequest,
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[get("/districts/{id}/screening-decisions")]
pub async fn list_screening_decisions(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<ScreeningDecisionQuery>,
) -> Result<web::Json<Page<ScreeningDecisionView>>, ApiError> {
    let staff = auth.require(&[Role::Officer, Role::Admin])?;
    let request = page::<Uuid>(query.limit, query.cursor.as_deref())?;
    let scope = districts::scope_of(&state.db, &staff).await?;
    let filter = DecisionFilter {
        outcome: query.outcome,
        posting_id: query.posting_id,
    };
    let found = screening::list(&state.db, &scope, id.into_inner(), filter, request).await?;
    Ok(web::Json(Page::from(found, ScreeningDecisionView::from)))
}
