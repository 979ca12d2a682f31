//! Conversations (沟通) between seekers and businesses about a posting: open, list, send,
//! read, and exchange contacts by the seeker's consent. The rules live in
//! `doorstep_domain::conversations`.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use doorstep_domain::conversations::{self, MessageInput, OpenInput, Sent, Side};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::{ApiError, Auth, JsonBody, page, problems};
use crate::startup::AppState;
use crate::views::Page;
use crate::views::conversations::{ConversationView, MessageView, QuickRepliesView};

/// A new message: live connections hear of it, and the sender gets it (201).
fn delivered(state: &AppState, sent: Sent) -> HttpResponse {
    state.realtime.committed(sent.signal);
    HttpResponse::Created().json(MessageView::from(sent.message))
}

/// Fills in each side's real-name badge (issue 25).
async fn badged(
    state: &AppState,
    mut views: Vec<ConversationView>,
) -> Result<Vec<ConversationView>, ApiError> {
    let seekers =
        doorstep_domain::identity::verified_among(&state.db, views.iter().map(|v| v.seeker_id))
            .await?;
    let owners = doorstep_domain::businesses::owner_verified_among(
        &state.db,
        views.iter().map(|v| v.business_id),
    )
    .await?;
    for view in &mut views {
        view.seeker_real_name_verified = seekers.contains(&view.seeker_id);
        view.business_owner_verified = owners.contains(&view.business_id);
    }
    Ok(views)
}

async fn badged_one(
    state: &AppState,
    view: ConversationView,
) -> Result<ConversationView, ApiError> {
    let mut views = badged(state, vec![view]).await?;
    views
        .pop()
        .ok_or_else(|| ApiError::from(doorstep_domain::DomainError::internal("no conversation")))
}

fn opened(view: ConversationView, created: bool) -> HttpResponse {
    if created {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    }
}

/// A seeker opens the conversation about an open posting, or returns to it (200).
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "posting id")),
    responses(
        (status = 201, body = ConversationView, description = "opened"),
        (status = 200, body = ConversationView, description = "it was open already"),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = crate::http::Problem, content_type = "application/problem+json",
            description = "`conversation_blocked` or `conversations_suspended`"),
        problems::TooManyRequests,
    )
)]
#[post("/postings/{id}/conversations")]
pub async fn open_from_posting(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (seen, created) = conversations::open_as_seeker(
        &state.db,
        &auth.0,
        id.into_inner(),
        state.conversation_limits(),
    )
    .await?;
    Ok(opened(badged_one(&state, seen.into()).await?, created))
}

/// A member of the business opens the conversation with a seeker about one of its
/// postings (someone who applied, was invited or matched to it, or a favourite worker), or
/// returns to it (200).
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    request_body = OpenInput,
    responses(
        (status = 201, body = ConversationView, description = "opened"),
        (status = 200, body = ConversationView, description = "it was open already"),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = crate::http::Problem, content_type = "application/problem+json",
            description = "`no_conversation_grounds` (the seeker has no tie to the posting), `conversation_blocked` or `conversations_suspended`"),
        problems::TooManyRequests,
    )
)]
#[post("/conversations")]
pub async fn open_with_seeker(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<OpenInput>,
) -> Result<HttpResponse, ApiError> {
    let (seen, created) = conversations::open_as_business(
        &state.db,
        &auth.0,
        body.into_inner(),
        state.conversation_limits(),
    )
    .await?;
    Ok(opened(badged_one(&state, seen.into()).await?, created))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The caller's conversations, the most recent message first, with unread counts.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = Page<ConversationView>), problems::Forbidden)
)]
#[get("/conversations")]
pub async fn list_conversations(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<ListQuery>,
) -> Result<web::Json<Page<ConversationView>>, ApiError> {
    let request = page::<(DateTime<Utc>, Uuid)>(query.limit, query.cursor.as_deref())?;
    let found = conversations::list(&state.db, &auth.0, request).await?;
    let next_cursor = found.next_cursor.clone();
    let items = badged(
        &state,
        found
            .items
            .into_iter()
            .map(ConversationView::from)
            .collect(),
    )
    .await?;
    Ok(web::Json(Page { items, next_cursor }))
}

/// The quick replies each side can send with one tap.
#[utoipa::path(
    tag = "conversations",
    responses((status = 200, body = QuickRepliesView))
)]
#[get("/conversations/quick-replies")]
pub async fn quick_replies() -> web::Json<QuickRepliesView> {
    let of = |side: Side| side.quick_replies().iter().map(|s| s.to_string()).collect();
    web::Json(QuickRepliesView {
        seeker: of(Side::Seeker),
        business: of(Side::Business),
    })
}

