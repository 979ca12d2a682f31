//! Keeping the index in step with the database through the transactional outbox, and
//! rebuilding it from scratch.
//!
//! Every event is applied by re-reading the current row and upserting (or deleting) its
//! document, so applying an event twice, or two events out of order, ends in the same index
//! as applying them once in order: the index always converges on what the database holds.
//! What must not happen is skipping an event; see [`SyncState`] for the gaps a sequence can
//! leave on PostgreSQL.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use doorstep_domain::entities::{account, business, outbox_event, posting, seeker_profile, shift};
use doorstep_domain::types::{BusinessStatus, PostingKind};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::documents;
use crate::index::{
    Generation, IndexError, RebuildGuard, SearchIndex, SyncState, new_generation_name,
};
use crate::lexicon::Entry;

/// Events read per pass.
const BATCH: u64 = 500;
/// At most this many gaps are watched; beyond that the oldest are given up.
const MAX_GAPS: usize = 10_000;
/// Rows read per query while rebuilding.
const REBUILD_PAGE: u64 = 1_000;

/// Applies outbox events to the index.
pub struct Syncer {
    pub index: Arc<SearchIndex>,
    pub db: DatabaseConnection,
    /// How long a missing event id is waited for before it counts as a rolled-back
    /// transaction. Longer than any write transaction runs.
    pub gap_timeout: Duration,
}

/// The distinct things a batch of events touched.
#[derive(Debug, Default)]
struct Touched {
    postings: BTreeSet<Uuid>,
    businesses: BTreeSet<Uuid>,
    profiles: BTreeSet<Uuid>,
}

impl Touched {
    fn add(&mut self, event: &outbox_event::Model) {
        match event.aggregate_type.as_str() {
            "posting" => {
                self.postings.insert(event.aggregate_id);
            }
            "business" => {
                self.businesses.insert(event.aggregate_id);
            }
            "profile" => {
                self.profiles.insert(event.aggregate_id);
            }
            _ => {}
        }
    }
}

/// The state after a batch: the new watermark, late events found, new holes recorded, and
/// holes older than `timeout` given up.
pub fn advance(
    state: &SyncState,
    fresh: &[i64],
    late: &[i64],
    now: i64,
    timeout: i64,
) -> SyncState {
    let mut gaps: Vec<(i64, i64)> = state
        .gaps
        .iter()
        .copied()
        .filter(|(id, seen)| !late.contains(id) && now - seen < timeout)
        .collect();
    let mut expected = state.watermark + 1;
    let mut watermark = state.watermark;
    for &id in fresh {
        for missing in expected..id {
            gaps.push((missing, now));
        }
        expected = expected.max(id + 1);
        watermark = watermark.max(id);
    }
    if gaps.len() > MAX_GAPS {
        gaps.drain(..gaps.len() - MAX_GAPS);
    }
    SyncState { watermark, gaps }
}

async fn apply(
    db: &DatabaseConnection,
    generation: &Generation,
    touched: &Touched,
) -> Result<(), IndexError> {
    let f = &generation.fields;
    let now = Utc::now();
    let mut postings: Vec<posting::Model> = posting::Entity::find()
        .filter(posting::Column::Id.is_in(touched.postings.iter().copied()))
        .all(db)
        .await?;
    // A business change (verified, rejected, renamed) changes all its postings' documents.
    postings.extend(
        posting::Entity::find()
            .filter(posting::Column::BusinessId.is_in(touched.businesses.iter().copied()))
            .all(db)
            .await?,
    );
    let business_ids: BTreeSet<Uuid> = postings.iter().map(|p| p.business_id).collect();
    let businesses = business::Entity::find()
        .filter(business::Column::Id.is_in(business_ids))
        .all(db)
        .await?;
    let found: BTreeSet<Uuid> = postings.iter().map(|p| p.id).collect();
    for gone in touched.postings.difference(&found) {
        generation.upsert(*gone, None)?;
    }
    let shifts = gig_shifts(db, &postings, now).await?;
    for p in &postings {
        let doc = businesses
            .iter()
            .find(|b| b.id == p.business_id)
            .and_then(|b| {
                let own = shifts.get(&p.id).map(Vec::as_slice).unwrap_or_default();
                documents::job_with_shifts(f, p, b, own, now)
            });
        generation.upsert(p.id, doc)?;
    }

    let profiles = seeker_profile::Entity::find()
        .filter(seeker_profile::Column::AccountId.is_in(touched.profiles.iter().copied()))
        .all(db)
        .await?;
    let accounts = account::Entity::find()
        .filter(account::Column::Id.is_in(touched.profiles.iter().copied()))
        .all(db)
        .await?;
    for id in &touched.profiles {
        let doc = profiles.iter().find(|p| p.account_id == *id).and_then(|p| {
            accounts
                .iter()
                .find(|a| a.id == *id)
                .and_then(|a| documents::profile(f, p, a))
        });
        generation.upsert(*id, doc)?;
    }
    Ok(())
}

