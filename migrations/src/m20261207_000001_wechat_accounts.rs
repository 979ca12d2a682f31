//! Accounts bound to a WeChat mini-program user (issue 23, item 1): one row per binding.
//!
//! `account_id` is the key (an account has at most one WeChat), `openid` is unique (one
//! WeChat user of the mini-program has at most one account) and so is `unionid` when WeChat
//! gives one. The first sign-in of an openid inserts its account and this row in one
//! transaction; of several such sign-ins at once, the unique `openid` lets exactly one
//! commit and the others read the winner's row. `session_key` is never stored.
//!
//! Accounts made by a WeChat sign-in have neither a phone nor an e-mail (both columns were
//! already nullable) and no password: their `password_hash` holds a marker that is not a
//! PHC string, which no password matches (see `doorstep_domain::accounts::NO_PASSWORD`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::m20261123_000002_marketplace::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WechatBindings {
    Table,
    AccountId,
    Openid,
    Unionid,
    CreatedAt,
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
                    .table(WechatBindings::Table)
                    .col(uuid(WechatBindings::AccountId).primary_key())
                    .col(string_len_uniq(WechatBindings::Openid, 128))
                    .col(string_len_null(WechatBindings::Unionid, 128).unique_key())
                    .col(timestamp_with_time_zone(WechatBindings::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_wechat_bindings_account",
                        (WechatBindings::Table, WechatBindings::AccountId),
                        (Accounts::Table, Accounts::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WechatBindings::Table).to_owned())
            .await
    }
}
