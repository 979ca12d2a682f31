//! Job fairs (就业供需见面会). An officer creates a fair in a mall's hall: a start time,
//! time slots of a fixed length, booths, seeker capacity and a registration deadline.
//! Lifecycle: draft → published (merchants request booths, seekers register) → closed
//! (registration over) → finished, or cancelled from any of the first three, telling everyone
//! registered. Booths ([`booths`]), registrations and the waiting list ([`registrations`]),
//! planned routes ([`plans`]), check-in by signed QR token ([`checkin`]), what happened at
//! the booths ([`outcomes`]) and the figures ([`figures`]) have modules of their own.

pub mod booths;
pub mod checkin;
pub mod figures;
pub mod outcomes;
pub mod plans;
pub mod registrations;
pub mod status;

use crate::ErrorCode;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::{fair, fair_booth, fair_registration};
use crate::pagination::{Page, PageRequest};
use crate::types::{GeoPoint, Role, bounded};
use crate::{DomainError, Invalid, ValidationErrors, businesses, inbox, signed_token, time};
use status::{BoothStatus, FairStatus, RegistrationStatus};

/// The most time slots a fair may have.
pub const MAX_SLOTS: i32 = 24;

/// What an officer says about a fair (create, or replace while it is a draft).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FairInput {
    /// e.g. 2026届高校毕业生就业供需见面会（圆融专场）.
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The mall, e.g. 圆融时代广场.
    pub mall: String,
    /// The hall or floor, e.g. B1 中庭.
    pub hall: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    /// When the first slot starts.
    pub starts_at: DateTime<FixedOffset>,
    /// Length of one time slot, 10 to 240 minutes.
    pub slot_minutes: i32,
    /// Number of slots, 1 to 24; they follow each other without breaks.
    pub slot_count: i32,
    /// Booths in the hall, 1 to 500.
    pub booth_count: i32,
    /// Seekers who may register, 1 to 20,000; later ones join the waiting list.
    pub seeker_capacity: i32,
    /// Booth visits planned per seeker, 1 to the number of slots (default: 4, or fewer if
    /// there are fewer slots).
    #[serde(default)]
    pub visits_per_seeker: Option<i32>,
    /// Registration closes then; at or before the start.
    pub registration_deadline: DateTime<FixedOffset>,
}

struct ValidFair {
    title: String,
    description: String,
    mall: String,
    hall: String,
    address: String,
    location: GeoPoint,
    starts_at: DateTime<Utc>,
    slot_minutes: i32,
    slot_count: i32,
    booth_count: i32,
    seeker_capacity: i32,
    visits_per_seeker: i32,
    registration_deadline: DateTime<Utc>,
}

fn in_range(errors: &mut ValidationErrors, field: &str, value: i32, min: i32, max: i32) -> bool {
    if (min..=max).contains(&value) {
        true
    } else {
        errors.push(
            field,
            Invalid::new(ErrorCode::OutOfRange, format!("{min} to {max}")),
        );
        false
    }
}

