//! Job postings: merchants write and run them; everyone browses the open ones.

use actix_web::{HttpResponse, get, post, put, web};
use doorstep_domain::postings::taxonomy::{CATEGORIES, Category};
use doorstep_domain::postings::{self, Action, PostingFilter, PostingInput};
use doorstep_domain::types::{PostingKind, PostingStatus};
use doorstep_matcher::wechat::content::Scene;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{
    ApiError, Auth, Coord, CoordParam, JsonBody, MaybeAuth, Problem, page, problems,
};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::marketplace::PostingView;

/// The job categories postings and profiles use.
#[utoipa::path(tag = "postings", responses((status = 200, body = Page<Category>)))]
#[get("/categories")]
pub async fn categories() -> web::Json<Page<Category>> {
    web::Json(Page::whole(CATEGORIES.iter().copied()))
}

/// Creates a draft posting for one of the caller's businesses. The fair-hiring check
/// refuses restrictions by gender, age, ethnicity, marital or childbearing status, home
/// region or unrelated health status, quoting the phrase.
#[utoipa::path(
    tag = "postings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "business id"), CoordParam),
    request_body = PostingInput,
    responses(
        (status = 201, body = PostingView),
        problems::Forbidden,
        problems::NotFound,
        (status = 422, body = Problem, content_type = "application/problem+json",
            description = "invalid field, `discriminatory_requirement` naming the phrase, or posting screening's `posting_screened` (the phrase) or `below_minimum_wage` (the figures)"),
    )
)]
#[post("/businesses/{id}/postings")]
pub async fn create_posting(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<PostingInput>,
) -> Result<HttpResponse, ApiError> {
    let input = coord.inbound(body.into_inner());
    let checked = state
        .content
        .check(
            &state.db,
            auth.0.account_id,
            Scene::Forum,
            &[("title", &input.title), ("description", &input.description)],
        )
        .await?;
    let (created, business) = postings::create(
        &state.db,
        &auth.0,
        id.into_inner(),
        input,
        &checked.held,
        &state.screening_policy(),
    )
    .await?;
    Ok(HttpResponse::Created().json(coord.outbound(PostingView::new(created, &business))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PostingListQuery {
    pub kind: Option<PostingKind>,
    pub category: Option<String>,
    pub business_id: Option<Uuid>,
    /// Own postings only: filter by lifecycle state.
    pub status: Option<PostingStatus>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

impl PostingListQuery {
    fn filter(&self) -> PostingFilter {
        PostingFilter {
            status: self.status,
            kind: self.kind,
            category: self.category.clone(),
            business_id: self.business_id,
        }
    }
}

/// Open postings of verified businesses, newest first. No login needed.
#[utoipa::path(
    tag = "postings",
    params(PostingListQuery, CoordParam),
    responses(
        (status = 200, body = Page<PostingView>),
        problems::BadRequest,
    )
)]
#[get("/postings")]
pub async fn list_postings(
    coord: Coord,
    state: web::Data<AppState>,
    query: web::Query<PostingListQuery>,
) -> Result<web::Json<Page<PostingView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = postings::list_public(&state.db, query.filter(), request).await?;
    let mut shown = Page::from(found, |(p, b)| PostingView::new(p, &b));
    with_responsiveness(&state, &mut shown.items).await?;
    Ok(coord.json(shown))
}

/// Each posting's business's responsiveness: kept per business for
/// `responsiveness_cache_secs`, the others read in one indexed query for the page (see
/// `doorstep_domain::conversations::responsiveness`).
async fn with_responsiveness(state: &AppState, views: &mut [PostingView]) -> Result<(), ApiError> {
    let mut businesses: Vec<Uuid> = views.iter().map(|v| v.business_id).collect();
    businesses.sort_unstable();
    businesses.dedup();
    let figures = state
        .responsiveness
        .of_businesses(&state.db, &businesses, doorstep_domain::time::now())
        .await?;
    for view in views {
        view.responsiveness = figures.get(&view.business_id).map(|&f| f.into());
    }
    Ok(())
}

/// Postings of every business the caller belongs to, in every state, newest first.
#[utoipa::path(
    tag = "postings",
    security(("bearer" = [])),
    params(PostingListQuery, CoordParam),
    responses((status = 200, body = Page<PostingView>))
)]
#[get("/postings/mine")]
pub async fn my_postings(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PostingListQuery>,
) -> Result<web::Json<Page<PostingView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let found = postings::list_mine(&state.db, &auth.0, query.filter(), request).await?;
    Ok(coord.json(Page::from(found, |(p, b)| PostingView::new(p, &b))))
}

