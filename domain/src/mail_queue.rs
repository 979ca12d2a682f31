//! Transactional mail that must not be lost (a department's dispatch link, an overdue
//! reminder): written into `mail_queue` in the same transaction as the change that calls for
//! it, and sent by the worker (`doorstep_matcher::worker`), which leases rows like pushes,
//! retries with doubling delays and gives up after a few attempts. The Message-ID is unique,
//! so queueing the same message twice (a job run twice) sends it once.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use crate::entities::queued_mail;
use crate::types::MailStatus;
use crate::{DomainError, time};

/// A message to queue.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `<something@doorstep>`: the same for the same message, so repeats collapse.
    pub message_id: String,
}

/// Queues `mail` inside the caller's transaction; a message already queued is left as is.
pub async fn enqueue<C: ConnectionTrait>(db: &C, mail: OutgoingMail) -> Result<(), DomainError> {
    enqueue_at(db, mail, time::now()).await
}

/// Queues `mail` to be sent no earlier than `at`.
pub async fn enqueue_at<C: ConnectionTrait>(
    db: &C,
    mail: OutgoingMail,
    at: DateTime<Utc>,
) -> Result<(), DomainError> {
    let row = queued_mail::ActiveModel {
        id: Set(Uuid::now_v7()),
        to_address: Set(mail.to),
        subject: Set(mail.subject),
        text_body: Set(mail.text),
        html_body: Set(mail.html),
        message_id: Set(mail.message_id),
        status: Set(MailStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(at),
        lease_until: Set(None),
        last_error: Set(None),
        created_at: Set(time::now()),
        sent_at: Set(None),
    };
    queued_mail::Entity::insert(row)
        .on_conflict(
            OnConflict::column(queued_mail::Column::MessageId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
