//! The officers' queue of user text held by content security (issue 23, item 5): text
//! WeChat's `msg_sec_check` answered `review` for, or text that could not be checked
//! (WeChat down, an error, an account without an openid).
//!
//! The text is always kept where the user put it (never lost). Text WeChat sent to
//! `review` is held: nobody else sees it until an officer approves it. A posting under
//! review cannot be published (an open posting whose edit is held is paused); a résumé
//! under review is blank to merchants; a wish or a report under review stays off the wish
//! wall and the public board. `unchecked` text is queued for an officer's look but not
//! held: nothing suggested a problem, and holding it would stop every posting in the
//! district while WeChat is down. Posting screening (`crate::screening`) holds a posting
//! here too, with `suggest` `review` and a `reason` naming the rule
//! ([`SCREENING_REASON_PREFIX`]). `removed` (of either) takes the subject down for good:
//! the posting is closed, the résumé emptied, the wish or report never shown. The author is
//! told either way.

use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef, Query, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::entities::content_review;
use crate::pagination::{Page, PageRequest};
use crate::{DomainError, inbox, time};

/// What held text belongs to (`content_reviews.subject_type`).
pub const POSTING: &str = "posting";
pub const PROFILE: &str = "profile";
pub const WISH: &str = "wish";
pub const REPORT: &str = "report";

pub const OPEN: &str = "open";
pub const RESOLVED: &str = "resolved";

/// WeChat's verdict that a person should look: the text is held until approved.
pub const REVIEW: &str = "review";
/// The check could not give a verdict: queued, not held.
pub const UNCHECKED: &str = "unchecked";

/// How the `reason` of a posting held by posting screening (`crate::screening`) begins;
/// the rest names the rule, its category and the phrase or figures.
pub const SCREENING_REASON_PREFIX: &str = "posting screening: ";

/// One piece of text to queue for an officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub field: String,
    pub content: String,
    /// `review`, or `unchecked` when the check could not give a verdict.
    pub suggest: String,
    pub label: Option<i32>,
    pub reason: Option<String>,
}

/// Whether any of these must stay hidden until an officer approves it.
pub fn holds(held: &[Held]) -> bool {
    held.iter().any(|h| h.suggest == REVIEW)
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
/// `district`: only the reviews of postings of that district (posting screening's holds
/// among them, their rule in `reason`).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    open_only: bool,
    district: Option<Uuid>,
    page: PageRequest<Uuid>,
) -> Result<Page<content_review::Model>, DomainError> {
    let mut query = content_review::Entity::find().order_by_asc(content_review::Column::Id);
    if let Some(district) = district {
        let of_district = Query::select()
            .column(crate::entities::posting::Column::Id)
            .from(crate::entities::posting::Entity)
            .and_where(crate::entities::posting::Column::DistrictId.eq(district))
            .to_owned();
        query = query
            .filter(content_review::Column::SubjectType.eq(POSTING))
            .filter(content_review::Column::SubjectId.in_subquery(of_district));
    }
    if open_only {
        query = query.filter(content_review::Column::Status.eq(OPEN));
    }
    if let Some(after) = page.after {
        query = query.filter(content_review::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |r| r.id))
}

/// Whether some text of this subject is held: WeChat said `review` and no officer has
/// decided yet.
pub async fn is_held<C: ConnectionTrait>(
    db: &C,
    subject_type: &str,
    subject_id: Uuid,
) -> Result<bool, DomainError> {
    let open = content_review::Entity::find()
        .filter(content_review::Column::SubjectType.eq(subject_type))
        .filter(content_review::Column::SubjectId.eq(subject_id))
        .filter(content_review::Column::Status.eq(OPEN))
        .filter(content_review::Column::Suggest.eq(REVIEW))
        .count(db)
        .await?;
    Ok(open > 0)
}

/// A condition on a query of `subject_type` rows: the row's `id` is neither held nor
/// removed by an officer. For lists that others read (the wish wall, the board).
pub fn shown(subject_type: &str, id: impl IntoColumnRef) -> SimpleExpr {
    let withheld = Query::select()
        .column(content_review::Column::SubjectId)
        .from(content_review::Entity)
        .and_where(content_review::Column::SubjectType.eq(subject_type))
        // NOT IN over a NULL would exclude every row.
        .and_where(content_review::Column::SubjectId.is_not_null())
        .and_where(
            content_review::Column::Status
                .eq(OPEN)
                .and(content_review::Column::Suggest.eq(REVIEW))
                .or(content_review::Column::Resolution.eq(REMOVED)),
        )
        .to_owned();
    Expr::col(id).not_in_subquery(withheld)
}

pub const APPROVED: &str = "approved";
pub const REMOVED: &str = "removed";

/// Resolves an open review: `approved` lets others see the text (once nothing else of the
/// subject is under review); `removed` takes the subject down (see the module notes). The
/// author is told. A resolved one is a conflict.
pub async fn resolve<C: TransactionTrait>(
    db: &C,
    id: Uuid,
    officer: Uuid,
    resolution: &str,
) -> Result<content_review::Model, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let row = close(&txn, id, officer, resolution).await?;
    if let Some(subject) = row.subject_id {
        let removed = resolution == REMOVED;
        if removed {
            take_down(&txn, &row.subject_type, subject).await?;
        }
        // Approving held text shows it (once nothing else of the subject is held), which
        // its author waits for; approving `unchecked` text changes nothing they can see.
        let settled = removed
            || (row.suggest == REVIEW && !is_held(&txn, &row.subject_type, subject).await?);
        if let (true, Some(author)) = (settled, row.account_id) {
            let (title, body) = if removed {
                (
                    "内容已被移除",
                    "你发布的内容经社区审核不符合平台规范，已被移除。",
                )
            } else {
                (
                    "内容审核通过",
                    "你发布的内容已通过社区审核，其他人现在可以看到了。",
                )
            };
            inbox::notify(
                &txn,
                author,
                &format!("content_{resolution}"),
                title.to_owned(),
                body.to_owned(),
                json!({"subject_type": row.subject_type, "subject_id": subject, "field": row.field}),
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(row)
}

/// What `removed` does to the subject itself; wishes and reports need nothing more than
/// the review row, which keeps them off the public lists (see [`shown`]).
async fn take_down<C: ConnectionTrait>(
    db: &C,
    subject_type: &str,
    subject: Uuid,
) -> Result<(), DomainError> {
    match subject_type {
        POSTING => crate::postings::take_down(db, subject).await,
        PROFILE => crate::profiles::remove_resume(db, subject).await,
        _ => Ok(()),
    }
}

async fn close<C: ConnectionTrait>(
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
