//! Ratings after a completed shift: the merchant rates the worker and the worker the
//! business, 1 to 5 stars with optional tags from a fixed list per side. Neither sees the
//! other's rating until both have rated or the rating window (7 days after the shift's
//! end) has passed, so neither rates in reply to the other.

use crate::ErrorCode;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, SqlErr,
    TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::claims::{Party, party};
use super::notices::{self, Notice};
use super::shifts::tell_members;
use super::{RATING_WINDOW_DAYS, load_claim, load_shift};
use crate::auth::Principal;
use crate::entities::{shift, shift_claim, shift_rating};
use crate::types::{ClaimStatus, RatingSide, StringList, bounded};
use crate::{DomainError, Invalid, ValidationErrors};

/// Tags a merchant may give a worker.
pub const WORKER_TAGS: [&str; 6] = [
    "准时",
    "态度好",
    "做事麻利",
    "认真负责",
    "沟通顺畅",
    "愿意再合作",
];
/// Tags a worker may give a business.
pub const BUSINESS_TAGS: [&str; 6] = [
    "结算及时",
    "态度好",
    "安排清楚",
    "环境好",
    "准时开工",
    "与描述一致",
];

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingInput {
    /// 1 to 5.
    pub stars: i16,
    /// From the rater's side's list: a merchant rating a worker 准时, 态度好, 做事麻利,
    /// 认真负责, 沟通顺畅, 愿意再合作; a worker rating a business 结算及时, 态度好,
    /// 安排清楚, 环境好, 准时开工, 与描述一致.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Up to 300 characters.
    #[serde(default)]
    pub comment: String,
}

impl RatingInput {
    fn validate(&self, side: RatingSide) -> Result<(StringList, String), DomainError> {
        let mut errors = ValidationErrors::new();
        if !(1..=5).contains(&self.stars) {
            errors.push("stars", Invalid::new(ErrorCode::OutOfRange, "1 to 5 stars"));
        }
        let allowed: &[&str] = match side {
            RatingSide::Merchant => &WORKER_TAGS,
            RatingSide::Seeker => &BUSINESS_TAGS,
        };
        let mut tags: Vec<String> = Vec::new();
        for (i, tag) in self.tags.iter().enumerate() {
            let tag = tag.trim();
            if !allowed.contains(&tag) {
                errors.push(
                    format!("tags[{i}]"),
                    Invalid::new(
                        ErrorCode::UnknownTag,
                        format!("choose from: {}", allowed.join("、")),
                    ),
                );
            } else if !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_owned());
            }
        }
        let comment = errors.check("comment", bounded(&self.comment, 0, 300));
        errors.into_result()?;
        Ok((StringList(tags), comment.unwrap_or_default()))
    }
}

/// Whether the worker did the shift: checked out, settled, or checked in on a shift that
/// has ended.
pub fn worked(claim: &shift_claim::Model, shift: &shift::Model, now: DateTime<Utc>) -> bool {
    match claim.status {
        ClaimStatus::Completed => true,
        ClaimStatus::CheckedIn => shift.ends_at <= now,
        _ => false,
    }
}

fn window_ends(shift: &shift::Model) -> DateTime<Utc> {
    shift.ends_at + Duration::days(RATING_WINDOW_DAYS)
}

/// The actor rates the other side of a claim they are party to.
pub async fn rate<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    claim_id: Uuid,
    input: RatingInput,
    now: DateTime<Utc>,
) -> Result<shift_rating::Model, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let claim = load_claim(&txn, claim_id).await?;
    let side = match party(&txn, actor, &claim).await? {
        Party::Seeker => RatingSide::Seeker,
        Party::Merchant => RatingSide::Merchant,
        Party::Officer => {
            return Err(DomainError::forbidden(
                "only the worker and the business rate a shift",
            ));
        }
    };
    let (tags, comment) = input.validate(side)?;
    let shift = load_shift(&txn, claim.shift_id).await?;
    if !worked(&claim, &shift, now) {
        return Err(DomainError::conflict(
            ErrorCode::NotCompleted,
            "a shift is rated once it has been worked",
        ));
    }
    if now > window_ends(&shift) {
        return Err(DomainError::conflict(
            ErrorCode::RatingWindowClosed,
            format!("ratings are given within {RATING_WINDOW_DAYS} days of the shift"),
        ));
    }
    let inserted = shift_rating::ActiveModel {
        id: Set(Uuid::now_v7()),
        claim_id: Set(claim_id),
        shift_id: Set(shift.id),
        business_id: Set(claim.business_id),
        seeker_id: Set(claim.seeker_id),
        side: Set(side),
        rater_id: Set(actor.account_id),
        stars: Set(input.stars),
        tags: Set(tags),
        comment: Set(comment),
        created_at: Set(now),
    }
    .insert(&txn)
    .await;
    let created = match inserted {
        Ok(created) => created,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(DomainError::conflict(
                ErrorCode::AlreadyRated,
                "this shift is already rated from your side",
            ));
        }
        Err(err) => return Err(err.into()),
    };
    let data = json!({"claim_id": claim_id});
    let title = "对方已评价本次班次".to_owned();
    let body = "你也评价后即可看到对方的评价（或班次结束7天后公开）。".to_owned();
    match side {
        RatingSide::Merchant => {
            notices::enqueue(
                &txn,
                Notice::now(claim.seeker_id, "shift_rated", title, body, data),
            )
            .await?
        }
        RatingSide::Seeker => {
            tell_members(&txn, claim.business_id, "shift_rated", title, body, data).await?
        }
    }
    txn.commit().await?;
    Ok(created)
}

