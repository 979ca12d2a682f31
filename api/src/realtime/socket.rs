//! One WebSocket connection: authenticated at the upgrade, it first sends what the client
//! missed since the message it names, then every new message of its streams, the other
//! side's read receipts and typing hints, as JSON text frames; the client sends read
//! receipts, typing hints and pings. The frames are described in README ("Real time").

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use actix_ws::{AggregatedMessage, AggregatedMessageStream, Session};
use doorstep_domain::auth::Principal;
use doorstep_domain::conversations::stream::{self, Placed};
use doorstep_domain::conversations::{self, Side, presence};
use doorstep_domain::error_codes::Language;
use doorstep_domain::{DomainError, ErrorCode, Invalid, ValidationErrors, time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Event, Hub, Registration, Signal};
use crate::http::{ApiError, Problem};
use crate::views::conversations::MessageView;

/// A client that has sent nothing (not even a pong) for this long is gone.
const SILENT: Duration = Duration::from_secs(75);
/// How often the server pings.
const PING: Duration = Duration::from_secs(25);
/// Typing hints a connection passes on, at most one per conversation per this.
const TYPING_EVERY: Duration = Duration::from_secs(3);
/// Messages read from a stream per query.
const BATCH: u64 = 200;
/// The largest frame a client may send.
pub const MAX_FRAME: usize = 4 * 1024;
/// Client frames a connection acts on per second; more are refused (each `read` is a
/// write to the database).
const FRAMES_PER_SECOND: u32 = 20;

/// What a client sends.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum ClientFrame {
    /// The caller is typing in a conversation.
    Typing { conversation_id: Uuid },
    /// The caller read a conversation up to `seq`.
    Read { conversation_id: Uuid, seq: i32 },
    /// Answered with `pong`.
    Ping,
}

/// What the server sends.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ServerFrame<'a> {
    /// A message of one of the caller's conversations, in stream order.
    Message {
        message: MessageView,
    },
    /// Everything missed has been sent; live frames follow.
    Ready {
        resumed: usize,
    },
    /// A side read up to `seq`.
    Read {
        conversation_id: Uuid,
        side: Side,
        seq: i32,
    },
    /// The other side is typing.
    Typing {
        conversation_id: Uuid,
        side: Side,
    },
    Pong,
    /// A client frame was refused.
    Error {
        problem: &'a Problem,
    },
}

/// Where the connection's streams are: per party, the last position sent.
pub struct Cursors(pub Vec<(Uuid, i64)>);

/// A connection that passed authentication, ready to run.
pub struct Live {
    pub hub: Arc<Hub>,
    pub principal: Principal,
    pub side: Side,
    pub cursors: Cursors,
    pub language: Language,
    pub registration: Registration,
}

/// The cursors a connection starts from: after `since` (the last message the client saw)
/// or, without it, after the newest message of each stream.
pub async fn cursors(
    hub: &Hub,
    parties: &[Uuid],
    since: Option<Uuid>,
) -> Result<Cursors, ApiError> {
    let cursors = match since {
        Some(seen) => stream::resume_at(hub.db(), parties, seen).await?,
        None => {
            let mut heads = Vec::with_capacity(parties.len());
            for party in parties {
                heads.push((*party, stream::head(hub.db(), *party).await?));
            }
            Some(heads)
        }
    };
    let Some(cursors) = cursors else {
        return Err(DomainError::Validation(ValidationErrors::single(
            "since",
            Invalid::new(
                ErrorCode::UnknownMessage,
                "no such message in the caller's conversations",
            ),
        ))
        .into());
    };
    Ok(Cursors(cursors))
}

