//! Routes: what the planner (in the matcher crate, which scores the pairs) reads and writes,
//! and how seekers and merchants read the result. Planning runs in one write transaction
//! that first bumps the fair's plan version (locking its row on PostgreSQL), so two plans of
//! one fair never interleave and a cancellation waits for the plan that would include it.
//!
//! Routes are delivered when they are planned (an inbox notice to every seeker whose route
//! is new or changed, and to the members of every booth whose schedule changed), so every
//! stored visit counts as sent; how a re-plan keeps them is the planner's rule.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::booths::{self, BoothDetail};
use super::status::{BoothOutcome, BoothStatus, RegistrationStatus};
use super::{find as find_fair, registrations, require_live, slot_window};
use crate::auth::Principal;
use crate::entities::{
    fair, fair_booth, fair_booth_visit, fair_registration, fair_visit, seeker_profile,
};
use crate::{DomainError, applications, inbox, time};

/// Everything a plan is made from, read inside the planning transaction.
#[derive(Debug, Clone)]
pub struct PlanningInput {
    /// With its plan version already advanced.
    pub fair: fair::Model,
    /// Registrations holding a place.
    pub registrations: Vec<fair_registration::Model>,
    pub profiles: Vec<seeker_profile::Model>,
    /// Approved booths.
    pub booths: Vec<BoothDetail>,
    /// The routes as they stand (already sent).
    pub current: Vec<fair_visit::Model>,
}

/// Opens a plan of the fair: officers only, live fairs only.
pub async fn begin<C: ConnectionTrait>(
    txn: &C,
    actor: &Principal,
    fair_id: Uuid,
) -> Result<PlanningInput, DomainError> {
    let f = super::managed(txn, actor, fair_id).await?;
    require_live(&f)?;
    fair::Entity::update_many()
        .col_expr(
            fair::Column::PlanVersion,
            Expr::col(fair::Column::PlanVersion).add(1),
        )
        .filter(fair::Column::Id.eq(fair_id))
        .exec(txn)
        .await?;
    let f = find_fair(txn, fair_id).await?;
    let registrations = fair_registration::Entity::find()
        .filter(fair_registration::Column::FairId.eq(fair_id))
        .filter(fair_registration::Column::Status.eq(RegistrationStatus::Registered))
        .all(txn)
        .await?;
    let profiles = seeker_profile::Entity::find()
        .filter(seeker_profile::Column::AccountId.is_in(registrations.iter().map(|r| r.seeker_id)))
        .all(txn)
        .await?;
    let approved = fair_booth::Entity::find()
        .filter(fair_booth::Column::FairId.eq(fair_id))
        .filter(fair_booth::Column::Status.eq(BoothStatus::Approved))
        .all(txn)
        .await?;
    let booths = booths::details(txn, approved).await?;
    let current = fair_visit::Entity::find()
        .filter(fair_visit::Column::FairId.eq(fair_id))
        .all(txn)
        .await?;
    Ok(PlanningInput {
        fair: f,
        registrations,
        profiles,
        booths,
        current,
    })
}

/// One visit of a new plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedVisit {
    pub registration_id: Uuid,
    pub seeker_id: Uuid,
    pub booth_id: Uuid,
    pub posting_id: Uuid,
    /// From 1.
    pub slot: i32,
    pub score: f64,
    pub explanation: String,
}

/// What a plan did, kept on the fair and returned to the officer.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanSummary {
    pub version: i32,
    /// `exact` (flow and edge colouring: the optimum) or `heuristic` (seekers' slot
    /// restrictions or routes kept from an earlier plan).
    pub method: String,
    /// Sum of the planned visits' scores.
    pub total_score: f64,
    /// No plan can score more than this (equal to `total_score` for exact plans).
    pub upper_bound: f64,
    /// At most this share below the optimum: `1 − total_score / upper_bound`.
    pub gap_bound: f64,
    /// Seekers holding a place.
    pub seekers: usize,
    pub seekers_with_route: usize,
    pub booths: usize,
    pub visits: usize,
    /// Visits of routes already sent that stayed.
    pub kept: usize,
    pub added: usize,
    /// Visits of routes already sent that had to go (booth gone, visitor cancelled, slot
    /// no longer possible, capacity lowered, posting closed).
    pub dropped: usize,
    /// (seeker, booth) pairs scored, and those scoring at least `fair_min_score`.
    pub pairs_scored: usize,
    pub pairs_worth_a_visit: usize,
    /// Time to score and plan, in milliseconds.
    pub planning_ms: u64,
    pub planned_at: DateTime<FixedOffset>,
}

