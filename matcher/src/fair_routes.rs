//! Planning a job fair's routes: score every registered seeker against every approved booth,
//! keep the routes already sent, plan the rest, store the result.
//!
//! A seeker and a booth score as the seeker and the booth's best posting do (the matcher's
//! two-sided score, [`crate::assess_with`]); that posting and its explanation go on the
//! route. Hard exclusions stay exclusions (outside the doorstep radius, hours that cannot
//! fit, a missing certificate, hidden profile…), and pairs scoring below `min_score` are not
//! worth a visit.
//!
//! Re-planning keeps every visit already sent unless it must change: its seeker cancelled,
//! its booth is no longer approved, the seeker can no longer attend its slot, the pair no
//! longer qualifies (the posting closed, the profile changed), or the booth's capacity was
//! lowered below the visits it has in that slot (then the best-scoring stay). Kept visits
//! are fixed; new registrants and free slots of existing routes are planned around them
//! (the planner's heuristic, whose bound on the gap is reported). Only a first plan without
//! slot restrictions is the exact optimum; that trade is deliberate: a route a seeker has
//! been sent should not move because someone registered late.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use doorstep_domain::auth::Principal;
use doorstep_domain::db::begin_write;
use doorstep_domain::fairs::plans::{self, PlanSummary, PlannedVisit, PlanningInput};
use doorstep_domain::fairs::registrations::attendable;
use doorstep_domain::{DomainError, time};
use sea_orm::{TransactionSession, TransactionTrait};
use uuid::Uuid;

use crate::assess::{JobText, SeekerText, assess_with};
use crate::fair_plan::{self, Booth, Edge, Instance, SCALE, Seeker, SlotSet, Visit};
use crate::weights::Weights;

#[derive(Debug, Clone)]
pub struct RouteSettings {
    /// Pairs scoring below this (0 to 1) are not planned.
    pub min_score: f64,
    pub weights: Arc<Weights>,
}

/// The best posting of one booth for one seeker.
#[derive(Debug, Clone, PartialEq)]
pub struct PairScore {
    pub posting_id: Uuid,
    pub score: f64,
    pub explanation: String,
}

/// Scores of (registration index, booth index) pairs worth a visit.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    pub pairs: HashMap<(usize, usize), PairScore>,
    /// Pairs assessed (whether or not they qualified).
    pub assessed: usize,
}

/// Scores every registration against every booth, on up to `threads` threads.
pub fn score(
    input: &PlanningInput,
    settings: &RouteSettings,
    now: DateTime<Utc>,
    threads: usize,
) -> Scores {
    let jobs: Vec<Vec<JobText>> = input
        .booths
        .iter()
        .map(|b| b.postings.iter().map(JobText::of).collect())
        .collect();
    let profiles: HashMap<Uuid, &doorstep_domain::entities::seeker_profile::Model> =
        input.profiles.iter().map(|p| (p.account_id, p)).collect();
    let seekers: Vec<usize> = (0..input.registrations.len()).collect();
    let chunk = seekers.len().div_ceil(threads.max(1)).max(1);
    let parts: Vec<Vec<((usize, usize), PairScore)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = seekers
            .chunks(chunk)
            .map(|part| {
                let (jobs, profiles) = (&jobs, &profiles);
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for &i in part {
                        let r = &input.registrations[i];
                        let Some(profile) = profiles.get(&r.seeker_id) else {
                            continue;
                        };
                        let seeker_text = SeekerText::of(profile);
                        for (b, booth) in input.booths.iter().enumerate() {
                            let mut best: Option<PairScore> = None;
                            for (p, job_text) in booth.postings.iter().zip(&jobs[b]) {
                                let Ok(a) = assess_with(
                                    p,
                                    &booth.business,
                                    profile,
                                    now,
                                    job_text,
                                    &seeker_text,
                                    &settings.weights,
                                ) else {
                                    continue;
                                };
                                if best.as_ref().is_none_or(|s| a.score.combined > s.score) {
                                    best = Some(PairScore {
                                        posting_id: p.id,
                                        score: a.score.combined,
                                        explanation: a.explanation,
                                    });
                                }
                            }
                            if let Some(best) = best.filter(|s| s.score >= settings.min_score) {
                                out.push(((i, b), best));
                            }
                        }
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("scoring threads do not panic"))
            .collect()
    });
    Scores {
        pairs: parts.into_iter().flatten().collect(),
        assessed: input.registrations.len() * input.booths.len(),
    }
}

