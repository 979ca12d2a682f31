//! Named leases in `leases`: one holder at a time does a piece of background work; a
//! holder that dies stops renewing and another takes over once the lease runs out. The
//! periodic jobs take theirs through `crate::jobs::Job::with_lease`.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;

use crate::DomainError;
use crate::entities::lease;

/// Takes or renews lease `name` for `holder` until `now + ttl`; `false` while another
/// live holder has it. The row is created on first use with `initial` as its progress.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    name: &str,
    holder: &str,
    ttl: Duration,
    now: DateTime<Utc>,
    initial: Value,
) -> Result<bool, DomainError> {
    lease::Entity::insert(lease::ActiveModel {
        name: Set(name.to_owned()),
        holder: Set(None),
        lease_until: Set(None),
        progress: Set(initial),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(lease::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let claimed = lease::Entity::update_many()
        .col_expr(lease::Column::Holder, Expr::value(holder.to_owned()))
        .col_expr(lease::Column::LeaseUntil, Expr::value(now + ttl))
        .filter(lease::Column::Name.eq(name))
        .filter(
            Condition::any()
                .add(lease::Column::Holder.is_null())
                .add(lease::Column::Holder.eq(holder))
                .add(lease::Column::LeaseUntil.lt(now)),
        )
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}
