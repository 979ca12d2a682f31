//! Points: the worker's ledger, rewards and redemptions, volunteer awards, the league.

use actix_web::{HttpResponse, get, post, web};
use doorstep_domain::ErrorCode;
use doorstep_domain::pagination::PageRequest;
use doorstep_domain::points::{self, Quarter, RewardInput, VolunteerAward};
use doorstep_domain::time;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, Problem, limit, page, problems};
use crate::routes::reports::PageQuery;
use crate::startup::AppState;
use crate::views::Page;
use crate::views::community::{
    LeagueRowView, LeagueView, PointEntryView, PointsView, RedemptionView, RewardView,
};

/// The caller's balance and ledger, newest line first.
#[utoipa::path(
    tag = "points",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = PointsView))
)]
#[get("/me/points")]
pub async fn my_points(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> Result<web::Json<PointsView>, ApiError> {
    let request = PageRequest::<i32>::parse(query.limit, query.cursor.as_deref())
        .map_err(|(field, invalid)| ApiError::field(ErrorCode::InvalidQuery, field, invalid))?;
    let balance = points::balance(&state.db, auth.0.account_id).await?;
    let lines = points::history(&state.db, auth.0.account_id, request).await?;
    Ok(web::Json(PointsView {
        balance,
        entries: lines.items.into_iter().map(Into::into).collect(),
        next_cursor: lines.next_cursor,
    }))
}

/// Rewards on offer, cheapest first. Anyone.
#[utoipa::path(tag = "points", responses((status = 200, body = Page<RewardView>)))]
#[get("/rewards")]
pub async fn list_rewards(
    state: web::Data<AppState>,
) -> Result<web::Json<Page<RewardView>>, ApiError> {
    let all = points::list_rewards(&state.db).await?;
    Ok(web::Json(Page::whole(all.into_iter().map(Into::into))))
}

/// Publishes a reward and its cost in points. Officers.
#[utoipa::path(
    tag = "points",
    security(("bearer" = [])),
    request_body = RewardInput,
    responses(
        (status = 201, body = RewardView),
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[post("/rewards")]
pub async fn create_reward(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<RewardInput>,
) -> Result<HttpResponse, ApiError> {
    let created = points::create_reward(&state.db, &auth.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(RewardView::from(created)))
}

/// Spends points on a reward: the balance never goes below zero, whatever the concurrency.
/// Workers.
#[utoipa::path(
    tag = "points",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 201, body = RedemptionView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`insufficient_points` or `out_of_stock`"),
    )
)]
#[post("/rewards/{id}/redeem")]
pub async fn redeem_reward(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (redemption, balance) = points::redeem(&state.db, &auth.0, id.into_inner()).await?;
    Ok(HttpResponse::Created().json(RedemptionView::new(redemption, Some(balance))))
}

/// The caller's redemptions, newest first.
#[utoipa::path(
    tag = "points",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<RedemptionView>))
)]
#[get("/me/redemptions")]
pub async fn my_redemptions(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<RedemptionView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = points::my_redemptions(&state.db, auth.0.account_id, request).await?;
    Ok(web::Json(Page::from(found, |r| {
        RedemptionView::new(r, None)
    })))
}

/// Marks a redemption handed over. Officers.
#[utoipa::path(
    tag = "points",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = RedemptionView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`already_settled`"),
    )
)]
#[post("/redemptions/{id}/fulfil")]
pub async fn fulfil_redemption(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<RedemptionView>, ApiError> {
    let settled = points::settle(&state.db, &auth.0, id.into_inner(), true).await?;
    Ok(web::Json(RedemptionView::new(settled, None)))
}

/// Cancels a redemption: the points come back and the item goes back in stock. Officers.
#[utoipa::path(
    tag = "points",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = RedemptionView),
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
    )
)]
#[post("/redemptions/{id}/cancel")]
pub async fn cancel_redemption(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<RedemptionView>, ApiError> {
    let settled = points::settle(&state.db, &auth.0, id.into_inner(), false).await?;
    Ok(web::Json(RedemptionView::new(settled, None)))
}

/// Records a completed volunteer task and its points (1 to 50). Officers.
#[utoipa::path(
    tag = "points",
    security(("bearer" = [])),
    request_body = VolunteerAward,
    responses(
        (status = 201, body = PointEntryView),
        problems::Forbidden,
        problems::NotFound,
        problems::ValidationFailed,
    )
)]
#[post("/points/volunteer-tasks")]
pub async fn award_volunteer_task(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<VolunteerAward>,
) -> Result<HttpResponse, ApiError> {
    let line = points::award_volunteer_task(&state.db, &auth.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(PointEntryView::from(line)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LeagueQuery {
    /// e.g. `2026Q4`; default the current quarter.
    #[param(pattern = "^(20[0-9]{2}|2100)-?[Qq][1-4]$")]
    pub quarter: Option<String>,
    /// 1 to 100 (default 20).
    pub limit: Option<u64>,
}

/// Who earned most points in a quarter (reports, trainings, volunteer tasks; spending does
/// not count), for recognitions such as 网格员 certificates. Officers; each name read is
/// written to the audit log.
#[utoipa::path(
    tag = "points",
    security(("bearer" = [])),
    params(LeagueQuery),
    responses(
        (status = 200, body = LeagueView),
        problems::BadRequest,
        problems::Forbidden,
    )
)]
#[get("/points/league")]
pub async fn league(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<LeagueQuery>,
) -> Result<web::Json<LeagueView>, ApiError> {
    let quarter = match query.quarter.as_deref() {
        Some(raw) => Quarter::parse(raw)
            .map_err(|e| ApiError::field(ErrorCode::InvalidQuery, "quarter", e))?,
        None => Quarter::containing(time::now()),
    };
    let rows = points::league(&state.db, &auth.0, quarter, limit(query.limit)?).await?;
    Ok(web::Json(LeagueView {
        quarter: quarter.to_string(),
        rows: rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| LeagueRowView {
                rank: i + 1,
                account_id: row.account_id,
                display_name: row.display_name,
                earned: row.earned,
                entries: row.entries,
            })
            .collect(),
    }))
}
