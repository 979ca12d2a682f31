//! `matcher_state` holds every named lease (the matcher's `outbox`, `gig_jobs`,
//! `retention`) and the candidate digest's daily markers, not just the matcher's state:
//! renamed `leases` (issue 21). A rename, so the rows and their holders carry over.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MatcherState {
    Table,
}

#[derive(DeriveIden)]
enum Leases {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .rename_table(
                Table::rename()
                    .table(MatcherState::Table, Leases::Table)
                    .to_owned(),
            )
            .await?;
        // PostgreSQL keeps the old name on the primary key's constraint and index.
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE leases RENAME CONSTRAINT matcher_state_pkey TO leases_pkey",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE leases RENAME CONSTRAINT leases_pkey TO matcher_state_pkey",
                )
                .await?;
        }
        manager
            .rename_table(
                Table::rename()
                    .table(Leases::Table, MatcherState::Table)
                    .to_owned(),
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::sea_orm::{ConnectionTrait, Database, Statement};

    use crate::{Migrator, MigratorTrait};

    #[tokio::test]
    async fn lease_rows_carry_over_the_rename() {
        let file = std::env::temp_dir().join(format!(
            "doorstep-leases-{}.db",
            uuid::Uuid::new_v4().simple()
        ));
        let db = Database::connect(format!("sqlite://{}?mode=rwc", file.display()))
            .await
            .unwrap();
        // Every migration before this one (later ones may follow it in the list).
        let before = Migrator::migrations()
            .iter()
            .position(|m| m.name() == "m20261207_000016_leases")
            .expect("this migration is listed");
        let before = u32::try_from(before).unwrap();
        Migrator::up(&db, Some(before)).await.unwrap();
        db.execute_unprepared(
            "INSERT INTO matcher_state (name, holder, lease_until, progress, updated_at) \
             VALUES ('outbox', 'worker-1', NULL, '{\"watermark\":7}', '2026-12-07 00:00:00')",
        )
        .await
        .unwrap();
        Migrator::up(&db, None).await.unwrap();
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT holder, progress FROM leases WHERE name = 'outbox'",
            ))
            .await
            .unwrap()
            .expect("the row carried over");
        assert_eq!(row.try_get::<String>("", "holder").unwrap(), "worker-1");
        assert!(
            db.execute_unprepared("SELECT 1 FROM matcher_state")
                .await
                .is_err(),
            "the old name is gone"
        );
        db.close().await.unwrap();
        let _ = std::fs::remove_file(&file);
    }
}