/// The planner's instance: seekers are registrations, booths the approved booths, and the
/// visits already sent that may stay are fixed.
pub fn instance(input: &PlanningInput, scores: &Scores) -> Instance {
    let f = &input.fair;
    let slots = f.slot_count.max(0) as usize;
    let seekers: Vec<Seeker> = input
        .registrations
        .iter()
        .map(|r| Seeker {
            max_visits: f.visits_per_seeker.max(0) as u32,
            slots: SlotSet::of(
                &attendable(r, f)
                    .into_iter()
                    .map(|s| (s - 1) as usize)
                    .collect::<Vec<_>>(),
            ),
        })
        .collect();
    let booths: Vec<Booth> = input
        .booths
        .iter()
        .map(|b| Booth {
            capacity: vec![b.booth.capacity_per_slot.max(0) as u32; slots],
        })
        .collect();
    let mut edges: Vec<Edge> = scores
        .pairs
        .iter()
        .map(|(&(seeker, booth), s)| Edge {
            seeker,
            booth,
            weight: ((s.score * SCALE).round() as i64).max(1),
        })
        .collect();
    edges.sort_by_key(|e| (e.seeker, e.booth));
    let registration: HashMap<Uuid, usize> = input
        .registrations
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, i))
        .collect();
    let booth_index: HashMap<Uuid, usize> = input
        .booths
        .iter()
        .enumerate()
        .map(|(b, d)| (d.booth.id, b))
        .collect();
    // Visits already sent that still qualify, best first, while their booth, slot and
    // seeker have room.
    let mut candidates: Vec<(Visit, f64)> = input
        .current
        .iter()
        .filter_map(|v| {
            let seeker = *registration.get(&v.registration_id)?;
            let booth = *booth_index.get(&v.booth_id)?;
            let slot = usize::try_from(v.slot - 1).ok()?;
            let score = scores.pairs.get(&(seeker, booth))?.score;
            seekers[seeker].slots.contains(slot).then_some((
                Visit {
                    seeker,
                    booth,
                    slot,
                },
                score,
            ))
        })
        .collect();
    candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut load: HashMap<(usize, usize), u32> = HashMap::new();
    let mut per_seeker: HashMap<usize, u32> = HashMap::new();
    let mut fixed = Vec::new();
    for (v, _) in candidates {
        let here = load.entry((v.booth, v.slot)).or_default();
        let mine = per_seeker.entry(v.seeker).or_default();
        if *here < booths[v.booth].capacity[v.slot] && *mine < seekers[v.seeker].max_visits {
            *here += 1;
            *mine += 1;
            fixed.push(v);
        }
    }
    Instance {
        slots,
        seekers,
        booths,
        edges,
        fixed,
    }
}

/// Plans from scores: the visits to store and the summary (without timings).
pub fn plan(
    input: &PlanningInput,
    scores: &Scores,
) -> Result<(Vec<PlannedVisit>, PlanSummary), DomainError> {
    let instance = instance(input, scores);
    let planned = fair_plan::plan(&instance);
    // Never store a plan that breaks a rule, whatever the planner did.
    instance
        .check(&planned.visits)
        .map_err(|e| DomainError::internal_from("the fair planner broke a rule", e))?;
    let visits: Vec<PlannedVisit> = planned
        .visits
        .iter()
        .map(|v| {
            let r = &input.registrations[v.seeker];
            let pair = &scores.pairs[&(v.seeker, v.booth)];
            PlannedVisit {
                registration_id: r.id,
                seeker_id: r.seeker_id,
                booth_id: input.booths[v.booth].booth.id,
                posting_id: pair.posting_id,
                slot: v.slot as i32 + 1,
                score: pair.score,
                explanation: pair.explanation.clone(),
            }
        })
        .collect();
    let mut with_route: Vec<usize> = planned.visits.iter().map(|v| v.seeker).collect();
    with_route.dedup();
    let summary = PlanSummary {
        version: input.fair.plan_version,
        method: planned.method.as_str().to_owned(),
        total_score: planned.total as f64 / SCALE,
        upper_bound: planned.upper_bound as f64 / SCALE,
        gap_bound: planned.gap_bound(),
        seekers: input.registrations.len(),
        seekers_with_route: with_route.len(),
        booths: input.booths.len(),
        visits: visits.len(),
        kept: 0,
        added: 0,
        dropped: 0,
        pairs_scored: scores.assessed,
        pairs_worth_a_visit: scores.pairs.len(),
        planning_ms: 0,
        planned_at: time::to_display(time::now()),
    };
    Ok((visits, summary))
}

/// Plans (or re-plans) a fair's routes and sends them: officers, live fairs.
pub async fn plan_fair<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
    settings: RouteSettings,
) -> Result<PlanSummary, DomainError> {
    let txn = begin_write(db).await?;
    let input = Arc::new(plans::begin(&txn, actor, fair_id).await?);
    let started = Instant::now();
    let shared = input.clone();
    let (visits, mut summary) = tokio::task::spawn_blocking(move || {
        let scores = score(&shared, &settings, Utc::now(), 2);
        plan(&shared, &scores)
    })
    .await
    .map_err(|e| DomainError::internal_from("planning stopped", e))??;
    summary.planning_ms = started.elapsed().as_millis() as u64;
    let summary = plans::store(&txn, &input, visits, summary).await?;
    txn.commit().await?;
    tracing::info!(
        fair = %fair_id,
        version = summary.version,
        method = %summary.method,
        visits = summary.visits,
        kept = summary.kept,
        ms = summary.planning_ms,
        "fair routes planned"
    );
    Ok(summary)
}
