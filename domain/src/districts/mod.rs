//! Districts (片区) that officers serve. Admins draw them and assign officers; everything
//! with a location is placed in the district that contains it, and an officer's reads are
//! scoped to their districts ([`scope`]).

pub mod geometry;
pub mod map;
pub mod placement;
pub mod scope;

use crate::ErrorCode;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use uuid::Uuid;

pub use self::geometry::Ring;
pub use self::placement::{Moved, locate, locate_opt, relocate_all, relocate_quietly};
pub use self::scope::{Scope, locate_in_scope, scope_of};
use crate::accounts;
use crate::auth::Principal;
use crate::entities::{
    account, application, business, department, district, district_officer, fair, posting, report,
    reward, seeker_profile, service_record, station, training_session, wish,
};
use crate::types::{GeoPoint, Role, bounded};
use crate::{DomainError, Invalid, ValidationErrors, time};

/// A point as the API takes it.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

/// A district as an admin draws it (create or replace).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DistrictInput {
    /// 2 to 100 characters, unique: 苏州中心商圈.
    pub name: String,
    /// The map pin; the boundary's centre when left out.
    #[serde(default)]
    pub center: Option<LatLon>,
    /// The boundary's points in order around the edge (3 to 500).
    pub boundary: Vec<LatLon>,
}

struct ValidDistrict {
    name: String,
    center: GeoPoint,
    boundary: Ring,
}

impl DistrictInput {
    fn validate(&self) -> Result<ValidDistrict, DomainError> {
        let mut errors = ValidationErrors::new();
        let name = errors.check("name", bounded(&self.name, 2, 100));
        let mut points = Vec::with_capacity(self.boundary.len());
        for (i, p) in self.boundary.iter().enumerate() {
            if let Some(point) =
                errors.check(&format!("boundary[{i}]"), GeoPoint::new(p.lat, p.lon))
            {
                points.push(point);
            }
        }
        let boundary = if points.len() == self.boundary.len() {
            match Ring::parse(&points) {
                Ok(ring) => Some(ring),
                Err(e) => {
                    errors.0.extend(e.0);
                    None
                }
            }
        } else {
            None
        };
        let center = match self.center {
            Some(c) => errors.check("center", GeoPoint::new(c.lat, c.lon)),
            None => boundary.as_ref().map(Ring::centroid),
        };
        match (name, center, boundary) {
            (Some(name), Some(center), Some(boundary)) if errors.is_empty() => Ok(ValidDistrict {
                name,
                center,
                boundary,
            }),
            _ => Err(DomainError::Validation(errors)),
        }
    }
}

fn require_admin(actor: &Principal) -> Result<(), DomainError> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(DomainError::forbidden("districts are managed by admins"))
    }
}

async fn name_taken<C: ConnectionTrait>(
    db: &C,
    name: &str,
    except: Option<Uuid>,
) -> Result<bool, DomainError> {
    let mut query = district::Entity::find().filter(district::Column::Name.eq(name));
    if let Some(id) = except {
        query = query.filter(district::Column::Id.ne(id));
    }
    Ok(query.one(db).await?.is_some())
}

fn taken() -> DomainError {
    DomainError::conflict(
        ErrorCode::DistrictNameTaken,
        "another district has this name",
    )
}

/// Draws a district; everything inside it is placed there at once.
pub async fn create<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    input: &DistrictInput,
) -> Result<(district::Model, Moved), DomainError> {
    require_admin(actor)?;
    let valid = input.validate()?;
    let txn = crate::db::begin_write(db).await?;
    if name_taken(&txn, &valid.name, None).await? {
        return Err(taken());
    }
    let now = time::now();
    let created = district::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(valid.name),
        center_lat: Set(valid.center.lat()),
        center_lon: Set(valid.center.lon()),
        area_m2: Set(valid.boundary.area_m2()),
        boundary: Set(valid.boundary),
        created_by: Set(actor.account_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let moved = relocate_all(&txn).await?;
    txn.commit().await?;
    Ok((created, moved))
}

/// Redraws or renames a district; what falls in or out of it moves at once.
pub async fn update<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: &DistrictInput,
) -> Result<(district::Model, Moved), DomainError> {
    require_admin(actor)?;
    let valid = input.validate()?;
    let txn = crate::db::begin_write(db).await?;
    let current = find(&txn, id).await?;
    if name_taken(&txn, &valid.name, Some(id)).await? {
        return Err(taken());
    }
    let mut active: district::ActiveModel = current.into();
    active.name = Set(valid.name);
    active.center_lat = Set(valid.center.lat());
    active.center_lon = Set(valid.center.lon());
    active.area_m2 = Set(valid.boundary.area_m2());
    active.boundary = Set(valid.boundary);
    active.updated_at = Set(time::now());
    let updated = active.update(&txn).await?;
    let moved = relocate_all(&txn).await?;
    txn.commit().await?;
    Ok((updated, moved))
}

