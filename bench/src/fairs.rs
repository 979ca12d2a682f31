//! Job-fair route planning, in process: a generated district's seekers registered for a fair
//! whose booths are the district's businesses, scored with the matcher and planned; the
//! same with seekers' slot restrictions (the heuristic) and a late re-plan around routes
//! already sent; and a dense synthetic instance (every pair worth a visit) that loads the
//! exact planner as much as the size allows.

use std::collections::HashMap;
use std::time::Instant;

use chrono::Utc;
use doorstep_demo::{Generator, Sizes};
use doorstep_domain::entities::fair_registration::SlotList;
use doorstep_domain::entities::{fair, fair_booth, fair_registration};
use doorstep_domain::fairs::booths::BoothDetail;
use doorstep_domain::fairs::plans::PlanningInput;
use doorstep_domain::fairs::status::{BoothStatus, FairStatus, RegistrationStatus};
use doorstep_domain::postings::is_public;
use doorstep_matcher::Weights;
use doorstep_matcher::fair_plan::{self, Booth, Edge, Instance, Plan, Seeker, SlotSet};
use doorstep_matcher::fair_routes::{self, RouteSettings, Scores};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::stats::{Latency, latency};

#[derive(clap::Args)]
pub struct FairArgs {
    #[arg(long, default_value_t = 2_000)]
    seekers: usize,
    #[arg(long, default_value_t = 60)]
    booths: usize,
    #[arg(long, default_value_t = 8)]
    slots: i32,
    /// Visits planned per seeker.
    #[arg(long, default_value_t = 4)]
    visits: i32,
    /// Visitors per booth and slot.
    #[arg(long, default_value_t = 5)]
    capacity: i32,
    /// Timed repetitions of each planning run.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// The lowest score worth a visit (the server's `fair_min_score`).
    #[arg(long, default_value_t = 0.3)]
    min_score: f64,
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

/// One planning run's figures.
struct Run {
    name: String,
    pairs: usize,
    plan: Plan,
    time: Latency,
}

fn timed<T>(rounds: usize, mut f: impl FnMut() -> T) -> (T, Latency) {
    let mut samples = Vec::with_capacity(rounds);
    let mut last = None;
    for _ in 0..rounds.max(1) {
        let started = Instant::now();
        last = Some(f());
        samples.push(started.elapsed());
    }
    (last.expect("at least one round"), latency(&samples))
}

fn plan_run(name: &str, instance: &Instance, rounds: usize) -> anyhow::Result<Run> {
    let (plan, time) = timed(rounds, || fair_plan::plan(instance));
    let total = instance
        .check(&plan.visits)
        .map_err(|e| anyhow::anyhow!("{name}: infeasible plan: {e}"))?;
    anyhow::ensure!(total == plan.total, "{name}: the reported total is wrong");
    Ok(Run {
        name: name.to_owned(),
        pairs: instance.edges.len(),
        plan,
        time,
    })
}

/// A fair of the generated district: `booths` businesses with public postings (up to ten
/// each) and `seekers` registered seekers.
fn district(args: &FairArgs) -> PlanningInput {
    let now = Utc::now();
    let generator = Generator::new(
        args.seed,
        Sizes::scaled(args.seekers.max(args.booths * 7)),
        now,
    );
    let businesses = generator.businesses();
    let index: HashMap<Uuid, usize> = businesses
        .iter()
        .enumerate()
        .map(|(i, b)| (b.business.id, i))
        .collect();
    let mut postings: HashMap<usize, Vec<_>> = HashMap::new();
    for g in generator.postings() {
        let b = index[&g.posting.business_id];
        if is_public(&g.posting, &businesses[b].business, now) {
            postings.entry(b).or_default().push(g.posting);
        }
    }
    let fair_id = Uuid::now_v7();
    let mut booths = Vec::new();
    for (b, business) in businesses.iter().enumerate() {
        if booths.len() == args.booths {
            break;
        }
        let Some(list) = postings.get(&b) else {
            continue;
        };
        booths.push(BoothDetail {
            booth: fair_booth::Model {
                id: Uuid::now_v7(),
                fair_id,
                business_id: business.business.id,
                number: Some(booths.len() as i32 + 1),
                status: BoothStatus::Approved,
                capacity_per_slot: args.capacity,
                rejection_reason: None,
                requested_by: business.owner.id,
                reviewed_by: None,
                reviewed_at: None,
                created_at: now,
                updated_at: now,
            },
            business: business.business.clone(),
            postings: list.iter().take(10).cloned().collect(),
        });
    }
    let profiles: Vec<_> = generator
        .seekers()
        .take(args.seekers)
        .map(|s| s.profile)
        .collect();
    let registrations = profiles
        .iter()
        .map(|p| fair_registration::Model {
            id: Uuid::now_v7(),
            fair_id,
            seeker_id: p.account_id,
            status: RegistrationStatus::Registered,
            slots: None,
            walk_in: false,
            queued_at: now,
            checked_in_at: None,
            checked_in_by: None,
            created_at: now,
            updated_at: now,
        })
        .collect();
    PlanningInput {
        fair: fair::Model {
            id: fair_id,
            title: "压测招聘会".into(),
            description: String::new(),
            mall: "苏州中心".into(),
            hall: "B1".into(),
            address: "苏州工业园区".into(),
            lat: 31.3185,
            lon: 120.6716,
            district_id: None,
            starts_at: now + chrono::Duration::days(3),
            slot_minutes: 30,
            slot_count: args.slots,
            booth_count: args.booths as i32,
            seeker_capacity: args.seekers as i32,
            visits_per_seeker: args.visits,
            registration_deadline: now + chrono::Duration::days(2),
            status: FairStatus::Published,
            registered_count: args.seekers as i32,
            approved_booths: args.booths as i32,
            signing_key: String::new(),
            cancel_reason: None,
            plan_version: 1,
            planned_at: None,
            plan_summary: None,
            created_by: Uuid::nil(),
            created_at: now,
            updated_at: now,
        },
        registrations,
        profiles,
        booths,
        current: Vec::new(),
    }
}

/// Every third seeker free only in the first half of the fair, every third plus one only in
/// the second half.
fn restrict(input: &PlanningInput) -> PlanningInput {
    let mut restricted = input.clone();
    let half = input.fair.slot_count / 2;
    for (k, r) in restricted.registrations.iter_mut().enumerate() {
        r.slots = match k % 3 {
            0 => Some(SlotList((1..=half).collect())),
            1 => Some(SlotList((half + 1..=input.fair.slot_count).collect())),
            _ => None,
        };
    }
    restricted
}

/// Splitmix64: a seeded stream for the synthetic weights.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn dense(args: &FairArgs, restricted: bool) -> Instance {
    let slots = args.slots as usize;
    let mut state = args.seed;
    let half = slots / 2;
    let seekers = (0..args.seekers)
        .map(|k| Seeker {
            max_visits: args.visits as u32,
            slots: match (restricted, k % 3) {
                (true, 0) => SlotSet::of(&(0..half).collect::<Vec<_>>()),
                (true, 1) => SlotSet::of(&(half..slots).collect::<Vec<_>>()),
                _ => SlotSet::all(slots),
            },
        })
        .collect();
    let mut edges = Vec::with_capacity(args.seekers * args.booths);
    for seeker in 0..args.seekers {
        for booth in 0..args.booths {
            edges.push(Edge {
                seeker,
                booth,
                weight: 300_000 + (next(&mut state) % 700_000) as i64,
            });
        }
    }
    Instance {
        slots,
        seekers,
        booths: vec![
            Booth {
                capacity: vec![args.capacity as u32; slots],
            };
            args.booths
        ],
        edges,
        fixed: Vec::new(),
    }
}

