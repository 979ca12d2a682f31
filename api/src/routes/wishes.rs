//! The wish wall (心愿墙).

use actix_web::{HttpResponse, get, post, web};
use doorstep_domain::types::WishStatus;
use doorstep_domain::wishes::{self, WishAnswer, WishInput};
use doorstep_matcher::wechat::content::Scene;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, MaybeAuth, page, problems};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::community::{WishCountView, WishView};

/// Posts a wish to the wall; it is shown without the author's name. Workers.
#[utoipa::path(
    tag = "wishes",
    security(("bearer" = [])),
    request_body = WishInput,
    responses(
        (status = 201, body = WishView),
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[post("/wishes")]
pub async fn post_wish(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<WishInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let checked = state
        .content
        .check(
            &state.db,
            auth.0.account_id,
            Scene::Forum,
            &[("text", &input.text)],
        )
        .await?;
    let created = wishes::post(&state.db, &auth.0, input, &checked.held).await?;
    Ok(HttpResponse::Created().json(WishView::new(created, Some(auth.0.account_id))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WallQuery {
    pub status: Option<WishStatus>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The wall, newest first. Anyone; a signed-in author sees `mine` on their own wishes.
#[utoipa::path(
    tag = "wishes",
    params(WallQuery),
    responses((status = 200, body = Page<WishView>))
)]
#[get("/wishes")]
pub async fn wish_wall(
    state: web::Data<AppState>,
    auth: MaybeAuth,
    query: web::Query<WallQuery>,
) -> Result<web::Json<Page<WishView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = wishes::wall(&state.db, query.status, request).await?;
    let viewer = auth.0.map(|p| p.account_id);
    Ok(web::Json(Page::from(found, |w| WishView::new(w, viewer))))
}

/// Answers a wish: planned, done or declined, with a response the author is told. Officers.
#[utoipa::path(
    tag = "wishes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = WishAnswer,
    responses(
        (status = 200, body = WishView),
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
        problems::ValidationFailed,
    )
)]
#[post("/wishes/{id}/answer")]
pub async fn answer_wish(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<WishAnswer>,
) -> Result<web::Json<WishView>, ApiError> {
    let updated = wishes::answer(&state.db, &auth.0, id.into_inner(), body.into_inner()).await?;
    Ok(web::Json(WishView::new(updated, None)))
}

/// What was asked and what was answered: wishes by category and state. Anyone.
#[utoipa::path(tag = "wishes", responses((status = 200, body = Page<WishCountView>)))]
#[get("/wishes/figures")]
pub async fn wish_figures(
    state: web::Data<AppState>,
) -> Result<web::Json<Page<WishCountView>>, ApiError> {
    let counts = wishes::figures(&state.db).await?;
    Ok(web::Json(Page::whole(counts.into_iter().map(|c| {
        WishCountView {
            category: c.category,
            status: c.status,
            count: c.count,
        }
    }))))
}
