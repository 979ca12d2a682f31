//! Opening the database: one code path for SQLite and PostgreSQL.

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DbErr, RuntimeErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

/// How long the first connection to PostgreSQL may take before start-up gives up.
pub const CONNECT_PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

/// Connects with the settings Doorstep relies on. On SQLite: WAL (readers never block the
/// writer), foreign keys enforced, a busy timeout instead of immediate `SQLITE_BUSY`, and the
/// file created if missing.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let backend = Backend::of_url(url).ok_or_else(|| {
        DbErr::Custom(format!(
            "unsupported database URL (expected sqlite: or postgres://): {}",
            redact(url)
        ))
    })?;
    if backend == Backend::Postgres {
        probe_postgres(url).await?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if backend == Backend::Sqlite {
        options.map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    }
    Database::connect(options).await
}

/// One direct connection attempt before the pool is built, so a server that is down or
/// unreachable is named at once: the pool retries a refused connection until its acquire
/// timeout and then reports only "pool timed out".
async fn probe_postgres(url: &str) -> Result<(), DbErr> {
    use sea_orm::sqlx::Connection;
    use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
    let fail = |message: String| DbErr::Conn(RuntimeErr::Internal(message));
    let options: PgConnectOptions = url
        .parse()
        .map_err(|err| fail(format!("invalid PostgreSQL URL {}: {err}", redact(url))))?;
    let place = match options.get_socket() {
        Some(socket) => socket.display().to_string(),
        None => format!("{}:{}", options.get_host(), options.get_port()),
    };
    match tokio::time::timeout(CONNECT_PROBE_TIMEOUT, PgConnection::connect_with(&options)).await {
        Ok(Ok(connection)) => {
            let _ = connection.close().await;
            Ok(())
        }
        Ok(Err(sea_orm::sqlx::Error::Io(err)))
            if err.kind() == std::io::ErrorKind::ConnectionRefused =>
        {
            Err(fail(format!(
                "connection refused by {place}: no PostgreSQL server is listening there"
            )))
        }
        Ok(Err(err)) => Err(fail(format!(
            "cannot connect to PostgreSQL at {place}: {err}"
        ))),
        Err(_) => Err(fail(format!(
            "no answer from PostgreSQL at {place} within {} s",
            CONNECT_PROBE_TIMEOUT.as_secs()
        ))),
    }
}

/// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes cannot upgrade its
/// lock while another writer holds it, and fails at once with `SQLITE_BUSY` instead of
/// waiting out the busy timeout. Other databases ignore the mode.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// A database URL fit for a log line: the password replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_backends() {
        assert_eq!(Backend::of_url("sqlite://data/x.db"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::of_url("postgres://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::of_url("mysql://h/db"), None);
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/doorstep"),
            "postgres://app:***@db:5432/doorstep"
        );
        assert_eq!(
            redact("sqlite://data/doorstep.db"),
            "sqlite://data/doorstep.db"
        );
    }
}
