//! Benchmarks against a running server, through its public API: how soon a published
//! posting is found by search (freshness), how soon its pushes are written (matching, read
//! from the database), and applying under an open-loop fixed request rate: each request is
//! sent at its scheduled time whether or not earlier ones have answered, and its latency
//! counts from that time, so a stall shows up in the tail instead of pausing the load
//! (no coordinated omission).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use doorstep_client::Client;
use doorstep_domain::entities::{job_match, push};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::stats::latency;

#[derive(clap::Args)]
pub struct HttpArgs {
    /// The server, e.g. http://127.0.0.1:8080
    #[arg(long)]
    base: String,
    /// The server's database, read to see when pushes are written.
    #[arg(long)]
    database_url: String,
    /// A staff account's e-mail and password, to verify the benchmark's business. `bench/run`
    /// makes it an admin: an officer verifies only businesses of the districts they serve,
    /// and the benchmark draws none.
    #[arg(long)]
    officer: String,
    #[arg(long, env = "BENCH_OFFICER_PASSWORD")]
    officer_password: String,
    /// Postings published one after another for freshness and matching.
    #[arg(long, default_value_t = 100)]
    postings: usize,
    /// Applications per second, and for how long.
    #[arg(long, default_value_t = 200)]
    apply_rate: u32,
    #[arg(long, default_value_t = 10)]
    apply_secs: u32,
    /// Label for the report (e.g. the database).
    #[arg(long, default_value = "")]
    label: String,
    /// The figures as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Where to write URL lists for the load generator (`get-urls.txt`, `search-urls.txt`).
    #[arg(long)]
    urls_dir: Option<PathBuf>,
    /// The server's SMS outbox folder (`<data_dir>/sms-outbox`), where sign-up codes are read.
    #[arg(long)]
    sms_outbox: PathBuf,
}

struct Api {
    client: Client,
    sms_outbox: PathBuf,
}

impl Api {
    /// The newest sign-up code the server wrote to its SMS outbox for `phone`.
    fn sms_code(&self, phone: &str) -> anyhow::Result<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.sms_outbox)
            .with_context(|| format!("reading {}", self.sms_outbox.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        // Named by time-ordered ids: the newest sorts last.
        files.sort();
        for path in files.iter().rev() {
            let sms: Value = serde_json::from_slice(&std::fs::read(path)?)?;
            if sms["phone"] == phone && sms["template"] == "auth_code" {
                return Ok(sms["params"]["code"]
                    .as_str()
                    .context("code in the SMS")?
                    .to_owned());
            }
        }
        bail!(
            "no sign-up code for {phone} in {}",
            self.sms_outbox.display()
        )
    }

    /// Signs up as a client does: a code to the phone first, then the account. Returns a
    /// client logged in as it.
    async fn register(&self, role: &str, phone: &str) -> anyhow::Result<Client> {
        self.client
            .request_code(&json!({"phone": phone, "purpose": "register"}))
            .await
            .with_context(|| format!("a sign-up code for {phone}"))?;
        let code = self.sms_code(phone)?;
        let body = json!({"role": role, "phone": phone, "password": "bench-password-2026", "display_name": format!("压测{role}"), "code": code});
        let session = self
            .client
            .register(&body)
            .await
            .with_context(|| format!("registering {phone}"))?;
        Ok(self.client.with_token(session.access_token))
    }
}

fn posting_body(k: usize, token: &str) -> Value {
    json!({
        "kind": "part_time",
        "title": format!("周末服务员 {token}"),
        "description": "苏州中心商场餐厅招周末服务员，负责点餐、传菜和收台，提供员工餐，时薪二十五元。",
        "category": "food_service",
        "skills": ["餐厅服务", "点餐", "收银"],
        "headcount": 3,
        "pay_min": 2400 + (k as i64 % 5) * 100,
        "pay_max": 2800,
        "pay_unit": "hour",
        "schedule": {"slots": [{"day": 6, "start": "10:00", "end": "20:00"}, {"day": 7, "start": "10:00", "end": "20:00"}]},
    })
}

