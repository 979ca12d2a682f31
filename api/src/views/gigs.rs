//! Response bodies of the gig routes. Times are RFC 3339 in +08:00; money is integer fen.

use chrono::{DateTime, FixedOffset, Utc};
use doorstep_domain::applications::Applicant;
use doorstep_domain::entities::{
    favourite_worker, gig_option, gig_setting, shift, shift_change, shift_claim, shift_rating,
};
use doorstep_domain::gigs::pay::{PayLine, WeekTotal, yuan};
use doorstep_domain::gigs::ratings::RatingsSeen;
use doorstep_domain::gigs::reliability::{Record, Reliability, WINDOW_DAYS};
use doorstep_domain::gigs::settings::CurrentCode;
use doorstep_domain::gigs::shifts::{open_places, open_to_everyone};
use doorstep_domain::time::to_display;
use doorstep_domain::types::{
    AttendanceMethod, BookingMode, ClaimStatus, HoursStatus, RatingSide, ShiftPayUnit, ShiftStatus,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

fn shown(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    to_display(at)
}

/// A dated shift of a gig posting.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ShiftView {
    pub id: Uuid,
    pub posting_id: Uuid,
    pub business_id: Uuid,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// Whether it ends on a later day (China time) than it starts.
    pub crosses_midnight: bool,
    pub places: i32,
    /// Claims holding a place.
    pub claimed: i32,
    /// Places anyone may claim now (0 once started, cancelled, or while offered to
    /// favourites only).
    pub open_places: i32,
    /// Integer fen per `pay_unit`.
    pub pay_fen: i64,
    pub pay_unit: ShiftPayUnit,
    pub break_minutes: i32,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    /// Check-in by location works within this many metres.
    pub geofence_m: i32,
    pub status: ShiftStatus,
    /// Until then only the business's favourite workers may claim it.
    pub favourites_only_until: Option<DateTime<FixedOffset>>,
    pub cancel_reason: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    /// How the merchant kept its word over the last 90 days (`GET /shifts/{id}` and the
    /// posting's shift list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant: Option<crate::views::complaints::MerchantRecordView>,
}

impl ShiftView {
    pub fn new(s: shift::Model, now: DateTime<Utc>) -> Self {
        let open = open_places(&s, now);
        let favourites_only_until = (!open_to_everyone(&s, now))
            .then_some(s.favourites_until)
            .flatten()
            .map(shown);
        Self {
            id: s.id,
            posting_id: s.posting_id,
            business_id: s.business_id,
            crosses_midnight: shown(s.starts_at).date_naive() != shown(s.ends_at).date_naive(),
            starts_at: shown(s.starts_at),
            ends_at: shown(s.ends_at),
            places: s.places,
            claimed: s.claimed,
            open_places: open,
            pay_fen: s.pay_fen,
            pay_unit: s.pay_unit,
            break_minutes: s.break_minutes,
            address: s.address,
            lat: s.lat,
            lon: s.lon,
            geofence_m: s.geofence_m,
            status: s.status,
            favourites_only_until,
            cancel_reason: s.cancel_reason,
            created_at: shown(s.created_at),
            updated_at: shown(s.updated_at),
            merchant: None,
        }
    }

    pub fn with_merchant(
        mut self,
        record: Option<crate::views::complaints::MerchantRecordView>,
    ) -> Self {
        self.merchant = record;
        self
    }
}

/// Shifts created together (one, or a pattern's).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ShiftList {
    pub items: Vec<ShiftView>,
}

/// A change made to a claimed shift, or its cancellation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ShiftChangeView {
    /// `updated` or `cancelled`.
    pub kind: String,
    pub reason: Option<String>,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
    pub actor_id: Uuid,
    pub at: DateTime<FixedOffset>,
}

impl From<shift_change::Model> for ShiftChangeView {
    fn from(c: shift_change::Model) -> Self {
        Self {
            kind: c.kind,
            reason: c.reason,
            before: c.before,
            after: c.after,
            actor_id: c.actor_id,
            at: shown(c.at),
        }
    }
}