impl FairInput {
    fn validate(&self, now: DateTime<Utc>) -> Result<ValidFair, DomainError> {
        let mut errors = ValidationErrors::new();
        let title = errors.check("title", bounded(&self.title, 2, 100));
        let description = errors.check("description", bounded(&self.description, 0, 2000));
        let mall = errors.check("mall", bounded(&self.mall, 1, 100));
        let hall = errors.check("hall", bounded(&self.hall, 1, 100));
        let address = errors.check("address", bounded(&self.address, 1, 200));
        let location = errors.check("lat", GeoPoint::new(self.lat, self.lon));
        let starts_at = self.starts_at.with_timezone(&Utc);
        if starts_at <= now {
            errors.push(
                "starts_at",
                Invalid::new(ErrorCode::InThePast, "the fair must start in the future"),
            );
        } else if starts_at > now + Duration::days(365) {
            errors.push(
                "starts_at",
                Invalid::new(ErrorCode::TooFar, "at most a year ahead"),
            );
        }
        in_range(&mut errors, "slot_minutes", self.slot_minutes, 10, 240);
        let slots_ok = in_range(&mut errors, "slot_count", self.slot_count, 1, MAX_SLOTS);
        in_range(&mut errors, "booth_count", self.booth_count, 1, 500);
        in_range(
            &mut errors,
            "seeker_capacity",
            self.seeker_capacity,
            1,
            20_000,
        );
        let visits = self
            .visits_per_seeker
            .unwrap_or_else(|| self.slot_count.clamp(1, 4));
        if slots_ok {
            in_range(&mut errors, "visits_per_seeker", visits, 1, self.slot_count);
        }
        let deadline = self.registration_deadline.with_timezone(&Utc);
        if deadline <= now {
            errors.push(
                "registration_deadline",
                Invalid::new(ErrorCode::InThePast, "the deadline must be in the future"),
            );
        } else if deadline > starts_at {
            errors.push(
                "registration_deadline",
                Invalid::new(
                    ErrorCode::AfterStart,
                    "registration closes at or before the start",
                ),
            );
        }
        match (title, description, mall, hall, address, location) {
            (
                Some(title),
                Some(description),
                Some(mall),
                Some(hall),
                Some(address),
                Some(location),
            ) if errors.is_empty() => Ok(ValidFair {
                title,
                description,
                mall,
                hall,
                address,
                location,
                starts_at,
                slot_minutes: self.slot_minutes,
                slot_count: self.slot_count,
                booth_count: self.booth_count,
                seeker_capacity: self.seeker_capacity,
                visits_per_seeker: visits,
                registration_deadline: deadline,
            }),
            _ => Err(DomainError::Validation(errors)),
        }
    }
}

/// Officers run fairs (admins may too).
fn require_officer(actor: &Principal) -> Result<(), DomainError> {
    if is_staff(actor) {
        Ok(())
    } else {
        Err(DomainError::forbidden("only officers run job fairs"))
    }
}

fn is_staff(actor: &Principal) -> bool {
    matches!(actor.role, Role::Officer | Role::Admin)
}

/// A fair `actor` runs: officers of the fair's district and admins. Every staff action on
/// a fair loads it here, so none can forget the district: another district's fair (or one
/// in no district, for an officer) answers 404 like a missing one; non-staff get 403.
pub async fn managed<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<fair::Model, DomainError> {
    require_officer(actor)?;
    let found = find(db, id).await?;
    crate::districts::scope_of(db, actor)
        .await?
        .require(found.district_id, "fair")?;
    Ok(found)
}

/// Whether `actor` runs `f` (staff whose districts include it). Paths that also admit
/// others (booth members, the public) ask this instead of looking at the role.
pub async fn runs<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    f: &fair::Model,
) -> Result<bool, DomainError> {
    Ok(is_staff(actor)
        && crate::districts::scope_of(db, actor)
            .await?
            .covers(f.district_id))
}

/// When the last slot ends (check-in tokens expire then).
pub fn ends_at(f: &fair::Model) -> DateTime<Utc> {
    f.starts_at + Duration::minutes(i64::from(f.slot_minutes) * i64::from(f.slot_count))
}

/// When slot `slot` (from 1) starts and ends.
pub fn slot_window(f: &fair::Model, slot: i32) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = f.starts_at + Duration::minutes(i64::from(f.slot_minutes) * i64::from(slot - 1));
    (start, start + Duration::minutes(i64::from(f.slot_minutes)))
}

