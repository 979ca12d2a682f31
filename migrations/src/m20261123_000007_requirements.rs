//! Structured requirements: the credentials a posting requires (`[{name, min_years?}]`,
//! empty when none are stated) and those a seeker holds (`[{name, years?}]`, `NULL` while the
//! seeker has not said, which the matcher tells apart from an empty list: "holds none").

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Postings {
    Table,
    RequiredCredentials,
}

#[derive(DeriveIden)]
enum SeekerProfiles {
    Table,
    Credentials,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Postings::Table)
                    .add_column(
                        ColumnDef::new(Postings::RequiredCredentials)
                            .json_binary()
                            .not_null()
                            .default("[]"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SeekerProfiles::Table)
                    .add_column(
                        ColumnDef::new(SeekerProfiles::Credentials)
                            .json_binary()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SeekerProfiles::Table)
                    .drop_column(SeekerProfiles::Credentials)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Postings::Table)
                    .drop_column(Postings::RequiredCredentials)
                    .to_owned(),
            )
            .await
    }
}
