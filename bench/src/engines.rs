//! The three engines answering the same query mix over the same postings: Doorstep's index
//! (tantivy + jieba, in process), SQLite FTS5 with the trigram tokenizer, and PostgreSQL
//! with a pg_trgm GIN index, the last two written the way a small team would write them.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use doorstep_domain::entities::{business, posting};
use doorstep_search_index::documents::{JobDisplay, schedule_flags};
use doorstep_search_index::index::Generation;
use doorstep_search_index::{Area, SearchIndex, SearchRequest, Sort, SyncState};
use sea_orm::sqlx::{self, Row};
use uuid::Uuid;

use crate::queries::BenchQuery;

/// Postings seekers may see, with what the baselines store of them.
pub struct Posting {
    pub model: posting::Model,
    pub business: usize,
    pub role: &'static str,
}

/// Builds Doorstep's index of `postings` (and of `profiles`, for matching) in `root`.
/// Returns the index and the seconds spent on postings alone.
pub fn build_doorstep(
    root: &Path,
    postings: &[Posting],
    businesses: &[business::Model],
    profiles: &[(
        doorstep_domain::entities::seeker_profile::Model,
        doorstep_domain::entities::account::Model,
    )],
) -> anyhow::Result<(SearchIndex, f64, f64)> {
    SearchIndex::reset_folder(root)?;
    let generation = Generation::create(root, "bench")?;
    let f = generation.fields;
    let now = chrono::Utc::now();
    let started = Instant::now();
    for p in postings {
        let doc = doorstep_search_index::documents::job(&f, &p.model, &businesses[p.business], now);
        generation.upsert(p.model.id, doc)?;
    }
    generation.commit(SyncState::default())?;
    let postings_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for (profile, account) in profiles {
        let doc = doorstep_search_index::documents::profile(&f, profile, account);
        generation.upsert(profile.account_id, doc)?;
    }
    generation.commit(SyncState::default())?;
    let profiles_secs = started.elapsed().as_secs_f64();
    doorstep_search_index::index::write_current(root, "bench")?;
    Ok((
        SearchIndex::with(root, generation),
        postings_secs,
        profiles_secs,
    ))
}

pub fn doorstep_request(q: &BenchQuery) -> SearchRequest {
    let mut request = SearchRequest::new(q.q.clone());
    request.area = q.point.map(|center| Area {
        center,
        radius_m: q.radius_km.map(|r| r * 1000.0),
    });
    request.kinds = q.kind.iter().cloned().collect();
    request.categories = q.category.iter().cloned().collect();
    request.schedule = q.schedule.iter().cloned().collect();
    request.pay_hour_min = q.pay_min_fen_per_hour;
    if q.q.is_empty() && q.point.is_some() {
        request.sort = Sort::Distance;
    }
    request
}

/// Top ten ids from Doorstep, and the time the search took.
pub fn doorstep_search(
    index: &SearchIndex,
    request: &SearchRequest,
) -> anyhow::Result<(Vec<Uuid>, Duration)> {
    let started = Instant::now();
    let results = index.search_jobs::<JobDisplay>(request, 10, None)?;
    let took = started.elapsed();
    Ok((results.hits.into_iter().map(|h| h.id).collect(), took))
}

/// One row as the baselines store it.
struct Flat<'a> {
    id: String,
    title: &'a str,
    body: String,
    kind: &'a str,
    category: &'a str,
    schedule: String,
    pay_hour_max: f64,
    lat: f64,
    lon: f64,
}

fn flat<'a>(p: &'a Posting, businesses: &[business::Model]) -> Flat<'a> {
    let m = &p.model;
    let b = &businesses[p.business];
    let hours = doorstep_domain::types::hours_per_unit(m.pay_unit).unwrap_or(1.0);
    Flat {
        id: m.id.to_string(),
        title: &m.title,
        body: format!(
            "{}\n{}\n{}\n{} {}",
            m.description,
            m.requirements,
            m.skills.0.join(" "),
            b.name,
            b.mall
        ),
        kind: m.kind.as_str(),
        category: &m.category,
        schedule: schedule_flags(&m.schedule).join(" "),
        pay_hour_max: m.pay_max as f64 / hours,
        lat: m.lat,
        lon: m.lon,
    }
}