pub async fn run(args: HttpArgs) -> anyhow::Result<()> {
    doorstep_matcher::webhook::install_crypto();
    let api = Arc::new(Api {
        client: Client::new(
            reqwest::Client::builder()
                .pool_max_idle_per_host(256)
                .build()?,
            &args.base,
        ),
        sms_outbox: args.sms_outbox.clone(),
    });
    let db = doorstep_domain::db::connect(&args.database_url, 2).await?;
    let run = Uuid::new_v4().simple().to_string();
    let phone_base: u64 = 13_600_000_000 + (u64::from_str_radix(&run[..6], 16)? % 900) * 10_000;

    let login = api
        .client
        .login(&args.officer, &args.officer_password)
        .await
        .context("the officer logs in")?;
    let officer = api.client.with_token(login.access_token);
    let merchant = api.register("merchant", &phone_base.to_string()).await?;
    let (lat, lon) = doorstep_demo::generate::place_point("苏州中心商场").expect("a known place");
    // The owner's real name first (a valid number unique to this run), then the business
    // and its licence photo: an officer verifies nothing less (issue 25).
    let id_number = doorstep_domain::identity::id_complete(&format!(
        "320508{}{:03}",
        (chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date")
            + chrono::Duration::days((phone_base % 12_000) as i64))
        .format("%Y%m%d"),
        phone_base % 1000
    ))
    .expect("17 digits");
    merchant
        .verify_identity("压测店长", &id_number)
        .await
        .context("the merchant verifies their real name")?;
    let licence = doorstep_domain::identity::uscc_complete(&format!(
        "91320594MA{:07}",
        phone_base % 10_000_000
    ))
    .expect("digits");
    let business = merchant
        .create_business(&json!({"name": "压测餐厅 苏州中心店", "mall": "苏州中心商场", "address": "苏州工业园区苏州大道东 苏州中心商场 L3", "lat": lat, "lon": lon,
            "licence_number": licence, "contact_phone": "13912340000"}))
        .await
        .context("the benchmark's business")?;
    merchant
        .upload_licence_photo(
            business.id,
            "image/jpeg",
            doorstep_domain::media::samples::JPEG_1X1.to_vec(),
        )
        .await
        .context("the licence photo")?;
    officer
        .verify_business(business.id)
        .await
        .context("verifying the business")?;

    // Freshness and matching: publish one posting at a time; poll search for it and the
    // database for its pushes.
    let mut fresh = Vec::new();
    let mut pushed = Vec::new();
    let mut unmatched = 0;
    let mut ids = Vec::new();
    for k in 0..args.postings {
        let token = format!("bench{}x{k}", &run[..8]);
        let id = merchant
            .create_posting(business.id, &posting_body(k, &token))
            .await
            .context("a posting")?
            .id;
        merchant
            .publish_posting(id)
            .await
            .with_context(|| format!("publishing {id}"))?;
        let published = Instant::now();
        let (mut seen, mut matched) = (None, None);
        while published.elapsed() < Duration::from_secs(10) && (seen.is_none() || matched.is_none())
        {
            if seen.is_none() {
                let hits = api
                    .client
                    .search_jobs(&format!("q={token}"))
                    .await
                    .context("search")?;
                if hits.items.iter().any(|h| h.id == id) {
                    seen = Some(published.elapsed());
                }
            }
            if matched.is_none() {
                let matches: Vec<Uuid> = job_match::Entity::find()
                    .select_only()
                    .column(job_match::Column::Id)
                    .filter(job_match::Column::PostingId.eq(id))
                    .into_tuple()
                    .all(&db)
                    .await?;
                let n = if matches.is_empty() {
                    0
                } else {
                    push::Entity::find()
                        .filter(push::Column::MatchId.is_in(matches))
                        .count(&db)
                        .await?
                };
                if n > 0 {
                    matched = Some(published.elapsed());
                }
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        fresh.push(
            seen.with_context(|| format!("posting {id} was not found by search within 10 s"))?,
        );
        match matched {
            Some(t) => pushed.push(t),
            None => unmatched += 1,
        }
        ids.push(id);
    }
    let freshness = latency(&fresh);
    let matching = latency(&pushed);

    // Applying at a fixed rate: distinct (seeker, posting) pairs.
    let total = (args.apply_rate * args.apply_secs) as usize;
    let seekers_needed = total.div_ceil(ids.len()).max(1);
    let mut seekers = Vec::new();
    for s in 0..seekers_needed {
        seekers.push(
            api.register("seeker", &(phone_base + 1 + s as u64).to_string())
                .await?,
        );
    }
    let interval = Duration::from_secs_f64(1.0 / f64::from(args.apply_rate.max(1)));
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let mut tasks = Vec::with_capacity(total);
    for n in 0..total {
        let seeker = seekers[n / ids.len()].clone();
        let posting = ids[n % ids.len()];
        let due = start + interval * n as u32;
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(due).await;
            let applied = seeker.apply(posting, "周末都可以上班").await;
            (due.elapsed(), applied.is_ok())
        }));
    }
    let mut apply_samples = Vec::new();
    let mut failures = 0;
    for t in tasks {
        let (took, applied) = t.await?;
        apply_samples.push(took);
        if !applied {
            failures += 1;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let apply = latency(&apply_samples);

    let label = if args.label.is_empty() {
        String::new()
    } else {
        format!(" ({})", args.label)
    };
    println!(
        "Freshness{label}: a posting is found by search {:.0} ms p50 / {:.0} ms p99 after its publish call returned ({} postings).\n\n\
         Matching end to end{label}: its pushes are written {:.0} ms p50 / {:.0} ms p99 after publishing ({} of {} postings had matches within 10 s).\n\n\
         Apply{label}: {} applications at a fixed {} per second ({:.0}/s achieved), latency from the scheduled send p50 {:.1} / p99 {:.1} / p99.9 {:.1} ms, {} not 201.\n",
        freshness.p50_ms,
        freshness.p99_ms,
        freshness.count,
        matching.p50_ms,
        matching.p99_ms,
        matching.count,
        args.postings,
        total,
        args.apply_rate,
        total as f64 / elapsed,
        apply.p50_ms,
        apply.p99_ms,
        apply.p999_ms,
        failures
    );
    if failures > 0 {
        tracing::warn!(failures, "some applications failed");
    }
    if let Some(dir) = &args.urls_dir {
        // For the external load generator: every published posting, and the query mix.
        std::fs::create_dir_all(dir)?;
        let gets: Vec<String> = ids
            .iter()
            .map(|id| format!("{}/api/v1/postings/{id}", api.client.base()))
            .collect();
        std::fs::write(dir.join("get-urls.txt"), gets.join("\n") + "\n")?;
        let searches: Vec<String> = crate::queries::load()?
            .iter()
            .map(|q| {
                format!(
                    "{}/api/v1/jobs/search?{}",
                    api.client.base(),
                    search_query(q)
                )
            })
            .collect();
        std::fs::write(dir.join("search-urls.txt"), searches.join("\n") + "\n")?;
    }
    if let Some(path) = args.json {
        let figures: Value = json!({
            "posting_id": ids[0],
            "freshness": freshness,
            "matching": matching,
            "unmatched": unmatched,
            "apply": {"rate": args.apply_rate, "sent": total, "failures": failures, "latency": apply},
        });
        std::fs::write(path, serde_json::to_string_pretty(&figures)?)?;
    }
    db.close().await?;
    Ok(())
}

/// The query string of `GET /api/v1/jobs/search` for a benchmark query.
fn search_query(q: &crate::queries::BenchQuery) -> String {
    let mut url = reqwest::Url::parse("http://x/").expect("a valid base");
    {
        let mut pairs = url.query_pairs_mut();
        if !q.q.is_empty() {
            pairs.append_pair("q", &q.q);
        }
        if let Some(p) = q.point {
            pairs.append_pair("lat", &p.lat().to_string());
            pairs.append_pair("lon", &p.lon().to_string());
        }
        if let Some(r) = q.radius_km {
            pairs.append_pair("radius_km", &r.to_string());
        }
        for (name, value) in [
            ("kind", &q.kind),
            ("category", &q.category),
            ("schedule", &q.schedule),
        ] {
            if let Some(v) = value {
                pairs.append_pair(name, v);
            }
        }
        if let Some(pay) = q.pay_min_fen_per_hour {
            pairs.append_pair("pay_min", &(pay as i64).to_string());
        }
        pairs.append_pair("limit", "10");
    }
    url.query().unwrap_or_default().to_owned()
}