/// A span of work as one side stated it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SpanView {
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
}

fn span(start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> Option<SpanView> {
    Some(SpanView {
        start: shown(start?),
        end: shown(end?),
    })
}

/// Hours and pay of a claim; while disputed, both sides' times.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HoursView {
    pub status: HoursStatus,
    /// The merchant's times, once confirmed.
    pub merchant: Option<SpanView>,
    /// The worker's times, when disputed.
    pub worker: Option<SpanView>,
    pub break_minutes: Option<i32>,
    /// Minutes paid (settled), or the merchant's figure while disputed.
    pub minutes: Option<i32>,
    /// Integer fen due, once settled.
    pub pay_fen: Option<i64>,
    pub dispute_reason: Option<String>,
    pub resolution_note: Option<String>,
    pub confirmed_at: Option<DateTime<FixedOffset>>,
    pub disputed_at: Option<DateTime<FixedOffset>>,
    pub resolved_at: Option<DateTime<FixedOffset>>,
}

/// The worker behind a claim, as the business sees them (claiming shared name and phone).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkerView {
    pub name: String,
    pub phone: Option<String>,
    pub reliability: ReliabilityView,
}

/// A claim on a shift: its place, attendance and hours.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClaimView {
    pub id: Uuid,
    pub shift_id: Uuid,
    pub posting_id: Uuid,
    pub business_id: Uuid,
    pub seeker_id: Uuid,
    pub status: ClaimStatus,
    /// 1 for the next in line, while waitlisted.
    pub waitlist_position: Option<u64>,
    pub late_cancellation: bool,
    pub cancelled_at: Option<DateTime<FixedOffset>>,
    pub cancel_reason: Option<String>,
    pub checked_in_at: Option<DateTime<FixedOffset>>,
    pub checkin_method: Option<AttendanceMethod>,
    /// Minutes after the start the worker checked in (0: on time).
    pub late_minutes: Option<i32>,
    pub checked_out_at: Option<DateTime<FixedOffset>>,
    pub checkout_method: Option<AttendanceMethod>,
    pub hours: HoursView,
    /// The shift claimed (in the claimant's lists and single reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shift: Option<ShiftView>,
    /// For the business: who claimed, with their reliability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker: Option<WorkerView>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

impl ClaimView {
    pub fn new(c: shift_claim::Model) -> Self {
        Self {
            id: c.id,
            shift_id: c.shift_id,
            posting_id: c.posting_id,
            business_id: c.business_id,
            seeker_id: c.seeker_id,
            status: c.status,
            waitlist_position: None,
            late_cancellation: c.late_cancellation,
            cancelled_at: c.cancelled_at.map(shown),
            cancel_reason: c.cancel_reason,
            checked_in_at: c.checked_in_at.map(shown),
            checkin_method: c.checkin_method,
            late_minutes: c.late_minutes,
            checked_out_at: c.checked_out_at.map(shown),
            checkout_method: c.checkout_method,
            hours: HoursView {
                status: c.hours_status,
                merchant: span(c.merchant_start, c.merchant_end),
                worker: span(c.seeker_start, c.seeker_end),
                break_minutes: c.break_minutes,
                minutes: c.final_minutes,
                pay_fen: c.pay_fen.filter(|_| c.hours_status.is_settled()),
                dispute_reason: c.dispute_reason,
                resolution_note: c.resolution_note,
                confirmed_at: c.confirmed_at.map(shown),
                disputed_at: c.disputed_at.map(shown),
                resolved_at: c.resolved_at.map(shown),
            },
            shift: None,
            worker: None,
            created_at: shown(c.created_at),
            updated_at: shown(c.updated_at),
        }
    }

    pub fn with_shift(mut self, s: shift::Model, now: DateTime<Utc>) -> Self {
        self.shift = Some(ShiftView::new(s, now));
        self
    }

    pub fn with_position(mut self, position: Option<u64>) -> Self {
        self.waitlist_position = position;
        self
    }