/// Creates a draft fair with its own check-in key.
pub async fn create<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    input: FairInput,
) -> Result<fair::Model, DomainError> {
    require_officer(actor)?;
    let now = time::now();
    let v = input.validate(now)?;
    let txn = crate::db::begin_write(db).await?;
    let district =
        crate::districts::locate_in_scope(&txn, actor, v.location, "fair's venue").await?;
    let created = fair::ActiveModel {
        id: Set(Uuid::now_v7()),
        district_id: Set(district),
        title: Set(v.title),
        description: Set(v.description),
        mall: Set(v.mall),
        hall: Set(v.hall),
        address: Set(v.address),
        lat: Set(v.location.lat()),
        lon: Set(v.location.lon()),
        starts_at: Set(v.starts_at),
        slot_minutes: Set(v.slot_minutes),
        slot_count: Set(v.slot_count),
        booth_count: Set(v.booth_count),
        seeker_capacity: Set(v.seeker_capacity),
        visits_per_seeker: Set(v.visits_per_seeker),
        registration_deadline: Set(v.registration_deadline),
        status: Set(FairStatus::Draft),
        registered_count: Set(0),
        approved_booths: Set(0),
        signing_key: Set(signed_token::new_key()),
        cancel_reason: Set(None),
        plan_version: Set(0),
        planned_at: Set(None),
        plan_summary: Set(None),
        created_by: Set(actor.account_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<fair::Model, DomainError> {
    fair::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("fair"))
}

/// A fair as `viewer` may see it: drafts only to the staff who run it.
pub async fn visible<C: ConnectionTrait>(
    db: &C,
    viewer: Option<&Principal>,
    id: Uuid,
) -> Result<fair::Model, DomainError> {
    let found = find(db, id).await?;
    if found.status == FairStatus::Draft {
        match viewer {
            Some(v) if runs(db, v, &found).await? => {}
            _ => return Err(DomainError::NotFound("fair")),
        }
    }
    Ok(found)
}

/// Replaces a draft's details.
pub async fn update<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: FairInput,
) -> Result<fair::Model, DomainError> {
    require_officer(actor)?;
    let v = input.validate(time::now())?;
    let txn = crate::db::begin_write(db).await?;
    let current = managed(&txn, actor, id).await?;
    let district =
        crate::districts::locate_in_scope(&txn, actor, v.location, "fair's venue").await?;
    if current.status != FairStatus::Draft {
        return Err(DomainError::conflict(
            ErrorCode::FairNotDraft,
            "only a draft fair can be changed",
        ));
    }
    let mut active: fair::ActiveModel = current.into();
    active.title = Set(v.title);
    active.description = Set(v.description);
    active.mall = Set(v.mall);
    active.hall = Set(v.hall);
    active.address = Set(v.address);
    active.lat = Set(v.location.lat());
    active.district_id = Set(district);
    active.lon = Set(v.location.lon());
    active.starts_at = Set(v.starts_at);
    active.slot_minutes = Set(v.slot_minutes);
    active.slot_count = Set(v.slot_count);
    active.booth_count = Set(v.booth_count);
    active.seeker_capacity = Set(v.seeker_capacity);
    active.visits_per_seeker = Set(v.visits_per_seeker);
    active.registration_deadline = Set(v.registration_deadline);
    active.updated_at = Set(time::now());
    let updated = active.update(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// An officer's move of a fair along its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Publish,
    Close,
    Finish,
    Cancel,
}

/// Where `action` takes a fair that is `from`, if it may.
pub fn next_status(from: FairStatus, action: Action) -> Option<FairStatus> {
    use FairStatus as F;
    match (from, action) {
        (F::Draft, Action::Publish) => Some(F::Published),
        (F::Published, Action::Close) => Some(F::Closed),
        (F::Published | F::Closed, Action::Finish) => Some(F::Finished),
        (F::Draft | F::Published | F::Closed, Action::Cancel) => Some(F::Cancelled),
        _ => None,
    }
}

/// Moves a fair along its lifecycle. Cancelling needs a reason, which everyone registered
/// or waiting, and every business with a booth, is told.
pub async fn transition<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    action: Action,
    reason: Option<&str>,
) -> Result<fair::Model, DomainError> {
    require_officer(actor)?;
    let reason = match action {
        Action::Cancel => Some(
            bounded(reason.unwrap_or(""), 2, 500)
                .map_err(|e| DomainError::Validation(ValidationErrors::single("reason", e)))?,
        ),
        _ => None,
    };
    let txn = crate::db::begin_write(db).await?;
    let current = managed(&txn, actor, id).await?;
    let Some(to) = next_status(current.status, action) else {
        return Err(DomainError::conflict(
            ErrorCode::IllegalTransition,
            format!(
                "a {} fair cannot be {}",
                current.status,
                format!("{action:?}").to_lowercase()
            ),
        ));
    };
    let now = time::now();
    if to == FairStatus::Published && current.registration_deadline <= now {
        return Err(DomainError::conflict(
            ErrorCode::DeadlinePassed,
            "the registration deadline has passed; change it first",
        ));
    }
    // Conditional on the status read, so two officers acting at once move it once.
    let moved = fair::Entity::update_many()
        .col_expr(fair::Column::Status, Expr::value(to.as_str()))
        .col_expr(fair::Column::CancelReason, Expr::value(reason.clone()))
        .col_expr(fair::Column::UpdatedAt, Expr::value(now))
        .filter(fair::Column::Id.eq(id))
        .filter(fair::Column::Status.eq(current.status))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(DomainError::conflict(
            ErrorCode::IllegalTransition,
            "the fair changed meanwhile; reload it",
        ));
    }
    if let Some(reason) = &reason {
        tell_everyone_cancelled(&txn, &current, reason).await?;
    }
    let updated = find(&txn, id).await?;
    txn.commit().await?;
    Ok(updated)
}

