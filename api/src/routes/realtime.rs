//! `GET /api/v1/ws`: conversations in real time, over WebSocket (see `crate::realtime`).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use doorstep_domain::conversations::Side;
use doorstep_domain::conversations::stream;
use doorstep_domain::types::Role;
use doorstep_domain::{ErrorCode, Invalid};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::http::{ApiError, auth, negotiate_language, problems};
use crate::realtime::socket::{self, Live};
use crate::startup::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LiveQuery {
    /// The access token, for clients that cannot set `Authorization` on a WebSocket
    /// (browsers). Prefer the header where the client can set it.
    pub access_token: Option<String>,
    /// The id of the last message the client saw: every later message of its
    /// conversations is sent first, in order, each once. Without it, only new messages.
    pub since: Option<Uuid>,
}

/// Opens the caller's real-time connection (WebSocket, JSON text frames): new messages of
/// every conversation of the caller, the other side's read receipts and typing hints;
/// the client sends `read`, `typing` and `ping` frames. README ("Real time") describes
/// the frames.
#[utoipa::path(
    tag = "realtime",
    security(("bearer" = [])),
    params(LiveQuery),
    responses(
        (status = 101, description = "switching to the WebSocket protocol"),
        (status = 400, body = crate::http::Problem, content_type = "application/problem+json",
            description = "`not_a_websocket`: not an upgrade request"),
        problems::Unauthorized,
        problems::Forbidden,
        problems::ValidationFailed,
    )
)]
#[get("/ws")]
pub async fn live(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    query: web::Query<LiveQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    // Browsers cannot set headers on a WebSocket: they send the token in the query.
    let token = auth::bearer_of(&req).or(query.access_token);
    let principal = auth::authorize(&state, token).await?;
    let side = match principal.role {
        Role::Seeker => Side::Seeker,
        Role::Merchant => Side::Business,
        _ => {
            return Err(ApiError::Forbidden(
                "conversations are between seekers and businesses".into(),
            ));
        }
    };
    let parties = stream::parties_of(&state.db, &principal).await?;
    let hub = state.realtime.clone();
    // Registered before the cursors are read: a message committed in between is announced
    // to this connection, and found after its cursor.
    let registration = hub.register(parties.clone());
    let cursors = socket::cursors(&hub, &parties, query.since).await?;
    let (response, session, incoming) = actix_ws::handle(&req, body).map_err(|_| {
        ApiError::field(
            ErrorCode::NotAWebsocket,
            "upgrade",
            Invalid::new(
                ErrorCode::NotAWebsocket,
                "send `Connection: Upgrade` and `Upgrade: websocket`",
            ),
        )
    })?;
    let language = negotiate_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let live = Live {
        hub,
        principal,
        side,
        cursors,
        language,
        registration,
    };
    let incoming = incoming
        .max_frame_size(socket::MAX_FRAME)
        .aggregate_continuations()
        .max_continuation_size(socket::MAX_FRAME);
    actix_web::rt::spawn(live.run(session, incoming));
    Ok(response)
}
