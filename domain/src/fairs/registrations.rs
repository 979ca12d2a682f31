//! Registration: a seeker with a profile registers for a published fair before its deadline,
//! optionally saying which slots they can attend. Places are counted on the fair's row by a
//! conditional update (`registered_count < seeker_capacity`), so however many register at
//! once, never more than the capacity get a place; the rest join the waiting list in the
//! order they came. A cancelled place goes to the first on the list, who is told. Walk-ins
//! are registered by an officer at the door (checked in at once, beyond the capacity: the
//! capacity bounds registration ahead of the day, the officer at the door decides).

use crate::ErrorCode;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, SqlErr, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::status::{FairStatus, RegistrationStatus};
use super::{find as find_fair, require_live, require_officer};
use crate::auth::Principal;
use crate::entities::fair_registration::{self, SlotList};
use crate::entities::{fair, fair_visit};
use crate::pagination::{Page, PageRequest};
use crate::types::{LoginId, Role};
use crate::{DomainError, Invalid, ValidationErrors, accounts, inbox, profiles, time};

use RegistrationStatus as R;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    /// The slots (numbered from 1) the seeker can attend; absent means all of them.
    #[serde(default)]
    pub slots: Option<Vec<i32>>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WalkInInput {
    /// The seeker's phone number or e-mail address (their account's login).
    pub login: String,
}

/// Checks the slot list against the fair: numbers 1 to the slot count, at least one.
fn slots_of(f: &fair::Model, slots: &Option<Vec<i32>>) -> Result<Option<SlotList>, DomainError> {
    let Some(slots) = slots else {
        return Ok(None);
    };
    let mut list = slots.clone();
    list.sort_unstable();
    list.dedup();
    let invalid = |message: String| {
        DomainError::Validation(ValidationErrors::single(
            "slots",
            Invalid::new(ErrorCode::InvalidSlots, message),
        ))
    };
    if list.is_empty() {
        return Err(invalid(
            "give at least one slot, or none to mean all".into(),
        ));
    }
    if list.iter().any(|s| !(1..=f.slot_count).contains(s)) {
        return Err(invalid(format!("slots are numbered 1 to {}", f.slot_count)));
    }
    Ok((list.len() < f.slot_count as usize).then_some(SlotList(list)))
}

fn already_registered() -> DomainError {
    DomainError::conflict(
        ErrorCode::AlreadyRegistered,
        "you are already registered or on the waiting list for this fair",
    )
}

