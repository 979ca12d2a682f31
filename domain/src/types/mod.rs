//! Validated values, parsed once at the edge. Holding one means it is valid.

mod coord;
mod display_name;
mod email;
pub(crate) mod enums;
mod geo;
mod login;
mod money;
mod password;
mod phone;
mod role;
mod schedule;
mod text;

pub use coord::{CoordSystem, gcj02_to_wgs84, wgs84_to_gcj02};
pub use display_name::DisplayName;
pub use email::Email;
pub use enums::ScreeningOutcome;
pub use enums::{
    Amenity, MediaKind, PointReason, RedemptionStatus, ReportCategory, ReportStatus, SeatStatus,
    SessionStatus, TrainingCategory, WishCategory, WishStatus,
};
pub use enums::{
    ApplicationStatus, BusinessStatus, Education, InvitationStatus, MemberRole, PayUnit,
    PostingKind, PostingStatus, PushChannel, ServiceKind, Visibility,
};
pub use enums::{
    AttendanceMethod, BookingMode, ClaimStatus, HoursStatus, RatingSide, ShiftPayUnit, ShiftStatus,
};
pub use enums::{MailStatus, MatchStatus, NoticeStatus, PushStatus};
// Issue 25: complaints.
pub use enums::{
    ComplaintAction, ComplaintOutcome, ComplaintReason, ComplaintStatus, ComplaintSubject,
};
pub use geo::{EARTH_RADIUS_M, GeoPoint};
pub use login::LoginId;
pub use money::{PayFen, PayRange, hours_per_unit};
pub use password::NewPassword;
pub use phone::Phone;
pub use role::Role;
pub use schedule::{TimeSlot, WeeklySchedule, minutes_of};
pub use text::{StringList, bounded, keywords};
