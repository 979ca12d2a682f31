//! Queries: segmented text over weighted fields with synonyms, term filters, and one
//! collector that applies the exact radius and range filters, counts facets and keeps the
//! best hits under the chosen sort.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use doorstep_domain::types::GeoPoint;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, Term};

use crate::documents::{KINDS, category_ord, flag_bits, kind_ord, pay_unit_ord};
use crate::query::{Intents, QueryPlan};
use crate::schema::Fields;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Text relevance, blended with closeness when a point is given ("doorstep" ranking).
    Relevance,
    /// Nearest first (needs a point).
    Distance,
    /// Best paid first (by hourly equivalent).
    Pay,
    /// Newest first.
    Recency,
}

/// A point, and optionally a radius around it that results must fall within.
#[derive(Debug, Clone, Copy)]
pub struct Area {
    pub center: GeoPoint,
    pub radius_m: Option<f64>,
}

/// Everything a search can ask, for jobs and for profiles.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub text: String,
    pub area: Option<Area>,
    pub kinds: Vec<String>,
    pub categories: Vec<String>,
    /// Fen per hour: the posting's best pay must reach this.
    pub pay_hour_min: Option<f64>,
    /// Fen per hour: the posting's lowest pay must not exceed this.
    pub pay_hour_max: Option<f64>,
    /// Flags that must all hold (`weekend`, `evening`…).
    pub schedule: Vec<String>,
    /// Unix seconds: only documents published since.
    pub published_since: Option<i64>,
    pub education_min: Option<u64>,
    /// Profiles: visibilities to include.
    pub visibilities: Vec<String>,
    /// Profiles: only seekers placed in one of these districts (an empty list finds
    /// nobody); `None` for no restriction.
    pub districts: Option<Vec<String>>,
    pub sort: Sort,
    /// Gig shifts: only postings with an upcoming shift starting in `[from, to)` (unix
    /// seconds; either end open)…
    pub shift_window: Option<(Option<i64>, Option<i64>)>,
    /// …and, when set, one with a place open (with or without a window).
    pub open_places: bool,
}

impl SearchRequest {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            area: None,
            kinds: Vec::new(),
            categories: Vec::new(),
            pay_hour_min: None,
            pay_hour_max: None,
            schedule: Vec::new(),
            published_since: None,
            education_min: None,
            visibilities: Vec::new(),
            districts: None,
            sort: Sort::Relevance,
            shift_window: None,
            open_places: false,
        }
    }
}

/// At most this many distinct terms from one query reach the index.
const MAX_QUERY_TERMS: usize = 32;
/// Postings that have every thing the query names score this share again.
const ALL_CONCEPTS_BONUS: f32 = 0.5;
const MAX_CONCEPTS: usize = 6;
/// A pinyin match counts for less than the characters typed: dy is a guess at 店员.
const PINYIN_BOOST: f32 = 1.2;
/// Each intent a posting fits multiplies its score by this (周末 and a weekend job).
const INTENT_BOOST: f64 = 1.3;

/// The text part of a query: every planned term on every text field with its weight, the
/// typed words as exact skills, and pinyin-like words on the pinyin field. `None` when
/// there is nothing to search by.
pub fn text_query(f: &Fields, plan: &QueryPlan) -> Option<Box<dyn Query>> {
    if !plan.has_text() {
        return None;
    }
    let fields: [(Field, f32); 5] = [
        (f.title, 3.0),
        (f.skills, 2.0),
        (f.category_text, 1.5),
        (f.business, 1.0),
        (f.description, 1.0),
    ];
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut boosted = |field: Field, text: &str, boost: f32, record: IndexRecordOption| {
        let query = TermQuery::new(Term::from_field_text(field, text), record);
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(query), boost)),
        ));
    };
    for (term, weight) in plan.terms.iter().take(MAX_QUERY_TERMS) {
        for (field, boost) in fields {
            boosted(field, term, boost * weight, IndexRecordOption::WithFreqs);
        }
    }
    for word in plan.exact.iter().take(MAX_QUERY_TERMS) {
        boosted(f.skill_exact, word, 2.5, IndexRecordOption::Basic);
    }
    for word in plan.pinyin.iter().take(MAX_QUERY_TERMS) {
        boosted(f.pinyin, word, PINYIN_BOOST, IndexRecordOption::WithFreqs);
    }
    if !plan.concepts.is_empty() {
        let all: Vec<(Occur, Box<dyn Query>)> = plan
            .concepts
            .iter()
            .take(MAX_CONCEPTS)
            .map(|concept| {
                let any: Vec<(Occur, Box<dyn Query>)> = concept
                    .iter()
                    .take(MAX_QUERY_TERMS)
                    .flat_map(|term| {
                        fields.iter().map(move |(field, boost)| {
                            let q: Box<dyn Query> = Box::new(BoostQuery::new(
                                Box::new(TermQuery::new(
                                    Term::from_field_text(*field, term),
                                    IndexRecordOption::WithFreqs,
                                )),
                                *boost,
                            ));
                            (Occur::Should, q)
                        })
                    })
                    .collect();
                let q: Box<dyn Query> = Box::new(BooleanQuery::new(any));
                (Occur::Must, q)
            })
            .collect();
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(BooleanQuery::new(all)),
                ALL_CONCEPTS_BONUS,
            )),
        ));
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