/// Takes one place if one is left: `true` if taken.
async fn take_place<C: ConnectionTrait>(db: &C, f: &fair::Model) -> Result<bool, DomainError> {
    let taken = fair::Entity::update_many()
        .col_expr(
            fair::Column::RegisteredCount,
            Expr::col(fair::Column::RegisteredCount).add(1),
        )
        .filter(fair::Column::Id.eq(f.id))
        .filter(
            Expr::col(fair::Column::RegisteredCount).lt(Expr::col(fair::Column::SeekerCapacity)),
        )
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

async fn add_to_count<C: ConnectionTrait>(
    db: &C,
    fair_id: Uuid,
    by: i32,
) -> Result<(), DomainError> {
    fair::Entity::update_many()
        .col_expr(
            fair::Column::RegisteredCount,
            Expr::col(fair::Column::RegisteredCount).add(by),
        )
        .filter(fair::Column::Id.eq(fair_id))
        .exec(db)
        .await?;
    Ok(())
}

/// A seeker registers: a place if one is left, the waiting list otherwise.
pub async fn register<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
    input: RegisterInput,
) -> Result<fair_registration::Model, DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden("seekers register for fairs"));
    }
    let txn = crate::db::begin_write(db).await?;
    // Registrations for one fair take turns (the fair's row locked until commit; SQLite's
    // write transaction already serialises them), and `now` is read after the turn starts:
    // so `queued_at` follows commit order, and two waiting registrations answered at the
    // same moment never count the same queue and get the same place in it.
    fair::Entity::find_by_id(fair_id)
        .lock_exclusive()
        .one(&txn)
        .await?;
    let f = super::visible(&txn, Some(actor), fair_id).await?;
    let now = time::now();
    if f.status != FairStatus::Published || f.registration_deadline <= now {
        return Err(DomainError::conflict(
            ErrorCode::RegistrationClosed,
            "registration for this fair is closed",
        ));
    }
    let slots = slots_of(&f, &input.slots)?;
    match profiles::find(&txn, actor.account_id).await {
        Ok(_) => {}
        Err(DomainError::NotFound(_)) => {
            return Err(DomainError::conflict(
                ErrorCode::ProfileRequired,
                "fill in your profile first: routes are planned from it",
            ));
        }
        Err(other) => return Err(other),
    }
    let existing = fair_registration::Entity::find()
        .filter(fair_registration::Column::FairId.eq(fair_id))
        .filter(fair_registration::Column::SeekerId.eq(actor.account_id))
        .one(&txn)
        .await?;
    if existing.as_ref().is_some_and(|r| r.status != R::Cancelled) {
        return Err(already_registered());
    }
    let status = if take_place(&txn, &f).await? {
        R::Registered
    } else {
        R::Waitlisted
    };
    let saved = match existing {
        // Registering again after cancelling: back of the queue.
        Some(old) => {
            let mut active: fair_registration::ActiveModel = old.into();
            active.status = Set(status);
            active.slots = Set(slots);
            active.walk_in = Set(false);
            active.queued_at = Set(now);
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => {
            let inserted = fair_registration::ActiveModel {
                id: Set(Uuid::now_v7()),
                fair_id: Set(fair_id),
                seeker_id: Set(actor.account_id),
                status: Set(status),
                slots: Set(slots),
                walk_in: Set(false),
                queued_at: Set(now),
                checked_in_at: Set(None),
                checked_in_by: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await;
            match inserted {
                Ok(saved) => saved,
                // A double tap: the unique index keeps one, and this transaction (with the
                // place it took) rolls back.
                Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    return Err(already_registered());
                }
                Err(err) => return Err(err.into()),
            }
        }
    };
    txn.commit().await?;
    Ok(saved)
}

/// The registration, if it is `actor`'s own at `fair_id`; otherwise "not found".
pub async fn own<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
    id: Uuid,
) -> Result<fair_registration::Model, DomainError> {
    fair_registration::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| r.fair_id == fair_id && r.seeker_id == actor.account_id)
        .ok_or(DomainError::NotFound("registration"))
}

/// Where a waiting registration stands in the queue (1 is next), `None` for others.
pub async fn position<C: ConnectionTrait>(
    db: &C,
    r: &fair_registration::Model,
) -> Result<Option<u64>, DomainError> {
    if r.status != R::Waitlisted {
        return Ok(None);
    }
    let ahead = fair_registration::Entity::find()
        .filter(fair_registration::Column::FairId.eq(r.fair_id))
        .filter(fair_registration::Column::Status.eq(R::Waitlisted))
        .filter(
            sea_orm::Condition::any()
                .add(fair_registration::Column::QueuedAt.lt(r.queued_at))
                .add(
                    sea_orm::Condition::all()
                        .add(fair_registration::Column::QueuedAt.eq(r.queued_at))
                        .add(fair_registration::Column::Id.lt(r.id)),
                ),
        )
        .count(db)
        .await?;
    Ok(Some(ahead + 1))
}

/// Gives a freed place to the first on the waiting list, if any, and tells them.
async fn promote_next<C: ConnectionTrait>(db: &C, f: &fair::Model) -> Result<(), DomainError> {
    // A few tries: someone at the head of the list may be cancelling at this very moment.
    for _ in 0..5 {
        let Some(next) = fair_registration::Entity::find()
            .filter(fair_registration::Column::FairId.eq(f.id))
            .filter(fair_registration::Column::Status.eq(R::Waitlisted))
            .order_by_asc(fair_registration::Column::QueuedAt)
            .order_by_asc(fair_registration::Column::Id)
            .one(db)
            .await?
        else {
            return Ok(());
        };
        if !take_place(db, f).await? {
            return Ok(());
        }
        let promoted = fair_registration::Entity::update_many()
            .col_expr(
                fair_registration::Column::Status,
                Expr::value(R::Registered.as_str()),
            )
            .col_expr(
                fair_registration::Column::UpdatedAt,
                Expr::value(time::now()),
            )
            .filter(fair_registration::Column::Id.eq(next.id))
            .filter(fair_registration::Column::Status.eq(R::Waitlisted))
            .exec(db)
            .await?;
        if promoted.rows_affected == 1 {
            inbox::notify(
                db,
                next.seeker_id,
                "fair_waitlist_promoted",
                format!("候补转正：{}", f.title),
                "有人取消了报名，你已获得名额。出示签到二维码即可入场。".to_owned(),
                json!({"fair_id": f.id, "registration_id": next.id}),
            )
            .await?;
            return Ok(());
        }
        add_to_count(db, f.id, -1).await?;
    }
    Ok(())
}

