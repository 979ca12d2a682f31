//! A fair's figures, for its officers: registrations and attendance; then, for the fair, each
//! booth and each posting, the planned visits and the share of them that happened (the
//! seeker was scanned at, or recorded by, the planned booth), booth visits, applications
//! made at the booths, and how many visitors got an interview, an offer, a hire. A visitor
//! reached a stage at a booth when the merchant recorded it, or when an application they
//! made there reached it (its history, so a later rejection does not erase an offer). A fair
//! holds at most a few thousand rows of each kind, read once.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::booths;
use super::status::{BoothOutcome, BoothStatus, FairStatus, RegistrationStatus};
use crate::auth::Principal;
use crate::entities::{
    application_event, fair_application, fair_booth, fair_booth_visit, fair_registration,
    fair_visit,
};
use crate::types::ApplicationStatus;
use crate::{DomainError, csv};

/// What happened, for the fair, one booth or one posting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub planned_visits: u64,
    /// Planned visits whose seeker was seen at the planned booth.
    pub planned_visits_happened: u64,
    /// `planned_visits_happened / planned_visits`; 0 when nothing was planned.
    pub planned_share_happened: f64,
    /// Visitors seen at the booth (scanned, or an outcome recorded), planned or not.
    pub booth_visits: u64,
    pub applications: u64,
    pub interviews: u64,
    pub offers: u64,
    pub hires: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoothFigures {
    pub booth_id: Uuid,
    pub number: Option<i32>,
    pub business_name: String,
    pub capacity_per_slot: i32,
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PostingFigures {
    pub posting_id: Uuid,
    pub title: String,
    pub booth_number: Option<i32>,
    pub business_name: String,
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FairFigures {
    pub fair_id: Uuid,
    pub title: String,
    pub status: FairStatus,
    /// Holding a place (walk-ins included).
    pub registered: u64,
    pub waitlisted: u64,
    pub cancelled: u64,
    pub walk_ins: u64,
    /// Checked in at the door or at a booth.
    pub attended: u64,
    pub counts: Counts,
    pub booths: Vec<BoothFigures>,
    pub postings: Vec<PostingFigures>,
}

fn stage_of(status: ApplicationStatus) -> Option<BoothOutcome> {
    match status {
        ApplicationStatus::Interview => Some(BoothOutcome::Interview),
        ApplicationStatus::Offered => Some(BoothOutcome::Offer),
        ApplicationStatus::Hired => Some(BoothOutcome::Hire),
        _ => None,
    }
}

/// Tallies over (seeker, something) pairs: who was planned, seen, applied, and the furthest
/// stage each reached.
#[derive(Default)]
struct Tally {
    planned: BTreeSet<Uuid>,
    seen: BTreeSet<Uuid>,
    applications: u64,
    stage: BTreeMap<Uuid, BoothOutcome>,
}

impl Tally {
    fn reach(&mut self, seeker: Uuid, stage: BoothOutcome) {
        let entry = self.stage.entry(seeker).or_insert(stage);
        if stage.rank() > entry.rank() {
            *entry = stage;
        }
    }

    fn at_least(&self, stage: BoothOutcome) -> u64 {
        self.stage
            .values()
            .filter(|s| s.rank() >= stage.rank())
            .count() as u64
    }

    fn counts(&self, planned_visits: u64) -> Counts {
        let happened = self.planned.intersection(&self.seen).count() as u64;
        Counts {
            planned_visits,
            planned_visits_happened: happened,
            planned_share_happened: if planned_visits == 0 {
                0.0
            } else {
                happened as f64 / planned_visits as f64
            },
            booth_visits: self.seen.len() as u64,
            applications: self.applications,
            interviews: self.at_least(BoothOutcome::Interview),
            offers: self.at_least(BoothOutcome::Offer),
            hires: self.at_least(BoothOutcome::Hire),
        }
    }
}

fn add(total: &mut Counts, part: &Counts) {
    total.planned_visits += part.planned_visits;
    total.planned_visits_happened += part.planned_visits_happened;
    total.booth_visits += part.booth_visits;
    total.applications += part.applications;
    total.interviews += part.interviews;
    total.offers += part.offers;
    total.hires += part.hires;
    total.planned_share_happened = if total.planned_visits == 0 {
        0.0
    } else {
        total.planned_visits_happened as f64 / total.planned_visits as f64
    };
}

/// The figures of one fair, for officers.
pub async fn figures<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
) -> Result<FairFigures, DomainError> {
    let f = super::managed(db, actor, fair_id).await?;
    let registrations = fair_registration::Entity::find()
        .filter(fair_registration::Column::FairId.eq(fair_id))
        .all(db)
        .await?;
    let count = |status: RegistrationStatus| {
        registrations.iter().filter(|r| r.status == status).count() as u64
    };
    let booths = booths::details(
        db,
        fair_booth::Entity::find()
            .filter(fair_booth::Column::FairId.eq(fair_id))
            .filter(fair_booth::Column::Status.eq(BoothStatus::Approved))
            .all(db)
            .await?,
    )
    .await?;
    let planned = fair_visit::Entity::find()
        .filter(fair_visit::Column::FairId.eq(fair_id))
        .all(db)
        .await?;
    let records = fair_booth_visit::Entity::find()
        .filter(fair_booth_visit::Column::FairId.eq(fair_id))
        .all(db)
        .await?;
    let applications = fair_application::Entity::find()
        .filter(fair_application::Column::FairId.eq(fair_id))
        .all(db)
        .await?;
    let events = application_event::Entity::find()
        .filter(
            application_event::Column::ApplicationId
                .is_in(applications.iter().map(|a| a.application_id)),
        )
        .all(db)
        .await?;
    let mut reached: HashMap<Uuid, BoothOutcome> = HashMap::new();
    for e in &events {
        if let Some(stage) = stage_of(e.to_status) {
            let entry = reached.entry(e.application_id).or_insert(stage);
            if stage.rank() > entry.rank() {
                *entry = stage;
            }
        }
    }

    let mut by_booth: HashMap<Uuid, Tally> = HashMap::new();
    let mut by_posting: HashMap<Uuid, Tally> = HashMap::new();
    let mut planned_per_booth: HashMap<Uuid, u64> = HashMap::new();
    let mut planned_per_posting: HashMap<Uuid, u64> = HashMap::new();
    let seen_at: BTreeSet<(Uuid, Uuid)> =
        records.iter().map(|r| (r.booth_id, r.seeker_id)).collect();
    for v in &planned {
        *planned_per_booth.entry(v.booth_id).or_default() += 1;
        *planned_per_posting.entry(v.posting_id).or_default() += 1;
        by_booth
            .entry(v.booth_id)
            .or_default()
            .planned
            .insert(v.seeker_id);
        let posting = by_posting.entry(v.posting_id).or_default();
        posting.planned.insert(v.seeker_id);
        // A planned visit happened if the seeker was seen at that booth, whatever posting
        // the conversation was about.
        if seen_at.contains(&(v.booth_id, v.seeker_id)) {
            posting.seen.insert(v.seeker_id);
        }
    }
    for r in &records {
        let booth = by_booth.entry(r.booth_id).or_default();
        booth.seen.insert(r.seeker_id);
        booth.reach(r.seeker_id, BoothOutcome::Met);
        if let Some(outcome) = r.outcome {
            booth.reach(r.seeker_id, outcome);
        }
        if let Some(p) = r.posting_id {
            let posting = by_posting.entry(p).or_default();
            posting.seen.insert(r.seeker_id);
            posting.reach(r.seeker_id, r.outcome.unwrap_or(BoothOutcome::Met));
        }
    }
    for a in &applications {
        let booth = by_booth.entry(a.booth_id).or_default();
        booth.applications += 1;
        let posting = by_posting.entry(a.posting_id).or_default();
        posting.applications += 1;
        if let Some(stage) = reached.get(&a.application_id) {
            by_booth
                .entry(a.booth_id)
                .or_default()
                .reach(a.seeker_id, *stage);
            by_posting
                .entry(a.posting_id)
                .or_default()
                .reach(a.seeker_id, *stage);
        }
    }

    let mut totals = Counts::default();
    let mut booth_rows = Vec::new();
    let mut posting_rows = Vec::new();
    for b in &booths {
        let counts = by_booth
            .get(&b.booth.id)
            .map(|t| t.counts(planned_per_booth.get(&b.booth.id).copied().unwrap_or(0)))
            .unwrap_or_default();
        add(&mut totals, &counts);
        booth_rows.push(BoothFigures {
            booth_id: b.booth.id,
            number: b.booth.number,
            business_name: b.business.name.clone(),
            capacity_per_slot: b.booth.capacity_per_slot,
            counts,
        });
        for p in &b.postings {
            posting_rows.push(PostingFigures {
                posting_id: p.id,
                title: p.title.clone(),
                booth_number: b.booth.number,
                business_name: b.business.name.clone(),
                counts: by_posting
                    .get(&p.id)
                    .map(|t| t.counts(planned_per_posting.get(&p.id).copied().unwrap_or(0)))
                    .unwrap_or_default(),
            });
        }
    }
    Ok(FairFigures {
        fair_id,
        title: f.title.clone(),
        status: f.status,
        registered: count(RegistrationStatus::Registered),
        waitlisted: count(RegistrationStatus::Waitlisted),
        cancelled: count(RegistrationStatus::Cancelled),
        walk_ins: registrations
            .iter()
            .filter(|r| r.walk_in && r.status == RegistrationStatus::Registered)
            .count() as u64,
        attended: registrations
            .iter()
            .filter(|r| r.checked_in_at.is_some())
            .count() as u64,
        counts: totals,
        booths: booth_rows,
        postings: posting_rows,
    })
}

const HEADER: [&str; 17] = [
    "范围",
    "展位号",
    "商户",
    "岗位",
    "报名",
    "候补",
    "取消",
    "现场报名",
    "签到",
    "计划到访",
    "计划中实到",
    "计划实现率",
    "展位到访",
    "申请",
    "面试",
    "录用意向",
    "录用",
];

fn count_cells(c: &Counts) -> Vec<String> {
    vec![
        c.planned_visits.to_string(),
        c.planned_visits_happened.to_string(),
        format!("{:.1}%", c.planned_share_happened * 100.0),
        c.booth_visits.to_string(),
        c.applications.to_string(),
        c.interviews.to_string(),
        c.offers.to_string(),
        c.hires.to_string(),
    ]
}

/// The figures as a CSV for Excel: one row for the fair, one per booth, one per posting.
pub fn to_csv(figures: &FairFigures) -> String {
    let blank = || vec![String::new(); 5];
    let number = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
    let mut rows = Vec::new();
    let mut fair_row = vec![
        "全场".to_owned(),
        String::new(),
        String::new(),
        String::new(),
        figures.registered.to_string(),
        figures.waitlisted.to_string(),
        figures.cancelled.to_string(),
        figures.walk_ins.to_string(),
        figures.attended.to_string(),
    ];
    fair_row.extend(count_cells(&figures.counts));
    rows.push(fair_row);
    for b in &figures.booths {
        let mut row = vec![
            "展位".to_owned(),
            number(b.number),
            b.business_name.clone(),
            String::new(),
        ];
        row.extend(blank());
        row.extend(count_cells(&b.counts));
        rows.push(row);
    }
    for p in &figures.postings {
        let mut row = vec![
            "岗位".to_owned(),
            number(p.booth_number),
            p.business_name.clone(),
            p.title.clone(),
        ];
        row.extend(blank());
        row.extend(count_cells(&p.counts));
        rows.push(row);
    }
    csv::document(&HEADER, &rows)
}
