//! Job fairs (就业供需见面会): the fair, its booths and the postings they bring, seekers'
//! registrations (with the waiting list and check-in), the planned visits (routes), what
//! happened at each booth, and applications made there.
//!
//! Capacity is decided in the database: `fairs.registered_count` and
//! `fairs.approved_booths` move by conditional updates, and unique indexes keep one
//! registration per seeker, one booth per business, one booth number per fair, one planned
//! visit per seeker and slot and per seeker and booth, and one visit record per booth and
//! seeker.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

// The marketplace's helpers for foreign keys and indexes.
use crate::m20261123_000002_marketplace::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Fairs {
    Table,
    Id,
    Title,
    Description,
    Mall,
    Hall,
    Address,
    Lat,
    Lon,
    StartsAt,
    SlotMinutes,
    SlotCount,
    BoothCount,
    SeekerCapacity,
    VisitsPerSeeker,
    RegistrationDeadline,
    Status,
    RegisteredCount,
    ApprovedBooths,
    SigningKey,
    CancelReason,
    PlanVersion,
    PlannedAt,
    PlanSummary,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FairBooths {
    Table,
    Id,
    FairId,
    BusinessId,
    Number,
    Status,
    CapacityPerSlot,
    RejectionReason,
    RequestedBy,
    ReviewedBy,
    ReviewedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FairBoothPostings {
    Table,
    BoothId,
    PostingId,
}

#[derive(DeriveIden)]
enum FairRegistrations {
    Table,
    Id,
    FairId,
    SeekerId,
    Status,
    Slots,
    WalkIn,
    QueuedAt,
    CheckedInAt,
    CheckedInBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FairVisits {
    Table,
    Id,
    FairId,
    RegistrationId,
    SeekerId,
    BoothId,
    PostingId,
    Slot,
    Score,
    Explanation,
    PlanVersion,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FairBoothVisits {
    Table,
    Id,
    FairId,
    BoothId,
    SeekerId,
    RegistrationId,
    ScannedAt,
    Outcome,
    PostingId,
    OutcomeAt,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FairApplications {
    Table,
    ApplicationId,
    FairId,
    BoothId,
    PostingId,
    SeekerId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Businesses {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Postings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};

        manager
            .create_table(
                Table::create()
                    .table(Fairs::Table)
                    .col(pk_uuid(Fairs::Id))
                    .col(string_len(Fairs::Title, 200))
                    .col(text(Fairs::Description))
                    .col(string_len(Fairs::Mall, 200))
                    .col(string_len(Fairs::Hall, 200))
                    .col(string_len(Fairs::Address, 400))
                    .col(double(Fairs::Lat))
                    .col(double(Fairs::Lon))
                    .col(timestamp_with_time_zone(Fairs::StartsAt))
                    .col(integer(Fairs::SlotMinutes))
                    .col(integer(Fairs::SlotCount))
                    .col(integer(Fairs::BoothCount))
                    .col(integer(Fairs::SeekerCapacity))
                    .col(integer(Fairs::VisitsPerSeeker))
                    .col(timestamp_with_time_zone(Fairs::RegistrationDeadline))
                    .col(string_len(Fairs::Status, 16))
                    .col(integer(Fairs::RegisteredCount).default(0))
                    .col(integer(Fairs::ApprovedBooths).default(0))
                    .col(string_len(Fairs::SigningKey, 64))
                    .col(text_null(Fairs::CancelReason))
                    .col(integer(Fairs::PlanVersion).default(0))
                    .col(timestamp_with_time_zone_null(Fairs::PlannedAt))
                    .col(json_binary_null(Fairs::PlanSummary))
                    .col(uuid(Fairs::CreatedBy))
                    .col(timestamp_with_time_zone(Fairs::CreatedAt))
                    .col(timestamp_with_time_zone(Fairs::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_fairs_created_by",
                        (Fairs::Table, Fairs::CreatedBy),
                        (Accounts::Table, Accounts::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_fairs_starts",
            Fairs::Table,
            vec![Fairs::StartsAt.into_iden(), Fairs::Id.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(FairBooths::Table)
                    .col(pk_uuid(FairBooths::Id))
                    .col(uuid(FairBooths::FairId))
                    .col(uuid(FairBooths::BusinessId))
                    .col(integer_null(FairBooths::Number))
                    .col(string_len(FairBooths::Status, 16))
                    .col(integer(FairBooths::CapacityPerSlot))
                    .col(text_null(FairBooths::RejectionReason))
                    .col(uuid(FairBooths::RequestedBy))
                    .col(uuid_null(FairBooths::ReviewedBy))
                    .col(timestamp_with_time_zone_null(FairBooths::ReviewedAt))
                    .col(timestamp_with_time_zone(FairBooths::CreatedAt))
                    .col(timestamp_with_time_zone(FairBooths::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_fair_booths_fair",
                        (FairBooths::Table, FairBooths::FairId),
                        (Fairs::Table, Fairs::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_fair_booths_business",
                        (FairBooths::Table, FairBooths::BusinessId),
                        (Businesses::Table, Businesses::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_fair_booths_business",
            FairBooths::Table,
            vec![
                FairBooths::FairId.into_iden(),
                FairBooths::BusinessId.into_iden(),
            ],
            true,
        )
        .await?;
        // NULL numbers (booths not approved) are distinct on both databases.
        index(
            manager,
            "uq_fair_booths_number",
            FairBooths::Table,
            vec![
                FairBooths::FairId.into_iden(),
                FairBooths::Number.into_iden(),
            ],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(FairBoothPostings::Table)
                    .col(uuid(FairBoothPostings::BoothId))
                    .col(uuid(FairBoothPostings::PostingId))
                    .primary_key(
                        Index::create()
                            .col(FairBoothPostings::BoothId)
                            .col(FairBoothPostings::PostingId),
                    )
                    .foreign_key(&mut fk(
                        "fk_fair_booth_postings_booth",
                        (FairBoothPostings::Table, FairBoothPostings::BoothId),
                        (FairBooths::Table, FairBooths::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_fair_booth_postings_posting",
                        (FairBoothPostings::Table, FairBoothPostings::PostingId),
                        (Postings::Table, Postings::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FairRegistrations::Table)
                    .col(pk_uuid(FairRegistrations::Id))
                    .col(uuid(FairRegistrations::FairId))
                    .col(uuid(FairRegistrations::SeekerId))
                    .col(string_len(FairRegistrations::Status, 16))
                    .col(json_binary_null(FairRegistrations::Slots))
                    .col(boolean(FairRegistrations::WalkIn))
                    .col(timestamp_with_time_zone(FairRegistrations::QueuedAt))
                    .col(timestamp_with_time_zone_null(
                        FairRegistrations::CheckedInAt,
                    ))
                    .col(uuid_null(FairRegistrations::CheckedInBy))
                    .col(timestamp_with_time_zone(FairRegistrations::CreatedAt))
                    .col(timestamp_with_time_zone(FairRegistrations::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_fair_registrations_fair",
                        (FairRegistrations::Table, FairRegistrations::FairId),
                        (Fairs::Table, Fairs::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_fair_registrations_seeker",
                        (FairRegistrations::Table, FairRegistrations::SeekerId),
                        (Accounts::Table, Accounts::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_fair_registrations_seeker",
            FairRegistrations::Table,
            vec![
                FairRegistrations::FairId.into_iden(),
                FairRegistrations::SeekerId.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_fair_registrations_queue",
            FairRegistrations::Table,
            vec![
                FairRegistrations::FairId.into_iden(),
                FairRegistrations::Status.into_iden(),
                FairRegistrations::QueuedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_fair_registrations_by_seeker",
            FairRegistrations::Table,
            vec![
                FairRegistrations::SeekerId.into_iden(),
                FairRegistrations::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(FairVisits::Table)
                    .col(pk_uuid(FairVisits::Id))
                    .col(uuid(FairVisits::FairId))
                    .col(uuid(FairVisits::RegistrationId))
                    .col(uuid(FairVisits::SeekerId))
                    .col(uuid(FairVisits::BoothId))
                    .col(uuid(FairVisits::PostingId))
                    .col(integer(FairVisits::Slot))
                    .col(double(FairVisits::Score))
                    .col(string_len(FairVisits::Explanation, 400))
                    .col(integer(FairVisits::PlanVersion))
                    .col(timestamp_with_time_zone(FairVisits::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_fair_visits_fair",
                        (FairVisits::Table, FairVisits::FairId),
                        (Fairs::Table, Fairs::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_fair_visits_registration",
                        (FairVisits::Table, FairVisits::RegistrationId),
                        (FairRegistrations::Table, FairRegistrations::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_fair_visits_booth",
                        (FairVisits::Table, FairVisits::BoothId),
                        (FairBooths::Table, FairBooths::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // Two of the plan's rules, kept by the database as well as the planner.
        index(
            manager,
            "uq_fair_visits_seeker_slot",
            FairVisits::Table,
            vec![
                FairVisits::FairId.into_iden(),
                FairVisits::SeekerId.into_iden(),
                FairVisits::Slot.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "uq_fair_visits_seeker_booth",
            FairVisits::Table,
            vec![
                FairVisits::FairId.into_iden(),
                FairVisits::SeekerId.into_iden(),
                FairVisits::BoothId.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_fair_visits_booth",
            FairVisits::Table,
            vec![
                FairVisits::BoothId.into_iden(),
                FairVisits::Slot.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(FairBoothVisits::Table)
                    .col(pk_uuid(FairBoothVisits::Id))
                    .col(uuid(FairBoothVisits::FairId))
                    .col(uuid(FairBoothVisits::BoothId))
                    .col(uuid(FairBoothVisits::SeekerId))
                    .col(uuid(FairBoothVisits::RegistrationId))
                    .col(timestamp_with_time_zone_null(FairBoothVisits::ScannedAt))
                    .col(string_len_null(FairBoothVisits::Outcome, 16))
                    .col(uuid_null(FairBoothVisits::PostingId))
                    .col(timestamp_with_time_zone_null(FairBoothVisits::OutcomeAt))
                    .col(uuid_null(FairBoothVisits::RecordedBy))
                    .col(timestamp_with_time_zone(FairBoothVisits::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_fair_booth_visits_fair",
                        (FairBoothVisits::Table, FairBoothVisits::FairId),
                        (Fairs::Table, Fairs::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_fair_booth_visits_booth",
                        (FairBoothVisits::Table, FairBoothVisits::BoothId),
                        (FairBooths::Table, FairBooths::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_fair_booth_visits_registration",
                        (FairBoothVisits::Table, FairBoothVisits::RegistrationId),
                        (FairRegistrations::Table, FairRegistrations::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_fair_booth_visits_seeker",
            FairBoothVisits::Table,
            vec![
                FairBoothVisits::BoothId.into_iden(),
                FairBoothVisits::SeekerId.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_fair_booth_visits_fair",
            FairBoothVisits::Table,
            vec![FairBoothVisits::FairId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(FairApplications::Table)
                    .col(uuid(FairApplications::ApplicationId).primary_key())
                    .col(uuid(FairApplications::FairId))
                    .col(uuid(FairApplications::BoothId))
                    .col(uuid(FairApplications::PostingId))
                    .col(uuid(FairApplications::SeekerId))
                    .col(timestamp_with_time_zone(FairApplications::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_fair_applications_application",
                        (FairApplications::Table, FairApplications::ApplicationId),
                        (Applications::Table, Applications::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_fair_applications_fair",
                        (FairApplications::Table, FairApplications::FairId),
                        (Fairs::Table, Fairs::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_fair_applications_booth",
                        (FairApplications::Table, FairApplications::BoothId),
                        (FairBooths::Table, FairBooths::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_fair_applications_fair",
            FairApplications::Table,
            vec![FairApplications::FairId.into_iden()],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            FairApplications::Table.into_iden(),
            FairBoothVisits::Table.into_iden(),
            FairVisits::Table.into_iden(),
            FairRegistrations::Table.into_iden(),
            FairBoothPostings::Table.into_iden(),
            FairBooths::Table.into_iden(),
            Fairs::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
