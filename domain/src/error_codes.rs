//! Every code the API can answer with, written once: the `code` of a problem document and
//! the `code` of each entry of its `errors`. Clients branch on these strings, so a code is
//! never renamed; a new one is added here (the compiler then takes it everywhere) and is
//! listed in the OpenAPI document from this table.

use std::fmt;
use std::str::FromStr;

use utoipa::openapi::RefOr;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

mod zh;

/// The language a problem document is written in. Chinese is the product's language and the
/// default; English is for callers that prefer it (`Accept-Language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    Zh,
    En,
}

impl Language {
    /// The language tag sent as `Content-Language`.
    pub const fn tag(self) -> &'static str {
        match self {
            Language::Zh => "zh-CN",
            Language::En => "en",
        }
    }
}

/// Defines [`ErrorCode`] from `Variant = "stored string", status, "description";` lines.
macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:literal, $description:literal;)*) => {
        /// A stable, machine-readable error code. Its string is what the API sends.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $(
                #[doc = $description]
                $variant,
            )*
        }

        impl ErrorCode {
            /// Every code, in the order of the catalogue.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The string the API sends.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The HTTP status of a problem whose top-level `code` this is. A code that only
            /// names an offending field reports 422, the status of `validation_failed` (the
            /// strict body and query parsers put a few of them under a 400 instead).
            pub const fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)*
                }
            }

            /// One line for humans: what the code means.
            pub const fn description(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $description,)*
                }
            }
        }
    };
}

