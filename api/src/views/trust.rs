//! Response bodies of the real-name and business verification routes (issue 25). ID
//! numbers appear only masked (前6后4).

use chrono::{DateTime, FixedOffset};
use doorstep_domain::entities::{
    business_licence_photo, business_verification, identity_verification,
};
use doorstep_domain::time::to_display;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Where an account stands with its real name.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IdentityStatusView {
    /// The badge postings, applications, conversations and match cards show.
    pub real_name_verified: bool,
    /// The name on the ID card.
    pub full_name: Option<String>,
    /// The ID number masked: its first 6 and last 4 characters, e.g. `320506********1234`.
    pub id_number_masked: Option<String>,
    /// `local` (format, birth date and check digit only: no provider configured) or
    /// `provider` (also the verification service).
    pub method: Option<String>,
    pub verified_at: Option<DateTime<FixedOffset>>,
}

impl IdentityStatusView {
    pub fn new(row: Option<identity_verification::Model>) -> Self {
        match row {
            None => Self {
                real_name_verified: false,
                full_name: None,
                id_number_masked: None,
                method: None,
                verified_at: None,
            },
            Some(row) => Self {
                real_name_verified: true,
                full_name: Some(row.full_name),
                id_number_masked: Some(row.id_masked),
                method: Some(row.method),
                verified_at: Some(to_display(row.verified_at)),
            },
        }
    }
}

/// A stored licence photo.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LicencePhotoView {
    pub id: Uuid,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: DateTime<FixedOffset>,
}

impl From<business_licence_photo::Model> for LicencePhotoView {
    fn from(p: business_licence_photo::Model) -> Self {
        Self {
            id: p.id,
            content_type: p.content_type,
            size_bytes: p.size_bytes,
            created_at: to_display(p.created_at),
        }
    }
}

/// What an officer checks before verifying, as it stands now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BusinessChecksView {
    /// The licence number's GB 32100 check character is right.
    pub checksum_ok: bool,
    /// How many other businesses have the same licence number (allowed, worth a look).
    pub duplicate_licences: u64,
    /// The latest licence photo (`GET /businesses/{id}/licence-photo`); required.
    pub licence_photo_id: Option<Uuid>,
    /// The owner verified their real name; required.
    pub owner_verified: bool,
}

/// One officer decision and what it was based on.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BusinessVerificationRecordView {
    pub id: Uuid,
    pub officer_id: Uuid,
    /// `verified` or `rejected`.
    pub outcome: String,
    pub reason: Option<String>,
    pub licence_number: String,
    pub checksum_ok: bool,
    pub duplicate_licence: bool,
    pub licence_photo_id: Option<Uuid>,
    pub owner_verified: bool,
    pub created_at: DateTime<FixedOffset>,
}

impl From<business_verification::Model> for BusinessVerificationRecordView {
    fn from(v: business_verification::Model) -> Self {
        Self {
            id: v.id,
            officer_id: v.officer_id,
            outcome: v.outcome,
            reason: v.reason,
            licence_number: v.licence_number,
            checksum_ok: v.checksum_ok,
            duplicate_licence: v.duplicate_licence,
            licence_photo_id: v.licence_photo_id,
            owner_verified: v.owner_verified,
            created_at: to_display(v.created_at),
        }
    }
}

/// The owner's identity as an officer sees it: masked.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OwnerIdentityView {
    pub account_id: Uuid,
    pub full_name: String,
    pub id_number_masked: String,
    pub method: String,
    pub verified_at: DateTime<FixedOffset>,
}

/// A business's verification file: the owner's identity (masked), the checks as they
/// stand, and every decision so far, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BusinessVerificationFileView {
    pub business_id: Uuid,
    pub owner: Option<OwnerIdentityView>,
    pub checks: BusinessChecksView,
    pub records: Vec<BusinessVerificationRecordView>,
}
