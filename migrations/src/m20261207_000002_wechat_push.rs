//! WeChat subscribe messages and content security (issue 23, items 4 and 5).
//!
//! - `wechat_subscriptions`: one row per one-time acceptance a user gave in the
//!   mini-program (`wx.requestSubscribeMessage`), spent by exactly one message.
//! - `wechat_messages`: the subscribe-message queue (the same claim/settle machinery as
//!   pushes and queued mail, `doorstep_domain::jobs::queue`).
//! - `content_reviews`: user text that WeChat's `msg_sec_check` held for review (or that
//!   could not be checked), waiting for an officer.
//!
//! The push worker reads an account's openid from `wechat_bindings`
//! (`m20261207_000001_wechat_accounts`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WechatSubscriptions {
    Table,
    Id,
    AccountId,
    TemplateId,
    AcceptedAt,
    UsedAt,
    MessageId,
}

#[derive(DeriveIden)]
enum WechatMessages {
    Table,
    Id,
    AccountId,
    Kind,
    TemplateId,
    Title,
    Body,
    Data,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LastError,
    SentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ContentReviews {
    Table,
    Id,
    AccountId,
    SubjectType,
    SubjectId,
    Field,
    Content,
    Suggest,
    Label,
    Reason,
    Status,
    Resolution,
    ResolvedBy,
    ResolvedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WechatSubscriptions::Table)
                    .col(pk_uuid(WechatSubscriptions::Id))
                    .col(uuid(WechatSubscriptions::AccountId))
                    .col(string_len(WechatSubscriptions::TemplateId, 128))
                    .col(timestamp_with_time_zone(WechatSubscriptions::AcceptedAt))
                    .col(timestamp_with_time_zone_null(WechatSubscriptions::UsedAt))
                    .col(uuid_null(WechatSubscriptions::MessageId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_wechat_subscriptions_unused")
                    .table(WechatSubscriptions::Table)
                    .col(WechatSubscriptions::AccountId)
                    .col(WechatSubscriptions::TemplateId)
                    .col(WechatSubscriptions::UsedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WechatMessages::Table)
                    .col(pk_uuid(WechatMessages::Id))
                    .col(uuid(WechatMessages::AccountId))
                    .col(string_len(WechatMessages::Kind, 64))
                    .col(string_len_null(WechatMessages::TemplateId, 128))
                    .col(text(WechatMessages::Title))
                    .col(text(WechatMessages::Body))
                    .col(json_binary(WechatMessages::Data))
                    .col(string_len(WechatMessages::Status, 16))
                    .col(integer(WechatMessages::Attempts).default(0))
                    .col(timestamp_with_time_zone(WechatMessages::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(WechatMessages::LeaseUntil))
                    .col(text_null(WechatMessages::LastError))
                    .col(timestamp_with_time_zone_null(WechatMessages::SentAt))
                    .col(timestamp_with_time_zone(WechatMessages::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_wechat_messages_due")
                    .table(WechatMessages::Table)
                    .col(WechatMessages::Status)
                    .col(WechatMessages::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ContentReviews::Table)
                    .col(pk_uuid(ContentReviews::Id))
                    .col(uuid_null(ContentReviews::AccountId))
                    .col(string_len(ContentReviews::SubjectType, 32))
                    .col(uuid_null(ContentReviews::SubjectId))
                    .col(string_len(ContentReviews::Field, 64))
                    .col(text(ContentReviews::Content))
                    .col(string_len(ContentReviews::Suggest, 16))
                    .col(integer_null(ContentReviews::Label))
                    .col(text_null(ContentReviews::Reason))
                    .col(string_len(ContentReviews::Status, 16))
                    .col(string_len_null(ContentReviews::Resolution, 16))
                    .col(uuid_null(ContentReviews::ResolvedBy))
                    .col(timestamp_with_time_zone_null(ContentReviews::ResolvedAt))
                    .col(timestamp_with_time_zone(ContentReviews::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_content_reviews_status")
                    .table(ContentReviews::Table)
                    .col(ContentReviews::Status)
                    .col(ContentReviews::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ContentReviews::Table.into_iden(),
            WechatMessages::Table.into_iden(),
            WechatSubscriptions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