    pub fn with_worker(mut self, applicant: Option<&Applicant>, reliability: Reliability) -> Self {
        self.worker = Some(WorkerView {
            name: applicant.map(|a| a.name.clone()).unwrap_or_default(),
            phone: applicant.and_then(|a| a.phone.clone()),
            reliability: ReliabilityView::new(reliability, None),
        });
        self
    }
}

/// A worker's reliability over the last 90 days: completed / (completed + no-shows + late
/// cancellations), with the counts. No history means no score, not a low one.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReliabilityView {
    pub completed: u32,
    pub no_shows: u32,
    pub late_cancellations: u32,
    /// completed + no_shows + late_cancellations.
    pub counted: u32,
    /// 0 to 1; null with no history.
    pub score: Option<f64>,
    /// The score as a whole percentage; null with no history.
    pub percent: Option<u32>,
    pub window_days: i64,
    /// Ratings merchants gave that are revealed (worker's record reads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratings: Option<u32>,
    /// Their average, one decimal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_stars: Option<f64>,
}

impl ReliabilityView {
    pub fn new(r: Reliability, ratings: Option<(u32, Option<u32>)>) -> Self {
        Self {
            completed: r.completed,
            no_shows: r.no_shows,
            late_cancellations: r.late_cancellations,
            counted: r.counted(),
            score: r.score(),
            percent: r.percent(),
            window_days: WINDOW_DAYS,
            ratings: ratings.map(|(n, _)| n),
            average_stars: ratings
                .and_then(|(_, tenths)| tenths)
                .map(|t| f64::from(t) / 10.0),
        }
    }

    pub fn of_record(record: Record) -> Self {
        Self::new(
            record.reliability,
            Some((record.ratings, record.stars_tenths)),
        )
    }
}

/// The code a merchant's device shows, and how long it is good for.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckinCodeView {
    /// Six digits.
    pub code: String,
    /// What a QR code on the device encodes: `doorstep:checkin?b=<business>&c=<code>`.
    pub qr_payload: String,
    pub valid_from: DateTime<FixedOffset>,
    /// Accepted until then (one step of tolerance for clocks and typing).
    pub accepted_until: DateTime<FixedOffset>,
    /// Seconds until the next code.
    pub refresh_in_secs: i64,
}