/// The upcoming shifts of the gig postings among `postings`, by posting.
async fn gig_shifts(
    db: &DatabaseConnection,
    postings: &[posting::Model],
    now: chrono::DateTime<Utc>,
) -> Result<HashMap<Uuid, Vec<shift::Model>>, IndexError> {
    let gigs: Vec<Uuid> = postings
        .iter()
        .filter(|p| p.kind == PostingKind::Gig)
        .map(|p| p.id)
        .collect();
    let mut by_posting: HashMap<Uuid, Vec<shift::Model>> = HashMap::new();
    for s in doorstep_domain::gigs::shifts::upcoming_of(db, &gigs, now)
        .await
        .map_err(|e| IndexError::Other(e.to_string()))?
    {
        by_posting.entry(s.posting_id).or_default().push(s);
    }
    Ok(by_posting)
}

impl Syncer {
    /// One pass: applies new events and late ones, then commits once with the new state.
    /// Returns how many events were applied.
    pub async fn step(&self) -> Result<usize, IndexError> {
        let generation = self.index.current();
        let state = generation.state();
        let fresh = outbox_event::Entity::find()
            .filter(outbox_event::Column::Id.gt(state.watermark))
            .order_by_asc(outbox_event::Column::Id)
            .limit(BATCH)
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
        let now = Utc::now().timestamp();
        let timeout = self.gap_timeout.as_secs() as i64;
        let fresh_ids: Vec<i64> = fresh.iter().map(|e| e.id).collect();
        let late_ids: Vec<i64> = late.iter().map(|e| e.id).collect();
        let next = advance(&state, &fresh_ids, &late_ids, now, timeout);
        if next == state {
            return Ok(0);
        }
        let mut touched = Touched::default();
        for event in fresh.iter().chain(late.iter()) {
            touched.add(event);
        }
        if let Err(err) = apply(&self.db, &generation, &touched).await {
            generation.rollback()?;
            return Err(err);
        }
        let applied = fresh.len() + late.len();
        let committing = generation.clone();
        tokio::task::spawn_blocking(move || committing.commit(next))
            .await
            .map_err(|e| IndexError::Other(e.to_string()))??;
        Ok(applied)
    }
}

/// The search-sync job's state between passes: a [`Syncer`] and when it last read the
/// stored lexicon.
pub struct Follower {
    syncer: Syncer,
    lexicon_seen: Option<LexiconFingerprint>,
    lexicon_checked: Option<std::time::Instant>,
}

impl Follower {
    pub fn new(syncer: Syncer) -> Self {
        Self {
            syncer,
            lexicon_seen: None,
            lexicon_checked: None,
        }
    }

    /// One pass of the job: picks up lexicon entries another instance stored (checked every
    /// few seconds), follows a rebuilt generation, and applies new events, telling the
    /// matcher when it did. Returns how many events were applied.
    pub async fn pass(&mut self) -> Result<usize, IndexError> {
        let syncer = &self.syncer;
        if self
            .lexicon_checked
            .is_none_or(|at| at.elapsed() >= LEXICON_CHECK)
        {
            self.lexicon_checked = Some(std::time::Instant::now());
            match refresh_lexicon(&syncer.db, &syncer.index, self.lexicon_seen).await {
                Ok(seen) => self.lexicon_seen = Some(seen),
                Err(err) => tracing::warn!(error = %err, "could not read the stored lexicon"),
            }
        }
        if let Err(err) = syncer.index.follow_current_file() {
            tracing::warn!(error = %err, "could not switch to the rebuilt index yet");
        }
        let applied = syncer.step().await?;
        if applied > 0 {
            syncer.index.signal_advanced();
        }
        Ok(applied)
    }
}

