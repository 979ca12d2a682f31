//! The closed sets of values the marketplace uses, stored as short strings.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum,
            Serialize, Deserialize, utoipa::ToSchema,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
        // Every value is its variant in snake_case; `rename_all` (not per-variant renames)
        // is what the OpenAPI generator reads, and a test checks the two agree.
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $value)] $variant),+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $value),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// Where a business stands with the community office.
    BusinessStatus {
        Pending = "pending",
        Verified = "verified",
        Rejected = "rejected",
        /// An officer suspended it on an upheld complaint: it cannot post, and its
        /// postings are not shown, until an officer lifts the suspension.
        Suspended = "suspended",
    }
);

string_enum!(
    /// A member's standing in a business: the owner manages members.
    MemberRole {
        Owner = "owner",
        Member = "member",
    }
);

string_enum!(
    /// The kind of work a posting offers.
    PostingKind {
        FullTime = "full_time",
        PartTime = "part_time",
        Internship = "internship",
        Gig = "gig",
    }
);

string_enum!(
    /// A posting's lifecycle: draft → open ⇄ paused → closed or filled.
    PostingStatus {
        Draft = "draft",
        Open = "open",
        Paused = "paused",
        Closed = "closed",
        Filled = "filled",
    }
);

string_enum!(
    /// What a pay figure is per.
    PayUnit {
        Hour = "hour",
        Day = "day",
        Month = "month",
        Piece = "piece",
    }
);

string_enum!(
    /// What posting screening did with a posting (`screening_decisions.outcome`).
    ScreeningOutcome {
        /// Refused with a problem naming the phrase or the figure; nothing was saved.
        Refused = "refused",
        /// Saved but held for an officer (a content review), off search until approved.
        Held = "held",
    }
);

string_enum!(
    /// Highest completed education, in increasing order.
    Education {
        None = "none",
        JuniorHigh = "junior_high",
        HighSchool = "high_school",
        Vocational = "vocational",
        Associate = "associate",
        Bachelor = "bachelor",
        Master = "master",
        Doctorate = "doctorate",
    }
);

string_enum!(
    /// Who may see a seeker's profile.
    Visibility {
        /// Merchants (masked) and officers.
        Public = "public",
        /// Community officers only.
        OfficersOnly = "officers_only",
        /// Nobody but the seeker.
        Hidden = "hidden",
    }
);

string_enum!(
    /// Where pushed matches and notices go.
    PushChannel {
        Inbox = "inbox",
        Email = "email",
        Webhook = "webhook",
    }
);

string_enum!(
    /// An application's stage. The merchant moves it forward one step at a time, or
    /// rejects it; the seeker may withdraw it; hired, rejected and withdrawn are final.
    ApplicationStatus {
        Submitted = "submitted",
        Viewed = "viewed",
        Shortlisted = "shortlisted",
        Interview = "interview",
        Offered = "offered",
        Hired = "hired",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
    }
);

