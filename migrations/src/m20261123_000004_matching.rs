//! Matching: scored (posting, seeker) pairs, the pushes that announce them, and the
//! matcher's own place in the outbox (held under a lease so one worker at a time reads it).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Matches {
    Table,
    Id,
    PostingId,
    SeekerId,
    BusinessId,
    Score,
    ForSeeker,
    ForJob,
    Factors,
    Explanation,
    Status,
    DismissReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Pushes {
    Table,
    Id,
    MatchId,
    AccountId,
    Channel,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LastError,
    SentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MatcherState {
    Table,
    Name,
    Holder,
    LeaseUntil,
    Progress,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Postings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Matches::Table)
                    .col(pk_uuid(Matches::Id))
                    .col(uuid(Matches::PostingId))
                    .col(uuid(Matches::SeekerId))
                    .col(uuid(Matches::BusinessId))
                    .col(double(Matches::Score))
                    .col(double(Matches::ForSeeker))
                    .col(double(Matches::ForJob))
                    .col(json_binary(Matches::Factors))
                    .col(string_len(Matches::Explanation, 400))
                    .col(string_len(Matches::Status, 16))
                    .col(text_null(Matches::DismissReason))
                    .col(timestamp_with_time_zone(Matches::CreatedAt))
                    .col(timestamp_with_time_zone(Matches::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_matches_posting")
                            .from(Matches::Table, Matches::PostingId)
                            .to(Postings::Table, Postings::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_matches_seeker")
                            .from(Matches::Table, Matches::SeekerId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "uq_matches_pair",
                vec![Matches::PostingId, Matches::SeekerId],
                true,
            ),
            (
                "idx_matches_seeker",
                vec![Matches::SeekerId, Matches::Score],
                false,
            ),
            (
                "idx_matches_posting",
                vec![Matches::PostingId, Matches::Score],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Matches::Table);
            for col in cols {
                index.col(col);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Pushes::Table)
                    .col(pk_uuid(Pushes::Id))
                    .col(uuid(Pushes::MatchId))
                    .col(uuid(Pushes::AccountId))
                    .col(string_len(Pushes::Channel, 16))
                    .col(string_len(Pushes::Status, 16))
                    .col(integer(Pushes::Attempts).default(0))
                    .col(timestamp_with_time_zone(Pushes::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Pushes::LeaseUntil))
                    .col(text_null(Pushes::LastError))
                    .col(timestamp_with_time_zone_null(Pushes::SentAt))
                    .col(timestamp_with_time_zone(Pushes::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_pushes_match")
                            .from(Pushes::Table, Pushes::MatchId)
                            .to(Matches::Table, Matches::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Never the same match twice on the same channel: the database decides.
        manager
            .create_index(
                Index::create()
                    .name("uq_pushes_match_channel")
                    .table(Pushes::Table)
                    .col(Pushes::MatchId)
                    .col(Pushes::Channel)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pushes_due")
                    .table(Pushes::Table)
                    .col(Pushes::Status)
                    .col(Pushes::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pushes_account_sent")
                    .table(Pushes::Table)
                    .col(Pushes::AccountId)
                    .col(Pushes::SentAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MatcherState::Table)
                    .col(string_len(MatcherState::Name, 32).primary_key())
                    .col(string_len_null(MatcherState::Holder, 64))
                    .col(timestamp_with_time_zone_null(MatcherState::LeaseUntil))
                    .col(json_binary(MatcherState::Progress))
                    .col(timestamp_with_time_zone(MatcherState::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MatcherState::Table.into_iden(),
            Pushes::Table.into_iden(),
            Matches::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