/// The seeker cancels their registration (or leaves the waiting list). A freed place goes to
/// the first on the waiting list; planned visits are dropped (the next plan fills them).
pub async fn cancel<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
    id: Uuid,
) -> Result<fair_registration::Model, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let current = own(&txn, actor, fair_id, id).await?;
    let f = find_fair(&txn, fair_id).await?;
    if current.status == R::Cancelled {
        return Err(DomainError::conflict(
            ErrorCode::AlreadyCancelled,
            "this registration is already cancelled",
        ));
    }
    if !f.status.is_live() {
        return Err(DomainError::conflict(
            ErrorCode::FairNotOpen,
            format!("the fair is {}", f.status),
        ));
    }
    if !withdraw(&txn, &current).await? {
        return Err(DomainError::conflict(
            ErrorCode::AlreadyCancelled,
            "this registration changed meanwhile",
        ));
    }
    let saved = fair_registration::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("registration"))?;
    txn.commit().await?;
    Ok(saved)
}

/// Cancels one registration inside the caller's transaction: drops its planned visits and,
/// if it held a place in a live fair, gives the place to the first on the waiting list.
/// `false` if it was no longer as read.
async fn withdraw<C: ConnectionTrait>(
    txn: &C,
    current: &fair_registration::Model,
) -> Result<bool, DomainError> {
    let cancelled = fair_registration::Entity::update_many()
        .col_expr(
            fair_registration::Column::Status,
            Expr::value(R::Cancelled.as_str()),
        )
        .col_expr(
            fair_registration::Column::UpdatedAt,
            Expr::value(time::now()),
        )
        .filter(fair_registration::Column::Id.eq(current.id))
        .filter(fair_registration::Column::Status.eq(current.status))
        .exec(txn)
        .await?;
    if cancelled.rows_affected != 1 {
        return Ok(false);
    }
    if current.status == R::Registered {
        fair_visit::Entity::delete_many()
            .filter(fair_visit::Column::RegistrationId.eq(current.id))
            .exec(txn)
            .await?;
        // Gives the place back first: on PostgreSQL this locks the fair's row, so
        // registrations and other cancellations wait for this one to finish.
        add_to_count(txn, current.fair_id, -1).await?;
        let f = find_fair(txn, current.fair_id).await?;
        if f.status.is_live() {
            promote_next(txn, &f).await?;
        }
    }
    Ok(true)
}

/// Withdraws every active registration of a seeker (their account is being erased).
pub async fn withdraw_all<C: ConnectionTrait>(txn: &C, seeker: Uuid) -> Result<(), DomainError> {
    let active = fair_registration::Entity::find()
        .filter(fair_registration::Column::SeekerId.eq(seeker))
        .filter(fair_registration::Column::Status.ne(R::Cancelled))
        .all(txn)
        .await?;
    for r in active {
        withdraw(txn, &r).await?;
    }
    Ok(())
}

