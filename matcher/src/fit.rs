//! Learning the factor weights from what seekers did with their matches.
//!
//! Every stored match keeps the factor values it was scored with (`matches.factors`, a list
//! of `{name, value, weight}`), and its `status` records what came of it: `dismissed`
//! (the seeker said no), `applied` (the seeker applied, from the match or to its posting,
//! see `doorstep_domain::matches::advance`), `hired` (the merchant hired them: the
//! application reached `hired`), or still `new`/`pushed`/`saved` (shown, nothing done).
//! Those rows are the training data: [`FeedbackEvent::from_match`] reads one, and
//! [`feedback_events`] reads them all.
//!
//! [`fit`] looks for weights under which, for each seeker, the postings they applied to
//! (or were hired for) score above those they dismissed or ignored. It minimises a pairwise
//! logistic loss over the real scoring function (both sides' weighted means, their harmonic
//! mean, the requirements multiplier), by coordinate search on the logarithm of each weight
//! with a pull towards the starting weights, so a factor the feedback says nothing about
//! keeps its weight. It is deliberately small and deterministic: no library, no randomness,
//! the same events give the same weights. A side is a weighted mean, so even a factor that
//! is the same for every event can move: weighting it more pulls the side's scores towards
//! its value, which acts as an offset between the two sides.
//!
//! [`evaluate`] measures a set of weights on held-out events: where the applied and hired
//! postings rank among each seeker's shown postings (mean rank and mean reciprocal rank).
//! Always fit on some seekers and evaluate on others.
//!
//! To refit from a production database:
//!
//! 1. Read the events: `fit::feedback_events(&db)` (matches whose status is `dismissed`,
//!    `applied` or `hired`, plus `pushed`, `new` and `saved` ones as shown-and-ignored).
//!    Wait until there are a few hundred applications; fewer move the weights by noise.
//! 2. Split by seeker (say 80 % / 20 %), `fit` on the first part starting from the weights in
//!    use, `evaluate` both the old and the new weights on the second part, and keep the new
//!    ones only if they rank applied postings higher.
//! 3. Write `weights.to_toml()` to a file, bump `version`, and start the workers with
//!    `match_weights = "<file>"` (or commit it as `matcher/data/weights.toml`).
//!
//! The scores stored before the refit are not recomputed; new and changed postings and
//! profiles are scored with the new weights as they come.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use doorstep_domain::entities::job_match;
use doorstep_domain::types::MatchStatus;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use serde::Deserialize;
use uuid::Uuid;

use crate::score::combine;
use crate::weights::{JOB_FACTORS, SEEKER_FACTORS, Weights};

/// What a seeker did with a shown match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Shown (pushed, listed or saved) and nothing more.
    Shown,
    Dismissed,
    Applied,
    Hired,
}

impl Outcome {
    fn is_positive(self) -> bool {
        matches!(self, Self::Applied | Self::Hired)
    }
}

/// One match and what came of it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackEvent {
    pub seeker: Uuid,
    pub posting: Uuid,
    /// Factor values (0 to 1) by name, as scored.
    pub factors: BTreeMap<String, f64>,
    pub outcome: Outcome,
    pub at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct StoredFactor {
    name: String,
    value: f64,
}

impl FeedbackEvent {
    /// The event a stored match records, if its factors can be read.
    pub fn from_match(m: &job_match::Model) -> Option<Self> {
        let outcome = match m.status {
            MatchStatus::Dismissed => Outcome::Dismissed,
            MatchStatus::Applied => Outcome::Applied,
            MatchStatus::Hired => Outcome::Hired,
            MatchStatus::New | MatchStatus::Pushed | MatchStatus::Saved => Outcome::Shown,
        };
        let stored: Vec<StoredFactor> = serde_json::from_value(m.factors.clone()).ok()?;
        Some(Self {
            seeker: m.seeker_id,
            posting: m.posting_id,
            factors: stored.into_iter().map(|f| (f.name, f.value)).collect(),
            outcome,
            at: m.updated_at,
        })
    }
}

/// Every stored match that can serve as feedback.
pub async fn feedback_events<C: ConnectionTrait>(db: &C) -> Result<Vec<FeedbackEvent>, DbErr> {
    Ok(job_match::Entity::find()
        .all(db)
        .await?
        .iter()
        .filter_map(FeedbackEvent::from_match)
        .collect())
}

