//! Applications: a seeker applies to an open posting; the merchant moves the application
//! forward one stage at a time (viewed → shortlisted → interview → offered → hired) or
//! rejects it at any stage; the seeker may withdraw it. Every move is stored with its time
//! and actor, and the other side finds a notice in their inbox.

use crate::ErrorCode;
use chrono::{DateTime, FixedOffset, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::{application, application_event, business_member, posting};
use crate::outbox::{self, Aggregate};
use crate::pagination::{Page, PageRequest};
use crate::types::{ApplicationStatus, MatchStatus, Role, bounded};
use crate::{
    DomainError, Invalid, ValidationErrors, audit, businesses, inbox, matches, postings, profiles,
    time,
};

use ApplicationStatus as S;

/// The stage a merchant may move an application to next from `from`.
pub fn next_stage(from: ApplicationStatus) -> Option<ApplicationStatus> {
    match from {
        S::Submitted => Some(S::Viewed),
        S::Viewed => Some(S::Shortlisted),
        S::Shortlisted => Some(S::Interview),
        S::Interview => Some(S::Offered),
        S::Offered => Some(S::Hired),
        S::Hired | S::Rejected | S::Withdrawn => None,
    }
}

/// The stages a business moves an application through, one by one, to reach `to` from
/// `from` (ending with `to`); `None` when `to` is not ahead.
pub fn stages_to(from: ApplicationStatus, to: ApplicationStatus) -> Option<Vec<ApplicationStatus>> {
    let mut path = Vec::new();
    let mut at = from;
    while let Some(next) = next_stage(at) {
        path.push(next);
        if next == to {
            return Some(path);
        }
        at = next;
    }
    None
}

/// Which side is acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Seeker,
    Merchant,
}

