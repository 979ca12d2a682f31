//! The live index: its current generation, writing (delete-then-add upserts, commits that
//! carry the outbox consumer's progress), searching with pinned searchers for stable
//! cursors, and swapping in a rebuilt generation.

use std::collections::VecDeque;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use doorstep_domain::pagination::{decode_cursor, encode_cursor};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
};
use uuid::Uuid;

use crate::analyzer::{ANALYZER, analyzer};
use crate::lexicon::{Entry, Lexicon};
use crate::location::{IndexLocation, LocationError};
use crate::query::{self, QueryPlan};
use crate::schema::{self, Fields, JOB, PROFILE};
use crate::search::{Collected, HitCollector, SearchRequest, Sort, build_query, kind_labels};

const CURRENT_FILE: &str = "CURRENT";
/// Writer memory; tantivy needs at least 15 MB per indexing thread.
const WRITER_BYTES: usize = 20_000_000;
/// How long a cursor stays valid, and how many pinned searchers are kept for cursors.
const CURSOR_TTL: Duration = Duration::from_secs(600);
const CURSOR_SEARCHERS: usize = 32;
/// Deep paging stops here; a seeker refines the query instead.
const MAX_OFFSET: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Location(#[from] LocationError),
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("index folder: {0}")]
    Io(#[from] std::io::Error),
    #[error("no index generation in {0}")]
    Missing(PathBuf),
    #[error("the cursor has expired; search again")]
    CursorExpired,
    #[error("the cursor is not one this index issued")]
    InvalidCursor,
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Other(String),
}

/// How far the index has applied the outbox, stored in each commit's payload. Gaps are
/// event ids below the watermark not seen yet: on PostgreSQL a transaction can commit a
/// lower sequence id after a higher one is visible, so they are re-checked until
/// `gap_timeout` says their transaction can no longer commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    pub watermark: i64,
    /// `(event id, unix seconds when first found missing)`.
    #[serde(default)]
    pub gaps: Vec<(i64, i64)>,
}

/// One generation of the index: a tantivy index in its own folder.
pub struct Generation {
    pub name: String,
    pub fields: Fields,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    state: Mutex<SyncState>,
}

