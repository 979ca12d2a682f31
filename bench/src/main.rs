//! `doorstep-bench`: the measurements behind BENCHMARKS.md. `bench/run` drives it; each
//! subcommand prints a Markdown section and writes its figures as JSON.

mod console;
mod engines;
mod fairs;
mod figures;
mod http;
mod judged;
mod matching;
mod queries;
mod realtime;
mod stats;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use doorstep_demo::{Generator, Sizes};
use doorstep_domain::postings::is_public;
use serde_json::json;

use crate::engines::{Fts5, PgTrgm, Posting};
use crate::queries::{BenchQuery, ndcg_at};
use crate::stats::{Latency, latency};

#[derive(Parser)]
#[command(name = "doorstep-bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Index build, search latency and nDCG@10 for Doorstep, SQLite FTS5 and PostgreSQL
    /// pg_trgm over one generated corpus; then candidate retrieval and scoring for matching.
    Search(SearchArgs),
    /// Loads a generated corpus into a migrated Doorstep database (for the HTTP benchmarks).
    Load(LoadArgs),
    /// Against a running server: freshness, posting-to-pushes latency and apply under a
    /// fixed request rate.
    Http(http::HttpArgs),
    /// nDCG@10 on the judged set (`search-index/data/relevance.toml`) for Doorstep, SQLite
    /// FTS5 and PostgreSQL pg_trgm, per query group; writes bench/results/judged.md.
    Judged(judged::JudgedArgs),
    /// Job-fair route planning in process: scoring a district's seekers against a fair's
    /// booths, planning (exact and with slot restrictions), re-planning, and a dense
    /// synthetic instance.
    Fairs(fairs::FairArgs),
    /// District figures over one district of a million postings and applications, loaded
    /// in bulk, on SQLite and PostgreSQL.
    Figures(figures::FiguresArgs),
    /// Conversations in real time: memory of open WebSockets, message latency at a fixed
    /// rate on SQLite, PostgreSQL and across two instances; writes bench/results/realtime.md.
    Realtime(realtime::RealtimeArgs),
    /// The officer console against a loaded server: every page reachable from the home page,
    /// timed over repeated requests.
    Console(console::ConsoleArgs),
}

#[derive(clap::Args)]
struct SearchArgs {
    #[arg(long, default_value_t = 10_000)]
    postings: usize,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Timed passes over the query mix.
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// Where indexes and the FTS5 file are built.
    #[arg(long, default_value = "target/bench")]
    work_dir: PathBuf,
    /// A PostgreSQL URL whose user may create databases; omitted, the pg_trgm baseline is
    /// skipped (and the report says so).
    #[arg(long)]
    pg_url: Option<String>,
    /// Figures as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(clap::Args)]
struct LoadArgs {
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 10_000)]
    postings: usize,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,doorstep_bench=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match Cli::parse().command {
        Command::Search(args) => runtime.block_on(search(args)),
        Command::Load(args) => runtime.block_on(load(args)),
        Command::Http(args) => runtime.block_on(http::run(args)),
        Command::Judged(args) => runtime.block_on(judged::run(args)),
        Command::Fairs(args) => fairs::run(args),
        Command::Figures(args) => runtime.block_on(figures::run(args)),
        Command::Realtime(args) => runtime.block_on(realtime::run(args)),
        Command::Console(args) => runtime.block_on(console::run(args)),
    }
}

async fn load(args: LoadArgs) -> anyhow::Result<()> {
    let db = doorstep_domain::db::connect(&args.database_url, 4).await?;
    let generator = Generator::new(args.seed, Sizes::scaled(args.postings), chrono::Utc::now());
    let started = Instant::now();
    let loaded = doorstep_demo::load::load(&db, &generator, false).await?;
    tracing::info!(?loaded, secs = started.elapsed().as_secs_f64(), "loaded");
    db.close().await?;
    Ok(())
}