fn any_of(field: Field, values: &[String]) -> Box<dyn Query> {
    let clauses = values
        .iter()
        .map(|v| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, v),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// The whole query: the text (if any) and every term filter.
pub fn build_query(
    f: &Fields,
    doc_type: &str,
    request: &SearchRequest,
    plan: &QueryPlan,
) -> (Box<dyn Query>, Option<Box<dyn Query>>) {
    let text = text_query(f, plan);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![filter(Box::new(TermQuery::new(
        Term::from_field_text(f.doc_type, doc_type),
        IndexRecordOption::Basic,
    )))];
    if let Some(text) = &text {
        clauses.push((Occur::Must, text.box_clone()));
    }
    if !request.kinds.is_empty() {
        clauses.push(filter(any_of(f.kind, &request.kinds)));
    }
    if !request.categories.is_empty() {
        clauses.push(filter(any_of(f.category, &request.categories)));
    }
    if !request.visibilities.is_empty() {
        clauses.push(filter(any_of(f.visibility, &request.visibilities)));
    }
    if let Some(districts) = &request.districts {
        // An officer with no district finds nobody: a term no document has.
        let nobody = ["-".to_owned()];
        let districts = if districts.is_empty() {
            &nobody[..]
        } else {
            districts
        };
        clauses.push(filter(any_of(f.district, districts)));
    }
    for flag in &request.schedule {
        clauses.push(filter(Box::new(TermQuery::new(
            Term::from_field_text(f.schedule, flag),
            IndexRecordOption::Basic,
        ))));
    }
    (Box::new(BooleanQuery::new(clauses)), text)
}

/// One hit before its stored fields are read.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub key: f64,
    pub score: Score,
    pub distance_m: Option<f64>,
    pub segment: SegmentOrdinal,
    pub doc: DocId,
}

impl Candidate {
    /// Best first; ties in a fixed order, so a page boundary never moves on one searcher.
    fn rank(&self, other: &Self) -> Ordering {
        other
            .key
            .total_cmp(&self.key)
            .then(self.segment.cmp(&other.segment))
            .then(self.doc.cmp(&other.doc))
    }
}

struct Ranked(Candidate);

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.0.rank(&other.0) == Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    // The heap's top is the worst kept candidate.
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.rank(&other.0)
    }
}

/// What one search collects: the best `keep` candidates, the number of matches, and facet
/// counts by kind and category.
#[derive(Debug, Default)]
pub struct Collected {
    pub top: Vec<Candidate>,
    pub total: u64,
    pub kinds: [u64; 4],
    pub categories: Vec<u64>,
}

pub struct HitCollector {
    pub fields: Fields,
    pub request: SearchRequest,
    pub intents: Intents,
    pub has_text: bool,
    pub now: i64,
    pub keep: usize,
}