type Key = (Uuid, Uuid, i32);

fn key_of(v: &fair_visit::Model) -> Key {
    (v.registration_id, v.booth_id, v.slot)
}

/// Replaces the fair's visits by `visits`, tells everyone whose route or schedule changed,
/// and records the summary on the fair.
pub async fn store<C: ConnectionTrait>(
    txn: &C,
    input: &PlanningInput,
    visits: Vec<PlannedVisit>,
    mut summary: PlanSummary,
) -> Result<PlanSummary, DomainError> {
    let f = &input.fair;
    let now = time::now();
    let old: HashMap<Key, &fair_visit::Model> =
        input.current.iter().map(|v| (key_of(v), v)).collect();
    let new_keys: BTreeSet<Key> = visits
        .iter()
        .map(|v| (v.registration_id, v.booth_id, v.slot))
        .collect();
    let gone: Vec<Uuid> = input
        .current
        .iter()
        .filter(|v| !new_keys.contains(&key_of(v)))
        .map(|v| v.id)
        .collect();
    let mut changed_seekers: BTreeSet<Uuid> = input
        .current
        .iter()
        .filter(|v| gone.contains(&v.id))
        .map(|v| v.seeker_id)
        .collect();
    let mut changed_booths: BTreeSet<Uuid> = input
        .current
        .iter()
        .filter(|v| gone.contains(&v.id))
        .map(|v| v.booth_id)
        .collect();
    for chunk in gone.chunks(500) {
        fair_visit::Entity::delete_many()
            .filter(fair_visit::Column::Id.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
    }
    let (mut kept, mut added) = (0, 0);
    let mut fresh = Vec::new();
    for v in &visits {
        match old.get(&(v.registration_id, v.booth_id, v.slot)) {
            Some(existing) => {
                kept += 1;
                if existing.posting_id != v.posting_id
                    || existing.explanation != v.explanation
                    || (existing.score - v.score).abs() > 1e-9
                {
                    fair_visit::Entity::update_many()
                        .col_expr(fair_visit::Column::PostingId, Expr::value(v.posting_id))
                        .col_expr(fair_visit::Column::Score, Expr::value(v.score))
                        .col_expr(
                            fair_visit::Column::Explanation,
                            Expr::value(v.explanation.clone()),
                        )
                        .filter(fair_visit::Column::Id.eq(existing.id))
                        .exec(txn)
                        .await?;
                }
            }
            None => {
                added += 1;
                changed_seekers.insert(v.seeker_id);
                changed_booths.insert(v.booth_id);
                fresh.push(fair_visit::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    fair_id: Set(f.id),
                    registration_id: Set(v.registration_id),
                    seeker_id: Set(v.seeker_id),
                    booth_id: Set(v.booth_id),
                    posting_id: Set(v.posting_id),
                    slot: Set(v.slot),
                    score: Set(v.score),
                    explanation: Set(v.explanation.clone()),
                    plan_version: Set(f.plan_version),
                    created_at: Set(now),
                });
            }
        }
    }
    // Many rows per statement (a plan holds thousands); SQLite takes at most 32,766
    // parameters in one, and a visit has 11.
    for chunk in fresh.chunks(500) {
        fair_visit::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    summary.kept = kept;
    summary.added = added;
    summary.dropped = gone.len();
    summary.planned_at = time::to_display(now);

    // Seekers left without a visit are told too, once: when they are new since the last
    // plan.
    let planned_seekers: BTreeSet<Uuid> = visits.iter().map(|v| v.seeker_id).collect();
    for r in &input.registrations {
        let new_since_last = f.planned_at.is_none_or(|last| r.updated_at > last);
        if new_since_last && !planned_seekers.contains(&r.seeker_id) {
            changed_seekers.insert(r.seeker_id);
        }
    }
    let booth_number: HashMap<Uuid, i32> = input
        .booths
        .iter()
        .filter_map(|b| Some((b.booth.id, b.booth.number?)))
        .collect();
    let mut by_seeker: BTreeMap<Uuid, Vec<&PlannedVisit>> = BTreeMap::new();
    for v in &visits {
        by_seeker.entry(v.seeker_id).or_default().push(v);
    }
    for seeker in &changed_seekers {
        let mut stops = by_seeker.remove(seeker).unwrap_or_default();
        stops.sort_by_key(|v| v.slot);
        let body = if stops.is_empty() {
            "暂时没有适合你的展位安排，可以现场自由参观。".to_owned()
        } else {
            stops
                .iter()
                .map(|v| {
                    let (start, _) = slot_window(f, v.slot);
                    format!(
                        "{} {}号展位",
                        time::to_display(start).format("%H:%M"),
                        booth_number.get(&v.booth_id).copied().unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("；")
        };
        inbox::notify(
            txn,
            *seeker,
            "fair_route_ready",
            format!("你的招聘会路线：{}", f.title),
            body,
            json!({"fair_id": f.id, "plan_version": f.plan_version}),
        )
        .await?;
    }
    for booth in input
        .booths
        .iter()
        .filter(|b| changed_booths.contains(&b.booth.id))
    {
        let coming = visits
            .iter()
            .filter(|v| v.booth_id == booth.booth.id)
            .count();
        applications::notify_members(
            txn,
            booth.business.id,
            "fair_schedule_ready",
            format!("招聘会到访安排：{}", f.title),
            format!("{coming} 位求职者按计划将到访你的展位。"),
            json!({"fair_id": f.id, "booth_id": booth.booth.id}),
        )
        .await?;
    }
    fair::Entity::update_many()
        .col_expr(fair::Column::PlannedAt, Expr::value(now))
        .col_expr(
            fair::Column::PlanSummary,
            Expr::value(serde_json::to_value(&summary).expect("summaries serialise")),
        )
        .filter(fair::Column::Id.eq(f.id))
        .exec(txn)
        .await?;
    Ok(summary)
}

/// One stop of a seeker's route.
#[derive(Debug, Clone)]
pub struct Stop {
    pub visit: fair_visit::Model,
    pub booth_number: Option<i32>,
    pub business_name: String,
    pub posting_title: String,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// Scanned at the booth.
    pub visited: bool,
}

/// A seeker's own registration with its route, in slot order.
pub async fn route<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
    registration_id: Uuid,
) -> Result<(fair::Model, fair_registration::Model, Vec<Stop>), DomainError> {
    let registration = registrations::own(db, actor, fair_id, registration_id).await?;
    let f = find_fair(db, fair_id).await?;
    let visits = fair_visit::Entity::find()
        .filter(fair_visit::Column::RegistrationId.eq(registration.id))
        .all(db)
        .await?;
    let mut stops = stops_of(db, &f, visits, Some(registration.seeker_id)).await?;
    let stops = stops.remove(&registration.id).unwrap_or_default();
    Ok((f, registration, stops))
}

/// The routes made of `visits` (of fair `f`), by registration, each in slot order; `seeker`
/// narrows the read of booth scans to one seeker's.
async fn stops_of<C: ConnectionTrait>(
    db: &C,
    f: &fair::Model,
    visits: Vec<fair_visit::Model>,
    seeker: Option<Uuid>,
) -> Result<HashMap<Uuid, Vec<Stop>>, DomainError> {
    let booth_ids: BTreeSet<Uuid> = visits.iter().map(|v| v.booth_id).collect();
    let booths: HashMap<Uuid, BoothDetail> = booths::details(
        db,
        fair_booth::Entity::find()
            .filter(fair_booth::Column::Id.is_in(booth_ids))
            .all(db)
            .await?,
    )
    .await?
    .into_iter()
    .map(|d| (d.booth.id, d))
    .collect();
    let mut scans = fair_booth_visit::Entity::find()
        .filter(fair_booth_visit::Column::FairId.eq(f.id))
        .filter(fair_booth_visit::Column::ScannedAt.is_not_null());
    if let Some(seeker) = seeker {
        scans = scans.filter(fair_booth_visit::Column::SeekerId.eq(seeker));
    }
    let seen: BTreeSet<(Uuid, Uuid)> = scans
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.seeker_id, v.booth_id))
        .collect();
    let mut out: HashMap<Uuid, Vec<Stop>> = HashMap::new();
    for visit in visits {
        let Some(booth) = booths.get(&visit.booth_id) else {
            continue;
        };
        let posting_title = booth
            .postings
            .iter()
            .find(|p| p.id == visit.posting_id)
            .map(|p| p.title.clone())
            .unwrap_or_default();
        let (start, end) = slot_window(f, visit.slot);
        out.entry(visit.registration_id).or_default().push(Stop {
            booth_number: booth.booth.number,
            business_name: booth.business.name.clone(),
            posting_title,
            starts_at: time::to_display(start),
            ends_at: time::to_display(end),
            visited: seen.contains(&(visit.seeker_id, visit.booth_id)),
            visit,
        });
    }
    for stops in out.values_mut() {
        stops.sort_by_key(|s| s.visit.slot);
    }
    Ok(out)
}

/// A seeker holding a place at a fair, or waiting for one, as the fair's officers see them.
#[derive(Debug, Clone)]
pub struct RosterEntry {
    pub registration: fair_registration::Model,
    /// Masked like on the booths' schedules ([`shown_name`]).
    pub name: String,
    /// The planned route, in slot order (empty before a plan, and while waiting).
    pub stops: Vec<Stop>,
}

/// Who holds a place at the fair (and who waits, after them), in the order they
/// registered, with their routes: for the staff who run the fair, e.g. to print route
/// sheets. Names show as the booths' schedules show them.
pub async fn roster<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
) -> Result<(fair::Model, Vec<RosterEntry>), DomainError> {
    let f = super::managed(db, actor, fair_id).await?;
    let mut registrations = fair_registration::Entity::find()
        .filter(fair_registration::Column::FairId.eq(fair_id))
        .filter(fair_registration::Column::Status.ne(RegistrationStatus::Cancelled))
        .all(db)
        .await?;
    registrations.sort_by_key(|r| {
        (
            r.status != RegistrationStatus::Registered,
            r.queued_at,
            r.id,
        )
    });
    // In chunks: the waiting list has no bound, SQLite's statements a parameter limit.
    let mut names: HashMap<Uuid, String> = HashMap::new();
    for chunk in registrations.chunks(5000) {
        let found = seeker_profile::Entity::find()
            .filter(seeker_profile::Column::AccountId.is_in(chunk.iter().map(|r| r.seeker_id)))
            .all(db)
            .await?;
        names.extend(found.into_iter().map(|p| (p.account_id, p.full_name)));
    }
    let visits = fair_visit::Entity::find()
        .filter(fair_visit::Column::FairId.eq(fair_id))
        .all(db)
        .await?;
    let mut stops = stops_of(db, &f, visits, None).await?;
    let entries = registrations
        .into_iter()
        .map(|registration| {
            let full = names
                .get(&registration.seeker_id)
                .map(String::as_str)
                .unwrap_or_default();
            RosterEntry {
                name: shown_name(full, registration.checked_in_at.is_some()),
                stops: stops.remove(&registration.id).unwrap_or_default(),
                registration,
            }
        })
        .collect();
    Ok((f, entries))
}