macro_rules! unplace {
    ($db:expr, $entity:ident, $id:expr) => {
        $entity::Entity::update_many()
            .col_expr(
                $entity::Column::DistrictId,
                Expr::value(Option::<Uuid>::None),
            )
            .filter($entity::Column::DistrictId.eq($id))
            .exec($db)
            .await?;
    };
}

/// Removes a district. What was in it falls to an overlapping district or to none (admins
/// only); service records keep no district.
pub async fn delete<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<Moved, DomainError> {
    require_admin(actor)?;
    let txn = crate::db::begin_write(db).await?;
    find(&txn, id).await?;
    unplace!(&txn, business, id);
    unplace!(&txn, posting, id);
    unplace!(&txn, application, id);
    unplace!(&txn, seeker_profile, id);
    unplace!(&txn, station, id);
    unplace!(&txn, training_session, id);
    unplace!(&txn, report, id);
    unplace!(&txn, fair, id);
    unplace!(&txn, department, id);
    unplace!(&txn, reward, id);
    unplace!(&txn, wish, id);
    unplace!(&txn, service_record, id);
    district_officer::Entity::delete_many()
        .filter(district_officer::Column::DistrictId.eq(id))
        .exec(&txn)
        .await?;
    district::Entity::delete_by_id(id).exec(&txn).await?;
    let moved = relocate_all(&txn).await?;
    txn.commit().await?;
    Ok(moved)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<district::Model, DomainError> {
    district::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("district"))
}

/// A district as staff may see it: any for admins, their own for officers.
pub async fn view_for<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<district::Model, DomainError> {
    let scope = scope_of(db, actor).await?;
    scope.require(Some(id), "district")?;
    find(db, id).await
}

/// The districts `actor` serves (all of them for admins), by name.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
) -> Result<Vec<district::Model>, DomainError> {
    let scope = scope_of(db, actor).await?;
    Ok(district::Entity::find()
        .filter(scope.condition(district::Column::Id))
        .order_by_asc(district::Column::Name)
        .all(db)
        .await?)
}

/// Assigns an officer to a district (idempotent).
pub async fn assign<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    district_id: Uuid,
    officer_id: Uuid,
) -> Result<(), DomainError> {
    require_admin(actor)?;
    find(db, district_id).await?;
    let officer = accounts::find(db, officer_id).await?;
    if officer.role != Role::Officer || officer.deleted_at.is_some() {
        return Err(DomainError::Validation(ValidationErrors::single(
            "officer_id",
            Invalid::new(
                ErrorCode::NotAnOfficer,
                "only officer accounts are assigned to districts",
            ),
        )));
    }
    if district_officer::Entity::find_by_id((district_id, officer_id))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let inserted = district_officer::ActiveModel {
        district_id: Set(district_id),
        officer_id: Set(officer_id),
        assigned_by: Set(actor.account_id),
        assigned_at: Set(time::now()),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        // A concurrent assignment of the same pair got there first: same outcome.
        Err(_)
            if district_officer::Entity::find_by_id((district_id, officer_id))
                .one(db)
                .await?
                .is_some() =>
        {
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// Ends an officer's assignment (idempotent).
pub async fn unassign<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    district_id: Uuid,
    officer_id: Uuid,
) -> Result<(), DomainError> {
    require_admin(actor)?;
    find(db, district_id).await?;
    district_officer::Entity::delete_by_id((district_id, officer_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The officers assigned to a district.
pub async fn officers<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    district_id: Uuid,
) -> Result<Vec<account::Model>, DomainError> {
    view_for(db, actor, district_id).await?;
    let ids: Vec<Uuid> = district_officer::Entity::find()
        .filter(district_officer::Column::DistrictId.eq(district_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.officer_id)
        .collect();
    Ok(account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .order_by_asc(account::Column::Id)
        .all(db)
        .await?)
}
