//! `doorstep backup`: an online copy of the SQLite database, consistent while the server
//! keeps serving. PostgreSQL has its own tools (`pg_dump`, see the README).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use doorstep_domain::db::{self, Backend};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

use crate::config::Settings;

/// What `doorstep backup` says instead of backing up a PostgreSQL database.
pub const USE_PG_DUMP: &str = "the database is PostgreSQL: back it up with pg_dump, e.g. \
    `pg_dump --format=custom --file=doorstep.dump \"$DATABASE_URL\"` (README, Backup and restore)";

/// Writes a copy of the configured SQLite database to `file`, which must not exist yet.
///
/// `VACUUM INTO` reads the database in one read transaction, so the copy is the database
/// as of one instant, whatever the server writes meanwhile (under WAL readers never block
/// the writer, and the writer never blocks them); the copy is compact and has no `-wal`
/// file beside it. Returns the absolute path and size of the copy.
pub async fn to_file(settings: &Settings, file: &Path) -> anyhow::Result<(PathBuf, u64)> {
    let url = settings.database_url();
    match Backend::of_url(&url) {
        Some(Backend::Sqlite) => {}
        Some(Backend::Postgres) => bail!(USE_PG_DUMP),
        None => bail!("unsupported database URL {}", db::redact(&url)),
    }
    let file = std::path::absolute(file).with_context(|| format!("{}", file.display()))?;
    if file.symlink_metadata().is_ok() {
        bail!(
            "{} already exists; a backup never overwrites a file (choose a new name)",
            file.display()
        );
    }
    match file.parent() {
        Some(parent) if parent.is_dir() => {}
        _ => bail!("the folder of {} does not exist", file.display()),
    }
    let live = sqlite_file(&url);
    if !live.is_file() {
        bail!("no database at {} to back up", live.display());
    }
    let conn = db::connect(&url, 1)
        .await
        .with_context(|| format!("opening {}", live.display()))?;
    let copied = conn
        .execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Sqlite,
            "VACUUM INTO ?",
            [file.display().to_string().into()],
        ))
        .await;
    let _ = conn.close().await;
    if let Err(err) = copied {
        // VACUUM INTO refuses an existing non-empty file itself, so whatever is there now
        // is its own unfinished work.
        let _ = std::fs::remove_file(&file);
        return Err(err).with_context(|| format!("copying the database into {}", file.display()));
    }
    let size = std::fs::metadata(&file)?.len();
    Ok((file, size))
}

/// The file of a `sqlite://<path>?…` URL.
fn sqlite_file(url: &str) -> PathBuf {
    let path = url
        .trim_start_matches("sqlite:")
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or_default();
    PathBuf::from(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_file_of_a_url() {
        assert_eq!(
            sqlite_file("sqlite://data/doorstep.db?mode=rwc"),
            PathBuf::from("data/doorstep.db")
        );
        assert_eq!(
            sqlite_file("sqlite:///var/lib/doorstep/doorstep.db"),
            PathBuf::from("/var/lib/doorstep/doorstep.db")
        );
    }
}
