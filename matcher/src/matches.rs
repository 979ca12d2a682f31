//! Reading matches and recording what people did with them.

use doorstep_domain::auth::Principal;
use doorstep_domain::db::begin_write;
use doorstep_domain::entities::{business, job_match, posting, seeker_profile};
use doorstep_domain::matches::{self, Reason, Which};
use doorstep_domain::types::{MatchStatus, Role, Visibility};
use doorstep_domain::{DomainError, applications, postings, time};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession,
};
use uuid::Uuid;

/// A match as its seeker sees it.
#[derive(Debug, Clone)]
pub struct SeekerMatch {
    pub m: job_match::Model,
    pub posting: posting::Model,
    pub business: business::Model,
}

/// A candidate as the merchant sees them: no contact details, no home.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub m: job_match::Model,
    pub profile: seeker_profile::Model,
}

/// The seeker's matches, best first, without dismissed ones or postings no longer open.
pub async fn for_seeker<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    limit: u64,
) -> Result<Vec<SeekerMatch>, DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden("matches for a seeker"));
    }
    let rows = job_match::Entity::find()
        .filter(job_match::Column::SeekerId.eq(actor.account_id))
        .filter(job_match::Column::Status.ne(MatchStatus::Dismissed))
        .order_by_desc(job_match::Column::Score)
        .limit(limit * 2)
        .all(db)
        .await?;
    // Two queries for all rows' postings and businesses, not two per row.
    let postings = posting::Entity::find()
        .filter(posting::Column::Id.is_in(rows.iter().map(|m| m.posting_id)))
        .all(db)
        .await?;
    let businesses = business::Entity::find()
        .filter(business::Column::Id.is_in(postings.iter().map(|p| p.business_id)))
        .all(db)
        .await?;
    let now = time::now();
    let out = rows
        .into_iter()
        .filter_map(|m| {
            let p = postings.iter().find(|p| p.id == m.posting_id)?;
            let b = businesses.iter().find(|b| b.id == p.business_id)?;
            postings::is_public(p, b, now).then(|| SeekerMatch {
                m,
                posting: p.clone(),
                business: b.clone(),
            })
        })
        .take(limit as usize)
        .collect();
    Ok(out)
}

/// Recommended candidates for one of the merchant's postings: public profiles only.
pub async fn for_posting<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    posting_id: Uuid,
    limit: u64,
) -> Result<Vec<Candidate>, DomainError> {
    postings::as_member(db, actor, posting_id).await?;
    let rows = job_match::Entity::find()
        .filter(job_match::Column::PostingId.eq(posting_id))
        .filter(job_match::Column::Status.ne(MatchStatus::Dismissed))
        .order_by_desc(job_match::Column::Score)
        .limit(limit * 2)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for m in rows {
        let Some(profile) = seeker_profile::Entity::find_by_id(m.seeker_id)
            .one(db)
            .await?
        else {
            continue;
        };
        if profile.visibility == Visibility::Public && profile.personalised_matching {
            out.push(Candidate { m, profile });
        }
        if out.len() as u64 >= limit {
            break;
        }
    }
    Ok(out)
}

/// What a seeker did with a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feedback {
    Save,
    Dismiss,
    Applied,
}

/// Records the seeker's feedback on their own match; a dismissed match is never pushed
/// again, and applying from a match files the application (with `note`) first. The
/// application and the match's new status commit together, or neither does.
pub async fn feedback<C: sea_orm::TransactionTrait + ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    what: Feedback,
    reason: Option<String>,
    note: String,
) -> Result<job_match::Model, DomainError> {
    let txn = begin_write(db).await?;
    let m = job_match::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|m| actor.role == Role::Seeker && m.seeker_id == actor.account_id)
        .ok_or(DomainError::NotFound("match"))?;
    if what == Feedback::Applied {
        applications::apply_within(&txn, actor, m.posting_id, applications::ApplyInput { note })
            .await?;
    }
    let status = match what {
        Feedback::Save => MatchStatus::Saved,
        Feedback::Dismiss => MatchStatus::Dismissed,
        Feedback::Applied => MatchStatus::Applied,
    };
    matches::advance(&txn, Which::Id(m.id), status, Reason::Set(reason)).await?;
    let updated = job_match::Entity::find_by_id(m.id)
        .one(&txn)
        .await?
        .unwrap_or(m);
    txn.commit().await?;
    Ok(updated)
}
