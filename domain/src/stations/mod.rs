//! Stations (零工驿站, 暖新驿站): places where riders and couriers rest, drink water, charge
//! batteries and get job help. Anyone can find the nearest one open now; officers keep their
//! district's stations up to date.

pub mod hours;

use crate::ErrorCode;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use self::hours::{OpenStatus, OpeningHours};
use crate::auth::Principal;
use crate::entities::station;
use crate::types::{Amenity, GeoPoint, Phone, Role, bounded};
use crate::{DomainError, Invalid, ValidationErrors, time};

/// What a station offers, stored as a JSON list without repeats.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    sea_orm::FromJsonQueryResult,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Amenities(pub Vec<Amenity>);

/// The furthest "near me" reaches, in kilometres.
pub const MAX_RADIUS_KM: f64 = 50.0;

/// What an officer says about a station (create or replace).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StationInput {
    pub name: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    #[serde(default)]
    pub amenities: Vec<Amenity>,
    #[serde(default)]
    pub opening_hours: OpeningHours,
    #[serde(default)]
    pub contact_phone: Option<String>,
    #[serde(default)]
    pub description: String,
    /// A closed-down station stays on record but off the map.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

struct ValidStation {
    name: String,
    address: String,
    location: GeoPoint,
    amenities: Amenities,
    opening_hours: OpeningHours,
    contact_phone: Option<String>,
    description: String,
    active: bool,
}

impl StationInput {
    fn validate(self) -> Result<ValidStation, DomainError> {
        let mut errors = ValidationErrors::new();
        let name = errors.check("name", bounded(&self.name, 2, 60));
        let address = errors.check("address", bounded(&self.address, 2, 200));
        let description = errors.check("description", bounded(&self.description, 0, 1000));
        let lat = errors.check("lat", GeoPoint::new(self.lat, 0.0));
        let lon = errors.check("lon", GeoPoint::new(0.0, self.lon));
        let contact_phone = match self.contact_phone.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => errors
                .check("contact_phone", Phone::parse(raw))
                .map(|p| Some(p.as_str().to_owned())),
        };
        let mut amenities = Vec::new();
        for amenity in self.amenities {
            if !amenities.contains(&amenity) {
                amenities.push(amenity);
            }
        }
        self.opening_hours.validate("opening_hours", &mut errors);
        match (name, address, description, lat, lon, contact_phone) {
            (
                Some(name),
                Some(address),
                Some(description),
                Some(_),
                Some(_),
                Some(contact_phone),
            ) if errors.is_empty() => Ok(ValidStation {
                name,
                address,
                location: GeoPoint::new(self.lat, self.lon)
                    .map_err(|e| DomainError::Validation(ValidationErrors::single("lat", e)))?,
                amenities: Amenities(amenities),
                opening_hours: self.opening_hours,
                contact_phone,
                description,
                active: self.active,
            }),
            _ => Err(DomainError::Validation(errors)),
        }
    }
}

fn require_manager(actor: &Principal) -> Result<(), DomainError> {
    if matches!(actor.role, Role::Officer | Role::Admin) {
        Ok(())
    } else {
        Err(DomainError::forbidden("only officers manage stations"))
    }
}

