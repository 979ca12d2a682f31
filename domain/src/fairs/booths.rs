//! Booths: a merchant of a verified business requests one at a live fair, bringing up to ten
//! of the business's open postings and saying how many visitors it can talk to per slot; an
//! officer approves it (it gets the lowest free booth number; never more approved booths
//! than the hall has) or rejects it with a reason the merchant is told.

use crate::ErrorCode;
use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::status::BoothStatus;
use super::{find as find_fair, is_staff, require_live, require_officer};
use crate::auth::Principal;
use crate::entities::{business, business_member, fair, fair_booth, fair_booth_posting, posting};
use crate::types::{BusinessStatus, Role, bounded};
use crate::{DomainError, Invalid, ValidationErrors, applications, businesses, postings, time};

/// Postings a booth may bring at most.
pub const MAX_POSTINGS: usize = 10;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoothRequest {
    /// One of the merchant's verified businesses.
    pub business_id: Uuid,
    /// 1 to 10 open postings of that business.
    pub posting_ids: Vec<Uuid>,
    /// Visitors the booth can talk to in one slot, 1 to 50.
    pub capacity_per_slot: i32,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoothChange {
    /// 1 to 10 open postings of the booth's business.
    pub posting_ids: Vec<Uuid>,
    /// Visitors the booth can talk to in one slot, 1 to 50.
    pub capacity_per_slot: i32,
}

/// A booth with its business and postings.
#[derive(Debug, Clone)]
pub struct BoothDetail {
    pub booth: fair_booth::Model,
    pub business: business::Model,
    pub postings: Vec<posting::Model>,
}

fn check_capacity(capacity: i32, errors: &mut ValidationErrors) {
    if !(1..=50).contains(&capacity) {
        errors.push(
            "capacity_per_slot",
            Invalid::new(ErrorCode::OutOfRange, "1 to 50 visitors per slot"),
        );
    }
}

/// The postings, checked: distinct, 1 to 10, open postings of `business`.
async fn check_postings<C: ConnectionTrait>(
    db: &C,
    business: &business::Model,
    ids: &[Uuid],
    errors: &mut ValidationErrors,
) -> Result<Vec<posting::Model>, DomainError> {
    let mut distinct = ids.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct.is_empty() || distinct.len() > MAX_POSTINGS {
        errors.push(
            "posting_ids",
            Invalid::new(
                ErrorCode::OutOfRange,
                format!("1 to {MAX_POSTINGS} different postings"),
            ),
        );
        return Ok(Vec::new());
    }
    let found = posting::Entity::find()
        .filter(posting::Column::Id.is_in(distinct.clone()))
        .filter(posting::Column::BusinessId.eq(business.id))
        .all(db)
        .await?;
    let now = time::now();
    for (k, id) in ids.iter().enumerate() {
        match found.iter().find(|p| p.id == *id) {
            Some(p) if postings::is_public(p, business, now) => {}
            Some(_) => errors.push(
                format!("posting_ids[{k}]"),
                Invalid::new(ErrorCode::PostingNotOpen, "only open postings go to a fair"),
            ),
            None => errors.push(
                format!("posting_ids[{k}]"),
                Invalid::new(ErrorCode::UnknownPosting, "not a posting of this business"),
            ),
        }
    }
    Ok(found)
}

async fn attach<C: ConnectionTrait>(
    db: &C,
    booth: Uuid,
    postings: &[posting::Model],
) -> Result<(), DomainError> {
    fair_booth_posting::Entity::delete_many()
        .filter(fair_booth_posting::Column::BoothId.eq(booth))
        .exec(db)
        .await?;
    for p in postings {
        fair_booth_posting::ActiveModel {
            booth_id: Set(booth),
            posting_id: Set(p.id),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// A merchant requests a booth for one of their verified businesses.
pub async fn request<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
    input: BoothRequest,
) -> Result<BoothDetail, DomainError> {
    if actor.role != Role::Merchant {
        return Err(DomainError::forbidden("merchants request booths"));
    }
    let txn = crate::db::begin_write(db).await?;
    let f = super::visible(&txn, Some(actor), fair_id).await?;
    require_live(&f)?;
    let (business, _) = businesses::as_member(&txn, input.business_id, actor.account_id).await?;
    if business.status != BusinessStatus::Verified {
        return Err(DomainError::conflict(
            ErrorCode::BusinessNotVerified,
            "only verified businesses take booths",
        ));
    }
    let mut errors = ValidationErrors::new();
    check_capacity(input.capacity_per_slot, &mut errors);
    let postings = check_postings(&txn, &business, &input.posting_ids, &mut errors).await?;
    errors.into_result()?;
    let now = time::now();
    let inserted = fair_booth::ActiveModel {
        id: Set(Uuid::now_v7()),
        fair_id: Set(fair_id),
        business_id: Set(business.id),
        number: Set(None),
        status: Set(BoothStatus::Requested),
        capacity_per_slot: Set(input.capacity_per_slot),
        rejection_reason: Set(None),
        requested_by: Set(actor.account_id),
        reviewed_by: Set(None),
        reviewed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await;
    let booth = match inserted {
        Ok(booth) => booth,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(DomainError::conflict(
                ErrorCode::BoothAlreadyRequested,
                "this business already has a booth at this fair",
            ));
        }
        Err(err) => return Err(err.into()),
    };
    attach(&txn, booth.id, &postings).await?;
    txn.commit().await?;
    Ok(BoothDetail {
        booth,
        business,
        postings,
    })
}

/// The booth, if it is at `fair_id` and `actor` is a member of its business (or runs the
/// fair); otherwise "not found".
pub async fn as_member<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
    booth_id: Uuid,
) -> Result<fair_booth::Model, DomainError> {
    let booth = fair_booth::Entity::find_by_id(booth_id)
        .one(db)
        .await?
        .filter(|b| b.fair_id == fair_id)
        .ok_or(DomainError::NotFound("booth"))?;
    if is_staff(actor) {
        super::managed(db, actor, fair_id).await?;
        return Ok(booth);
    }
    business_member::Entity::find_by_id((booth.business_id, actor.account_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("booth"))?;
    Ok(booth)
}

/// A member changes the booth's postings or capacity (not once rejected).
pub async fn change<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
    booth_id: Uuid,
    input: BoothChange,
) -> Result<BoothDetail, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let f = find_fair(&txn, fair_id).await?;
    let booth = as_member(&txn, actor, fair_id, booth_id).await?;
    require_live(&f)?;
    if booth.status == BoothStatus::Rejected {
        return Err(DomainError::conflict(
            ErrorCode::BoothRejected,
            "a rejected booth cannot be changed",
        ));
    }
    let business = businesses::find(&txn, booth.business_id).await?;
    let mut errors = ValidationErrors::new();
    check_capacity(input.capacity_per_slot, &mut errors);
    let postings = check_postings(&txn, &business, &input.posting_ids, &mut errors).await?;
    errors.into_result()?;
    let mut active: fair_booth::ActiveModel = booth.into();
    active.capacity_per_slot = Set(input.capacity_per_slot);
    active.updated_at = Set(time::now());
    let booth = active.update(&txn).await?;
    attach(&txn, booth.id, &postings).await?;
    txn.commit().await?;
    Ok(BoothDetail {
        booth,
        business,
        postings,
    })
}

fn no_booths_left() -> DomainError {
    DomainError::conflict(
        ErrorCode::NoBoothsLeft,
        "every booth of the hall is already given",
    )
}

/// An officer approves a requested booth (it gets the lowest free number) or rejects it
/// with a reason; the business's members are told either way.
pub async fn review<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
    booth_id: Uuid,
    verdict: Result<(), String>,
) -> Result<BoothDetail, DomainError> {
    require_officer(actor)?;
    let reason = match &verdict {
        Ok(()) => None,
        Err(reason) => Some(
            bounded(reason, 2, 500)
                .map_err(|e| DomainError::Validation(ValidationErrors::single("reason", e)))?,
        ),
    };
    let txn = crate::db::begin_write(db).await?;
    let f = super::managed(&txn, actor, fair_id).await?;
    require_live(&f)?;
    let booth = as_member(&txn, actor, fair_id, booth_id).await?;
    if booth.status != BoothStatus::Requested {
        return Err(DomainError::conflict(
            ErrorCode::BoothAlreadyReviewed,
            format!("this booth is already {}", booth.status),
        ));
    }
    let now = time::now();
    let mut active: fair_booth::ActiveModel = booth.clone().into();
    if reason.is_none() {
        // Takes a place in the hall; on PostgreSQL this also locks the fair's row, so two
        // approvals at once pick their numbers one after the other.
        let taken = fair::Entity::update_many()
            .col_expr(
                fair::Column::ApprovedBooths,
                Expr::col(fair::Column::ApprovedBooths).add(1),
            )
            .filter(fair::Column::Id.eq(fair_id))
            .filter(fair::Column::ApprovedBooths.lt(f.booth_count))
            .exec(&txn)
            .await?;
        if taken.rows_affected != 1 {
            return Err(no_booths_left());
        }
        let numbers: Vec<i32> = fair_booth::Entity::find()
            .filter(fair_booth::Column::FairId.eq(fair_id))
            .filter(fair_booth::Column::Number.is_not_null())
            .all(&txn)
            .await?
            .into_iter()
            .filter_map(|b| b.number)
            .collect();
        let number = (1..=f.booth_count)
            .find(|n| !numbers.contains(n))
            .ok_or_else(no_booths_left)?;
        active.number = Set(Some(number));
        active.status = Set(BoothStatus::Approved);
    } else {
        active.status = Set(BoothStatus::Rejected);
        active.rejection_reason = Set(reason.clone());
    }
    active.reviewed_by = Set(Some(actor.account_id));
    active.reviewed_at = Set(Some(now));
    active.updated_at = Set(now);
    let booth = active.update(&txn).await?;
    let (title, body) = match (&reason, booth.number) {
        (None, Some(number)) => (
            format!("展位申请已通过：{}", f.title),
            format!("展位号 {number}，地点：{} {}", f.mall, f.hall),
        ),
        (Some(reason), _) => (
            format!("展位申请未通过：{}", f.title),
            format!("原因：{reason}"),
        ),
        (None, None) => unreachable!("an approved booth has a number"),
    };
    applications::notify_members(
        &txn,
        booth.business_id,
        "fair_booth_reviewed",
        title,
        body,
        json!({"fair_id": fair_id, "booth_id": booth.id, "status": booth.status, "number": booth.number}),
    )
    .await?;
    let business = businesses::find(&txn, booth.business_id).await?;
    let postings = postings_of(&txn, &[booth.id]).await?.remove(&booth.id);
    txn.commit().await?;
    Ok(BoothDetail {
        booth,
        business,
        postings: postings.unwrap_or_default(),
    })
}

