//! What a district's map shows (the officer console draws it): the district, its
//! businesses, its active stations and its open reports (随手拍), and its officers; and the
//! count of each per district for the list of districts.
//!
//! The district is checked with [`super::view_for`], as `GET /api/v1/districts/{id}`
//! does, so the map keeps to the same scope as the API: another district is "not found".
//! The lists are read by district (indexed), not by walking the officer's whole scope.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::scope_of;
use crate::DomainError;
use crate::auth::Principal;
use crate::entities::{account, business, district, report, station};
use crate::types::ReportStatus;

/// Reports still waiting for an outcome: not resolved or rejected. Duplicates are left
/// out, as in the coordinators' queue: they travel with the report they are linked to.
pub const OPEN_REPORTS: [ReportStatus; 3] = [
    ReportStatus::Submitted,
    ReportStatus::Dispatched,
    ReportStatus::InProgress,
];

/// The most points of one kind a map draws; a district with more says so.
pub const MAP_LIMIT: u64 = 2000;

/// One district with everything drawn on its map.
#[derive(Debug, Clone)]
pub struct DistrictMap {
    pub district: district::Model,
    /// By name.
    pub businesses: Vec<business::Model>,
    /// Active ones, by name.
    pub stations: Vec<station::Model>,
    /// Open reports, newest first.
    pub open_reports: Vec<report::Model>,
    /// The officers assigned to the district.
    pub officers: Vec<account::Model>,
    /// A kind had more than [`MAP_LIMIT`] points; only the first are drawn.
    pub truncated: bool,
}

fn open_report() -> SimpleExpr {
    report::Column::Status
        .is_in(OPEN_REPORTS)
        .and(report::Column::DuplicateOf.is_null())
}

fn active_station() -> SimpleExpr {
    station::Column::Active.eq(true)
}

fn cut<T>(mut rows: Vec<T>, truncated: &mut bool) -> Vec<T> {
    if rows.len() as u64 > MAP_LIMIT {
        rows.truncate(MAP_LIMIT as usize);
        *truncated = true;
    }
    rows
}

/// The map of district `id` for an admin or an officer of the district (another district
/// is "not found"; anyone else is refused).
pub async fn contents<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<DistrictMap, DomainError> {
    let district = super::view_for(db, actor, id).await?;
    let officers = super::officers(db, actor, id).await?;
    let mut truncated = false;
    let businesses = business::Entity::find()
        .filter(business::Column::DistrictId.eq(id))
        .order_by_asc(business::Column::Name)
        .limit(MAP_LIMIT + 1)
        .all(db)
        .await?;
    let stations = station::Entity::find()
        .filter(station::Column::DistrictId.eq(id))
        .filter(active_station())
        .order_by_asc(station::Column::Name)
        .limit(MAP_LIMIT + 1)
        .all(db)
        .await?;
    let open_reports = report::Entity::find()
        .filter(report::Column::DistrictId.eq(id))
        .filter(open_report())
        .order_by_desc(report::Column::Id)
        .limit(MAP_LIMIT + 1)
        .all(db)
        .await?;
    Ok(DistrictMap {
        district,
        businesses: cut(businesses, &mut truncated),
        stations: cut(stations, &mut truncated),
        open_reports: cut(open_reports, &mut truncated),
        officers,
        truncated,
    })
}

/// How many of each kind of point a district holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlaceCounts {
    pub businesses: u64,
    pub stations: u64,
    pub open_reports: u64,
}

fn add(
    out: &mut HashMap<Uuid, PlaceCounts>,
    rows: Vec<(Option<Uuid>, i64)>,
    set: impl Fn(&mut PlaceCounts, u64),
) {
    for (district, n) in rows.into_iter().filter_map(|(d, n)| Some((d?, n))) {
        set(
            out.entry(district).or_default(),
            u64::try_from(n).unwrap_or(0),
        );
    }
}

/// The counts of every district `actor` serves (all for admins): three grouped reads.
pub async fn counts<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
) -> Result<HashMap<Uuid, PlaceCounts>, DomainError> {
    let scope = scope_of(db, actor).await?;
    let mut out: HashMap<Uuid, PlaceCounts> = HashMap::new();
    let businesses: Vec<(Option<Uuid>, i64)> = business::Entity::find()
        .select_only()
        .column(business::Column::DistrictId)
        .column_as(Expr::col(business::Column::Id).count(), "n")
        .filter(business::Column::DistrictId.is_not_null())
        .filter(scope.condition(business::Column::DistrictId))
        .group_by(business::Column::DistrictId)
        .into_tuple()
        .all(db)
        .await?;
    add(&mut out, businesses, |c, n| c.businesses = n);
    let stations: Vec<(Option<Uuid>, i64)> = station::Entity::find()
        .select_only()
        .column(station::Column::DistrictId)
        .column_as(Expr::col(station::Column::Id).count(), "n")
        .filter(station::Column::DistrictId.is_not_null())
        .filter(active_station())
        .filter(scope.condition(station::Column::DistrictId))
        .group_by(station::Column::DistrictId)
        .into_tuple()
        .all(db)
        .await?;
    add(&mut out, stations, |c, n| c.stations = n);
    let reports: Vec<(Option<Uuid>, i64)> = report::Entity::find()
        .select_only()
        .column(report::Column::DistrictId)
        .column_as(Expr::col(report::Column::Id).count(), "n")
        .filter(report::Column::DistrictId.is_not_null())
        .filter(open_report())
        .filter(scope.condition(report::Column::DistrictId))
        .group_by(report::Column::DistrictId)
        .into_tuple()
        .all(db)
        .await?;
    add(&mut out, reports, |c, n| c.open_reports = n);
    Ok(out)
}
