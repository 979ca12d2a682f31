//! The `doorstep` command line.

use std::io::{BufRead, Write};

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use doorstep_domain::accounts::{self, NewAccount};
use doorstep_domain::types::Role;

use crate::config::Settings;
use crate::startup::{self, Application};

#[derive(Debug, Parser)]
#[command(
    name = "doorstep",
    version,
    about = "Doorstep 家门口就业: local jobs and gig work"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default): migrations first, then serve until SIGTERM or
    /// SIGINT (both graceful).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Run the matching worker alone (with its own search-index replica in `index_dir`).
    Worker,
    /// Rebuild the search index from the database; running servers switch to it.
    Reindex,
    /// Load a generated Suzhou shopping district (businesses, postings, seekers, four
    /// accounts to log in as), index it and push its matches.
    Demo(crate::demo::DemoArgs),
    /// Print the OpenAPI document to standard output.
    Openapi,
    /// Account administration from the shell: the only way the first admin exists.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Run the retention job once (erase and anonymise what is past its retention), print
    /// what it changed, and exit.
    Retention,
    /// Copy the SQLite database to FILE while the server keeps serving (a consistent copy
    /// as of one instant; FILE must not exist). PostgreSQL: use `pg_dump` (see the README).
    Backup(BackupArgs),
    /// Re-encrypt the stored resident ID numbers under the first of `identity_keys` (after
    /// putting a new key first), print how many moved, and exit. Safe to run while serving
    /// and to run again.
    IdentityRekey,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the copy; refused if it exists.
    pub file: std::path::PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a community employment officer account.
    CreateOfficer(StaffArgs),
    /// Create an operator (admin) account.
    CreateAdmin(StaffArgs),
}

/// The password is read from `DOORSTEP_NEW_PASSWORD` if set, otherwise as one line from
/// standard input, so it never appears in the process list or shell history.
#[derive(Debug, Args)]
pub struct StaffArgs {
    /// Mainland mobile number to log in with.
    #[arg(long, conflicts_with = "email", required_unless_present = "email")]
    pub phone: Option<String>,
    /// E-mail address to log in with.
    #[arg(long)]
    pub email: Option<String>,
    /// The name shown for the account.
    #[arg(long)]
    pub name: String,
}

pub async fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await?
        }
        Command::Migrate => {
            startup::prepare_folders(&settings)?;
            let db = startup::connect_and_migrate(&settings).await?;
            db.close().await?;
            tracing::info!("migrations applied");
        }
        Command::Worker => run_worker(settings).await?,
        Command::Reindex => {
            startup::prepare_folders(&settings)?;
            let db = startup::connect_and_migrate(&settings).await?;
            let generation =
                doorstep_search_index::sync::rebuild_in_folder(&db, &settings.index_dir()).await?;
            tracing::info!(%generation, folder = %settings.index_dir().display(),
                "search index rebuilt; running servers switch to it on their next pass");
            db.close().await?;
        }
        Command::Demo(args) => crate::demo::run(&settings, args).await?,
        Command::Openapi => {
            let doc = serde_json::to_string_pretty(&crate::openapi::document_json())?;
            let mut out = std::io::stdout().lock();
            out.write_all(doc.as_bytes())?;
            out.write_all(b"\n")?;
        }
        Command::Admin(AdminCommand::CreateOfficer(args)) => {
            create_staff(&settings, Role::Officer, args).await?
        }
        Command::Admin(AdminCommand::CreateAdmin(args)) => {
            create_staff(&settings, Role::Admin, args).await?
        }
        Command::Backup(args) => {
            let (file, bytes) = crate::services::backup::to_file(&settings, &args.file).await?;
            tracing::info!(file = %file.display(), bytes, "backup written");
        }
        Command::IdentityRekey => {
            startup::prepare_folders(&settings)?;
            let db = startup::connect_and_migrate(&settings).await?;
            let keys = crate::keys::identity_keys(
                settings.identity_keys.as_deref(),
                settings.identity_hash_key.as_deref(),
                &settings.identity_keys_file(),
                &settings.identity_hash_key_file(),
            )?;
            let mut total = 0;
            loop {
                let moved = doorstep_domain::identity::rekey(&db, &keys, 500).await?;
                if moved == 0 {
                    break;
                }
                total += moved;
            }
            tracing::info!(
                total,
                kid = keys.active_kid(),
                "identity numbers re-encrypted"
            );
            db.close().await?;
        }
        Command::Retention => {
            startup::prepare_folders(&settings)?;
            let db = startup::connect_and_migrate(&settings).await?;
            let media = doorstep_domain::media::DiskStore::new(settings.media_dir());
            let report = doorstep_domain::retention::run(
                &db,
                &media,
                doorstep_domain::time::now(),
                &settings.retention_policy(),
            )
            .await?;
            tracing::info!(total = report.total(), ?report, "retention job ran");
            db.close().await?;
        }
    }
    Ok(())
}

