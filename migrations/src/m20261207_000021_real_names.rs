//! Real names and business verification records (issue 25, items 1, 2 and 6).
//!
//! - `identity_verifications`: one row per account whose identity was checked: the name,
//!   the resident ID number encrypted (`id_ciphertext`, base64 of nonce + AEAD output,
//!   under the key named `key_id`), its masked form (前6后4) and a keyed hash (`id_hash`,
//!   HMAC-SHA256, unique: one ID number verifies one account). `method` says which check
//!   was done (`local`: format, birth date and check digit only; `provider`: also the
//!   configured verification service).
//!   An account with a row carries the real-name badge.
//! - `businesses.owner_verified`: whether the creating merchant has verified their name
//!   (copied when they verify, so posting views need no join).
//! - `business_licence_photos`: photos of the business licence (the latest counts),
//!   required for verification.
//! - `business_verifications`: who checked what and when for each officer decision.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdentityVerifications {
    Table,
    Id,
    AccountId,
    FullName,
    IdCiphertext,
    KeyId,
    IdHash,
    IdMasked,
    Method,
    VerifiedAt,
}

#[derive(DeriveIden)]
enum BusinessLicencePhotos {
    Table,
    Id,
    BusinessId,
    ContentType,
    SizeBytes,
    StorageKey,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Businesses {
    Table,
    OwnerVerified,
}

#[derive(DeriveIden)]
enum BusinessVerifications {
    Table,
    Id,
    BusinessId,
    DistrictId,
    OfficerId,
    Outcome,
    Reason,
    LicenceNumber,
    ChecksumOk,
    DuplicateLicence,
    LicencePhotoId,
    OwnerVerified,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdentityVerifications::Table)
                    .col(pk_uuid(IdentityVerifications::Id))
                    .col(uuid_uniq(IdentityVerifications::AccountId))
                    .col(string_len(IdentityVerifications::FullName, 100))
                    .col(text(IdentityVerifications::IdCiphertext))
                    .col(string_len(IdentityVerifications::KeyId, 64))
                    .col(string_len_uniq(IdentityVerifications::IdHash, 64))
                    .col(string_len(IdentityVerifications::IdMasked, 18))
                    .col(string_len(IdentityVerifications::Method, 16))
                    .col(timestamp_with_time_zone(IdentityVerifications::VerifiedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_identity_verifications_key")
                    .table(IdentityVerifications::Table)
                    .col(IdentityVerifications::KeyId)
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(Businesses::Table)
                    .add_column(boolean(Businesses::OwnerVerified).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BusinessLicencePhotos::Table)
                    .col(pk_uuid(BusinessLicencePhotos::Id))
                    .col(uuid(BusinessLicencePhotos::BusinessId))
                    .col(string_len(BusinessLicencePhotos::ContentType, 64))
                    .col(big_integer(BusinessLicencePhotos::SizeBytes))
                    .col(string_len(BusinessLicencePhotos::StorageKey, 200))
                    .col(uuid(BusinessLicencePhotos::UploadedBy))
                    .col(timestamp_with_time_zone(BusinessLicencePhotos::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_business_licence_photos_business")
                    .table(BusinessLicencePhotos::Table)
                    .col(BusinessLicencePhotos::BusinessId)
                    .col(BusinessLicencePhotos::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BusinessVerifications::Table)
                    .col(pk_uuid(BusinessVerifications::Id))
                    .col(uuid(BusinessVerifications::BusinessId))
                    .col(uuid_null(BusinessVerifications::DistrictId))
                    .col(uuid(BusinessVerifications::OfficerId))
                    .col(string_len(BusinessVerifications::Outcome, 16))
                    .col(string_len_null(BusinessVerifications::Reason, 500))
                    .col(string_len(BusinessVerifications::LicenceNumber, 18))
                    .col(boolean(BusinessVerifications::ChecksumOk))
                    .col(boolean(BusinessVerifications::DuplicateLicence))
                    .col(uuid_null(BusinessVerifications::LicencePhotoId))
                    .col(boolean(BusinessVerifications::OwnerVerified))
                    .col(timestamp_with_time_zone(BusinessVerifications::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_business_verifications_business")
                    .table(BusinessVerifications::Table)
                    .col(BusinessVerifications::BusinessId)
                    .col(BusinessVerifications::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_business_verifications_created")
                    .table(BusinessVerifications::Table)
                    .col(BusinessVerifications::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BusinessVerifications::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(BusinessLicencePhotos::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(IdentityVerifications::Table).to_owned())
            .await
    }
}
