//! Tables of rows worked through one at a time (pushes, queued mail, gig notices): due
//! rows are claimed, handled, and settled (sent, due again later, or given up), through
//! the two functions here, for every such table.
//!
//! On PostgreSQL a leased table is claimed with `FOR UPDATE SKIP LOCKED` in one statement,
//! so several workers share the rows and none is handed to two of them while its lease
//! lasts. SQLite has no row locks and only one worker runs there (`doorstep worker` refuses
//! to start next to another), so it reads the due rows and then leases them. A table
//! without a lease column (gig notices) is read without claiming; there the settle itself,
//! a conditional update on `status = 'pending'`, decides who delivers a row.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, FromQueryResult, Statement, Value,
};
use uuid::Uuid;

use crate::entities::{gig_notice, push, queued_mail};

/// The status of a row waiting to be handled, the same string in every queue's status enum
/// (`PushStatus`, `MailStatus`, `NoticeStatus`; a test below holds them together), since
/// the claim SQL is written once for all of them.
pub const PENDING: &str = "pending";
/// The status of a row handled, likewise shared.
pub const SENT: &str = "sent";

/// What a queue's columns are called. Every queue has `id` (a UUID), `status` and
/// `sent_at`.
#[derive(Debug, Clone, Copy)]
pub struct Queue {
    pub table: &'static str,
    /// When the row is due.
    pub due: &'static str,
    /// Until when a claimer holds the row; `None`: not leased.
    pub lease: Option<&'static str>,
    pub attempts: Option<&'static str>,
    pub last_error: Option<&'static str>,
}

/// An entity whose table is a queue.
pub trait Queued: EntityTrait {
    const QUEUE: Queue;
    fn id(row: &Self::Model) -> Uuid;
}

impl Queued for push::Entity {
    const QUEUE: Queue = Queue {
        table: "pushes",
        due: "next_attempt_at",
        lease: Some("lease_until"),
        attempts: Some("attempts"),
        last_error: Some("last_error"),
    };
    fn id(row: &push::Model) -> Uuid {
        row.id
    }
}

impl Queued for queued_mail::Entity {
    const QUEUE: Queue = Queue {
        table: "mail_queue",
        due: "next_attempt_at",
        lease: Some("lease_until"),
        attempts: Some("attempts"),
        last_error: Some("last_error"),
    };
    fn id(row: &queued_mail::Model) -> Uuid {
        row.id
    }
}

impl Queued for gig_notice::Entity {
    const QUEUE: Queue = Queue {
        table: "gig_notices",
        due: "due_at",
        lease: None,
        attempts: None,
        last_error: None,
    };
    fn id(row: &gig_notice::Model) -> Uuid {
        row.id
    }
}

/// Claims up to `limit` pending rows due at `now`, oldest due first, leasing them until
/// `now + lease` where the table has a lease.
pub async fn claim<E, C>(
    db: &C,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u64,
) -> Result<Vec<E::Model>, DbErr>
where
    E: Queued,
    E::Model: FromQueryResult,
    C: ConnectionTrait,
{
    let q = E::QUEUE;
    let backend = db.get_database_backend();
    let until = now + lease;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let (table, due) = (q.table, q.due);
    match (backend, q.lease) {
        (DatabaseBackend::Postgres, Some(lease)) => {
            let sql = format!(
                "UPDATE {table} SET {lease} = $1 WHERE id IN (\
                 SELECT id FROM {table} WHERE status = '{PENDING}' AND {due} <= $2 \
                 AND ({lease} IS NULL OR {lease} < $2) ORDER BY {due} \
                 LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING *"
            );
            let stmt = Statement::from_sql_and_values(
                backend,
                sql,
                [until.into(), now.into(), limit.into()],
            );
            E::find().from_raw_sql(stmt).all(db).await
        }
        (_, lease) => {
            let (p1, p2, p3) = match backend {
                DatabaseBackend::Postgres => ("$1", "$2", "$3"),
                _ => ("?", "?", "?"),
            };
            let (sql, values): (String, Vec<Value>) = match lease {
                Some(lease) => (
                    format!(
                        "SELECT * FROM {table} WHERE status = '{PENDING}' AND {due} <= {p1} \
                         AND ({lease} IS NULL OR {lease} < {p2}) ORDER BY {due} LIMIT {p3}"
                    ),
                    vec![now.into(), now.into(), limit.into()],
                ),
                None => (
                    format!(
                        "SELECT * FROM {table} WHERE status = '{PENDING}' AND {due} <= {p1} \
                         ORDER BY {due} LIMIT {p2}"
                    ),
                    vec![now.into(), limit.into()],
                ),
            };
            let due_rows = E::find()
                .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
                .all(db)
                .await?;
            if let Some(lease) = lease {
                // One statement for the batch (ids in chunks under SQLite's parameter limit).
                let ids: Vec<Uuid> = due_rows.iter().map(E::id).collect();
                for chunk in ids.chunks(500) {
                    let mut update = Query::update();
                    update
                        .table(Alias::new(table))
                        .value(Alias::new(lease), Expr::value(until))
                        .and_where(Expr::col(Alias::new("id")).is_in(chunk.iter().copied()));
                    db.execute(&update).await?;
                }
            }
            Ok(due_rows)
        }
    }
}

