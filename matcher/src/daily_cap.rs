//! The seeker's daily cap on what is announced to them, one definition for pushed matches
//! and gig notices: a local day's announcements are the matches pushed (once each, on
//! however many channels) plus the non-urgent gig notices delivered, and one more goes out
//! only below `daily_push_cap`. A match already announced today goes out on its other
//! channels regardless.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use doorstep_domain::entities::{gig_notice, push};
use doorstep_domain::time;
use doorstep_domain::types::{NoticeStatus, PushStatus};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

/// What an account was announced on the local day of `now`.
#[derive(Debug, Clone, Default)]
pub struct Announced {
    matches: BTreeSet<Uuid>,
    notices: u64,
}

impl Announced {
    pub async fn today<C: ConnectionTrait>(
        db: &C,
        account: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Self, DbErr> {
        let since = time::start_of_local_day(now);
        let matches = push::Entity::find()
            .filter(push::Column::AccountId.eq(account))
            .filter(push::Column::Status.eq(PushStatus::Sent))
            .filter(push::Column::SentAt.gte(since))
            .select_only()
            .column(push::Column::MatchId)
            .into_tuple::<Uuid>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let notices = gig_notice::Entity::find()
            .filter(gig_notice::Column::AccountId.eq(account))
            .filter(gig_notice::Column::Status.eq(NoticeStatus::Sent))
            .filter(gig_notice::Column::Urgent.eq(false))
            .filter(gig_notice::Column::SentAt.gte(since))
            .count(db)
            .await?;
        Ok(Self { matches, notices })
    }

    /// How many announcements count against the cap.
    pub fn count(&self) -> u64 {
        self.matches.len() as u64 + self.notices
    }

    /// Counts `match_id` as announced (just pushed).
    pub fn record(&mut self, match_id: Uuid) {
        self.matches.insert(match_id);
    }

    /// Whether one more announcement (of `match_id`, for a pushed match) fits under `cap`.
    pub fn admits(&self, cap: i32, match_id: Option<Uuid>) -> bool {
        match_id.is_some_and(|id| self.matches.contains(&id))
            || self.count() < u64::try_from(cap.max(0)).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_count_once_and_notices_count_with_them() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let announced = Announced {
            matches: BTreeSet::from([a]),
            notices: 1,
        };
        assert_eq!(announced.count(), 2);
        assert!(
            announced.admits(2, Some(a)),
            "another channel of a match sent today"
        );
        assert!(!announced.admits(2, Some(b)));
        assert!(!announced.admits(2, None));
        assert!(announced.admits(3, None));
        assert!(!Announced::default().admits(0, None));
        assert!(!Announced::default().admits(-1, None));
    }
}
