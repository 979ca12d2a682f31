//! How quickly a business answers seekers (issue 24): its reply rate and median first-reply
//! time over the last 30 days, shown on its postings' public views.
//!
//! - **Counted**: conversations a seeker opened in the last [`WINDOW_DAYS`] days, in which
//!   the seeker wrote at least once, and whose first seeker message was either answered or
//!   is at least [`ANSWER_WITHIN_HOURS`] hours old (a question asked an hour ago is not yet
//!   unanswered). Conversations the business opened say nothing about how it answers.
//! - **Reply rate**: the share of those the business answered within
//!   [`ANSWER_WITHIN_HOURS`] hours of the seeker's first message.
//! - **Median first reply**: minutes from the seeker's first message to the business's
//!   first message after it, over the counted conversations that were answered (at any
//!   time).
//! - Fewer than [`MIN_CONVERSATIONS`] counted: no figure (too few to say).
//!
//! Cost: the sending transaction stamps `seeker_first_at` and `first_reply_at` on the
//! conversation once each ([`note_message`]), so the figure is one read of two columns over
//! the business's recent conversations (index on `business_id, created_at`), for a whole
//! page of postings at once ([`of_businesses`]); no messages are read. Reading a posting
//! is the hottest path of the API and bound by per-query overhead, so the API keeps each
//! business's figure for a few minutes in a [`Cache`] (a figure over 30 days does not
//! need to be fresher).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::Side;
use crate::DomainError;
use crate::entities::conversation;

/// How far back conversations count.
pub const WINDOW_DAYS: i64 = 30;
/// A reply within this many hours of the seeker's first message is an answer.
pub const ANSWER_WITHIN_HOURS: i64 = 24;
/// Below this many counted conversations there is no figure.
pub const MIN_CONVERSATIONS: usize = 3;

/// A conversation's first seeker message and the business's first reply after it.
pub type Exchange = (DateTime<Utc>, Option<DateTime<Utc>>);

/// A business's responsiveness.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    /// Conversations counted.
    pub conversations: u32,
    /// Share of them answered within [`ANSWER_WITHIN_HOURS`] hours, 0 to 1.
    pub reply_rate: f64,
    /// Median minutes to the first reply, over those answered; none if none was.
    pub median_first_reply_minutes: Option<i64>,
}