/// How often a server looks for lexicon entries stored by another instance.
const LEXICON_CHECK: Duration = Duration::from_secs(3);

type LexiconFingerprint = (u64, Option<Uuid>);

/// Loads the stored lexicon entries into `index` unless their fingerprint is `seen`.
/// Entries that no longer parse (a later release changed the format) are skipped with a
/// warning rather than taking search down.
pub async fn refresh_lexicon(
    db: &DatabaseConnection,
    index: &SearchIndex,
    seen: Option<LexiconFingerprint>,
) -> Result<LexiconFingerprint, IndexError> {
    let domain = |e: doorstep_domain::DomainError| IndexError::Other(e.to_string());
    let fingerprint = doorstep_domain::lexicon::fingerprint(db)
        .await
        .map_err(domain)?;
    if seen == Some(fingerprint) {
        return Ok(fingerprint);
    }
    let stored = doorstep_domain::lexicon::list(db).await.map_err(domain)?;
    let entries: Vec<Entry> = stored
        .into_iter()
        .filter_map(|row| match serde_json::from_value::<Entry>(row.entry) {
            Ok(entry) => Some(entry),
            Err(err) => {
                tracing::warn!(id = %row.id, error = %err, "skipping a stored lexicon entry");
                None
            }
        })
        .collect();
    let count = entries.len();
    index.set_lexicon_extra(&entries);
    if seen.is_some() || count > 0 {
        tracing::info!(stored = count, "lexicon loaded");
    }
    Ok(fingerprint)
}

/// Builds a complete new generation from the database. Events committed while it is built
/// are applied on top afterwards by the syncer (harmlessly, if the rows were already read).
pub async fn rebuild(db: &DatabaseConnection, root: &Path) -> Result<Generation, IndexError> {
    // Read the outbox position first: everything after it is re-applied later. Ids just
    // below it that are not visible yet may belong to transactions still running; they are
    // watched as gaps.
    let recent: Vec<i64> = outbox_event::Entity::find()
        .select_only()
        .column(outbox_event::Column::Id)
        .order_by_desc(outbox_event::Column::Id)
        .limit(BATCH)
        .into_tuple()
        .all(db)
        .await?;
    let watermark = recent.first().copied().unwrap_or(0);
    let floor = recent.last().copied().unwrap_or(0);
    let now = Utc::now().timestamp();
    let gaps = (floor..watermark)
        .filter(|id| !recent.contains(id))
        .map(|id| (id, now))
        .collect();

    let root = root.to_owned();
    let name = new_generation_name();
    let generation = tokio::task::spawn_blocking(move || Generation::create(&root, &name))
        .await
        .map_err(|e| IndexError::Other(e.to_string()))??;
    let f = generation.fields;
    let when = Utc::now();

    let mut after = Uuid::nil();
    loop {
        // Keyset pages by id alone, so each page is a short walk of the primary key. With
        // a status filter SQLite chose the status index and sorted every open posting for
        // each page, so a rebuild grew with the square of the postings (over ten minutes
        // for 1M, unfinished). Closed ones are skipped below
        // (`documents::job` indexes only what seekers may see).
        let page = posting::Entity::find()
            .filter(posting::Column::Id.gt(after))
            .order_by_asc(posting::Column::Id)
            .limit(REBUILD_PAGE)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let ids: BTreeSet<Uuid> = page.iter().map(|p| p.business_id).collect();
        let businesses = business::Entity::find()
            .filter(business::Column::Id.is_in(ids))
            .filter(business::Column::Status.eq(BusinessStatus::Verified))
            .all(db)
            .await?;
        let shifts = gig_shifts(db, &page, when).await?;
        for p in &page {
            if let Some(doc) = businesses
                .iter()
                .find(|b| b.id == p.business_id)
                .and_then(|b| {
                    let own = shifts.get(&p.id).map(Vec::as_slice).unwrap_or_default();
                    documents::job_with_shifts(&f, p, b, own, when)
                })
            {
                generation.upsert(p.id, Some(doc))?;
            }
        }
    }
    let mut after = Uuid::nil();
    loop {
        let page = seeker_profile::Entity::find()
            .filter(seeker_profile::Column::AccountId.gt(after))
            .order_by_asc(seeker_profile::Column::AccountId)
            .limit(REBUILD_PAGE)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.account_id;
        let accounts = account::Entity::find()
            .filter(account::Column::Id.is_in(page.iter().map(|p| p.account_id)))
            .all(db)
            .await?;
        for p in &page {
            if let Some(doc) = accounts
                .iter()
                .find(|a| a.id == p.account_id)
                .and_then(|a| documents::profile(&f, p, a))
            {
                generation.upsert(p.account_id, Some(doc))?;
            }
        }
    }
    let generation = tokio::task::spawn_blocking(move || {
        generation.commit(SyncState { watermark, gaps })?;
        Ok::<_, IndexError>(generation)
    })
    .await
    .map_err(|e| IndexError::Other(e.to_string()))??;
    Ok(generation)
}