/// Whether `side` may move an application from `from` to `to`.
pub fn allowed(side: Side, from: ApplicationStatus, to: ApplicationStatus) -> bool {
    if from.is_final() {
        return false;
    }
    match side {
        Side::Seeker => to == S::Withdrawn,
        Side::Merchant => to == S::Rejected || next_stage(from) == Some(to),
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyInput {
    /// A short note to the merchant (up to 500 characters).
    #[serde(default)]
    pub note: String,
}

/// A move of an application to another stage.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    pub to: ApplicationStatus,
    /// Required when moving to `interview`.
    #[serde(default)]
    pub interview_at: Option<DateTime<FixedOffset>>,
    /// Required when moving to `interview`.
    #[serde(default)]
    pub interview_place: Option<String>,
    /// Optional reason, told to the seeker, when rejecting.
    #[serde(default)]
    pub reason: Option<String>,
}

async fn record_event<C: ConnectionTrait>(
    db: &C,
    app: Uuid,
    from: Option<ApplicationStatus>,
    to: ApplicationStatus,
    actor: Uuid,
    detail: Option<serde_json::Value>,
) -> Result<(), DomainError> {
    application_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(app),
        from_status: Set(from),
        to_status: Set(to),
        actor_id: Set(actor),
        detail: Set(detail),
        at: Set(time::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Puts a notice in the inbox of every member of `business`.
pub async fn notify_members<C: ConnectionTrait>(
    db: &C,
    business: Uuid,
    kind: &str,
    title: String,
    body: String,
    data: serde_json::Value,
) -> Result<(), DomainError> {
    for member in businesses::members(db, business).await? {
        inbox::notify(
            db,
            member.account_id,
            kind,
            title.clone(),
            body.clone(),
            data.clone(),
        )
        .await?;
    }
    Ok(())
}

fn already_applied() -> DomainError {
    DomainError::conflict(
        ErrorCode::AlreadyApplied,
        "you have already applied to this posting",
    )
}

/// A seeker applies to an open posting. Applying shares their contact details with the
/// business (recorded as consent).
pub async fn apply<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    posting_id: Uuid,
    input: ApplyInput,
) -> Result<application::Model, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let created = apply_within(&txn, actor, posting_id, input).await?;
    txn.commit().await?;
    Ok(created)
}

/// [`apply`] inside the caller's write transaction (e.g. an application made at a job
/// fair's booth, recorded with it).
pub async fn apply_within<C: ConnectionTrait>(
    txn: &C,
    actor: &Principal,
    posting_id: Uuid,
    input: ApplyInput,
) -> Result<application::Model, DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden("only seekers apply"));
    }
    let note = bounded(&input.note, 0, 500)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("note", e)))?;
    let found = posting::Entity::find_by_id(posting_id)
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound("posting"))?;
    let business = businesses::find(txn, found.business_id).await?;
    if !postings::is_public(&found, &business, time::now()) {
        return Err(DomainError::NotFound("posting"));
    }
    let exists = application::Entity::find()
        .filter(application::Column::PostingId.eq(posting_id))
        .filter(application::Column::SeekerId.eq(actor.account_id))
        .one(txn)
        .await?;
    if exists.is_some() {
        return Err(already_applied());
    }
    let graduation_year = crate::entities::seeker_profile::Entity::find_by_id(actor.account_id)
        .one(txn)
        .await?
        .and_then(|p| p.graduation_year);
    let now = time::now();
    let inserted = application::ActiveModel {
        id: Set(Uuid::now_v7()),
        posting_id: Set(posting_id),
        business_id: Set(found.business_id),
        district_id: Set(found.district_id),
        seeker_id: Set(actor.account_id),
        status: Set(S::Submitted),
        note: Set(note),
        interview_at: Set(None),
        interview_place: Set(None),
        rejection_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        graduation_year: Set(graduation_year),
        anonymised_at: Set(None),
    }
    .insert(txn)
    .await;
    let created = match inserted {
        Ok(created) => created,
        // Two taps at once: the unique index keeps one.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(already_applied());
        }
        Err(err) => return Err(err.into()),
    };
    record_event(txn, created.id, None, S::Submitted, actor.account_id, None).await?;
    // What came of a match (applied, hired) is stored on it, so the quality of pushed
    // matches can be measured by apply and hire rates.
    let pair = matches::Which::Pair {
        posting: posting_id,
        seeker: actor.account_id,
    };
    matches::advance(txn, pair, MatchStatus::Applied, matches::Reason::Keep).await?;
    profiles::record_consent(
        txn,
        actor.account_id,
        found.business_id,
        "application",
        Some(created.id),
    )
    .await?;
    notify_members(
        txn,
        found.business_id,
        "application_received",
        format!("新的求职申请：{}", found.title),
        "有求职者申请了你的岗位。".into(),
        json!({"application_id": created.id, "posting_id": posting_id}),
    )
    .await?;
    outbox::record(
        txn,
        Aggregate::Application,
        created.id,
        "created",
        json!({"posting_id": posting_id, "seeker_id": actor.account_id, "status": S::Submitted}),
    )
    .await?;
    Ok(created)
}

/// How the actor relates to an application: its seeker, a member of its business, or an
/// officer. Anyone else is told it does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Party(Side),
    Officer,
}

async fn relation<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    app: &application::Model,
) -> Result<Relation, DomainError> {
    match actor.role {
        Role::Seeker if app.seeker_id == actor.account_id => Ok(Relation::Party(Side::Seeker)),
        Role::Merchant
            if business_member::Entity::find_by_id((app.business_id, actor.account_id))
                .one(db)
                .await?
                .is_some() =>
        {
            Ok(Relation::Party(Side::Merchant))
        }
        Role::Officer | Role::Admin
            if crate::districts::scope_of(db, actor)
                .await?
                .covers(app.district_id) =>
        {
            Ok(Relation::Officer)
        }
        _ => Err(DomainError::NotFound("application")),
    }
}

async fn load<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<application::Model, DomainError> {
    application::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("application"))
}

/// An application with its history, for its seeker, its business's members, or an officer.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    reason: Option<&str>,
) -> Result<(application::Model, Vec<application_event::Model>), DomainError> {
    let app = load(db, id).await?;
    if relation(db, actor, &app).await? == Relation::Officer {
        // Officers read the record (it outlives the seeker's account) with a stated reason.
        let reason = audit::parse_reason(reason)?;
        audit::record(
            db,
            actor.account_id,
            Some(app.seeker_id),
            "read_application",
            ("application", app.id),
            &reason,
        )
        .await?;
    }
    let events = application_event::Entity::find()
        .filter(application_event::Column::ApplicationId.eq(id))
        .order_by_asc(application_event::Column::Id)
        .all(db)
        .await?;
    Ok((app, events))
}

