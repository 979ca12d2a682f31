//! Service records on seekers' files and the officers' follow-up queue.

use actix_web::{HttpResponse, get, patch, post, web};
use doorstep_domain::entities::service_record;
use doorstep_domain::service_records::{self, ServiceRecordInput, ServiceRecordUpdate};
use doorstep_domain::time;
use doorstep_domain::types::Role;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, Problem, page, problems};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::officer::ServiceRecordView;

fn views(records: Vec<service_record::Model>) -> Vec<ServiceRecordView> {
    let today = time::today();
    records
        .into_iter()
        .map(|r| ServiceRecordView::new(r, today))
        .collect()
}

/// Records a service given to a seeker of one of the officer's districts who lets officers
/// see their profile. Officers.
#[utoipa::path(
    tag = "officer",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "seeker account id")),
    request_body = ServiceRecordInput,
    responses(
        (status = 201, body = ServiceRecordView),
        problems::Forbidden,
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such seeker in the officer's districts"),
        problems::ValidationFailed,
    )
)]
#[post("/profiles/{id}/service-records")]
pub async fn create_record(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ServiceRecordInput>,
) -> Result<HttpResponse, ApiError> {
    let created =
        service_records::create(&state.db, &auth.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(ServiceRecordView::new(created, time::today())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// Why an officer reads the file (required from officers; audit-logged).
    pub reason: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MyRecordsQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A seeker's file, newest first: for the seeker, or for an officer of their district with a
/// stated reason (audit-logged).
#[utoipa::path(
    tag = "officer",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "seeker account id"), FileQuery),
    responses(
        (status = 200, body = Page<ServiceRecordView>),
        problems::NotFound,
        (status = 422, body = Problem, content_type = "application/problem+json", description = "officer without a reason"),
    )
)]
#[get("/profiles/{id}/service-records")]
pub async fn seeker_file(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<FileQuery>,
) -> Result<web::Json<Page<ServiceRecordView>>, ApiError> {
    let request = page(query.limit, query.cursor.as_deref())?;
    let records = service_records::file(
        &state.db,
        &auth.0,
        id.into_inner(),
        query.reason.as_deref(),
        request,
    )
    .await?;
    let today = time::today();
    Ok(web::Json(Page::from(records, |r| {
        ServiceRecordView::new(r, today)
    })))
}

/// Every service record about the caller (PIPL right of access). Seekers.
#[utoipa::path(
    tag = "officer",
    security(("bearer" = [])),
    params(MyRecordsQuery),
    responses(
        (status = 200, body = Page<ServiceRecordView>),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not a seeker"),
    )
)]
#[get("/me/service-records")]
pub async fn my_records(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<MyRecordsQuery>,
) -> Result<web::Json<Page<ServiceRecordView>>, ApiError> {
    // Staff have no file of their own; reading another's needs a reason (`seeker_file`).
    let me = auth.require(&[Role::Seeker])?;
    let request = page(query.limit, query.cursor.as_deref())?;
    let records = service_records::file(&state.db, &me, me.account_id, None, request).await?;
    let today = time::today();
    Ok(web::Json(Page::from(records, |r| {
        ServiceRecordView::new(r, today)
    })))
}

/// Sets a record's outcome, moves its follow-up, or marks the follow-up done. The record's
/// officer, or an officer of the seeker's district.
#[utoipa::path(
    tag = "officer",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = ServiceRecordUpdate,
    responses(
        (status = 200, body = ServiceRecordView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`no_follow_up`"),
        problems::ValidationFailed,
    )
)]
#[patch("/service-records/{id}")]
pub async fn update_record(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ServiceRecordUpdate>,
) -> Result<web::Json<ServiceRecordView>, ApiError> {
    let updated =
        service_records::update(&state.db, &auth.0, id.into_inner(), body.into_inner()).await?;
    Ok(web::Json(ServiceRecordView::new(updated, time::today())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {
    /// Include follow-ups due up to this many days ahead (0 to 90, default 7).
    #[param(minimum = 0, maximum = 90)]
    pub within_days: Option<i64>,
}

/// The caller's follow-up queue: open follow-ups overdue, due today, or due within
/// `within_days`, most overdue first. Officers.
#[utoipa::path(
    tag = "officer",
    security(("bearer" = [])),
    params(FollowUpQuery),
    responses(
        (status = 200, body = Page<ServiceRecordView>),
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[get("/officer/follow-ups")]
pub async fn follow_ups(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<FollowUpQuery>,
) -> Result<web::Json<Page<ServiceRecordView>>, ApiError> {
    // Bounded by `within_days` and `service_records::QUEUE_LIMIT`: one page.
    let records =
        service_records::follow_ups(&state.db, &auth.0, query.within_days.unwrap_or(7)).await?;
    Ok(web::Json(Page::whole(views(records))))
}
