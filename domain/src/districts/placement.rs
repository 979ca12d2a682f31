//! Which district a point belongs to, and keeping every placed row's `district_id` right
//! when districts are drawn, redrawn or removed.
//!
//! Placed by location: businesses, seekers (by home), stations, reports, fairs (by venue).
//! Placed by what they belong to: postings and applications (their business), training
//! sessions at a station (the station), redemptions (their worker's home). Where districts overlap, a point belongs to the
//! smallest one that contains it, so a district drawn inside another carves out its part.

use std::collections::BTreeMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::geometry::Ring;
use crate::DomainError;
use crate::entities::{
    application, business, district, fair, posting, redemption, report, seeker_profile, station,
    training_session,
};
use crate::outbox::{self, Aggregate};
use crate::types::GeoPoint;

/// Every district's boundary, smallest first.
pub struct Map {
    districts: Vec<(Uuid, Ring)>,
}

impl Map {
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, DomainError> {
        let rows = district::Entity::find()
            .order_by_asc(district::Column::AreaM2)
            .order_by_asc(district::Column::Id)
            .all(db)
            .await?;
        Ok(Self {
            districts: rows.into_iter().map(|d| (d.id, d.boundary)).collect(),
        })
    }

    pub fn locate(&self, point: GeoPoint) -> Option<Uuid> {
        self.districts
            .iter()
            .find(|(_, ring)| ring.contains(point))
            .map(|(id, _)| *id)
    }

    fn locate_raw(&self, lat: Option<f64>, lon: Option<f64>) -> Option<Uuid> {
        match (lat, lon) {
            (Some(lat), Some(lon)) => GeoPoint::new(lat, lon).ok().and_then(|p| self.locate(p)),
            _ => None,
        }
    }
}

/// The district `point` lies in, if any.
pub async fn locate<C: ConnectionTrait>(
    db: &C,
    point: GeoPoint,
) -> Result<Option<Uuid>, DomainError> {
    Ok(Map::load(db).await?.locate(point))
}

/// Like [`locate`] for an optional point (a seeker without a home location).
pub async fn locate_opt<C: ConnectionTrait>(
    db: &C,
    lat: Option<f64>,
    lon: Option<f64>,
) -> Result<Option<Uuid>, DomainError> {
    Ok(Map::load(db).await?.locate_raw(lat, lon))
}

/// How many rows of each kind changed district.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Moved {
    pub businesses: usize,
    pub profiles: usize,
    pub stations: usize,
    pub reports: usize,
    pub fairs: usize,
}

type Rows = Vec<(Uuid, Option<f64>, Option<f64>, Option<Uuid>)>;

/// The rows whose district changes, grouped by their new district.
fn moves(map: &Map, rows: Rows) -> BTreeMap<Option<Uuid>, Vec<Uuid>> {
    let mut out: BTreeMap<Option<Uuid>, Vec<Uuid>> = BTreeMap::new();
    for (id, lat, lon, current) in rows {
        let placed = map.locate_raw(lat, lon);
        if placed != current {
            out.entry(placed).or_default().push(id);
        }
    }
    out
}

fn count(moves: &BTreeMap<Option<Uuid>, Vec<Uuid>>) -> usize {
    moves.values().map(Vec::len).sum()
}

/// `IN` lists stay under every backend's parameter limit.
const CHUNK: usize = 500;

macro_rules! set_district {
    ($db:expr, $entity:ident, $key:expr, $district:expr, $ids:expr) => {
        for chunk in $ids.chunks(CHUNK) {
            $entity::Entity::update_many()
                .col_expr($entity::Column::DistrictId, Expr::value($district))
                .filter($key.is_in(chunk.iter().copied()))
                .exec($db)
                .await?;
        }
    };
}

/// Recomputes the district of everything placed; run in the transaction that changed the
/// districts. Seekers who moved are re-indexed (officers' searches filter by district).
pub async fn relocate_all<C: ConnectionTrait>(db: &C) -> Result<Moved, DomainError> {
    relocate(db, true).await
}

/// [`relocate_all`] without re-indexing anyone: for bulk loaders that rebuild the index
/// from the database afterwards.
pub async fn relocate_quietly<C: ConnectionTrait>(db: &C) -> Result<Moved, DomainError> {
    relocate(db, false).await
}

async fn relocate<C: ConnectionTrait>(db: &C, reindex: bool) -> Result<Moved, DomainError> {
    let map = Map::load(db).await?;
    let mut moved = Moved::default();

    let rows: Rows = business::Entity::find()
        .select_only()
        .columns([
            business::Column::Id,
            business::Column::Lat,
            business::Column::Lon,
            business::Column::DistrictId,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let by = moves(&map, rows);
    moved.businesses = count(&by);
    for (district, ids) in &by {
        set_district!(db, business, business::Column::Id, *district, ids);
        set_district!(db, posting, posting::Column::BusinessId, *district, ids);
        set_district!(
            db,
            application,
            application::Column::BusinessId,
            *district,
            ids
        );
    }

    let rows: Rows = seeker_profile::Entity::find()
        .select_only()
        .columns([
            seeker_profile::Column::AccountId,
            seeker_profile::Column::HomeLat,
            seeker_profile::Column::HomeLon,
            seeker_profile::Column::DistrictId,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let by = moves(&map, rows);
    moved.profiles = count(&by);
    for (district, ids) in &by {
        set_district!(
            db,
            seeker_profile,
            seeker_profile::Column::AccountId,
            *district,
            ids
        );
        set_district!(
            db,
            redemption,
            redemption::Column::AccountId,
            *district,
            ids
        );
        for id in ids.iter().filter(|_| reindex) {
            outbox::record(
                db,
                Aggregate::Profile,
                *id,
                "relocated",
                json!({"district_id": district}),
            )
            .await?;
        }
    }

    let rows: Rows = station::Entity::find()
        .select_only()
        .columns([
            station::Column::Id,
            station::Column::Lat,
            station::Column::Lon,
            station::Column::DistrictId,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let by = moves(&map, rows);
    moved.stations = count(&by);
    for (district, ids) in &by {
        set_district!(db, station, station::Column::Id, *district, ids);
        set_district!(
            db,
            training_session,
            training_session::Column::StationId,
            *district,
            ids
        );
    }

    let rows: Rows = report::Entity::find()
        .select_only()
        .columns([
            report::Column::Id,
            report::Column::Lat,
            report::Column::Lon,
            report::Column::DistrictId,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let by = moves(&map, rows);
    moved.reports = count(&by);
    for (district, ids) in &by {
        set_district!(db, report, report::Column::Id, *district, ids);
    }

    let rows: Rows = fair::Entity::find()
        .select_only()
        .columns([
            fair::Column::Id,
            fair::Column::Lat,
            fair::Column::Lon,
            fair::Column::DistrictId,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let by = moves(&map, rows);
    moved.fairs = count(&by);
    for (district, ids) in &by {
        set_district!(db, fair, fair::Column::Id, *district, ids);
    }
    Ok(moved)
}
