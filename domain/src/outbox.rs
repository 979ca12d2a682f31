//! The transactional outbox. Every change to a posting, profile or business writes an event
//! row through the same connection (the same transaction) as the change itself, so an event
//! exists if and only if its change committed. Search indexing and matching consume these
//! rows; a consumer that re-reads the aggregate by id always sees committed state.

use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::Value;
use uuid::Uuid;

use crate::DomainError;
use crate::entities::outbox_event;
use crate::time;

/// What kind of thing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Business,
    Posting,
    Profile,
    Application,
}

impl Aggregate {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Business => "business",
            Self::Posting => "posting",
            Self::Profile => "profile",
            Self::Application => "application",
        }
    }
}

/// The row [`record`] writes, for callers that insert many at once (the bulk loader).
pub fn event(
    aggregate: Aggregate,
    id: Uuid,
    kind: &str,
    payload: Value,
) -> outbox_event::ActiveModel {
    outbox_event::ActiveModel {
        aggregate_type: Set(aggregate.as_str().to_owned()),
        aggregate_id: Set(id),
        kind: Set(kind.to_owned()),
        payload: Set(payload),
        created_at: Set(time::now()),
        ..Default::default()
    }
}

/// Records that `aggregate` `id` changed (`kind`: created, updated, status changed, deleted…).
/// Call it with the transaction that makes the change.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    aggregate: Aggregate,
    id: Uuid,
    kind: &str,
    payload: Value,
) -> Result<(), DomainError> {
    event(aggregate, id, kind, payload).insert(db).await?;
    Ok(())
}
