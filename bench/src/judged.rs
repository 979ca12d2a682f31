//! The judged relevance set (`search-index/data/relevance.toml`, the one the engine test
//! holds to an nDCG floor) through Doorstep and both baselines: every judged posting at one
//! place, every query as plain text, nDCG@10 against the judges' gains.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;
use chrono::{Duration, Utc};
use doorstep_domain::entities::{business, posting};
use doorstep_domain::postings::is_public;
use doorstep_domain::types::{
    BusinessStatus, PayUnit, PostingKind, PostingStatus, StringList, TimeSlot, WeeklySchedule,
};
use sea_orm::sqlx;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::engines::{self, Fts5, PgTrgm, Posting};
use crate::queries::{BenchQuery, ndcg_at};

pub const RELEVANCE: &str = include_str!("../../search-index/data/relevance.toml");

/// Query groups in the order the report lists them.
const GROUPS: [&str; 9] = [
    "plain",
    "english",
    "colloquial",
    "traditional",
    "pinyin",
    "typo",
    "compound",
    "intent",
    "filler",
];

#[derive(clap::Args)]
pub struct JudgedArgs {
    /// Where the index and the FTS5 file are built.
    #[arg(long, default_value = "target/bench")]
    work_dir: PathBuf,
    /// A PostgreSQL URL whose user may create databases; omitted or unreachable, the
    /// pg_trgm column says "not run".
    #[arg(long)]
    pg_url: Option<String>,
    /// The Markdown report.
    #[arg(long, default_value = "bench/results/judged.md")]
    out: PathBuf,
    /// Per-query figures as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Deserialize)]
struct File {
    posting: Vec<JudgedPosting>,
    query: Vec<JudgedQuery>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JudgedPosting {
    id: String,
    title: String,
    description: String,
    skills: Vec<String>,
    category: String,
    kind: String,
    business: String,
    /// "sat 09:00-18:00"
    #[serde(default)]
    slots: Vec<String>,
    /// [min fen, max fen, unit]
    pay: Option<(i64, i64, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JudgedQuery {
    q: String,
    group: String,
    #[serde(default)]
    highly: Vec<String>,
    #[serde(default)]
    relevant: Vec<String>,
}

impl JudgedQuery {
    fn gain(&self, id: &str) -> u8 {
        if self.highly.iter().any(|h| h == id) {
            2
        } else if self.relevant.iter().any(|r| r == id) {
            1
        } else {
            0
        }
    }

    fn ideal(&self) -> Vec<u8> {
        let mut ids: Vec<&String> = self.highly.iter().chain(&self.relevant).collect();
        ids.sort();
        ids.dedup();
        ids.into_iter().map(|id| self.gain(id)).collect()
    }
}

fn slot(text: &str) -> anyhow::Result<TimeSlot> {
    let (day, hours) = text.split_once(' ').context("day and hours")?;
    let (start, end) = hours.split_once('-').context("start-end")?;
    let day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .position(|d| *d == day)
        .context("a day name")? as u8
        + 1;
    Ok(TimeSlot {
        day,
        start: start.into(),
        end: end.into(),
    })
}

fn enum_from<T: serde::de::DeserializeOwned>(text: &str) -> anyhow::Result<T> {
    Ok(serde_json::from_value(serde_json::Value::String(
        text.to_owned(),
    ))?)
}

/// A judged posting as the models the engines index, shaped like the engine test's
/// `Job::models`: a verified business of its own, all at one place, open, published a day
/// ago, expiring in 30 days; 20–25 yuan an hour and no schedule unless the set says.
fn models(
    p: &JudgedPosting,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<(posting::Model, business::Model)> {
    let (lat, lon) = (31.3185, 120.6716);
    let business = business::Model {
        id: Uuid::now_v7(),
        name: p.business.clone(),
        mall: "圆融时代广场".into(),
        address: "苏州工业园区".into(),
        lat,
        lon,
        licence_number: "91320594MA05PK8G3H".into(),
        contact_phone: "13912340000".into(),
        district_id: None,
        status: BusinessStatus::Verified,
        rejection_reason: None,
        reviewed_by: None,
        reviewed_at: None,
        created_by: Uuid::nil(),
        owner_verified: true,
        created_at: now,
        updated_at: now,
    };
    let pay: (i64, i64, PayUnit) = match &p.pay {
        Some((min, max, unit)) => (*min, *max, enum_from(unit)?),
        None => (2_000, 2_500, PayUnit::Hour),
    };
    let kind: PostingKind = enum_from(&p.kind)?;
    let published = now - Duration::days(1);
    let posting = posting::Model {
        id: Uuid::now_v7(),
        business_id: business.id,
        district_id: None,
        created_by: Uuid::nil(),
        kind,
        status: PostingStatus::Open,
        title: p.title.clone(),
        description: p.description.clone(),
        category: p.category.clone(),
        skills: StringList(p.skills.clone()),
        headcount: 1,
        pay_min: pay.0,
        pay_max: pay.1,
        pay_unit: pay.2,
        address: "苏州工业园区".into(),
        lat,
        lon,
        schedule: WeeklySchedule {
            slots: p.slots.iter().map(|s| slot(s)).collect::<Result<_, _>>()?,
            weekly_hours: None,
        },
        education_min: None,
        experience_years_min: None,
        requirements: String::new(),
        required_credentials: Default::default(),
        benefits: StringList::default(),
        start_date: None,
        expires_at: now + Duration::days(30),
        published_at: Some(published),
        closed_at: None,
        close_reason: None,
        created_at: published,
        updated_at: published,
    };
    Ok((posting, business))
}

/// One engine's nDCG@10 per query (in the set's order).
struct Scores {
    per_query: Vec<f64>,
}

impl Scores {
    fn mean_of(&self, queries: &[JudgedQuery], group: Option<&str>) -> f64 {
        let picked: Vec<f64> = queries
            .iter()
            .zip(&self.per_query)
            .filter(|(q, _)| group.is_none_or(|g| q.group == g))
            .map(|(_, s)| *s)
            .collect();
        // `+ 0.0`: a float sum starts at -0.0, which would print as "-0.000".
        (picked.iter().sum::<f64>() + 0.0) / picked.len().max(1) as f64
    }

    fn zeros(&self) -> usize {
        self.per_query.iter().filter(|s| **s == 0.0).count()
    }
}

fn score(queries: &[JudgedQuery], results: &[Vec<Uuid>], names: &HashMap<Uuid, &str>) -> Scores {
    let per_query = queries
        .iter()
        .zip(results)
        .map(|(q, ids)| {
            let gains: Vec<u8> = ids
                .iter()
                .map(|id| names.get(id).map_or(0, |name| q.gain(name)))
                .collect();
            ndcg_at(10, &gains, &q.ideal())
        })
        .collect();
    Scores { per_query }
}

/// A plain-text query in the shape the engines take: no point, no filters.
fn bench_query(q: &JudgedQuery) -> BenchQuery {
    BenchQuery {
        group: q.group.clone(),
        q: q.q.clone(),
        near: None,
        radius_km: None,
        kind: None,
        category: None,
        schedule: None,
        pay_min_fen_per_hour: None,
        grades: HashMap::new(),
        point: None,
    }
}

fn shell(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".into())
}

/// Whether the PostgreSQL server at `url` answers (a failure after this is an error, not
/// a baseline left out).
async fn reachable(url: &str) -> anyhow::Result<()> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect(url)
        .await?;
    pool.close().await;
    Ok(())
}

/// `url` without a password, to print in the report.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_info = &url[scheme + 3..at];
            match user_info.split_once(':') {
                Some((user, _)) => format!("{}{user}:…{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

pub async fn run(args: JudgedArgs) -> anyhow::Result<()> {
    let file: File = toml::from_str(RELEVANCE).context("search-index/data/relevance.toml")?;
    for q in &file.query {
        anyhow::ensure!(
            GROUPS.contains(&q.group.as_str()),
            "query {:?}: unknown group {:?}",
            q.q,
            q.group
        );
    }
    let now = Utc::now();
    let mut businesses = Vec::new();
    let mut postings = Vec::new();
    let mut names: HashMap<Uuid, &str> = HashMap::new();
    for p in &file.posting {
        let (model, business) = models(p, now).with_context(|| format!("posting {}", p.id))?;
        anyhow::ensure!(
            is_public(&model, &business, now),
            "posting {} not public",
            p.id
        );
        names.insert(model.id, &p.id);
        postings.push(Posting {
            model,
            business: businesses.len(),
            role: "judged",
        });
        businesses.push(business);
    }
    let queries: Vec<BenchQuery> = file.query.iter().map(bench_query).collect();
    std::fs::create_dir_all(&args.work_dir)?;

    // Doorstep.
    let (index, ..) = engines::build_doorstep(
        &args.work_dir.join("index-judged"),
        &postings,
        &businesses,
        &[],
    )?;
    let mut ids = Vec::new();
    for q in &queries {
        ids.push(engines::doorstep_search(&index, &engines::doorstep_request(q))?.0);
    }
    let doorstep = score(&file.query, &ids, &names);

    // SQLite FTS5.
    let (fts, _) = Fts5::build(
        &args.work_dir.join("fts5-judged.db"),
        &postings,
        &businesses,
    )
    .await?;
    let mut ids = Vec::new();
    for q in &queries {
        ids.push(fts.search(q).await?.0);
    }
    let fts5 = score(&file.query, &ids, &names);

    // PostgreSQL pg_trgm, when a server is given and answers.
    let pg: Result<Scores, String> = match &args.pg_url {
        None => Err("not run (no --pg-url)".into()),
        Some(url) => match reachable(url).await {
            Err(e) => {
                tracing::warn!(error = %e, "PostgreSQL unreachable: pg_trgm not run");
                Err("not run (PostgreSQL unreachable)".into())
            }
            Ok(()) => {
                let (pg, _) = PgTrgm::build(url, &postings, &businesses).await?;
                let mut ids = Vec::new();
                for q in &queries {
                    ids.push(pg.search(q).await?.0);
                }
                Ok(score(&file.query, &ids, &names))
            }
        },
    };

    // Report.
    let dirty = !std::process::Command::new("git")
        .args([
            "diff",
            "--quiet",
            "HEAD",
            "--",
            ".",
            ":!bench/results",
            ":!BENCHMARKS.md",
        ])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let command = match &args.pg_url {
        Some(url) => format!(
            "cargo run -p doorstep-bench --release -- judged --pg-url {}",
            redacted(url)
        ),
        None => "cargo run -p doorstep-bench --release -- judged".into(),
    };
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(": "))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mut md = String::new();
    md.push_str("## The judged set\n\n");
    md.push_str(&format!(
        "Measured {} at commit {}{} with `{command}` (also run by `bench/run`). Machine: {} cores ({cpu}), Linux {}.\n\n",
        now.format("%Y-%m-%d"),
        shell("git", &["rev-parse", "--short", "HEAD"]),
        if dirty { " plus uncommitted changes" } else { "" },
        shell("nproc", &[]),
        shell("uname", &["-r"]),
    ));
    md.push_str(&format!(
        "`search-index/data/relevance.toml`: {} postings indexed at one place by each engine, {} queries as plain text (no point, no filters); mean nDCG@10 with gains 2 (highly), 1 (relevant), 0 (unjudged).\n\n",
        file.posting.len(),
        file.query.len()
    ));
    let pg_cell = |f: &dyn Fn(&Scores) -> String| match &pg {
        Ok(s) => f(s),
        Err(why) => why.clone(),
    };
    md.push_str("| query group | queries | Doorstep | SQLite FTS5 trigram | PostgreSQL pg_trgm |\n|---|---|---|---|---|\n");
    for group in GROUPS.iter().map(|g| Some(*g)).chain([None]) {
        let n = file
            .query
            .iter()
            .filter(|q| group.is_none_or(|g| q.group == g))
            .count();
        let label = group.map_or("**all**".to_owned(), |g| g.to_owned());
        let cell = |s: &Scores| format!("{:.3}", s.mean_of(&file.query, group));
        md.push_str(&format!(
            "| {label} | {n} | {} | {} | {} |\n",
            cell(&doorstep),
            cell(&fts5),
            pg_cell(&cell)
        ));
    }
    md.push_str(&format!(
        "| queries with nDCG 0 | | {} | {} | {} |\n\n",
        doorstep.zeros(),
        fts5.zeros(),
        pg_cell(&|s| s.zeros().to_string())
    ));
    print!("{md}");
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&args.out, &md).with_context(|| format!("writing {}", args.out.display()))?;
    tracing::info!(out = %args.out.display(), "judged report written");

    if let Some(path) = args.json {
        let value = json!({
            "postings": file.posting.len(),
            "queries": file.query.iter().map(|q| json!({"q": q.q, "group": q.group})).collect::<Vec<_>>(),
            "doorstep": {"ndcg10": doorstep.mean_of(&file.query, None), "per_query_ndcg10": doorstep.per_query},
            "fts5": {"ndcg10": fts5.mean_of(&file.query, None), "per_query_ndcg10": fts5.per_query},
            "pg_trgm": pg.as_ref().ok().map(|s| json!({"ndcg10": s.mean_of(&file.query, None), "per_query_ndcg10": s.per_query})),
        });
        std::fs::write(path, serde_json::to_string_pretty(&value)?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_judged_posting_builds_and_every_query_has_a_known_group() {
        let file: File = toml::from_str(RELEVANCE).unwrap();
        let now = Utc::now();
        let known: std::collections::HashSet<&str> =
            file.posting.iter().map(|p| p.id.as_str()).collect();
        for p in &file.posting {
            let (model, business) = models(p, now).unwrap();
            assert!(is_public(&model, &business, now), "{}", p.id);
        }
        for q in &file.query {
            assert!(GROUPS.contains(&q.group.as_str()), "{}", q.q);
            assert!(!q.ideal().is_empty(), "{} has no judged posting", q.q);
            for id in q.highly.iter().chain(&q.relevant) {
                assert!(known.contains(id.as_str()), "{id} in {}", q.q);
            }
        }
    }

    #[test]
    fn passwords_stay_out_of_the_report() {
        assert_eq!(
            redacted("postgres://u:secret@h:5432/db"),
            "postgres://u:…@h:5432/db"
        );
        assert_eq!(
            redacted("postgres://postgres@127.0.0.1/postgres"),
            "postgres://postgres@127.0.0.1/postgres"
        );
    }
}