string_enum!(
    /// What an officer did for a seeker (a service record's type).
    ServiceKind {
        JobGuidance = "job_guidance",
        TrainingReferral = "training_referral",
        RightsConsultation = "rights_consultation",
        SkillsAssessment = "skills_assessment",
        Other = "other",
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Iterable;

    pub(super) fn agrees<T: sea_orm::ActiveEnum<Value = String> + Iterable + serde::Serialize>() {
        for value in T::iter() {
            let json = serde_json::to_value(&value).unwrap();
            assert_eq!(
                json.as_str(),
                Some(value.to_value().as_str()),
                "serde and database agree"
            );
        }
    }

    #[test]
    fn serde_names_are_the_stored_values() {
        agrees::<BusinessStatus>();
        agrees::<MemberRole>();
        agrees::<PostingKind>();
        agrees::<PostingStatus>();
        agrees::<PayUnit>();
        agrees::<ScreeningOutcome>();
        agrees::<Education>();
        agrees::<Visibility>();
        agrees::<PushChannel>();
        agrees::<ApplicationStatus>();
        agrees::<InvitationStatus>();
        agrees::<ShiftStatus>();
        agrees::<ShiftPayUnit>();
        agrees::<BookingMode>();
        agrees::<ClaimStatus>();
        agrees::<HoursStatus>();
        agrees::<RatingSide>();
        agrees::<AttendanceMethod>();
        agrees::<ServiceKind>();
    }
}

impl Education {
    /// Rank for "at least" comparisons.
    pub fn rank(self) -> u8 {
        self as u8
    }
}

impl PostingStatus {
    pub fn is_final(self) -> bool {
        matches!(self, Self::Closed | Self::Filled)
    }
}

impl ApplicationStatus {
    pub fn is_final(self) -> bool {
        matches!(self, Self::Hired | Self::Rejected | Self::Withdrawn)
    }
}

string_enum!(
    /// A merchant's invitation to apply, and the seeker's answer.
    InvitationStatus {
        Pending = "pending",
        Accepted = "accepted",
        Declined = "declined",
    }
);

// Other modules declare their own closed sets with the same conventions.
pub(crate) use string_enum;
// ---- Stations, trainings, reports, points and wishes (the gig workers' community) ----

string_enum!(
    /// What a station (驿站) offers.
    Amenity {
        Rest = "rest",
        Water = "water",
        Charging = "charging",
        Microwave = "microwave",
        Toilet = "toilet",
        FirstAidKit = "first_aid_kit",
        JobHelp = "job_help",
        Wifi = "wifi",
        AirConditioning = "air_conditioning",
        RepairKit = "repair_kit",
        Umbrella = "umbrella",
        Legal = "legal",
    }
);

string_enum!(
    /// What a training session teaches.
    TrainingCategory {
        FirstAid = "first_aid",
        FireSafety = "fire_safety",
        AntiFraud = "anti_fraud",
        Legal = "legal",
        TrafficSafety = "traffic_safety",
        Skills = "skills",
        Other = "other",
    }
);

string_enum!(
    /// A training session is published until it is cancelled.
    SessionStatus {
        Published = "published",
        Cancelled = "cancelled",
    }
);

string_enum!(
    /// A seeker's seat at a training session (`SeatStatus`: fairs have their own
    /// `RegistrationStatus`, and the OpenAPI document names every schema once).
    SeatStatus {
        Registered = "registered",
        Cancelled = "cancelled",
        Attended = "attended",
    }
);

string_enum!(
    /// What a 随手拍 report is about.
    ReportCategory {
        Roads = "roads",
        FireSafety = "fire_safety",
        Sanitation = "sanitation",
        Parking = "parking",
        PublicOrder = "public_order",
        Other = "other",
    }
);

string_enum!(
    /// A report's way: submitted → dispatched → in progress → resolved, or rejected by the
    /// coordinator, or linked as a duplicate of an earlier report of the same problem.
    ReportStatus {
        Submitted = "submitted",
        Duplicate = "duplicate",
        Dispatched = "dispatched",
        InProgress = "in_progress",
        Resolved = "resolved",
        Rejected = "rejected",
    }
);

string_enum!(
    /// A file attached to a report.
    MediaKind {
        Photo = "photo",
        Voice = "voice",
        /// The handler's photo of the fixed problem.
        ResolutionPhoto = "resolution_photo",
    }
);

string_enum!(
    /// Why points moved.
    PointReason {
        ReportVerified = "report_verified",
        TrainingAttended = "training_attended",
        VolunteerTask = "volunteer_task",
        Redemption = "redemption",
        Refund = "refund",
    }
);

string_enum!(
    /// A reward redemption: handed over by an officer, or cancelled (points refunded).
    RedemptionStatus {
        Pending = "pending",
        Fulfilled = "fulfilled",
        Cancelled = "cancelled",
    }
);

string_enum!(
    /// What a wish on the wish wall (心愿墙) asks for.
    WishCategory {
        Rest = "rest",
        Charging = "charging",
        Food = "food",
        Training = "training",
        Legal = "legal",
        Safety = "safety",
        Other = "other",
    }
);

string_enum!(
    /// How officers answered a wish.
    WishStatus {
        Open = "open",
        Planned = "planned",
        Done = "done",
        Declined = "declined",
    }
);

#[cfg(test)]
mod community_tests {
    use super::*;

    #[test]
    fn community_names_are_the_stored_values() {
        tests::agrees::<Amenity>();
        tests::agrees::<TrainingCategory>();
        tests::agrees::<SessionStatus>();
        tests::agrees::<SeatStatus>();
        tests::agrees::<ReportCategory>();
        tests::agrees::<ReportStatus>();
        tests::agrees::<MediaKind>();
        tests::agrees::<PointReason>();
        tests::agrees::<RedemptionStatus>();
        tests::agrees::<WishCategory>();
        tests::agrees::<WishStatus>();
    }
}

string_enum!(
    /// A gig shift: open for claims, or cancelled by the merchant.
    ShiftStatus {
        Open = "open",
        Cancelled = "cancelled",
    }
);

string_enum!(
    /// What a shift's pay figure is per: an hour worked, or the whole shift.
    ShiftPayUnit {
        Hour = "hour",
        Shift = "shift",
    }
);

string_enum!(
    /// How a gig posting takes claims: a place is the seeker's at once, or once the
    /// merchant approves (the place is held meanwhile).
    BookingMode {
        Instant = "instant",
        Approval = "approval",
    }
);

string_enum!(
    /// A claim on a shift. Waitlisted claims hold no place; pending (awaiting the
    /// merchant), confirmed, checked-in, completed and no-show claims hold one.
    ClaimStatus {
        Waitlisted = "waitlisted",
        Pending = "pending",
        Confirmed = "confirmed",
        CheckedIn = "checked_in",
        Completed = "completed",
        NoShow = "no_show",
        Cancelled = "cancelled",
        Rejected = "rejected",
        /// A waitlisted or unapproved claim when the shift started.
        Expired = "expired",
        ShiftCancelled = "shift_cancelled",
    }
);

string_enum!(
    /// Where a worker's hours stand: not yet confirmed, confirmed by the merchant or
    /// automatically, disputed by the worker, or resolved by an officer.
    HoursStatus {
        Unconfirmed = "unconfirmed",
        Confirmed = "confirmed",
        AutoConfirmed = "auto_confirmed",
        Disputed = "disputed",
        Resolved = "resolved",
    }
);

string_enum!(
    /// Who gave a rating: the merchant rating the worker, or the worker the merchant.
    RatingSide {
        Merchant = "merchant",
        Seeker = "seeker",
    }
);

string_enum!(
    /// How a worker checked in or out.
    AttendanceMethod {
        Code = "code",
        Location = "location",
    }
);

impl ClaimStatus {
    /// The states that hold one of the shift's places (counted in `shifts.claimed`).
    pub const HOLDING: [ClaimStatus; 5] = [
        Self::Pending,
        Self::Confirmed,
        Self::CheckedIn,
        Self::Completed,
        Self::NoShow,
    ];
    /// The states a seeker's claim stays live in before the shift is over; a claim in one
    /// of them blocks overlapping claims.
    pub const UPCOMING: [ClaimStatus; 4] = [
        Self::Waitlisted,
        Self::Pending,
        Self::Confirmed,
        Self::CheckedIn,
    ];

    pub fn holds_place(self) -> bool {
        Self::HOLDING.contains(&self)
    }
}

impl HoursStatus {
    /// Hours both sides have settled (pay is due on them).
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Confirmed | Self::AutoConfirmed | Self::Resolved)
    }
}

