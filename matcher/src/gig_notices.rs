//! Delivering gig notices (reminders, changes, waiting-list promotions…) from their queue
//! to the inbox, on the same terms as pushed matches: nothing in the seeker's quiet hours
//! (held until they end) and nothing above their daily cap (held until 08:00; one cap for
//! matches and notices, see `crate::daily_cap`). Urgent notices (same-day changes to a
//! shift the seeker holds) go out regardless; notices past their expiry are dropped, and
//! so are notices of unread messages (`conversations::notices`) read in the meantime.
//!
//! Each notice is marked sent by a conditional update in the transaction that writes the
//! inbox row, so several workers delivering at once deliver it once.

use chrono::{DateTime, Utc};
use doorstep_domain::db::begin_write;
use doorstep_domain::entities::{gig_notice, seeker_profile};
use doorstep_domain::jobs::queue::{self, Settle};
use doorstep_domain::types::NoticeStatus;
use doorstep_domain::{conversations, inbox, time};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::daily_cap::Announced;
use crate::worker::{WorkerError, quiet_until};

/// Notices handled per pass.
const BATCH: u64 = 200;
/// Held notices go out from this minute of the day (08:00, as pushes over the cap do).
const MORNING: u16 = 8 * 60;

/// Delivers the notices due at `now`. Returns how many reached an inbox.
pub async fn deliver(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize, WorkerError> {
    // Notices have no lease: the settle below, conditional on the notice still pending,
    // decides who delivers it.
    let due =
        queue::claim::<gig_notice::Entity, _>(db, now, chrono::Duration::zero(), BATCH).await?;
    let mut delivered = 0;
    for notice in due {
        if notice.expires_at.is_some_and(|at| at <= now) {
            queue::settle::<gig_notice::Entity, _>(
                db,
                notice.id,
                Settle::gave_up(NoticeStatus::Dropped.as_str()),
            )
            .await?;
            continue;
        }
        // A notice of unread messages the seeker read while it waited says nothing.
        if notice.kind == conversations::notices::KIND
            && !conversations::notices::still_unread(db, &notice).await?
        {
            queue::settle::<gig_notice::Entity, _>(
                db,
                notice.id,
                Settle::gave_up(NoticeStatus::Dropped.as_str()),
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
                queue::settle::<gig_notice::Entity, _>(db, notice.id, Settle::later(until)).await?;
                continue;
            }
            if !Announced::today(db, notice.account_id, now)
                .await?
                .admits(profile.daily_push_cap, None)
            {
                let morning = Settle::later(time::next_local_time(now, MORNING));
                queue::settle::<gig_notice::Entity, _>(db, notice.id, morning).await?;
                continue;
            }
        }
        let txn = begin_write(db).await?;
        if queue::settle::<gig_notice::Entity, _>(&txn, notice.id, Settle::sent(now)).await? {
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
