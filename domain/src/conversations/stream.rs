//! Each party's stream of messages, for real-time delivery.
//!
//! A party is one side of many conversations: a seeker (their account id) or a business
//! (its id; every member reads it). Every message takes the next position in the streams
//! of both its parties, in the sending transaction, under the stream head's row lock; so
//! positions follow commit order per party, and "everything after position p" never
//! skips or repeats a message, on any instance. A client names where it stopped by the
//! last message id it saw; [`resume_at`] turns that into a position.
//!
//! Instances learn that a stream grew from the database: on PostgreSQL the sending
//! transaction also sends a `NOTIFY` on [`CHANNEL`] (delivered at commit, to every
//! instance listening); on SQLite, the embedded single instance, the server announces it
//! in process. Read receipts and typing hints are not stored in the streams: they are
//! [`Signal`]s sent the same way, live only.

use std::collections::HashSet;

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, Iterable, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Read, Side, contact, screening};
use crate::auth::Principal;
use crate::entities::{consent, conversation, conversation_message, message_stream, stream_head};
use crate::types::Role;
use crate::{DomainError, businesses};

/// The PostgreSQL notification channel every instance listens on.
pub const CHANNEL: &str = "doorstep_realtime";

/// Something that happened in a conversation, for whoever of its two parties is connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Signal {
    /// The streams of both parties grew (a new message).
    Message {
        conversation: Uuid,
        seeker: Uuid,
        business: Uuid,
    },
    /// `side` read everything up to `seq`.
    Read {
        conversation: Uuid,
        seeker: Uuid,
        business: Uuid,
        side: Side,
        seq: i32,
    },
    /// `side` is typing.
    Typing {
        conversation: Uuid,
        seeker: Uuid,
        business: Uuid,
        side: Side,
    },
}

impl Signal {
    pub fn conversation(&self) -> Uuid {
        match self {
            Signal::Message { conversation, .. }
            | Signal::Read { conversation, .. }
            | Signal::Typing { conversation, .. } => *conversation,
        }
    }

    /// The two parties: the seeker's account and the business.
    pub fn parties(&self) -> [Uuid; 2] {
        match self {
            Signal::Message {
                seeker, business, ..
            }
            | Signal::Read {
                seeker, business, ..
            }
            | Signal::Typing {
                seeker, business, ..
            } => [*seeker, *business],
        }
    }

    pub fn for_conversation(c: &conversation::Model) -> Self {
        Signal::Message {
            conversation: c.id,
            seeker: c.seeker_id,
            business: c.business_id,
        }
    }
}

/// Sends `signal` to every instance through PostgreSQL (inside the caller's transaction,
/// if any: then it is delivered only if that commits). Does nothing on SQLite, where the
/// one instance announces in process; returns whether it was sent.
pub async fn announce<C: ConnectionTrait>(db: &C, signal: &Signal) -> Result<bool, DomainError> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(false);
    }
    let payload = serde_json::to_string(signal)
        .map_err(|_| DomainError::internal("a signal that does not serialise"))?;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), payload.into()],
    ))
    .await?;
    Ok(true)
}

/// Puts `message` at the next position of both its parties' streams (in the sending
/// transaction) and announces it.
pub(super) async fn place<C: ConnectionTrait>(
    db: &C,
    conversation: &conversation::Model,
    message: &conversation_message::Model,
) -> Result<(), DomainError> {
    // Seeker first, then business, in every transaction: two senders never wait on each
    // other's heads in opposite orders.
    let mut places = Vec::with_capacity(2);
    for party in [conversation.seeker_id, conversation.business_id] {
        places.push(message_stream::ActiveModel {
            party_id: sea_orm::Set(party),
            pos: sea_orm::Set(advance(db, party).await?),
            message_id: sea_orm::Set(message.id),
            conversation_id: sea_orm::Set(conversation.id),
        });
    }
    message_stream::Entity::insert_many(places)
        .exec_without_returning(db)
        .await?;
    announce(db, &Signal::for_conversation(conversation)).await?;
    Ok(())
}

/// Takes the next position of `party`'s stream; the head's row stays locked until the
/// transaction ends.
async fn advance<C: ConnectionTrait>(db: &C, party: Uuid) -> Result<i64, DomainError> {
    let upsert = Query::insert()
        .into_table(stream_head::Entity)
        .columns([stream_head::Column::PartyId, stream_head::Column::LastPos])
        .values_panic([party.into(), 1i64.into()])
        .on_conflict(
            OnConflict::column(stream_head::Column::PartyId)
                .value(
                    stream_head::Column::LastPos,
                    Expr::col((stream_head::Entity, stream_head::Column::LastPos)).add(1),
                )
                .to_owned(),
        )
        .returning_col(stream_head::Column::LastPos)
        .to_owned();
    let row = db
        .query_one(&upsert)
        .await?
        .ok_or_else(|| DomainError::internal("the stream head returned no row"))?;
    Ok(row.try_get::<i64>("", "last_pos")?)
}

/// The parties whose streams `actor` reads: a seeker their own, a merchant their
/// businesses'. Anyone else has none.
pub async fn parties_of<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
) -> Result<Vec<Uuid>, DomainError> {
    Ok(match actor.role {
        Role::Seeker => vec![actor.account_id],
        Role::Merchant => businesses::ids_of_member(db, actor.account_id).await?,
        _ => Vec::new(),
    })
}

/// The newest position of `party`'s stream (0 when it is empty).
pub async fn head<C: ConnectionTrait>(db: &C, party: Uuid) -> Result<i64, DomainError> {
    Ok(stream_head::Entity::find_by_id(party)
        .one(db)
        .await?
        .map_or(0, |h| h.last_pos))
}