/// Opens the index in `root`, or, when it is missing, of another format or unreadable,
/// rebuilds it from the database (with a log line saying why).
pub async fn open_or_rebuild(
    db: &DatabaseConnection,
    root: &Path,
) -> Result<SearchIndex, IndexError> {
    match SearchIndex::open(root) {
        Ok(index) => Ok(index),
        Err(reason) => {
            tracing::warn!(%reason, folder = %root.display(), "rebuilding the search index from the database");
            SearchIndex::reset_folder(root)?;
            let generation = rebuild(db, root).await?;
            let index = SearchIndex::with(root, generation);
            index.write_current_file()?;
            Ok(index)
        }
    }
}

/// For `doorstep reindex`, run beside live servers: builds a new generation and points
/// `CURRENT` at it; each server notices and switches on its next sync pass.
pub async fn rebuild_in_folder(db: &DatabaseConnection, root: &Path) -> Result<String, IndexError> {
    let index = rebuild_and_open(db, root).await?;
    Ok(index.current().name.clone())
}

/// Rebuilds into a new generation of the folder, makes it the current one and keeps it open
/// (with its writer), so no other process can take the new generation's lock between the
/// switch and this process opening it; a server following the folder switches once this
/// process lets go.
pub async fn rebuild_and_open(
    db: &DatabaseConnection,
    root: &Path,
) -> Result<SearchIndex, IndexError> {
    crate::location::IndexLocation::open_or_create(root)?;
    let generation = rebuild(db, root).await?;
    crate::index::write_current(root, &generation.name)?;
    Ok(SearchIndex::with(root, generation))
}

/// Rebuilds into a new generation and swaps it in; searches keep being answered by the old
/// one until the swap.
pub async fn reindex(db: &DatabaseConnection, claim: RebuildGuard) -> Result<(), IndexError> {
    let generation = rebuild(db, claim.index().root()).await?;
    claim.index().publish(generation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(watermark: i64, gaps: &[(i64, i64)]) -> SyncState {
        SyncState {
            watermark,
            gaps: gaps.to_vec(),
        }
    }

    #[test]
    fn holes_become_gaps_and_late_events_fill_them() {
        let next = advance(&state(4, &[]), &[5, 7, 8], &[], 100, 300);
        assert_eq!(next, state(8, &[(6, 100)]));
        let filled = advance(&next, &[9], &[6], 110, 300);
        assert_eq!(filled, state(9, &[]));
    }

    #[test]
    fn gaps_are_given_up_after_the_timeout() {
        let next = advance(&state(8, &[(6, 100)]), &[], &[], 401, 300);
        assert_eq!(next, state(8, &[]));
        let kept = advance(&state(8, &[(6, 100)]), &[], &[], 399, 300);
        assert_eq!(kept, state(8, &[(6, 100)]));
    }

    #[test]
    fn nothing_new_changes_nothing() {
        let s = state(8, &[(6, 100)]);
        assert_eq!(advance(&s, &[], &[], 150, 300), s);
    }
}
