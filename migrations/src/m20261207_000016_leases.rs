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
