//! The marketplace: businesses and their members, postings, seeker profiles, applications
//! and their history, consents, the in-app inbox, the audit log and the transactional
//! outbox of change events.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Businesses {
    Table,
    Id,
    Name,
    Mall,
    Address,
    Lat,
    Lon,
    LicenceNumber,
    ContactPhone,
    Status,
    RejectionReason,
    ReviewedBy,
    ReviewedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BusinessMembers {
    Table,
    BusinessId,
    AccountId,
    Role,
    AddedAt,
}

#[derive(DeriveIden)]
enum Postings {
    Table,
    Id,
    BusinessId,
    CreatedBy,
    Kind,
    Status,
    Title,
    Description,
    Category,
    Skills,
    Headcount,
    PayMin,
    PayMax,
    PayUnit,
    Address,
    Lat,
    Lon,
    Schedule,
    EducationMin,
    ExperienceYearsMin,
    Requirements,
    Benefits,
    StartDate,
    ExpiresAt,
    PublishedAt,
    ClosedAt,
    CloseReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SeekerProfiles {
    Table,
    AccountId,
    FullName,
    Education,
    Major,
    GraduationYear,
    Skills,
    Experience,
    DesiredCategories,
    DesiredKinds,
    ExpectedPayMin,
    ExpectedPayUnit,
    HomeLat,
    HomeLon,
    TravelRadiusKm,
    Availability,
    Resume,
    Visibility,
    PushChannels,
    QuietHoursStart,
    QuietHoursEnd,
    DailyPushCap,
    PersonalisedMatching,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    PostingId,
    BusinessId,
    SeekerId,
    Status,
    Note,
    InterviewAt,
    InterviewPlace,
    RejectionReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApplicationEvents {
    Table,
    Id,
    ApplicationId,
    FromStatus,
    ToStatus,
    ActorId,
    Detail,
    At,
}

#[derive(DeriveIden)]
enum Consents {
    Table,
    Id,
    SeekerId,
    BusinessId,
    Via,
    ApplicationId,
    GrantedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    AccountId,
    Kind,
    Title,
    Body,
    Data,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    SubjectId,
    Action,
    ObjectType,
    ObjectId,
    Reason,
    At,
}

#[derive(DeriveIden)]
enum OutboxEvents {
    Table,
    Id,
    AggregateType,
    AggregateId,
    Kind,
    Payload,
    CreatedAt,
}

pub(crate) fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

pub(crate) async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(col);
    }
    if unique {
        stmt.unique();
    }
    manager.create_index(stmt.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};

