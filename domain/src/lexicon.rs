//! Job-vocabulary entries that officers and admins add at run time. The shape of an entry
//! is the search index's business (it parses and validates it before this is called); here
//! are who may change the list, its bounds, and the audit trail.

use crate::ErrorCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::lexicon_entry;
use crate::pagination::{Page, PageRequest};
use crate::types::Role;
use crate::{DomainError, audit, time};

/// Stored entries are layered over the shipped lexicon on every instance; past this many,
/// the data file (reviewed like code) is the place for them.
pub const MAX_ENTRIES: u64 = 2_000;

fn may_edit(principal: &Principal) -> Result<(), DomainError> {
    if matches!(principal.role, Role::Officer | Role::Admin) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "only officers and admins edit the job vocabulary",
        ))
    }
}

/// Stores a validated entry (`entry` as JSON, `word` its first word) and audits it.
pub async fn add<C: ConnectionTrait>(
    db: &C,
    principal: &Principal,
    kind: &str,
    word: &str,
    entry: serde_json::Value,
) -> Result<lexicon_entry::Model, DomainError> {
    may_edit(principal)?;
    if lexicon_entry::Entity::find().count(db).await? >= MAX_ENTRIES {
        return Err(DomainError::conflict(
            ErrorCode::TooManyEntries,
            format!("at most {MAX_ENTRIES} stored entries; add more to the data file"),
        ));
    }
    let model = lexicon_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(kind.to_owned()),
        word: Set(word.chars().take(40).collect()),
        entry: Set(entry),
        created_by: Set(principal.account_id),
        created_at: Set(time::now()),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        principal.account_id,
        None,
        "lexicon_add",
        ("lexicon_entry", model.id),
        word,
    )
    .await?;
    Ok(model)
}

/// Every stored entry, oldest first (later entries layer over earlier ones).
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<lexicon_entry::Model>, DomainError> {
    Ok(lexicon_entry::Entity::find()
        .order_by_asc(lexicon_entry::Column::CreatedAt)
        .order_by_asc(lexicon_entry::Column::Id)
        .limit(MAX_ENTRIES)
        .all(db)
        .await?)
}

/// One page of the stored entries, oldest first (ids are time-ordered).
pub async fn page<C: ConnectionTrait>(
    db: &C,
    page: PageRequest<Uuid>,
) -> Result<Page<lexicon_entry::Model>, DomainError> {
    let mut query = lexicon_entry::Entity::find().order_by_asc(lexicon_entry::Column::Id);
    if let Some(after) = page.after {
        query = query.filter(lexicon_entry::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |e| e.id))
}

/// Removes a stored entry.
pub async fn remove<C: ConnectionTrait>(
    db: &C,
    principal: &Principal,
    id: Uuid,
) -> Result<(), DomainError> {
    may_edit(principal)?;
    let found = lexicon_entry::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("lexicon entry"))?;
    lexicon_entry::Entity::delete_by_id(id).exec(db).await?;
    audit::record(
        db,
        principal.account_id,
        None,
        "lexicon_remove",
        ("lexicon_entry", id),
        &found.word,
    )
    .await?;
    Ok(())
}

/// A cheap fingerprint of the stored list (count and newest id), so an instance can tell
/// whether another one changed it without reading every entry.
pub async fn fingerprint<C: ConnectionTrait>(db: &C) -> Result<(u64, Option<Uuid>), DomainError> {
    let count = lexicon_entry::Entity::find().count(db).await?;
    let newest = lexicon_entry::Entity::find()
        .select_only()
        .column(lexicon_entry::Column::Id)
        .order_by_desc(lexicon_entry::Column::Id)
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    Ok((count, newest))
}
