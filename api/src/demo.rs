//! `doorstep demo`: a shopping district to look at within a minute of cloning. Loads a
//! generated corpus and some history, adds four accounts one can log in as and the
//! officer's case work, rebuilds the search index, runs the matcher until every posting
//! has been scored and delivers the pushes the seekers' caps allow, so search results,
//! pushed matches and the officer's views are there the moment the server starts.
//!
//! Everything that can make it refuse is checked before anything is written (the password,
//! a server or worker using the same index folder or holding a lease on the database, the
//! district already loaded, a generated login already taken): a refused run leaves the
//! database as it was.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use doorstep_demo::{Generator, Sizes, seed};
use doorstep_domain::accounts::{self, NewAccount};
use doorstep_domain::entities::{account, job_match, lease};
use doorstep_domain::types::{BusinessStatus, LoginId, Phone, Role};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::Rng;
use rand::distr::Alphanumeric;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

use crate::config::Settings;
use crate::startup;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The generator's seed: the same seed gives the same district.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    #[arg(long, default_value_t = Sizes::DEMO.businesses)]
    pub businesses: usize,
    #[arg(long, default_value_t = Sizes::DEMO.postings)]
    pub postings: usize,
    #[arg(long, default_value_t = Sizes::DEMO.seekers)]
    pub seekers: usize,
    /// The demo accounts' password; generated and printed once when not given.
    #[arg(long, env = "DOORSTEP_DEMO_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

/// The demo accounts' logins; their password is generated and printed once (or given with
/// `--password` / `DOORSTEP_DEMO_PASSWORD`, for scripted tours).
pub const SEEKER_PHONE: &str = "13800000001";
pub const MERCHANT_PHONE: &str = "13800000002";
pub const ADMIN_PHONE: &str = "13800000000";
pub const OFFICER_EMAIL: &str = "officer@demo.doorstep.local";

fn generated_password() -> String {
    let tail: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(12)
        .map(char::from)
        .collect();
    format!("demo-{tail}")
}

/// The four demo accounts, parsed (and the password checked) before anything is loaded,
/// so a rejected password leaves the database as it was.
fn demo_accounts(password: &str) -> anyhow::Result<[NewAccount; 4]> {
    let parse = |role, phone: Option<&str>, email: Option<&str>, name: &str| {
        NewAccount::parse(role, phone, email, password, name).map_err(crate::cli::shell_error)
    };
    Ok([
        parse(Role::Seeker, Some(SEEKER_PHONE), None, "林小雨")?,
        parse(Role::Merchant, Some(MERCHANT_PHONE), None, "周店长")?,
        parse(Role::Officer, None, Some(OFFICER_EMAIL), "陈专员")?,
        parse(Role::Admin, Some(ADMIN_PHONE), None, "运营管理员")?,
    ])
}

/// How long one stage took and how much it did, for the summary.
struct StageTime {
    name: &'static str,
    count: u64,
    unit: &'static str,
    elapsed: Duration,
}

impl StageTime {
    fn rate(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64().max(0.001)
    }
}

/// One stage's progress: a bar on a terminal; on anything else (a pipe, a log file, CI)
/// the bar is hidden and a plain line is written every few seconds and at the end.
struct Stage {
    name: &'static str,
    unit: &'static str,
    bar: ProgressBar,
    plain: bool,
    started: Instant,
    last_line: Instant,
}

/// How often a plain progress line is written while a stage runs.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