/// Stamps the conversation's first seeker message and the business's first reply after it
/// (inside the sending transaction; `numbered` is the conversation as it now stands).
pub(crate) async fn note_message<C: ConnectionTrait>(
    db: &C,
    numbered: &conversation::Model,
    side: Side,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let column = match side {
        Side::Seeker if numbered.seeker_first_at.is_none() => conversation::Column::SeekerFirstAt,
        Side::Business
            if numbered.seeker_first_at.is_some() && numbered.first_reply_at.is_none() =>
        {
            conversation::Column::FirstReplyAt
        }
        // The common case: nothing to stamp, no write.
        _ => return Ok(()),
    };
    conversation::Entity::update_many()
        .col_expr(column, Expr::value(now))
        .filter(conversation::Column::Id.eq(numbered.id))
        .filter(column.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// The figure of each of `businesses` that has one, as of `now`; one query for all.
pub async fn of_businesses<C: ConnectionTrait>(
    db: &C,
    businesses: &[Uuid],
    now: DateTime<Utc>,
) -> Result<HashMap<Uuid, Figure>, DomainError> {
    if businesses.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, DateTime<Utc>, Option<DateTime<Utc>>)> = conversation::Entity::find()
        .select_only()
        .column(conversation::Column::BusinessId)
        .column(conversation::Column::SeekerFirstAt)
        .column(conversation::Column::FirstReplyAt)
        .filter(conversation::Column::BusinessId.is_in(businesses.iter().copied()))
        .filter(conversation::Column::CreatedAt.gte(now - Duration::days(WINDOW_DAYS)))
        .filter(Expr::col(conversation::Column::OpenedBy).equals(conversation::Column::SeekerId))
        .filter(conversation::Column::SeekerFirstAt.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let mut by_business: HashMap<Uuid, Vec<Exchange>> = HashMap::new();
    for (business, asked, replied) in rows {
        by_business
            .entry(business)
            .or_default()
            .push((asked, replied));
    }
    Ok(by_business
        .into_iter()
        .filter_map(|(business, pairs)| figure(&pairs, now).map(|f| (business, f)))
        .collect())
}

/// The figure of one business's (first seeker message, first reply) pairs.
pub fn figure(
    pairs: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
    now: DateTime<Utc>,
) -> Option<Figure> {
    let within = Duration::hours(ANSWER_WITHIN_HOURS);
    let counted: Vec<_> = pairs
        .iter()
        .filter(|(asked, replied)| replied.is_some() || now - *asked >= within)
        .collect();
    if counted.len() < MIN_CONVERSATIONS {
        return None;
    }
    let answered_in_time = counted
        .iter()
        .filter(|(asked, replied)| replied.is_some_and(|r| r - *asked <= within))
        .count();
    let mut minutes: Vec<i64> = counted
        .iter()
        .filter_map(|(asked, replied)| replied.map(|r| Ord::max((r - *asked).num_minutes(), 0)))
        .collect();
    minutes.sort_unstable();
    let median = match minutes.len() {
        0 => None,
        n if n % 2 == 1 => Some(minutes[n / 2]),
        n => Some((minutes[n / 2 - 1] + minutes[n / 2]) / 2),
    };
    Some(Figure {
        conversations: counted.len() as u32,
        reply_rate: answered_in_time as f64 / counted.len() as f64,
        median_first_reply_minutes: median,
    })
}

/// Each business's figure (or its absence) as last read, for `ttl`; shared by the
/// requests of one instance. A zero `ttl` keeps nothing.
pub struct Cache {
    ttl: std::time::Duration,
    kept: Mutex<HashMap<Uuid, (Instant, Option<Figure>)>>,
}

impl Cache {
    /// Past this many businesses the cache starts again (it is a cache, not a store).
    const MAX_ENTRIES: usize = 50_000;

    pub fn new(ttl: std::time::Duration) -> Self {
        Self {
            ttl,
            kept: Mutex::new(HashMap::new()),
        }
    }

    /// The figures of `businesses`, reading the database (one query) only for those not
    /// kept or kept longer than the time to live.
    pub async fn of_businesses<C: ConnectionTrait>(
        &self,
        db: &C,
        businesses: &[Uuid],
        now: DateTime<Utc>,
    ) -> Result<HashMap<Uuid, Figure>, DomainError> {
        self.get_or_fetch(businesses, Instant::now(), async |missing| {
            of_businesses(db, missing, now).await
        })
        .await
    }

    async fn get_or_fetch(
        &self,
        businesses: &[Uuid],
        at: Instant,
        fetch: impl AsyncFnOnce(&[Uuid]) -> Result<HashMap<Uuid, Figure>, DomainError>,
    ) -> Result<HashMap<Uuid, Figure>, DomainError> {
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        {
            let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            for &business in businesses {
                match kept.get(&business) {
                    Some((since, figure)) if at.duration_since(*since) < self.ttl => {
                        if let Some(figure) = figure {
                            found.insert(business, *figure);
                        }
                    }
                    _ => missing.push(business),
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let fetched = fetch(&missing).await?;
        if !self.ttl.is_zero() {
            let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            if kept.len() + missing.len() > Self::MAX_ENTRIES {
                kept.clear();
            }
            for business in &missing {
                kept.insert(*business, (at, fetched.get(business).copied()));
            }
        }
        found.extend(fetched);
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_cache_reads_only_what_it_does_not_keep() {
        let cache = Cache::new(std::time::Duration::from_secs(60));
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let figure = Figure {
            conversations: 3,
            reply_rate: 1.0,
            median_first_reply_minutes: Some(5),
        };
        let asked = std::cell::RefCell::new(Vec::new());
        let fetch = |ids: &[Uuid]| {
            asked.borrow_mut().push(ids.to_vec());
            let out: HashMap<Uuid, Figure> = ids
                .iter()
                .filter(|&&id| id == a)
                .map(|&id| (id, figure))
                .collect();
            async move { Ok(out) }
        };
        let start = Instant::now();
        let first = cache
            .get_or_fetch(&[a, b], start, async |ids| fetch(ids).await)
            .await
            .unwrap();
        assert_eq!(first.get(&a), Some(&figure));
        assert_eq!(first.get(&b), None);
        // Both are kept, the one without a figure too: no second read.
        let again = cache
            .get_or_fetch(&[a, b], start, async |ids| fetch(ids).await)
            .await
            .unwrap();
        assert_eq!(again, first);
        assert_eq!(asked.borrow().len(), 1);
        // Past the time to live, read again.
        let later = start + std::time::Duration::from_secs(61);
        cache
            .get_or_fetch(&[b], later, async |ids| fetch(ids).await)
            .await
            .unwrap();
        assert_eq!(asked.borrow().last().unwrap(), &vec![b]);
        // A zero time to live keeps nothing.
        let off = Cache::new(std::time::Duration::ZERO);
        for _ in 0..2 {
            off.get_or_fetch(&[a], start, async |ids| fetch(ids).await)
                .await
                .unwrap();
        }
        assert_eq!(asked.borrow().len(), 4);
    }

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::minutes(minutes)
    }

    #[test]
    fn too_few_conversations_say_nothing() {
        let now = at(10_000);
        assert_eq!(figure(&[(at(0), Some(at(5))), (at(0), None)], now), None);
        // A question asked an hour ago is not unanswered yet, so it does not count.
        let pairs = [
            (at(0), Some(at(5))),
            (at(0), Some(at(7))),
            (now - Duration::hours(1), None),
        ];
        assert_eq!(figure(&pairs, now), None);
    }

    #[test]
    fn rate_counts_answers_within_a_day_and_the_median_every_answer() {
        let now = at(100_000);
        let pairs = [
            (at(0), Some(at(10))),
            (at(0), Some(at(30))),
            // Answered, but after two days: in the median, not in the rate.
            (at(0), Some(at(2 * 24 * 60))),
            (at(0), None),
        ];
        let got = figure(&pairs, now).unwrap();
        assert_eq!(got.conversations, 4);
        assert!((got.reply_rate - 0.5).abs() < 1e-9, "{got:?}");
        assert_eq!(got.median_first_reply_minutes, Some(30));
        let silent = [(at(0), None), (at(1), None), (at(2), None)];
        let got = figure(&silent, now).unwrap();
        assert_eq!(got.reply_rate, 0.0);
        assert_eq!(got.median_first_reply_minutes, None);
        let even = [
            (at(0), Some(at(10))),
            (at(0), Some(at(20))),
            (at(0), Some(at(31))),
            (at(0), Some(at(41))),
        ];
        assert_eq!(
            figure(&even, now).unwrap().median_first_reply_minutes,
            Some(25)
        );
    }
}