pub async fn transition<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: TransitionInput,
) -> Result<application::Model, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let app = load(&txn, id).await?;
    let side = match relation(&txn, actor, &app).await? {
        Relation::Party(side) => side,
        Relation::Officer => {
            return Err(DomainError::forbidden(
                "only the seeker and the business act on an application",
            ));
        }
    };
    let to = input.to;
    // Past its retention the record is kept for the figures only: nobody to tell, nothing
    // left to decide.
    if app.anonymised_at.is_some() {
        return Err(DomainError::conflict(
            ErrorCode::ApplicationAnonymised,
            "this application is past its retention and kept only as an anonymous record",
        ));
    }
    if !allowed(side, app.status, to) {
        if side == Side::Seeker && !app.status.is_final() {
            return Err(DomainError::forbidden(
                "a seeker can only withdraw an application",
            ));
        }
        return Err(DomainError::conflict(
            ErrorCode::IllegalTransition,
            format!(
                "an application that is {} cannot move to {}",
                app.status, to
            ),
        ));
    }
    let mut errors = ValidationErrors::new();
    let mut active: application::ActiveModel = app.clone().into();
    let mut detail = None;
    match to {
        S::Interview => {
            let at: Option<DateTime<Utc>> = match input.interview_at {
                Some(at) if at.with_timezone(&Utc) > time::now() => Some(at.with_timezone(&Utc)),
                Some(_) => {
                    errors.push(
                        "interview_at",
                        Invalid::new(ErrorCode::InThePast, "the interview must be in the future"),
                    );
                    None
                }
                None => {
                    errors.push(
                        "interview_at",
                        Invalid::new(ErrorCode::Required, "an interview needs a time"),
                    );
                    None
                }
            };
            let place = match &input.interview_place {
                Some(place) => errors.check("interview_place", bounded(place, 1, 200)),
                None => {
                    errors.push(
                        "interview_place",
                        Invalid::new(ErrorCode::Required, "an interview needs a place"),
                    );
                    None
                }
            };
            if let (Some(at), Some(place)) = (at, place) {
                detail =
                    Some(json!({"interview_at": time::to_display(at), "interview_place": place}));
                active.interview_at = Set(Some(at));
                active.interview_place = Set(Some(place));
            }
        }
        S::Rejected => {
            if let Some(reason) = &input.reason
                && let Some(reason) = errors.check("reason", bounded(reason, 1, 500))
            {
                detail = Some(json!({"reason": reason}));
                active.rejection_reason = Set(Some(reason));
            }
        }
        _ => {}
    }
    errors.into_result()?;
    active.status = Set(to);
    active.updated_at = Set(time::now());
    let updated = active.update(&txn).await?;
    if to == S::Hired {
        let pair = matches::Which::Pair {
            posting: app.posting_id,
            seeker: app.seeker_id,
        };
        matches::advance(&txn, pair, MatchStatus::Hired, matches::Reason::Keep).await?;
    }
    record_event(
        &txn,
        id,
        Some(app.status),
        to,
        actor.account_id,
        detail.clone(),
    )
    .await?;
    let posting_title = posting::Entity::find_by_id(app.posting_id)
        .one(&txn)
        .await?
        .map(|p| p.title)
        .unwrap_or_default();
    let data =
        json!({"application_id": id, "posting_id": app.posting_id, "status": to, "detail": detail});
    match side {
        Side::Merchant => {
            let body = match to {
                S::Viewed => "商户已查看你的申请。".to_owned(),
                S::Shortlisted => "你已进入候选名单。".to_owned(),
                S::Interview => format!(
                    "面试时间：{}，地点：{}",
                    updated
                        .interview_at
                        .map(|t| time::to_display(t).format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_default(),
                    updated.interview_place.clone().unwrap_or_default()
                ),
                S::Offered => "恭喜，商户向你发出了录用意向。".to_owned(),
                S::Hired => "恭喜，你已被录用！".to_owned(),
                S::Rejected => format!(
                    "很遗憾，本次申请未通过。{}",
                    updated.rejection_reason.clone().unwrap_or_default()
                ),
                _ => String::new(),
            };
            inbox::notify(
                &txn,
                app.seeker_id,
                "application_updated",
                format!("申请进展：{posting_title}"),
                body,
                data,
            )
            .await?;
        }
        Side::Seeker => {
            notify_members(
                &txn,
                app.business_id,
                "application_withdrawn",
                format!("求职者撤回了申请：{posting_title}"),
                "该申请已撤回。".into(),
                data,
            )
            .await?;
        }
    }
    outbox::record(
        &txn,
        Aggregate::Application,
        id,
        "status_changed",
        json!({"status": to}),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The actor's own applications, newest first.
pub async fn list_for_seeker<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    status: Option<ApplicationStatus>,
    page: PageRequest<Uuid>,
) -> Result<Page<application::Model>, DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden(
            "only seekers have applications of their own",
        ));
    }
    let mut query = application::Entity::find()
        .filter(application::Column::SeekerId.eq(actor.account_id))
        .order_by_desc(application::Column::Id);
    if let Some(status) = status {
        query = query.filter(application::Column::Status.eq(status));
    }
    if let Some(before) = page.after {
        query = query.filter(application::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |a| a.id))
}