pub struct HitSegmentCollector {
    segment: SegmentOrdinal,
    area: Option<Area>,
    request: SearchRequest,
    boosts: Boosts,
    schedule_bits: Column<u64>,
    pay_unit: Column<u64>,
    has_text: bool,
    now: i64,
    keep: usize,
    lat: Column<f64>,
    lon: Column<f64>,
    pay_min: Column<f64>,
    pay_max: Column<f64>,
    published: Column<i64>,
    expires: Column<i64>,
    kind: Column<u64>,
    category: Column<u64>,
    education: Column<u64>,
    shift_starts: Column<i64>,
    open_shift_starts: Column<i64>,
    heap: BinaryHeap<Ranked>,
    out: Collected,
}

impl Collector for HitCollector {
    type Fruit = Collected;
    type Child = HitSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<HitSegmentCollector> {
        let fast = reader.fast_fields();
        Ok(HitSegmentCollector {
            segment,
            area: self.request.area,
            request: self.request.clone(),
            boosts: Boosts::of(&self.intents),
            schedule_bits: fast.u64("schedule_bits")?,
            pay_unit: fast.u64("pay_unit_ord")?,
            has_text: self.has_text,
            now: self.now,
            keep: self.keep,
            lat: fast.f64("lat")?,
            lon: fast.f64("lon")?,
            pay_min: fast.f64("pay_hour_min")?,
            pay_max: fast.f64("pay_hour_max")?,
            published: fast.i64("published")?,
            expires: fast.i64("expires")?,
            kind: fast.u64("kind_ord")?,
            category: fast.u64("category_ord")?,
            education: fast.u64("education_rank")?,
            shift_starts: fast.i64("shift_starts")?,
            open_shift_starts: fast.i64("open_shift_starts")?,
            heap: BinaryHeap::new(),
            out: Collected {
                categories: vec![0; doorstep_domain::postings::taxonomy::CATEGORIES.len()],
                ..Default::default()
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        self.has_text
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut merged = Collected {
            categories: vec![0; doorstep_domain::postings::taxonomy::CATEGORIES.len()],
            ..Default::default()
        };
        for fruit in fruits {
            merged.total += fruit.total;
            for (a, b) in merged.kinds.iter_mut().zip(fruit.kinds) {
                *a += b;
            }
            for (a, b) in merged.categories.iter_mut().zip(fruit.categories) {
                *a += b;
            }
            merged.top.extend(fruit.top);
        }
        merged.top.sort_by(|a, b| a.rank(b));
        merged.top.truncate(self.keep);
        Ok(merged)
    }
}

impl SegmentCollector for HitSegmentCollector {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.expires.first(doc).is_some_and(|e| e <= self.now) {
            return;
        }
        let distance_m = match self.area {
            Some(area) => match (self.lat.first(doc), self.lon.first(doc)) {
                (Some(lat), Some(lon)) => GeoPoint::new(lat, lon)
                    .ok()
                    .map(|p| area.center.distance_m(p)),
                _ => None,
            },
            None => None,
        };
        if let Some(radius) = self.area.and_then(|a| a.radius_m) {
            // Exact great-circle distance: nothing outside, nothing inside missed.
            if distance_m.is_none_or(|d| d > radius) {
                return;
            }
        }
        let pay_max = self.pay_max.first(doc).unwrap_or(-1.0);
        if let Some(min) = self.request.pay_hour_min
            && (pay_max < 0.0 || pay_max < min)
        {
            return;
        }
        if let Some(max) = self.request.pay_hour_max {
            let pay_min = self.pay_min.first(doc).unwrap_or(-1.0);
            if pay_min < 0.0 || pay_min > max {
                return;
            }
        }
        let published = self.published.first(doc).unwrap_or(0);
        if self
            .request
            .published_since
            .is_some_and(|since| published < since)
        {
            return;
        }
        if let Some(min) = self.request.education_min
            && self.education.first(doc).unwrap_or(0) < min
        {
            return;
        }
        if !self.has_wanted_shift(doc) {
            return;
        }
        self.out.total += 1;
        if let Some(count) = self
            .kind
            .first(doc)
            .and_then(|k| self.out.kinds.get_mut(k as usize))
        {
            *count += 1;
        }
        if let Some(count) = self
            .category
            .first(doc)
            .and_then(|c| self.out.categories.get_mut(c as usize))
        {
            *count += 1;
        }
        let key = match self.request.sort {
            Sort::Relevance => {
                let base = if self.has_text { f64::from(score) } else { 1.0 }
                    * self.intent_factor(doc, pay_max);
                match distance_m {
                    // Closer is better, but a strong text match a little further away still
                    // beats a weak one next door; 附近 in the query tips it further.
                    Some(d) if self.boosts.near => base * (0.1 + 0.9 / (1.0 + d / 1_000.0)),
                    Some(d) => base * (0.4 + 0.6 / (1.0 + d / 2_000.0)),
                    None if self.has_text => base,
                    None => published as f64,
                }
            }
            Sort::Distance => distance_m.map(|d| -d).unwrap_or(f64::NEG_INFINITY),
            Sort::Pay => pay_max,
            Sort::Recency => published as f64,
        };
        let candidate = Candidate {
            key,
            score,
            distance_m,
            segment: self.segment,
            doc,
        };
        if self.heap.len() < self.keep {
            self.heap.push(Ranked(candidate));
        } else if let Some(worst) = self.heap.peek()
            && candidate.rank(&worst.0) == Ordering::Less
        {
            self.heap.pop();
            self.heap.push(Ranked(candidate));
        }
    }

    fn harvest(mut self) -> Collected {
        self.out.top = self.heap.into_iter().map(|r| r.0).collect();
        self.out
    }
}

/// The intents of a query in the form the collector checks per hit.
#[derive(Debug, Clone, Default)]
struct Boosts {
    schedule: u64,
    kinds: Vec<u64>,
    pay_units: Vec<u64>,
    pay_hour: Option<(f64, f64)>,
    near: bool,
}

impl Boosts {
    fn of(intents: &Intents) -> Self {
        Self {
            schedule: flag_bits(&intents.schedule),
            kinds: intents.kinds.iter().map(|k| kind_ord(*k)).collect(),
            pay_units: intents.pay_units.iter().map(|u| pay_unit_ord(*u)).collect(),
            pay_hour: intents.pay_hour,
            near: intents.near,
        }
    }
}

impl HitSegmentCollector {
    /// Whether the shift filters (if any) hold: an upcoming shift, open if asked, in the
    /// window if given. A shift that has started no longer counts, whenever it was indexed.
    fn has_wanted_shift(&self, doc: DocId) -> bool {
        let request = &self.request;
        if request.shift_window.is_none() && !request.open_places {
            return true;
        }
        let (from, to) = request.shift_window.unwrap_or((None, None));
        let from = from.unwrap_or(self.now).max(self.now + 1);
        let to = to.unwrap_or(i64::MAX);
        let column = if request.open_places {
            &self.open_shift_starts
        } else {
            &self.shift_starts
        };
        column
            .values_for_doc(doc)
            .any(|start| start >= from && start < to)
    }

    /// How much the hit's structured fields fit the query's intent words: one factor of
    /// [`INTENT_BOOST`] per intent met, never a penalty.
    fn intent_factor(&self, doc: DocId, pay_max: f64) -> f64 {
        let b = &self.boosts;
        let mut factor = 1.0;
        if b.schedule != 0 && self.schedule_bits.first(doc).unwrap_or(0) & b.schedule != 0 {
            factor *= INTENT_BOOST;
        }
        if !b.kinds.is_empty() && self.kind.first(doc).is_some_and(|k| b.kinds.contains(&k)) {
            factor *= INTENT_BOOST;
        }
        if !b.pay_units.is_empty()
            && self
                .pay_unit
                .first(doc)
                .is_some_and(|u| b.pay_units.contains(&u))
        {
            factor *= INTENT_BOOST;
        }
        if let Some((low, high)) = b.pay_hour {
            let pay_min = self.pay_min.first(doc).unwrap_or(-1.0);
            // The ranges overlap, with a little give (ads round their figures).
            if pay_max >= 0.0 && pay_max >= low * 0.9 && pay_min <= high * 1.1 {
                factor *= INTENT_BOOST;
            }
        }
        factor
    }
}

/// Facet labels for the kind counts.
pub fn kind_labels() -> [&'static str; 4] {
    KINDS.map(|k| k.as_str())
}

/// The category facet index of a code (for tests).
pub fn category_index(code: &str) -> usize {
    category_ord(code) as usize
}
