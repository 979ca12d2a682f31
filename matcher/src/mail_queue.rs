//! Sends the transactional mail queued in `mail_queue` (see `doorstep_domain::mail_queue`):
//! due rows are claimed and settled through `doorstep_domain::jobs::queue` (leased, with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers share them), sent, and marked
//! sent; a temporary failure is retried with doubling delays, a permanent one or the last
//! attempt marks the row dead.

use doorstep_domain::entities::queued_mail;
use doorstep_domain::jobs::queue::{self, Settle};
use doorstep_domain::time;
use doorstep_domain::types::MailStatus;
use uuid::Uuid;

use crate::mail::{DeliveryError, Mail};
use crate::worker::{Matcher, WorkerError};

impl Matcher {
    async fn settle_mail(&self, id: Uuid, settle: Settle) -> Result<(), WorkerError> {
        queue::settle::<queued_mail::Entity, _>(&self.db, id, settle).await?;
        Ok(())
    }

    /// Sends due queued mail; returns how many went out.
    pub async fn deliver_queued_mail(&self) -> Result<usize, WorkerError> {
        let mut sent = 0;
        let claimed =
            queue::claim::<queued_mail::Entity, _>(&self.db, time::now(), self.row_lease(), 50)
                .await?;
        for row in claimed {
            let mail = Mail {
                to: row.to_address.clone(),
                subject: row.subject.clone(),
                text: row.text_body.clone(),
                html: row.html_body.clone(),
                message_id: row.message_id.clone(),
            };
            let attempts = row.attempts + 1;
            match self.mailer.send(&self.from, &mail).await {
                Ok(()) => {
                    let done = Settle::sent(time::now()).attempts(attempts).error(None);
                    self.settle_mail(row.id, done).await?;
                    sent += 1;
                }
                Err(DeliveryError::Transient(err)) if attempts < self.settings.max_attempts => {
                    tracing::warn!(mail = %row.id, error = %err, attempts, "mail failed; retrying");
                    let retry = Settle::later(time::now() + self.retry_wait(attempts));
                    self.settle_mail(row.id, retry.attempts(attempts).error(Some(err)))
                        .await?;
                }
                Err(err) => {
                    tracing::warn!(mail = %row.id, error = %err, "mail dead-lettered");
                    let dead = Settle::gave_up(MailStatus::Dead.as_str())
                        .attempts(attempts)
                        .error(Some(err.to_string()));
                    self.settle_mail(row.id, dead).await?;
                }
            }
        }
        Ok(sent)
    }
}
