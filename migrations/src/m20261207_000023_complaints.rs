//! Complaints (issue 25): anyone signed in complains about a posting, a business, a
//! conversation message or a gig shift; the officers of the business's district answer it
//! by an acknowledgement deadline and close it by a closing deadline, or it escalates.
//!
//! - `complaints`: `complainant_id` null for the platform's own (automatic) complaints;
//!   `business_id` and `district_id` copied when filed; `status` `open` → `acknowledged` →
//!   `closed` with an `outcome` (`upheld` + `action`, or `not_upheld`); each deadline
//!   escalates once (`ack_escalated_at`, `close_escalated_at`). `auto_key` is unique, so an
//!   automatic complaint is raised once however often the job runs.
//! - `complaint_events`: each step, shown to the complainant.
//! - `complaint_media`: the complainant's photos (stored like 随手拍 photos).
//! - `shift_claims.compensation_fen`: what a merchant owes a worker for cancelling a
//!   claimed shift late; set once, by the cancelling transaction.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Complaints {
    Table,
    Id,
    ComplainantId,
    SubjectKind,
    SubjectId,
    Seq,
    BusinessId,
    DistrictId,
    Reason,
    Text,
    Status,
    AutoKey,
    AckDueAt,
    CloseDueAt,
    AcknowledgedAt,
    AcknowledgedBy,
    AckEscalatedAt,
    CloseEscalatedAt,
    Outcome,
    Action,
    OutcomeNote,
    ClosedAt,
    ClosedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ComplaintEvents {
    Table,
    Id,
    ComplaintId,
    Kind,
    ActorId,
    Note,
    At,
}

#[derive(DeriveIden)]
enum ComplaintMedia {
    Table,
    Id,
    ComplaintId,
    ContentType,
    SizeBytes,
    StorageKey,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ShiftClaims {
    Table,
    CompensationFen,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Complaints::Table)
                    .col(pk_uuid(Complaints::Id))
                    .col(uuid_null(Complaints::ComplainantId))
                    .col(string_len(Complaints::SubjectKind, 16))
                    .col(uuid(Complaints::SubjectId))
                    .col(integer_null(Complaints::Seq))
                    .col(uuid(Complaints::BusinessId))
                    .col(uuid_null(Complaints::DistrictId))
                    .col(string_len(Complaints::Reason, 32))
                    .col(text(Complaints::Text))
                    .col(string_len(Complaints::Status, 16))
                    .col(string_len_null(Complaints::AutoKey, 120))
                    .col(timestamp_with_time_zone(Complaints::AckDueAt))
                    .col(timestamp_with_time_zone(Complaints::CloseDueAt))
                    .col(timestamp_with_time_zone_null(Complaints::AcknowledgedAt))
                    .col(uuid_null(Complaints::AcknowledgedBy))
                    .col(timestamp_with_time_zone_null(Complaints::AckEscalatedAt))
                    .col(timestamp_with_time_zone_null(Complaints::CloseEscalatedAt))
                    .col(string_len_null(Complaints::Outcome, 16))
                    .col(string_len_null(Complaints::Action, 32))
                    .col(text_null(Complaints::OutcomeNote))
                    .col(timestamp_with_time_zone_null(Complaints::ClosedAt))
                    .col(uuid_null(Complaints::ClosedBy))
                    .col(timestamp_with_time_zone(Complaints::CreatedAt))
                    .col(timestamp_with_time_zone(Complaints::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_complaints_auto_key")
                    .table(Complaints::Table)
                    .col(Complaints::AutoKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_complaints_queue")
                    .table(Complaints::Table)
                    .col(Complaints::Status)
                    .col(Complaints::DistrictId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_complaints_business")
                    .table(Complaints::Table)
                    .col(Complaints::BusinessId)
                    .col(Complaints::Outcome)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_complaints_complainant")
                    .table(Complaints::Table)
                    .col(Complaints::ComplainantId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ComplaintEvents::Table)
                    .col(pk_uuid(ComplaintEvents::Id))
                    .col(uuid(ComplaintEvents::ComplaintId))
                    .col(string_len(ComplaintEvents::Kind, 32))
                    .col(uuid_null(ComplaintEvents::ActorId))
                    .col(text(ComplaintEvents::Note))
                    .col(timestamp_with_time_zone(ComplaintEvents::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_complaint_events_complaint")
                    .table(ComplaintEvents::Table)
                    .col(ComplaintEvents::ComplaintId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ComplaintMedia::Table)
                    .col(pk_uuid(ComplaintMedia::Id))
                    .col(uuid(ComplaintMedia::ComplaintId))
                    .col(string_len(ComplaintMedia::ContentType, 64))
                    .col(big_integer(ComplaintMedia::SizeBytes))
                    .col(string_len(ComplaintMedia::StorageKey, 200))
                    .col(uuid_null(ComplaintMedia::UploadedBy))
                    .col(timestamp_with_time_zone(ComplaintMedia::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_complaint_media_complaint")
                    .table(ComplaintMedia::Table)
                    .col(ComplaintMedia::ComplaintId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ShiftClaims::Table)
                    .add_column(big_integer_null(ShiftClaims::CompensationFen))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ShiftClaims::Table)
                    .drop_column(ShiftClaims::CompensationFen)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ComplaintMedia::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ComplaintEvents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Complaints::Table).to_owned())
            .await?;
        Ok(())
    }
}
