//! What an officer checks before verifying a business, and the record of each decision
//! (issue 25): the licence number's check character, other businesses with the same
//! number (allowed, but flagged to the officer), the licence photo (required) and whether
//! the owner verified their real name (required).

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::{business, business_licence_photo, business_verification, district_officer};
use crate::media::{self, MediaStore};
use crate::reports::UploadLimits;
use crate::types::{BusinessStatus, Role};
use crate::{DomainError, ErrorCode, ValidationErrors, audit, inbox, time};

/// What was found about a business when an officer decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checks {
    pub checksum_ok: bool,
    /// How many other businesses have the same licence number.
    pub duplicates: u64,
    pub licence_photo_id: Option<Uuid>,
    pub owner_verified: bool,
}

impl Checks {
    /// Verification needs the owner's real name and a licence photo.
    pub fn require(&self) -> Result<(), DomainError> {
        if !self.owner_verified {
            return Err(DomainError::conflict(
                ErrorCode::OwnerNotVerified,
                "the owner has not verified their real name yet",
            ));
        }
        if self.licence_photo_id.is_none() {
            return Err(DomainError::conflict(
                ErrorCode::LicencePhotoMissing,
                "no licence photo has been uploaded",
            ));
        }
        Ok(())
    }
}

/// Checks a business as it stands.
pub async fn checks<C: ConnectionTrait>(
    db: &C,
    found: &business::Model,
) -> Result<Checks, DomainError> {
    Ok(Checks {
        checksum_ok: crate::identity::uscc_valid(&found.licence_number),
        duplicates: duplicates_of(db, found).await?,
        licence_photo_id: latest_photo(db, found.id).await?.map(|p| p.id),
        owner_verified: crate::identity::is_verified(db, found.created_by).await?,
    })
}

async fn duplicates_of<C: ConnectionTrait>(
    db: &C,
    found: &business::Model,
) -> Result<u64, DomainError> {
    Ok(business::Entity::find()
        .filter(business::Column::LicenceNumber.eq(found.licence_number.clone()))
        .filter(business::Column::Id.ne(found.id))
        .count(db)
        .await?)
}