/// The SQL conditions both baselines share: filters, and the area as a circle on a local
/// flat projection (exact enough within a district). `p(i)` renders the i-th placeholder.
fn shared_conditions(
    q: &BenchQuery,
    p: &dyn Fn(usize) -> String,
    first: usize,
) -> (Vec<String>, Vec<Bind>) {
    let mut conditions = Vec::new();
    let mut binds = Vec::new();
    let mut next = first;
    let mut bind = |b: Bind, binds: &mut Vec<Bind>| {
        binds.push(b);
        next += 1;
        p(next - 1)
    };
    if let Some(kind) = &q.kind {
        let ph = bind(Bind::Text(kind.clone()), &mut binds);
        conditions.push(format!("kind = {ph}"));
    }
    if let Some(category) = &q.category {
        let ph = bind(Bind::Text(category.clone()), &mut binds);
        conditions.push(format!("category = {ph}"));
    }
    if let Some(flag) = &q.schedule {
        let ph = bind(Bind::Text(format!("%{flag}%")), &mut binds);
        conditions.push(format!("schedule LIKE {ph}"));
    }
    if let Some(pay) = q.pay_min_fen_per_hour {
        let ph = bind(Bind::Real(pay), &mut binds);
        conditions.push(format!("pay_hour_max >= {ph}"));
    }
    if let (Some(center), Some(r)) = (q.point, q.radius_km) {
        let (lat, lon, r_m) = (center.lat(), center.lon(), r * 1000.0);
        let k_lat = 111_320.0;
        let k_lon = 111_320.0 * lat.to_radians().cos();
        let dlat = r_m / k_lat;
        let dlon = r_m / k_lon;
        // A bounding box the index can use, then the circle.
        let a = bind(Bind::Real(lat - dlat), &mut binds);
        let b = bind(Bind::Real(lat + dlat), &mut binds);
        let c = bind(Bind::Real(lon - dlon), &mut binds);
        let d = bind(Bind::Real(lon + dlon), &mut binds);
        conditions.push(format!(
            "lat BETWEEN {a} AND {b} AND lon BETWEEN {c} AND {d}"
        ));
        conditions.push(format!(
            "((lat - {lat}) * {k_lat}) * ((lat - {lat}) * {k_lat}) + ((lon - {lon}) * {k_lon}) * ((lon - {lon}) * {k_lon}) <= {}",
            r_m * r_m
        ));
    }
    (conditions, binds)
}

/// Binds `binds` to `sql`, runs it on `pool` and returns the ids of the rows with the time
/// the database took. A macro because the two baselines' pools are different sqlx types.
macro_rules! top_ids {
    ($pool:expr, $sql:expr, $binds:expr) => {{
        // Only placeholders and numbers are formatted into the text; words are bound.
        let mut query = sqlx::query(sqlx::AssertSqlSafe($sql));
        for b in $binds {
            query = match b {
                Bind::Text(t) => query.bind(t),
                Bind::Real(r) => query.bind(r),
            };
        }
        let started = Instant::now();
        let rows = query.fetch_all($pool).await?;
        let took = started.elapsed();
        let ids = rows
            .iter()
            .filter_map(|r| r.get::<String, _>(0).parse().ok())
            .collect();
        Ok((ids, took))
    }};
}

#[derive(Debug, Clone)]
enum Bind {
    Text(String),
    Real(f64),
}

/// SQLite FTS5, trigram tokenizer: `MATCH` for words of three or more characters (ranked
/// by bm25); shorter words, which a trigram index cannot answer, by `LIKE` on the table.
pub struct Fts5 {
    pool: sqlx::SqlitePool,
}