// ---- Matches and what announces them ----

string_enum!(
    /// Where a match stands. The worker stores it `new` and marks it `pushed` once
    /// announced; the seeker's feedback and their application move it on. Which steps are
    /// allowed is decided in one place, [`crate::matches::advance`].
    MatchStatus {
        New = "new",
        Pushed = "pushed",
        Saved = "saved",
        Dismissed = "dismissed",
        Applied = "applied",
        Hired = "hired",
    }
);

string_enum!(
    /// One announcement of a match on one channel: waiting (or waiting to retry), sent, or
    /// given up on.
    PushStatus {
        Pending = "pending",
        Sent = "sent",
        Dead = "dead",
    }
);

string_enum!(
    /// A queued e-mail: waiting (or waiting to retry), sent, or given up on.
    MailStatus {
        Pending = "pending",
        Sent = "sent",
        Dead = "dead",
    }
);

string_enum!(
    /// A gig notice: held until it may be delivered, delivered, or dropped once expired.
    NoticeStatus {
        Pending = "pending",
        Sent = "sent",
        Dropped = "dropped",
    }
);

#[cfg(test)]
mod delivery_tests {
    use super::*;
    use sea_orm::{ActiveEnum, Iterable};

    /// Every value reads back from the string it stores, and the strings are the ones
    /// rows already hold (no data migration).
    fn stored<T>(expected: &[&str])
    where
        T: ActiveEnum<Value = String> + Iterable + PartialEq + std::fmt::Debug + serde::Serialize,
    {
        let values: Vec<String> = T::iter().map(|v| v.to_value()).collect();
        assert_eq!(values, expected);
        for value in T::iter() {
            assert_eq!(T::try_from_value(&value.to_value()).unwrap(), value);
        }
        assert!(T::try_from_value(&"archived".to_owned()).is_err());
        tests::agrees::<T>();
    }