/// Runs `f` over the query mix `rounds` times (after one warm-up pass) and returns each
/// query's latencies.
fn per_query<F>(
    queries: &[BenchQuery],
    rounds: usize,
    mut f: F,
) -> anyhow::Result<Vec<Vec<Duration>>>
where
    F: FnMut(usize, &BenchQuery) -> anyhow::Result<Duration>,
{
    let mut samples = vec![Vec::with_capacity(rounds); queries.len()];
    for (i, q) in queries.iter().enumerate() {
        f(i, q)?;
    }
    for _ in 0..rounds {
        for (i, q) in queries.iter().enumerate() {
            samples[i].push(f(i, q)?);
        }
    }
    Ok(samples)
}

fn group_latencies(queries: &[BenchQuery], samples: &[Vec<Duration>]) -> Vec<(String, Latency)> {
    let mut groups: Vec<String> = queries.iter().map(|q| q.group.clone()).collect();
    groups.dedup();
    let mut out: Vec<(String, Latency)> = groups
        .iter()
        .map(|g| {
            let all: Vec<Duration> = queries
                .iter()
                .zip(samples)
                .filter(|(q, _)| &q.group == g)
                .flat_map(|(_, s)| s.iter().copied())
                .collect();
            (g.clone(), latency(&all))
        })
        .collect();
    out.push(("all".into(), latency(&samples.concat())));
    out
}

struct Quality {
    mean: f64,
    per_query: Vec<f64>,
}