/// The postings of each booth, by booth id.
pub async fn postings_of<C: ConnectionTrait>(
    db: &C,
    booths: &[Uuid],
) -> Result<HashMap<Uuid, Vec<posting::Model>>, DomainError> {
    let links = fair_booth_posting::Entity::find()
        .filter(fair_booth_posting::Column::BoothId.is_in(booths.to_vec()))
        .all(db)
        .await?;
    let found = posting::Entity::find()
        .filter(posting::Column::Id.is_in(links.iter().map(|l| l.posting_id)))
        .order_by_asc(posting::Column::Id)
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, Vec<posting::Model>> = HashMap::new();
    for link in links {
        if let Some(p) = found.iter().find(|p| p.id == link.posting_id) {
            out.entry(link.booth_id).or_default().push(p.clone());
        }
    }
    Ok(out)
}

/// Booths with their businesses and postings, by number then request time.
pub async fn details<C: ConnectionTrait>(
    db: &C,
    booths: Vec<fair_booth::Model>,
) -> Result<Vec<BoothDetail>, DomainError> {
    let ids: Vec<Uuid> = booths.iter().map(|b| b.id).collect();
    let mut postings = postings_of(db, &ids).await?;
    let owners = business::Entity::find()
        .filter(business::Column::Id.is_in(booths.iter().map(|b| b.business_id)))
        .all(db)
        .await?;
    let mut out: Vec<BoothDetail> = booths
        .into_iter()
        .filter_map(|booth| {
            let business = owners.iter().find(|b| b.id == booth.business_id)?.clone();
            let postings = postings.remove(&booth.id).unwrap_or_default();
            Some(BoothDetail {
                booth,
                business,
                postings,
            })
        })
        .collect();
    out.sort_by_key(|d| (d.booth.number.unwrap_or(i32::MAX), d.booth.id));
    Ok(out)
}

