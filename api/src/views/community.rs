//! Response bodies of the community routes: stations, trainings, reports, points, wishes.

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use doorstep_domain::entities::{
    department, point_entry, redemption, report, report_event, report_media, reward,
    training_registration, training_session, wish,
};
use doorstep_domain::stations::hours::{OpenStatus, OpeningHours};
use doorstep_domain::stations::{self, NearbyStation};
use doorstep_domain::time::{self, to_display};
use doorstep_domain::types::{
    Amenity, MediaKind, PointReason, RedemptionStatus, ReportCategory, ReportStatus, SeatStatus,
    SessionStatus, TrainingCategory, WishCategory, WishStatus,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

fn local(at: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
    time::from_local(at).map(time::to_display)
}

/// A station, with whether it is open now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StationView {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub amenities: Vec<Amenity>,
    pub opening_hours: OpeningHours,
    pub contact_phone: Option<String>,
    pub description: String,
    pub active: bool,
    pub open_now: bool,
    /// When it closes, if open (absent when it is open round the clock).
    pub closes_at: Option<DateTime<FixedOffset>>,
    /// When it next opens, if closed (absent when it does not open within a week).
    pub opens_at: Option<DateTime<FixedOffset>>,
    /// Today's exception (a holiday, a closure), if any.
    pub today_note: Option<String>,
    /// Metres from the point asked about, for "near me".
    pub distance_m: Option<u32>,
}

impl StationView {
    pub fn new(
        station: doorstep_domain::entities::station::Model,
        status: OpenStatus,
        distance_m: Option<f64>,
    ) -> Self {
        let today = time::today();
        Self {
            today_note: station
                .opening_hours
                .exception_on(today)
                .map(|e| e.note.clone())
                .filter(|n| !n.is_empty()),
            id: station.id,
            name: station.name,
            address: station.address,
            lat: station.lat,
            lon: station.lon,
            amenities: station.amenities.0,
            opening_hours: station.opening_hours,
            contact_phone: station.contact_phone,
            description: station.description,
            active: station.active,
            open_now: status.open,
            closes_at: status.closes_at.and_then(local),
            opens_at: status.opens_at.and_then(local),
            distance_m: distance_m.map(|d| d.round() as u32),
        }
    }

    pub fn now(station: doorstep_domain::entities::station::Model) -> Self {
        let status = stations::status_at(&station, time::now());
        Self::new(station, status, None)
    }
}

impl From<NearbyStation> for StationView {
    fn from(n: NearbyStation) -> Self {
        Self::new(n.station, n.status, Some(n.distance_m))
    }
}

/// A GeoJSON point geometry: `[longitude, latitude]`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PointGeometry {
    #[serde(rename = "type")]
    #[schema(example = "Point")]
    pub kind: String,
    pub coordinates: [f64; 2],
}

/// What a map shows of a station.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StationProperties {
    pub name: String,
    pub address: String,
    pub amenities: Vec<Amenity>,
    pub open_now: bool,
    pub closes_at: Option<DateTime<FixedOffset>>,
    pub opens_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StationFeature {
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: String,
    pub id: Uuid,
    pub geometry: PointGeometry,
    pub properties: StationProperties,
}

/// An RFC 7946 FeatureCollection of stations, for a map client to draw as is.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StationCollection {
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: String,
    pub features: Vec<StationFeature>,
}

impl StationCollection {
    pub fn of(stations: Vec<doorstep_domain::entities::station::Model>) -> Self {
        let now = time::now();
        Self {
            kind: "FeatureCollection".into(),
            features: stations
                .into_iter()
                .map(|s| {
                    let status = stations::status_at(&s, now);
                    StationFeature {
                        kind: "Feature".into(),
                        id: s.id,
                        geometry: PointGeometry {
                            kind: "Point".into(),
                            coordinates: [s.lon, s.lat],
                        },
                        properties: StationProperties {
                            name: s.name,
                            address: s.address,
                            amenities: s.amenities.0,
                            open_now: status.open,
                            closes_at: status.closes_at.and_then(local),
                            opens_at: status.opens_at.and_then(local),
                        },
                    }
                })
                .collect(),
        }
    }
}

/// A training session.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TrainingSessionView {
    pub id: Uuid,
    pub topic: String,
    pub category: TrainingCategory,
    pub description: String,
    pub station_id: Option<Uuid>,
    pub venue: String,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub capacity: i32,
    pub registered: i32,
    pub seats_left: i32,
    /// The credential attending earns.
    pub certificate: Option<String>,
    pub status: SessionStatus,
}