/// One conversation. The seeker and the business's members only.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ConversationView), problems::NotFound)
)]
#[get("/conversations/{id}")]
pub async fn get_conversation(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<ConversationView>, ApiError> {
    let seen = conversations::get(&state.db, &auth.0, id.into_inner()).await?;
    Ok(web::Json(badged_one(&state, seen.into()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MessagesQuery {
    /// Only messages after this number (what a client that saw up to `after` missed).
    pub after: Option<i32>,
    pub limit: Option<u64>,
    /// The next page; wins over `after`.
    pub cursor: Option<String>,
}

/// Messages in the order they were sent, after `after`; each once, however often asked.
/// Contact details the other side typed are masked until the seeker agrees to exchange
/// them.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), MessagesQuery),
    responses((status = 200, body = Page<MessageView>), problems::NotFound)
)]
#[get("/conversations/{id}/messages")]
pub async fn list_messages(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<MessagesQuery>,
) -> Result<web::Json<Page<MessageView>>, ApiError> {
    let mut request = page::<i32>(query.limit, query.cursor.as_deref())?;
    if request.after.is_none() {
        request.after = query.after.map(|a| a.max(0));
    }
    let (_, found) = conversations::messages(&state.db, &auth.0, id.into_inner(), request).await?;
    Ok(web::Json(Page::from(found, MessageView::from)))
}

/// Sends a message: text (1 to 1,000 characters), a quick reply, a posting card or (the
/// business) the shop's location card.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = MessageInput,
    responses(
        (status = 201, body = MessageView),
        problems::NotFound,
        (status = 409, body = crate::http::Problem, content_type = "application/problem+json",
            description = "`conversation_blocked`: one side blocked the other"),
        problems::ValidationFailed,
        problems::TooManyRequests,
    )
)]
#[post("/conversations/{id}/messages")]
pub async fn send_message(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<MessageInput>,
) -> Result<HttpResponse, ApiError> {
    let limits = state.conversation_limits();
    let sent = conversations::send(
        &state.db,
        &auth.0,
        id.into_inner(),
        body.into_inner(),
        limits,
    )
    .await?;
    Ok(delivered(&state, sent))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadInput {
    /// The newest message number the caller has read.
    pub seq: i32,
}

/// A read receipt: everything up to `seq` is read by the caller's side (never backwards).
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = ReadInput,
    responses((status = 200, body = ConversationView), problems::NotFound)
)]
#[post("/conversations/{id}/read")]
pub async fn mark_conversation_read(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: JsonBody<ReadInput>,
) -> Result<web::Json<ConversationView>, ApiError> {
    let seen = conversations::mark_read(&state.db, &auth.0, id.into_inner(), body.into_inner().seq)
        .await?;
    state.realtime.publish(seen.read_signal()).await;
    Ok(web::Json(badged_one(&state, seen.into()).await?))
}

/// Asks to exchange phone numbers (either side).
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 201, body = MessageView), problems::NotFound)
)]
#[post("/conversations/{id}/contact-request")]
pub async fn request_contact(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let sent = conversations::request_contact(&state.db, &auth.0, id.into_inner()).await?;
    Ok(delivered(&state, sent))
}

/// The seeker agrees to exchange contact details with the business (recorded as consent,
/// as applying records it): nothing in the conversation is masked from then on.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 201, body = MessageView), problems::Forbidden, problems::NotFound)
)]
#[post("/conversations/{id}/contact-consent")]
pub async fn share_contact(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let sent = conversations::share_contact(&state.db, &auth.0, id.into_inner()).await?;
    Ok(delivered(&state, sent))
}

/// Blocks the other side: no messages either way, in any conversation between this seeker
/// and this business, until the caller unblocks. Idempotent.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ConversationView), problems::NotFound)
)]
#[post("/conversations/{id}/block")]
pub async fn block(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<ConversationView>, ApiError> {
    let seen = conversations::block(&state.db, &auth.0, id.into_inner()).await?;
    Ok(web::Json(badged_one(&state, seen.into()).await?))
}

/// Lifts the caller's block (a block by the other side stays).
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ConversationView), problems::NotFound)
)]
#[delete("/conversations/{id}/block")]
pub async fn unblock(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> Result<web::Json<ConversationView>, ApiError> {
    let seen = conversations::unblock(&state.db, &auth.0, id.into_inner()).await?;
    Ok(web::Json(badged_one(&state, seen.into()).await?))
}

/// The seeker accepts the business's interview proposal number `seq`: the application
/// moves to `interview` at its time and place (with the usual notices), and the
/// conversation says so. Once per proposal.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path), ("seq" = i32, Path, description = "the proposal's number")),
    responses(
        (status = 201, body = MessageView, description = "the acceptance, as a message"),
        problems::Forbidden,
        problems::NotFound,
        (status = 409, body = crate::http::Problem, content_type = "application/problem+json",
            description = "`proposal_accepted`, or the application cannot move to `interview` now (`illegal_transition`)"),
        problems::ValidationFailed,
    )
)]
#[post("/conversations/{id}/messages/{seq}/accept")]
pub async fn accept_interview(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, seq) = path.into_inner();
    let sent = conversations::accept_interview(&state.db, &auth.0, id, seq).await?;
    Ok(delivered(&state, sent))
}
