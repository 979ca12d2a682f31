//! One-time codes (issue 20, item 2): sign-up needs a code sent to the phone or e-mail
//! first, so the sign-up answer no longer tells whether an account exists.
//!
//! One row per destination and purpose: a new request replaces the code in place, and the
//! same row carries the resend throttle and the daily count, so the limits hold across
//! instances and restarts. `code_hash` is null when the row stands for a notice to an
//! existing account's owner (no code was sent, so none can match).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::m20261123_000002_marketplace::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuthCodes {
    Table,
    Id,
    Destination,
    Purpose,
    CodeHash,
    Attempts,
    ExpiresAt,
    UsedAt,
    LastSentAt,
    WindowStartedAt,
    SendsInWindow,
    Version,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuthCodes::Table)
                    .col(pk_uuid(AuthCodes::Id))
                    .col(string_len(AuthCodes::Destination, 254))
                    .col(string_len(AuthCodes::Purpose, 32))
                    .col(string_len_null(AuthCodes::CodeHash, 64))
                    .col(integer(AuthCodes::Attempts))
                    .col(timestamp_with_time_zone(AuthCodes::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AuthCodes::UsedAt))
                    .col(timestamp_with_time_zone_null(AuthCodes::LastSentAt))
                    .col(timestamp_with_time_zone(AuthCodes::WindowStartedAt))
                    .col(integer(AuthCodes::SendsInWindow))
                    .col(integer(AuthCodes::Version))
                    .col(timestamp_with_time_zone(AuthCodes::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_auth_codes_destination_purpose",
            AuthCodes::Table,
            vec![
                AuthCodes::Destination.into_iden(),
                AuthCodes::Purpose.into_iden(),
            ],
            true,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuthCodes::Table).to_owned())
            .await
    }
}
