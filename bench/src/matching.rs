//! The matcher's work for one new posting, without the database: find candidate seekers
//! through the index (as the worker does: the nearest 300 within 30 km who want this kind
//! of work), score each pair both
//! ways, keep the best 20. The database writes that follow are measured end to end by the
//! HTTP benchmark (posting → pushes written).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use doorstep_domain::entities::{account, business, seeker_profile};
use doorstep_domain::types::GeoPoint;
use doorstep_matcher::{JobText, MatchSettings, SeekerText, assess_with};
use doorstep_search_index::documents::ProfileDisplay;
use doorstep_search_index::{Area, SearchIndex, SearchRequest, Sort};
use serde_json::{Value, json};

use crate::engines::Posting;
use crate::stats::{Latency, latency};

/// New postings timed.
const SAMPLE: usize = 300;
/// Candidates the worker scores per posting.
const CANDIDATES: usize = 300;

pub struct Matching {
    profiles: usize,
    retrieve: Latency,
    score: Latency,
    total: Latency,
    pairs_per_sec: f64,
    kept_per_posting: f64,
}

pub fn measure(
    index: &SearchIndex,
    seekers: &[(seeker_profile::Model, account::Model)],
    postings: &[Posting],
    businesses: &[business::Model],
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Matching> {
    let settings = MatchSettings::default();
    let by_id: HashMap<uuid::Uuid, &seeker_profile::Model> =
        seekers.iter().map(|(p, _)| (p.account_id, p)).collect();
    let step = (postings.len() / SAMPLE).max(1);
    let (mut retrieve, mut score, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let (mut pairs, mut pair_time, mut kept) = (0usize, Duration::ZERO, 0usize);
    for p in postings.iter().step_by(step).take(SAMPLE) {
        let b = &businesses[p.business];
        let started = Instant::now();
        let mut request = SearchRequest::new("");
        request.area = GeoPoint::new(p.model.lat, p.model.lon)
            .ok()
            .map(|center| Area {
                center,
                radius_m: Some(settings.candidate_radius_km * 1000.0),
            });
        request.sort = Sort::Distance;
        request.visibilities = vec!["public".into(), "officers_only".into()];
        request.kinds = vec![p.model.kind.as_str().to_owned()];
        let found = index.search_profiles::<ProfileDisplay>(&request, CANDIDATES, None)?;
        let retrieved = started.elapsed();
        let scoring = Instant::now();
        let job_text = JobText::of(&p.model);
        let mut scored: Vec<f64> = found
            .hits
            .iter()
            .filter_map(|h| by_id.get(&h.id))
            .filter_map(|s| {
                assess_with(
                    &p.model,
                    b,
                    s,
                    now,
                    &job_text,
                    &SeekerText::of(s),
                    &settings.weights,
                )
                .ok()
            })
            .map(|a| a.score.combined)
            .filter(|c| *c >= settings.threshold)
            .collect();
        scored.sort_by(|a, b| b.total_cmp(a));
        scored.truncate(settings.top_k);
        let scored_in = scoring.elapsed();
        total.push(started.elapsed());
        retrieve.push(retrieved);
        score.push(scored_in);
        pairs += found.hits.len();
        pair_time += scored_in;
        kept += scored.len();
    }
    let n = retrieve.len().max(1);
    Ok(Matching {
        profiles: seekers.len(),
        retrieve: latency(&retrieve),
        score: latency(&score),
        total: latency(&total),
        pairs_per_sec: pairs as f64 / pair_time.as_secs_f64().max(1e-9),
        kept_per_posting: kept as f64 / n as f64,
    })
}

impl Matching {
    pub fn markdown(&self) -> String {
        format!(
            "Matching one new posting against {} profiles (in memory, {} postings sampled): candidates from the index p50 {:.2} / p99 {:.2} ms, \
             two-sided scoring of up to {CANDIDATES} candidates p50 {:.2} / p99 {:.2} ms, together p50 {:.2} / p99 {:.2} ms; \
             scoring throughput {:.0} pairs/s on one core; {:.1} matches kept per posting.\n",
            self.profiles,
            self.total.count,
            self.retrieve.p50_ms,
            self.retrieve.p99_ms,
            self.score.p50_ms,
            self.score.p99_ms,
            self.total.p50_ms,
            self.total.p99_ms,
            self.pairs_per_sec,
            self.kept_per_posting
        )
    }

    pub fn json(&self) -> Value {
        json!({
            "profiles": self.profiles,
            "retrieve": self.retrieve,
            "score": self.score,
            "total": self.total,
            "pairs_per_sec": self.pairs_per_sec,
            "kept_per_posting": self.kept_per_posting,
        })
    }
}
