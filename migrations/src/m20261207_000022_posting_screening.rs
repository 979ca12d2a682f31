//! Posting screening (issue 25, item 3, and its records, item 6).
//!
//! - `minimum_wages`: the legal minimum wage per city, effective-dated: a change is a new
//!   row with its `effective_from`, never an edit (one row per city and date,
//!   `idx_minimum_wages_city_from`). Filled at start from `domain/data/minimum_wages.toml`
//!   (`created_by` null), later by officers and admins through the API.
//! - `screening_decisions`: every refusal or hold screening made of a posting, on create
//!   (`action` `create`, `posting_id` null when refused, since nothing was saved) or an
//!   edit (`edit`): the rule, its category, the field, the phrase or figures it matched and
//!   the reason shown to the officer; `district_id` is the business's, copied, so an
//!   officer lists their district's decisions in one indexed read. Kept 3 years.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MinimumWages {
    Table,
    Id,
    City,
    EffectiveFrom,
    HourlyFen,
    MonthlyFen,
    Source,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ScreeningDecisions {
    Table,
    Id,
    PostingId,
    BusinessId,
    DistrictId,
    AccountId,
    Action,
    Rule,
    Category,
    Outcome,
    Field,
    Phrase,
    Reason,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MinimumWages::Table)
                    .col(pk_uuid(MinimumWages::Id))
                    .col(string_len(MinimumWages::City, 40))
                    .col(date(MinimumWages::EffectiveFrom))
                    .col(big_integer(MinimumWages::HourlyFen))
                    .col(big_integer(MinimumWages::MonthlyFen))
                    .col(string_len(MinimumWages::Source, 200))
                    .col(uuid_null(MinimumWages::CreatedBy))
                    .col(timestamp_with_time_zone(MinimumWages::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_minimum_wages_city_from")
                    .table(MinimumWages::Table)
                    .col(MinimumWages::City)
                    .col(MinimumWages::EffectiveFrom)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ScreeningDecisions::Table)
                    .col(pk_uuid(ScreeningDecisions::Id))
                    .col(uuid_null(ScreeningDecisions::PostingId))
                    .col(uuid(ScreeningDecisions::BusinessId))
                    .col(uuid_null(ScreeningDecisions::DistrictId))
                    .col(uuid(ScreeningDecisions::AccountId))
                    .col(string_len(ScreeningDecisions::Action, 16))
                    .col(string_len(ScreeningDecisions::Rule, 64))
                    .col(string_len(ScreeningDecisions::Category, 32))
                    .col(string_len(ScreeningDecisions::Outcome, 16))
                    .col(string_len(ScreeningDecisions::Field, 32))
                    .col(text(ScreeningDecisions::Phrase))
                    .col(text(ScreeningDecisions::Reason))
                    .col(timestamp_with_time_zone(ScreeningDecisions::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_screening_decisions_district")
                    .table(ScreeningDecisions::Table)
                    .col(ScreeningDecisions::DistrictId)
                    .col(ScreeningDecisions::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_screening_decisions_created")
                    .table(ScreeningDecisions::Table)
                    .col(ScreeningDecisions::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScreeningDecisions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(MinimumWages::Table).to_owned())
            .await
    }
}
