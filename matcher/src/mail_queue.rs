//! Sends the transactional mail queued in `mail_queue` (see `doorstep_domain::mail_queue`):
//! due rows are leased (with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers
//! share them), sent, and marked sent; a temporary failure is retried with doubling
//! delays, a permanent one or the last attempt marks the row dead.

use chrono::{DateTime, Utc};
use doorstep_domain::db::Backend;
use doorstep_domain::entities::queued_mail;
use doorstep_domain::time;
use doorstep_domain::types::MailStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};

use crate::mail::{DeliveryError, Mail};
use crate::worker::{Matcher, WorkerError};

async fn claim(
    db: &DatabaseConnection,
    backend: Backend,
    lease: chrono::Duration,
    limit: u64,
) -> Result<Vec<queued_mail::Model>, WorkerError> {
    let now = time::now();
    let until = now + lease;
    match backend {
        Backend::Postgres => {
            let sql = "UPDATE mail_queue SET lease_until = $1 WHERE id IN (\
                       SELECT id FROM mail_queue WHERE status = 'pending' AND next_attempt_at <= $2 \
                       AND (lease_until IS NULL OR lease_until < $2) ORDER BY next_attempt_at \
                       LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING *";
            let stmt = Statement::from_sql_and_values(
                sea_orm::DatabaseBackend::Postgres,
                sql,
                [until.into(), now.into(), (limit as i64).into()],
            );
            Ok(queued_mail::Entity::find()
                .from_raw_sql(stmt)
                .all(db)
                .await?)
        }
        // One worker on SQLite: a plain read, then the lease.
        Backend::Sqlite => {
            let due = queued_mail::Entity::find()
                .filter(queued_mail::Column::Status.eq(MailStatus::Pending))
                .filter(queued_mail::Column::NextAttemptAt.lte(now))
                .filter(
                    Condition::any()
                        .add(queued_mail::Column::LeaseUntil.is_null())
                        .add(queued_mail::Column::LeaseUntil.lt(now)),
                )
                .order_by_asc(queued_mail::Column::NextAttemptAt)
                .limit(limit)
                .all(db)
                .await?;
            for row in &due {
                queued_mail::Entity::update_many()
                    .col_expr(queued_mail::Column::LeaseUntil, Expr::value(until))
                    .filter(queued_mail::Column::Id.eq(row.id))
                    .exec(db)
                    .await?;
            }
            Ok(due)
        }
    }
}

async fn settle(
    db: &DatabaseConnection,
    row: &queued_mail::Model,
    status: MailStatus,
    attempts: i32,
    error: Option<String>,
    next: Option<DateTime<Utc>>,
) -> Result<(), WorkerError> {
    let mut update = queued_mail::Entity::update_many()
        .col_expr(queued_mail::Column::Status, Expr::value(status))
        .col_expr(queued_mail::Column::Attempts, Expr::value(attempts))
        .col_expr(queued_mail::Column::LastError, Expr::value(error))
        .col_expr(
            queued_mail::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    if status == MailStatus::Sent {
        update = update.col_expr(queued_mail::Column::SentAt, Expr::value(time::now()));
    }
    if let Some(next) = next {
        update = update.col_expr(queued_mail::Column::NextAttemptAt, Expr::value(next));
    }
    update
        .filter(queued_mail::Column::Id.eq(row.id))
        .exec(db)
        .await?;
    Ok(())
}

impl Matcher {
    /// Sends due queued mail; returns how many went out.
    pub async fn deliver_queued_mail(&self) -> Result<usize, WorkerError> {
        let lease = chrono::Duration::from_std(self.settings.lease)
            .unwrap_or(chrono::Duration::seconds(30));
        let mut sent = 0;
        for row in claim(&self.db, self.backend, lease, 50).await? {
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
                    settle(&self.db, &row, MailStatus::Sent, attempts, None, None).await?;
                    sent += 1;
                }
                Err(DeliveryError::Transient(err)) if attempts < self.settings.max_attempts => {
                    tracing::warn!(mail = %row.id, error = %err, attempts, "mail failed; retrying");
                    let wait = self.settings.retry_base * 2u32.pow((attempts - 1).max(0) as u32);
                    let wait =
                        chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(60));
                    settle(
                        &self.db,
                        &row,
                        MailStatus::Pending,
                        attempts,
                        Some(err),
                        Some(time::now() + wait),
                    )
                    .await?;
                }
                Err(err) => {
                    tracing::warn!(mail = %row.id, error = %err, "mail dead-lettered");
                    settle(
                        &self.db,
                        &row,
                        MailStatus::Dead,
                        attempts,
                        Some(err.to_string()),
                        None,
                    )
                    .await?;
                }
            }
        }
        Ok(sent)
    }
}
