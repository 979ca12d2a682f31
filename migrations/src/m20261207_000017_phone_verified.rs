//! Accounts record when their phone number was proved by a one-time code (issue 22): at
//! sign-up by phone, on a phone change, or by a password reset through the phone. Existing
//! accounts start unverified, since nothing tells which of them proved their number (those
//! made before issue 20 never did); their owners verify by changing to the same number.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    PhoneVerifiedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(timestamp_with_time_zone_null(Accounts::PhoneVerifiedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(Accounts::PhoneVerifiedAt)
                    .to_owned(),
            )
            .await
    }
}