impl From<training_session::Model> for TrainingSessionView {
    fn from(s: training_session::Model) -> Self {
        Self {
            id: s.id,
            topic: s.topic,
            category: s.category,
            description: s.description,
            station_id: s.station_id,
            venue: s.venue,
            starts_at: to_display(s.starts_at),
            ends_at: to_display(s.ends_at),
            capacity: s.capacity,
            registered: s.registered,
            seats_left: (s.capacity - s.registered).max(0),
            certificate: s.certificate,
            status: s.status,
        }
    }
}

/// A worker's seat at a session.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SeatView {
    pub id: Uuid,
    pub session_id: Uuid,
    pub status: SeatStatus,
    pub created_at: DateTime<FixedOffset>,
    pub cancelled_at: Option<DateTime<FixedOffset>>,
    pub attended_at: Option<DateTime<FixedOffset>>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<TrainingSessionView>,
    /// The QR token to show at the session (the worker's own registered seats only).
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkin_token: Option<String>,
}

impl SeatView {
    pub fn new(r: training_registration::Model, session: Option<training_session::Model>) -> Self {
        Self {
            id: r.id,
            session_id: r.session_id,
            status: r.status,
            created_at: to_display(r.created_at),
            cancelled_at: r.cancelled_at.map(to_display),
            attended_at: r.attended_at.map(to_display),
            session: session.map(Into::into),
            checkin_token: None,
        }
    }

    pub fn with_token(mut self, token: Option<String>) -> Self {
        self.checkin_token = token;
        self
    }
}

/// A recorded training check-in.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TrainingCheckinView {
    pub registration: SeatView,
    /// `false` when the token had been scanned before (nothing was counted again).
    pub first: bool,
}

/// A file attached to a report.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MediaView {
    pub id: Uuid,
    pub kind: MediaKind,
    pub content_type: String,
    pub size_bytes: i64,
    /// Where to fetch it (with the same access as the report).
    pub url: String,
}

impl From<report_media::Model> for MediaView {
    fn from(m: report_media::Model) -> Self {
        Self {
            url: format!("/api/v1/media/{}", m.id),
            id: m.id,
            kind: m.kind,
            content_type: m.content_type,
            size_bytes: m.size_bytes,
        }
    }
}

/// One step of a report's history.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReportEventView {
    pub kind: String,
    pub note: String,
    pub at: DateTime<FixedOffset>,
}

impl From<report_event::Model> for ReportEventView {
    fn from(e: report_event::Model) -> Self {
        Self {
            kind: e.kind,
            note: e.note,
            at: to_display(e.at),
        }
    }
}

/// A report as its reporter, the coordinators and the handler see it. The reporter's
/// account is named only to coordinators.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReportView {
    pub id: Uuid,
    pub category: ReportCategory,
    pub text: String,
    pub lat: f64,
    pub lon: f64,
    pub address: String,
    pub status: ReportStatus,
    /// The earlier report of the same problem this one is linked to.
    pub duplicate_of: Option<Uuid>,
    /// Later reports linked to this one.
    pub duplicates: i32,
    pub department_id: Option<Uuid>,
    pub deadline: Option<DateTime<FixedOffset>>,
    pub dispatched_at: Option<DateTime<FixedOffset>>,
    pub escalated_at: Option<DateTime<FixedOffset>>,
    pub resolved_at: Option<DateTime<FixedOffset>>,
    pub resolution_note: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporter_id: Option<Uuid>,
    pub files: Vec<MediaView>,
    pub history: Vec<ReportEventView>,
}

impl ReportView {
    pub fn new(
        r: report::Model,
        files: Vec<report_media::Model>,
        history: Vec<report_event::Model>,
        show_reporter: bool,
    ) -> Self {
        Self {
            id: r.id,
            category: r.category,
            text: r.text,
            lat: r.lat,
            lon: r.lon,
            address: r.address,
            status: r.status,
            duplicate_of: r.duplicate_of,
            duplicates: r.duplicates,
            department_id: r.department_id,
            deadline: r.deadline.map(to_display),
            dispatched_at: r.dispatched_at.map(to_display),
            escalated_at: r.escalated_at.map(to_display),
            resolved_at: r.resolved_at.map(to_display),
            resolution_note: r.resolution_note,
            created_at: to_display(r.created_at),
            reporter_id: r.reporter_id.filter(|_| show_reporter),
            files: files.into_iter().map(Into::into).collect(),
            history: history.into_iter().map(Into::into).collect(),
        }
    }