    #[test]
    fn stored_strings_round_trip() {
        stored::<MatchStatus>(&["new", "pushed", "saved", "dismissed", "applied", "hired"]);
        stored::<PushStatus>(&["pending", "sent", "dead"]);
        stored::<MailStatus>(&["pending", "sent", "dead"]);
        stored::<NoticeStatus>(&["pending", "sent", "dropped"]);
    }
}

// Issue 25: complaints.

string_enum!(
    /// What a complaint is about.
    ComplaintSubject {
        Posting = "posting",
        Business = "business",
        Message = "message",
        Shift = "shift",
    }
);

string_enum!(
    /// Why someone complains (the fixed list).
    ComplaintReason {
        FeeCharged = "fee_charged",
        FakeJob = "fake_job",
        PayUnpaid = "pay_unpaid",
        PayBelowPromise = "pay_below_promise",
        Discrimination = "discrimination",
        Harassment = "harassment",
        Scam = "scam",
        Unsafe = "unsafe",
        Other = "other",
    }
);

string_enum!(
    /// A complaint's way: open → acknowledged (an officer answered) → closed (with an
    /// outcome).
    ComplaintStatus {
        Open = "open",
        Acknowledged = "acknowledged",
        Closed = "closed",
    }
);

string_enum!(
    /// How a complaint ended.
    ComplaintOutcome {
        Upheld = "upheld",
        NotUpheld = "not_upheld",
    }
);

string_enum!(
    /// What an officer did about an upheld complaint.
    ComplaintAction {
        PostingTakenDown = "posting_taken_down",
        BusinessWarned = "business_warned",
        BusinessSuspended = "business_suspended",
    }
);

#[cfg(test)]
mod complaint_enum_tests {
    use super::*;

    #[test]
    fn complaint_enums_store_their_serde_names() {
        tests::agrees::<ComplaintSubject>();
        tests::agrees::<ComplaintReason>();
        tests::agrees::<ComplaintStatus>();
        tests::agrees::<ComplaintOutcome>();
        tests::agrees::<ComplaintAction>();
    }
}
