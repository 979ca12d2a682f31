//! Real-time conversations (issue 24): each party's stream of messages, who is connected,
//! and which unread messages an absent recipient was told of.
//!
//! - `message_streams`: every message appears twice, once in the seeker's stream and once
//!   in the business's, at the next position of that stream (`stream_heads.last_pos`,
//!   advanced under the head's row lock in the sending transaction). Positions therefore
//!   follow commit order per party, so a client that reconnects after the message it saw
//!   last gets every later one, in order, exactly once.
//! - `realtime_presence`: one row per open WebSocket connection, refreshed by its instance;
//!   a recipient with a fresh row is connected and is not sent a notice.
//! - `conversations.seeker_notified_seq` / `business_notified_seq`: the newest message a
//!   side was sent a notice about, so a run of unread messages is told once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MessageStreams {
    Table,
    PartyId,
    Pos,
    MessageId,
    ConversationId,
}

#[derive(DeriveIden)]
enum StreamHeads {
    Table,
    PartyId,
    LastPos,
}

#[derive(DeriveIden)]
enum RealtimePresence {
    Table,
    Id,
    AccountId,
    InstanceId,
    ConnectedAt,
    SeenAt,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    SeekerNotifiedSeq,
    BusinessNotifiedSeq,
    LastMessageAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MessageStreams::Table)
                    .col(uuid(MessageStreams::PartyId))
                    .col(big_integer(MessageStreams::Pos))
                    .col(uuid(MessageStreams::MessageId))
                    .col(uuid(MessageStreams::ConversationId))
                    .primary_key(
                        Index::create()
                            .col(MessageStreams::PartyId)
                            .col(MessageStreams::Pos),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_message_streams_message", MessageStreams::MessageId),
            (
                "idx_message_streams_conversation",
                MessageStreams::ConversationId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(MessageStreams::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(StreamHeads::Table)
                    .col(pk_uuid(StreamHeads::PartyId))
                    .col(big_integer(StreamHeads::LastPos).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RealtimePresence::Table)
                    .col(pk_uuid(RealtimePresence::Id))
                    .col(uuid(RealtimePresence::AccountId))
                    .col(string_len(RealtimePresence::InstanceId, 64))
                    .col(timestamp_with_time_zone(RealtimePresence::ConnectedAt))
                    .col(timestamp_with_time_zone(RealtimePresence::SeenAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_realtime_presence_account", RealtimePresence::AccountId),
            (
                "idx_realtime_presence_instance",
                RealtimePresence::InstanceId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(RealtimePresence::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            Conversations::SeekerNotifiedSeq,
            Conversations::BusinessNotifiedSeq,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .add_column(integer(column).default(0))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_conversations_last_message")
                    .table(Conversations::Table)
                    .col(Conversations::LastMessageAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_conversations_last_message")
                    .table(Conversations::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Conversations::SeekerNotifiedSeq,
            Conversations::BusinessNotifiedSeq,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            RealtimePresence::Table.into_iden(),
            StreamHeads::Table.into_iden(),
            MessageStreams::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
