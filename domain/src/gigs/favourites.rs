//! A business's favourite workers: people who completed a shift there and whom the
//! merchant wants back. New shifts can be offered to them first, for a window before they
//! open to everyone. Only someone who has worked for the business can be a favourite, so
//! the list is not a way to single out strangers.

use crate::ErrorCode;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use super::is_member;
use crate::auth::Principal;
use crate::entities::{favourite_worker, shift_claim};
use crate::pagination::{Page, PageRequest};
use crate::types::ClaimStatus;
use crate::{DomainError, time};

/// The seekers a business marked as favourites.
pub async fn seekers_of<C: ConnectionTrait>(
    db: &C,
    business_id: Uuid,
) -> Result<Vec<Uuid>, DomainError> {
    Ok(favourite_worker::Entity::find()
        .filter(favourite_worker::Column::BusinessId.eq(business_id))
        .select_only()
        .column(favourite_worker::Column::SeekerId)
        .into_tuple()
        .all(db)
        .await?)
}

pub async fn is_favourite<C: ConnectionTrait>(
    db: &C,
    business_id: Uuid,
    seeker_id: Uuid,
) -> Result<bool, DomainError> {
    Ok(
        favourite_worker::Entity::find_by_id((business_id, seeker_id))
            .one(db)
            .await?
            .is_some(),
    )
}

/// Marks a worker who completed a shift at the business as a favourite (idempotent).
pub async fn add<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    business_id: Uuid,
    seeker_id: Uuid,
) -> Result<favourite_worker::Model, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    if !is_member(&txn, actor, business_id).await? {
        return Err(DomainError::NotFound("business"));
    }
    let worked_here = shift_claim::Entity::find()
        .filter(shift_claim::Column::BusinessId.eq(business_id))
        .filter(shift_claim::Column::SeekerId.eq(seeker_id))
        .filter(shift_claim::Column::Status.eq(ClaimStatus::Completed))
        .count(&txn)
        .await?
        > 0;
    if !worked_here {
        return Err(DomainError::conflict(
            ErrorCode::NotWorkedHere,
            "only a worker who completed a shift at this business can be a favourite",
        ));
    }
    favourite_worker::Entity::insert(favourite_worker::ActiveModel {
        business_id: Set(business_id),
        seeker_id: Set(seeker_id),
        added_by: Set(actor.account_id),
        created_at: Set(time::now()),
    })
    .on_conflict(
        OnConflict::columns([
            favourite_worker::Column::BusinessId,
            favourite_worker::Column::SeekerId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let saved = favourite_worker::Entity::find_by_id((business_id, seeker_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("favourite"))?;
    txn.commit().await?;
    Ok(saved)
}

pub async fn remove<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    business_id: Uuid,
    seeker_id: Uuid,
) -> Result<(), DomainError> {
    let txn = crate::db::begin_write(db).await?;
    if !is_member(&txn, actor, business_id).await? {
        return Err(DomainError::NotFound("business"));
    }
    let removed = favourite_worker::Entity::delete_by_id((business_id, seeker_id))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(DomainError::NotFound("favourite"));
    }
    txn.commit().await?;
    Ok(())
}

/// The business's favourites, oldest first; the cursor is the last seeker id seen.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    business_id: Uuid,
    page: PageRequest<Uuid>,
) -> Result<Page<favourite_worker::Model>, DomainError> {
    if !is_member(db, actor, business_id).await? {
        return Err(DomainError::NotFound("business"));
    }
    let mut query = favourite_worker::Entity::find()
        .filter(favourite_worker::Column::BusinessId.eq(business_id))
        .order_by_asc(favourite_worker::Column::SeekerId);
    if let Some(after) = page.after {
        query = query.filter(favourite_worker::Column::SeekerId.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |f| f.seeker_id))
}
