//! The matching worker: reads change events, finds candidates through the search index,
//! scores them, stores matches, and delivers pushes.
//!
//! Reading the outbox is leased (one worker at a time holds the `outbox` lease, renewed every
//! pass; a dead worker's lease expires and another takes over). Deliveries are leased per push
//! row (`doorstep_domain::jobs::queue`): on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so
//! several workers share them; SQLite has no row locks, and there one worker runs (a
//! second one refuses to start). A push row
//! is unique per (match, channel), so a match is never announced twice on a channel, and it
//! is marked sent only after its channel accepted it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use doorstep_domain::db::Backend;
use doorstep_domain::db::begin_write;
use doorstep_domain::entities::{
    account, business, job_match, lease, outbox_event, posting, push, seeker_profile, shift,
};
use doorstep_domain::gigs::{reliability as gig_reliability, shifts as gig_shifts};
use doorstep_domain::jobs::queue::{self, Settle};
use doorstep_domain::jobs::{JobError, Report, Steps};
use doorstep_domain::types::{GeoPoint, minutes_of};
use doorstep_domain::types::{MatchStatus, PostingKind, PushStatus};
use doorstep_domain::{html, inbox, time};
use doorstep_search_index::documents::{JobDisplay, ProfileDisplay};
use doorstep_search_index::sync::advance;
use doorstep_search_index::{Area, SearchIndex, SearchRequest, Sort, SyncState};
use lettre::message::Mailbox;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::assess::{JobText, SeekerText, assess_with};
use crate::daily_cap::Announced;
use crate::mail::{DeliveryError, Mail, Mailer};
use crate::weights::Weights;

const LEASE: &str = "outbox";
/// How much a dismissal of one posting lowers the scores of the same business's others.
const DISMISSAL_DEMOTION: f64 = 0.8;

#[derive(Debug, Clone)]
pub struct MatchSettings {
    /// Pairs below this combined score are not stored.
    pub threshold: f64,
    /// At most this many matches are kept per changed posting or profile.
    pub top_k: usize,
    /// How long a worker's lease lasts without renewal.
    pub lease: Duration,
    /// How far around a posting seekers are looked for (their own radius still decides).
    pub candidate_radius_km: f64,
    pub gap_timeout: Duration,
    /// Delivery attempts before a push is dead-lettered.
    pub max_attempts: i32,
    /// The first retry waits this long; each further one twice as long.
    pub retry_base: Duration,
    /// Let webhooks reach loopback and private networks (tests, closed installations).
    pub webhook_allow_internal: bool,
    /// The factor weights pairs are scored with.
    pub weights: Arc<Weights>,
}