impl CheckinCodeView {
    pub fn new(business_id: Uuid, c: CurrentCode) -> Self {
        Self {
            qr_payload: format!("doorstep:checkin?b={business_id}&c={}", c.code),
            code: c.code,
            valid_from: shown(c.valid_from),
            accepted_until: shown(c.accepted_until),
            refresh_in_secs: c.refresh_in_secs,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GigSettingsView {
    pub business_id: Uuid,
    pub geofence_m: i32,
    pub updated_at: DateTime<FixedOffset>,
}

impl From<gig_setting::Model> for GigSettingsView {
    fn from(s: gig_setting::Model) -> Self {
        Self {
            business_id: s.business_id,
            geofence_m: s.geofence_m,
            updated_at: shown(s.updated_at),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GigOptionsView {
    pub posting_id: Uuid,
    pub booking_mode: BookingMode,
    pub cancel_cutoff_hours: i32,
}

impl GigOptionsView {
    pub fn new(posting_id: Uuid, (booking_mode, cancel_cutoff_hours): (BookingMode, i32)) -> Self {
        Self {
            posting_id,
            booking_mode,
            cancel_cutoff_hours,
        }
    }
}

impl From<gig_option::Model> for GigOptionsView {
    fn from(o: gig_option::Model) -> Self {
        Self::new(o.posting_id, (o.booking_mode, o.cancel_cutoff_hours))
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RatingView {
    /// Who rated: `merchant` (the business rating the worker) or `seeker`.
    pub side: RatingSide,
    pub stars: i16,
    pub tags: Vec<String>,
    pub comment: String,
    pub created_at: DateTime<FixedOffset>,
}

impl From<shift_rating::Model> for RatingView {
    fn from(r: shift_rating::Model) -> Self {
        Self {
            side: r.side,
            stars: r.stars,
            tags: r.tags.0,
            comment: r.comment,
            created_at: shown(r.created_at),
        }
    }
}

/// A claim's ratings as one side sees them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RatingsView {
    pub mine: Option<RatingView>,
    /// The other side's rating: shown once both have rated, or after `revealed_at`.
    pub theirs: Option<RatingView>,
    /// Whether the other side has rated (even while their rating is hidden).
    pub theirs_given: bool,
    pub revealed_at: DateTime<FixedOffset>,
}

impl From<RatingsSeen> for RatingsView {
    fn from(r: RatingsSeen) -> Self {
        Self {
            mine: r.mine.map(Into::into),
            theirs: r.theirs.map(Into::into),
            theirs_given: r.theirs_given,
            revealed_at: shown(r.revealed_at),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PayLineView {
    pub claim_id: Uuid,
    pub shift_id: Uuid,
    pub seeker_id: Uuid,
    pub worker: String,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub hours_status: HoursStatus,
    pub minutes: Option<i32>,
    /// Integer fen, once the hours are settled.
    pub pay_fen: Option<i64>,
    /// The same in yuan, as text ("187.50").
    pub pay_yuan: Option<String>,
    /// Integer fen the merchant owes for cancelling the shift late (then `pay_fen` is this
    /// figure); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation_fen: Option<i64>,
}

impl From<PayLine> for PayLineView {
    fn from(l: PayLine) -> Self {
        Self {
            claim_id: l.claim_id,
            shift_id: l.shift_id,
            seeker_id: l.seeker_id,
            worker: l.worker,
            starts_at: shown(l.starts_at),
            ends_at: shown(l.ends_at),
            hours_status: l.hours_status,
            minutes: l.minutes,
            pay_fen: l.pay_fen,
            pay_yuan: l.pay_fen.map(yuan),
            compensation_fen: l.compensation_fen,
        }
    }
}

/// A shift's pay summary.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ShiftPayView {
    pub shift_id: Uuid,
    pub lines: Vec<PayLineView>,
    /// Settled minutes and fen only.
    pub total_minutes: i64,
    pub total_pay_fen: i64,
    /// Workers whose hours are not settled yet.
    pub unsettled: u32,
}

impl ShiftPayView {
    pub fn new(shift_id: Uuid, lines: Vec<PayLine>) -> Self {
        let settled: Vec<&PayLine> = lines.iter().filter(|l| l.pay_fen.is_some()).collect();
        Self {
            shift_id,
            total_minutes: settled
                .iter()
                .map(|l| i64::from(l.minutes.unwrap_or(0)))
                .sum(),
            total_pay_fen: settled.iter().filter_map(|l| l.pay_fen).sum(),
            unsettled: (lines.len() - settled.len()) as u32,
            lines: lines.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WeekTotalView {
    pub seeker_id: Uuid,
    pub worker: String,
    /// ISO week, e.g. `2026-W48` (Monday to Sunday, China time).
    pub week: String,
    pub shifts: u32,
    pub minutes: i64,
    pub pay_fen: i64,
    pub pay_yuan: String,
    pub unsettled: u32,
}

impl From<WeekTotal> for WeekTotalView {
    fn from(t: WeekTotal) -> Self {
        Self {
            seeker_id: t.seeker_id,
            worker: t.worker,
            week: t.week,
            shifts: t.shifts,
            minutes: t.minutes,
            pay_yuan: yuan(t.pay_fen),
            pay_fen: t.pay_fen,
            unsettled: t.unsettled,
        }
    }
}

/// A week's pay: each shift worked, and totals per worker.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WeekPayView {
    pub week: String,
    pub lines: Vec<PayLineView>,
    pub totals: Vec<WeekTotalView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FavouriteView {
    pub seeker_id: Uuid,
    pub name: String,
    pub added_at: DateTime<FixedOffset>,
}

impl FavouriteView {
    pub fn new(f: favourite_worker::Model, applicant: Option<&Applicant>) -> Self {
        Self {
            seeker_id: f.seeker_id,
            name: applicant.map(|a| a.name.clone()).unwrap_or_default(),
            added_at: shown(f.created_at),
        }
    }
}
