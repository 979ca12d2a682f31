//! What the retention job needs (issue 11, item 4).
//!
//! Anonymising an application moves it from its seeker to one placeholder account, so a
//! posting may hold several anonymised applications of that one account: the rule "one
//! application per seeker and posting" now holds for live applications only (a partial
//! unique index, as `uq_shift_claims_live`). The other indexes let each retention rule find
//! what is past its cutoff without reading whole tables.

use sea_orm_migration::prelude::*;

use crate::m20261123_000002_marketplace::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Applications {
    Table,
    PostingId,
    SeekerId,
    AnonymisedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    At,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    CreatedAt,
}

const UNIQUE: &str = "uq_applications_posting_seeker";
/// A new name, not the old one re-created: on SQLite another pooled connection may still
/// hold the schema from before the drop and refuse the old name as taken.
const LIVE: &str = "uq_applications_live";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(LIVE)
                    .table(Applications::Table)
                    .col(Applications::PostingId)
                    .col(Applications::SeekerId)
                    .unique()
                    .and_where(Expr::col(Applications::AnonymisedAt).is_null())
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(UNIQUE)
                    .table(Applications::Table)
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_applications_retention",
            Applications::Table,
            vec![
                Applications::AnonymisedAt.into_iden(),
                Applications::UpdatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_audit_log_at",
            AuditLog::Table,
            vec![AuditLog::At.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_notifications_created",
            Notifications::Table,
            vec![Notifications::CreatedAt.into_iden()],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            (
                "idx_notifications_created",
                Notifications::Table.into_iden(),
            ),
            ("idx_audit_log_at", AuditLog::Table.into_iden()),
            (
                "idx_applications_retention",
                Applications::Table.into_iden(),
            ),
            (LIVE, Applications::Table.into_iden()),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        // Fails if a posting holds several anonymised applications, as it should: the
        // full rule cannot hold again without losing records.
        index(
            manager,
            UNIQUE,
            Applications::Table,
            vec![
                Applications::PostingId.into_iden(),
                Applications::SeekerId.into_iden(),
            ],
            true,
        )
        .await
    }
}
