//! The wish wall (心愿墙): workers post what they need (a charging point, a hot meal, a
//! legal clinic) to their district without their name; officers answer planned, done or
//! declined; the figures show what was asked and what was answered.

use crate::ErrorCode;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::wish;
use crate::pagination::{Page, PageRequest};
use crate::types::{Role, WishCategory, WishStatus, bounded};
use crate::{DomainError, Invalid, ValidationErrors, content_reviews, inbox, time};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WishInput {
    pub category: WishCategory,
    /// 5 to 300 characters.
    pub text: String,
}

/// A worker posts a wish; it is shown without their name.
/// `held`: its text content security holds for an officer (off the wall until approved).
pub async fn post<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    input: WishInput,
    held: &[content_reviews::Held],
) -> Result<wish::Model, DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden("workers post wishes"));
    }
    let text = bounded(&input.text, 5, 300)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("text", e)))?;
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    // The wish goes to the district the worker lives in.
    let district = crate::entities::seeker_profile::Entity::find_by_id(actor.account_id)
        .one(&txn)
        .await?
        .and_then(|p| p.district_id);
    let created = wish::ActiveModel {
        id: Set(Uuid::now_v7()),
        district_id: Set(district),
        author_id: Set(Some(actor.account_id)),
        category: Set(input.category),
        text: Set(text),
        status: Set(WishStatus::Open),
        response: Set(None),
        responded_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    content_reviews::record(
        &txn,
        Some(actor.account_id),
        content_reviews::WISH,
        Some(created.id),
        held,
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// The wall, newest first, optionally by status; without wishes under review or removed.
pub async fn wall<C: ConnectionTrait>(
    db: &C,
    status: Option<WishStatus>,
    page: PageRequest<Uuid>,
) -> Result<Page<wish::Model>, DomainError> {
    let mut query = wish::Entity::find()
        .filter(content_reviews::shown(
            content_reviews::WISH,
            (wish::Entity, wish::Column::Id),
        ))
        .order_by_desc(wish::Column::Id);
    if let Some(status) = status {
        query = query.filter(wish::Column::Status.eq(status));
    }
    if let Some(before) = page.after {
        query = query.filter(wish::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |w| w.id))
}

/// An officer's answer.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WishAnswer {
    /// `planned`, `done` or `declined`.
    pub status: WishStatus,
    /// What will be or was done, or why not (2 to 300 characters).
    pub response: String,
}

/// An officer answers a wish; the author is told (without anyone learning who they are).
pub async fn answer<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: WishAnswer,
) -> Result<wish::Model, DomainError> {
    if !matches!(actor.role, Role::Officer | Role::Admin) {
        return Err(DomainError::forbidden("officers answer wishes"));
    }
    let mut errors = ValidationErrors::new();
    let response = errors.check("response", bounded(&input.response, 2, 300));
    if input.status == WishStatus::Open {
        errors.push(
            "status",
            Invalid::new(
                ErrorCode::InvalidStatus,
                "answer with planned, done or declined",
            ),
        );
    }
    let Some(response) = response.filter(|_| errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let txn = crate::db::begin_write(db).await?;
    let current = wish::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("wish"))?;
    crate::districts::scope_of(&txn, actor)
        .await?
        .require(current.district_id, "wish")?;
    if matches!(current.status, WishStatus::Done | WishStatus::Declined) {
        return Err(DomainError::conflict(
            ErrorCode::AlreadyAnswered,
            "this wish was already done or declined",
        ));
    }
    let author = current.author_id;
    let mut active: wish::ActiveModel = current.into();
    active.status = Set(input.status);
    active.response = Set(Some(response.clone()));
    active.responded_by = Set(Some(actor.account_id));
    active.updated_at = Set(time::now());
    let updated = active.update(&txn).await?;
    if let Some(author) = author {
        inbox::notify(
            &txn,
            author,
            "wish_answered",
            "你的心愿有了回应".to_owned(),
            response,
            json!({"wish_id": id, "status": input.status}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// How many wishes of one category are in one state.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct WishCount {
    pub category: WishCategory,
    pub status: WishStatus,
    pub count: i64,
}

/// What was asked and what was answered, counted in the database.
pub async fn figures<C: ConnectionTrait>(db: &C) -> Result<Vec<WishCount>, DomainError> {
    Ok(wish::Entity::find()
        .select_only()
        .column(wish::Column::Category)
        .column(wish::Column::Status)
        .column_as(Expr::col(wish::Column::Id).count(), "count")
        .group_by(wish::Column::Category)
        .group_by(wish::Column::Status)
        .order_by_asc(wish::Column::Category)
        .order_by_asc(wish::Column::Status)
        .into_model::<WishCount>()
        .all(db)
        .await?)
}