/// A seeker's fair registrations and planned visits, for their data export.
pub async fn export<C: ConnectionTrait>(
    db: &C,
    seeker: Uuid,
) -> Result<serde_json::Value, DomainError> {
    let registrations = fair_registration::Entity::find()
        .filter(fair_registration::Column::SeekerId.eq(seeker))
        .order_by_asc(fair_registration::Column::Id)
        .all(db)
        .await?;
    let visits = fair_visit::Entity::find()
        .filter(fair_visit::Column::SeekerId.eq(seeker))
        .all(db)
        .await?;
    Ok(json!(
        registrations
            .iter()
            .map(|r| json!({
                "fair_id": r.fair_id,
                "status": r.status,
                "slots": r.slots.as_ref().map(|s| s.0.clone()),
                "walk_in": r.walk_in,
                "checked_in_at": r.checked_in_at.map(time::to_display),
                "created_at": time::to_display(r.created_at),
                "route": visits
                    .iter()
                    .filter(|v| v.registration_id == r.id)
                    .map(|v| json!({
                        "booth_id": v.booth_id, "posting_id": v.posting_id, "slot": v.slot,
                        "score": v.score, "explanation": v.explanation,
                    }))
                    .collect::<Vec<_>>(),
            }))
            .collect::<Vec<_>>()
    ))
}

/// An officer registers a seeker at the door (found by phone or e-mail), checked in at once.
pub async fn walk_in<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
    input: WalkInInput,
) -> Result<fair_registration::Model, DomainError> {
    require_officer(actor)?;
    let login = LoginId::parse(&input.login)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("login", e)))?;
    let txn = crate::db::begin_write(db).await?;
    let f = super::managed(&txn, actor, fair_id).await?;
    require_live(&f)?;
    let seeker = accounts::find_by_login(&txn, &login)
        .await?
        .filter(|a| a.role == Role::Seeker && a.deleted_at.is_none())
        .ok_or_else(|| {
            DomainError::Validation(ValidationErrors::single(
                "login",
                Invalid::new(
                    ErrorCode::NoSuchSeeker,
                    "no seeker account has this phone or e-mail",
                ),
            ))
        })?;
    let now = time::now();
    let existing = fair_registration::Entity::find()
        .filter(fair_registration::Column::FairId.eq(fair_id))
        .filter(fair_registration::Column::SeekerId.eq(seeker.id))
        .one(&txn)
        .await?;
    let saved = match existing {
        Some(r) if r.status == R::Registered => return Err(already_registered()),
        Some(r) => {
            let mut active: fair_registration::ActiveModel = r.into();
            active.status = Set(R::Registered);
            active.walk_in = Set(true);
            active.checked_in_at = Set(Some(now));
            active.checked_in_by = Set(Some(actor.account_id));
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => {
            fair_registration::ActiveModel {
                id: Set(Uuid::now_v7()),
                fair_id: Set(fair_id),
                seeker_id: Set(seeker.id),
                status: Set(R::Registered),
                slots: Set(None),
                walk_in: Set(true),
                queued_at: Set(now),
                checked_in_at: Set(Some(now)),
                checked_in_by: Set(Some(actor.account_id)),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?
        }
    };
    add_to_count(&txn, fair_id, 1).await?;
    txn.commit().await?;
    Ok(saved)
}

/// The actor's registrations with their fairs, newest first.
pub async fn list_mine<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    page: PageRequest<Uuid>,
) -> Result<Page<(fair_registration::Model, fair::Model)>, DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden("only seekers register for fairs"));
    }
    let mut query = fair_registration::Entity::find()
        .filter(fair_registration::Column::SeekerId.eq(actor.account_id))
        .order_by_desc(fair_registration::Column::Id);
    if let Some(before) = page.after {
        query = query.filter(fair_registration::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    let fairs = fair::Entity::find()
        .filter(fair::Column::Id.is_in(rows.iter().map(|r| r.fair_id)))
        .all(db)
        .await?;
    let page = Page::from_rows(rows, page.limit, |r| r.id);
    Ok(Page {
        next_cursor: page.next_cursor,
        items: page
            .items
            .into_iter()
            .filter_map(|r| {
                let f = fairs.iter().find(|f| f.id == r.fair_id)?.clone();
                Some((r, f))
            })
            .collect(),
    })
}

/// The slots (from 1) a registration can attend.
pub fn attendable(r: &fair_registration::Model, f: &fair::Model) -> Vec<i32> {
    match &r.slots {
        Some(list) => list.0.clone(),
        None => (1..=f.slot_count).collect(),
    }
}
