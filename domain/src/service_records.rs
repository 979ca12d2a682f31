//! Service records on a seeker's file: what an officer did for them (job guidance, a
//! training referral, rights advice, a skills assessment), the outcome, and when to follow
//! up. Officers write and read them for seekers of their districts who let officers see
//! their profile; every officer read is audit-logged. Seekers read every record about
//! themselves (PIPL right of access).

use crate::ErrorCode;
use chrono::{Duration, NaiveDate};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::{seeker_profile, service_record};
use crate::pagination::{Page, PageRequest};
use crate::types::{Role, ServiceKind, Visibility, bounded};
use crate::{DomainError, Invalid, ValidationErrors, accounts, audit, districts, time};

/// The most follow-ups a queue shows at once.
pub const QUEUE_LIMIT: u64 = 500;

/// A new service record.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRecordInput {
    pub kind: ServiceKind,
    /// What was discussed or done, 2 to 2,000 characters.
    pub notes: String,
    /// What came of it, if known yet (up to 1,000 characters).
    #[serde(default)]
    pub outcome: Option<String>,
    /// When to follow up (today or later), if at all.
    #[serde(default)]
    pub follow_up_due: Option<NaiveDate>,
}

/// A change to a record: its outcome, a new follow-up date, or the follow-up done.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRecordUpdate {
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub follow_up_due: Option<NaiveDate>,
    /// Marks the follow-up done.
    #[serde(default)]
    pub follow_up_done: bool,
}

fn outcome_of(raw: Option<&str>, errors: &mut ValidationErrors) -> Option<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Some(None),
        Some(text) => errors.check("outcome", bounded(text, 1, 1000)).map(Some),
    }
}

fn due_of(due: Option<NaiveDate>, errors: &mut ValidationErrors) -> Option<Option<NaiveDate>> {
    match due {
        Some(date) if date < time::today() => {
            errors.push(
                "follow_up_due",
                Invalid::new(ErrorCode::DateInPast, "a follow-up is due today or later"),
            );
            None
        }
        Some(date) if date > time::today() + Duration::days(366) => {
            errors.push(
                "follow_up_due",
                Invalid::new(ErrorCode::DateTooFar, "a follow-up is due within a year"),
            );
            None
        }
        other => Some(other),
    }
}

fn require_staff(actor: &Principal) -> Result<(), DomainError> {
    if matches!(actor.role, Role::Officer | Role::Admin) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "service records are kept by officers",
        ))
    }
}

/// The seeker's profile, if `actor` may serve them: the seeker lets officers see their
/// profile and lives in one of the actor's districts. Otherwise "not found".
async fn servable<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    seeker: Uuid,
) -> Result<seeker_profile::Model, DomainError> {
    let profile = seeker_profile::Entity::find_by_id(seeker)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("profile"))?;
    let account = accounts::find(db, seeker).await?;
    if profile.visibility == Visibility::Hidden || account.deleted_at.is_some() {
        return Err(DomainError::NotFound("profile"));
    }
    districts::scope_of(db, actor)
        .await?
        .require(profile.district_id, "profile")?;
    Ok(profile)
}

/// Whether `actor` may serve `seeker` at all (staff, the seeker's district, a profile shown
/// to officers), without reading their file: the console asks for a reason only for a file
/// the officer could open, and answers "not found" for any other, as the file itself does.
pub async fn may_serve<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    seeker: Uuid,
) -> Result<(), DomainError> {
    require_staff(actor)?;
    servable(db, actor, seeker).await.map(|_| ())
}