/// Applications to one posting, for members of its business, oldest first.
pub async fn list_for_posting<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    posting_id: Uuid,
    status: Option<ApplicationStatus>,
    page: PageRequest<Uuid>,
) -> Result<Page<application::Model>, DomainError> {
    postings::as_member(db, actor, posting_id).await?;
    let mut query = application::Entity::find()
        .filter(application::Column::PostingId.eq(posting_id))
        .order_by_asc(application::Column::Id);
    if let Some(status) = status {
        query = query.filter(application::Column::Status.eq(status));
    }
    if let Some(after) = page.after {
        query = query.filter(application::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |a| a.id))
}

/// Who applied, as a merchant sees them: applying shared their name and phone.
#[derive(Debug, Clone)]
pub struct Applicant {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// The applicants behind `seekers`, by account id.
pub async fn applicants<C: ConnectionTrait>(
    db: &C,
    seekers: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Applicant>, DomainError> {
    use crate::entities::{account, seeker_profile};
    let accounts = account::Entity::find()
        .filter(account::Column::Id.is_in(seekers.to_vec()))
        .all(db)
        .await?;
    let profiles = seeker_profile::Entity::find()
        .filter(seeker_profile::Column::AccountId.is_in(seekers.to_vec()))
        .all(db)
        .await?;
    Ok(accounts
        .into_iter()
        .map(|a| {
            let name = profiles
                .iter()
                .find(|p| p.account_id == a.id && !p.full_name.is_empty())
                .map(|p| p.full_name.clone())
                .unwrap_or(a.display_name);
            (
                a.id,
                Applicant {
                    name,
                    phone: a.phone,
                    email: a.email,
                },
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merchant_moves_one_stage_at_a_time_or_rejects() {
        assert!(allowed(Side::Merchant, S::Submitted, S::Viewed));
        assert!(allowed(Side::Merchant, S::Offered, S::Hired));
        assert!(allowed(Side::Merchant, S::Interview, S::Rejected));
        assert!(!allowed(Side::Merchant, S::Submitted, S::Hired));
        assert!(!allowed(Side::Merchant, S::Shortlisted, S::Viewed));
        assert!(!allowed(Side::Merchant, S::Hired, S::Rejected));
        assert!(!allowed(Side::Merchant, S::Viewed, S::Withdrawn));
    }

    #[test]
    fn seeker_only_withdraws_open_applications() {
        assert!(allowed(Side::Seeker, S::Interview, S::Withdrawn));
        assert!(!allowed(Side::Seeker, S::Submitted, S::Viewed));
        assert!(!allowed(Side::Seeker, S::Rejected, S::Withdrawn));
        assert!(!allowed(Side::Seeker, S::Withdrawn, S::Withdrawn));
    }
}