    /// In a list: no files or history.
    pub fn brief(r: report::Model, show_reporter: bool) -> Self {
        Self::new(r, vec![], vec![], show_reporter)
    }
}

/// What a dispatch returns: the report and the handling link the department was sent.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DispatchView {
    pub report: ReportView,
    /// The signed link e-mailed to the department (coordinators may pass it on by hand).
    pub handling_link: String,
}

/// A resolved report on the public board: what and where, never who reported it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PublicReportView {
    pub id: Uuid,
    pub category: ReportCategory,
    pub text: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    /// How many people reported it.
    pub reports: i32,
    pub reported_on: chrono::NaiveDate,
    pub resolved_at: Option<DateTime<FixedOffset>>,
    pub resolution_note: Option<String>,
    pub resolution_photos: Vec<String>,
}

impl PublicReportView {
    pub fn new(r: report::Model, photos: Vec<Uuid>) -> Self {
        Self {
            id: r.id,
            category: r.category,
            text: r.text,
            address: r.address,
            lat: r.lat,
            lon: r.lon,
            reports: r.duplicates + 1,
            reported_on: time::local_date(r.created_at),
            resolved_at: r.resolved_at.map(to_display),
            resolution_note: r.resolution_note,
            resolution_photos: photos
                .into_iter()
                .map(|id| format!("/api/v1/media/{id}"))
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DepartmentView {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub handler_id: Option<Uuid>,
    pub created_at: DateTime<FixedOffset>,
}

impl From<department::Model> for DepartmentView {
    fn from(d: department::Model) -> Self {
        Self {
            id: d.id,
            name: d.name,
            email: d.email,
            handler_id: d.handler_id,
            created_at: to_display(d.created_at),
        }
    }
}

/// One line of a points ledger.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PointEntryView {
    pub seq: i32,
    pub delta: i32,
    pub balance_after: i32,
    pub reason: PointReason,
    pub note: String,
    pub at: DateTime<FixedOffset>,
}

impl From<point_entry::Model> for PointEntryView {
    fn from(e: point_entry::Model) -> Self {
        Self {
            seq: e.seq,
            delta: e.delta,
            balance_after: e.balance_after,
            reason: e.reason,
            note: e.note,
            at: to_display(e.created_at),
        }
    }
}

/// A worker's balance and their latest ledger lines.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PointsView {
    pub balance: i32,
    pub entries: Vec<PointEntryView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RewardView {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub cost: i32,
    /// Items left; absent for no limit.
    pub stock: Option<i32>,
    pub created_at: DateTime<FixedOffset>,
}

impl From<reward::Model> for RewardView {
    fn from(r: reward::Model) -> Self {
        Self {
            id: r.id,
            name: r.name,
            description: r.description,
            cost: r.cost,
            stock: r.stock,
            created_at: to_display(r.created_at),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RedemptionView {
    pub id: Uuid,
    pub reward_id: Uuid,
    pub cost: i32,
    pub status: RedemptionStatus,
    pub created_at: DateTime<FixedOffset>,
    pub fulfilled_at: Option<DateTime<FixedOffset>>,
    /// The balance right after redeeming (on the redeem response only).
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance: Option<i32>,
}

impl RedemptionView {
    pub fn new(r: redemption::Model, balance: Option<i32>) -> Self {
        Self {
            id: r.id,
            reward_id: r.reward_id,
            cost: r.cost,
            status: r.status,
            created_at: to_display(r.created_at),
            fulfilled_at: r.fulfilled_at.map(to_display),
            balance,
        }
    }
}

/// One worker in the quarterly league.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LeagueRowView {
    pub rank: usize,
    pub account_id: Uuid,
    pub display_name: String,
    pub earned: i64,
    pub entries: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LeagueView {
    /// e.g. `2026Q4`.
    pub quarter: String,
    pub rows: Vec<LeagueRowView>,
}

/// A wish on the wall: never who posted it (except `mine` for its author).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WishView {
    pub id: Uuid,
    pub category: WishCategory,
    pub text: String,
    pub status: WishStatus,
    pub response: Option<String>,
    pub mine: bool,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

impl WishView {
    pub fn new(w: wish::Model, viewer: Option<Uuid>) -> Self {
        Self {
            id: w.id,
            category: w.category,
            text: w.text,
            status: w.status,
            response: w.response,
            mine: viewer.is_some() && w.author_id == viewer,
            created_at: to_display(w.created_at),
            updated_at: to_display(w.updated_at),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WishCountView {
    pub category: WishCategory,
    pub status: WishStatus,
    pub count: i64,
}
