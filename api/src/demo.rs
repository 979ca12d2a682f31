//! `doorstep demo`: a shopping district to look at within a minute of cloning. Loads a
//! generated corpus, adds four accounts one can log in as, rebuilds the search index and
//! runs the matcher until every posting has been scored, so search results and pushed
//! matches are there the moment the server starts.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use doorstep_demo::{Generator, Sizes, seed};
use doorstep_domain::accounts::{self, NewAccount};
use doorstep_domain::types::{LoginId, Phone, Role};
use rand::Rng;
use rand::distr::Alphanumeric;

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

pub async fn run(settings: &Settings, args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    startup::prepare_folders(settings)?;
    let db = startup::connect_and_migrate(settings).await?;
    let seeker_login = LoginId::Phone(Phone::parse(SEEKER_PHONE).expect("a valid phone"));
    if accounts::find_by_login(&db, &seeker_login).await?.is_some() {
        bail!(
            "the demo data is already loaded in this database; to start over, stop the server and remove {}",
            settings.data_dir.display()
        );
    }
    let sizes = Sizes {
        businesses: args.businesses.max(1),
        postings: args.postings,
        seekers: args.seekers,
    };
    let password = args.password.unwrap_or_else(generated_password);
    let [seeker, merchant, officer, admin] = demo_accounts(&password)?;
    let generator = Generator::new(args.seed, sizes, chrono::Utc::now());
    // Districts first, while there is nothing to move; the loaded rows are placed after.
    let passwords = settings.password_pool();
    let officer = accounts::create(&db, &passwords, officer).await?;
    let admin = accounts::create(&db, &passwords, admin).await?;
    seed::districts(&db, admin.id, officer.id).await?;
    seed::community(&db, officer.id).await?;
    let loaded = doorstep_demo::load::load(&db, &generator, true)
        .await
        .context("loading the generated district")?;
    // The loader writes rows directly; the index is rebuilt from the database below.
    doorstep_domain::districts::relocate_quietly(&db).await?;

    let seeker = accounts::create(&db, &passwords, seeker).await?;
    doorstep_demo::load::insert_profile(&db, seed::seeker_profile(seeker.id)).await?;
    let merchant = accounts::create(&db, &passwords, merchant).await?;
    // The demo merchant co-owns the first few verified businesses, so their postings,
    // applicants and matches are theirs to look at.
    let owned: Vec<_> = generator
        .businesses()
        .iter()
        .filter(|b| b.business.status == doorstep_domain::types::BusinessStatus::Verified)
        .take(3)
        .collect();
    for b in &owned {
        doorstep_demo::load::add_owner(&db, b.business.id, merchant.id).await?;
    }

    let index_dir = settings.index_dir();
    let index = Arc::new(
        doorstep_search_index::sync::rebuild_and_open(&db, &index_dir)
            .await
            .context("building the search index")?,
    );
    tracing::info!("search index built");
    let matcher = startup::matcher(settings, db.clone(), index, "demo")?;
    if let Some(holder) = matcher.lease_holder().await? {
        bail!("a server ({holder}) is running on this database: stop it, then run doorstep demo");
    }
    let mut scored = 0;
    loop {
        let handled = matcher.step().await?;
        if handled == 0 {
            break;
        }
        scored += handled;
    }
    tracing::info!(events = scored, "matches scored and stored");
    let mut delivered = 0;
    loop {
        let n = matcher.deliver().await?;
        if n == 0 {
            break;
        }
        delivered += n;
    }
    matcher.release_lease().await?;
    let matches = {
        use sea_orm::{EntityTrait, PaginatorTrait};
        doorstep_domain::entities::job_match::Entity::find()
            .count(&db)
            .await?
    };
    tracing::info!(
        businesses = loaded.businesses,
        postings = loaded.postings,
        gig_shifts = loaded.shifts,
        seekers = loaded.seekers,
        events_scored = scored,
        matches,
        pushes_delivered = delivered,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo district loaded"
    );
    db.close().await?;

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "\nDemo district loaded: {} businesses, {} postings ({} dated gig shifts), {} seekers, \
         {} matches pushed.\nStart the server (cargo run --release -- serve) and log in as:\n",
        loaded.businesses, loaded.postings, loaded.shifts, loaded.seekers, matches
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