/// Adds a station.
pub async fn create<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    input: StationInput,
) -> Result<station::Model, DomainError> {
    require_manager(actor)?;
    let valid = input.validate()?;
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    let district =
        crate::districts::locate_in_scope(&txn, actor, valid.location, "station's location")
            .await?;
    let created = station::ActiveModel {
        id: Set(Uuid::now_v7()),
        district_id: Set(district),
        name: Set(valid.name),
        address: Set(valid.address),
        lat: Set(valid.location.lat()),
        lon: Set(valid.location.lon()),
        amenities: Set(valid.amenities),
        opening_hours: Set(valid.opening_hours),
        contact_phone: Set(valid.contact_phone),
        description: Set(valid.description),
        active: Set(valid.active),
        created_by: Set(actor.account_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Replaces a station's details.
pub async fn update<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: StationInput,
) -> Result<station::Model, DomainError> {
    require_manager(actor)?;
    let valid = input.validate()?;
    let txn = crate::db::begin_write(db).await?;
    let current = find(&txn, id).await?;
    crate::districts::scope_of(&txn, actor)
        .await?
        .require(current.district_id, "station")?;
    let district =
        crate::districts::locate_in_scope(&txn, actor, valid.location, "station's location")
            .await?;
    if district != current.district_id {
        // Sessions held at the station follow it.
        use crate::entities::training_session;
        use sea_orm::sea_query::Expr;
        training_session::Entity::update_many()
            .col_expr(training_session::Column::DistrictId, Expr::value(district))
            .filter(training_session::Column::StationId.eq(id))
            .exec(&txn)
            .await?;
    }
    let mut active: station::ActiveModel = current.into();
    active.district_id = Set(district);
    active.name = Set(valid.name);
    active.address = Set(valid.address);
    active.lat = Set(valid.location.lat());
    active.lon = Set(valid.location.lon());
    active.amenities = Set(valid.amenities);
    active.opening_hours = Set(valid.opening_hours);
    active.contact_phone = Set(valid.contact_phone);
    active.description = Set(valid.description);
    active.active = Set(valid.active);
    active.updated_at = Set(time::now());
    let updated = active.update(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<station::Model, DomainError> {
    station::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("station"))
}

/// An active station as the public sees it (a closed-down one is not found).
pub async fn find_active<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<station::Model, DomainError> {
    let found = find(db, id).await?;
    if found.active {
        Ok(found)
    } else {
        Err(DomainError::NotFound("station"))
    }
}

/// A station with where it stands from the asker and whether it is open.
#[derive(Debug, Clone)]
pub struct NearbyStation {
    pub station: station::Model,
    pub distance_m: f64,
    pub status: OpenStatus,
}

/// The questions "near me" answers.
#[derive(Debug, Clone, Default)]
pub struct NearbyQuery {
    pub radius_km: Option<f64>,
    pub open_now: bool,
    pub amenities: Vec<Amenity>,
    /// How many to return; checked at the edge (`pagination::parse_limit`).
    pub limit: u64,
}

/// Whether a station is open at `at`, by its local (China Standard Time) hours.
pub fn status_at(station: &station::Model, at: DateTime<Utc>) -> OpenStatus {
    station
        .opening_hours
        .status_at(time::to_display(at).naive_local())
}

/// Active stations within the radius of `from`, nearest first, with whether each is open
/// at `at`.
pub async fn nearby<C: ConnectionTrait>(
    db: &C,
    from: GeoPoint,
    query: &NearbyQuery,
    at: DateTime<Utc>,
) -> Result<Vec<NearbyStation>, DomainError> {
    let radius_km = query.radius_km.unwrap_or(5.0);
    if !(radius_km > 0.0 && radius_km <= MAX_RADIUS_KM) {
        return Err(DomainError::Validation(ValidationErrors::single(
            "radius_km",
            Invalid::new(
                ErrorCode::OutOfRange,
                format!("a radius above 0 and up to {MAX_RADIUS_KM} km"),
            ),
        )));
    }
    // A latitude band and a longitude band a little wider than the circle narrow the rows
    // read; the exact distance decides.
    let dlat = radius_km / 111.0 * 1.01;
    let dlon = dlat / from.lat().to_radians().cos().max(0.01);
    let rows = station::Entity::find()
        .filter(station::Column::Active.eq(true))
        .filter(station::Column::Lat.between(from.lat() - dlat, from.lat() + dlat))
        .filter(station::Column::Lon.between(from.lon() - dlon, from.lon() + dlon))
        .order_by_asc(station::Column::Id)
        .all(db)
        .await?;
    let mut found: Vec<NearbyStation> = rows
        .into_iter()
        .filter(|s| query.amenities.iter().all(|a| s.amenities.0.contains(a)))
        .filter_map(|s| {
            let point = GeoPoint::new(s.lat, s.lon).ok()?;
            let distance_m = from.distance_m(point);
            (distance_m <= radius_km * 1000.0).then(|| NearbyStation {
                status: status_at(&s, at),
                station: s,
                distance_m,
            })
        })
        .filter(|n| !query.open_now || n.status.open)
        .collect();
    found.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
    found.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX));
    Ok(found)
}

/// Every active station, for the map (a district has tens, a city a few hundred).
pub async fn all_active<C: ConnectionTrait>(db: &C) -> Result<Vec<station::Model>, DomainError> {
    Ok(station::Entity::find()
        .filter(station::Column::Active.eq(true))
        .order_by_asc(station::Column::Id)
        .all(db)
        .await?)
}
