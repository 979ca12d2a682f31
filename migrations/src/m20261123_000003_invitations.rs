//! Invitations: a merchant invites a seeker whose public profile fits to apply. Accepting is
//! the seeker's consent to share contact details with that business.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    PostingId,
    BusinessId,
    SeekerId,
    InvitedBy,
    Message,
    Status,
    CreatedAt,
    RespondedAt,
}

#[derive(DeriveIden)]
enum Postings {
    Table,
    Id,
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
                    .table(Invitations::Table)
                    .col(pk_uuid(Invitations::Id))
                    .col(uuid(Invitations::PostingId))
                    .col(uuid(Invitations::BusinessId))
                    .col(uuid(Invitations::SeekerId))
                    .col(uuid(Invitations::InvitedBy))
                    .col(text(Invitations::Message))
                    .col(string_len(Invitations::Status, 16))
                    .col(timestamp_with_time_zone(Invitations::CreatedAt))
                    .col(timestamp_with_time_zone_null(Invitations::RespondedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invitations_posting")
                            .from(Invitations::Table, Invitations::PostingId)
                            .to(Postings::Table, Postings::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invitations_seeker")
                            .from(Invitations::Table, Invitations::SeekerId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_invitations_posting_seeker")
                    .table(Invitations::Table)
                    .col(Invitations::PostingId)
                    .col(Invitations::SeekerId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_invitations_seeker")
                    .table(Invitations::Table)
                    .col(Invitations::SeekerId)
                    .col(Invitations::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Invitations::Table).to_owned())
            .await
    }
}
