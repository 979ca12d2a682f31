//! The gig workers' part of the community: stations (驿站) and their opening hours, training
//! sessions held there, 随手拍 reports dispatched to departments, the points ledger with its
//! rewards and redemptions, and the wish wall.

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
enum Stations {
    Table,
    Id,
    DistrictId,
    Name,
    Address,
    Lat,
    Lon,
    Amenities,
    OpeningHours,
    ContactPhone,
    Description,
    Active,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TrainingSessions {
    Table,
    Id,
    DistrictId,
    StationId,
    Venue,
    Topic,
    Category,
    Description,
    Certificate,
    StartsAt,
    EndsAt,
    Capacity,
    Registered,
    Status,
    CheckinKey,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TrainingRegistrations {
    Table,
    Id,
    SessionId,
    SeekerId,
    Status,
    CreatedAt,
    CancelledAt,
    AttendedAt,
}

#[derive(DeriveIden)]
enum Departments {
    Table,
    Id,
    DistrictId,
    Name,
    Email,
    HandlerId,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    ReporterId,
    DistrictId,
    Category,
    Text,
    Lat,
    Lon,
    Address,
    Status,
    DuplicateOf,
    Duplicates,
    DepartmentId,
    DispatchNo,
    HandlerKey,
    Deadline,
    DispatchedAt,
    DispatchedBy,
    EscalatedAt,
    ResolvedAt,
    ResolutionNote,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReportMedia {
    Table,
    Id,
    ReportId,
    Kind,
    ContentType,
    SizeBytes,
    StorageKey,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReportEvents {
    Table,
    Id,
    ReportId,
    Kind,
    ActorId,
    Note,
    At,
}

#[derive(DeriveIden)]
enum PointEntries {
    Table,
    Id,
    AccountId,
    Seq,
    Delta,
    BalanceAfter,
    Reason,
    RefId,
    Note,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Rewards {
    Table,
    Id,
    DistrictId,
    Name,
    Description,
    Cost,
    Stock,
    Active,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Redemptions {
    Table,
    Id,
    RewardId,
    AccountId,
    Cost,
    Status,
    CreatedAt,
    FulfilledAt,
    FulfilledBy,
}

#[derive(DeriveIden)]
enum Wishes {
    Table,
    Id,
    DistrictId,
    AuthorId,
    Category,
    Text,
    Status,
    Response,
    RespondedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MailQueue {
    Table,
    Id,
    ToAddress,
    Subject,
    TextBody,
    HtmlBody,
    MessageId,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LastError,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict, SetNull};

        manager
            .create_table(
                Table::create()
                    .table(Stations::Table)
                    .col(pk_uuid(Stations::Id))
                    .col(uuid_null(Stations::DistrictId))
                    .col(string_len(Stations::Name, 200))
                    .col(string_len(Stations::Address, 400))
                    .col(double(Stations::Lat))
                    .col(double(Stations::Lon))
                    .col(json_binary(Stations::Amenities))
                    .col(json_binary(Stations::OpeningHours))
                    .col(string_len_null(Stations::ContactPhone, 16))
                    .col(text(Stations::Description))
                    .col(boolean(Stations::Active))
                    .col(uuid(Stations::CreatedBy))
                    .col(timestamp_with_time_zone(Stations::CreatedAt))
                    .col(timestamp_with_time_zone(Stations::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // "Near a point" reads a latitude band first, then measures exactly.
        index(
            manager,
            "idx_stations_lat",
            Stations::Table,
            vec![Stations::Lat.into_iden(), Stations::Lon.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_stations_district",
            Stations::Table,
            vec![Stations::DistrictId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(TrainingSessions::Table)
                    .col(pk_uuid(TrainingSessions::Id))
                    .col(uuid_null(TrainingSessions::DistrictId))
                    .col(uuid_null(TrainingSessions::StationId))
                    .col(string_len(TrainingSessions::Venue, 400))
                    .col(string_len(TrainingSessions::Topic, 200))
                    .col(string_len(TrainingSessions::Category, 16))
                    .col(text(TrainingSessions::Description))
                    .col(string_len_null(TrainingSessions::Certificate, 80))
                    .col(timestamp_with_time_zone(TrainingSessions::StartsAt))
                    .col(timestamp_with_time_zone(TrainingSessions::EndsAt))
                    .col(integer(TrainingSessions::Capacity))
                    .col(integer(TrainingSessions::Registered))
                    .col(string_len(TrainingSessions::Status, 16))
                    .col(string_len(TrainingSessions::CheckinKey, 64))
                    .col(uuid(TrainingSessions::CreatedBy))
                    .col(timestamp_with_time_zone(TrainingSessions::CreatedAt))
                    .col(timestamp_with_time_zone(TrainingSessions::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_training_sessions_station",
                        (TrainingSessions::Table, TrainingSessions::StationId),
                        (Stations::Table, Stations::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_training_sessions_starts",
            TrainingSessions::Table,
            vec![
                TrainingSessions::StartsAt.into_iden(),
                TrainingSessions::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(TrainingRegistrations::Table)
                    .col(pk_uuid(TrainingRegistrations::Id))
                    .col(uuid(TrainingRegistrations::SessionId))
                    .col(uuid(TrainingRegistrations::SeekerId))
                    .col(string_len(TrainingRegistrations::Status, 16))
                    .col(timestamp_with_time_zone(TrainingRegistrations::CreatedAt))
                    .col(timestamp_with_time_zone_null(
                        TrainingRegistrations::CancelledAt,
                    ))
                    .col(timestamp_with_time_zone_null(
                        TrainingRegistrations::AttendedAt,
                    ))
                    .foreign_key(&mut fk(
                        "fk_training_registrations_session",
                        (
                            TrainingRegistrations::Table,
                            TrainingRegistrations::SessionId,
                        ),
                        (TrainingSessions::Table, TrainingSessions::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_training_registrations_seeker",
                        (
                            TrainingRegistrations::Table,
                            TrainingRegistrations::SeekerId,
                        ),
                        (Accounts::Table, Accounts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // One registration row per seeker and session: a double tap cannot take two seats.
        index(
            manager,
            "uq_training_registrations_session_seeker",
            TrainingRegistrations::Table,
            vec![
                TrainingRegistrations::SessionId.into_iden(),
                TrainingRegistrations::SeekerId.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_training_registrations_seeker",
            TrainingRegistrations::Table,
            vec![TrainingRegistrations::SeekerId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Departments::Table)
                    .col(pk_uuid(Departments::Id))
                    .col(uuid_null(Departments::DistrictId))
                    .col(string_len(Departments::Name, 200))
                    .col(string_len_null(Departments::Email, 254))
                    .col(uuid_null(Departments::HandlerId))
                    .col(uuid(Departments::CreatedBy))
                    .col(timestamp_with_time_zone(Departments::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_departments_handler",
                        (Departments::Table, Departments::HandlerId),
                        (Accounts::Table, Accounts::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Reports::Table)
                    .col(pk_uuid(Reports::Id))
                    .col(uuid_null(Reports::ReporterId))
                    .col(uuid_null(Reports::DistrictId))
                    .col(string_len(Reports::Category, 16))
                    .col(text(Reports::Text))
                    .col(double(Reports::Lat))
                    .col(double(Reports::Lon))
                    .col(string_len(Reports::Address, 400))
                    .col(string_len(Reports::Status, 16))
                    .col(uuid_null(Reports::DuplicateOf))
                    .col(integer(Reports::Duplicates))
                    .col(uuid_null(Reports::DepartmentId))
                    .col(integer(Reports::DispatchNo))
                    .col(string_len_null(Reports::HandlerKey, 64))
                    .col(timestamp_with_time_zone_null(Reports::Deadline))
                    .col(timestamp_with_time_zone_null(Reports::DispatchedAt))
                    .col(uuid_null(Reports::DispatchedBy))
                    .col(timestamp_with_time_zone_null(Reports::EscalatedAt))
                    .col(timestamp_with_time_zone_null(Reports::ResolvedAt))
                    .col(text_null(Reports::ResolutionNote))
                    .col(timestamp_with_time_zone(Reports::CreatedAt))
                    .col(timestamp_with_time_zone(Reports::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_reports_reporter",
                        (Reports::Table, Reports::ReporterId),
                        (Accounts::Table, Accounts::Id),
                        SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_reports_duplicate_of",
                        (Reports::Table, Reports::DuplicateOf),
                        (Reports::Table, Reports::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_reports_department",
                        (Reports::Table, Reports::DepartmentId),
                        (Departments::Table, Departments::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // Escalation reads dispatched reports past their deadline.
        index(
            manager,
            "idx_reports_status_deadline",
            Reports::Table,
            vec![Reports::Status.into_iden(), Reports::Deadline.into_iden()],
            false,
        )
        .await?;
        // Duplicate linking reads one category's reports of the last day.
        index(
            manager,
            "idx_reports_category_created",
            Reports::Table,
            vec![
                Reports::Category.into_iden(),
                Reports::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_reports_reporter",
            Reports::Table,
            vec![Reports::ReporterId.into_iden(), Reports::Id.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_reports_district_status",
            Reports::Table,
            vec![
                Reports::DistrictId.into_iden(),
                Reports::Status.into_iden(),
                Reports::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReportMedia::Table)
                    .col(pk_uuid(ReportMedia::Id))
                    .col(uuid(ReportMedia::ReportId))
                    .col(string_len(ReportMedia::Kind, 16))
                    .col(string_len(ReportMedia::ContentType, 32))
                    .col(big_integer(ReportMedia::SizeBytes))
                    .col(string_len(ReportMedia::StorageKey, 200))
                    .col(uuid_null(ReportMedia::UploadedBy))
                    .col(timestamp_with_time_zone(ReportMedia::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_report_media_report",
                        (ReportMedia::Table, ReportMedia::ReportId),
                        (Reports::Table, Reports::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_report_media_report",
            ReportMedia::Table,
            vec![ReportMedia::ReportId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReportEvents::Table)
                    .col(pk_uuid(ReportEvents::Id))
                    .col(uuid(ReportEvents::ReportId))
                    .col(string_len(ReportEvents::Kind, 24))
                    .col(uuid_null(ReportEvents::ActorId))
                    .col(text(ReportEvents::Note))
                    .col(timestamp_with_time_zone(ReportEvents::At))
                    .foreign_key(&mut fk(
                        "fk_report_events_report",
                        (ReportEvents::Table, ReportEvents::ReportId),
                        (Reports::Table, Reports::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_report_events_report",
            ReportEvents::Table,
            vec![
                ReportEvents::ReportId.into_iden(),
                ReportEvents::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(PointEntries::Table)
                    .col(pk_uuid(PointEntries::Id))
                    .col(uuid(PointEntries::AccountId))
                    .col(integer(PointEntries::Seq))
                    .col(integer(PointEntries::Delta))
                    .col(integer(PointEntries::BalanceAfter))
                    .col(string_len(PointEntries::Reason, 24))
                    .col(uuid_null(PointEntries::RefId))
                    .col(string_len(PointEntries::Note, 400))
                    .col(timestamp_with_time_zone(PointEntries::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_point_entries_account",
                        (PointEntries::Table, PointEntries::AccountId),
                        (Accounts::Table, Accounts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // The ledger is a chain per account: entry n+1 is written only on top of entry n,
        // so two concurrent spends cannot both read the same balance and both commit.
        index(
            manager,
            "uq_point_entries_account_seq",
            PointEntries::Table,
            vec![
                PointEntries::AccountId.into_iden(),
                PointEntries::Seq.into_iden(),
            ],
            true,
        )
        .await?;
        // One award per reason and thing (a report verified twice earns once).
        index(
            manager,
            "uq_point_entries_account_reason_ref",
            PointEntries::Table,
            vec![
                PointEntries::AccountId.into_iden(),
                PointEntries::Reason.into_iden(),
                PointEntries::RefId.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_point_entries_created",
            PointEntries::Table,
            vec![PointEntries::CreatedAt.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Rewards::Table)
                    .col(pk_uuid(Rewards::Id))
                    .col(uuid_null(Rewards::DistrictId))
                    .col(string_len(Rewards::Name, 200))
                    .col(text(Rewards::Description))
                    .col(integer(Rewards::Cost))
                    .col(integer_null(Rewards::Stock))
                    .col(boolean(Rewards::Active))
                    .col(uuid(Rewards::CreatedBy))
                    .col(timestamp_with_time_zone(Rewards::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Redemptions::Table)
                    .col(pk_uuid(Redemptions::Id))
                    .col(uuid(Redemptions::RewardId))
                    .col(uuid(Redemptions::AccountId))
                    .col(integer(Redemptions::Cost))
                    .col(string_len(Redemptions::Status, 16))
                    .col(timestamp_with_time_zone(Redemptions::CreatedAt))
                    .col(timestamp_with_time_zone_null(Redemptions::FulfilledAt))
                    .col(uuid_null(Redemptions::FulfilledBy))
                    .foreign_key(&mut fk(
                        "fk_redemptions_reward",
                        (Redemptions::Table, Redemptions::RewardId),
                        (Rewards::Table, Rewards::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_redemptions_account",
                        (Redemptions::Table, Redemptions::AccountId),
                        (Accounts::Table, Accounts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_redemptions_account",
            Redemptions::Table,
            vec![
                Redemptions::AccountId.into_iden(),
                Redemptions::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Wishes::Table)
                    .col(pk_uuid(Wishes::Id))
                    .col(uuid_null(Wishes::DistrictId))
                    .col(uuid_null(Wishes::AuthorId))
                    .col(string_len(Wishes::Category, 16))
                    .col(text(Wishes::Text))
                    .col(string_len(Wishes::Status, 16))
                    .col(text_null(Wishes::Response))
                    .col(uuid_null(Wishes::RespondedBy))
                    .col(timestamp_with_time_zone(Wishes::CreatedAt))
                    .col(timestamp_with_time_zone(Wishes::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_wishes_author",
                        (Wishes::Table, Wishes::AuthorId),
                        (Accounts::Table, Accounts::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // Transactional mail (a department's dispatch link, reminders): written in the
        // transaction that makes it necessary, sent by the worker like pushes.
        manager
            .create_table(
                Table::create()
                    .table(MailQueue::Table)
                    .col(pk_uuid(MailQueue::Id))
                    .col(string_len(MailQueue::ToAddress, 254))
                    .col(string_len(MailQueue::Subject, 400))
                    .col(text(MailQueue::TextBody))
                    .col(text(MailQueue::HtmlBody))
                    .col(string_len(MailQueue::MessageId, 200))
                    .col(string_len(MailQueue::Status, 16))
                    .col(integer(MailQueue::Attempts))
                    .col(timestamp_with_time_zone(MailQueue::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(MailQueue::LeaseUntil))
                    .col(text_null(MailQueue::LastError))
                    .col(timestamp_with_time_zone(MailQueue::CreatedAt))
                    .col(timestamp_with_time_zone_null(MailQueue::SentAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_mail_queue_message_id",
            MailQueue::Table,
            vec![MailQueue::MessageId.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "idx_mail_queue_due",
            MailQueue::Table,
            vec![
                MailQueue::Status.into_iden(),
                MailQueue::NextAttemptAt.into_iden(),
            ],
            false,
        )
        .await?;

        index(
            manager,
            "idx_wishes_district_status",
            Wishes::Table,
            vec![
                Wishes::DistrictId.into_iden(),
                Wishes::Status.into_iden(),
                Wishes::Id.into_iden(),
            ],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MailQueue::Table.into_iden(),
            Wishes::Table.into_iden(),
            Redemptions::Table.into_iden(),
            Rewards::Table.into_iden(),
            PointEntries::Table.into_iden(),
            ReportEvents::Table.into_iden(),
            ReportMedia::Table.into_iden(),
            Reports::Table.into_iden(),
            Departments::Table.into_iden(),
            TrainingRegistrations::Table.into_iden(),
            TrainingSessions::Table.into_iden(),
            Stations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