/// How many booth requests wait for review at each of `fairs` that `actor` runs (fairs run
/// by others are left out: only their officers see requests).
pub async fn waiting_counts<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    fairs: &[fair::Model],
) -> Result<HashMap<Uuid, u64>, DomainError> {
    if !is_staff(actor) {
        return Ok(HashMap::new());
    }
    let scope = crate::districts::scope_of(db, actor).await?;
    let run: Vec<Uuid> = fairs
        .iter()
        .filter(|f| scope.covers(f.district_id))
        .map(|f| f.id)
        .collect();
    let mut out: HashMap<Uuid, u64> = run.iter().map(|id| (*id, 0)).collect();
    let waiting: Vec<Uuid> = fair_booth::Entity::find()
        .filter(fair_booth::Column::FairId.is_in(run))
        .filter(fair_booth::Column::Status.eq(BoothStatus::Requested))
        .select_only()
        .column(fair_booth::Column::FairId)
        .into_tuple()
        .all(db)
        .await?;
    for fair_id in waiting {
        *out.entry(fair_id).or_default() += 1;
    }
    Ok(out)
}

/// The booths of a fair as `viewer` may see them: everything for staff; approved booths
/// and their own for merchants; approved booths for everyone else.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: Option<&Principal>,
    fair_id: Uuid,
) -> Result<Vec<BoothDetail>, DomainError> {
    let f = super::visible(db, viewer, fair_id).await?;
    let all = fair_booth::Entity::find()
        .filter(fair_booth::Column::FairId.eq(f.id))
        .all(db)
        .await?;
    let mine = match viewer {
        Some(v) if v.role == Role::Merchant => businesses::ids_of_member(db, v.account_id).await?,
        _ => Vec::new(),
    };
    let staff = match viewer {
        Some(v) => super::runs(db, v, &f).await?,
        None => false,
    };
    let shown = all
        .into_iter()
        .filter(|b| staff || b.status == BoothStatus::Approved || mine.contains(&b.business_id))
        .collect();
    details(db, shown).await
}
