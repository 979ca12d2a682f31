//! The officers' queue of user text held by content security (issue 23, item 5): text
//! WeChat's `msg_sec_check` answered `review` for, or text that could not be checked
//! (WeChat down, an error, an account without an openid). The text itself is always kept
//! where the user put it; a row here only asks an officer to look at it.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::entities::content_review;
use crate::pagination::{Page, PageRequest};
use crate::{DomainError, time};

pub const OPEN: &str = "open";
pub const RESOLVED: &str = "resolved";

/// One piece of text to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub field: String,
    pub content: String,
    /// `review`, or `unchecked` when the check could not give a verdict.
    pub suggest: String,
    pub label: Option<i32>,
    pub reason: Option<String>,
}

/// Queues `held` for an officer, naming what the text belongs to.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    account: Option<Uuid>,
    subject_type: &str,
    subject_id: Option<Uuid>,
    held: &[Held],
) -> Result<(), DomainError> {
    for item in held {
        content_review::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(account),
            subject_type: Set(subject_type.to_owned()),
            subject_id: Set(subject_id),
            field: Set(item.field.clone()),
            content: Set(item.content.clone()),
            suggest: Set(item.suggest.clone()),
            label: Set(item.label),
            reason: Set(item.reason.clone()),
            status: Set(OPEN.to_owned()),
            resolution: Set(None),
            resolved_by: Set(None),
            resolved_at: Set(None),
            created_at: Set(time::now()),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Oldest first; `open_only` leaves out the resolved ones. The cursor is the last id seen.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    open_only: bool,
    page: PageRequest<Uuid>,
) -> Result<Page<content_review::Model>, DomainError> {
    let mut query = content_review::Entity::find().order_by_asc(content_review::Column::Id);
    if open_only {
        query = query.filter(content_review::Column::Status.eq(OPEN));
    }
    if let Some(after) = page.after {
        query = query.filter(content_review::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |r| r.id))
}

/// Resolves an open review (`approved`: the text stays; `removed`: the officer took it
/// down by the subject's own routes). A resolved one is a conflict.
pub async fn resolve<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    officer: Uuid,
    resolution: &str,
) -> Result<content_review::Model, DomainError> {
    let done = content_review::Entity::update_many()
        .col_expr(content_review::Column::Status, Expr::value(RESOLVED))
        .col_expr(content_review::Column::Resolution, Expr::value(resolution))
        .col_expr(content_review::Column::ResolvedBy, Expr::value(officer))
        .col_expr(content_review::Column::ResolvedAt, Expr::value(time::now()))
        .filter(content_review::Column::Id.eq(id))
        .filter(content_review::Column::Status.eq(OPEN))
        .exec(db)
        .await?;
    let row = content_review::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("content review"))?;
    if done.rows_affected == 0 {
        return Err(DomainError::conflict(
            crate::ErrorCode::ReviewResolved,
            "this review is already resolved",
        ));
    }
    Ok(row)
}
