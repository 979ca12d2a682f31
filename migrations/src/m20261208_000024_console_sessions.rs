//! Officer console sessions (issue 26): the web console signs in with a cookie, not a
//! bearer token, so its sessions live server-side where signing out and the idle timeout
//! end them at once.
//!
//! - `console_sessions`: the SHA-256 of the cookie's value (never the value), the CSRF
//!   token every form of the session carries, the account's `token_version` when it signed
//!   in (a password change, demotion or disabling ends the session like it revokes tokens),
//!   and `last_seen_at`, which the idle timeout is counted from.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConsoleSessions {
    Table,
    Id,
    TokenHash,
    AccountId,
    TokenVersion,
    CsrfToken,
    CreatedAt,
    LastSeenAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConsoleSessions::Table)
                    .col(pk_uuid(ConsoleSessions::Id))
                    .col(string_len_uniq(ConsoleSessions::TokenHash, 64))
                    .col(uuid(ConsoleSessions::AccountId))
                    .col(integer(ConsoleSessions::TokenVersion))
                    .col(string_len(ConsoleSessions::CsrfToken, 64))
                    .col(timestamp_with_time_zone(ConsoleSessions::CreatedAt))
                    .col(timestamp_with_time_zone(ConsoleSessions::LastSeenAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ConsoleSessions::Table, ConsoleSessions::AccountId)
                            .to(Alias::new("accounts"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_console_sessions_last_seen")
                    .table(ConsoleSessions::Table)
                    .col(ConsoleSessions::LastSeenAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConsoleSessions::Table).to_owned())
            .await
    }
}
