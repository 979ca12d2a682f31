//! Response bodies of the job-fair routes.

use chrono::{DateTime, FixedOffset};
use doorstep_domain::entities::{fair, fair_booth_visit, fair_registration};
use doorstep_domain::fairs::booths::BoothDetail;
use doorstep_domain::fairs::plans::{PlanSummary, Stop, Visitor};
use doorstep_domain::fairs::status::{BoothOutcome, BoothStatus, FairStatus, RegistrationStatus};
use doorstep_domain::fairs::{ends_at, slot_window};
use doorstep_domain::time::to_display;
use doorstep_domain::types::PostingKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One time slot of a fair.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SlotView {
    /// From 1.
    pub number: i32,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FairView {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub mall: String,
    pub hall: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub slot_minutes: i32,
    pub slots: Vec<SlotView>,
    pub booth_count: i32,
    pub approved_booths: i32,
    pub seeker_capacity: i32,
    /// Places taken (walk-ins included, who may exceed the capacity).
    pub registered: i32,
    pub places_left: i32,
    pub visits_per_seeker: i32,
    pub registration_deadline: DateTime<FixedOffset>,
    pub status: FairStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    /// The last plan of the routes, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanSummary>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

impl From<fair::Model> for FairView {
    fn from(f: fair::Model) -> Self {
        Self {
            slots: (1..=f.slot_count)
                .map(|number| {
                    let (start, end) = slot_window(&f, number);
                    SlotView {
                        number,
                        starts_at: to_display(start),
                        ends_at: to_display(end),
                    }
                })
                .collect(),
            ends_at: to_display(ends_at(&f)),
            plan: f
                .plan_summary
                .clone()
                .and_then(|v| serde_json::from_value(v).ok()),
            id: f.id,
            title: f.title,
            description: f.description,
            mall: f.mall,
            hall: f.hall,
            address: f.address,
            lat: f.lat,
            lon: f.lon,
            starts_at: to_display(f.starts_at),
            slot_minutes: f.slot_minutes,
            booth_count: f.booth_count,
            approved_booths: f.approved_booths,
            seeker_capacity: f.seeker_capacity,
            registered: f.registered_count,
            places_left: (f.seeker_capacity - f.registered_count).max(0),
            visits_per_seeker: f.visits_per_seeker,
            registration_deadline: to_display(f.registration_deadline),
            status: f.status,
            cancel_reason: f.cancel_reason,
            created_at: to_display(f.created_at),
            updated_at: to_display(f.updated_at),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BoothPostingView {
    pub id: Uuid,
    pub title: String,
    pub kind: PostingKind,
    pub category: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BoothView {
    pub id: Uuid,
    pub fair_id: Uuid,
    /// Given on approval.
    pub number: Option<i32>,
    pub status: BoothStatus,
    pub business_id: Uuid,
    pub business_name: String,
    pub capacity_per_slot: i32,
    pub postings: Vec<BoothPostingView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    pub created_at: DateTime<FixedOffset>,
}

impl From<BoothDetail> for BoothView {
    fn from(d: BoothDetail) -> Self {
        Self {
            id: d.booth.id,
            fair_id: d.booth.fair_id,
            number: d.booth.number,
            status: d.booth.status,
            business_id: d.business.id,
            business_name: d.business.name,
            capacity_per_slot: d.booth.capacity_per_slot,
            postings: d
                .postings
                .into_iter()
                .map(|p| BoothPostingView {
                    id: p.id,
                    title: p.title,
                    kind: p.kind,
                    category: p.category,
                })
                .collect(),
            rejection_reason: d.booth.rejection_reason,
            created_at: to_display(d.booth.created_at),
        }
    }
}

/// One stop of a seeker's route.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StopView {
    /// From 1.
    pub slot: i32,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub booth_id: Uuid,
    pub booth_number: Option<i32>,
    pub business_name: String,
    /// The booth's posting that suits the seeker best.
    pub posting_id: Uuid,
    pub posting_title: String,
    /// The two-sided match score, 0 to 1.
    pub score: f64,
    /// Why it suits them, e.g. "距家800米 · 技能匹配：咖啡、收银 · 周末有空".
    pub explanation: String,
    /// Scanned at the booth.
    pub visited: bool,
}

impl From<Stop> for StopView {
    fn from(s: Stop) -> Self {
        Self {
            slot: s.visit.slot,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            booth_id: s.visit.booth_id,
            booth_number: s.booth_number,
            business_name: s.business_name,
            posting_id: s.visit.posting_id,
            posting_title: s.posting_title,
            score: s.visit.score,
            explanation: s.visit.explanation,
            visited: s.visited,
        }
    }
}

/// A seeker's registration, as they see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RegistrationView {
    pub id: Uuid,
    pub fair_id: Uuid,
    pub fair_title: String,
    pub status: RegistrationStatus,
    /// The slots they said they can attend; absent: all.
    pub slots: Option<Vec<i32>>,
    pub walk_in: bool,
    /// On the waiting list: 1 is next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waitlist_position: Option<u64>,
    pub checked_in_at: Option<DateTime<FixedOffset>>,
    /// The check-in QR code's content (`v1.fair-checkin.…`), while holding a place; valid
    /// until the fair ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The planned visits, in slot order (empty until routes are planned).
    pub route: Vec<StopView>,
    pub created_at: DateTime<FixedOffset>,
}

impl RegistrationView {
    pub fn new(
        f: &fair::Model,
        r: fair_registration::Model,
        position: Option<u64>,
        route: Vec<Stop>,
    ) -> Self {
        Self {
            token: doorstep_domain::fairs::checkin::token(f, &r),
            id: r.id,
            fair_id: r.fair_id,
            fair_title: f.title.clone(),
            status: r.status,
            slots: r.slots.map(|s| s.0),
            walk_in: r.walk_in,
            waitlist_position: position,
            checked_in_at: r.checked_in_at.map(to_display),
            route: route.into_iter().map(StopView::from).collect(),
            created_at: to_display(r.created_at),
        }
    }
}

/// A registration in the seeker's list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RegistrationSummary {
    pub id: Uuid,
    pub fair_id: Uuid,
    pub fair_title: String,
    pub fair_status: FairStatus,
    pub starts_at: DateTime<FixedOffset>,
    pub status: RegistrationStatus,
    pub created_at: DateTime<FixedOffset>,
}

impl RegistrationSummary {
    pub fn new((r, f): (fair_registration::Model, fair::Model)) -> Self {
        Self {
            id: r.id,
            fair_id: f.id,
            fair_title: f.title,
            fair_status: f.status,
            starts_at: to_display(f.starts_at),
            status: r.status,
            created_at: to_display(r.created_at),
        }
    }
}

/// One visitor on a booth's schedule: masked until they check in at the fair; never their
/// contact details (applying shares those).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VisitorView {
    pub slot: i32,
    pub starts_at: DateTime<FixedOffset>,
    pub seeker_id: Uuid,
    /// 林** until checked in, then the full name.
    pub name: String,
    pub checked_in: bool,
    pub skills: Vec<String>,
    pub posting_id: Uuid,
    pub posting_title: String,
    pub score: f64,
    pub explanation: String,
    pub scanned_at: Option<DateTime<FixedOffset>>,
    pub outcome: Option<BoothOutcome>,
}

impl From<Visitor> for VisitorView {
    fn from(v: Visitor) -> Self {
        Self {
            slot: v.visit.slot,
            starts_at: v.starts_at,
            seeker_id: v.visit.seeker_id,
            name: v.name,
            checked_in: v.checked_in,
            skills: v.skills,
            posting_id: v.visit.posting_id,
            posting_title: v.posting_title,
            score: v.visit.score,
            explanation: v.visit.explanation,
            scanned_at: v.scanned_at,
            outcome: v.outcome,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ScheduleView {
    pub fair_id: Uuid,
    pub booth_id: Uuid,
    pub booth_number: Option<i32>,
    pub business_name: String,
    pub capacity_per_slot: i32,
    /// In slot order.
    pub visitors: Vec<VisitorView>,
}

/// A recorded scan.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ScanView {
    pub registration_id: Uuid,
    pub seeker_id: Uuid,
    /// The seeker's name (they are here).
    pub name: String,
    /// The booth that scanned; absent at the door.
    pub booth_id: Option<Uuid>,
    /// `false`: this place scanned the token before; nothing was counted again.
    pub first_scan: bool,
    /// When this place first scanned it.
    pub scanned_at: DateTime<FixedOffset>,
    pub checked_in_at: Option<DateTime<FixedOffset>>,
}

/// What a booth recorded about a visitor.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BoothVisitView {
    pub booth_id: Uuid,
    pub seeker_id: Uuid,
    pub outcome: Option<BoothOutcome>,
    pub posting_id: Option<Uuid>,
    pub scanned_at: Option<DateTime<FixedOffset>>,
    pub outcome_at: Option<DateTime<FixedOffset>>,
}

impl From<fair_booth_visit::Model> for BoothVisitView {
    fn from(v: fair_booth_visit::Model) -> Self {
        Self {
            booth_id: v.booth_id,
            seeker_id: v.seeker_id,
            outcome: v.outcome,
            posting_id: v.posting_id,
            scanned_at: v.scanned_at.map(to_display),
            outcome_at: v.outcome_at.map(to_display),
        }
    }
}