/// One visitor on a booth's schedule, as the merchant sees them.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub visit: fair_visit::Model,
    /// Masked (林**) until the seeker has checked in at the fair.
    pub name: String,
    pub checked_in: bool,
    pub skills: Vec<String>,
    pub posting_title: String,
    pub starts_at: DateTime<FixedOffset>,
    pub scanned_at: Option<DateTime<FixedOffset>>,
    pub outcome: Option<BoothOutcome>,
}

/// A seeker's name as a booth or an officer sees it: masked until they check in at the
/// fair, in full after.
pub fn shown_name(full: &str, checked_in: bool) -> String {
    if checked_in {
        full.to_owned()
    } else {
        mask_name(full)
    }
}

/// The first character and two stars, as names are shown before a seeker shares more.
pub fn mask_name(name: &str) -> String {
    match name.chars().next() {
        Some(first) => format!("{first}**"),
        None => "**".to_owned(),
    }
}

/// Who comes to a booth when, for the booth's business and officers.
pub async fn schedule<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
    booth_id: Uuid,
) -> Result<(fair::Model, BoothDetail, Vec<Visitor>), DomainError> {
    let booth = booths::as_member(db, actor, fair_id, booth_id).await?;
    let f = find_fair(db, fair_id).await?;
    let detail = booths::details(db, vec![booth])
        .await?
        .pop()
        .ok_or(DomainError::NotFound("booth"))?;
    let visitors = visitors_of(db, &f, std::slice::from_ref(&detail))
        .await?
        .remove(&booth_id)
        .unwrap_or_default();
    Ok((f, detail, visitors))
}