/// For each of `licence_numbers`, how many businesses have it (for list views: a count
/// above 1 is a duplicate).
pub async fn licence_counts<C: ConnectionTrait>(
    db: &C,
    licence_numbers: impl IntoIterator<Item = String>,
) -> Result<HashMap<String, u64>, DomainError> {
    let mut numbers: Vec<String> = licence_numbers.into_iter().collect();
    numbers.sort();
    numbers.dedup();
    let mut counts = HashMap::new();
    for chunk in numbers.chunks(500) {
        let rows: Vec<String> = business::Entity::find()
            .select_only()
            .column(business::Column::LicenceNumber)
            .filter(business::Column::LicenceNumber.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        for number in rows {
            *counts.entry(number).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

/// Tells the officers of the business's district when another business already has its
/// licence number (allowed: a chain registers branches under one licence, but worth a
/// look).
pub async fn flag_duplicate<C: ConnectionTrait>(
    db: &C,
    found: &business::Model,
) -> Result<(), DomainError> {
    let others = duplicates_of(db, found).await?;
    if others == 0 {
        return Ok(());
    }
    let Some(district) = found.district_id else {
        return Ok(());
    };
    let officers = district_officer::Entity::find()
        .filter(district_officer::Column::DistrictId.eq(district))
        .all(db)
        .await?;
    for officer in officers {
        inbox::notify(
            db,
            officer.officer_id,
            "business_duplicate_licence",
            format!("{} 的统一社会信用代码与其他商户重复", found.name),
            format!("另有 {others} 家商户使用同一统一社会信用代码，认证前请核对营业执照。"),
            json!({"business_id": found.id, "others": others}),
        )
        .await?;
    }
    Ok(())
}

/// Records an officer's decision with what was checked, and audits it.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    decided: &business::Model,
    checks: &Checks,
    reason: Option<&str>,
) -> Result<business_verification::Model, DomainError> {
    let outcome = if decided.status == BusinessStatus::Verified {
        "verified"
    } else {
        "rejected"
    };
    let row = business_verification::ActiveModel {
        id: Set(Uuid::now_v7()),
        business_id: Set(decided.id),
        district_id: Set(decided.district_id),
        officer_id: Set(actor.account_id),
        outcome: Set(outcome.to_owned()),
        reason: Set(reason.map(str::to_owned)),
        licence_number: Set(decided.licence_number.clone()),
        checksum_ok: Set(checks.checksum_ok),
        duplicate_licence: Set(checks.duplicates > 0),
        licence_photo_id: Set(checks.licence_photo_id),
        owner_verified: Set(checks.owner_verified),
        created_at: Set(time::now()),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        actor.account_id,
        Some(decided.created_by),
        &format!("business_{outcome}"),
        ("business", decided.id),
        &format!(
            "checksum_ok={} duplicate_licence={} licence_photo={} owner_verified={}{}",
            checks.checksum_ok,
            checks.duplicates > 0,
            checks
                .licence_photo_id
                .map_or_else(|| "none".to_owned(), |id| id.to_string()),
            checks.owner_verified,
            reason.map(|r| format!(" reason={r}")).unwrap_or_default(),
        ),
    )
    .await?;
    Ok(row)
}

/// The decisions on a business, newest first: for its district's officers and admins.
pub async fn history<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    business_id: Uuid,
) -> Result<Vec<business_verification::Model>, DomainError> {
    if !matches!(actor.role, Role::Officer | Role::Admin) {
        return Err(DomainError::forbidden("officers and admins only"));
    }
    let found = crate::businesses::find(db, business_id).await?;
    crate::districts::scope_of(db, actor)
        .await?
        .require(found.district_id, "business")?;
    Ok(business_verification::Entity::find()
        .filter(business_verification::Column::BusinessId.eq(business_id))
        .order_by_desc(business_verification::Column::CreatedAt)
        .order_by_desc(business_verification::Column::Id)
        .limit(200)
        .all(db)
        .await?)
}

/// The latest licence photo of a business.
pub async fn latest_photo<C: ConnectionTrait>(
    db: &C,
    business_id: Uuid,
) -> Result<Option<business_licence_photo::Model>, DomainError> {
    Ok(business_licence_photo::Entity::find()
        .filter(business_licence_photo::Column::BusinessId.eq(business_id))
        .order_by_desc(business_licence_photo::Column::CreatedAt)
        .order_by_desc(business_licence_photo::Column::Id)
        .one(db)
        .await?)
}

/// The latest licence photo of each of `businesses`.
pub async fn latest_photos<C: ConnectionTrait>(
    db: &C,
    businesses: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Uuid>, DomainError> {
    let ids: Vec<Uuid> = businesses.into_iter().collect();
    let mut latest = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = business_licence_photo::Entity::find()
            .filter(business_licence_photo::Column::BusinessId.is_in(chunk.to_vec()))
            .order_by_asc(business_licence_photo::Column::CreatedAt)
            .order_by_asc(business_licence_photo::Column::Id)
            .all(db)
            .await?;
        for row in rows {
            latest.insert(row.business_id, row.id);
        }
    }
    Ok(latest)
}

/// A member uploads a photo of the licence (metadata stripped, like report photos). A
/// new photo of a verified business does not change its status; the officer sees the
/// latest.
pub async fn attach_photo<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    store: &dyn MediaStore,
    limits: UploadLimits,
    actor: &Principal,
    business_id: Uuid,
    bytes: Vec<u8>,
) -> Result<business_licence_photo::Model, DomainError> {
    crate::businesses::as_member(db, business_id, actor.account_id).await?;
    let clean = media::clean_photo(bytes, limits.photo_bytes)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("body", e)))?;
    let id = Uuid::now_v7();
    let key = format!(
        "businesses/{business_id}/licence-{}.{}",
        id.simple(),
        clean.media_type.extension()
    );
    let size = clean.bytes.len() as i64;
    store
        .put(&key, clean.bytes)
        .await
        .map_err(|e| DomainError::internal_from("storing a licence photo", e))?;
    let inserted = business_licence_photo::ActiveModel {
        id: Set(id),
        business_id: Set(business_id),
        content_type: Set(clean.media_type.content_type().to_owned()),
        size_bytes: Set(size),
        storage_key: Set(key.clone()),
        uploaded_by: Set(actor.account_id),
        created_at: Set(time::now()),
    }
    .insert(db)
    .await;
    if inserted.is_err() {
        let _ = store.delete(&key).await;
    }
    Ok(inserted?)
}

/// The latest licence photo and its bytes: for the business's members and the officers of
/// its district.
pub async fn photo<C: ConnectionTrait>(
    db: &C,
    store: &dyn MediaStore,
    viewer: &Principal,
    business_id: Uuid,
) -> Result<(business_licence_photo::Model, Vec<u8>), DomainError> {
    let found = crate::businesses::find(db, business_id).await?;
    let allowed = match viewer.role {
        Role::Officer | Role::Admin => crate::districts::scope_of(db, viewer)
            .await?
            .covers(found.district_id),
        _ => crate::entities::business_member::Entity::find_by_id((business_id, viewer.account_id))
            .one(db)
            .await?
            .is_some(),
    };
    if !allowed {
        return Err(DomainError::NotFound("business"));
    }
    let row = latest_photo(db, business_id)
        .await?
        .ok_or(DomainError::NotFound("licence photo"))?;
    let bytes = store
        .get(&row.storage_key)
        .await
        .map_err(|e| DomainError::internal_from("reading a licence photo", e))?;
    Ok((row, bytes))
}
