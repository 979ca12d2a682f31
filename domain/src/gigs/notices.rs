//! Gig notices for seekers. They are written (in the transaction of the change they tell
//! of) to a queue the notice job delivers to the inbox, so the seeker's quiet hours and
//! daily cap hold as they do for pushed matches. One exception, by design: a change to a
//! shift the seeker holds on the day itself (a time moved, a cancellation, a place given
//! from the waiting list) is urgent and goes out at once, since held until morning it
//! would arrive too late to act on. Merchants get their notices in the inbox directly.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::Value;
use uuid::Uuid;

use crate::DomainError;
use crate::entities::gig_notice;
use crate::time;
use crate::types::NoticeStatus;

/// One notice to queue.
#[derive(Debug, Clone)]
pub struct Notice {
    pub account: Uuid,
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    pub data: Value,
    /// Delivered through quiet hours and above the daily cap.
    pub urgent: bool,
    /// Not before this.
    pub due_at: DateTime<Utc>,
    /// Dropped, undelivered, once this has passed (a reminder after the shift began).
    pub expires_at: Option<DateTime<Utc>>,
}

impl Notice {
    /// A notice due now that never expires.
    pub fn now(
        account: Uuid,
        kind: &'static str,
        title: String,
        body: String,
        data: Value,
    ) -> Self {
        Self {
            account,
            kind,
            title,
            body,
            data,
            urgent: false,
            due_at: time::now(),
            expires_at: None,
        }
    }

    pub fn urgent(mut self, urgent: bool) -> Self {
        self.urgent = urgent;
        self
    }

    pub fn due(mut self, at: DateTime<Utc>) -> Self {
        self.due_at = at;
        self
    }

    pub fn expires(mut self, at: DateTime<Utc>) -> Self {
        self.expires_at = Some(at);
        self
    }
}

/// Queues a notice inside the caller's transaction.
pub async fn enqueue<C: ConnectionTrait>(db: &C, notice: Notice) -> Result<(), DomainError> {
    gig_notice::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(notice.account),
        kind: Set(notice.kind.to_owned()),
        title: Set(notice.title.chars().take(200).collect()),
        body: Set(notice.body),
        data: Set(notice.data),
        urgent: Set(notice.urgent),
        due_at: Set(notice.due_at),
        expires_at: Set(notice.expires_at),
        status: Set(NoticeStatus::Pending),
        sent_at: Set(None),
        created_at: Set(time::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}