/// Every approved booth's schedule (as [`schedule`] gives each), by booth number: for the
/// staff who run the fair, e.g. to print them all, in a few reads whatever the booths.
pub async fn schedules<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    fair_id: Uuid,
) -> Result<(fair::Model, Vec<(BoothDetail, Vec<Visitor>)>), DomainError> {
    let f = super::managed(db, actor, fair_id).await?;
    let approved = fair_booth::Entity::find()
        .filter(fair_booth::Column::FairId.eq(fair_id))
        .filter(fair_booth::Column::Status.eq(BoothStatus::Approved))
        .all(db)
        .await?;
    let details = booths::details(db, approved).await?;
    let mut visitors = visitors_of(db, &f, &details).await?;
    let out = details
        .into_iter()
        .map(|d| {
            let mine = visitors.remove(&d.booth.id).unwrap_or_default();
            (d, mine)
        })
        .collect();
    Ok((f, out))
}

/// The visitors planned at each of `booths` (of fair `f`), by booth id, in slot order.
async fn visitors_of<C: ConnectionTrait>(
    db: &C,
    f: &fair::Model,
    booths: &[BoothDetail],
) -> Result<HashMap<Uuid, Vec<Visitor>>, DomainError> {
    let ids: Vec<Uuid> = booths.iter().map(|d| d.booth.id).collect();
    let mut visits = fair_visit::Entity::find()
        .filter(fair_visit::Column::BoothId.is_in(ids.clone()))
        .all(db)
        .await?;
    visits.sort_by_key(|v| (v.slot, v.id));
    let seekers: BTreeSet<Uuid> = visits.iter().map(|v| v.seeker_id).collect();
    let profiles: HashMap<Uuid, seeker_profile::Model> = seeker_profile::Entity::find()
        .filter(seeker_profile::Column::AccountId.is_in(seekers))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.account_id, p))
        .collect();
    let by_id: HashMap<Uuid, &BoothDetail> = booths.iter().map(|d| (d.booth.id, d)).collect();
    let checked_in: BTreeSet<Uuid> = fair_registration::Entity::find()
        .filter(fair_registration::Column::FairId.eq(f.id))
        .filter(fair_registration::Column::CheckedInAt.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let records: HashMap<(Uuid, Uuid), fair_booth_visit::Model> = fair_booth_visit::Entity::find()
        .filter(fair_booth_visit::Column::BoothId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|r| ((r.booth_id, r.seeker_id), r))
        .collect();
    let mut out: HashMap<Uuid, Vec<Visitor>> = HashMap::new();
    for visit in visits {
        let Some(detail) = by_id.get(&visit.booth_id) else {
            continue;
        };
        let profile = profiles.get(&visit.seeker_id);
        let checked_in = checked_in.contains(&visit.registration_id);
        let full = profile.map(|p| p.full_name.clone()).unwrap_or_default();
        let record = records.get(&(visit.booth_id, visit.seeker_id));
        let (start, _) = slot_window(f, visit.slot);
        out.entry(visit.booth_id).or_default().push(Visitor {
            name: shown_name(&full, checked_in),
            checked_in,
            skills: profile.map(|p| p.skills.0.clone()).unwrap_or_default(),
            posting_title: detail
                .postings
                .iter()
                .find(|p| p.id == visit.posting_id)
                .map(|p| p.title.clone())
                .unwrap_or_default(),
            starts_at: time::to_display(start),
            scanned_at: record.and_then(|r| r.scanned_at).map(time::to_display),
            outcome: record.and_then(|r| r.outcome),
            visit,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_to_their_first_character() {
        assert_eq!(mask_name("林小雨"), "林**");
        assert_eq!(mask_name("Alex"), "A**");
        assert_eq!(mask_name(""), "**");
    }
}