fn side(weights: &BTreeMap<String, f64>, names: &[&str], factors: &BTreeMap<String, f64>) -> f64 {
    let (mut sum, mut total) = (0.0, 0.0);
    for name in names {
        if let Some(value) = factors.get(*name) {
            let w = weights.get(*name).copied().unwrap_or(0.0).max(0.0);
            sum += w * value.clamp(0.0, 1.0);
            total += w;
        }
    }
    if total > 0.0 { sum / total } else { 0.0 }
}

/// The combined score `weights` give an event's factors, as the matcher computes it.
pub fn score(weights: &Weights, factors: &BTreeMap<String, f64>) -> f64 {
    let multiplier = factors.get("requirements").copied().unwrap_or(1.0);
    combine(
        side(&weights.seeker_side, &SEEKER_FACTORS, factors),
        side(&weights.job_side, &JOB_FACTORS, factors),
    ) * multiplier
}

/// A (better, worse) pair of one seeker's events and how much it counts.
struct Pair {
    better: usize,
    worse: usize,
    weight: f64,
}

fn pairs(events: &[FeedbackEvent]) -> Vec<Pair> {
    let mut by_seeker: BTreeMap<Uuid, Vec<usize>> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        by_seeker.entry(e.seeker).or_default().push(i);
    }
    let mut out = Vec::new();
    for indices in by_seeker.values() {
        for &better in indices {
            let up = match events[better].outcome {
                Outcome::Hired => 2.0,
                Outcome::Applied => 1.0,
                _ => continue,
            };
            for &worse in indices {
                // An ignored match is weaker evidence than a dismissed one: it may not
                // have been seen.
                let down = match events[worse].outcome {
                    Outcome::Dismissed => 1.0,
                    Outcome::Shown => 0.25,
                    _ => continue,
                };
                out.push(Pair {
                    better,
                    worse,
                    weight: up * down,
                });
            }
        }
    }
    out
}

/// How sharply the loss separates scores (they differ by hundredths).
const SHARPNESS: f64 = 20.0;
/// Pull of each log-weight towards its starting value.
const PRIOR: f64 = 0.01;
const MIN_WEIGHT: f64 = 0.05;
const MAX_WEIGHT: f64 = 20.0;

fn loss(weights: &Weights, base: &Weights, events: &[FeedbackEvent], pairs: &[Pair]) -> f64 {
    let scores: Vec<f64> = events.iter().map(|e| score(weights, &e.factors)).collect();
    let total: f64 = pairs.iter().map(|p| p.weight).sum();
    let data: f64 = pairs
        .iter()
        .map(|p| {
            let margin = SHARPNESS * (scores[p.better] - scores[p.worse]);
            p.weight * (1.0 + (-margin).exp()).ln()
        })
        .sum::<f64>()
        / total.max(1e-9);
    let prior: f64 = [
        (&weights.seeker_side, &base.seeker_side),
        (&weights.job_side, &base.job_side),
    ]
    .iter()
    .flat_map(|(now, was)| {
        now.iter().map(|(name, w)| {
            let w0 = was.get(name).copied().unwrap_or(1.0).max(MIN_WEIGHT);
            (w.max(MIN_WEIGHT) / w0).ln().powi(2)
        })
    })
    .sum();
    data + PRIOR * prior
}

/// Weights fitted to `events`, starting from the shipped ones.
pub fn fit(events: &[FeedbackEvent]) -> Weights {
    fit_from(&Weights::builtin(), events)
}