/// Records a service given to `seeker`.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    seeker: Uuid,
    input: ServiceRecordInput,
) -> Result<service_record::Model, DomainError> {
    require_staff(actor)?;
    let mut errors = ValidationErrors::new();
    let notes = errors.check("notes", bounded(&input.notes, 2, 2000));
    let outcome = outcome_of(input.outcome.as_deref(), &mut errors);
    let due = due_of(input.follow_up_due, &mut errors);
    let (Some(notes), Some(outcome), Some(due)) = (notes, outcome, due) else {
        return Err(DomainError::Validation(errors));
    };
    let profile = servable(db, actor, seeker).await?;
    let now = time::now();
    Ok(service_record::ActiveModel {
        id: Set(Uuid::now_v7()),
        seeker_id: Set(seeker),
        officer_id: Set(actor.account_id),
        district_id: Set(profile.district_id),
        kind: Set(input.kind),
        notes: Set(notes),
        outcome: Set(outcome),
        follow_up_due: Set(due),
        follow_up_done_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

/// Every record on `seeker`'s file, newest first: for the seeker themselves, or for an
/// officer who may serve them and states why (the read is audit-logged).
pub async fn file<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    seeker: Uuid,
    reason: Option<&str>,
    page: PageRequest<Uuid>,
) -> Result<Page<service_record::Model>, DomainError> {
    match actor.role {
        Role::Seeker if actor.account_id == seeker => {}
        Role::Officer | Role::Admin => {
            let reason = audit::parse_reason(reason)?;
            servable(db, actor, seeker).await?;
            audit::record(
                db,
                actor.account_id,
                Some(seeker),
                "read_service_records",
                ("profile", seeker),
                &reason,
            )
            .await?;
        }
        _ => return Err(DomainError::NotFound("profile")),
    }
    let mut query = service_record::Entity::find()
        .filter(service_record::Column::SeekerId.eq(seeker))
        .order_by_desc(service_record::Column::Id);
    // Ids are time-ordered (v7): newest first is descending id.
    if let Some(after) = page.after {
        query = query.filter(service_record::Column::Id.lt(after));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |r| r.id))
}

/// Changes a record's outcome or follow-up. The author, or an officer of the seeker's
/// district.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: ServiceRecordUpdate,
) -> Result<service_record::Model, DomainError> {
    require_staff(actor)?;
    let current = service_record::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("service record"))?;
    if current.officer_id != actor.account_id {
        districts::scope_of(db, actor)
            .await?
            .require(current.district_id, "service record")?;
    }
    let mut errors = ValidationErrors::new();
    let outcome = outcome_of(input.outcome.as_deref(), &mut errors);
    let due = due_of(input.follow_up_due, &mut errors);
    errors.into_result()?;
    let mut active: service_record::ActiveModel = current.clone().into();
    if let Some(Some(outcome)) = outcome {
        active.outcome = Set(Some(outcome));
    }
    if let Some(Some(due)) = due {
        // A new date opens the follow-up again.
        active.follow_up_due = Set(Some(due));
        active.follow_up_done_at = Set(None);
    }
    if input.follow_up_done {
        if current.follow_up_due.is_none() && !matches!(due, Some(Some(_))) {
            return Err(DomainError::conflict(
                ErrorCode::NoFollowUp,
                "this record has no follow-up to mark done",
            ));
        }
        active.follow_up_done_at = Set(Some(current.follow_up_done_at.unwrap_or_else(time::now)));
    }
    active.updated_at = Set(time::now());
    Ok(active.update(db).await?)
}

/// The officer's queue: their open follow-ups due on or before `today + within_days`,
/// soonest (most overdue) first.
pub async fn follow_ups<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    within_days: i64,
) -> Result<Vec<service_record::Model>, DomainError> {
    require_staff(actor)?;
    if !(0..=90).contains(&within_days) {
        return Err(DomainError::Validation(ValidationErrors::single(
            "within_days",
            Invalid::new(ErrorCode::OutOfRange, "within_days is 0 to 90"),
        )));
    }
    let horizon = time::today() + Duration::days(within_days);
    Ok(service_record::Entity::find()
        .filter(service_record::Column::OfficerId.eq(actor.account_id))
        .filter(service_record::Column::FollowUpDoneAt.is_null())
        .filter(service_record::Column::FollowUpDue.lte(horizon))
        .order_by_asc(service_record::Column::FollowUpDue)
        .order_by_asc(service_record::Column::Id)
        .limit(QUEUE_LIMIT)
        .all(db)
        .await?)
}

/// Every record about `seeker`, for their data export.
pub async fn about<C: ConnectionTrait>(
    db: &C,
    seeker: Uuid,
) -> Result<Vec<service_record::Model>, DomainError> {
    Ok(service_record::Entity::find()
        .filter(service_record::Column::SeekerId.eq(seeker))
        .order_by_asc(service_record::Column::Id)
        .all(db)
        .await?)
}