error_codes! {
    AccountDisabled = "account_disabled", 401, "The account is disabled";
    AccountExists = "account_exists", 409, "An account with this phone number or e-mail address already exists";
    ActionNotApplicable = "action_not_applicable", 422, "This action does not fit what the complaint is about (taking down needs a posting or a shift)";
    AfterStart = "after_start", 422, "The deadline must come before the start";
    AlreadyAnswered = "already_answered", 409, "This wish was already done or declined";
    AlreadyApplied = "already_applied", 409, "You have already applied to this posting";
    AlreadyCancelled = "already_cancelled", 409, "It is already cancelled";
    AlreadyCheckedIn = "already_checked_in", 409, "You have already checked in for this shift";
    AlreadyClaimed = "already_claimed", 409, "You already have a claim on this shift";
    AlreadyInvited = "already_invited", 409, "This seeker is already invited to this posting";
    AlreadyMember = "already_member", 409, "This account is already a member";
    AlreadyRated = "already_rated", 409, "This shift is already rated from your side";
    AlreadyRegistered = "already_registered", 409, "You already have a seat at this session";
    AlreadyReported = "already_reported", 409, "You have already reported this message or conversation; an officer will look";
    AlreadyResolved = "already_resolved", 409, "This report is already resolved";
    AlreadySettled = "already_settled", 409, "This redemption was already fulfilled or cancelled";
    Ambiguous = "ambiguous", 422, "Give one of the alternatives, not both or parts";
    AmbiguousLogin = "ambiguous_login", 422, "Give a phone number or an e-mail address, not both";
    ApplicationAnonymised = "application_anonymised", 409, "This application is past its retention and kept only as an anonymous record";
    BelowMinimumWage = "below_minimum_wage", 422, "The pay is below the legal minimum wage in force for the city";
    BoothAlreadyRequested = "booth_already_requested", 409, "This business already has a booth at this fair";
    BoothAlreadyReviewed = "booth_already_reviewed", 409, "The booth was already approved or rejected";
    BoothNotApproved = "booth_not_approved", 409, "This booth is not approved";
    BoothRejected = "booth_rejected", 409, "A rejected booth cannot be changed";
    BoundaryCrossing = "boundary_crossing", 422, "The boundary crosses itself; list its points in order around the edge";
    BoundaryEmpty = "boundary_empty", 422, "The boundary encloses no area (points in a line?)";
    BoundaryTooLong = "boundary_too_long", 422, "A boundary has at most 500 points";
    BoundaryTooShort = "boundary_too_short", 422, "A boundary needs at least three points";
    BusinessNotSuspended = "business_not_suspended", 409, "This business is not suspended";
    BusinessNotVerified = "business_not_verified", 409, "Only verified businesses take booths";
    BusinessSuspended = "business_suspended", 409, "This business is suspended after an upheld complaint; it cannot post until an officer lifts the suspension";
    Busy = "busy", 503, "Too many passwords are being checked right now; retry after `Retry-After`";
    CannotCancel = "cannot_cancel", 409, "The claim is past the point where it can be cancelled";
    CheckinClosed = "checkin_closed", 409, "Check-in has closed for this shift; the merchant can still confirm your hours";
    CheckinNotOpen = "checkin_not_open", 409, "Check-in has not opened yet for this shift";
    CodeDailyLimit = "code_daily_limit", 429, "This destination was sent its codes for the day; try again tomorrow";
    CodeResendTooSoon = "code_resend_too_soon", 429, "A code was sent moments ago; retry after `Retry-After`";
    ComplaintClosed = "complaint_closed", 409, "This complaint is already closed with an outcome";
    ContentRisky = "content_risky", 422, "WeChat's content security check found this text risky; change it";
    ConsoleFormExpired = "console_form_expired", 403, "The officer console form carried no anti-forgery token or a wrong one; reload the page and send it again";
    ConversationBlocked = "conversation_blocked", 409, "One side of the conversation blocked the other: no more messages either way";
    ConversationsSuspended = "conversations_suspended", 409, "This account's messages were flagged as possible scams and wait for an officer, or an officer suspended its new conversations after a report";
    DatabaseUnavailable = "database_unavailable", 503, "The database cannot be reached; try again shortly";
    DateInPast = "date_in_past", 422, "The date must be today or later";
    DateTooFar = "date_too_far", 422, "The date must be within a year";
    DeadlinePassed = "deadline_passed", 409, "The registration deadline has passed; change it first";
    DeliveryFailed = "delivery_failed", 503, "The SMS or mail gateway did not take the message; try again shortly";
    DiscriminatoryRequirement = "discriminatory_requirement", 422, "A requirement restricts candidates in a way fair-hiring rules forbid";
    DisputeWindowClosed = "dispute_window_closed", 409, "The hours can no longer be disputed";
    DistrictNameTaken = "district_name_taken", 409, "Another district has this name";
    Duplicate = "duplicate", 422, "The same item is listed twice";
    DuplicateCredential = "duplicate_credential", 422, "A credential is listed twice (names are compared after folding aliases)";
    Empty = "empty", 422, "The value makes nothing (e.g. a pattern with no future shift)";
    EmptyRange = "empty_range", 422, "`to` must come after `from`";
    EmptyWindow = "empty_window", 422, "A window must last; 00:00 to 24:00 is open all day";
    FairNotDraft = "fair_not_draft", 409, "Only a draft fair can be changed";
    FairNotOpen = "fair_not_open", 409, "The fair is not open for this";
    FavouritesOnly = "favourites_only", 409, "The shift is offered to the business's regular workers only, for now";
    FieldNotForKind = "field_not_for_kind", 422, "This field does not belong to this kind of message";
    Forbidden = "forbidden", 403, "The caller's role or relation to the object does not allow this";
    HeadersTooLarge = "headers_too_large", 431, "The request head has too many header fields or is too large";
    HoursSettled = "hours_settled", 409, "The hours are already settled";
    IdentityAlreadyUsed = "identity_already_used", 409, "This resident ID number already verified another account";
    IdentityAlreadyVerified = "identity_already_verified", 409, "This account's real name is already verified";
    IdentityMismatch = "identity_mismatch", 422, "The verification service says the name and the resident ID number do not belong together";
    IdentityNotFound = "identity_not_found", 422, "The verification service has no record of this resident ID number";
    IdentityProviderUnavailable = "identity_provider_unavailable", 503, "The identity verification service cannot be reached or failed; nothing was recorded, try again shortly";
    IllegalTransition = "illegal_transition", 409, "The object's current status does not allow this change";
    InTheFuture = "in_the_future", 422, "The time must not be in the future";
    InThePast = "in_the_past", 422, "The time must not be in the past";
    IncompleteLocation = "incomplete_location", 422, "Give both home_lat and home_lon, or neither";
    IncompletePay = "incomplete_pay", 422, "Give both expected_pay_min and expected_pay_unit, or neither";
    IncompleteQuietHours = "incomplete_quiet_hours", 422, "Give both ends of the quiet hours, or neither";
    InsufficientPoints = "insufficient_points", 409, "The points balance is too low";
    Internal = "internal", 500, "Something went wrong on the server's side; it has been logged";
    InternalAddress = "internal_address", 422, "Webhooks may not target internal addresses";
    InvalidAction = "invalid_action", 422, "An action is a name like `read_profile` (lower-case letters, digits, `_`)";
    InvalidBody = "invalid_body", 400, "The request body could not be read";
    InvalidCharacters = "invalid_characters", 422, "Control characters are not allowed";
    InvalidCode = "invalid_code", 409, "The code is wrong: the six digits sent by SMS or e-mail, or the check-in code shown at the workplace";
    InvalidCredentials = "invalid_credentials", 401, "The login or the password is wrong";
    InvalidCursor = "invalid_cursor", 422, "The cursor is not one this API issued";
    InvalidDate = "invalid_date", 422, "Expected a date as YYYY-MM-DD";
    InvalidEmail = "invalid_email", 422, "Expected an e-mail address such as name@example.com";
    InvalidField = "invalid_field", 400, "A body field has the wrong type or value";
    InvalidIdNumber = "invalid_id_number", 422, "Expected an 18-character resident ID number (居民身份证号) with a real birth date and a matching check digit";
    InvalidJson = "invalid_json", 400, "The request body is not valid JSON";
    InvalidLicence = "invalid_licence", 422, "Expected the 18-character unified social credit code";
    InvalidMonth = "invalid_month", 422, "Expected YYYY-MM";
    InvalidPhone = "invalid_phone", 422, "A mainland mobile number has 11 digits and starts with 13-19";
    InvalidQuarter = "invalid_quarter", 422, "Expected a quarter such as 2026Q4";
    InvalidQuery = "invalid_query", 400, "A query parameter is out of range, of the wrong type or unknown; `errors` names it";
    InvalidRefreshToken = "invalid_refresh_token", 401, "The refresh token is unknown, expired or revoked; log in again";
    InvalidSlots = "invalid_slots", 422, "The slots are not valid";
    InvalidStatus = "invalid_status", 422, "Not one of the allowed statuses";
    InvalidTime = "invalid_time", 422, "Expected a date (2026-11-26) or an RFC 3339 time";
    InvalidToken = "invalid_token", 401, "The token is invalid, or the account behind it is gone";
    InvalidTransition = "invalid_transition", 409, "The report's current status does not allow this change";
    InvalidType = "invalid_type", 422, "The value has the wrong type";
    InvalidUrl = "invalid_url", 422, "Expected an http:// or https:// URL";
    InvalidUuid = "invalid_uuid", 422, "Expected a UUID";
    InvalidWeek = "invalid_week", 422, "Expected an ISO week such as 2026-W48";
    InvalidWord = "invalid_word", 422, "A word is empty, too long, has control characters or spaces";
    LicenceChecksum = "licence_checksum", 422, "The unified social credit code's check character (GB 32100-2015) does not match; a character is mistyped";
    LicencePhotoMissing = "licence_photo_missing", 409, "The business has no licence photo yet; a member uploads one before an officer can verify it";
    LocationTooInaccurate = "location_too_inaccurate", 409, "The position is not accurate enough to check in";
    MalformedRequest = "malformed_request", 400, "The request line or a header is not valid HTTP/1.1";
    MethodNotAllowed = "method_not_allowed", 405, "The path does not serve this method; `Allow` lists those it does";
    MinimumWageExists = "minimum_wage_exists", 409, "A minimum wage for this city and effective date is already recorded; add a row with a later date";
    Missing = "missing", 422, "A required part is missing";
    MissingField = "missing_field", 400, "A required body field is missing";
    MissingToken = "missing_token", 401, "The route needs an access token (`Authorization: Bearer …`)";
    NeedsPoint = "needs_point", 422, "A radius needs lat and lon";
    NoApplication = "no_application", 409, "An interview is proposed for the seeker's open application to the posting";
    NoBoothsLeft = "no_booths_left", 409, "Every booth of the hall is already given";
    NoConversationGrounds = "no_conversation_grounds", 409, "A business talks with seekers who applied, were invited or matched to the posting, or are its favourite workers";
    NoFollowUp = "no_follow_up", 409, "This record has no follow-up to mark done";
    NoSuchMerchant = "no_such_merchant", 422, "No merchant account has this phone or e-mail";
    NoSuchSeeker = "no_such_seeker", 422, "No seeker account has this phone or e-mail";
    NotAGig = "not_a_gig", 409, "Only postings of kind gig have shifts and booking options";
    NotAWebsocket = "not_a_websocket", 400, "This route speaks WebSocket: open it with an upgrade request";
    NotAllowed = "not_allowed", 422, "The field is not allowed here";
    NotAnImage = "not_an_image", 422, "Expected a JPEG, PNG or WebP photo; the content is not one";
    NotAnOfficer = "not_an_officer", 422, "Only officer accounts are assigned to districts";
    NotAtBooth = "not_at_booth", 422, "Not one of this booth's postings";
    NotAudio = "not_audio", 422, "Expected a voice recording (MP3, AAC, M4A, AMR, SILK, WAV or Ogg)";
    NotCheckedIn = "not_checked_in", 409, "Only a checked-in shift whose hours are not settled can be checked out of";
    NotCompleted = "not_completed", 409, "A shift is rated once it has been worked";
    NotConfirmed = "not_confirmed", 409, "Only a confirmed claim can check in";
    NotDisputable = "not_disputable", 409, "Only settled hours, or a no-show, can be disputed, once";
    NotDisputed = "not_disputed", 409, "Only disputed hours are resolved";
    NotForThisSide = "not_for_this_side", 422, "This side of the conversation cannot send this kind of message";
    NotFound = "not_found", 404, "No such object, or it is not the caller's to see";
    NotPending = "not_pending", 409, "The claim is not pending";
    NotReady = "not_ready", 503, "The server is not ready to serve yet";
    NotRegistered = "not_registered", 409, "Register for the fair before applying at its booths";
    NotWorked = "not_worked", 409, "The claim has no hours to confirm";
    NotWorkedHere = "not_worked_here", 409, "Only a worker who completed a shift at this business can be a favourite";
    NothingToReport = "nothing_to_report", 409, "The other side has not written anything in this conversation";
    OutOfRange = "out_of_range", 422, "The value is out of range";
    OutOfStock = "out_of_stock", 409, "This reward has run out";
    OutsideGeofence = "outside_geofence", 409, "The position is too far from the workplace to check in";
    OutsideSession = "outside_session", 409, "Check-in opens an hour before the session and closes an hour after it";
    OutsideYourDistricts = "outside_your_districts", 422, "The place is outside the districts the officer serves";
    OverlappingClaim = "overlapping_claim", 409, "The caller already holds a shift at that time";
    OwnMessage = "own_message", 422, "One reports the other side's messages, not one's own";
    OwnerCannotLeave = "owner_cannot_leave", 409, "The owner cannot remove themself";
    OwnerNotVerified = "owner_not_verified", 409, "The business's owner has not verified their real name yet";
    PayloadTooLarge = "payload_too_large", 413, "The request body is larger than the configured limit";
    PhoneTaken = "phone_taken", 409, "Another account already holds this phone number";
    PlacesBelowClaims = "places_below_claims", 409, "A shift's places cannot drop below the claims holding them";
    PostingExpired = "posting_expired", 409, "The posting has expired; set a new expiry first";
    PostingFinal = "posting_final", 409, "A closed or filled posting takes no new shifts";
    PostingNotOpen = "posting_not_open", 409, "Only open postings of verified businesses invite";
    PostingScreened = "posting_screened", 422, "The posting's text matches a screening rule for recruiting scams (worker fees, 刷单 tasks, 招转培 loans)";
    ProfileRequired = "profile_required", 409, "Fill in your profile first: routes are planned from it";
    ProposalAccepted = "proposal_accepted", 409, "This interview proposal is accepted already";
    RateLimited = "rate_limited", 429, "Too many attempts from this caller; retry after `Retry-After`";
    RatingWindowClosed = "rating_window_closed", 409, "The shift can no longer be rated";
    ReasonRequired = "reason_required", 422, "A reason is required";
    RebuildRunning = "rebuild_running", 409, "A rebuild is already running";
    RefreshTokenReused = "refresh_token_reused", 401, "This refresh token was already used; every session of this login is revoked";
    RegistrationCancelled = "registration_cancelled", 409, "This registration was cancelled";
    RegistrationClosed = "registration_closed", 409, "This session is cancelled or has started";
    RegistrationNotActive = "registration_not_active", 409, "The registration is not active";
    ReportClosed = "report_closed", 409, "This report is already resolved or rejected";
    ReportClosedForFiles = "report_closed_for_files", 409, "Files can be added until the report is dispatched";
    ReportIsDuplicate = "report_is_duplicate", 409, "This report is linked to an earlier one; dispatch that one";
    ReportNotWaiting = "report_not_waiting", 409, "Only a report waiting for dispatch can be rejected";
    RequestTimeout = "request_timeout", 408, "The request head did not arrive in time";
    Required = "required", 422, "The field is required";
    ReviewResolved = "review_resolved", 409, "This content review is already resolved";
    RoleNotAllowed = "role_not_allowed", 422, "Sign-up creates seeker or merchant accounts; officers are added by an admin";
    RouteNotFound = "route_not_found", 404, "No such route";
    SessionFull = "session_full", 409, "Every seat of this session is taken";
    SessionStarted = "session_started", 409, "A session that has started cannot be cancelled";
    ShiftCancelled = "shift_cancelled", 409, "This shift was cancelled";
    ShiftFull = "shift_full", 409, "All places of the shift are taken";
    ShiftStarted = "shift_started", 409, "This shift has already started";
    TokenExpired = "token_expired", 401, "The token has expired";
    TokenForeign = "token_foreign", 422, "The token is for another object";
    TokenMalformed = "token_malformed", 422, "This is not a Doorstep token";
    TokenNotYetValid = "token_not_yet_valid", 401, "The access token is not valid yet";
    TokenRevoked = "token_revoked", 401, "The account changed since this token was issued; refresh or log in again";
    TokenTampered = "token_tampered", 422, "This token's signature does not match: it was altered";
    TokenWrongPurpose = "token_wrong_purpose", 422, "The token is not a check-in token of this kind";
    TooFar = "too_far", 422, "The date is too far ahead";
    TooLarge = "too_large", 422, "The file is too large";
    TooLong = "too_long", 422, "The value is too long";
    TooMany = "too_many", 422, "Too many entries";
    TooManyAttempts = "too_many_attempts", 409, "Too many wrong codes; check in by location or ask the merchant";
    TooManyEndpoints = "too_many_endpoints", 409, "The business has as many webhook endpoints as it may";
    TooManyEntries = "too_many_entries", 409, "The lexicon holds as many stored entries as it may";
    TooManyFiles = "too_many_files", 409, "The report has as many files of this kind as it may";
    TooShort = "too_short", 422, "The value is too short";
    UnknownAccount = "unknown_account", 422, "No such account";
    UnknownAmenity = "unknown_amenity", 422, "Not a known amenity";
    UnknownCategory = "unknown_category", 422, "Not a known category";
    UnknownCoordSystem = "unknown_coord_system", 422, "`coord` is `wgs84` (the default) or `gcj02`";
    UnknownCredential = "unknown_credential", 422, "A certificate must be a known credential (急救证, 消防证…)";
    UnknownDepartment = "unknown_department", 422, "No such department";
    UnderReview = "under_review", 409, "An officer is still reviewing this text; it is shown once approved";
    UnknownField = "unknown_field", 400, "The body names a field the route does not take";
    UnknownKind = "unknown_kind", 422, "Not a known kind";
    UnknownMessage = "unknown_message", 422, "No such message in the conversation, or in the caller's conversations";
    UnknownPosting = "unknown_posting", 422, "Not a posting of this business";
    UnknownQuickReply = "unknown_quick_reply", 422, "Not one of this side's quick replies";
    UnknownSchedule = "unknown_schedule", 422, "Not a known schedule flag";
    UnknownStation = "unknown_station", 422, "No such station";
    UnknownTemplate = "unknown_template", 422, "Not a subscribe-message template this server sends";
    UnknownTag = "unknown_tag", 422, "Not one of the allowed tags";
    UnsupportedMediaType = "unsupported_media_type", 415, "The request body is not of the media type the route takes";
    ValidationFailed = "validation_failed", 422, "Well-formed input that breaks a rule; `errors` names each offending field";
    WeakPassword = "weak_password", 422, "The password does not meet the policy";
    WechatAlreadyBound = "wechat_already_bound", 409, "This account is already bound to another WeChat user; unbind it first";
    WechatBusy = "wechat_busy", 503, "WeChat is busy (errcode -1, still so after one retry); try again shortly";
    WechatCodeInvalid = "wechat_code_invalid", 422, "The WeChat code is invalid, expired or already used; call wx.login (or the phone button) again";
    WechatNotConfigured = "wechat_not_configured", 404, "WeChat mini-program features are not configured on this server";
    WechatOnlyLogin = "wechat_only_login", 409, "WeChat is this account's only login; verify a phone number before unbinding";
    WechatRateLimited = "wechat_rate_limited", 429, "WeChat's rate limit for this call was reached (errcode 45011); retry after Retry-After";
    WechatTaken = "wechat_taken", 409, "This WeChat user is already bound to another account";
    WechatUnavailable = "wechat_unavailable", 503, "WeChat cannot be reached or refuses this server's credentials; an operator has been told by the log";
    WrongCount = "wrong_count", 422, "Too few or too many words";
    WrongPassword = "wrong_password", 422, "The current password is wrong";
    WrongShape = "wrong_shape", 422, "The entry has the wrong keys for its kind";
}

