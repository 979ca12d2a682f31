//! Conversations beyond talking: searching one's own, reporting one to officers, and the
//! officers' queue of reports. The rules live in `doorstep_domain::conversations::{search,
//! reports}`.

use actix_web::{HttpResponse, get, post, web};
use doorstep_domain::ErrorCode;
use doorstep_domain::conversations::reports::{
    self, ConversationReportInput, ConversationReportResolution,
};
use doorstep_domain::conversations::{Read, screening, search};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, page, problems};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::conversation_records::{
    ConversationHitView, ConversationReportView, FiledReportView, InvestigationView,
};
use crate::views::conversations::MessageView;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConversationSearchQuery {
    /// Words to look for (1 to 50 characters, not only spaces, no control characters; split
    /// on spaces, every one must appear). Missing, blank or too long: 400 naming `q`.
    #[param(
        required = true,
        max_length = 50,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The caller's messages (either side's, in the caller's conversations) holding every word
/// of `q`, newest first, each with its conversation, number and a snippet. Contact details
/// the caller may not see yet are neither searched nor shown. A page may hold fewer than
/// `limit` items and still carry a cursor.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(ConversationSearchQuery),
    responses(
        (status = 200, body = Page<ConversationHitView>),
        problems::BadRequest,
        problems::Forbidden,
    )
)]
#[get("/conversations/search")]
pub async fn search_conversations(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<ConversationSearchQuery>,
) -> Result<web::Json<Page<ConversationHitView>>, ApiError> {
    let terms = search::parse_query(query.q.as_deref())
        .map_err(|invalid| ApiError::field(ErrorCode::InvalidQuery, "q", invalid))?;
    let request = page::<Uuid>(query.limit, query.cursor.as_deref())?;
    let found = search::search(&state.db, &auth.0, &terms, request).await?;
    Ok(web::Json(Page::from(found, ConversationHitView::from)))
}

/// Reports the other side's message number `seq`, or the whole conversation, to the
/// officers of the posting's district. Once per message; one open report of the whole
/// conversation at a time. The outcome comes to the reporter's inbox.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = ConversationReportInput,
    responses(
        (status = 201, body = FiledReportView),
        problems::NotFound,
        (status = 409, body = crate::http::Problem, content_type = "application/problem+json",
            description = "`already_reported`, or `nothing_to_report` (the other side has written nothing)"),
        (status = 422, body = crate::http::Problem, content_type = "application/problem+json",
            description = "`seq` is not a message (`unknown_message`) or is one's own (`own_message`); `note` too long, or missing with `other`"),
    )
)]
#[post("/conversations/{id}/report")]
pub async fn report_conversation(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ConversationReportInput>,
) -> Result<HttpResponse, ApiError> {
    let filed = reports::report(&state.db, &auth.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(FiledReportView::from(filed)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQueueQuery {
    /// Only open reports (default), or every one.
    pub open_only: Option<bool>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The officers' queue: conversation reports of the caller's districts, oldest first.
/// Officers and admins.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(ReportQueueQuery),
    responses((status = 200, body = Page<ConversationReportView>), problems::Forbidden)
)]
#[get("/conversation-reports")]
pub async fn list_conversation_reports(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<ReportQueueQuery>,
) -> Result<web::Json<Page<ConversationReportView>>, ApiError> {
    let request = page::<Uuid>(query.limit, query.cursor.as_deref())?;
    let found =
        reports::queue(&state.db, &auth.0, query.open_only.unwrap_or(true), request).await?;
    Ok(web::Json(Page::from(found, ConversationReportView::from)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvestigateQuery {
    /// Why the officer reads the conversation (2 to 200 characters; audit-logged).
    pub reason: Option<String>,
}

/// An officer of the report's district reads it with the conversation around the reported
/// message, as written (contact details unmasked), stating why: the read is audit-logged
/// (`read_conversation`). The only way an officer reads a conversation.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id"), InvestigateQuery),
    responses(
        (status = 200, body = InvestigationView),
        problems::Forbidden,
        problems::NotFound,
        (status = 422, body = crate::http::Problem, content_type = "application/problem+json",
            description = "no `reason` (`reason_required`)"),
    )
)]
#[get("/conversation-reports/{id}")]
pub async fn investigate_conversation_report(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<InvestigateQuery>,
) -> Result<web::Json<InvestigationView>, ApiError> {
    let (filed, messages) =
        reports::investigate(&state.db, &auth.0, id.into_inner(), query.reason.as_deref()).await?;
    let messages = messages
        .into_iter()
        .map(|m| {
            MessageView::from(Read {
                body: m.body.clone(),
                masked: false,
                warning: m.flag.as_deref().map(screening::warning),
                message: m,
            })
        })
        .collect();
    Ok(web::Json(InvestigationView {
        report: filed.into(),
        messages,
    }))
}

/// An officer of the report's district resolves it: `dismissed`, `warned` (the reported
/// account is told) or `suspended` (no new conversations for `suspend_days`, default 30).
/// The reporter is told the outcome in the inbox.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")),
    request_body = ConversationReportResolution,
    responses(
        (status = 200, body = ConversationReportView),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = crate::http::Problem, content_type = "application/problem+json",
            description = "`already_resolved`"),
        problems::ValidationFailed,
    )
)]
#[post("/conversation-reports/{id}/resolve")]
pub async fn resolve_conversation_report(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ConversationReportResolution>,
) -> Result<web::Json<ConversationReportView>, ApiError> {
    let filed = reports::resolve(&state.db, &auth.0, id.into_inner(), body.into_inner()).await?;
    Ok(web::Json(filed.into()))
}
