//! Where the push queue stands, read from the database rather than counted while sending:
//! how many pushes were delivered, how many wait and why (the seeker's quiet hours, their
//! daily cap, a retry after a failed attempt), how many were given up. `doorstep demo`
//! ends with it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use doorstep_domain::entities::{push, seeker_profile};
use doorstep_domain::types::PushStatus;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::daily_cap::Announced;
use crate::worker::quiet_until;

/// Pushes by what became of them. `waiting` is split by why:
/// `quiet_hours + daily_cap + retrying + due == waiting`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    pub delivered: u64,
    pub waiting: u64,
    /// Inside the seeker's quiet hours now; sent when they end.
    pub quiet_hours: u64,
    /// The seeker was announced their daily cap today; sent from 08:00 tomorrow.
    pub daily_cap: u64,
    /// A delivery attempt failed; tried again later.
    pub retrying: u64,
    /// Due and not held back (a worker will send them on its next pass).
    pub due: u64,
    /// Given up (dead-lettered, or no longer wanted).
    pub given_up: u64,
}

/// Counts the pushes of every account at `now`.
pub async fn backlog<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<Backlog, DbErr> {
    let mut backlog = Backlog::default();
    let by_status: Vec<(PushStatus, i64)> = push::Entity::find()
        .select_only()
        .column(push::Column::Status)
        .column_as(Expr::col(push::Column::Id).count(), "n")
        .group_by(push::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    for (status, n) in by_status {
        let n = u64::try_from(n).unwrap_or(0);
        match status {
            PushStatus::Sent => backlog.delivered += n,
            PushStatus::Pending => backlog.waiting += n,
            _ => backlog.given_up += n,
        }
    }
    if backlog.waiting == 0 {
        return Ok(backlog);
    }
    let pending = |retried: bool| {
        let mut query = push::Entity::find()
            .select_only()
            .column(push::Column::AccountId)
            .column_as(Expr::col(push::Column::Id).count(), "n")
            .filter(push::Column::Status.eq(PushStatus::Pending));
        if retried {
            query = query.filter(push::Column::Attempts.gt(0));
        }
        query
            .group_by(push::Column::AccountId)
            .into_tuple::<(Uuid, i64)>()
    };
    let waiting: HashMap<Uuid, i64> = pending(false).all(db).await?.into_iter().collect();
    let retried: HashMap<Uuid, i64> = pending(true).all(db).await?.into_iter().collect();
    let mut profiles = HashMap::new();
    let ids: Vec<Uuid> = waiting.keys().copied().collect();
    for chunk in ids.chunks(500) {
        for p in seeker_profile::Entity::find()
            .filter(seeker_profile::Column::AccountId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            profiles.insert(p.account_id, p);
        }
    }
    for (account, n) in waiting {
        let n = u64::try_from(n).unwrap_or(0);
        let Some(profile) = profiles.get(&account) else {
            backlog.due += n;
            continue;
        };
        // The order the worker checks them in: quiet hours, then the cap.
        if quiet_until(
            now,
            profile.quiet_hours_start.as_deref(),
            profile.quiet_hours_end.as_deref(),
        )
        .is_some()
        {
            backlog.quiet_hours += n;
        } else if !Announced::today(db, account, now)
            .await?
            .admits(profile.daily_push_cap, None)
        {
            backlog.daily_cap += n;
        } else {
            let retried = retried
                .get(&account)
                .map_or(0, |r| u64::try_from(*r).unwrap_or(0));
            let retrying = std::cmp::min(retried, n);
            backlog.retrying += retrying;
            backlog.due += n - retrying;
        }
    }
    Ok(backlog)
}