impl Default for MatchSettings {
    fn default() -> Self {
        Self {
            threshold: 0.55,
            top_k: 20,
            lease: Duration::from_secs(30),
            candidate_radius_km: 30.0,
            gap_timeout: Duration::from_secs(300),
            max_attempts: 5,
            retry_base: Duration::from_secs(2),
            webhook_allow_internal: false,
            weights: Weights::builtin(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("domain: {0}")]
    Domain(#[from] doorstep_domain::DomainError),
    #[error("search: {0}")]
    Search(#[from] doorstep_search_index::IndexError),
    #[error("another worker ({0}) holds the matching lease")]
    LeaseHeld(String),
}

/// What one delivery batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Due pushes claimed (each then sent, put off, or given up).
    pub claimed: usize,
    pub sent: usize,
}

pub struct Matcher {
    pub db: DatabaseConnection,
    pub backend: Backend,
    pub index: Arc<SearchIndex>,
    pub mailer: Mailer,
    pub from: Mailbox,
    pub settings: MatchSettings,
    /// Who this worker is, in leases.
    pub holder: String,
}

/// When quiet hours end, if `now` falls inside them.
pub fn quiet_until(
    now: DateTime<Utc>,
    start: Option<&str>,
    end: Option<&str>,
) -> Option<DateTime<Utc>> {
    let (start, end) = (minutes_of(start?)?, minutes_of(end?)?);
    let local = time::to_display(now);
    let minute = (chrono::Timelike::hour(&local) * 60 + chrono::Timelike::minute(&local)) as u16;
    let inside = if start <= end {
        (start..end).contains(&minute)
    } else {
        minute >= start || minute < end
    };
    inside.then(|| time::next_local_time(now, end))
}

/// Seekers' texts read during one pass: a district's postings share most of their nearby
/// seekers, and reading a résumé (segmenting it, finding its schedule and credentials) was
/// nearly all of matching's time when done again for every posting. Keyed by the profile's
/// `updated_at`, so a profile edited during the pass is read again; dropped after the pass,
/// so it holds at most the pass's candidates.
#[derive(Default)]
struct SeekerTexts(HashMap<Uuid, (DateTime<Utc>, Arc<SeekerText>)>);

impl SeekerTexts {
    fn of(&mut self, s: &seeker_profile::Model) -> Arc<SeekerText> {
        match self.0.get(&s.account_id) {
            Some((at, text)) if *at == s.updated_at => text.clone(),
            _ => {
                let text = Arc::new(SeekerText::of(s));
                self.0.insert(s.account_id, (s.updated_at, text.clone()));
                text
            }
        }
    }
}

impl Matcher {
    /// Takes or renews the outbox lease; `false` when another live worker holds it.
    pub async fn claim_lease(&self) -> Result<bool, WorkerError> {
        let ttl = chrono::Duration::from_std(self.settings.lease)
            .unwrap_or(chrono::Duration::seconds(30));
        let initial = serde_json::to_value(SyncState::default()).expect("serialises");
        Ok(
            doorstep_domain::leases::claim(
                &self.db,
                LEASE,
                &self.holder,
                ttl,
                time::now(),
                initial,
            )
            .await?,
        )
    }

    /// Gives the lease up at once (a one-off run such as `doorstep demo`), so the next
    /// worker need not wait for it to expire.
    pub async fn release_lease(&self) -> Result<(), WorkerError> {
        lease::Entity::update_many()
            .col_expr(lease::Column::Holder, Expr::value(Option::<String>::None))
            .col_expr(
                lease::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(lease::Column::Name.eq(LEASE))
            .filter(lease::Column::Holder.eq(self.holder.clone()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The live holder of the lease, if it is not us.
    pub async fn lease_holder(&self) -> Result<Option<String>, WorkerError> {
        let row = lease::Entity::find_by_id(LEASE.to_owned())
            .one(&self.db)
            .await?;
        Ok(row.and_then(|r| {
            let live = r.lease_until.is_some_and(|t| t > time::now());
            r.holder.filter(|h| live && *h != self.holder)
        }))
    }

    /// One pass over new change events. Returns how many were handled.
    pub async fn step(&self) -> Result<usize, WorkerError> {
        if !self.claim_lease().await? {
            return Ok(0);
        }
        let state_row = lease::Entity::find_by_id(LEASE.to_owned())
            .one(&self.db)
            .await?
            .expect("the lease row exists once claimed");
        let state: SyncState = serde_json::from_value(state_row.progress).unwrap_or_default();
        // Never run ahead of the search index: candidates are found through it, so an event
        // is handled only once the index has applied it (and everything before it).
        let indexed = self.index.current().state().watermark;
        let fresh = outbox_event::Entity::find()
            .filter(outbox_event::Column::Id.gt(state.watermark))
            .filter(outbox_event::Column::Id.lte(indexed))
            .order_by_asc(outbox_event::Column::Id)
            .limit(200)
            .all(&self.db)
            .await?;
        let late = if state.gaps.is_empty() {
            Vec::new()
        } else {
            outbox_event::Entity::find()
                .filter(outbox_event::Column::Id.is_in(state.gaps.iter().map(|(id, _)| *id)))
                .all(&self.db)
                .await?
        };
        let next = advance(
            &state,
            &fresh.iter().map(|e| e.id).collect::<Vec<_>>(),
            &late.iter().map(|e| e.id).collect::<Vec<_>>(),
            Utc::now().timestamp(),
            self.settings.gap_timeout.as_secs() as i64,
        );
        if next == state {
            return Ok(0);
        }
        let mut postings = BTreeSet::new();
        let mut profiles = BTreeSet::new();
        for event in fresh.iter().chain(late.iter()) {
            match event.aggregate_type.as_str() {
                "posting" => {
                    postings.insert(event.aggregate_id);
                }
                "profile" => {
                    profiles.insert(event.aggregate_id);
                }
                "business" => {
                    let ids: Vec<Uuid> = posting::Entity::find()
                        .filter(posting::Column::BusinessId.eq(event.aggregate_id))
                        .select_only()
                        .column(posting::Column::Id)
                        .into_tuple()
                        .all(&self.db)
                        .await?;
                    postings.extend(ids);
                }
                _ => {}
            }
        }
        let mut texts = SeekerTexts::default();
        for id in &postings {
            self.match_posting(*id, &mut texts).await?;
        }
        for id in &profiles {
            self.match_profile(*id).await?;
        }
        // Progress is saved only after the matches and pushes it covers are stored; a crash
        // in between replays these events, and the unique keys absorb the repeats.
        lease::Entity::update_many()
            .col_expr(
                lease::Column::Progress,
                Expr::value(serde_json::to_value(&next).expect("serialises")),
            )
            .col_expr(lease::Column::UpdatedAt, Expr::value(time::now()))
            .filter(lease::Column::Name.eq(LEASE))
            .filter(lease::Column::Holder.eq(self.holder.clone()))
            .exec(&self.db)
            .await?;
        Ok(fresh.len() + late.len())
    }

    async fn match_posting(&self, id: Uuid, texts: &mut SeekerTexts) -> Result<(), WorkerError> {
        let Some(p) = posting::Entity::find_by_id(id).one(&self.db).await? else {
            return Ok(());
        };
        let Some(b) = business::Entity::find_by_id(p.business_id)
            .one(&self.db)
            .await?
        else {
            return Ok(());
        };
        let now = Utc::now();
        if !doorstep_domain::postings::is_public(&p, &b, now) {
            return Ok(());
        }
        let mut request = SearchRequest::new("");
        request.area = GeoPoint::new(p.lat, p.lon).ok().map(|center| Area {
            center,
            radius_m: Some(self.settings.candidate_radius_km * 1000.0),
        });
        request.sort = Sort::Distance;
        request.visibilities = vec!["public".into(), "officers_only".into()];
        // Only seekers who want this kind of work (or did not say): the nearest 300 of
        // them, not the nearest 300 of everyone, many of whom would be excluded anyway.
        request.kinds = vec![p.kind.as_str().to_owned()];
        let index = self.index.clone();
        let found = tokio::task::spawn_blocking(move || {
            index.search_profiles::<ProfileDisplay>(&request, 300, None)
        })
        .await
        .map_err(|e| doorstep_domain::DomainError::internal_from("the profile search task", e))??;
        let ids: Vec<Uuid> = found.hits.iter().map(|h| h.id).collect();
        // Gig postings: their open dated shifts are what is proposed, and the workers'
        // reliability weighs in.
        let (shifts, reliability) = if p.kind == PostingKind::Gig {
            (
                gig_shifts::upcoming_of(&self.db, &[p.id], now).await?,
                gig_reliability::of_seekers(&self.db, &ids, now).await?,
            )
        } else {
            Default::default()
        };
        let seekers = seeker_profile::Entity::find()
            .filter(seeker_profile::Column::AccountId.is_in(ids))
            .all(&self.db)
            .await?;
        let job_text = JobText::of(&p).with_shifts(&shifts, now);
        let mut scored: Vec<_> = seekers
            .iter()
            .filter_map(|s| {
                let text = texts.of(s);
                let with_record;
                let text = match reliability.get(&s.account_id) {
                    Some(r) => {
                        with_record = SeekerText::clone(&text).with_reliability(Some(*r));
                        &with_record
                    }
                    None => &*text,
                };
                assess_with(&p, &b, s, now, &job_text, text, &self.settings.weights)
                    .ok()
                    .map(|a| (s, a))
            })
            .filter(|(_, a)| a.score.combined >= self.settings.threshold)
            .collect();
        scored.sort_by(|x, y| y.1.score.combined.total_cmp(&x.1.score.combined));
        scored.truncate(self.settings.top_k);
        // One transaction for the posting's matches: one commit instead of one per
        // statement, and a crash stores all of them or none (the event is then replayed).
        let txn = begin_write(&self.db).await?;
        let pairs: Vec<_> = scored.iter().map(|(s, a)| (&p, &b, *s, a)).collect();
        self.store_all(&txn, &pairs).await?;
        txn.commit().await?;
        Ok(())
    }

    async fn match_profile(&self, id: Uuid) -> Result<(), WorkerError> {
        let Some(s) = seeker_profile::Entity::find_by_id(id).one(&self.db).await? else {
            return Ok(());
        };
        let (Some(lat), Some(lon)) = (s.home_lat, s.home_lon) else {
            return Ok(());
        };
        if !s.personalised_matching {
            return Ok(());
        }
        let mut request = SearchRequest::new("");
        request.area = GeoPoint::new(lat, lon).ok().map(|center| Area {
            center,
            radius_m: Some(s.travel_radius_km * 1000.0),
        });
        request.sort = Sort::Distance;
        let index = self.index.clone();
        let found = tokio::task::spawn_blocking(move || {
            index.search_jobs::<JobDisplay>(&request, 300, None)
        })
        .await
        .map_err(|e| doorstep_domain::DomainError::internal_from("the job search task", e))??;
        let ids: Vec<Uuid> = found.hits.iter().map(|h| h.id).collect();
        let postings = posting::Entity::find()
            .filter(posting::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        let business_ids: BTreeSet<Uuid> = postings.iter().map(|p| p.business_id).collect();
        let businesses = business::Entity::find()
            .filter(business::Column::Id.is_in(business_ids))
            .all(&self.db)
            .await?;
        let now = Utc::now();
        let gigs: Vec<Uuid> = postings
            .iter()
            .filter(|p| p.kind == PostingKind::Gig)
            .map(|p| p.id)
            .collect();
        let shifts = gig_shifts::upcoming_of(&self.db, &gigs, now).await?;
        let seeker_text = SeekerText::of(&s).with_reliability(if gigs.is_empty() {
            None
        } else {
            Some(gig_reliability::of_seeker(&self.db, s.account_id, now).await?)
        });
        let mut scored: Vec<_> = postings
            .iter()
            .filter_map(|p| {
                let b = businesses.iter().find(|b| b.id == p.business_id)?;
                let own: Vec<shift::Model> = shifts
                    .iter()
                    .filter(|x| x.posting_id == p.id)
                    .cloned()
                    .collect();
                assess_with(
                    p,
                    b,
                    &s,
                    now,
                    &JobText::of(p).with_shifts(&own, now),
                    &seeker_text,
                    &self.settings.weights,
                )
                .ok()
                .map(|a| (p, b, a))
            })
            .filter(|(_, _, a)| a.score.combined >= self.settings.threshold)
            .collect();
        scored.sort_by(|x, y| y.2.score.combined.total_cmp(&x.2.score.combined));
        scored.truncate(self.settings.top_k);
        let txn = begin_write(&self.db).await?;
        let pairs: Vec<_> = scored.iter().map(|(p, b, a)| (*p, *b, &s, a)).collect();
        self.store_all(&txn, &pairs).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Stores (or refreshes) the matches of one posting or one profile and queues their
    /// pushes on each seeker's channels: a handful of statements for the whole batch
    /// (multi-row inserts, one read back), inside the caller's transaction.
    async fn store_all<C: ConnectionTrait>(
        &self,
        db: &C,
        pairs: &[(
            &posting::Model,
            &business::Model,
            &seeker_profile::Model,
            &crate::Assessment,
        )],
    ) -> Result<(), WorkerError> {
        if pairs.is_empty() {
            return Ok(());
        }
        let now = time::now();
        let seekers: BTreeSet<Uuid> = pairs.iter().map(|(_, _, s, _)| s.account_id).collect();
        let businesses: BTreeSet<Uuid> = pairs.iter().map(|(_, b, _, _)| b.id).collect();
        // A seeker who dismissed a posting of a business sees its others ranked lower.
        let dismissed: Vec<(Uuid, Uuid, Uuid)> = job_match::Entity::find()
            .filter(job_match::Column::SeekerId.is_in(seekers.iter().copied()))
            .filter(job_match::Column::BusinessId.is_in(businesses.iter().copied()))
            .filter(job_match::Column::Status.eq(MatchStatus::Dismissed))
            .select_only()
            .columns([
                job_match::Column::SeekerId,
                job_match::Column::BusinessId,
                job_match::Column::PostingId,
            ])
            .into_tuple()
            .all(db)
            .await?;
        let mut rows = Vec::with_capacity(pairs.len());
        let mut kept = Vec::with_capacity(pairs.len());
        for &(p, b, s, a) in pairs {
            let dismissed_here = dismissed.iter().any(|(seeker, business, posting)| {
                *seeker == s.account_id && *business == b.id && *posting != p.id
            });
            let combined = if dismissed_here {
                a.score.combined * DISMISSAL_DEMOTION
            } else {
                a.score.combined
            };
            if combined < self.settings.threshold {
                continue;
            }
            let factors = serde_json::to_value(&a.score.factors).expect("factors serialise");
            rows.push(job_match::ActiveModel {
                id: Set(Uuid::now_v7()),
                posting_id: Set(p.id),
                seeker_id: Set(s.account_id),
                business_id: Set(b.id),
                score: Set(combined),
                for_seeker: Set(a.score.for_seeker),
                for_job: Set(a.score.for_job),
                factors: Set(factors),
                explanation: Set(a.explanation.clone()),
                status: Set(MatchStatus::New),
                dismiss_reason: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            });
            kept.push((p.id, s));
        }
        if rows.is_empty() {
            return Ok(());
        }
        job_match::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([job_match::Column::PostingId, job_match::Column::SeekerId])
                    .update_columns([
                        job_match::Column::Score,
                        job_match::Column::ForSeeker,
                        job_match::Column::ForJob,
                        job_match::Column::Factors,
                        job_match::Column::Explanation,
                        job_match::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        // Read back what is stored (an existing match keeps its id and status).
        let posting_ids: BTreeSet<Uuid> = kept.iter().map(|(p, _)| *p).collect();
        let kept_seekers: BTreeSet<Uuid> = kept.iter().map(|(_, s)| s.account_id).collect();
        let stored: Vec<(Uuid, Uuid, Uuid, MatchStatus)> = job_match::Entity::find()
            .filter(job_match::Column::PostingId.is_in(posting_ids))
            .filter(job_match::Column::SeekerId.is_in(kept_seekers))
            .select_only()
            .columns([
                job_match::Column::Id,
                job_match::Column::PostingId,
                job_match::Column::SeekerId,
                job_match::Column::Status,
            ])
            .into_tuple()
            .all(db)
            .await?;
        let mut pushes = Vec::new();
        for (posting_id, s) in kept {
            let Some((id, _, _, status)) = stored
                .iter()
                .find(|(_, p, seeker, _)| *p == posting_id && *seeker == s.account_id)
            else {
                continue;
            };
            if *status == MatchStatus::Dismissed || s.daily_push_cap == 0 {
                continue;
            }
            for channel in &s.push_channels.0 {
                pushes.push(push::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    match_id: Set(*id),
                    account_id: Set(s.account_id),
                    channel: Set(channel.clone()),
                    status: Set(PushStatus::Pending),
                    attempts: Set(0),
                    next_attempt_at: Set(now),
                    lease_until: Set(None),
                    last_error: Set(None),
                    sent_at: Set(None),
                    created_at: Set(now),
                });
            }
        }
        // Rows per statement stay under SQLite's bound-parameter limit (11 columns).
        for chunk in pushes.chunks(500) {
            push::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::columns([push::Column::MatchId, push::Column::Channel])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        }
        Ok(())
    }

    /// How long a claimed push or queued mail stays with this worker.
    pub(crate) fn row_lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.lease).unwrap_or(chrono::Duration::seconds(30))
    }

    async fn settle(&self, id: Uuid, settle: Settle) -> Result<(), WorkerError> {
        queue::settle::<push::Entity, _>(&self.db, id, settle).await?;
        Ok(())
    }

    /// Delivers due pushes, within quiet hours and the daily cap. Returns how many were sent.
    pub async fn deliver(&self) -> Result<usize, WorkerError> {
        Ok(self.deliver_batch(50).await?.sent)
    }

    /// Claims up to `limit` due pushes and delivers them; says how many were claimed (all
    /// of them settled: sent, due again later, or given up) and how many sent. The rows
    /// they refer to are read in one query per table, not one per push.
    pub async fn deliver_batch(&self, limit: u64) -> Result<Delivered, WorkerError> {
        use std::collections::HashMap;
        let mut sent = 0;
        let claimed =
            queue::claim::<push::Entity, _>(&self.db, time::now(), self.row_lease(), limit).await?;
        let claimed_count = claimed.len();
        let matches: HashMap<Uuid, job_match::Model> = job_match::Entity::find()
            .filter(job_match::Column::Id.is_in(claimed.iter().map(|c| c.match_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        let accounts: BTreeSet<Uuid> = claimed.iter().map(|c| c.account_id).collect();
        let seekers: HashMap<Uuid, seeker_profile::Model> = seeker_profile::Entity::find()
            .filter(seeker_profile::Column::AccountId.is_in(accounts.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| (s.account_id, s))
            .collect();
        let account_rows: HashMap<Uuid, account::Model> = account::Entity::find()
            .filter(account::Column::Id.is_in(accounts.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let postings: HashMap<Uuid, posting::Model> = posting::Entity::find()
            .filter(posting::Column::Id.is_in(matches.values().map(|m| m.posting_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        // What each account was announced today, read once per batch and kept up to date
        // as this batch sends.
        let mut announced: HashMap<Uuid, Announced> = HashMap::new();
        // Pushes waiting out quiet hours or the cap, by when they are due again: settled
        // together after the loop (most of a large backlog ends this way).
        let mut deferred: BTreeMap<_, Vec<Uuid>> = BTreeMap::new();
        for item in claimed {
            let now = time::now();
            let (Some(m), Some(s), Some(acct)) = (
                matches.get(&item.match_id),
                seekers.get(&item.account_id),
                account_rows.get(&item.account_id),
            ) else {
                continue;
            };
            let Some(p) = postings.get(&m.posting_id) else {
                continue;
            };
            if m.status == MatchStatus::Dismissed
                || !s.personalised_matching
                || acct.deleted_at.is_some()
            {
                self.settle(
                    item.id,
                    Settle::gave_up(PushStatus::Dead.as_str())
                        .attempts(item.attempts)
                        .error(Some("no longer wanted".into())),
                )
                .await?;
                continue;
            }
            if let Some(until) = quiet_until(
                now,
                s.quiet_hours_start.as_deref(),
                s.quiet_hours_end.as_deref(),
            ) {
                deferred.entry(until).or_default().push(item.id);
                continue;
            }
            let today = match announced.entry(item.account_id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(Announced::today(&self.db, item.account_id, now).await?)
                }
            };
            if !today.admits(s.daily_push_cap, Some(item.match_id)) {
                deferred
                    .entry(time::next_local_time(now, 8 * 60))
                    .or_default()
                    .push(item.id);
                continue;
            }
            let title = format!("为你推荐：{}", p.title);
            let outcome = match item.channel.as_str() {
                "inbox" => inbox::notify(
                    &self.db,
                    item.account_id,
                    "match",
                    title.clone(),
                    m.explanation.clone(),
                    json!({"match_id": m.id, "posting_id": p.id, "score": m.score}),
                )
                .await
                .map_err(|e| DeliveryError::Transient(e.to_string())),
                "email" => match &acct.email {
                    Some(to) => {
                        let mail = Mail {
                            to: to.clone(),
                            subject: format!("【家门口就业】{title}"),
                            text: format!(
                                "{}\n\n{}\n打开家门口就业查看并申请。",
                                p.title, m.explanation
                            ),
                            html: format!(
                                "<h2>{}</h2><p>{}</p><p>打开家门口就业查看并申请。</p>",
                                html::escape(&p.title),
                                html::escape(&m.explanation)
                            ),
                            message_id: format!("<match-{}-email@doorstep>", m.id),
                        };
                        self.mailer.send(&self.from, &mail).await
                    }
                    None => Err(DeliveryError::Permanent(
                        "the account has no e-mail address".into(),
                    )),
                },
                "webhook" => self.post_webhooks(item.id, item.account_id, m, p).await?,
                other => Err(DeliveryError::Permanent(format!(
                    "channel {other} is not delivered by this worker"
                ))),
            };
            let attempts = item.attempts + 1;
            match outcome {
                Ok(()) => {
                    self.settle(
                        item.id,
                        Settle::sent(time::now()).attempts(attempts).error(None),
                    )
                    .await?;
                    doorstep_domain::matches::advance(
                        &self.db,
                        doorstep_domain::matches::Which::Id(m.id),
                        MatchStatus::Pushed,
                        doorstep_domain::matches::Reason::Keep,
                    )
                    .await?;
                    if let Some(today) = announced.get_mut(&item.account_id) {
                        today.record(m.id);
                    }
                    sent += 1;
                }
                Err(DeliveryError::Transient(err)) if attempts < self.settings.max_attempts => {
                    tracing::warn!(push = %item.id, error = %err, attempts, "push failed; retrying");
                    let retry = Settle::later(now + self.retry_wait(attempts));
                    self.settle(item.id, retry.attempts(attempts).error(Some(err)))
                        .await?;
                }
                Err(err) => {
                    tracing::warn!(push = %item.id, error = %err, "push dead-lettered");
                    self.settle(
                        item.id,
                        Settle::gave_up(PushStatus::Dead.as_str())
                            .attempts(attempts)
                            .error(Some(err.to_string())),
                    )
                    .await?;
                }
            }
        }
        for (due, ids) in deferred {
            queue::settle_many::<push::Entity, _>(&self.db, &ids, Settle::later(due)).await?;
        }
        Ok(Delivered {
            claimed: claimed_count,
            sent,
        })
    }

    /// Posts a match to every webhook endpoint of the account; the push counts as delivered
    /// only when all of them accepted it.
    async fn post_webhooks(
        &self,
        push_id: Uuid,
        account: Uuid,
        m: &job_match::Model,
        p: &posting::Model,
    ) -> Result<Result<(), DeliveryError>, WorkerError> {
        let endpoints = doorstep_domain::webhooks::list(&self.db, account).await?;
        if endpoints.is_empty() {
            return Ok(Err(DeliveryError::Permanent(
                "no webhook endpoint registered".into(),
            )));
        }
        let body = json!({
            "type": "match",
            "match_id": m.id,
            "posting_id": p.id,
            "title": p.title,
            "explanation": m.explanation,
            "score": m.score,
        })
        .to_string();
        let mut result = Ok(());
        for endpoint in &endpoints {
            if let Err(err) = crate::webhook::post(
                endpoint,
                &body,
                push_id,
                self.settings.webhook_allow_internal,
            )
            .await
            {
                result = Err(err);
            }
        }
        Ok(result)
    }

    /// The merchants' daily candidate digest: once a day, from 09:00 China time, every member
    /// of a business with candidates from the last day gets one inbox notice listing the best
    /// of them (masked: names, skills and explanations only). A marker row per business and
    /// day is inserted first, so of several workers exactly one sends it. Returns how many
    /// notices were sent.
    pub async fn send_digests(&self, now: DateTime<Utc>) -> Result<usize, WorkerError> {
        let local = time::to_display(now);
        if chrono::Timelike::hour(&local) < 9 {
            return Ok(0);
        }
        let since = now - chrono::Duration::days(1);
        let recent = job_match::Entity::find()
            .filter(job_match::Column::CreatedAt.gte(since))
            .filter(job_match::Column::Status.ne(MatchStatus::Dismissed))
            .all(&self.db)
            .await?;
        let businesses: BTreeSet<Uuid> = recent.iter().map(|m| m.business_id).collect();
        let mut sent = 0;
        for business_id in businesses {
            let mut best: Vec<&job_match::Model> = recent
                .iter()
                .filter(|m| m.business_id == business_id)
                .collect();
            best.sort_by(|a, b| b.score.total_cmp(&a.score));
            let mut lines = Vec::new();
            for m in best.iter().take(5) {
                let Some(profile) = seeker_profile::Entity::find_by_id(m.seeker_id)
                    .one(&self.db)
                    .await?
                else {
                    continue;
                };
                if profile.visibility != doorstep_domain::types::Visibility::Public {
                    continue;
                }
                lines.push(format!(
                    "{}（{}）：{}",
                    profile.full_name,
                    profile.skills.0.join("、"),
                    m.explanation
                ));
            }
            if lines.is_empty() {
                continue;
            }
            // One digest per business per day: whoever inserts the day's marker sends it, in
            // the same transaction as the notices, so a digest is never marked sent unsent.
            let txn = doorstep_domain::db::begin_write(&self.db).await?;
            let claimed = lease::Entity::insert(lease::ActiveModel {
                name: Set(format!(
                    "d{}-{}",
                    local.format("%Y%m%d"),
                    business_id.simple()
                )),
                holder: Set(Some(self.holder.clone())),
                lease_until: Set(None),
                progress: Set(json!({})),
                updated_at: Set(now),
            })
            .on_conflict(
                OnConflict::column(lease::Column::Name)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
            if claimed == 0 {
                continue;
            }
            for member in doorstep_domain::businesses::members(&txn, business_id).await? {
                inbox::notify(
                    &txn,
                    member.account_id,
                    "candidate_digest",
                    format!("今日推荐候选人：{} 位", lines.len()),
                    lines.join("\n"),
                    json!({"business_id": business_id, "count": lines.len()}),
                )
                .await?;
                sent += 1;
            }
            txn.commit().await?;
        }
        Ok(sent)
    }

    /// How long a failed delivery waits before attempt `attempts + 1`: `retry_base`,
    /// doubling with each attempt.
    pub(crate) fn retry_wait(&self, attempts: i32) -> chrono::Duration {
        let wait = self.settings.retry_base * 2u32.pow((attempts - 1).max(0) as u32);
        chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(60))
    }

    /// One pass of the worker (the `matcher` job): match new change events, deliver due
    /// pushes, send the day's digests, send queued mail. A step that fails is logged and
    /// the next still runs; the pass then counts as failed and the next one retries.
    pub async fn run_once(&self) -> Result<Report, JobError> {
        let mut steps = Steps::new();
        steps.record("matched", self.step().await);
        steps.record("pushed", self.deliver().await);
        steps.record("digests", self.send_digests(Utc::now()).await);
        steps.record("mailed", self.deliver_queued_mail().await);
        steps.finish()
    }
}

/// Figures for `/metrics`: how far behind the matcher is, and pushes by state.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// The newest change event's id.
    pub last_event: i64,
    /// Events the matcher has not handled yet.
    pub backlog: i64,
    pub pushes: Vec<(String, u64)>,
}

pub async fn stats(db: &DatabaseConnection) -> Result<Stats, WorkerError> {
    use sea_orm::PaginatorTrait;
    let last: Option<i64> = outbox_event::Entity::find()
        .select_only()
        .column(outbox_event::Column::Id)
        .order_by_desc(outbox_event::Column::Id)
        .into_tuple()
        .one(db)
        .await?;
    let done = lease::Entity::find_by_id(LEASE.to_owned())
        .one(db)
        .await?
        .and_then(|row| serde_json::from_value::<SyncState>(row.progress).ok())
        .map(|s| s.watermark)
        .unwrap_or(0);
    let mut pushes = Vec::new();
    for status in [PushStatus::Pending, PushStatus::Sent, PushStatus::Dead] {
        let n = push::Entity::find()
            .filter(push::Column::Status.eq(status))
            .count(db)
            .await?;
        pushes.push((status.to_string(), n));
    }
    Ok(Stats {
        last_event: last.unwrap_or(0),
        backlog: (last.unwrap_or(0) - done).max(0),
        pushes,
    })
}