async fn tell_everyone_cancelled<C: ConnectionTrait>(
    db: &C,
    f: &fair::Model,
    reason: &str,
) -> Result<(), DomainError> {
    let title = format!("招聘会已取消：{}", f.title);
    let body = format!("原因：{reason}");
    let data = json!({"fair_id": f.id});
    let seekers: Vec<Uuid> = fair_registration::Entity::find()
        .filter(fair_registration::Column::FairId.eq(f.id))
        .filter(fair_registration::Column::Status.ne(RegistrationStatus::Cancelled))
        .select_only()
        .column(fair_registration::Column::SeekerId)
        .into_tuple()
        .all(db)
        .await?;
    for seeker in seekers {
        inbox::notify(
            db,
            seeker,
            "fair_cancelled",
            title.clone(),
            body.clone(),
            data.clone(),
        )
        .await?;
    }
    let booths = fair_booth::Entity::find()
        .filter(fair_booth::Column::FairId.eq(f.id))
        .filter(fair_booth::Column::Status.ne(BoothStatus::Rejected))
        .all(db)
        .await?;
    for booth in booths {
        for member in businesses::members(db, booth.business_id).await? {
            inbox::notify(
                db,
                member.account_id,
                "fair_cancelled",
                title.clone(),
                body.clone(),
                data.clone(),
            )
            .await?;
        }
    }
    Ok(())
}

/// Fairs newest first: published and later ones for everyone, drafts too for the staff
/// who run them.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: Option<&Principal>,
    status: Option<FairStatus>,
    page: PageRequest<Uuid>,
) -> Result<Page<fair::Model>, DomainError> {
    let mut query = fair::Entity::find().order_by_desc(fair::Column::Id);
    let not_draft = fair::Column::Status.ne(FairStatus::Draft);
    query = match viewer.filter(|v| is_staff(v)) {
        Some(staff) => {
            let scope = crate::districts::scope_of(db, staff).await?;
            query.filter(
                Condition::any()
                    .add(not_draft)
                    .add(scope.condition(fair::Column::DistrictId)),
            )
        }
        None => query.filter(not_draft),
    };
    if let Some(status) = status {
        query = query.filter(fair::Column::Status.eq(status));
    }
    if let Some(before) = page.after {
        query = query.filter(fair::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |f| f.id))
}

/// Gives the fair a new check-in key. Tokens signed with the old one are refused from now
/// on (as `token_tampered`); seekers fetch their registration again for a token under the
/// new key, and scanners fetch the new device key. For a key that leaked.
pub async fn rotate_key<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<fair::Model, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let current = managed(&txn, actor, id).await?;
    let mut active: fair::ActiveModel = current.into();
    active.signing_key = Set(signed_token::new_key());
    active.updated_at = Set(time::now());
    let updated = active.update(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Refuses unless the fair is published or closed.
pub fn require_live(f: &fair::Model) -> Result<(), DomainError> {
    if f.status.is_live() {
        Ok(())
    } else {
        Err(DomainError::conflict(
            ErrorCode::FairNotOpen,
            format!("the fair is {}", f.status),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        use FairStatus::*;
        assert_eq!(next_status(Draft, Action::Publish), Some(Published));
        assert_eq!(next_status(Published, Action::Close), Some(Closed));
        assert_eq!(next_status(Closed, Action::Finish), Some(Finished));
        assert_eq!(next_status(Published, Action::Finish), Some(Finished));
        assert_eq!(next_status(Closed, Action::Cancel), Some(Cancelled));
        assert_eq!(next_status(Finished, Action::Cancel), None);
        assert_eq!(next_status(Cancelled, Action::Publish), None);
        assert_eq!(next_status(Draft, Action::Close), None);
        assert_eq!(next_status(Published, Action::Publish), None);
    }
}
