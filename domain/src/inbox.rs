//! The in-app inbox: notices for one account, newest first. Each notice is also offered
//! to the WeChat subscribe-message channel (`crate::wechat_push::enqueue`).

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::Value;
use uuid::Uuid;

use crate::entities::notification;
use crate::pagination::{Page, PageRequest};
use crate::{DomainError, time};

/// Puts a notice in `account`'s inbox (inside the caller's transaction).
pub async fn notify<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    kind: &str,
    title: String,
    body: String,
    data: Value,
) -> Result<(), DomainError> {
    notification::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account),
        kind: Set(kind.to_owned()),
        title: Set(title.clone()),
        body: Set(body.clone()),
        data: Set(data.clone()),
        created_at: Set(time::now()),
        read_at: Set(None),
    }
    .insert(db)
    .await?;
    // The WeChat channel follows the inbox (see `crate::wechat_push`).
    crate::wechat_push::enqueue(db, account, kind, &title, &body, &data).await?;
    Ok(())
}

/// Newest first; the cursor is the last id seen.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    unread_only: bool,
    page: PageRequest<Uuid>,
) -> Result<Page<notification::Model>, DomainError> {
    let mut query = notification::Entity::find()
        .filter(notification::Column::AccountId.eq(account))
        .order_by_desc(notification::Column::Id);
    if unread_only {
        query = query.filter(notification::Column::ReadAt.is_null());
    }
    if let Some(before) = page.after {
        query = query.filter(notification::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |n| n.id))
}

/// Marks one of `account`'s notices read; someone else's is "not found".
pub async fn mark_read<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    id: Uuid,
) -> Result<(), DomainError> {
    let result = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(time::now()))
        .filter(notification::Column::Id.eq(id))
        .filter(notification::Column::AccountId.eq(account))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        let exists = notification::Entity::find_by_id(id)
            .filter(notification::Column::AccountId.eq(account))
            .one(db)
            .await?;
        if exists.is_none() {
            return Err(DomainError::NotFound("notification"));
        }
    }
    Ok(())
}
