//! Lexicon entries officers and admins add through the API, layered over the shipped job
//! vocabulary at query time. The entry itself is kept as JSON: its shape belongs to the
//! search index, which validates it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LexiconEntries {
    Table,
    Id,
    Kind,
    Word,
    Entry,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LexiconEntries::Table)
                    .col(pk_uuid(LexiconEntries::Id))
                    .col(string_len(LexiconEntries::Kind, 16))
                    .col(string_len(LexiconEntries::Word, 40))
                    .col(json_binary(LexiconEntries::Entry))
                    .col(uuid(LexiconEntries::CreatedBy))
                    .col(timestamp_with_time_zone(LexiconEntries::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LexiconEntries::Table).to_owned())
            .await
    }
}