impl Generation {
    fn open_index(index: Index, name: String, threads: usize) -> Result<Self, IndexError> {
        index.tokenizers().register(ANALYZER, analyzer());
        let (expected, fields) = schema::build();
        if index.schema() != expected {
            return Err(IndexError::Other(format!(
                "generation {name} has another schema"
            )));
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer_with_num_threads(threads, WRITER_BYTES * threads)?;
        let state = index
            .load_metas()?
            .payload
            .and_then(|p| serde_json::from_str(&p).ok())
            .unwrap_or_default();
        Ok(Self {
            name,
            fields,
            reader,
            writer: Mutex::new(writer),
            state: Mutex::new(state),
        })
    }

    /// A new, empty generation in `root/name`.
    pub fn create(root: &Path, name: &str) -> Result<Self, IndexError> {
        let dir = root.join(name);
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir_all(&dir)?;
        let (schema, _) = schema::build();
        let index = Index::create_in_dir(&dir, schema)?;
        // A new generation is filled by a rebuild: segmenting is the bottleneck, so every
        // core indexes (each thread with its own arena).
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        Self::open_index(index, name.to_owned(), threads)
    }

    fn open(root: &Path, name: &str) -> Result<Self, IndexError> {
        let index = Index::open_in_dir(root.join(name))?;
        Self::open_index(index, name.to_owned(), 1)
    }

    pub fn state(&self) -> SyncState {
        self.state.lock().expect("state lock").clone()
    }

    /// Replaces the document with this id (delete, then add): tantivy has no primary key.
    pub fn upsert(&self, id: Uuid, doc: Option<TantivyDocument>) -> Result<(), IndexError> {
        let writer = self.writer.lock().expect("writer lock");
        writer.delete_term(Term::from_field_text(self.fields.id, &id.to_string()));
        if let Some(doc) = doc {
            writer.add_document(doc)?;
        }
        Ok(())
    }

    /// Commits everything written so far together with `state`, then makes it searchable.
    pub fn commit(&self, state: SyncState) -> Result<(), IndexError> {
        let payload = serde_json::to_string(&state).expect("state serialises");
        {
            let mut writer = self.writer.lock().expect("writer lock");
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
        }
        self.reader.reload()?;
        *self.state.lock().expect("state lock") = state;
        Ok(())
    }

    /// Drops uncommitted writes (after a failed batch).
    pub fn rollback(&self) -> Result<(), IndexError> {
        self.writer.lock().expect("writer lock").rollback()?;
        Ok(())
    }

    /// How many committed documents carry this id (0 or 1; a test checks no doubles).
    pub fn count_id(&self, id: Uuid) -> Result<u64, IndexError> {
        let searcher = self.reader.searcher();
        let query = tantivy::query::TermQuery::new(
            Term::from_field_text(self.fields.id, &id.to_string()),
            tantivy::schema::IndexRecordOption::Basic,
        );
        Ok(searcher.search(&query, &tantivy::collector::Count)? as u64)
    }
}

/// Snippets with matches in `<b>…</b>`, HTML-escaped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Highlights {
    pub title: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Hit<D> {
    pub id: Uuid,
    pub title: String,
    pub score: f32,
    pub distance_m: Option<f64>,
    pub display: D,
    pub highlights: Highlights,
}

#[derive(Debug, Clone)]
pub struct Results<D> {
    pub hits: Vec<Hit<D>>,
    pub total: u64,
    pub kind_facets: Vec<(String, u64)>,
    pub category_facets: Vec<(String, u64)>,
    pub next_cursor: Option<String>,
    /// What was searched instead of the text typed, when a typo was corrected.
    pub corrected_query: Option<String>,
    /// Set when nothing matched as asked and these hits come from a wider search.
    pub fallback: Option<Fallback>,
}

/// How a search was widened after finding nothing as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// Nothing inside the radius: the nearest matches beyond it, nearest first.
    BeyondRadius,
    /// Nothing with the filters set: the same words without the filters or radius.
    Relaxed,
}

