//! Matcher state rows are also named per business and day (candidate digests), which needs
//! more than 32 characters. SQLite does not enforce `varchar` lengths, so only PostgreSQL's
//! column changes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MatcherState {
    Table,
    Name,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .alter_table(
                    Table::alter()
                        .table(MatcherState::Table)
                        .modify_column(ColumnDef::new(MatcherState::Name).string_len(80).not_null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .alter_table(
                    Table::alter()
                        .table(MatcherState::Table)
                        .modify_column(ColumnDef::new(MatcherState::Name).string_len(32).not_null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
