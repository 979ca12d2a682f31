//! Who is connected in real time, on any instance: one row per open WebSocket
//! connection, written when it opens, deleted when it closes, and kept fresh by its
//! instance's heartbeat; rows an instance left behind (it crashed) go stale and are
//! swept. A recipient with a fresh row gets messages live and is sent no notice.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::DomainError;
use crate::entities::realtime_presence;

/// A row older than this is stale: its instance stopped beating.
pub const STALE_AFTER: chrono::Duration = chrono::Duration::seconds(90);

/// Records a connection of `account` on `instance`; returns its id.
pub async fn connected<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    instance: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, DomainError> {
    let id = Uuid::now_v7();
    realtime_presence::ActiveModel {
        id: Set(id),
        account_id: Set(account),
        instance_id: Set(instance.to_owned()),
        connected_at: Set(now),
        seen_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// Forgets connection `id` (it closed).
pub async fn disconnected<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DomainError> {
    realtime_presence::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// `instance` still holds its connections: refreshes them, and sweeps every instance's
/// stale rows. Returns how many stale rows went.
pub async fn beat<C: ConnectionTrait>(
    db: &C,
    instance: &str,
    now: DateTime<Utc>,
) -> Result<u64, DomainError> {
    realtime_presence::Entity::update_many()
        .col_expr(realtime_presence::Column::SeenAt, Expr::value(now))
        .filter(realtime_presence::Column::InstanceId.eq(instance))
        .exec(db)
        .await?;
    let swept = realtime_presence::Entity::delete_many()
        .filter(realtime_presence::Column::SeenAt.lt(now - STALE_AFTER))
        .exec(db)
        .await?;
    Ok(swept.rows_affected)
}

/// Forgets every connection of `instance` (it is stopping).
pub async fn instance_stopped<C: ConnectionTrait>(
    db: &C,
    instance: &str,
) -> Result<(), DomainError> {
    realtime_presence::Entity::delete_many()
        .filter(realtime_presence::Column::InstanceId.eq(instance))
        .exec(db)
        .await?;
    Ok(())
}

/// Whether any of `accounts` has a live connection.
pub async fn any_connected<C: ConnectionTrait>(
    db: &C,
    accounts: &[Uuid],
    now: DateTime<Utc>,
) -> Result<bool, DomainError> {
    if accounts.is_empty() {
        return Ok(false);
    }
    let live = realtime_presence::Entity::find()
        .filter(realtime_presence::Column::AccountId.is_in(accounts.iter().copied()))
        .filter(realtime_presence::Column::SeenAt.gte(now - STALE_AFTER))
        .count(db)
        .await?;
    Ok(live > 0)
}
