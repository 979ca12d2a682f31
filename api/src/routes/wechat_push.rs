//! WeChat subscribe-message acceptances, and the officers' content review queue (issue 23,
//! items 4 and 5).

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, FixedOffset};
use doorstep_domain::entities::content_review;
use doorstep_domain::types::Role;
use doorstep_domain::{ErrorCode, Invalid, ValidationErrors, content_reviews, time, wechat_push};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, page, problems};
use crate::startup::AppState;
use crate::views::Page;

/// The templates the user accepted in `wx.requestSubscribeMessage` (those it answered
/// `accept` for).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionsInput {
    /// 1 to 20 template ids, each one this server sends (`wechat_template_*`); a template
    /// accepted twice in one call counts twice.
    pub template_ids: Vec<String>,
}

/// Records one one-time acceptance per template id: each allows exactly one subscribe
/// message of that template, and none is ever sent without one. Any signed-in account.
#[utoipa::path(
    tag = "wechat",
    security(("bearer" = [])),
    request_body = SubscriptionsInput,
    responses(
        (status = 204, description = "Recorded"),
        (status = 404, body = crate::http::Problem, content_type = "application/problem+json", description = "WeChat is not configured on this server (`wechat_not_configured`)"),
        problems::ValidationFailed,
    )
)]
#[post("/me/wechat/subscriptions")]
pub async fn accept_subscriptions(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<SubscriptionsInput>,
) -> Result<HttpResponse, ApiError> {
    if state.wechat.is_none() {
        return Err(ApiError::WechatNotConfigured);
    }
    let input = body.into_inner();
    let mut errors = ValidationErrors::new();
    if input.template_ids.is_empty() || input.template_ids.len() > 20 {
        errors.push(
            "template_ids",
            Invalid::new(ErrorCode::OutOfRange, "give 1 to 20 template ids"),
        );
    }
    for (i, id) in input.template_ids.iter().enumerate() {
        if !state.wechat_templates.knows(id) {
            errors.push(
                format!("template_ids.{i}"),
                Invalid::new(
                    ErrorCode::UnknownTemplate,
                    format!("{id:?} is not a subscribe-message template this server sends"),
                ),
            );
        }
    }
    errors.into_result()?;
    wechat_push::accept(&state.db, auth.0.account_id, &input.template_ids).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One piece of user text held for review.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContentReviewView {
    pub id: Uuid,
    pub account_id: Option<Uuid>,
    /// `posting`, `profile`, `report` or `wish`.
    pub subject_type: String,
    pub subject_id: Option<Uuid>,
    /// The request field the text came in.
    pub field: String,
    pub content: String,
    /// `review` (WeChat's verdict) or `unchecked` (the check failed or could not run).
    pub suggest: String,
    /// WeChat's label: 100 normal, 10001 ads, 20001 politics, 20002 porn, 20003 abuse,
    /// 20006 crime, 20008 fraud, 20012 vulgar, 20013 copyright, 21000 other.
    pub label: Option<i32>,
    pub reason: Option<String>,
    /// `open` or `resolved`.
    pub status: String,
    /// `approved` or `removed`, once resolved.
    pub resolution: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTime<FixedOffset>>,
    pub created_at: DateTime<FixedOffset>,
}

impl From<content_review::Model> for ContentReviewView {
    fn from(r: content_review::Model) -> Self {
        Self {
            id: r.id,
            account_id: r.account_id,
            subject_type: r.subject_type,
            subject_id: r.subject_id,
            field: r.field,
            content: r.content,
            suggest: r.suggest,
            label: r.label,
            reason: r.reason,
            status: r.status,
            resolution: r.resolution,
            resolved_by: r.resolved_by,
            resolved_at: r.resolved_at.map(time::to_display),
            created_at: time::to_display(r.created_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// Only the open ones (the default); `false` lists the resolved ones too.
    pub open_only: Option<bool>,
    /// Only the reviews of postings of this district (posting screening's holds among
    /// them, the rule in `reason`); officers of the district and admins, else 404.
    pub district_id: Option<Uuid>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The content review queue, oldest first: text WeChat's content security held for review
/// (with its label), text that could not be checked, and postings posting screening held
/// (the rule in `reason`). Officers and admins; `district_id` narrows it to one district's
/// postings.
#[utoipa::path(
    tag = "wechat",
    security(("bearer" = [])),
    params(ReviewQuery),
    responses(
        (status = 200, body = Page<ContentReviewView>),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[get("/content-reviews")]
pub async fn list_reviews(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<ReviewQuery>,
) -> Result<web::Json<Page<ContentReviewView>>, ApiError> {
    let staff = auth.require(&[Role::Officer, Role::Admin])?;
    let request = page(query.limit, query.cursor.as_deref())?;
    if let Some(district) = query.district_id {
        doorstep_domain::districts::scope_of(&state.db, &staff)
            .await?
            .require(Some(district), "district")?;
    }
    let found = content_reviews::list(
        &state.db,
        query.open_only.unwrap_or(true),
        query.district_id,
        request,
    )
    .await?;
    Ok(web::Json(Page::from(found, ContentReviewView::from)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// The text may stay.
    Approved,
    /// The officer removed the text (through the subject's own routes: closing the
    /// posting, rejecting the report…).
    Removed,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveInput {
    pub resolution: Resolution,
}

/// Resolves an open review. Officers and admins. `approved` shows the text to others once
/// nothing else of its subject is under review; `removed` takes the subject down (a posting
/// is closed, a résumé emptied, a wish or report kept off the public lists). The author is
/// told (`content_approved` / `content_removed`).
#[utoipa::path(
    tag = "wechat",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = ResolveInput,
    responses(
        (status = 200, body = ContentReviewView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = crate::http::Problem, content_type = "application/problem+json", description = "Already resolved (`review_resolved`)"),
    )
)]
#[post("/content-reviews/{id}/resolve")]
pub async fn resolve_review(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ResolveInput>,
) -> Result<web::Json<ContentReviewView>, ApiError> {
    let officer = auth.require(&[Role::Officer, Role::Admin])?;
    let resolution = match body.into_inner().resolution {
        Resolution::Approved => content_reviews::APPROVED,
        Resolution::Removed => content_reviews::REMOVED,
    };
    let row = content_reviews::resolve(&state.db, id.into_inner(), officer.account_id, resolution)
        .await?;
    Ok(web::Json(row.into()))
}
