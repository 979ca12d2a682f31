//! Conversations between a seeker and a business about one posting (issue 24).
//!
//! - `conversations`: one per (posting, seeker). `message_count` numbers the messages
//!   (`seq` 1, 2, …) under the conversation's row lock, so "everything after seq n" is
//!   exact on every instance; `seeker_read_seq` / `business_read_seq` are the read
//!   receipts (unread = `message_count` − the side's read seq).
//! - `conversation_messages`: the messages, with what the sender wrote. Contact details in
//!   them are masked when read, not when stored, so consent given later unmasks them;
//!   `flag` is the recruiting-scam category a message tripped (the recipient is warned).
//! - `conversation_blocks`: a side that blocked the other (per seeker and business: no
//!   more messages either way, in any of their conversations, until it unblocks).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    PostingId,
    BusinessId,
    SeekerId,
    OpenedBy,
    MessageCount,
    SeekerReadSeq,
    BusinessReadSeq,
    LastMessageAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ConversationMessages {
    Table,
    Id,
    ConversationId,
    Seq,
    SenderId,
    Side,
    Kind,
    Body,
    Data,
    HasContact,
    Flag,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ConversationBlocks {
    Table,
    SeekerId,
    BusinessId,
    Side,
    BlockedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Conversations::Table)
                    .col(pk_uuid(Conversations::Id))
                    .col(uuid(Conversations::PostingId))
                    .col(uuid(Conversations::BusinessId))
                    .col(uuid(Conversations::SeekerId))
                    .col(uuid(Conversations::OpenedBy))
                    .col(integer(Conversations::MessageCount).default(0))
                    .col(integer(Conversations::SeekerReadSeq).default(0))
                    .col(integer(Conversations::BusinessReadSeq).default(0))
                    .col(timestamp_with_time_zone(Conversations::LastMessageAt))
                    .col(timestamp_with_time_zone(Conversations::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conversations_posting_seeker")
                    .table(Conversations::Table)
                    .col(Conversations::PostingId)
                    .col(Conversations::SeekerId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, side) in [
            ("idx_conversations_seeker_recent", Conversations::SeekerId),
            (
                "idx_conversations_business_recent",
                Conversations::BusinessId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Conversations::Table)
                        .col(side)
                        .col(Conversations::LastMessageAt)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ConversationMessages::Table)
                    .col(pk_uuid(ConversationMessages::Id))
                    .col(uuid(ConversationMessages::ConversationId))
                    .col(integer(ConversationMessages::Seq))
                    .col(uuid(ConversationMessages::SenderId))
                    .col(string_len(ConversationMessages::Side, 16))
                    .col(string_len(ConversationMessages::Kind, 32))
                    .col(text(ConversationMessages::Body))
                    .col(json_binary(ConversationMessages::Data))
                    .col(boolean(ConversationMessages::HasContact).default(false))
                    .col(string_len_null(ConversationMessages::Flag, 32))
                    .col(timestamp_with_time_zone(ConversationMessages::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conversation_messages_seq")
                    .table(ConversationMessages::Table)
                    .col(ConversationMessages::ConversationId)
                    .col(ConversationMessages::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conversation_messages_sender")
                    .table(ConversationMessages::Table)
                    .col(ConversationMessages::SenderId)
                    .col(ConversationMessages::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationBlocks::Table)
                    .col(uuid(ConversationBlocks::SeekerId))
                    .col(uuid(ConversationBlocks::BusinessId))
                    .col(string_len(ConversationBlocks::Side, 16))
                    .col(uuid(ConversationBlocks::BlockedBy))
                    .col(timestamp_with_time_zone(ConversationBlocks::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(ConversationBlocks::SeekerId)
                            .col(ConversationBlocks::BusinessId)
                            .col(ConversationBlocks::Side),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConversationBlocks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ConversationMessages::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Conversations::Table).to_owned())
            .await
    }
}