impl ErrorCode {
    /// A short title in `language`. English has none per code (a problem's English title is
    /// its status's reason phrase), so this is the description there.
    pub fn title(self, language: Language) -> &'static str {
        match (language, zh::words(self)) {
            (Language::Zh, Some((title, _))) => title,
            _ => self.description(),
        }
    }

    /// One sentence saying what the code means, in `language`: the problem's detail when
    /// there is nothing more particular to say, and the message of a field error. A code
    /// whose Chinese is not written yet falls back to its English description.
    pub fn sentence(self, language: Language) -> &'static str {
        match (language, zh::words(self)) {
            (Language::Zh, Some((_, sentence))) => sentence,
            _ => self.description(),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is no code of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an error code of the catalogue")]
pub struct UnknownErrorCode(pub String);

impl FromStr for ErrorCode {
    type Err = UnknownErrorCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ErrorCode::ALL
            .iter()
            .copied()
            .find(|code| code.as_str() == s)
            .ok_or_else(|| UnknownErrorCode(s.to_owned()))
    }
}

// Comparing with the wire string keeps tests and callers that read codes as text working.
impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<ErrorCode> for &str {
    fn eq(&self, other: &ErrorCode) -> bool {
        *self == other.as_str()
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

/// A string enum of every code, with `x-error-codes` giving each one's status and meaning.
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> RefOr<Schema> {
        let table: serde_json::Map<String, serde_json::Value> = ErrorCode::ALL
            .iter()
            .map(|code| {
                (
                    code.as_str().to_owned(),
                    serde_json::json!({
                        "status": code.status(),
                        "description": code.description(),
                    }),
                )
            })
            .collect();
        let extensions: Extensions =
            [("x-error-codes".to_owned(), serde_json::Value::Object(table))]
                .into_iter()
                .collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "Stable machine-readable error code; clients branch on this. `x-error-codes` \
                 gives each code's HTTP status and meaning.",
            ))
            .enum_values(Some(ErrorCode::ALL.iter().map(|code| code.as_str())))
            .extensions(Some(extensions))
            .into()
    }
}

impl utoipa::ToSchema for ErrorCode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_unique_snake_case_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} is listed twice");
            assert!(
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{s} is not snake_case"
            );
            assert_eq!(s.parse::<ErrorCode>(), Ok(*code));
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(s));
            assert!(
                (400..600).contains(&code.status()),
                "{s}: status {}",
                code.status()
            );
            assert!(
                !code.description().is_empty() && !code.description().starts_with("TODO"),
                "{s} needs a description"
            );
        }
        assert!("no_such_code".parse::<ErrorCode>().is_err());
    }
}