fn quality(
    queries: &[BenchQuery],
    results: &[Vec<uuid::Uuid>],
    roles: &HashMap<uuid::Uuid, (&'static str, f64, f64)>,
    available: &[Vec<u8>],
) -> Quality {
    let mut per_query = Vec::new();
    for ((q, ids), available) in queries.iter().zip(results).zip(available) {
        if !q.judged() {
            continue;
        }
        let gains: Vec<u8> = ids
            .iter()
            .map(|id| match roles.get(id) {
                Some((role, lat, lon)) if q.inside(*lat, *lon) => {
                    q.grades.get(*role).copied().unwrap_or(0)
                }
                _ => 0,
            })
            .collect();
        per_query.push(ndcg_at(10, &gains, available));
    }
    let mean = per_query.iter().sum::<f64>() / per_query.len().max(1) as f64;
    Quality { mean, per_query }
}

async fn search(args: SearchArgs) -> anyhow::Result<()> {
    let queries = queries::load()?;
    std::fs::create_dir_all(&args.work_dir)?;
    let sizes = Sizes::scaled(args.postings);
    let now = chrono::Utc::now();
    let started = Instant::now();
    let generator = Generator::new(args.seed, sizes, now);
    let businesses: Vec<_> = generator
        .businesses()
        .iter()
        .map(|b| b.business.clone())
        .collect();
    let position: HashMap<uuid::Uuid, usize> = businesses
        .iter()
        .enumerate()
        .map(|(i, b)| (b.id, i))
        .collect();
    let postings: Vec<Posting> = generator
        .postings()
        .filter_map(|g| {
            let business = position[&g.posting.business_id];
            is_public(&g.posting, &businesses[business], now).then_some(Posting {
                model: g.posting,
                business,
                role: g.role,
            })
        })
        .collect();
    let seekers: Vec<_> = generator
        .seekers()
        .map(|s| (s.profile, s.account))
        .collect();
    let generate_secs = started.elapsed().as_secs_f64();
    tracing::info!(postings = postings.len(), generate_secs, "corpus generated");

    // Doorstep.
    let index_dir = args.work_dir.join(format!("index-{}", args.postings));
    let (index, postings_secs, profiles_secs) =
        engines::build_doorstep(&index_dir, &postings, &businesses, &seekers)?;
    let index = Arc::new(index);
    let index_bytes = engines::folder_bytes(&index_dir);
    tracing::info!(
        postings_secs,
        profiles_secs,
        index_bytes,
        "doorstep index built"
    );
    let requests: Vec<_> = queries.iter().map(engines::doorstep_request).collect();
    let mut doorstep_ids = Vec::new();
    for r in &requests {
        doorstep_ids.push(engines::doorstep_search(&index, r)?.0);
    }
    let doorstep_samples = per_query(&queries, args.rounds, |i, _| {
        Ok(engines::doorstep_search(&index, &requests[i])?.1)
    })?;
    let doorstep_groups = group_latencies(&queries, &doorstep_samples);
    let mut concurrent = Vec::new();
    for threads in [2usize, 4] {
        let started = Instant::now();
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let index = index.clone();
                let requests = requests.clone();
                let rounds = args.rounds;
                std::thread::spawn(move || -> anyhow::Result<Vec<Duration>> {
                    let mut out = Vec::new();
                    for round in 0..rounds {
                        for k in 0..requests.len() {
                            let r = &requests[(k + t * 7 + round) % requests.len()];
                            out.push(engines::doorstep_search(&index, r)?.1);
                        }
                    }
                    Ok(out)
                })
            })
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(
                h.join()
                    .map_err(|_| anyhow::anyhow!("search thread panicked"))??,
            );
        }
        let secs = started.elapsed().as_secs_f64();
        concurrent.push((threads, all.len() as f64 / secs, latency(&all)));
    }
    tracing::info!("doorstep searched");

    // What judged queries could at best return: every public posting's gain inside the area.
    let roles = engines::roles(&postings);
    let available: Vec<Vec<u8>> = queries
        .iter()
        .map(|q| {
            postings
                .iter()
                .filter(|p| q.inside(p.model.lat, p.model.lon))
                .filter_map(|p| q.grades.get(p.role).copied())
                .collect()
        })
        .collect();
    let doorstep_quality = quality(&queries, &doorstep_ids, &roles, &available);

    // SQLite FTS5.
    let fts_file = args.work_dir.join(format!("fts5-{}.db", args.postings));
    let (fts, fts_build_secs) = Fts5::build(&fts_file, &postings, &businesses).await?;
    let fts_bytes = std::fs::metadata(&fts_file).map(|m| m.len()).unwrap_or(0);
    let mut fts_ids = Vec::new();
    for q in &queries {
        fts_ids.push(fts.search(q).await?.0);
    }
    let mut fts_samples = vec![Vec::new(); queries.len()];
    for _ in 0..args.rounds {
        for (i, q) in queries.iter().enumerate() {
            fts_samples[i].push(fts.search(q).await?.1);
        }
    }
    let fts_groups = group_latencies(&queries, &fts_samples);
    let fts_quality = quality(&queries, &fts_ids, &roles, &available);
    tracing::info!("fts5 searched");

    // PostgreSQL pg_trgm: fewer rounds at large sizes, where a query takes seconds.
    let pg = match &args.pg_url {
        Some(url) => {
            let (pg, build_secs) = PgTrgm::build(url, &postings, &businesses).await?;
            let bytes = pg.size_bytes().await?;
            let mut ids = Vec::new();
            for q in &queries {
                ids.push(pg.search(q).await?.0);
            }
            let rounds = if postings.len() > 200_000 {
                2
            } else if postings.len() > 20_000 {
                5
            } else {
                args.rounds
            };
            let mut samples = vec![Vec::new(); queries.len()];
            for _ in 0..rounds {
                for (i, q) in queries.iter().enumerate() {
                    samples[i].push(pg.search(q).await?.1);
                }
            }
            tracing::info!("pg_trgm searched");
            Some((
                build_secs,
                bytes,
                group_latencies(&queries, &samples),
                quality(&queries, &ids, &roles, &available),
                rounds,
            ))
        }
        None => None,
    };

    let matching = matching::measure(&index, &seekers, &postings, &businesses, now)?;

    // Report.
    let n = postings.len();
    let mut md = String::new();
    md.push_str(&format!(
        "### Search and matching in process: {} public postings, {} profiles (seed {})\n\n",
        n,
        seekers.len(),
        args.seed
    ));
    md.push_str(&format!(
        "Index build (Doorstep, from rows in memory): {:.0} postings/s ({:.1} s), {:.0} profiles/s; index {:.1} MB for postings and profiles, {:.0} bytes per document.\n\n",
        n as f64 / postings_secs,
        postings_secs,
        seekers.len() as f64 / profiles_secs,
        index_bytes as f64 / 1e6,
        index_bytes as f64 / (n + seekers.len()) as f64
    ));
    md.push_str(&format!(
        "Baselines built in: SQLite FTS5 trigram {:.1} s ({:.1} MB file){}.\n\n",
        fts_build_secs,
        fts_bytes as f64 / 1e6,
        match &pg {
            Some((secs, bytes, ..)) => format!(
                ", PostgreSQL pg_trgm {:.1} s ({:.1} MB table and indexes)",
                secs,
                *bytes as f64 / 1e6
            ),
            None => String::new(),
        }
    ));
    md.push_str("Search latency, single thread, top 10 (ms):\n\n| query group | Doorstep p50 | Doorstep p99 | FTS5 p50 | FTS5 p99 | pg_trgm p50 | pg_trgm p99 |\n|---|---|---|---|---|---|---|\n");
    for (i, (group, d)) in doorstep_groups.iter().enumerate() {
        let f = &fts_groups[i].1;
        let (pp50, pp99) = match &pg {
            Some((_, _, groups, ..)) => (
                format!("{:.2}", groups[i].1.p50_ms),
                format!("{:.2}", groups[i].1.p99_ms),
            ),
            None => ("skipped".into(), "skipped".into()),
        };
        md.push_str(&format!(
            "| {group} | {:.2} | {:.2} | {:.2} | {:.2} | {pp50} | {pp99} |\n",
            d.p50_ms, d.p99_ms, f.p50_ms, f.p99_ms
        ));
    }
    let all = |groups: &[(String, Latency)]| groups.last().map(|g| g.1).unwrap_or_default();
    let d_all = all(&doorstep_groups);
    md.push_str(&format!(
        "\nRatios at p50 over all queries: FTS5 / Doorstep {:.1}×{}.\n\n",
        all(&fts_groups).p50_ms / d_all.p50_ms,
        match &pg {
            Some((_, _, groups, ..)) => format!(
                ", pg_trgm / Doorstep {:.1}×",
                all(groups).p50_ms / d_all.p50_ms
            ),
            None => String::new(),
        }
    ));
    md.push_str("Doorstep under concurrency (threads searching the one index at once):\n\n| threads | searches/s | p50 ms | p99 ms |\n|---|---|---|---|\n");
    for (threads, rate, l) in &concurrent {
        md.push_str(&format!(
            "| {threads} | {rate:.0} | {:.2} | {:.2} |\n",
            l.p50_ms, l.p99_ms
        ));
    }
    md.push_str(&format!(
        "\nResult quality, mean nDCG@10 over {} judged queries: Doorstep **{:.3}**, SQLite FTS5 trigram {:.3}{}.\n\n",
        doorstep_quality.per_query.len(),
        doorstep_quality.mean,
        fts_quality.mean,
        match &pg {
            Some((.., q, _)) => format!(", PostgreSQL pg_trgm {:.3}", q.mean),
            None => ", PostgreSQL pg_trgm skipped (no --pg-url)".into(),
        }
    ));
    md.push_str(&matching.markdown());
    println!("{md}");

    if let Some(path) = args.json {
        let value = json!({
            "postings": n,
            "profiles": seekers.len(),
            "seed": args.seed,
            "generate_secs": generate_secs,
            "index": {"postings_per_sec": n as f64 / postings_secs, "profiles_per_sec": seekers.len() as f64 / profiles_secs, "bytes": index_bytes},
            "doorstep": {"groups": doorstep_groups, "ndcg10": doorstep_quality.mean, "per_query_ndcg10": doorstep_quality.per_query,
                "concurrent": concurrent.iter().map(|(t, r, l)| json!({"threads": t, "per_sec": r, "latency": l})).collect::<Vec<_>>()},
            "fts5": {"build_secs": fts_build_secs, "bytes": fts_bytes, "groups": fts_groups, "ndcg10": fts_quality.mean, "per_query_ndcg10": fts_quality.per_query},
            "pg_trgm": pg.as_ref().map(|(secs, bytes, groups, q, rounds)| json!({"build_secs": secs, "bytes": bytes, "groups": groups, "ndcg10": q.mean, "per_query_ndcg10": q.per_query, "rounds": rounds})),
            "matching": matching.json(),
            "queries": queries.iter().map(|q| q.label()).collect::<Vec<_>>(),
        });
        std::fs::write(path, serde_json::to_string_pretty(&value)?)?;
    }
    Ok(())
}
