//! The match status ladder. The worker stores a match `new`; after that its status is
//! written only by [`advance`], so which steps are allowed is decided here and nowhere else.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Iterable, QueryFilter};
use uuid::Uuid;

use crate::entities::job_match;
use crate::time;
use crate::types::MatchStatus;

/// Which match a step applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Id(Uuid),
    /// The match of a posting and a seeker, if the pair was matched at all (an application
    /// need not come from a match).
    Pair {
        posting: Uuid,
        seeker: Uuid,
    },
}

/// What a step does to the seeker's stated reason for their feedback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    Keep,
    /// Replaces it (`None` clears it): the seeker's latest feedback speaks for them.
    Set(Option<String>),
}

/// Whether a match in `from` may move to `to`.
pub fn may_advance(from: MatchStatus, to: MatchStatus) -> bool {
    use MatchStatus as S;
    match to {
        // A match is stored new once, and nothing returns to it.
        S::New => false,
        // Announcing a match must never overwrite what the seeker already did with it.
        S::Pushed => from == S::New,
        // What people do (save, dismiss, apply, be hired) always lands: it is the newest
        // word on the pair, and the fit learns from it.
        S::Saved | S::Dismissed | S::Applied | S::Hired => true,
    }
}

/// Moves the match to `to` where [`may_advance`] allows it; returns how many rows moved (0
/// when there is no such match or the step is refused). Pass the caller's transaction so
/// the step commits or rolls back with what caused it.
pub async fn advance<C: ConnectionTrait>(
    db: &C,
    which: Which,
    to: MatchStatus,
    reason: Reason,
) -> Result<u64, DbErr> {
    let from: Vec<MatchStatus> = MatchStatus::iter()
        .filter(|from| may_advance(*from, to))
        .collect();
    if from.is_empty() {
        return Ok(0);
    }
    let mut update =
        job_match::Entity::update_many().col_expr(job_match::Column::Status, Expr::value(to));
    // `updated_at` is when someone last acted on the match: the seeker's view shows it and
    // the fit dates its feedback by it. An announcement is not an act, so it leaves it.
    if to != MatchStatus::Pushed {
        update = update.col_expr(job_match::Column::UpdatedAt, Expr::value(time::now()));
    }
    if let Reason::Set(reason) = reason {
        update = update.col_expr(job_match::Column::DismissReason, Expr::value(reason));
    }
    update = match which {
        Which::Id(id) => update.filter(job_match::Column::Id.eq(id)),
        Which::Pair { posting, seeker } => update
            .filter(job_match::Column::PostingId.eq(posting))
            .filter(job_match::Column::SeekerId.eq(seeker)),
    };
    Ok(update
        .filter(job_match::Column::Status.is_in(from))
        .exec(db)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use MatchStatus as S;

    #[test]
    fn only_new_matches_become_pushed() {
        assert!(may_advance(S::New, S::Pushed));
        for from in [S::Pushed, S::Saved, S::Dismissed, S::Applied, S::Hired] {
            assert!(!may_advance(from, S::Pushed), "{from} → pushed");
        }
    }

    #[test]
    fn nothing_returns_to_new() {
        for from in MatchStatus::iter() {
            assert!(!may_advance(from, S::New), "{from} → new");
        }
    }

    #[test]
    fn what_people_do_always_lands() {
        for to in [S::Saved, S::Dismissed, S::Applied, S::Hired] {
            for from in MatchStatus::iter() {
                assert!(may_advance(from, to), "{from} → {to}");
            }
        }
    }
}