        // An erased account keeps its row (recruitment records point at it) but loses
        // everything personal; this marks it.
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(timestamp_with_time_zone_null(Accounts::DeletedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Businesses::Table)
                    .col(pk_uuid(Businesses::Id))
                    .col(string_len(Businesses::Name, 200))
                    .col(string_len(Businesses::Mall, 200))
                    .col(string_len(Businesses::Address, 400))
                    .col(double(Businesses::Lat))
                    .col(double(Businesses::Lon))
                    .col(string_len(Businesses::LicenceNumber, 32))
                    .col(string_len(Businesses::ContactPhone, 16))
                    .col(string_len(Businesses::Status, 16))
                    .col(text_null(Businesses::RejectionReason))
                    .col(uuid_null(Businesses::ReviewedBy))
                    .col(timestamp_with_time_zone_null(Businesses::ReviewedAt))
                    .col(uuid(Businesses::CreatedBy))
                    .col(timestamp_with_time_zone(Businesses::CreatedAt))
                    .col(timestamp_with_time_zone(Businesses::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_businesses_created_by",
                        (Businesses::Table, Businesses::CreatedBy),
                        (Accounts::Table, Accounts::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_businesses_status",
            Businesses::Table,
            vec![Businesses::Status.into_iden(), Businesses::Id.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(BusinessMembers::Table)
                    .col(uuid(BusinessMembers::BusinessId))
                    .col(uuid(BusinessMembers::AccountId))
                    .col(string_len(BusinessMembers::Role, 16))
                    .col(timestamp_with_time_zone(BusinessMembers::AddedAt))
                    .primary_key(
                        Index::create()
                            .col(BusinessMembers::BusinessId)
                            .col(BusinessMembers::AccountId),
                    )
                    .foreign_key(&mut fk(
                        "fk_business_members_business",
                        (BusinessMembers::Table, BusinessMembers::BusinessId),
                        (Businesses::Table, Businesses::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_business_members_account",
                        (BusinessMembers::Table, BusinessMembers::AccountId),
                        (Accounts::Table, Accounts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_business_members_account",
            BusinessMembers::Table,
            vec![BusinessMembers::AccountId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Postings::Table)
                    .col(pk_uuid(Postings::Id))
                    .col(uuid(Postings::BusinessId))
                    .col(uuid(Postings::CreatedBy))
                    .col(string_len(Postings::Kind, 16))
                    .col(string_len(Postings::Status, 16))
                    .col(string_len(Postings::Title, 200))
                    .col(text(Postings::Description))
                    .col(string_len(Postings::Category, 32))
                    .col(json_binary(Postings::Skills))
                    .col(integer(Postings::Headcount))
                    .col(big_integer(Postings::PayMin))
                    .col(big_integer(Postings::PayMax))
                    .col(string_len(Postings::PayUnit, 8))
                    .col(string_len(Postings::Address, 400))
                    .col(double(Postings::Lat))
                    .col(double(Postings::Lon))
                    .col(json_binary(Postings::Schedule))
                    .col(string_len_null(Postings::EducationMin, 16))
                    .col(integer_null(Postings::ExperienceYearsMin))
                    .col(text(Postings::Requirements))
                    .col(json_binary(Postings::Benefits))
                    .col(date_null(Postings::StartDate))
                    .col(timestamp_with_time_zone(Postings::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Postings::PublishedAt))
                    .col(timestamp_with_time_zone_null(Postings::ClosedAt))
                    .col(string_len_null(Postings::CloseReason, 16))
                    .col(timestamp_with_time_zone(Postings::CreatedAt))
                    .col(timestamp_with_time_zone(Postings::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_postings_business",
                        (Postings::Table, Postings::BusinessId),
                        (Businesses::Table, Businesses::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_postings_business",
            Postings::Table,
            vec![Postings::BusinessId.into_iden(), Postings::Id.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_postings_status_expiry",
            Postings::Table,
            vec![
                Postings::Status.into_iden(),
                Postings::ExpiresAt.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(SeekerProfiles::Table)
                    .col(uuid(SeekerProfiles::AccountId).primary_key())
                    .col(string_len(SeekerProfiles::FullName, 200))
                    .col(string_len_null(SeekerProfiles::Education, 16))
                    .col(string_len_null(SeekerProfiles::Major, 200))
                    .col(integer_null(SeekerProfiles::GraduationYear))
                    .col(json_binary(SeekerProfiles::Skills))
                    .col(json_binary(SeekerProfiles::Experience))
                    .col(json_binary(SeekerProfiles::DesiredCategories))
                    .col(json_binary(SeekerProfiles::DesiredKinds))
                    .col(big_integer_null(SeekerProfiles::ExpectedPayMin))
                    .col(string_len_null(SeekerProfiles::ExpectedPayUnit, 8))
                    .col(double_null(SeekerProfiles::HomeLat))
                    .col(double_null(SeekerProfiles::HomeLon))
                    .col(double(SeekerProfiles::TravelRadiusKm))
                    .col(json_binary(SeekerProfiles::Availability))
                    .col(text(SeekerProfiles::Resume))
                    .col(string_len(SeekerProfiles::Visibility, 16))
                    .col(json_binary(SeekerProfiles::PushChannels))
                    .col(string_len_null(SeekerProfiles::QuietHoursStart, 5))
                    .col(string_len_null(SeekerProfiles::QuietHoursEnd, 5))
                    .col(integer(SeekerProfiles::DailyPushCap))
                    .col(boolean(SeekerProfiles::PersonalisedMatching))
                    .col(timestamp_with_time_zone(SeekerProfiles::CreatedAt))
                    .col(timestamp_with_time_zone(SeekerProfiles::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_seeker_profiles_account",
                        (SeekerProfiles::Table, SeekerProfiles::AccountId),
                        (Accounts::Table, Accounts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Applications::Table)
                    .col(pk_uuid(Applications::Id))
                    .col(uuid(Applications::PostingId))
                    .col(uuid(Applications::BusinessId))
                    .col(uuid(Applications::SeekerId))
                    .col(string_len(Applications::Status, 16))
                    .col(text(Applications::Note))
                    .col(timestamp_with_time_zone_null(Applications::InterviewAt))
                    .col(string_len_null(Applications::InterviewPlace, 400))
                    .col(text_null(Applications::RejectionReason))
                    .col(timestamp_with_time_zone(Applications::CreatedAt))
                    .col(timestamp_with_time_zone(Applications::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_applications_posting",
                        (Applications::Table, Applications::PostingId),
                        (Postings::Table, Postings::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_applications_seeker",
                        (Applications::Table, Applications::SeekerId),
                        (Accounts::Table, Accounts::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_applications_posting_seeker",
            Applications::Table,
            vec![
                Applications::PostingId.into_iden(),
                Applications::SeekerId.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_applications_seeker",
            Applications::Table,
            vec![
                Applications::SeekerId.into_iden(),
                Applications::Id.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_applications_business",
            Applications::Table,
            vec![
                Applications::BusinessId.into_iden(),
                Applications::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApplicationEvents::Table)
                    .col(pk_uuid(ApplicationEvents::Id))
                    .col(uuid(ApplicationEvents::ApplicationId))
                    .col(string_len_null(ApplicationEvents::FromStatus, 16))
                    .col(string_len(ApplicationEvents::ToStatus, 16))
                    .col(uuid(ApplicationEvents::ActorId))
                    .col(json_binary_null(ApplicationEvents::Detail))
                    .col(timestamp_with_time_zone(ApplicationEvents::At))
                    .foreign_key(&mut fk(
                        "fk_application_events_application",
                        (ApplicationEvents::Table, ApplicationEvents::ApplicationId),
                        (Applications::Table, Applications::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_application_events_application",
            ApplicationEvents::Table,
            vec![
                ApplicationEvents::ApplicationId.into_iden(),
                ApplicationEvents::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Consents::Table)
                    .col(pk_uuid(Consents::Id))
                    .col(uuid(Consents::SeekerId))
                    .col(uuid(Consents::BusinessId))
                    .col(string_len(Consents::Via, 16))
                    .col(uuid_null(Consents::ApplicationId))
                    .col(timestamp_with_time_zone(Consents::GrantedAt))
                    .foreign_key(&mut fk(
                        "fk_consents_seeker",
                        (Consents::Table, Consents::SeekerId),
                        (Accounts::Table, Accounts::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_consents_business",
                        (Consents::Table, Consents::BusinessId),
                        (Businesses::Table, Businesses::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_consents_pair",
            Consents::Table,
            vec![
                Consents::SeekerId.into_iden(),
                Consents::BusinessId.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(pk_uuid(Notifications::Id))
                    .col(uuid(Notifications::AccountId))
                    .col(string_len(Notifications::Kind, 32))
                    .col(string_len(Notifications::Title, 200))
                    .col(text(Notifications::Body))
                    .col(json_binary(Notifications::Data))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .foreign_key(&mut fk(
                        "fk_notifications_account",
                        (Notifications::Table, Notifications::AccountId),
                        (Accounts::Table, Accounts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_notifications_account",
            Notifications::Table,
            vec![
                Notifications::AccountId.into_iden(),
                Notifications::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_uuid(AuditLog::Id))
                    .col(uuid(AuditLog::ActorId))
                    .col(uuid_null(AuditLog::SubjectId))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::ObjectType, 32))
                    .col(uuid(AuditLog::ObjectId))
                    .col(text(AuditLog::Reason))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_audit_log_subject",
            AuditLog::Table,
            vec![AuditLog::SubjectId.into_iden(), AuditLog::Id.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(OutboxEvents::Table)
                    .col(big_pk_auto(OutboxEvents::Id))
                    .col(string_len(OutboxEvents::AggregateType, 32))
                    .col(uuid(OutboxEvents::AggregateId))
                    .col(string_len(OutboxEvents::Kind, 32))
                    .col(json_binary(OutboxEvents::Payload))
                    .col(timestamp_with_time_zone(OutboxEvents::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_outbox_events_aggregate",
            OutboxEvents::Table,
            vec![
                OutboxEvents::AggregateType.into_iden(),
                OutboxEvents::AggregateId.into_iden(),
            ],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OutboxEvents::Table.into_iden(),
            AuditLog::Table.into_iden(),
            Notifications::Table.into_iden(),
            Consents::Table.into_iden(),
            ApplicationEvents::Table.into_iden(),
            Applications::Table.into_iden(),
            SeekerProfiles::Table.into_iden(),
            Postings::Table.into_iden(),
            BusinessMembers::Table.into_iden(),
            Businesses::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(Accounts::DeletedAt)
                    .to_owned(),
            )
            .await
    }
}
