//! Response bodies of the officers' services: districts, service records, audit entries.

use chrono::{DateTime, FixedOffset, NaiveDate};
use doorstep_domain::districts::Moved;
use doorstep_domain::entities::{district, service_record};
use doorstep_domain::time::to_display;
use doorstep_domain::types::ServiceKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PointView {
    pub lat: f64,
    pub lon: f64,
}

/// A district as staff see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DistrictView {
    pub id: Uuid,
    pub name: String,
    pub center: PointView,
    pub boundary: Vec<PointView>,
    pub area_km2: f64,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

impl From<district::Model> for DistrictView {
    fn from(d: district::Model) -> Self {
        Self {
            id: d.id,
            name: d.name,
            center: PointView {
                lat: d.center_lat,
                lon: d.center_lon,
            },
            boundary: d
                .boundary
                .0
                .iter()
                .map(|p| PointView {
                    lat: p[0],
                    lon: p[1],
                })
                .collect(),
            area_km2: (d.area_m2 / 1e4).round() / 100.0,
            created_at: to_display(d.created_at),
            updated_at: to_display(d.updated_at),
        }
    }
}

/// What drawing or redrawing a district moved into or out of districts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MovedView {
    pub businesses: usize,
    pub profiles: usize,
    pub stations: usize,
    pub reports: usize,
    pub fairs: usize,
}

impl From<Moved> for MovedView {
    fn from(m: Moved) -> Self {
        Self {
            businesses: m.businesses,
            profiles: m.profiles,
            stations: m.stations,
            reports: m.reports,
            fairs: m.fairs,
        }
    }
}

/// A district just drawn or redrawn, with what moved.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DistrictChangeView {
    #[serde(flatten)]
    pub district: DistrictView,
    pub moved: MovedView,
}

/// A service record on a seeker's file.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ServiceRecordView {
    pub id: Uuid,
    pub seeker_id: Uuid,
    pub officer_id: Uuid,
    pub district_id: Option<Uuid>,
    pub kind: ServiceKind,
    pub notes: String,
    pub outcome: Option<String>,
    pub follow_up_due: Option<NaiveDate>,
    pub follow_up_done_at: Option<DateTime<FixedOffset>>,
    /// Due today or earlier and not done.
    pub overdue: bool,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

impl ServiceRecordView {
    pub fn new(r: service_record::Model, today: NaiveDate) -> Self {
        Self {
            id: r.id,
            seeker_id: r.seeker_id,
            officer_id: r.officer_id,
            district_id: r.district_id,
            kind: r.kind,
            overdue: r.follow_up_done_at.is_none() && r.follow_up_due.is_some_and(|d| d < today),
            notes: r.notes,
            outcome: r.outcome,
            follow_up_due: r.follow_up_due,
            follow_up_done_at: r.follow_up_done_at.map(to_display),
            created_at: to_display(r.created_at),
            updated_at: to_display(r.updated_at),
        }
    }
}

/// One entry of the audit log: who read whose data, what, when and why.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEntryView {
    pub id: Uuid,
    pub actor_id: Uuid,
    /// The actor's display name; absent if their account no longer exists.
    pub actor_name: Option<String>,
    /// The person whose data was read.
    pub subject_id: Option<Uuid>,
    /// e.g. `read_profile`, `read_application`.
    pub action: String,
    pub object_type: String,
    pub object_id: Uuid,
    pub reason: String,
    pub at: DateTime<FixedOffset>,
}

impl From<doorstep_domain::audit::AuditRow> for AuditEntryView {
    fn from(row: doorstep_domain::audit::AuditRow) -> Self {
        let e = row.entry;
        Self {
            id: e.id,
            actor_id: e.actor_id,
            actor_name: row.actor_name,
            subject_id: e.subject_id,
            action: e.action,
            object_type: e.object_type,
            object_id: e.object_id,
            reason: e.reason,
            at: to_display(e.at),
        }
    }
}

/// A page of audit entries, newest first.
// The same JSON as `Page<AuditEntryView>`; its own type for its name in the OpenAPI
// document (see `AccountPage`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}
