//! Gig shifts (零工): dated shifts of gig postings, the claims seekers make on their places,
//! check-in and out, confirmed hours, ratings both ways, merchants' favourite workers, the
//! per-business check-in secret, and the notices the scheduled jobs hold for quiet hours.
//!
//! Two rules live in the schema itself: `shifts.claimed` is only ever changed by
//! conditional updates (`claimed < places`), and a seeker has at most one live claim per
//! shift (a partial unique index over the live states), so neither an overbooked shift nor
//! a double claim can be committed, whatever runs concurrently.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum GigSettings {
    Table,
    BusinessId,
    CheckinSecret,
    GeofenceM,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GigOptions {
    Table,
    PostingId,
    BookingMode,
    CancelCutoffHours,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Shifts {
    Table,
    Id,
    PostingId,
    BusinessId,
    StartsAt,
    EndsAt,
    Places,
    Claimed,
    PayFen,
    PayUnit,
    BreakMinutes,
    Address,
    Lat,
    Lon,
    GeofenceM,
    Status,
    FavouritesUntil,
    OpenedAt,
    ChangedAt,
    CancelReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ShiftClaims {
    Table,
    Id,
    ShiftId,
    PostingId,
    BusinessId,
    SeekerId,
    Status,
    LateCancellation,
    CancelledAt,
    CancelReason,
    DecidedAt,
    PromotedAt,
    CheckedInAt,
    CheckinMethod,
    CheckinLat,
    CheckinLon,
    CheckinAccuracyM,
    LateMinutes,
    CheckedOutAt,
    CheckoutMethod,
    CodeFailures,
    HoursStatus,
    MerchantStart,
    MerchantEnd,
    BreakMinutes,
    ConfirmedBy,
    ConfirmedAt,
    SeekerStart,
    SeekerEnd,
    DisputeReason,
    DisputedAt,
    ResolvedBy,
    ResolvedAt,
    ResolutionNote,
    FinalMinutes,
    PayFen,
    RemindedDayAt,
    RemindedHourAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ShiftChanges {
    Table,
    Id,
    ShiftId,
    ActorId,
    Kind,
    Reason,
    Before,
    After,
    At,
}

#[derive(DeriveIden)]
enum ShiftRatings {
    Table,
    Id,
    ClaimId,
    ShiftId,
    BusinessId,
    SeekerId,
    Side,
    RaterId,
    Stars,
    Tags,
    Comment,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FavouriteWorkers {
    Table,
    BusinessId,
    SeekerId,
    AddedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GigNotices {
    Table,
    Id,
    AccountId,
    Kind,
    Title,
    Body,
    Data,
    Urgent,
    DueAt,
    ExpiresAt,
    Status,
    SentAt,
    CreatedAt,
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
enum Accounts {
    Table,
    Id,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, cols: Vec<ShiftClaims>) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(GigSettings::Table)
                    .col(pk_uuid(GigSettings::BusinessId))
                    .col(string_len(GigSettings::CheckinSecret, 64))
                    .col(integer(GigSettings::GeofenceM))
                    .col(timestamp_with_time_zone(GigSettings::CreatedAt))
                    .col(timestamp_with_time_zone(GigSettings::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_gig_settings_business",
                        (GigSettings::Table, GigSettings::BusinessId),
                        (Businesses::Table, Businesses::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GigOptions::Table)
                    .col(pk_uuid(GigOptions::PostingId))
                    .col(string_len(GigOptions::BookingMode, 16))
                    .col(integer(GigOptions::CancelCutoffHours))
                    .col(timestamp_with_time_zone(GigOptions::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_gig_options_posting",
                        (GigOptions::Table, GigOptions::PostingId),
                        (Postings::Table, Postings::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Shifts::Table)
                    .col(pk_uuid(Shifts::Id))
                    .col(uuid(Shifts::PostingId))
                    .col(uuid(Shifts::BusinessId))
                    .col(timestamp_with_time_zone(Shifts::StartsAt))
                    .col(timestamp_with_time_zone(Shifts::EndsAt))
                    .col(integer(Shifts::Places))
                    .col(integer(Shifts::Claimed).default(0))
                    .col(big_integer(Shifts::PayFen))
                    .col(string_len(Shifts::PayUnit, 16))
                    .col(integer(Shifts::BreakMinutes))
                    .col(string_len(Shifts::Address, 200))
                    .col(double(Shifts::Lat))
                    .col(double(Shifts::Lon))
                    .col(integer(Shifts::GeofenceM))
                    .col(string_len(Shifts::Status, 16))
                    .col(timestamp_with_time_zone_null(Shifts::FavouritesUntil))
                    .col(timestamp_with_time_zone_null(Shifts::OpenedAt))
                    .col(timestamp_with_time_zone_null(Shifts::ChangedAt))
                    .col(text_null(Shifts::CancelReason))
                    .col(uuid(Shifts::CreatedBy))
                    .col(timestamp_with_time_zone(Shifts::CreatedAt))
                    .col(timestamp_with_time_zone(Shifts::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_shifts_posting",
                        (Shifts::Table, Shifts::PostingId),
                        (Postings::Table, Postings::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_shifts_posting_start")
                    .table(Shifts::Table)
                    .col(Shifts::PostingId)
                    .col(Shifts::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_shifts_start")
                    .table(Shifts::Table)
                    .col(Shifts::StartsAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ShiftClaims::Table)
                    .col(pk_uuid(ShiftClaims::Id))
                    .col(uuid(ShiftClaims::ShiftId))
                    .col(uuid(ShiftClaims::PostingId))
                    .col(uuid(ShiftClaims::BusinessId))
                    .col(uuid(ShiftClaims::SeekerId))
                    .col(string_len(ShiftClaims::Status, 16))
                    .col(boolean(ShiftClaims::LateCancellation).default(false))
                    .col(timestamp_with_time_zone_null(ShiftClaims::CancelledAt))
                    .col(text_null(ShiftClaims::CancelReason))
                    .col(timestamp_with_time_zone_null(ShiftClaims::DecidedAt))
                    .col(timestamp_with_time_zone_null(ShiftClaims::PromotedAt))
                    .col(timestamp_with_time_zone_null(ShiftClaims::CheckedInAt))
                    .col(string_len_null(ShiftClaims::CheckinMethod, 16))
                    .col(double_null(ShiftClaims::CheckinLat))
                    .col(double_null(ShiftClaims::CheckinLon))
                    .col(double_null(ShiftClaims::CheckinAccuracyM))
                    .col(integer_null(ShiftClaims::LateMinutes))
                    .col(timestamp_with_time_zone_null(ShiftClaims::CheckedOutAt))
                    .col(string_len_null(ShiftClaims::CheckoutMethod, 16))
                    .col(integer(ShiftClaims::CodeFailures).default(0))
                    .col(string_len(ShiftClaims::HoursStatus, 16))
                    .col(timestamp_with_time_zone_null(ShiftClaims::MerchantStart))
                    .col(timestamp_with_time_zone_null(ShiftClaims::MerchantEnd))
                    .col(integer_null(ShiftClaims::BreakMinutes))
                    .col(uuid_null(ShiftClaims::ConfirmedBy))
                    .col(timestamp_with_time_zone_null(ShiftClaims::ConfirmedAt))
                    .col(timestamp_with_time_zone_null(ShiftClaims::SeekerStart))
                    .col(timestamp_with_time_zone_null(ShiftClaims::SeekerEnd))
                    .col(text_null(ShiftClaims::DisputeReason))
                    .col(timestamp_with_time_zone_null(ShiftClaims::DisputedAt))
                    .col(uuid_null(ShiftClaims::ResolvedBy))
                    .col(timestamp_with_time_zone_null(ShiftClaims::ResolvedAt))
                    .col(text_null(ShiftClaims::ResolutionNote))
                    .col(integer_null(ShiftClaims::FinalMinutes))
                    .col(big_integer_null(ShiftClaims::PayFen))
                    .col(timestamp_with_time_zone_null(ShiftClaims::RemindedDayAt))
                    .col(timestamp_with_time_zone_null(ShiftClaims::RemindedHourAt))
                    .col(timestamp_with_time_zone(ShiftClaims::CreatedAt))
                    .col(timestamp_with_time_zone(ShiftClaims::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_shift_claims_shift",
                        (ShiftClaims::Table, ShiftClaims::ShiftId),
                        (Shifts::Table, Shifts::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_shift_claims_seeker",
                        (ShiftClaims::Table, ShiftClaims::SeekerId),
                        (Accounts::Table, Accounts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // At most one live claim per seeker and shift: a cancelled, rejected or expired
        // claim does not stop the seeker claiming the shift again.
        manager
            .create_index(
                Index::create()
                    .name("uq_shift_claims_live")
                    .table(ShiftClaims::Table)
                    .col(ShiftClaims::ShiftId)
                    .col(ShiftClaims::SeekerId)
                    .unique()
                    .and_where(Expr::col(ShiftClaims::Status).is_in([
                        "waitlisted",
                        "pending",
                        "confirmed",
                        "checked_in",
                        "completed",
                        "no_show",
                    ]))
                    .to_owned(),
            )
            .await?;
        for statement in [
            index(
                "idx_shift_claims_shift",
                ShiftClaims::Table,
                vec![ShiftClaims::ShiftId, ShiftClaims::Status, ShiftClaims::Id],
            ),
            index(
                "idx_shift_claims_seeker",
                ShiftClaims::Table,
                vec![ShiftClaims::SeekerId, ShiftClaims::Status],
            ),
            index(
                "idx_shift_claims_status",
                ShiftClaims::Table,
                vec![ShiftClaims::Status, ShiftClaims::HoursStatus],
            ),
        ] {
            manager.create_index(statement).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ShiftChanges::Table)
                    .col(pk_uuid(ShiftChanges::Id))
                    .col(uuid(ShiftChanges::ShiftId))
                    .col(uuid(ShiftChanges::ActorId))
                    .col(string_len(ShiftChanges::Kind, 16))
                    .col(text_null(ShiftChanges::Reason))
                    .col(json_binary(ShiftChanges::Before))
                    .col(json_binary(ShiftChanges::After))
                    .col(timestamp_with_time_zone(ShiftChanges::At))
                    .foreign_key(&mut fk(
                        "fk_shift_changes_shift",
                        (ShiftChanges::Table, ShiftChanges::ShiftId),
                        (Shifts::Table, Shifts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_shift_changes_shift")
                    .table(ShiftChanges::Table)
                    .col(ShiftChanges::ShiftId)
                    .col(ShiftChanges::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ShiftRatings::Table)
                    .col(pk_uuid(ShiftRatings::Id))
                    .col(uuid(ShiftRatings::ClaimId))
                    .col(uuid(ShiftRatings::ShiftId))
                    .col(uuid(ShiftRatings::BusinessId))
                    .col(uuid(ShiftRatings::SeekerId))
                    .col(string_len(ShiftRatings::Side, 16))
                    .col(uuid(ShiftRatings::RaterId))
                    .col(small_integer(ShiftRatings::Stars))
                    .col(json_binary(ShiftRatings::Tags))
                    .col(text(ShiftRatings::Comment))
                    .col(timestamp_with_time_zone(ShiftRatings::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_shift_ratings_claim",
                        (ShiftRatings::Table, ShiftRatings::ClaimId),
                        (ShiftClaims::Table, ShiftClaims::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_shift_ratings_claim_side")
                    .table(ShiftRatings::Table)
                    .col(ShiftRatings::ClaimId)
                    .col(ShiftRatings::Side)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_shift_ratings_seeker")
                    .table(ShiftRatings::Table)
                    .col(ShiftRatings::SeekerId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FavouriteWorkers::Table)
                    .col(uuid(FavouriteWorkers::BusinessId))
                    .col(uuid(FavouriteWorkers::SeekerId))
                    .col(uuid(FavouriteWorkers::AddedBy))
                    .col(timestamp_with_time_zone(FavouriteWorkers::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(FavouriteWorkers::BusinessId)
                            .col(FavouriteWorkers::SeekerId),
                    )
                    .foreign_key(&mut fk(
                        "fk_favourite_workers_business",
                        (FavouriteWorkers::Table, FavouriteWorkers::BusinessId),
                        (Businesses::Table, Businesses::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_favourite_workers_seeker",
                        (FavouriteWorkers::Table, FavouriteWorkers::SeekerId),
                        (Accounts::Table, Accounts::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GigNotices::Table)
                    .col(pk_uuid(GigNotices::Id))
                    .col(uuid(GigNotices::AccountId))
                    .col(string_len(GigNotices::Kind, 32))
                    .col(string_len(GigNotices::Title, 200))
                    .col(text(GigNotices::Body))
                    .col(json_binary(GigNotices::Data))
                    .col(boolean(GigNotices::Urgent))
                    .col(timestamp_with_time_zone(GigNotices::DueAt))
                    .col(timestamp_with_time_zone_null(GigNotices::ExpiresAt))
                    .col(string_len(GigNotices::Status, 16))
                    .col(timestamp_with_time_zone_null(GigNotices::SentAt))
                    .col(timestamp_with_time_zone(GigNotices::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_gig_notices_account",
                        (GigNotices::Table, GigNotices::AccountId),
                        (Accounts::Table, Accounts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_gig_notices_due")
                    .table(GigNotices::Table)
                    .col(GigNotices::Status)
                    .col(GigNotices::DueAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_gig_notices_account")
                    .table(GigNotices::Table)
                    .col(GigNotices::AccountId)
                    .col(GigNotices::SentAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            GigNotices::Table.into_iden(),
            FavouriteWorkers::Table.into_iden(),
            ShiftRatings::Table.into_iden(),
            ShiftChanges::Table.into_iden(),
            ShiftClaims::Table.into_iden(),
            Shifts::Table.into_iden(),
            GigOptions::Table.into_iden(),
            GigSettings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
