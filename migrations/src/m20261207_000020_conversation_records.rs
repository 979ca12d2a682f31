//! What conversations keep beyond their messages (issue 24): reports to officers, the
//! times behind a business's responsiveness, and what the retention job reads.
//!
//! - `conversations.seeker_first_at` / `first_reply_at`: when the seeker first wrote, and
//!   when the business first wrote after that. Set once each, by the sending transaction,
//!   so a business's response rate is one indexed read of its recent conversations
//!   (`idx_conversations_business_created`), not a scan of their messages.
//! - `conversation_reports`: a side reports a message (`seq`) or the whole conversation
//!   (`seq` null) to the officers of the posting's district (`district_id`, copied when
//!   reported). `status` `open` → `resolved` with an `outcome` (`dismissed`, `warned`,
//!   `suspended`; a suspension holds until `suspended_until`). One report per reporter and
//!   message (`idx_conversation_reports_message`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Conversations {
    Table,
    BusinessId,
    CreatedAt,
    SeekerFirstAt,
    FirstReplyAt,
}

#[derive(DeriveIden)]
enum ConversationReports {
    Table,
    Id,
    ConversationId,
    DistrictId,
    ReporterId,
    ReporterSide,
    ReportedId,
    Seq,
    Reason,
    Note,
    Status,
    Outcome,
    ResolutionNote,
    ResolvedBy,
    ResolvedAt,
    SuspendedUntil,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for column in [Conversations::SeekerFirstAt, Conversations::FirstReplyAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .add_column(timestamp_with_time_zone_null(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_conversations_business_created")
                    .table(Conversations::Table)
                    .col(Conversations::BusinessId)
                    .col(Conversations::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationReports::Table)
                    .col(pk_uuid(ConversationReports::Id))
                    .col(uuid(ConversationReports::ConversationId))
                    .col(uuid_null(ConversationReports::DistrictId))
                    .col(uuid(ConversationReports::ReporterId))
                    .col(string_len(ConversationReports::ReporterSide, 16))
                    .col(uuid(ConversationReports::ReportedId))
                    .col(integer_null(ConversationReports::Seq))
                    .col(string_len(ConversationReports::Reason, 32))
                    .col(text_null(ConversationReports::Note))
                    .col(string_len(ConversationReports::Status, 16))
                    .col(string_len_null(ConversationReports::Outcome, 16))
                    .col(text_null(ConversationReports::ResolutionNote))
                    .col(uuid_null(ConversationReports::ResolvedBy))
                    .col(timestamp_with_time_zone_null(
                        ConversationReports::ResolvedAt,
                    ))
                    .col(timestamp_with_time_zone_null(
                        ConversationReports::SuspendedUntil,
                    ))
                    .col(timestamp_with_time_zone(ConversationReports::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // A message is reported once per reporter (NULL seqs, whole-conversation reports,
        // are not unique to the index; the domain allows one open such report).
        manager
            .create_index(
                Index::create()
                    .name("idx_conversation_reports_message")
                    .table(ConversationReports::Table)
                    .col(ConversationReports::ConversationId)
                    .col(ConversationReports::ReporterId)
                    .col(ConversationReports::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conversation_reports_queue")
                    .table(ConversationReports::Table)
                    .col(ConversationReports::Status)
                    .col(ConversationReports::DistrictId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conversation_reports_reported")
                    .table(ConversationReports::Table)
                    .col(ConversationReports::ReportedId)
                    .col(ConversationReports::SuspendedUntil)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConversationReports::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_conversations_business_created")
                    .table(Conversations::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Conversations::FirstReplyAt, Conversations::SeekerFirstAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