impl Fallback {
    pub fn as_str(self) -> &'static str {
        match self {
            Fallback::BeyondRadius => "beyond_radius",
            Fallback::Relaxed => "relaxed",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct CursorToken {
    /// Generation name and searcher generation: which pinned searcher to page.
    n: String,
    g: u64,
    o: usize,
}

struct Pinned {
    generation: String,
    searcher: Searcher,
    at: Instant,
}

pub struct SearchIndex {
    root: PathBuf,
    current: RwLock<Arc<Generation>>,
    pinned: Mutex<VecDeque<Pinned>>,
    rebuilding: AtomicBool,
    /// Signalled when the live generation has applied new change events, so a consumer in
    /// the same process (the matcher) starts at once instead of at its next poll.
    advanced: tokio::sync::Notify,
    /// The vocabulary queries are read with: the shipped lexicon plus stored entries.
    lexicon: RwLock<Arc<Lexicon>>,
}

/// Held while a rebuild runs; one at a time per index.
pub struct RebuildGuard(Arc<SearchIndex>);

impl RebuildGuard {
    pub fn index(&self) -> &SearchIndex {
        &self.0
    }
}

impl Drop for RebuildGuard {
    fn drop(&mut self) {
        self.0.rebuilding.store(false, AtomicOrdering::Release);
    }
}

fn read_current(root: &Path) -> Option<String> {
    fs::read_to_string(root.join(CURRENT_FILE))
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Points `CURRENT` at generation `name`, atomically (write, then rename).
pub fn write_current(root: &Path, name: &str) -> Result<(), IndexError> {
    let tmp = root.join(format!("{CURRENT_FILE}.tmp"));
    fs::write(&tmp, format!("{name}\n"))?;
    fs::rename(&tmp, root.join(CURRENT_FILE))?;
    Ok(())
}

/// A generation name that sorts after every earlier one.
pub fn new_generation_name() -> String {
    format!("gen-{}", Uuid::now_v7().simple())
}

impl SearchIndex {
    /// Opens the live generation; errors if there is none or it cannot be read (the caller
    /// rebuilds).
    pub fn open(root: &Path) -> Result<Self, IndexError> {
        IndexLocation::open_or_create(root)?;
        let name = read_current(root).ok_or_else(|| IndexError::Missing(root.to_owned()))?;
        let generation = Generation::open(root, &name)?;
        Ok(Self::with(root, generation))
    }

    /// Whether another holder has the live generation of `root` open for writing: a server
    /// or worker using this folder (tantivy's writer lock, which the operating system
    /// releases when its process ends). A folder without a readable index is not in use.
    pub fn in_use(root: &Path) -> bool {
        let Some(name) = read_current(root) else {
            return false;
        };
        let Ok(index) = Index::open_in_dir(root.join(name)) else {
            return false;
        };
        matches!(
            index.writer_with_num_threads::<tantivy::TantivyDocument>(1, WRITER_BYTES),
            Err(tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _
            ))
        )
    }

    /// Starts over: removes whatever the folder holds and stamps the format version.
    pub fn reset_folder(root: &Path) -> Result<(), IndexError> {
        if root.exists() {
            fs::remove_dir_all(root)?;
        }
        IndexLocation::open_or_create(root)?;
        Ok(())
    }

    pub fn with(root: &Path, generation: Generation) -> Self {
        Self {
            root: root.to_owned(),
            current: RwLock::new(Arc::new(generation)),
            pinned: Mutex::new(VecDeque::new()),
            rebuilding: AtomicBool::new(false),
            advanced: tokio::sync::Notify::new(),
            lexicon: RwLock::new(Lexicon::builtin()),
        }
    }

    /// The lexicon queries are read with now.
    pub fn lexicon(&self) -> Arc<Lexicon> {
        self.lexicon
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Layers entries added through the API over the shipped lexicon; the next query uses
    /// them (nothing is re-indexed: expansion happens at query time).
    pub fn set_lexicon_extra(&self, extra: &[Entry]) {
        let lexicon = Arc::new(Lexicon::with_extra(extra));
        *self
            .lexicon
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = lexicon;
    }

    /// Tells the waiting consumer (if any, else the next one to wait) that the index moved on.
    pub fn signal_advanced(&self) {
        self.advanced.notify_one();
    }

    /// Resolves once the index has moved on since the last time this resolved.
    pub async fn advanced(&self) {
        self.advanced.notified().await
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Claims the right to rebuild; `None` while another rebuild runs.
    pub fn try_begin_rebuild(self: &Arc<Self>) -> Option<RebuildGuard> {
        self.rebuilding
            .compare_exchange(false, true, AtomicOrdering::AcqRel, AtomicOrdering::Acquire)
            .ok()
            .map(|_| RebuildGuard(self.clone()))
    }

    pub fn current(&self) -> Arc<Generation> {
        self.current.read().expect("current lock").clone()
    }

    /// Records the live generation's name in `CURRENT`, atomically (write, then rename).
    pub fn write_current_file(&self) -> Result<(), IndexError> {
        write_current(&self.root, &self.current().name)
    }

    /// Makes `generation` the live one, on disk and in memory. Searches already running
    /// finish on the old one; the old folder is removed.
    pub fn publish(&self, generation: Generation) -> Result<(), IndexError> {
        write_current(&self.root, &generation.name)?;
        self.adopt(generation);
        Ok(())
    }

    fn adopt(&self, generation: Generation) {
        let old = std::mem::replace(
            &mut *self.current.write().expect("current lock"),
            Arc::new(generation),
        );
        self.pinned.lock().expect("pinned lock").clear();
        let old_dir = self.root.join(&old.name);
        drop(old);
        // Open searchers keep their files readable on Unix even once unlinked.
        if let Err(err) = fs::remove_dir_all(&old_dir) {
            tracing::warn!(dir = %old_dir.display(), error = %err, "could not remove an old index generation");
        }
    }

    /// If another process (`doorstep reindex`) published a newer generation, switches to it.
    pub fn follow_current_file(&self) -> Result<bool, IndexError> {
        let Some(name) = read_current(&self.root) else {
            return Ok(false);
        };
        if name == self.current().name {
            return Ok(false);
        }
        let generation = Generation::open(&self.root, &name)?;
        tracing::info!(generation = %name, "switched to a rebuilt index generation");
        self.adopt(generation);
        Ok(true)
    }

    fn searcher_for(
        &self,
        cursor: Option<&str>,
    ) -> Result<(Arc<Generation>, Searcher, usize), IndexError> {
        let generation = self.current();
        let mut pinned = self.pinned.lock().expect("pinned lock");
        pinned.retain(|p| p.at.elapsed() < CURSOR_TTL);
        match cursor {
            Some(raw) => {
                let token: CursorToken =
                    decode_cursor(raw).map_err(|_| IndexError::InvalidCursor)?;
                let found = pinned
                    .iter()
                    .find(|p| {
                        p.generation == token.n
                            && p.searcher.generation().generation_id() == token.g
                    })
                    .ok_or(IndexError::CursorExpired)?;
                Ok((generation, found.searcher.clone(), token.o))
            }
            None => {
                let searcher = generation.reader.searcher();
                let id = searcher.generation().generation_id();
                if !pinned.iter().any(|p| {
                    p.generation == generation.name && p.searcher.generation().generation_id() == id
                }) {
                    if pinned.len() >= CURSOR_SEARCHERS {
                        pinned.pop_front();
                    }
                    pinned.push_back(Pinned {
                        generation: generation.name.clone(),
                        searcher: searcher.clone(),
                        at: Instant::now(),
                    });
                }
                Ok((generation, searcher, 0))
            }
        }
    }

    pub fn search_jobs<D: DeserializeOwned>(
        &self,
        request: &SearchRequest,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Results<D>, IndexError> {
        self.search(JOB, request, limit, cursor)
    }

    pub fn search_profiles<D: DeserializeOwned>(
        &self,
        request: &SearchRequest,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Results<D>, IndexError> {
        self.search(PROFILE, request, limit, cursor)
    }

    fn search<D: DeserializeOwned>(
        &self,
        doc_type: &str,
        request: &SearchRequest,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Results<D>, IndexError> {
        let (generation, searcher, offset) = self.searcher_for(cursor)?;
        let f = generation.fields;
        let lexicon = self.lexicon();
        let mut plan = query::plan(&request.text, &lexicon);
        let run = |request: &SearchRequest, plan: &QueryPlan| -> Result<_, IndexError> {
            let (query, text) = build_query(&f, doc_type, request, plan);
            let collector = HitCollector {
                fields: f,
                request: request.clone(),
                intents: plan.intents.clone(),
                has_text: text.is_some(),
                now: chrono::Utc::now().timestamp(),
                keep: offset + limit + 1,
            };
            let collected: Collected = searcher.search(&query, &collector)?;
            Ok((collected, text))
        };
        let (mut collected, mut text) = run(request, &plan)?;
        // Nothing for the words as typed: perhaps a typo that happens to be a word.
        if collected.total == 0
            && cursor.is_none()
            && plan.corrected.is_none()
            && let Some(loose) = query::plan_loosely(&request.text, &lexicon)
        {
            let (found, found_text) = run(request, &loose)?;
            if found.total > 0 {
                (collected, text, plan) = (found, found_text, loose);
            }
        }
        // Nothing as asked: say so and offer the nearest beyond the radius, or the same
        // words without the filters. Only on a first page; a widened search has no next
        // page (the seeker narrows or widens it themselves).
        let mut fallback = None;
        if collected.total == 0 && cursor.is_none() {
            for (widened, kind) in widenings(request) {
                let (found, _) = run(&widened, &plan)?;
                if found.total > 0 {
                    collected = found;
                    fallback = Some(kind);
                    break;
                }
            }
        }
        let snippets = match &text {
            Some(text) => {
                let mut title = SnippetGenerator::create(&searcher, text.as_ref(), f.title)?;
                title.set_max_num_chars(60);
                let mut description =
                    SnippetGenerator::create(&searcher, text.as_ref(), f.description)?;
                description.set_max_num_chars(120);
                Some((title, description))
            }
            None => None,
        };
        let mut hits = Vec::new();
        for candidate in collected.top.iter().skip(offset).take(limit) {
            let doc: TantivyDocument =
                searcher.doc(DocAddress::new(candidate.segment, candidate.doc))?;
            let text_of = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_owned()
            };
            let id =
                Uuid::parse_str(&text_of(f.id)).map_err(|e| IndexError::Other(e.to_string()))?;
            let display: D = serde_json::from_str(&text_of(f.display))
                .map_err(|e| IndexError::Other(e.to_string()))?;
            let highlights = match &snippets {
                Some((title, description)) => {
                    let render = |snippet: tantivy::snippet::Snippet| {
                        (!snippet.highlighted().is_empty()).then(|| snippet.to_html())
                    };
                    Highlights {
                        title: render(title.snippet_from_doc(&doc)),
                        description: render(description.snippet_from_doc(&doc)),
                    }
                }
                None => Highlights::default(),
            };
            hits.push(Hit {
                id,
                title: text_of(f.title),
                score: candidate.score,
                distance_m: candidate.distance_m,
                display,
                highlights,
            });
        }
        let next = offset + limit;
        let next_cursor = (fallback.is_none() && collected.top.len() > next && next <= MAX_OFFSET)
            .then(|| {
                encode_cursor(&CursorToken {
                    n: generation.name.clone(),
                    g: searcher.generation().generation_id(),
                    o: next,
                })
            });
        let kind_facets = kind_labels()
            .iter()
            .zip(collected.kinds)
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k.to_string(), n))
            .collect();
        let category_facets = doorstep_domain::postings::taxonomy::CATEGORIES
            .iter()
            .zip(collected.categories.iter())
            .filter(|(_, n)| **n > 0)
            .map(|(c, n)| (c.code.to_owned(), *n))
            .collect();
        Ok(Results {
            hits,
            total: collected.total,
            kind_facets,
            category_facets,
            next_cursor,
            corrected_query: plan.corrected.clone(),
            fallback,
        })
    }

    /// The query plan a text gets now (for tests and the API's explanations).
    pub fn plan(&self, text: &str) -> QueryPlan {
        query::plan(text, &self.lexicon())
    }
}

/// The wider searches to try, in order, when a search finds nothing.
fn widenings(request: &SearchRequest) -> Vec<(SearchRequest, Fallback)> {
    let mut out = Vec::new();
    if let Some(area) = request.area
        && area.radius_m.is_some()
    {
        let mut wider = request.clone();
        wider.area = Some(crate::search::Area {
            center: area.center,
            radius_m: None,
        });
        wider.sort = Sort::Distance;
        out.push((wider, Fallback::BeyondRadius));
    }
    let filtered = !request.kinds.is_empty()
        || !request.categories.is_empty()
        || !request.schedule.is_empty()
        || request.pay_hour_min.is_some()
        || request.pay_hour_max.is_some()
        || request.published_since.is_some()
        || request.education_min.is_some()
        || request.shift_window.is_some()
        || request.open_places;
    if filtered {
        let mut relaxed = SearchRequest::new(request.text.clone());
        relaxed.area = request.area.map(|a| crate::search::Area {
            center: a.center,
            radius_m: None,
        });
        relaxed.visibilities = request.visibilities.clone();
        relaxed.districts = request.districts.clone();
        relaxed.sort = request.sort;
        out.push((relaxed, Fallback::Relaxed));
    }
    out
}
