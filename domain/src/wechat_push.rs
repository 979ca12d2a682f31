//! WeChat subscribe messages, the domain's half: the one-time acceptances a user gives in
//! the mini-program, and the queue of messages the push worker
//! (`doorstep_matcher::wechat::push`) sends.
//!
//! The WeChat channel follows the inbox: every inbox notice ([`crate::inbox::notify`]) of
//! an account that holds an unspent acceptance is also queued here, in the notice's
//! transaction. So it has the same exactly-once, daily-cap and quiet-hours rules as the
//! inbox (matches and gig notices are capped and held for quiet hours before they reach
//! the inbox); the worker also holds a message through the seeker's quiet hours. Which
//! template a notice kind uses is configuration, known to the worker: a notice whose kind
//! has no template is skipped there, never sent.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::Value;
use uuid::Uuid;

use crate::entities::{wechat_message, wechat_subscription};
use crate::jobs::queue::{Queue, Queued};
use crate::{DomainError, time};

/// Message statuses besides the queue's shared `pending` and `sent`.
pub const SENDING: &str = "sending";
pub const REFUSED: &str = "refused";
pub const DEAD: &str = "dead";
pub const SKIPPED: &str = "skipped";

impl Queued for wechat_message::Entity {
    const QUEUE: Queue = Queue {
        table: "wechat_messages",
        due: "next_attempt_at",
        lease: Some("lease_until"),
        attempts: Some("attempts"),
        last_error: Some("last_error"),
    };
    fn id(row: &wechat_message::Model) -> Uuid {
        row.id
    }
}

/// Records one acceptance per template id (the user tapped "allow" once for each).
pub async fn accept<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    template_ids: &[String],
) -> Result<(), DomainError> {
    let now = time::now();
    for template in template_ids {
        wechat_subscription::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(account),
            template_id: Set(template.clone()),
            accepted_at: Set(now),
            used_at: Set(None),
            message_id: Set(None),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The unspent acceptances of `account`, per template id.
pub async fn unspent<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
) -> Result<Vec<(String, u64)>, DomainError> {
    let ids: Vec<String> = wechat_subscription::Entity::find()
        .filter(wechat_subscription::Column::AccountId.eq(account))
        .filter(wechat_subscription::Column::UsedAt.is_null())
        .select_only()
        .column(wechat_subscription::Column::TemplateId)
        .into_tuple()
        .all(db)
        .await?;
    let mut counted: std::collections::BTreeMap<String, u64> = Default::default();
    for id in ids {
        *counted.entry(id).or_default() += 1;
    }
    Ok(counted.into_iter().collect())
}

/// Queues a notice as a subscribe message when `account` holds an unspent acceptance of
/// any template (inside the notice's transaction). Without one nothing is queued: a
/// message is never sent without an acceptance given before it.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    kind: &str,
    title: &str,
    body: &str,
    data: &Value,
) -> Result<(), DomainError> {
    let any = wechat_subscription::Entity::find()
        .filter(wechat_subscription::Column::AccountId.eq(account))
        .filter(wechat_subscription::Column::UsedAt.is_null())
        .select_only()
        .column(wechat_subscription::Column::Id)
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    if any.is_none() {
        return Ok(());
    }
    let now = time::now();
    wechat_message::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account),
        kind: Set(kind.to_owned()),
        template_id: Set(None),
        title: Set(title.to_owned()),
        body: Set(body.to_owned()),
        data: Set(data.clone()),
        status: Set(crate::jobs::queue::PENDING.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(None),
        last_error: Set(None),
        sent_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The openid `account` is bound to, if any.
pub async fn openid_of<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
) -> Result<Option<String>, DomainError> {
    Ok(crate::entities::wechat_binding::Entity::find_by_id(account)
        .one(db)
        .await?
        .map(|b| b.openid))
}

/// Spends the oldest unspent acceptance of (`account`, `template`) for `message`, inside
/// the caller's transaction; `false` when there is none. A conditional update, so two
/// workers never spend the same one.
pub async fn spend<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    template: &str,
    message: Uuid,
) -> Result<bool, DomainError> {
    use sea_orm::QueryOrder;
    use sea_orm::sea_query::Expr;
    for _ in 0..5 {
        let Some(found) = wechat_subscription::Entity::find()
            .filter(wechat_subscription::Column::AccountId.eq(account))
            .filter(wechat_subscription::Column::TemplateId.eq(template))
            .filter(wechat_subscription::Column::UsedAt.is_null())
            .order_by_asc(wechat_subscription::Column::AcceptedAt)
            .order_by_asc(wechat_subscription::Column::Id)
            .one(db)
            .await?
        else {
            return Ok(false);
        };
        let taken = wechat_subscription::Entity::update_many()
            .col_expr(
                wechat_subscription::Column::UsedAt,
                Expr::value(time::now()),
            )
            .col_expr(wechat_subscription::Column::MessageId, Expr::value(message))
            .filter(wechat_subscription::Column::Id.eq(found.id))
            .filter(wechat_subscription::Column::UsedAt.is_null())
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Gives back the acceptance `message` spent (WeChat did not deliver it: 43101, bad data,
/// a retry to come).
pub async fn give_back<C: ConnectionTrait>(db: &C, message: Uuid) -> Result<(), DomainError> {
    use sea_orm::sea_query::Expr;
    wechat_subscription::Entity::update_many()
        .col_expr(
            wechat_subscription::Column::UsedAt,
            Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .col_expr(
            wechat_subscription::Column::MessageId,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(wechat_subscription::Column::MessageId.eq(message))
        .exec(db)
        .await?;
    Ok(())
}