/// How a claimed row ends its turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settle {
    status: Option<&'static str>,
    sent_at: Option<DateTime<Utc>>,
    due: Option<DateTime<Utc>>,
    attempts: Option<i32>,
    error: Option<Option<String>>,
}

impl Settle {
    /// Handled at `at`.
    pub fn sent(at: DateTime<Utc>) -> Self {
        Self {
            status: Some(SENT),
            sent_at: Some(at),
            ..Self::pending()
        }
    }

    /// Still pending, due again at `at` (quiet hours, the daily cap, a retry's wait).
    pub fn later(at: DateTime<Utc>) -> Self {
        Self {
            due: Some(at),
            ..Self::pending()
        }
    }

    /// Given up, with `status` (`dead`, `dropped`).
    pub fn gave_up(status: &'static str) -> Self {
        Self {
            status: Some(status),
            ..Self::pending()
        }
    }

    fn pending() -> Self {
        Self {
            status: None,
            sent_at: None,
            due: None,
            attempts: None,
            error: None,
        }
    }

    /// Records the number of attempts made (tables that count them).
    pub fn attempts(mut self, attempts: i32) -> Self {
        self.attempts = Some(attempts);
        self
    }

    /// Records the last error, or clears it (tables that keep one).
    pub fn error(mut self, error: Option<String>) -> Self {
        self.error = Some(error);
        self
    }
}

/// Settles row `id` if it is still pending, releasing its lease; `false` if it was not
/// (another claimer settled it first). Runs on `db`, so a caller can settle a row in the
/// transaction of what handling it wrote.
pub async fn settle<E: Queued, C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    settle: Settle,
) -> Result<bool, DbErr> {
    let mut update = settle_update::<E>(settle);
    update
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .and_where(Expr::col(Alias::new("status")).eq(PENDING));
    Ok(db.execute(&update).await?.rows_affected() == 1)
}

/// Settles every row of `ids` still pending the same way, a few hundred per statement:
/// for a batch whose rows mostly end alike (deferred to the end of quiet hours or to
/// tomorrow's cap), where one write per row is most of the batch's time. Says how many
/// were settled.
pub async fn settle_many<E: Queued, C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    settle: Settle,
) -> Result<u64, DbErr> {
    let mut settled = 0;
    for chunk in ids.chunks(500) {
        let mut update = settle_update::<E>(settle.clone());
        update
            .and_where(Expr::col(Alias::new("id")).is_in(chunk.iter().copied()))
            .and_where(Expr::col(Alias::new("status")).eq(PENDING));
        settled += db.execute(&update).await?.rows_affected();
    }
    Ok(settled)
}

fn settle_update<E: Queued>(settle: Settle) -> sea_orm::sea_query::UpdateStatement {
    let q = E::QUEUE;
    let mut update = Query::update();
    update.table(Alias::new(q.table));
    if let Some(status) = settle.status {
        update.value(Alias::new("status"), Expr::value(status));
    }
    if let Some(at) = settle.sent_at {
        update.value(Alias::new("sent_at"), Expr::value(at));
    }
    if let Some(at) = settle.due {
        update.value(Alias::new(q.due), Expr::value(at));
    }
    if let (Some(column), Some(attempts)) = (q.attempts, settle.attempts) {
        update.value(Alias::new(column), Expr::value(attempts));
    }
    if let (Some(column), Some(error)) = (q.last_error, settle.error) {
        update.value(Alias::new(column), Expr::value(error));
    }
    if let Some(lease) = q.lease {
        update.value(
            Alias::new(lease),
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    }
    update
}

#[cfg(test)]
mod shared_statuses {
    use super::{PENDING, SENT};
    use crate::types::{MailStatus, NoticeStatus, PushStatus};

    #[test]
    fn every_queue_spells_pending_and_sent_as_the_shared_sql_does() {
        assert_eq!(PushStatus::Pending.as_str(), PENDING);
        assert_eq!(MailStatus::Pending.as_str(), PENDING);
        assert_eq!(NoticeStatus::Pending.as_str(), PENDING);
        assert_eq!(PushStatus::Sent.as_str(), SENT);
        assert_eq!(MailStatus::Sent.as_str(), SENT);
        assert_eq!(NoticeStatus::Sent.as_str(), SENT);
    }
}