/// A posting: members of its business see it in any state; everyone else only while it is
/// open, unexpired and its business verified.
#[utoipa::path(
    tag = "postings",
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = PostingView),
        problems::NotFound,
    )
)]
#[get("/postings/{id}")]
pub async fn get_posting(
    coord: Coord,
    state: web::Data<AppState>,
    auth: MaybeAuth,
    id: web::Path<Uuid>,
) -> Result<web::Json<PostingView>, ApiError> {
    let (found, business, _) =
        postings::find_visible(&state.db, auth.0.as_ref(), id.into_inner()).await?;
    let mut shown = [PostingView::new(found, &business)];
    with_responsiveness(&state, &mut shown).await?;
    let [mut shown] = shown;
    shown.merchant_record =
        Some(crate::routes::complaints::merchant_record(&state, business.id).await?);
    Ok(coord.json(shown))
}

/// Replaces a posting's content (members of its business; not once closed or filled).
#[utoipa::path(
    tag = "postings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    request_body = PostingInput,
    responses(
        (status = 200, body = PostingView),
        problems::NotFound,
        problems::Conflict,
        problems::ValidationFailed,
    )
)]
#[put("/postings/{id}")]
pub async fn update_posting(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<PostingInput>,
) -> Result<web::Json<PostingView>, ApiError> {
    let input = coord.inbound(body.into_inner());
    let checked = state
        .content
        .check(
            &state.db,
            auth.0.account_id,
            Scene::Forum,
            &[("title", &input.title), ("description", &input.description)],
        )
        .await?;
    let (updated, business) = postings::update(
        &state.db,
        &auth.0,
        id.into_inner(),
        input,
        &checked.held,
        &state.screening_policy(),
    )
    .await?;
    Ok(coord.json(PostingView::new(updated, &business)))
}

async fn act(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: Uuid,
    action: Action,
) -> Result<web::Json<PostingView>, ApiError> {
    let (updated, business) = postings::transition(&state.db, &auth.0, id, action).await?;
    Ok(coord.json(PostingView::new(updated, &business)))
}

/// Opens a draft or paused posting.
#[utoipa::path(
    tag = "postings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = PostingView),
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`illegal_transition`, `posting_expired`, or `under_review` (content security holds its text for an officer)"),
    )
)]
#[post("/postings/{id}/publish")]
pub async fn publish_posting(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<PostingView>, ApiError> {
    act(coord, state, auth, id.into_inner(), Action::Publish).await
}

/// Pauses an open posting.
#[utoipa::path(
    tag = "postings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = PostingView),
        problems::NotFound,
        problems::Conflict,
    )
)]
#[post("/postings/{id}/pause")]
pub async fn pause_posting(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<PostingView>, ApiError> {
    act(coord, state, auth, id.into_inner(), Action::Pause).await
}

/// Closes a posting for good.
#[utoipa::path(
    tag = "postings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = PostingView),
        problems::NotFound,
        problems::Conflict,
    )
)]
#[post("/postings/{id}/close")]
pub async fn close_posting(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<PostingView>, ApiError> {
    act(coord, state, auth, id.into_inner(), Action::Close).await
}

/// Marks an open or paused posting filled.
#[utoipa::path(
    tag = "postings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), CoordParam),
    responses(
        (status = 200, body = PostingView),
        problems::NotFound,
        problems::Conflict,
    )
)]
#[post("/postings/{id}/fill")]
pub async fn fill_posting(
    coord: Coord,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<PostingView>, ApiError> {
    act(coord, state, auth, id.into_inner(), Action::Fill).await
}