impl Live {
    /// Runs the connection until either end closes it.
    pub async fn run(mut self, mut session: Session, mut incoming: AggregatedMessageStream) {
        let db = self.hub.db().clone();
        let presence = match presence::connected(
            &db,
            self.principal.account_id,
            self.hub.instance(),
            time::now(),
        )
        .await
        {
            Ok(id) => Some(id),
            Err(err) => {
                tracing::warn!(error = %err, "could not record a connection's presence");
                None
            }
        };
        let outcome = self.serve(&mut session, &mut incoming).await;
        if let Err(err) = &outcome {
            tracing::debug!(error = %err, "a realtime connection ended");
        }
        if let Some(id) = presence
            && let Err(err) = presence::disconnected(&db, id).await
        {
            tracing::warn!(error = %err, "could not forget a connection's presence");
        }
        let _ = session.close(None).await;
    }

    async fn serve(
        &mut self,
        session: &mut Session,
        incoming: &mut AggregatedMessageStream,
    ) -> Result<(), Ended> {
        let resumed = self.pump(session).await?;
        send(session, &ServerFrame::Ready { resumed }).await?;
        let mut typing: HashMap<Uuid, (Instant, Signal)> = HashMap::new();
        let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING, PING);
        let mut heard = Instant::now();
        let mut window = (Instant::now(), 0u32);
        loop {
            tokio::select! {
                event = self.registration.events.recv() => match event {
                    Some(event) => self.tell(session, event).await?,
                    None => return Ok(()),
                },
                frame = incoming.recv() => {
                    heard = Instant::now();
                    match frame {
                        Some(Ok(AggregatedMessage::Text(text))) => {
                            if window.0.elapsed() >= Duration::from_secs(1) {
                                window = (Instant::now(), 0);
                            }
                            window.1 += 1;
                            if window.1 > FRAMES_PER_SECOND {
                                self.refuse(session, ApiError::RateLimited { retry_after_secs: 1 })
                                    .await?
                            } else {
                                self.answer(session, &text, &mut typing).await?
                            }
                        }
                        Some(Ok(AggregatedMessage::Ping(bytes))) => {
                            session.pong(&bytes).await.map_err(|_| Ended::Closed)?
                        }
                        Some(Ok(AggregatedMessage::Pong(_))) => {}
                        Some(Ok(AggregatedMessage::Binary(_))) => {
                            self.refuse(session, ApiError::BadRequest {
                                code: ErrorCode::InvalidJson,
                                detail: "frames are JSON text".into(),
                                errors: vec![],
                            }).await?
                        }
                        Some(Ok(AggregatedMessage::Close(_))) | None => return Ok(()),
                        Some(Err(_)) => return Err(Ended::Protocol),
                    }
                },
                _ = ping.tick() => {
                    if heard.elapsed() > SILENT {
                        return Err(Ended::Silent);
                    }
                    session.ping(b"").await.map_err(|_| Ended::Closed)?;
                }
            }
            if self.registration.lagging.swap(false, Ordering::Relaxed) {
                self.pump(session).await?;
            }
        }
    }

    /// Sends every message of the connection's streams after its cursors, in order.
    async fn pump(&mut self, session: &mut Session) -> Result<usize, Ended> {
        let mut sent = 0;
        for (party, pos) in self.cursors.0.iter_mut() {
            loop {
                let batch: Vec<Placed> =
                    stream::after(self.hub.db(), *party, self.side, *pos, BATCH)
                        .await
                        .map_err(Ended::Database)?;
                let full = batch.len() as u64 == BATCH;
                for placed in batch {
                    *pos = placed.pos;
                    send(
                        session,
                        &ServerFrame::Message {
                            message: placed.read.into(),
                        },
                    )
                    .await?;
                    sent += 1;
                }
                if !full {
                    break;
                }
            }
        }
        Ok(sent)
    }

    /// Acts on `first` and every event already waiting behind it: under load one read of
    /// the streams serves many new messages.
    async fn tell(&mut self, session: &mut Session, first: Event) -> Result<(), Ended> {
        let mut events = vec![first];
        while events.len() < 256
            && let Ok(next) = self.registration.events.try_recv()
        {
            events.push(next);
        }
        let grew = events.iter().any(|e| match e {
            Event::Resync => true,
            Event::Signal(signal) => matches!(**signal, Signal::Message { .. }),
        });
        // Messages first: a receipt or a hint behind them is about what they say.
        if grew {
            self.pump(session).await?;
        }
        for event in events {
            if let Event::Signal(signal) = event {
                self.hint(session, &signal).await?;
            }
        }
        Ok(())
    }

    /// Passes on a read receipt or a typing hint.
    async fn hint(&mut self, session: &mut Session, signal: &Signal) -> Result<(), Ended> {
        match *signal {
            Signal::Message { .. } => {}
            Signal::Read {
                conversation,
                side,
                seq,
                ..
            } => {
                send(
                    session,
                    &ServerFrame::Read {
                        conversation_id: conversation,
                        side,
                        seq,
                    },
                )
                .await?
            }
            Signal::Typing {
                conversation, side, ..
            } if side != self.side => {
                send(
                    session,
                    &ServerFrame::Typing {
                        conversation_id: conversation,
                        side,
                    },
                )
                .await?
            }
            Signal::Typing { .. } => {}
        }
        Ok(())
    }

    /// Acts on one client frame; a bad one is answered with an `error` frame.
    async fn answer(
        &mut self,
        session: &mut Session,
        text: &str,
        typing: &mut HashMap<Uuid, (Instant, Signal)>,
    ) -> Result<(), Ended> {
        let frame = match serde_json::from_str::<ClientFrame>(text) {
            Ok(frame) => frame,
            Err(err) => {
                return self
                    .refuse(
                        session,
                        ApiError::BadRequest {
                            code: ErrorCode::InvalidJson,
                            detail: format!("not a frame this server takes: {err}"),
                            errors: vec![],
                        },
                    )
                    .await;
            }
        };
        let db = self.hub.db().clone();
        match frame {
            ClientFrame::Ping => send(session, &ServerFrame::Pong).await,
            ClientFrame::Read {
                conversation_id,
                seq,
            } => match conversations::mark_read(&db, &self.principal, conversation_id, seq).await {
                Ok(seen) => {
                    self.hub.publish(seen.read_signal()).await;
                    Ok(())
                }
                Err(err) => self.refuse(session, err.into()).await,
            },
            ClientFrame::Typing { conversation_id } => {
                if let Some((at, signal)) = typing.get_mut(&conversation_id) {
                    if at.elapsed() >= TYPING_EVERY {
                        *at = Instant::now();
                        self.hub.publish(signal.clone()).await;
                    }
                    return Ok(());
                }
                match conversations::get(&db, &self.principal, conversation_id).await {
                    Ok(seen) => {
                        let c = &seen.conversation;
                        let signal = Signal::Typing {
                            conversation: c.id,
                            seeker: c.seeker_id,
                            business: c.business_id,
                            side: seen.side,
                        };
                        typing.insert(conversation_id, (Instant::now(), signal.clone()));
                        self.hub.publish(signal).await;
                        Ok(())
                    }
                    Err(err) => self.refuse(session, err.into()).await,
                }
            }
        }
    }

    async fn refuse(&self, session: &mut Session, err: ApiError) -> Result<(), Ended> {
        let problem = err.problem_in(self.language);
        send(session, &ServerFrame::Error { problem: &problem }).await
    }
}

async fn send(session: &mut Session, frame: &ServerFrame<'_>) -> Result<(), Ended> {
    let text = serde_json::to_string(frame).map_err(|_| Ended::Closed)?;
    session.text(text).await.map_err(|_| Ended::Closed)
}

/// Why a connection ended other than by a close frame.
#[derive(Debug, thiserror::Error)]
enum Ended {
    #[error("the client went away")]
    Closed,
    #[error("the client broke the WebSocket protocol")]
    Protocol,
    #[error("the client stopped answering pings")]
    Silent,
    #[error("reading the streams: {0}")]
    Database(DomainError),
}
