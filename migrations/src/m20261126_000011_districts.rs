//! Officer services: districts and the officers assigned to them, the district every
//! placed thing belongs to, service records on seekers' files, and what the retention job
//! and the district figures need (a graduation year kept on applications, indexes that
//! let the figures be answered from indexes).
//!
//! Runs before 000012 on a fresh database; the community tables of 000012 carry their own
//! `district_id` columns.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::m20261123_000002_marketplace::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Districts {
    Table,
    Id,
    Name,
    CenterLat,
    CenterLon,
    Boundary,
    AreaM2,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DistrictOfficers {
    Table,
    DistrictId,
    OfficerId,
    AssignedBy,
    AssignedAt,
}

#[derive(DeriveIden)]
enum ServiceRecords {
    Table,
    Id,
    SeekerId,
    OfficerId,
    DistrictId,
    Kind,
    Notes,
    Outcome,
    FollowUpDue,
    FollowUpDoneAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Businesses {
    Table,
    DistrictId,
    Status,
}

#[derive(DeriveIden)]
enum SeekerProfiles {
    Table,
    DistrictId,
}

#[derive(DeriveIden)]
enum Postings {
    Table,
    DistrictId,
    Status,
    Category,
    PublishedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    DistrictId,
    GraduationYear,
    AnonymisedAt,
    Status,
    UpdatedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Fairs {
    Table,
    DistrictId,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
}

async fn add_district_column(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(table)
                .add_column(uuid_null(column))
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};