/// The matching worker without HTTP: its own index replica, kept current from the outbox,
/// and the matcher, run by the same job registry as `serve` (see `crate::jobs`) until
/// SIGTERM or SIGINT. On SQLite only one worker may run, so a live lease held by another
/// process (a server or another worker) makes this one refuse to start.
async fn run_worker(settings: Settings) -> anyhow::Result<()> {
    startup::prepare_folders(&settings)?;
    let db = startup::connect_and_migrate(&settings).await?;
    let index = std::sync::Arc::new(
        doorstep_search_index::sync::open_or_rebuild(&db, &settings.index_dir())
            .await
            .context(
                "opening the worker's search index (give each process its own DOORSTEP_INDEX_DIR)",
            )?,
    );
    let matcher = startup::matcher(&settings, db.clone(), index.clone(), "worker")?;
    let sqlite = doorstep_domain::db::Backend::of_url(&settings.database_url())
        == Some(doorstep_domain::db::Backend::Sqlite);
    if let Some(holder) = matcher.lease_holder().await?
        && sqlite
    {
        bail!(
            "another process ({holder}) is running the matcher on this SQLite database; SQLite has no row locks, so only one may run"
        );
    }
    let jobs = crate::jobs::registry(crate::jobs::Parts {
        settings: &settings,
        db: db.clone(),
        search: index,
        matcher: Some(matcher),
        server: None,
        metrics: std::sync::Arc::new(doorstep_domain::jobs::NoMetrics),
    })
    .start(doorstep_domain::jobs::CancellationToken::new());
    tracing::info!("matching worker running");
    let signal = startup::stop_signal().await;
    tracing::info!(%signal, "worker stopping: background jobs first, then the database");
    jobs.stop(std::time::Duration::from_secs(
        settings.shutdown_timeout_secs,
    ))
    .await;
    db.close().await?;
    Ok(())
}

/// A domain error as a shell command reports it: field errors spelled out on one line.
pub(crate) fn shell_error(err: doorstep_domain::DomainError) -> anyhow::Error {
    match err {
        doorstep_domain::DomainError::Validation(errors) => anyhow::anyhow!(
            "{}",
            errors
                .0
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => other.into(),
    }
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("DOORSTEP_NEW_PASSWORD") {
        return Ok(password);
    }
    let mut stderr = std::io::stderr();
    write!(stderr, "Password for the new account: ")?;
    stderr.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password given (set DOORSTEP_NEW_PASSWORD or type one)");
    }
    Ok(password)
}

async fn create_staff(settings: &Settings, role: Role, args: StaffArgs) -> anyhow::Result<()> {
    let password = read_password()?;
    let new = NewAccount::parse(
        role,
        args.phone.as_deref(),
        args.email.as_deref(),
        &password,
        &args.name,
    )
    .map_err(shell_error)?;
    startup::prepare_folders(settings)?;
    let db = startup::connect_and_migrate(settings).await?;
    let account = accounts::create(&db, &settings.password_pool(), new)
        .await
        .context("creating the account")?;
    tracing::info!(id = %account.id, role = %account.role, "account created");
    db.close().await?;
    Ok(())
}