/// Weights fitted to `events`, starting from (and pulled towards) `base`. `fitted_at` is the
/// time of the newest event used; the requirements multiplier is a rule, not a preference,
/// and is not fitted.
pub fn fit_from(base: &Weights, events: &[FeedbackEvent]) -> Weights {
    let pairs = pairs(events);
    let mut best = base.clone();
    if pairs.is_empty() {
        return best;
    }
    let mut best_loss = loss(&best, base, events, &pairs);
    let names: Vec<(bool, String)> = base
        .seeker_side
        .keys()
        .map(|k| (true, k.clone()))
        .chain(base.job_side.keys().map(|k| (false, k.clone())))
        .collect();
    for step in [2.0_f64, 1.25, 1.1] {
        for _round in 0..25 {
            let mut improved = false;
            for (seeker_side, name) in &names {
                for factor in [step, 1.0 / step] {
                    let mut trial = best.clone();
                    let map = if *seeker_side {
                        &mut trial.seeker_side
                    } else {
                        &mut trial.job_side
                    };
                    let w = map.get_mut(name).expect("a known factor");
                    let moved = (*w * factor).clamp(MIN_WEIGHT, MAX_WEIGHT);
                    if (moved - *w).abs() < 1e-12 {
                        continue;
                    }
                    *w = moved;
                    let trial_loss = loss(&trial, base, events, &pairs);
                    if trial_loss + 1e-12 < best_loss {
                        best = trial;
                        best_loss = trial_loss;
                        improved = true;
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }
    for map in [&mut best.seeker_side, &mut best.job_side] {
        for w in map.values_mut() {
            *w = (*w * 1000.0).round() / 1000.0;
        }
    }
    let seekers: BTreeSet<Uuid> = events.iter().map(|e| e.seeker).collect();
    best.version = base.version + 1;
    best.fitted_at = events
        .iter()
        .map(|e| e.at)
        .max()
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| base.fitted_at.clone());
    best.note = format!(
        "fitted from {} events of {} seekers ({} applied or hired), starting from version {}",
        events.len(),
        seekers.len(),
        events.iter().filter(|e| e.outcome.is_positive()).count(),
        base.version
    );
    best
}

/// Where applied and hired postings rank among each seeker's shown postings.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Seekers with at least one applied or hired posting.
    pub seekers: usize,
    /// Applied and hired postings ranked.
    pub positives: usize,
    /// Their mean rank (1 is first).
    pub mean_rank: f64,
    /// Mean of 1/rank.
    pub mrr: f64,
    /// Share of seekers whose top-ranked posting is one they applied to.
    pub first_is_positive: f64,
}

pub fn evaluate(weights: &Weights, events: &[FeedbackEvent]) -> Evaluation {
    let mut by_seeker: BTreeMap<Uuid, Vec<&FeedbackEvent>> = BTreeMap::new();
    for e in events {
        by_seeker.entry(e.seeker).or_default().push(e);
    }
    let (mut seekers, mut positives, mut rank_sum, mut rr_sum, mut firsts) = (0, 0, 0.0, 0.0, 0);
    for list in by_seeker.values() {
        if !list.iter().any(|e| e.outcome.is_positive()) {
            continue;
        }
        seekers += 1;
        let mut ranked: Vec<(f64, &FeedbackEvent)> = list
            .iter()
            .map(|e| (score(weights, &e.factors), *e))
            .collect();
        // Ties go against the applied posting, so equal scores never flatter a fit.
        ranked.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then(a.1.outcome.is_positive().cmp(&b.1.outcome.is_positive()))
        });
        if ranked[0].1.outcome.is_positive() {
            firsts += 1;
        }
        for (i, (_, e)) in ranked.iter().enumerate() {
            if e.outcome.is_positive() {
                positives += 1;
                rank_sum += (i + 1) as f64;
                rr_sum += 1.0 / (i + 1) as f64;
            }
        }
    }
    Evaluation {
        seekers,
        positives,
        mean_rank: if positives > 0 {
            rank_sum / positives as f64
        } else {
            0.0
        },
        mrr: if positives > 0 {
            rr_sum / positives as f64
        } else {
            0.0
        },
        first_is_positive: if seekers > 0 {
            firsts as f64 / seekers as f64
        } else {
            0.0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so the test needs no crate and never
    /// changes from run to run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }

        fn between(&mut self, lo: f64, hi: f64) -> f64 {
            lo + (hi - lo) * self.next()
        }
    }

    /// Seekers who care about distance much more than the shipped weights assume: each is
    /// shown twelve postings, applies to the one they like best (hired now and then), and
    /// dismisses the far ones.
    fn synthetic(seekers: usize, seed: u64) -> Vec<FeedbackEvent> {
        let mut rng = Rng(seed);
        let at = DateTime::parse_from_rfc3339("2026-11-20T10:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let mut events = Vec::new();
        for s in 0..seekers {
            let seeker = Uuid::from_u128(s as u128 + 1);
            let mut shown: Vec<(f64, BTreeMap<String, f64>)> = (0..12)
                .map(|_| {
                    let hours = rng.between(0.3, 1.0);
                    let factors: BTreeMap<String, f64> = [
                        ("distance", rng.between(0.2, 1.0)),
                        ("pay", rng.between(0.3, 1.0)),
                        ("hours", hours),
                        ("category", [0.3, 0.6, 1.0][(rng.next() * 3.0) as usize % 3]),
                        ("skills", rng.between(0.0, 1.0)),
                        ("availability", hours),
                        ("education", 1.0),
                        ("experience", 1.0),
                        ("resume_text", rng.between(0.0, 0.5)),
                        ("requirements", 1.0),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect();
                    let taste = 6.0 * factors["distance"]
                        + 0.8 * factors["pay"]
                        + 0.8 * factors["hours"]
                        + 0.4 * factors["category"]
                        + 1.2 * factors["skills"]
                        + rng.between(-0.4, 0.4);
                    (taste, factors)
                })
                .collect();
            shown.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (i, (_, factors)) in shown.into_iter().enumerate() {
                let outcome = if i == 0 {
                    if rng.next() < 0.2 {
                        Outcome::Hired
                    } else {
                        Outcome::Applied
                    }
                } else if factors["distance"] < 0.45 && rng.next() < 0.8 {
                    Outcome::Dismissed
                } else {
                    Outcome::Shown
                };
                events.push(FeedbackEvent {
                    seeker,
                    posting: Uuid::from_u128((s * 100 + i) as u128),
                    factors,
                    outcome,
                    at,
                });
            }
        }
        events
    }

    fn share(map: &BTreeMap<String, f64>, name: &str) -> f64 {
        map[name] / map.values().sum::<f64>()
    }

    #[test]
    fn nearby_applications_and_far_dismissals_raise_the_distance_weight() {
        let events = synthetic(500, 0x5eed_2026);
        let (train, held_out): (Vec<_>, Vec<_>) = events
            .into_iter()
            .partition(|e| e.seeker.as_u128() % 10 < 7);
        let base = Weights::builtin();
        let fitted = fit(&train);
        let before = evaluate(&base, &held_out);
        let after = evaluate(&fitted, &held_out);
        println!(
            "feedback fit on {} events, evaluated on {} held-out events of {} seekers:\n  \
             shipped weights: mean rank of applied {:.2}, MRR {:.3}, first is applied {:.0}%\n  \
             fitted weights:  mean rank of applied {:.2}, MRR {:.3}, first is applied {:.0}%\n  \
             distance share of the seeker side {:.2} -> {:.2}\n{}",
            train.len(),
            held_out.len(),
            after.seekers,
            before.mean_rank,
            before.mrr,
            before.first_is_positive * 100.0,
            after.mean_rank,
            after.mrr,
            after.first_is_positive * 100.0,
            share(&base.seeker_side, "distance"),
            share(&fitted.seeker_side, "distance"),
            fitted.to_toml()
        );
        assert!(
            share(&fitted.seeker_side, "distance") > share(&base.seeker_side, "distance") + 0.1,
            "{fitted:?}"
        );
        assert!(after.mrr > before.mrr + 0.05, "{before:?} -> {after:?}");
        assert!(
            after.mean_rank < before.mean_rank,
            "{before:?} -> {after:?}"
        );
        // Valid as a weights file, versioned and dated by its data.
        let reread = Weights::from_toml(&fitted.to_toml()).unwrap();
        assert_eq!(reread.version, base.version + 1);
        assert!(
            reread.fitted_at.starts_with("2026-11-20"),
            "{}",
            reread.fitted_at
        );
        // The same events give the same weights.
        assert_eq!(fit(&train), fitted);
    }

    #[test]
    fn no_feedback_changes_nothing() {
        let shown_only: Vec<FeedbackEvent> = synthetic(20, 7)
            .into_iter()
            .filter(|e| e.outcome == Outcome::Shown)
            .collect();
        assert_eq!(fit(&shown_only), *Weights::builtin());
        assert_eq!(fit(&[]), *Weights::builtin());
    }

    #[test]
    fn stored_matches_read_as_events() {
        let now = Utc::now();
        let m = job_match::Model {
            id: Uuid::nil(),
            posting_id: Uuid::from_u128(2),
            seeker_id: Uuid::from_u128(3),
            business_id: Uuid::nil(),
            score: 0.7,
            for_seeker: 0.7,
            for_job: 0.7,
            factors: serde_json::json!([
                {"name": "distance", "value": 0.9, "weight": 3.0},
                {"name": "skills", "value": 0.5, "weight": 3.0}
            ]),
            explanation: String::new(),
            status: MatchStatus::Dismissed,
            dismiss_reason: Some("太远".into()),
            created_at: now,
            updated_at: now,
        };
        let e = FeedbackEvent::from_match(&m).unwrap();
        assert_eq!(e.outcome, Outcome::Dismissed);
        assert_eq!(e.factors["distance"], 0.9);
        let hired = job_match::Model {
            status: MatchStatus::Hired,
            ..m.clone()
        };
        assert_eq!(
            FeedbackEvent::from_match(&hired).unwrap().outcome,
            Outcome::Hired
        );
        // An unknown status no longer reads at all (see `MatchStatus`); unreadable factors
        // still make no event.
        let odd = job_match::Model {
            factors: serde_json::json!("archived"),
            ..m
        };
        assert!(FeedbackEvent::from_match(&odd).is_none());
    }
}