impl Fts5 {
    pub async fn build(
        file: &Path,
        postings: &[Posting],
        businesses: &[business::Model],
    ) -> anyhow::Result<(Self, f64)> {
        let _ = std::fs::remove_file(file);
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let started = Instant::now();
        sqlx::query(
            "CREATE TABLE posting (id TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, kind TEXT NOT NULL, \
             category TEXT NOT NULL, schedule TEXT NOT NULL, pay_hour_max REAL NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL)",
        )
        .execute(&pool)
        .await?;
        let mut txn = pool.begin().await?;
        for p in postings {
            let r = flat(p, businesses);
            sqlx::query("INSERT INTO posting VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(r.id)
                .bind(r.title)
                .bind(r.body)
                .bind(r.kind)
                .bind(r.category)
                .bind(r.schedule)
                .bind(r.pay_hour_max)
                .bind(r.lat)
                .bind(r.lon)
                .execute(&mut *txn)
                .await?;
        }
        txn.commit().await?;
        for ddl in [
            "CREATE VIRTUAL TABLE posting_fts USING fts5(title, body, content='posting', tokenize='trigram')",
            "INSERT INTO posting_fts(rowid, title, body) SELECT rowid, title, body FROM posting",
            "CREATE INDEX posting_geo ON posting(lat, lon)",
            "ANALYZE",
            "PRAGMA wal_checkpoint(TRUNCATE)",
        ] {
            sqlx::query(ddl).execute(&pool).await?;
        }
        Ok((Self { pool }, started.elapsed().as_secs_f64()))
    }

    pub async fn search(&self, q: &BenchQuery) -> anyhow::Result<(Vec<Uuid>, Duration)> {
        let words: Vec<&str> = q.q.split_whitespace().collect();
        let (long, short): (Vec<&str>, Vec<&str>) =
            words.iter().partition(|w| w.chars().count() >= 3);
        let placeholder = |_: usize| "?".to_owned();
        let (mut conditions, mut binds) = shared_conditions(q, &placeholder, 1);
        for w in &short {
            conditions.push("(posting.title LIKE ? OR posting.body LIKE ?)".into());
            binds.push(Bind::Text(format!("%{w}%")));
            binds.push(Bind::Text(format!("%{w}%")));
        }
        let mut conditions_sql = conditions.join(" AND ");
        let sql = if long.is_empty() {
            if conditions_sql.is_empty() {
                conditions_sql = "1".into();
            }
            let order = match q.point {
                Some(c) if q.q.is_empty() => format!(
                    "ORDER BY (lat - {0}) * (lat - {0}) + (lon - {1}) * (lon - {1}) * {2}",
                    c.lat(),
                    c.lon(),
                    c.lat().to_radians().cos().powi(2)
                ),
                _ => String::new(),
            };
            format!("SELECT id FROM posting WHERE {conditions_sql} {order} LIMIT 10")
        } else {
            let expr = long
                .iter()
                .map(|w| format!("\"{}\"", w.replace('"', "")))
                .collect::<Vec<_>>()
                .join(" AND ");
            binds.insert(0, Bind::Text(expr));
            let extra = if conditions_sql.is_empty() {
                String::new()
            } else {
                format!(" AND {conditions_sql}")
            };
            format!(
                "SELECT posting.id FROM posting_fts JOIN posting ON posting.rowid = posting_fts.rowid \
                 WHERE posting_fts MATCH ?{extra} ORDER BY bm25(posting_fts, 2.0, 1.0) LIMIT 10"
            )
        };
        top_ids!(&self.pool, sql, binds)
    }
}

/// PostgreSQL with pg_trgm: `ILIKE '%word%'` per word, served by a GIN trigram index on
/// title and text, ranked by trigram similarity of the title to the query.
pub struct PgTrgm {
    pool: sqlx::PgPool,
}

impl PgTrgm {
    pub async fn build(
        admin_url: &str,
        postings: &[Posting],
        businesses: &[business::Model],
    ) -> anyhow::Result<(Self, f64)> {
        let admin = sqlx::PgPool::connect(admin_url).await?;
        sqlx::query("DROP DATABASE IF EXISTS doorstep_bench_trgm WITH (FORCE)")
            .execute(&admin)
            .await?;
        sqlx::query("CREATE DATABASE doorstep_bench_trgm")
            .execute(&admin)
            .await?;
        admin.close().await;
        let url = with_database(admin_url, "doorstep_bench_trgm");
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(4)
            .connect(&url)
            .await?;
        let started = Instant::now();
        sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            .execute(&pool)
            .await?;
        sqlx::query(
            "CREATE TABLE posting (id TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, kind TEXT NOT NULL, \
             category TEXT NOT NULL, schedule TEXT NOT NULL, pay_hour_max DOUBLE PRECISION NOT NULL, \
             lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL, doc TEXT NOT NULL)",
        )
        .execute(&pool)
        .await?;
        for chunk in postings.chunks(5_000) {
            let rows: Vec<Flat> = chunk.iter().map(|p| flat(p, businesses)).collect();
            sqlx::query(
                "INSERT INTO posting SELECT *, t.title || ' ' || t.body FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], \
                 $5::text[], $6::text[], $7::float8[], $8::float8[], $9::float8[]) AS t(id, title, body, kind, category, schedule, pay_hour_max, lat, lon)",
            )
            .bind(rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.title.to_owned()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.body.clone()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.kind.to_owned()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.category.to_owned()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.schedule.clone()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.pay_hour_max).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.lat).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.lon).collect::<Vec<_>>())
            .execute(&pool)
            .await?;
        }
        for ddl in [
            "CREATE INDEX posting_doc_trgm ON posting USING gin (doc gin_trgm_ops)",
            "CREATE INDEX posting_geo ON posting (lat, lon)",
            "ANALYZE posting",
        ] {
            sqlx::query(ddl).execute(&pool).await?;
        }
        Ok((Self { pool }, started.elapsed().as_secs_f64()))
    }

    pub async fn search(&self, q: &BenchQuery) -> anyhow::Result<(Vec<Uuid>, Duration)> {
        let words: Vec<&str> = q.q.split_whitespace().collect();
        let placeholder = |i: usize| format!("${i}");
        let (mut conditions, mut binds) = shared_conditions(q, &placeholder, 1);
        for w in &words {
            binds.push(Bind::Text(format!("%{w}%")));
            conditions.push(format!("doc ILIKE ${}", binds.len()));
        }
        if conditions.is_empty() {
            conditions.push("TRUE".into());
        }
        let order = if !q.q.is_empty() {
            binds.push(Bind::Text(q.q.clone()));
            format!("ORDER BY similarity(title, ${}) DESC", binds.len())
        } else if let Some(c) = q.point {
            format!(
                "ORDER BY (lat - {0}) * (lat - {0}) + (lon - {1}) * (lon - {1}) * {2}",
                c.lat(),
                c.lon(),
                c.lat().to_radians().cos().powi(2)
            )
        } else {
            String::new()
        };
        let sql = format!(
            "SELECT id FROM posting WHERE {} {order} LIMIT 10",
            conditions.join(" AND ")
        );
        top_ids!(&self.pool, sql, binds)
    }

    pub async fn size_bytes(&self) -> anyhow::Result<i64> {
        Ok(sqlx::query("SELECT pg_total_relation_size('posting')")
            .fetch_one(&self.pool)
            .await?
            .get::<i64, _>(0))
    }
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let cut = base
        .rfind('/')
        .filter(|&i| i > "postgres://".len())
        .unwrap_or(base.len());
    format!("{}/{name}{query}", &base[..cut])
}

/// Which role each posting id was written for, to judge any engine's results.
pub fn roles(postings: &[Posting]) -> HashMap<Uuid, (&'static str, f64, f64)> {
    postings
        .iter()
        .map(|p| (p.model.id, (p.role, p.model.lat, p.model.lon)))
        .collect()
}

/// Total size of the files under `dir`.
pub fn folder_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => folder_bytes(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}
