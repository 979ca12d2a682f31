//! Matches: jobs recommended to a seeker, candidates recommended for a posting, feedback.

use actix_web::{get, post, web};
use doorstep_domain::DomainError;
use doorstep_domain::ErrorCode;
use doorstep_domain::types::Role;
use doorstep_matcher::matches::{self, Feedback};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, Problem, problems};
use crate::services;
use crate::startup::AppState;
use crate::views::Page;
use crate::views::matching::MatchView;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MatchQuery {
    /// Merchants: the posting to list candidates for (required for merchants).
    pub posting_id: Option<Uuid>,
    /// 1 to 50, default 20.
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<u64>,
}

/// Seekers: jobs matched to them, best first. Merchants: candidates for one of their
/// postings (`posting_id`), masked as in profile search. The best `limit` in one page
/// (`next_cursor` is absent: a ranking has no next page).
#[utoipa::path(
    tag = "matches",
    security(("bearer" = [])),
    params(MatchQuery),
    responses(
        (status = 200, body = Page<MatchView>),
        problems::Forbidden,
        problems::NotFound,
        problems::ValidationFailed,
    )
)]
#[get("/matches")]
pub async fn list_matches(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<MatchQuery>,
) -> Result<web::Json<Page<MatchView>>, ApiError> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=50).contains(&limit) {
        return Err(
            DomainError::Validation(doorstep_domain::ValidationErrors::single(
                "limit",
                doorstep_domain::Invalid::new(ErrorCode::OutOfRange, "limit is 1 to 50"),
            ))
            .into(),
        );
    }
    let principal = auth.require(&[Role::Seeker, Role::Merchant])?;
    if principal.role == Role::Seeker {
        let found = matches::for_seeker(&state.db, &principal, limit).await?;
        return Ok(web::Json(Page::whole(found.into_iter().map(|f| {
            MatchView {
                posting_title: Some(f.posting.title.clone()),
                business_name: Some(f.business.name.clone()),
                owner_real_name_verified: Some(f.business.owner_verified),
                ..MatchView::from(&f.m)
            }
        }))));
    }
    let posting_id = query.posting_id.ok_or_else(|| {
        DomainError::Validation(doorstep_domain::ValidationErrors::single(
            "posting_id",
            doorstep_domain::Invalid::new(
                ErrorCode::Required,
                "merchants list candidates for one posting",
            ),
        ))
    })?;
    let found = matches::for_posting(&state.db, &principal, posting_id, limit).await?;
    let verified = doorstep_domain::identity::verified_among(
        &state.db,
        found.iter().map(|c| c.profile.account_id),
    )
    .await?;
    Ok(web::Json(Page::whole(found.into_iter().map(|c| {
        MatchView {
            seeker_real_name_verified: Some(verified.contains(&c.profile.account_id)),
            seeker_id: Some(c.profile.account_id),
            seeker_name: Some(c.profile.full_name.clone()),
            seeker_skills: Some(c.profile.skills.0.clone()),
            ..MatchView::from(&c.m)
        }
    }))))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackAction {
    Save,
    Dismiss,
    Apply,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    pub action: FeedbackAction,
    /// Why, when dismissing (optional).
    #[serde(default)]
    pub reason: Option<String>,
    /// A note to the merchant, when applying.
    #[serde(default)]
    pub note: String,
}

/// A seeker saves, dismisses (never pushed again) or applies from one of their matches.
#[utoipa::path(
    tag = "matches",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = FeedbackRequest,
    responses(
        (status = 200, body = MatchView),
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`already_applied`"),
    )
)]
#[post("/matches/{id}/feedback")]
pub async fn feedback(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<FeedbackRequest>,
) -> Result<web::Json<MatchView>, ApiError> {
    let body = body.into_inner();
    let id = id.into_inner();
    let what = match body.action {
        FeedbackAction::Save => Feedback::Save,
        FeedbackAction::Dismiss => Feedback::Dismiss,
        FeedbackAction::Apply => Feedback::Applied,
    };
    let updated =
        services::matches::feedback(&state.db, &auth.0, id, what, body.reason, body.note).await?;
    Ok(web::Json(MatchView::from(&updated)))
}
