//! At the booth: the merchant records what came of each visitor (met, interview, offer,
//! hire), and a seeker applies on the spot to one of the booth's postings through the
//! ordinary application pipeline (consent, notices, change event), the application being
//! marked as made at the fair.

use crate::ErrorCode;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionSession,
    TransactionTrait,
};
use serde::Deserialize;
use uuid::Uuid;

use super::booths;
use super::status::{BoothOutcome, BoothStatus, FairStatus, RegistrationStatus};
use crate::applications::{self, ApplyInput};
use crate::auth::Principal;
use crate::entities::{
    application, fair_application, fair_booth, fair_booth_posting, fair_booth_visit,
    fair_registration,
};
use crate::types::Role;
use crate::{DomainError, Invalid, ValidationErrors, time};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    /// The visitor (from the booth's schedule or a scan).
    pub seeker_id: Uuid,
    /// How far it went: `met`, `interview`, `offer` or `hire`.
    pub outcome: BoothOutcome,
    /// Which of the booth's postings it was about, if one.
    #[serde(default)]
    pub posting_id: Option<Uuid>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoothApplyInput {
    /// One of the booth's postings.
    pub posting_id: Uuid,
    /// A short note to the merchant (up to 500 characters).
    #[serde(default)]
    pub note: String,
}

fn not_at_booth(field: &str) -> DomainError {
    DomainError::Validation(ValidationErrors::single(
        field,
        Invalid::new(ErrorCode::NotAtBooth, "not one of this booth's postings"),
    ))
}

async fn is_booth_posting<C: sea_orm::ConnectionTrait>(
    db: &C,
    booth: Uuid,
    posting: Uuid,
) -> Result<bool, DomainError> {
    Ok(fair_booth_posting::Entity::find_by_id((booth, posting))
        .one(db)
        .await?
        .is_some())
}

fn require_running(status: FairStatus) -> Result<(), DomainError> {
    if status.is_live() || status == FairStatus::Finished {
        Ok(())
    } else {
        Err(DomainError::conflict(
            ErrorCode::FairNotOpen,
            format!("the fair is {status}"),
        ))
    }
}

/// A member of the booth's business (or an officer) records how far a visitor got.
pub async fn record<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
    booth_id: Uuid,
    input: OutcomeInput,
) -> Result<fair_booth_visit::Model, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let booth = booths::as_member(&txn, actor, fair_id, booth_id).await?;
    let f = super::find(&txn, fair_id).await?;
    require_running(f.status)?;
    if booth.status != BoothStatus::Approved {
        return Err(DomainError::conflict(
            ErrorCode::BoothNotApproved,
            "this booth is not approved",
        ));
    }
    if let Some(posting) = input.posting_id
        && !is_booth_posting(&txn, booth.id, posting).await?
    {
        return Err(not_at_booth("posting_id"));
    }
    let registration = fair_registration::Entity::find()
        .filter(fair_registration::Column::FairId.eq(fair_id))
        .filter(fair_registration::Column::SeekerId.eq(input.seeker_id))
        .filter(fair_registration::Column::Status.eq(RegistrationStatus::Registered))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("registration"))?;
    let now = time::now();
    fair_booth_visit::Entity::insert(fair_booth_visit::ActiveModel {
        id: Set(Uuid::now_v7()),
        fair_id: Set(fair_id),
        booth_id: Set(booth.id),
        seeker_id: Set(input.seeker_id),
        registration_id: Set(registration.id),
        scanned_at: Set(None),
        outcome: Set(Some(input.outcome)),
        posting_id: Set(input.posting_id),
        outcome_at: Set(Some(now)),
        recorded_by: Set(Some(actor.account_id)),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            fair_booth_visit::Column::BoothId,
            fair_booth_visit::Column::SeekerId,
        ])
        .update_columns([
            fair_booth_visit::Column::Outcome,
            fair_booth_visit::Column::PostingId,
            fair_booth_visit::Column::OutcomeAt,
            fair_booth_visit::Column::RecordedBy,
        ])
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let saved = fair_booth_visit::Entity::find()
        .filter(fair_booth_visit::Column::BoothId.eq(booth.id))
        .filter(fair_booth_visit::Column::SeekerId.eq(input.seeker_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("visit"))?;
    txn.commit().await?;
    Ok(saved)
}

/// A registered seeker applies at the booth to one of its postings.
pub async fn apply_at_booth<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
    booth_id: Uuid,
    input: BoothApplyInput,
) -> Result<application::Model, DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden("only seekers apply"));
    }
    let txn = crate::db::begin_write(db).await?;
    let f = super::visible(&txn, Some(actor), fair_id).await?;
    super::require_live(&f)?;
    let booth = fair_booth::Entity::find_by_id(booth_id)
        .one(&txn)
        .await?
        .filter(|b| b.fair_id == fair_id && b.status == BoothStatus::Approved)
        .ok_or(DomainError::NotFound("booth"))?;
    fair_registration::Entity::find()
        .filter(fair_registration::Column::FairId.eq(fair_id))
        .filter(fair_registration::Column::SeekerId.eq(actor.account_id))
        .filter(fair_registration::Column::Status.eq(RegistrationStatus::Registered))
        .one(&txn)
        .await?
        .ok_or_else(|| {
            DomainError::conflict(
                ErrorCode::NotRegistered,
                "register for the fair before applying at its booths",
            )
        })?;
    if !is_booth_posting(&txn, booth.id, input.posting_id).await? {
        return Err(not_at_booth("posting_id"));
    }
    let created = applications::apply_within(
        &txn,
        actor,
        input.posting_id,
        ApplyInput { note: input.note },
    )
    .await?;
    fair_application::ActiveModel {
        application_id: Set(created.id),
        fair_id: Set(fair_id),
        booth_id: Set(booth.id),
        posting_id: Set(input.posting_id),
        seeker_id: Set(actor.account_id),
        created_at: Set(time::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(created)
}
