//! Invitations: a merchant who found a suitable public profile invites the seeker to apply
//! to a posting. The merchant still sees no contact details; accepting the invitation is
//! the seeker's consent to share them with that business (a consent row), declining is not.

use crate::ErrorCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::invitation;
use crate::pagination::{Page, PageRequest};
use crate::types::{InvitationStatus, Role, Visibility, bounded};
use crate::{
    DomainError, ValidationErrors, accounts, applications, inbox, postings, profiles, time,
};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    /// The seeker's account id (from their profile).
    pub seeker_id: Uuid,
    /// A short message (up to 300 characters).
    #[serde(default)]
    pub message: String,
}

fn duplicate() -> DomainError {
    DomainError::conflict(
        ErrorCode::AlreadyInvited,
        "this seeker is already invited to this posting",
    )
}

/// Invites a seeker with a public profile to apply to one of the actor's open postings.
pub async fn invite<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    posting_id: Uuid,
    input: InviteInput,
) -> Result<invitation::Model, DomainError> {
    if actor.role != Role::Merchant {
        return Err(DomainError::forbidden("only merchants invite"));
    }
    let message = bounded(&input.message, 0, 300)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("message", e)))?;
    let txn = crate::db::begin_write(db).await?;
    let (found, business) = postings::as_member(&txn, actor, posting_id).await?;
    if !postings::is_public(&found, &business, time::now()) {
        return Err(DomainError::conflict(
            ErrorCode::PostingNotOpen,
            "only open postings of verified businesses invite",
        ));
    }
    // Only a seeker the merchant may see at all: a public, living profile.
    let profile = profiles::find(&txn, input.seeker_id).await?;
    let seeker = accounts::find(&txn, input.seeker_id).await?;
    if profile.visibility != Visibility::Public || seeker.deleted_at.is_some() {
        return Err(DomainError::NotFound("profile"));
    }
    let inserted = invitation::ActiveModel {
        id: Set(Uuid::now_v7()),
        posting_id: Set(posting_id),
        business_id: Set(found.business_id),
        seeker_id: Set(input.seeker_id),
        invited_by: Set(actor.account_id),
        message: Set(message.clone()),
        status: Set(InvitationStatus::Pending),
        created_at: Set(time::now()),
        responded_at: Set(None),
    }
    .insert(&txn)
    .await;
    let created = match inserted {
        Ok(created) => created,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(duplicate());
        }
        Err(err) => return Err(err.into()),
    };
    inbox::notify(
        &txn,
        input.seeker_id,
        "invitation_received",
        format!("{} 邀请你申请：{}", business.name, found.title),
        message,
        json!({"invitation_id": created.id, "posting_id": posting_id}),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// The actor's invitations, newest first.
pub async fn list_for_seeker<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    status: Option<InvitationStatus>,
    page: PageRequest<Uuid>,
) -> Result<Page<invitation::Model>, DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden("only seekers receive invitations"));
    }
    let mut query = invitation::Entity::find()
        .filter(invitation::Column::SeekerId.eq(actor.account_id))
        .order_by_desc(invitation::Column::Id);
    if let Some(status) = status {
        query = query.filter(invitation::Column::Status.eq(status));
    }
    if let Some(before) = page.after {
        query = query.filter(invitation::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |i| i.id))
}

/// The seeker accepts (sharing contact details with the business) or declines.
pub async fn respond<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    accept: bool,
) -> Result<invitation::Model, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let current = invitation::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|i| i.seeker_id == actor.account_id)
        .ok_or(DomainError::NotFound("invitation"))?;
    if current.status != InvitationStatus::Pending {
        return Err(DomainError::conflict(
            ErrorCode::AlreadyAnswered,
            "this invitation was already answered",
        ));
    }
    let status = if accept {
        InvitationStatus::Accepted
    } else {
        InvitationStatus::Declined
    };
    let mut active: invitation::ActiveModel = current.clone().into();
    active.status = Set(status);
    active.responded_at = Set(Some(time::now()));
    let updated = active.update(&txn).await?;
    if accept {
        profiles::record_consent(
            &txn,
            actor.account_id,
            current.business_id,
            "invitation",
            None,
        )
        .await?;
    }
    let (title, body) = if accept {
        ("求职者接受了你的邀请", "对方已同意向你的商户公开联系方式。")
    } else {
        ("求职者婉拒了你的邀请", "")
    };
    applications::notify_members(
        &txn,
        current.business_id,
        "invitation_answered",
        title.to_owned(),
        body.to_owned(),
        json!({"invitation_id": id, "posting_id": current.posting_id, "status": status}),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