        manager
            .create_table(
                Table::create()
                    .table(Districts::Table)
                    .col(pk_uuid(Districts::Id))
                    .col(string_len_uniq(Districts::Name, 100))
                    .col(double(Districts::CenterLat))
                    .col(double(Districts::CenterLon))
                    // The boundary ring as JSON `[[lat, lon], …]`; placement reads it in Rust.
                    .col(json_binary(Districts::Boundary))
                    .col(double(Districts::AreaM2))
                    .col(uuid(Districts::CreatedBy))
                    .col(timestamp_with_time_zone(Districts::CreatedAt))
                    .col(timestamp_with_time_zone(Districts::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_districts_created_by",
                        (Districts::Table, Districts::CreatedBy),
                        (Accounts::Table, Accounts::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DistrictOfficers::Table)
                    .col(uuid(DistrictOfficers::DistrictId))
                    .col(uuid(DistrictOfficers::OfficerId))
                    .col(uuid(DistrictOfficers::AssignedBy))
                    .col(timestamp_with_time_zone(DistrictOfficers::AssignedAt))
                    .primary_key(
                        Index::create()
                            .col(DistrictOfficers::DistrictId)
                            .col(DistrictOfficers::OfficerId),
                    )
                    .foreign_key(&mut fk(
                        "fk_district_officers_district",
                        (DistrictOfficers::Table, DistrictOfficers::DistrictId),
                        (Districts::Table, Districts::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_district_officers_officer",
                        (DistrictOfficers::Table, DistrictOfficers::OfficerId),
                        (Accounts::Table, Accounts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_district_officers_officer",
            DistrictOfficers::Table,
            vec![DistrictOfficers::OfficerId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ServiceRecords::Table)
                    .col(pk_uuid(ServiceRecords::Id))
                    .col(uuid(ServiceRecords::SeekerId))
                    .col(uuid(ServiceRecords::OfficerId))
                    .col(uuid_null(ServiceRecords::DistrictId))
                    .col(string_len(ServiceRecords::Kind, 32))
                    .col(text(ServiceRecords::Notes))
                    .col(text_null(ServiceRecords::Outcome))
                    .col(date_null(ServiceRecords::FollowUpDue))
                    .col(timestamp_with_time_zone_null(
                        ServiceRecords::FollowUpDoneAt,
                    ))
                    .col(timestamp_with_time_zone(ServiceRecords::CreatedAt))
                    .col(timestamp_with_time_zone(ServiceRecords::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_service_records_seeker",
                        (ServiceRecords::Table, ServiceRecords::SeekerId),
                        (Accounts::Table, Accounts::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_service_records_officer",
                        (ServiceRecords::Table, ServiceRecords::OfficerId),
                        (Accounts::Table, Accounts::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_service_records_seeker",
            ServiceRecords::Table,
            vec![
                ServiceRecords::SeekerId.into_iden(),
                ServiceRecords::Id.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_service_records_follow_up",
            ServiceRecords::Table,
            vec![
                ServiceRecords::OfficerId.into_iden(),
                ServiceRecords::FollowUpDue.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_service_records_updated",
            ServiceRecords::Table,
            vec![ServiceRecords::UpdatedAt.into_iden()],
            false,
        )
        .await?;

        add_district_column(manager, Businesses::Table, Businesses::DistrictId).await?;
        add_district_column(manager, SeekerProfiles::Table, SeekerProfiles::DistrictId).await?;
        add_district_column(manager, Postings::Table, Postings::DistrictId).await?;
        add_district_column(manager, Applications::Table, Applications::DistrictId).await?;
        add_district_column(manager, Fairs::Table, Fairs::DistrictId).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Applications::Table)
                    .add_column(integer_null(Applications::GraduationYear))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Applications::Table)
                    .add_column(timestamp_with_time_zone_null(Applications::AnonymisedAt))
                    .to_owned(),
            )
            .await?;

        index(
            manager,
            "idx_businesses_district_status",
            Businesses::Table,
            vec![
                Businesses::DistrictId.into_iden(),
                Businesses::Status.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_seeker_profiles_district",
            SeekerProfiles::Table,
            vec![SeekerProfiles::DistrictId.into_iden()],
            false,
        )
        .await?;
        // The district figures: each section reads one of these as a covering index.
        index(
            manager,
            "idx_postings_district_status",
            Postings::Table,
            vec![
                Postings::DistrictId.into_iden(),
                Postings::Status.into_iden(),
                Postings::Category.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_postings_district_published",
            Postings::Table,
            vec![
                Postings::DistrictId.into_iden(),
                Postings::PublishedAt.into_iden(),
                Postings::Category.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_postings_district_closed",
            Postings::Table,
            vec![
                Postings::DistrictId.into_iden(),
                Postings::ClosedAt.into_iden(),
                Postings::Status.into_iden(),
                Postings::Category.into_iden(),
                Postings::PublishedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_applications_district_created",
            Applications::Table,
            vec![
                Applications::DistrictId.into_iden(),
                Applications::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_applications_district_status",
            Applications::Table,
            vec![
                Applications::DistrictId.into_iden(),
                Applications::Status.into_iden(),
                Applications::UpdatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_fairs_district",
            Fairs::Table,
            vec![Fairs::DistrictId.into_iden()],
            false,
        )
        .await?;
        // Audit browsing filters by actor or by action, newest first (ids are time-ordered).
        index(
            manager,
            "idx_audit_log_actor",
            AuditLog::Table,
            vec![AuditLog::ActorId.into_iden(), AuditLog::Id.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_audit_log_action",
            AuditLog::Table,
            vec![AuditLog::Action.into_iden(), AuditLog::Id.into_iden()],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            ("idx_audit_log_action", AuditLog::Table.into_iden()),
            ("idx_audit_log_actor", AuditLog::Table.into_iden()),
            ("idx_fairs_district", Fairs::Table.into_iden()),
            (
                "idx_applications_district_status",
                Applications::Table.into_iden(),
            ),
            (
                "idx_applications_district_created",
                Applications::Table.into_iden(),
            ),
            ("idx_postings_district_closed", Postings::Table.into_iden()),
            (
                "idx_postings_district_published",
                Postings::Table.into_iden(),
            ),
            ("idx_postings_district_status", Postings::Table.into_iden()),
            (
                "idx_seeker_profiles_district",
                SeekerProfiles::Table.into_iden(),
            ),
            (
                "idx_businesses_district_status",
                Businesses::Table.into_iden(),
            ),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        for (table, column) in [
            (
                Applications::Table.into_iden(),
                Applications::AnonymisedAt.into_iden(),
            ),
            (
                Applications::Table.into_iden(),
                Applications::GraduationYear.into_iden(),
            ),
            (Fairs::Table.into_iden(), Fairs::DistrictId.into_iden()),
            (
                Applications::Table.into_iden(),
                Applications::DistrictId.into_iden(),
            ),
            (
                Postings::Table.into_iden(),
                Postings::DistrictId.into_iden(),
            ),
            (
                SeekerProfiles::Table.into_iden(),
                SeekerProfiles::DistrictId.into_iden(),
            ),
            (
                Businesses::Table.into_iden(),
                Businesses::DistrictId.into_iden(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        for table in [
            ServiceRecords::Table.into_iden(),
            DistrictOfficers::Table.into_iden(),
            Districts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
