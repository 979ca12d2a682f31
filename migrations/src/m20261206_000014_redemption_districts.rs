//! Redemptions are placed in a district (issue 20): the one of the worker's home, so only
//! that district's officers (and admins) hand a reward over or cancel it with a refund.
//! Existing redemptions take their worker's current home district.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::m20261123_000002_marketplace::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Redemptions {
    Table,
    AccountId,
    DistrictId,
}

#[derive(DeriveIden)]
enum SeekerProfiles {
    Table,
    AccountId,
    DistrictId,
}

const INDEX: &str = "idx_redemptions_district";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Redemptions::Table)
                    .add_column(uuid_null(Redemptions::DistrictId))
                    .to_owned(),
            )
            .await?;
        let home = Query::select()
            .column((SeekerProfiles::Table, SeekerProfiles::DistrictId))
            .from(SeekerProfiles::Table)
            .and_where(
                Expr::col((SeekerProfiles::Table, SeekerProfiles::AccountId))
                    .equals((Redemptions::Table, Redemptions::AccountId)),
            )
            .to_owned();
        manager
            .exec_stmt(
                Query::update()
                    .table(Redemptions::Table)
                    .value(
                        Redemptions::DistrictId,
                        Expr::SubQuery(None, Box::new(home.into_sub_query_statement())),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            INDEX,
            Redemptions::Table,
            vec![Redemptions::DistrictId.into_iden()],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Redemptions::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Redemptions::Table)
                    .drop_column(Redemptions::DistrictId)
                    .to_owned(),
            )
            .await
    }
}