/// Where each of `parties`' streams resumes after message `seen` (the last one a client
/// saw): its position in the stream that holds it; for another party's stream (a merchant
/// in several businesses), the position of the last message of that stream sent no
/// later. `None` when `seen` is in none of these streams.
pub async fn resume_at<C: ConnectionTrait>(
    db: &C,
    parties: &[Uuid],
    seen: Uuid,
) -> Result<Option<Vec<(Uuid, i64)>>, DomainError> {
    let placed = message_stream::Entity::find()
        .filter(message_stream::Column::MessageId.eq(seen))
        .filter(message_stream::Column::PartyId.is_in(parties.iter().copied()))
        .all(db)
        .await?;
    if placed.is_empty() {
        return Ok(None);
    }
    let mut cursors = Vec::with_capacity(parties.len());
    for party in parties {
        let pos = match placed.iter().find(|p| p.party_id == *party) {
            Some(own) => own.pos,
            // Message ids are time-ordered (UUID v7).
            None => message_stream::Entity::find()
                .filter(message_stream::Column::PartyId.eq(*party))
                .filter(message_stream::Column::MessageId.lte(seen))
                .order_by_desc(message_stream::Column::Pos)
                .one(db)
                .await?
                .map_or(0, |p| p.pos),
        };
        cursors.push((*party, pos));
    }
    Ok(Some(cursors))
}

/// One message of a stream, as the party's side reads it.
#[derive(Debug, Clone)]
pub struct Placed {
    pub pos: i64,
    pub read: Read,
}

/// The messages of `party`'s stream after position `after`, oldest first, at most
/// `limit`, masked as `side` must see them. One query (a socket runs it for every new
/// message), and a second only when a message of the other side holds contact details.
pub async fn after<C: ConnectionTrait>(
    db: &C,
    party: Uuid,
    side: Side,
    after: i64,
    limit: u64,
) -> Result<Vec<Placed>, DomainError> {
    let mut query = Query::select();
    for column in conversation_message::Column::iter() {
        query.column((conversation_message::Entity, column));
    }
    query
        .expr_as(
            Expr::col((message_stream::Entity, message_stream::Column::Pos)),
            "stream_pos",
        )
        .expr_as(
            Expr::col((conversation::Entity, conversation::Column::SeekerId)),
            "pair_seeker",
        )
        .expr_as(
            Expr::col((conversation::Entity, conversation::Column::BusinessId)),
            "pair_business",
        )
        .from(message_stream::Entity)
        .inner_join(
            conversation_message::Entity,
            Expr::col((
                conversation_message::Entity,
                conversation_message::Column::Id,
            ))
            .equals((message_stream::Entity, message_stream::Column::MessageId)),
        )
        .inner_join(
            conversation::Entity,
            Expr::col((conversation::Entity, conversation::Column::Id)).equals((
                message_stream::Entity,
                message_stream::Column::ConversationId,
            )),
        )
        .and_where(Expr::col((message_stream::Entity, message_stream::Column::PartyId)).eq(party))
        .and_where(Expr::col((message_stream::Entity, message_stream::Column::Pos)).gt(after))
        .order_by(
            (message_stream::Entity, message_stream::Column::Pos),
            sea_orm::Order::Asc,
        )
        .limit(limit);
    let mut rows = Vec::new();
    for row in db.query_all(&query).await? {
        let message = conversation_message::Model::from_query_result(&row, "")?;
        let pos: i64 = row.try_get("", "stream_pos")?;
        let pair: (Uuid, Uuid) = (
            row.try_get("", "pair_seeker")?,
            row.try_get("", "pair_business")?,
        );
        rows.push((pos, message, pair));
    }
    let masked_maybe: HashSet<(Uuid, Uuid)> = rows
        .iter()
        .filter(|(_, m, _)| m.has_contact && m.side != side)
        .map(|(_, _, pair)| *pair)
        .collect();
    let shared: HashSet<(Uuid, Uuid)> = if masked_maybe.is_empty() {
        HashSet::new()
    } else {
        let seekers: HashSet<Uuid> = masked_maybe.iter().map(|p| p.0).collect();
        let businesses: HashSet<Uuid> = masked_maybe.iter().map(|p| p.1).collect();
        consent::Entity::find()
            .filter(consent::Column::SeekerId.is_in(seekers))
            .filter(consent::Column::BusinessId.is_in(businesses))
            .select_only()
            .column(consent::Column::SeekerId)
            .column(consent::Column::BusinessId)
            .into_tuple::<(Uuid, Uuid)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|(pos, message, pair)| Placed {
            pos,
            read: read_as(message, side, shared.contains(&pair)),
        })
        .collect())
}

/// A stored message as `side` reads it: the other side's contact details hidden until
/// the seeker agreed to share them (`shared`), its scam warning shown to the recipient.
pub(super) fn read_as(m: conversation_message::Model, side: Side, shared: bool) -> Read {
    let theirs = m.side != side;
    let hide = !shared && m.has_contact && theirs;
    Read {
        warning: m.flag.as_deref().filter(|_| theirs).map(screening::warning),
        body: if hide {
            contact::mask(&m.body)
        } else {
            m.body.clone()
        },
        masked: hide,
        message: m,
    }
}

/// Forgets the stream places of the messages of `conversations` (deleted by retention or
/// erasure).
pub async fn forget<C: ConnectionTrait>(db: &C, conversations: &[Uuid]) -> Result<(), DomainError> {
    if conversations.is_empty() {
        return Ok(());
    }
    message_stream::Entity::delete_many()
        .filter(message_stream::Column::ConversationId.is_in(conversations.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}
