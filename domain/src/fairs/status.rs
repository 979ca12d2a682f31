//! The closed sets of values of job fairs, stored as short strings.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::types::enums::string_enum;

string_enum!(
    /// A fair's lifecycle: draft → published → closed → finished, or cancelled.
    FairStatus {
        Draft = "draft",
        Published = "published",
        Closed = "closed",
        Finished = "finished",
        Cancelled = "cancelled",
    }
);

string_enum!(
    /// A business's booth at a fair: requested, then approved (with a number) or rejected.
    BoothStatus {
        Requested = "requested",
        Approved = "approved",
        Rejected = "rejected",
    }
);

string_enum!(
    /// A seeker's place at a fair.
    RegistrationStatus {
        Registered = "registered",
        Waitlisted = "waitlisted",
        Cancelled = "cancelled",
    }
);

string_enum!(
    /// What came of a visitor at a booth, each step implying the ones before.
    BoothOutcome {
        Met = "met",
        Interview = "interview",
        Offer = "offer",
        Hire = "hire",
    }
);

impl FairStatus {
    /// Whether the fair still runs: registrations, booths, plans and check-ins.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Published | Self::Closed)
    }
}

impl BoothOutcome {
    /// Rank for "at least" comparisons.
    pub fn rank(self) -> u8 {
        self as u8
    }
}