impl Stage {
    fn start(name: &'static str, unit: &'static str, total: Option<u64>) -> Self {
        let plain = !std::io::stderr().is_terminal();
        let bar = match total {
            Some(total) => ProgressBar::with_draw_target(
                Some(total),
                if plain {
                    ProgressDrawTarget::hidden()
                } else {
                    ProgressDrawTarget::stderr()
                },
            )
            .with_style(
                ProgressStyle::with_template(
                    "{prefix:>6} [{bar:30}] {human_pos}/{human_len} {msg} ({per_sec}, {elapsed})",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            ),
            None => ProgressBar::with_draw_target(
                None,
                if plain {
                    ProgressDrawTarget::hidden()
                } else {
                    ProgressDrawTarget::stderr()
                },
            )
            .with_style(
                ProgressStyle::with_template("{prefix:>6} {spinner} {msg} ({elapsed})")
                    .expect("a valid template"),
            ),
        };
        bar.set_prefix(name);
        bar.set_message(unit);
        if !plain {
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        let now = Instant::now();
        let stage = Self {
            name,
            unit,
            bar,
            plain,
            started: now,
            last_line: now,
        };
        if plain {
            match total {
                Some(total) => stage.line(&format!("{name}: {total} {unit} to do")),
                None => stage.line(&format!("{name}: started")),
            }
        }
        stage
    }

    fn line(&self, text: &str) {
        // Progress is what the person running the command reads, like its summary.
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    fn inc(&mut self, n: u64) {
        self.bar.inc(n);
        if self.plain && self.last_line.elapsed() >= PLAIN_EVERY {
            self.last_line = Instant::now();
            let done = self.bar.position();
            let rate = done as f64 / self.started.elapsed().as_secs_f64().max(0.001);
            let of = self
                .bar
                .length()
                .map(|l| format!("/{l}"))
                .unwrap_or_default();
            self.line(&format!(
                "{}: {done}{of} {} ({rate:.0}/s, {:.0} s)",
                self.name,
                self.unit,
                self.started.elapsed().as_secs_f64()
            ));
        }
    }

    fn finish(self, count: u64) -> StageTime {
        self.bar.finish_and_clear();
        let time = StageTime {
            name: self.name,
            count,
            unit: self.unit,
            elapsed: self.started.elapsed(),
        };
        self.line(&format!(
            "{}: {} {} in {:.1} s ({:.0}/s)",
            time.name,
            time.count,
            time.unit,
            time.elapsed.as_secs_f64(),
            time.rate()
        ));
        tracing::info!(
            stage = time.name,
            count = time.count,
            elapsed_ms = time.elapsed.as_millis() as u64,
            "demo stage done"
        );
        time
    }
}

/// Why the demo will not load here, if it will not: checked before anything is written.
async fn refusal(
    db: &DatabaseConnection,
    settings: &Settings,
    generator: &Generator,
) -> anyhow::Result<Option<String>> {
    let now = doorstep_domain::time::now();
    let held: Vec<(String, Option<String>)> = lease::Entity::find()
        .filter(lease::Column::Holder.is_not_null())
        .filter(lease::Column::LeaseUntil.gt(now))
        .select_only()
        .columns([lease::Column::Name, lease::Column::Holder])
        .into_tuple()
        .all(db)
        .await?;
    if !held.is_empty() {
        let held: Vec<String> = held
            .iter()
            .map(|(name, holder)| format!("`{name}` by {}", holder.as_deref().unwrap_or("?")))
            .collect();
        return Ok(Some(format!(
            "a server or worker is running on this database (leases held: {}): stop it, then run doorstep demo",
            held.join(", ")
        )));
    }
    let mut logins = vec![
        LoginId::Phone(Phone::parse(SEEKER_PHONE).expect("a valid phone")),
        LoginId::Phone(Phone::parse(MERCHANT_PHONE).expect("a valid phone")),
        LoginId::Phone(Phone::parse(ADMIN_PHONE).expect("a valid phone")),
    ];
    if let Ok(email) = doorstep_domain::types::Email::parse(OFFICER_EMAIL) {
        logins.push(LoginId::Email(email));
    }
    for login in &logins {
        if accounts::find_by_login(db, login).await?.is_some() {
            return Ok(Some(format!(
                "the demo data is already loaded in this database; to start over, stop the server and remove {}",
                settings.data_dir.display()
            )));
        }
    }
    // The generated merchants' and seekers' phones must be free too.
    let sizes = generator.sizes();
    let mut phones: Vec<String> = generator
        .businesses()
        .iter()
        .filter_map(|b| b.owner.phone.clone())
        .collect();
    phones.extend((0..sizes.seekers).map(|i| format!("139{i:08}")));
    for chunk in phones.chunks(500) {
        let taken = account::Entity::find()
            .filter(account::Column::Phone.is_in(chunk.iter().cloned()))
            .count(db)
            .await?;
        if taken > 0 {
            return Ok(Some(format!(
                "{taken} of the demo's generated phone numbers already belong to accounts in this database: load the demo into an empty one (a new data_dir or database_url)"
            )));
        }
    }
    Ok(None)
}

pub async fn run(settings: &Settings, args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let sizes = Sizes {
        businesses: args.businesses.max(1),
        postings: args.postings,
        seekers: args.seekers,
    };
    let password = args.password.unwrap_or_else(generated_password);
    let [seeker, merchant, officer, admin] = demo_accounts(&password)?;
    let generator = Generator::new(args.seed, sizes, chrono::Utc::now());

    // Checks first, writes after.
    let index_dir = settings.index_dir();
    if doorstep_search_index::SearchIndex::in_use(&index_dir) {
        bail!(
            "a server or worker is using the search index in {}: stop it, then run doorstep demo",
            index_dir.display()
        );
    }
    // Empty folders are not data: SQLite needs its file's folder to open it at all.
    startup::prepare_folders(settings)?;
    let url = settings.database_url();
    let db = doorstep_domain::db::connect(&url, settings.database_max_connections)
        .await
        .with_context(|| format!("connecting to {}", doorstep_domain::db::redact(&url)))?;
    // A database without the tables yet cannot hold the demo nor a lease: it is migrated
    // (as `serve` would) and then checked.
    let refused = match refusal(&db, settings, &generator).await {
        Ok(refused) => refused,
        Err(_) => {
            startup::migrate(&db, &url).await?;
            refusal(&db, settings, &generator).await?
        }
    };
    if let Some(reason) = refused {
        db.close().await?;
        bail!(reason);
    }
    startup::migrate(&db, &url).await?;

    // Load: the district, its past, the demo accounts.
    let total = (sizes.businesses + sizes.postings + sizes.seekers) as u64;
    let mut stage = Stage::start("load", "rows", Some(total));
    let passwords = settings.password_pool();
    let officer = accounts::create(&db, &passwords, officer).await?;
    let admin = accounts::create(&db, &passwords, admin).await?;
    // Districts first, while there is nothing to move; the loaded rows are placed after.
    seed::districts(&db, admin.id, officer.id).await?;
    seed::community(&db, officer.id).await?;
    let loaded = doorstep_demo::load::load_with(&db, &generator, true, |n| stage.inc(n as u64))
        .await
        .context("loading the generated district")?;
    let history = generator.history();
    let applications = doorstep_demo::load::load_history(&db, &history)
        .await
        .context("loading the district's past")?;
    // The loader writes rows directly; the index is rebuilt from the database below.
    doorstep_domain::districts::relocate_quietly(&db).await?;
    let records = seed::service_records(&db, officer.id).await?;

    let seeker = accounts::create(&db, &passwords, seeker).await?;
    doorstep_demo::load::insert_profile(&db, seed::seeker_profile(seeker.id)).await?;
    let merchant = accounts::create(&db, &passwords, merchant).await?;
    // The demo merchant co-owns the first few verified businesses, so their postings,
    // applicants and matches are theirs to look at.
    let owned: Vec<_> = generator
        .businesses()
        .iter()
        .filter(|b| b.business.status == BusinessStatus::Verified)
        .take(3)
        .collect();
    for b in &owned {
        doorstep_demo::load::add_owner(&db, b.business.id, merchant.id).await?;
    }
    // Real names (issue 25): the owners of verified businesses verified theirs (valid
    // generated ID numbers, stored encrypted like any other), and so did the demo merchant.
    let identity_keys = crate::keys::identity_keys(
        settings.identity_keys.as_deref(),
        settings.identity_hash_key.as_deref(),
        &settings.identity_keys_file(),
        &settings.identity_hash_key_file(),
    )?;
    let mut people: Vec<(uuid::Uuid, String, String)> = generator
        .businesses()
        .iter()
        .filter(|b| b.business.status == BusinessStatus::Verified)
        .enumerate()
        .map(|(i, b)| {
            (
                b.owner.id,
                b.owner.display_name.clone(),
                doorstep_demo::generate::id_number(i as u64),
            )
        })
        .collect();
    people.push((
        merchant.id,
        "周店长".to_owned(),
        doorstep_demo::generate::id_number(9_999_999),
    ));
    doorstep_domain::identity::seed_verified(&db, &identity_keys, &people)
        .await
        .context("recording the merchants' real names")?;
    let load = stage.finish(total);

    let stage = Stage::start("index", "rows", None);
    let index = Arc::new(
        doorstep_search_index::sync::rebuild_and_open(&db, &index_dir)
            .await
            .context("building the search index")?,
    );
    let indexed =
        stage.finish((loaded.postings + history.postings.len() + loaded.seekers + 1) as u64);

    let matcher = startup::matcher(settings, db.clone(), index, "demo")?;
    let events = {
        use doorstep_domain::entities::outbox_event;
        outbox_event::Entity::find().count(&db).await?
    };
    let mut stage = Stage::start("match", "events", Some(events));
    let mut scored = 0;
    loop {
        let handled = matcher.step().await?;
        if handled == 0 {
            break;
        }
        scored += handled;
        stage.inc(handled as u64);
    }
    let matched = stage.finish(scored as u64);

    let due = doorstep_matcher::backlog::backlog(&db, doorstep_domain::time::now())
        .await?
        .waiting;
    let mut stage = Stage::start("push", "pushes", Some(due));
    let mut handled = 0;
    loop {
        let batch = matcher.deliver_batch(200).await?;
        if batch.claimed == 0 {
            break;
        }
        handled += batch.claimed;
        stage.inc(batch.claimed as u64);
    }
    let pushed = stage.finish(handled as u64);
    matcher.release_lease().await?;

    // The summary says what the database holds, not what was attempted.
    let matches = job_match::Entity::find().count(&db).await?;
    let backlog = doorstep_matcher::backlog::backlog(&db, doorstep_domain::time::now()).await?;
    let elapsed = started.elapsed();
    tracing::info!(
        businesses = loaded.businesses,
        postings = loaded.postings,
        gig_shifts = loaded.shifts,
        seekers = loaded.seekers,
        past_postings = history.postings.len(),
        applications,
        service_records = records,
        events_scored = scored,
        matches,
        pushes_delivered = backlog.delivered,
        pushes_waiting = backlog.waiting,
        elapsed_ms = elapsed.as_millis() as u64,
        "demo district loaded"
    );
    db.close().await?;

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "\nDemo district loaded in {:.0} s: {} businesses, {} postings ({} dated gig shifts), {} seekers; \
         in the last weeks {} postings filled or closed and {} applications; {} service records \
         (follow-ups due) for the officer in {}.",
        elapsed.as_secs_f64(),
        loaded.businesses,
        loaded.postings,
        loaded.shifts,
        loaded.seekers,
        history.postings.len(),
        applications,
        records,
        seed::BUSY_DISTRICT,
    )?;
    writeln!(out, "{matches} matches stored.")?;
    writeln!(
        out,
        "{} pushes delivered to the seekers' inboxes, {} waiting{}, {} given up.",
        backlog.delivered,
        backlog.waiting,
        waiting_reasons(&backlog),
        backlog.given_up
    )?;
    let stages = [load, indexed, matched, pushed];
    let timings: Vec<String> = stages
        .iter()
        .map(|s| {
            format!(
                "{} {:.1} s ({} {}, {:.0}/s)",
                s.name,
                s.elapsed.as_secs_f64(),
                s.count,
                s.unit,
                s.rate()
            )
        })
        .collect();
    writeln!(out, "Stages: {}.", timings.join("; "))?;
    writeln!(
        out,
        "\nStart the server (cargo run --release -- serve) and log in as:\n"
    )?;
    for (who, login) in [
        (
            "seeker   林小雨 (student, weekends and evenings)",
            SEEKER_PHONE,
        ),
        (
            "merchant 周店长 (co-owns the businesses below)",
            MERCHANT_PHONE,
        ),
        ("officer  陈专员", OFFICER_EMAIL),
        ("admin", ADMIN_PHONE),
    ] {
        writeln!(out, "  {who:<48} {login:<30} password {password}")?;
    }
    writeln!(out)?;
    for b in owned {
        writeln!(out, "  business {}  {}", b.business.id, b.business.name)?;
    }
    writeln!(
        out,
        "\nThe passwords are shown only now (set DOORSTEP_DEMO_PASSWORD to choose one)."
    )?;
    Ok(())
}

/// "(12000 over the seekers' daily cap, sent from 08:00 tomorrow; 40 in quiet hours)".
fn waiting_reasons(b: &doorstep_matcher::backlog::Backlog) -> String {
    let mut why = Vec::new();
    if b.daily_cap > 0 {
        why.push(format!(
            "{} over the seekers' daily push cap (sent from 08:00 tomorrow)",
            b.daily_cap
        ));
    }
    if b.quiet_hours > 0 {
        why.push(format!(
            "{} in the seekers' quiet hours (sent when they end)",
            b.quiet_hours
        ));
    }
    if b.retrying > 0 {
        why.push(format!(
            "{} to be retried after a failed attempt",
            b.retrying
        ));
    }
    if b.due > 0 {
        why.push(format!("{} due, sent by the server once it runs", b.due));
    }
    if why.is_empty() {
        String::new()
    } else {
        format!(": {}", why.join("; "))
    }
}