pub fn run(args: FairArgs) -> anyhow::Result<()> {
    let settings = RouteSettings {
        min_score: args.min_score,
        weights: Weights::builtin(),
    };
    let input = district(&args);
    anyhow::ensure!(
        input.booths.len() == args.booths,
        "the district has only {} businesses with open postings",
        input.booths.len()
    );
    let now = Utc::now();
    let (scores, scoring) = timed(args.rounds.min(3), || {
        fair_routes::score(&input, &settings, now, 2)
    });
    let mut runs = Vec::new();
    let unrestricted = fair_routes::instance(&input, &scores);
    runs.push(plan_run("district", &unrestricted, args.rounds)?);

    let restricted_input = restrict(&input);
    let restricted = fair_routes::instance(&restricted_input, &scores);
    runs.push(plan_run(
        "district, a third free mornings only, a third afternoons only",
        &restricted,
        args.rounds,
    )?);

    // 5 % more seekers register late; routes already sent stay.
    let late = (args.seekers / 20).max(1);
    let grown = args.clone_with_seekers(args.seekers + late);
    let mut replan_input = district(&grown);
    replan_input.booths = input.booths.clone();
    for r in replan_input.registrations.iter_mut() {
        r.fair_id = input.fair.id;
    }
    let first = &runs[0].plan;
    replan_input.current = first
        .visits
        .iter()
        .map(|v| doorstep_domain::entities::fair_visit::Model {
            id: Uuid::now_v7(),
            fair_id: input.fair.id,
            registration_id: replan_input.registrations[v.seeker].id,
            seeker_id: replan_input.registrations[v.seeker].seeker_id,
            booth_id: input.booths[v.booth].booth.id,
            posting_id: Uuid::nil(),
            slot: v.slot as i32 + 1,
            score: 0.0,
            explanation: String::new(),
            plan_version: 1,
            created_at: now,
        })
        .collect();
    let replan_scores = fair_routes::score(&replan_input, &settings, now, 2);
    let replan = fair_routes::instance(&replan_input, &replan_scores);
    let kept = replan.fixed.len();
    runs.push(plan_run(
        &format!("re-plan after {late} late registrations ({kept} visits kept)"),
        &replan,
        args.rounds,
    )?);

    // Booths with room for every wanted visit: the flow then augments 8,000 times, not 2,400.
    let roomy_capacity = ((args.seekers * args.visits as usize)
        .div_ceil(args.booths * args.slots as usize) as i32)
        .max(args.capacity);
    let mut roomy = input.clone();
    for b in roomy.booths.iter_mut() {
        b.booth.capacity_per_slot = roomy_capacity;
    }
    runs.push(plan_run(
        &format!("district, {roomy_capacity} visitors per booth and slot"),
        &fair_routes::instance(&roomy, &scores),
        args.rounds,
    )?);

    runs.push(plan_run(
        "dense synthetic (every pair worth a visit)",
        &dense(&args, false),
        args.rounds,
    )?);
    runs.push(plan_run(
        "dense synthetic, a third mornings, a third afternoons",
        &dense(&args, true),
        args.rounds,
    )?);
    let roomy_args = FairArgs {
        capacity: roomy_capacity,
        ..args.clone_with_seekers(args.seekers)
    };
    runs.push(plan_run(
        &format!("dense synthetic, {roomy_capacity} visitors per booth and slot"),
        &dense(&roomy_args, false),
        args.rounds,
    )?);

    let md = markdown(&args, &input, &scores, scoring, &runs);
    println!("{md}");
    if let Some(path) = &args.json {
        std::fs::write(
            path,
            serde_json::to_string_pretty(&json_of(&args, &scores, scoring, &runs))?,
        )?;
    }
    Ok(())
}