/// Both ratings of a claim as one side sees them.
#[derive(Debug, Clone)]
pub struct RatingsSeen {
    pub mine: Option<shift_rating::Model>,
    /// The other side's rating, once revealed.
    pub theirs: Option<shift_rating::Model>,
    /// Whether the other side has rated (even while hidden).
    pub theirs_given: bool,
    /// When hidden ratings are shown regardless.
    pub revealed_at: DateTime<Utc>,
}

/// Whether a rating is shown to the other side: both rated, or the window has passed.
pub fn revealed(both_rated: bool, shift: &shift::Model, now: DateTime<Utc>) -> bool {
    both_rated || now > window_ends(shift)
}

/// The ratings of a claim for one of its parties (officers see both).
pub async fn seen_by<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    claim_id: Uuid,
    now: DateTime<Utc>,
) -> Result<RatingsSeen, DomainError> {
    let claim = load_claim(db, claim_id).await?;
    let mine_side = match party(db, actor, &claim).await? {
        Party::Seeker => RatingSide::Seeker,
        Party::Merchant | Party::Officer => RatingSide::Merchant,
    };
    let shift = load_shift(db, claim.shift_id).await?;
    let ratings = shift_rating::Entity::find()
        .filter(shift_rating::Column::ClaimId.eq(claim_id))
        .all(db)
        .await?;
    let mine = ratings.iter().find(|r| r.side == mine_side).cloned();
    let other = ratings.iter().find(|r| r.side != mine_side).cloned();
    let show = revealed(ratings.len() == 2, &shift, now)
        || party(db, actor, &claim).await? == Party::Officer;
    Ok(RatingsSeen {
        mine,
        theirs_given: other.is_some(),
        theirs: other.filter(|_| show),
        revealed_at: window_ends(&shift),
    })
}

/// A worker's received ratings that are revealed: (count, sum of stars).
pub async fn received_by_worker<C: ConnectionTrait>(
    db: &C,
    seeker: Uuid,
    now: DateTime<Utc>,
) -> Result<(u32, u32), DomainError> {
    let ratings = shift_rating::Entity::find()
        .filter(shift_rating::Column::SeekerId.eq(seeker))
        .all(db)
        .await?;
    let shift_ids: Vec<Uuid> = ratings.iter().map(|r| r.shift_id).collect();
    let shifts = shift::Entity::find()
        .filter(shift::Column::Id.is_in(shift_ids))
        .all(db)
        .await?;
    let mut count = 0;
    let mut stars = 0;
    for r in ratings.iter().filter(|r| r.side == RatingSide::Merchant) {
        let both = ratings
            .iter()
            .any(|o| o.claim_id == r.claim_id && o.side == RatingSide::Seeker);
        let Some(shift) = shifts.iter().find(|s| s.id == r.shift_id) else {
            continue;
        };
        if revealed(both, shift, now) {
            count += 1;
            stars += r.stars.max(0) as u32;
        }
    }
    Ok((count, stars))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(stars: i16, tags: &[&str]) -> RatingInput {
        RatingInput {
            stars,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            comment: String::new(),
        }
    }

    #[test]
    fn tags_come_from_the_raters_list() {
        let (tags, _) = input(5, &["准时", "准时", " 愿意再合作"])
            .validate(RatingSide::Merchant)
            .unwrap();
        assert_eq!(tags.0, ["准时", "愿意再合作"]);
        assert!(input(4, &["结算及时"]).validate(RatingSide::Seeker).is_ok());
        // 结算及时 describes a business, not a worker.
        assert!(
            input(4, &["结算及时"])
                .validate(RatingSide::Merchant)
                .is_err()
        );
        assert!(input(0, &[]).validate(RatingSide::Seeker).is_err());
        assert!(input(6, &[]).validate(RatingSide::Seeker).is_err());
    }

    #[test]
    fn a_rating_shows_once_both_rated_or_the_window_passed() {
        let end = DateTime::parse_from_rfc3339("2026-11-28T18:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let shift = shift::Model {
            id: Uuid::nil(),
            posting_id: Uuid::nil(),
            business_id: Uuid::nil(),
            starts_at: end - Duration::hours(8),
            ends_at: end,
            places: 1,
            claimed: 1,
            pay_fen: 2500,
            pay_unit: crate::types::ShiftPayUnit::Hour,
            break_minutes: 0,
            address: String::new(),
            lat: 0.0,
            lon: 0.0,
            geofence_m: 200,
            status: crate::types::ShiftStatus::Open,
            favourites_until: None,
            opened_at: None,
            changed_at: None,
            cancel_reason: None,
            created_by: Uuid::nil(),
            created_at: end,
            updated_at: end,
        };
        let day = Duration::days(1);
        assert!(!revealed(false, &shift, end + day));
        assert!(revealed(true, &shift, end + day));
        assert!(!revealed(false, &shift, end + day * 7));
        assert!(revealed(
            false,
            &shift,
            end + day * 7 + Duration::seconds(1)
        ));
    }
}
