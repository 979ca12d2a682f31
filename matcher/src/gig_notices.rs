//! Delivering gig notices (reminders, changes, waiting-list promotions…) from their queue
//! to the inbox, on the same terms as pushed matches: nothing in the seeker's quiet hours
//! (held until they end) and nothing above their daily cap (held until 08:00), counting
//! matches and gig notices together. Urgent notices (same-day changes to a shift the
//! seeker holds) go out regardless; notices past their expiry are dropped.
//!
//! Each notice is marked sent by a conditional update in the transaction that writes the
//! inbox row, so several workers delivering at once deliver it once.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use doorstep_domain::db::begin_write;
use doorstep_domain::entities::{gig_notice, push, seeker_profile};
use doorstep_domain::types::{NoticeStatus, PushStatus};
use doorstep_domain::{inbox, time};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::worker::{WorkerError, quiet_until};

/// Notices handled per pass.
const BATCH: u64 = 200;
/// Held notices go out from this minute of the day (08:00, as pushes over the cap do).
const MORNING: u16 = 8 * 60;

async fn set(
    db: &DatabaseConnection,
    id: Uuid,
    column: gig_notice::Column,
    value: Expr,
) -> Result<u64, WorkerError> {
    Ok(gig_notice::Entity::update_many()
        .col_expr(column, value)
        .filter(gig_notice::Column::Id.eq(id))
        .filter(gig_notice::Column::Status.eq(NoticeStatus::Pending))
        .exec(db)
        .await?
        .rows_affected)
}

/// How many announcements the account had today: matches pushed (once per match) and
/// gig notices that counted against the cap.
async fn sent_today(
    db: &DatabaseConnection,
    account: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, WorkerError> {
    let since = time::start_of_local_day(now);
    let matches: BTreeSet<Uuid> = push::Entity::find()
        .filter(push::Column::AccountId.eq(account))
        .filter(push::Column::Status.eq(PushStatus::Sent))
        .filter(push::Column::SentAt.gte(since))
        .select_only()
        .column(push::Column::MatchId)
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let notices = gig_notice::Entity::find()
        .filter(gig_notice::Column::AccountId.eq(account))
        .filter(gig_notice::Column::Status.eq(NoticeStatus::Sent))
        .filter(gig_notice::Column::Urgent.eq(false))
        .filter(gig_notice::Column::SentAt.gte(since))
        .count(db)
        .await?;
    Ok(matches.len() as u64 + notices)
}

/// Delivers the notices due at `now`. Returns how many reached an inbox.
pub async fn deliver(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize, WorkerError> {
    let due = gig_notice::Entity::find()
        .filter(gig_notice::Column::Status.eq(NoticeStatus::Pending))
        .filter(gig_notice::Column::DueAt.lte(now))
        .order_by_asc(gig_notice::Column::DueAt)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut delivered = 0;
    for notice in due {
        if notice.expires_at.is_some_and(|at| at <= now) {
            set(
                db,
                notice.id,
                gig_notice::Column::Status,
                Expr::value(NoticeStatus::Dropped),
            )
            .await?;
            continue;
        }
        if !notice.urgent
            && let Some(profile) = seeker_profile::Entity::find_by_id(notice.account_id)
                .one(db)
                .await?
        {
            if let Some(until) = quiet_until(
                now,
                profile.quiet_hours_start.as_deref(),
                profile.quiet_hours_end.as_deref(),
            ) {
                set(db, notice.id, gig_notice::Column::DueAt, Expr::value(until)).await?;
                continue;
            }
            if sent_today(db, notice.account_id, now).await? >= profile.daily_push_cap.max(0) as u64
            {
                let morning = time::next_local_time(now, MORNING);
                set(
                    db,
                    notice.id,
                    gig_notice::Column::DueAt,
                    Expr::value(morning),
                )
                .await?;
                continue;
            }
        }
        let txn = begin_write(db).await?;
        let claimed = gig_notice::Entity::update_many()
            .col_expr(gig_notice::Column::Status, Expr::value(NoticeStatus::Sent))
            .col_expr(gig_notice::Column::SentAt, Expr::value(now))
            .filter(gig_notice::Column::Id.eq(notice.id))
            .filter(gig_notice::Column::Status.eq(NoticeStatus::Pending))
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 1 {
            inbox::notify(
                &txn,
                notice.account_id,
                &notice.kind,
                notice.title,
                notice.body,
                notice.data,
            )
            .await?;
            delivered += 1;
        }
        sea_orm::TransactionSession::commit(txn).await?;
    }
    Ok(delivered)
}
