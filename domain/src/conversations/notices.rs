//! Telling an absent recipient that a conversation has news, coalesced: once the sender
//! has gone quiet for a while, a side with unread messages that is not connected gets one
//! notice per conversation, and no other for it until they have read it. The notice goes
//! through the gig notice queue (`crate::gigs::notices`), so a seeker's quiet hours and
//! daily cap hold for it as for every other notice, and from the inbox it follows to the
//! WeChat channel; a notice still queued when its messages have been read is dropped.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionSession,
    TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::{Side, presence};
use crate::entities::{business, conversation, gig_notice, posting};
use crate::gigs::notices::{self as queue, Notice};
use crate::{DomainError, businesses};

/// The kind of inbox notice about unread messages.
pub const KIND: &str = "conversation_message";

/// Conversations quiet for longer than this are not announced any more.
const STALE: chrono::Duration = chrono::Duration::days(3);
/// Conversations looked at per pass.
const BATCH: u64 = 500;

/// What a pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Told {
    /// Notices queued (one per recipient account).
    pub queued: u64,
    /// Sides that were connected, so nothing was queued.
    pub connected: u64,
}

/// Queues the notices due at `now`: conversations whose last message is at least
/// `quiet` old, for each side with unread messages it has not been told of.
pub async fn tell_absent<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    now: DateTime<Utc>,
    quiet: chrono::Duration,
) -> Result<Told, DomainError> {
    let unread = |read: conversation::Column, told: conversation::Column| {
        Expr::col(read)
            .lt(Expr::col(conversation::Column::MessageCount))
            .and(Expr::col(told).lte(Expr::col(read)))
    };
    let due = conversation::Entity::find()
        .filter(conversation::Column::LastMessageAt.lte(now - quiet))
        .filter(conversation::Column::LastMessageAt.gt(now - STALE))
        .filter(
            unread(
                conversation::Column::SeekerReadSeq,
                conversation::Column::SeekerNotifiedSeq,
            )
            .or(unread(
                conversation::Column::BusinessReadSeq,
                conversation::Column::BusinessNotifiedSeq,
            )),
        )
        .limit(BATCH)
        .all(db)
        .await?;
    let mut told = Told::default();
    for c in due {
        for side in [Side::Seeker, Side::Business] {
            let (read, notified) = match side {
                Side::Seeker => (c.seeker_read_seq, c.seeker_notified_seq),
                Side::Business => (c.business_read_seq, c.business_notified_seq),
            };
            if read >= c.message_count || notified > read {
                continue;
            }
            let recipients = match side {
                Side::Seeker => vec![c.seeker_id],
                Side::Business => businesses::members(db, c.business_id)
                    .await?
                    .into_iter()
                    .map(|m| m.account_id)
                    .collect(),
            };
            let connected = presence::any_connected(db, &recipients, now).await?;
            let txn = crate::db::begin_write(db).await?;
            let column = match side {
                Side::Seeker => conversation::Column::SeekerNotifiedSeq,
                Side::Business => conversation::Column::BusinessNotifiedSeq,
            };
            // Whoever moves the mark tells; another instance's pass finds it moved.
            let moved = conversation::Entity::update_many()
                .col_expr(column, Expr::value(c.message_count))
                .filter(conversation::Column::Id.eq(c.id))
                .filter(Expr::col(column).eq(notified))
                .exec(&txn)
                .await?
                .rows_affected;
            if moved == 1 {
                if connected {
                    told.connected += 1;
                } else {
                    let unread = c.message_count - read;
                    let (title, body) = wording(&txn, &c, side, unread).await?;
                    for account in recipients {
                        queue::enqueue(
                            &txn,
                            Notice::now(
                                account,
                                KIND,
                                title.clone(),
                                body.clone(),
                                json!({"conversation_id": c.id, "posting_id": c.posting_id, "unread": unread, "seq": c.message_count}),
                            )
                            .due(now)
                            .expires(now + STALE),
                        )
                        .await?;
                        told.queued += 1;
                    }
                }
            }
            txn.commit().await?;
        }
    }
    Ok(told)
}

/// The notice's title and body: who wrote, about which posting, how many. Never the
/// messages themselves, which may hold contact details the recipient may not see yet.
async fn wording<C: ConnectionTrait>(
    db: &C,
    c: &conversation::Model,
    side: Side,
    unread: i32,
) -> Result<(String, String), DomainError> {
    let title = posting::Entity::find_by_id(c.posting_id)
        .select_only()
        .column(posting::Column::Title)
        .into_tuple::<String>()
        .one(db)
        .await?
        .unwrap_or_default();
    let from = match side {
        Side::Seeker => business::Entity::find_by_id(c.business_id)
            .select_only()
            .column(business::Column::Name)
            .into_tuple::<String>()
            .one(db)
            .await?
            .unwrap_or_default(),
        Side::Business => "求职者".to_owned(),
    };
    Ok((
        format!("{from}给你发来{unread}条新消息"),
        format!("关于「{title}」：打开沟通查看并回复。"),
    ))
}

/// Whether a queued notice about a conversation still tells of something unread (its
/// recipient may have read the messages while it waited for their quiet hours to end).
pub async fn still_unread<C: ConnectionTrait>(
    db: &C,
    notice: &gig_notice::Model,
) -> Result<bool, DomainError> {
    let (Some(id), Some(seq)) = (
        notice
            .data
            .get("conversation_id")
            .and_then(|v| v.as_str())
            .and_then(|s| Uuid::parse_str(s).ok()),
        notice.data.get("seq").and_then(|v| v.as_i64()),
    ) else {
        return Ok(true);
    };
    let Some(c) = conversation::Entity::find_by_id(id).one(db).await? else {
        return Ok(false);
    };
    let read = if c.seeker_id == notice.account_id {
        c.seeker_read_seq
    } else {
        c.business_read_seq
    };
    Ok(i64::from(read) < seq)
}
