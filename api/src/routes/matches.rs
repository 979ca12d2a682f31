//! Matches: jobs recommended to a seeker, candidates recommended for a posting, feedback.

use actix_web::{get, post, web};
use chrono::{DateTime, FixedOffset};
use doorstep_domain::types::Role;
use doorstep_domain::{DomainError, time};
use doorstep_matcher::matches::{self, Feedback};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, Problem};
use crate::services;
use crate::startup::AppState;

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

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchView {
    pub id: Uuid,
    /// 0 to 1; strong only when the job suits the seeker and the seeker suits the job.
    pub score: f64,
    pub for_seeker: f64,
    pub for_job: f64,
    /// e.g. "距家800米 · 技能匹配：咖啡、收银 · 周末有空".
    pub explanation: String,
    /// Each factor's value and weight.
    pub factors: serde_json::Value,
    /// `new`, `pushed`, `saved`, `dismissed`, `applied`.
    pub status: String,
    pub posting_id: Uuid,
    /// Seekers: the job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posting_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_name: Option<String>,
    /// Merchants: the candidate, without contact details or home.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seeker_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seeker_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seeker_skills: Option<Vec<String>>,
    pub updated_at: DateTime<FixedOffset>,
}

fn base(m: &doorstep_domain::entities::job_match::Model) -> MatchView {
    MatchView {
        id: m.id,
        score: m.score,
        for_seeker: m.for_seeker,
        for_job: m.for_job,
        explanation: m.explanation.clone(),
        factors: m.factors.clone(),
        status: m.status.to_string(),
        posting_id: m.posting_id,
        posting_title: None,
        business_name: None,
        seeker_id: None,
        seeker_name: None,
        seeker_skills: None,
        updated_at: time::to_display(m.updated_at),
    }
}

/// Seekers: jobs matched to them, best first. Merchants: candidates for one of their
/// postings (`posting_id`), masked as in profile search.
#[utoipa::path(
    tag = "matches",
    security(("bearer" = [])),
    params(MatchQuery),
    responses(
        (status = 200, body = Vec<MatchView>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/matches")]
pub async fn list_matches(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<MatchQuery>,
) -> Result<web::Json<Vec<MatchView>>, ApiError> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=50).contains(&limit) {
        return Err(
            DomainError::Validation(doorstep_domain::ValidationErrors::single(
                "limit",
                doorstep_domain::Invalid::new("out_of_range", "limit is 1 to 50"),
            ))
            .into(),
        );
    }
    let principal = auth.require(&[Role::Seeker, Role::Merchant])?;
    if principal.role == Role::Seeker {
        let found = matches::for_seeker(&state.db, &principal, limit).await?;
        return Ok(web::Json(
            found
                .into_iter()
                .map(|f| MatchView {
                    posting_title: Some(f.posting.title.clone()),
                    business_name: Some(f.business.name.clone()),
                    ..base(&f.m)
                })
                .collect(),
        ));
    }
    let posting_id = query.posting_id.ok_or_else(|| {
        DomainError::Validation(doorstep_domain::ValidationErrors::single(
            "posting_id",
            doorstep_domain::Invalid::new("required", "merchants list candidates for one posting"),
        ))
    })?;
    let found = matches::for_posting(&state.db, &principal, posting_id, limit).await?;
    Ok(web::Json(
        found
            .into_iter()
            .map(|c| MatchView {
                seeker_id: Some(c.profile.account_id),
                seeker_name: Some(c.profile.full_name.clone()),
                seeker_skills: Some(c.profile.skills.0.clone()),
                ..base(&c.m)
            })
            .collect(),
    ))
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
        (status = 404, body = Problem, content_type = "application/problem+json"),
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
    Ok(web::Json(base(&updated)))
}