impl FairArgs {
    fn clone_with_seekers(&self, seekers: usize) -> FairArgs {
        FairArgs {
            seekers,
            booths: self.booths,
            slots: self.slots,
            visits: self.visits,
            capacity: self.capacity,
            rounds: self.rounds,
            seed: self.seed,
            min_score: self.min_score,
            json: None,
        }
    }
}

fn markdown(
    args: &FairArgs,
    input: &PlanningInput,
    scores: &Scores,
    scoring: Latency,
    runs: &[Run],
) -> String {
    let postings: usize = input.booths.iter().map(|b| b.postings.len()).sum();
    let mut md = format!(
        "### Job-fair route planning: {} seekers × {} booths × {} slots\n\n\
         {} visits per seeker, {} visitors per booth and slot ({} places for {} wanted visits). \
         Booths are the generated district's first {} businesses with open postings ({} postings); \
         seekers its first {} profiles (seed {}).\n\n\
         Scoring every seeker against every booth's postings with the matcher (two threads, \
         as the server does): {} pairs of a seeker and a posting, p50 {:.0} ms (max {:.0} ms over {} runs); \
         {} of {} seeker–booth pairs score at least {} and are worth a visit.\n\n\
         Planning (building the instance, planning, and checking every rule; {} runs each, one thread):\n\n\
         | instance | pairs worth a visit | visits planned | method | p50 ms | max ms | total score | bound on the gap |\n\
         |---|---|---|---|---|---|---|---|\n",
        args.seekers,
        args.booths,
        args.slots,
        args.visits,
        args.capacity,
        args.booths as i32 * args.slots * args.capacity,
        args.seekers as i32 * args.visits,
        args.booths,
        postings,
        args.seekers,
        args.seed,
        postings * args.seekers,
        scoring.p50_ms,
        scoring.max_ms,
        scoring.count,
        scores.pairs.len(),
        scores.assessed,
        args.min_score,
        args.rounds,
    );
    for r in runs {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.2} % |\n",
            r.name,
            r.pairs,
            r.plan.visits.len(),
            r.plan.method.as_str(),
            r.time.p50_ms,
            r.time.max_ms,
            r.plan.total as f64 / fair_plan::SCALE,
            r.plan.gap_bound() * 100.0,
        ));
    }
    md.push_str(
        "\nThe bound on the gap is `1 − total / upper bound`, the upper bound being the flow \
         relaxation's optimum: exact plans have none; for heuristic ones the optimum lies \
         between the total and the bound, so the true gap is at most this.\n",
    );
    md
}

fn json_of(args: &FairArgs, scores: &Scores, scoring: Latency, runs: &[Run]) -> Value {
    json!({
        "seekers": args.seekers,
        "booths": args.booths,
        "slots": args.slots,
        "visits_per_seeker": args.visits,
        "capacity_per_slot": args.capacity,
        "seed": args.seed,
        "scoring": scoring,
        "pairs_worth_a_visit": scores.pairs.len(),
        "runs": runs.iter().map(|r| json!({
            "name": r.name,
            "pairs": r.pairs,
            "visits": r.plan.visits.len(),
            "method": r.plan.method.as_str(),
            "time": r.time,
            "total": r.plan.total,
            "upper_bound": r.plan.upper_bound,
            "gap_bound": r.plan.gap_bound(),
        })).collect::<Vec<_>>(),
    })
}
