//! What an officer may see: the districts they are assigned to. Admins see everything;
//! an officer with no district sees nothing placed, and an unplaced thing (no district)
//! is for admins only.

use crate::ErrorCode;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::district_officer;
use crate::types::GeoPoint;
use crate::types::Role;
use crate::{DomainError, Invalid, ValidationErrors};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Only(Vec<Uuid>),
}

impl Scope {
    pub fn covers(&self, district: Option<Uuid>) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(ids) => district.is_some_and(|d| ids.contains(&d)),
        }
    }

    /// The filter that keeps rows whose `column` (a district id) is in scope.
    pub fn condition(&self, column: impl ColumnTrait) -> SimpleExpr {
        match self {
            Scope::All => Expr::value(true),
            // `IN ()` is written as a false comparison by sea-query.
            Scope::Only(ids) => column.is_in(ids.iter().copied()),
        }
    }

    /// "not found" unless `district` is in scope: another district's object is treated
    /// like one that does not exist.
    pub fn require(&self, district: Option<Uuid>, what: &'static str) -> Result<(), DomainError> {
        if self.covers(district) {
            Ok(())
        } else {
            Err(DomainError::NotFound(what))
        }
    }

    pub fn district_ids(&self) -> Option<&[Uuid]> {
        match self {
            Scope::All => None,
            Scope::Only(ids) => Some(ids),
        }
    }
}

/// The districts `officer` is assigned to.
pub async fn assigned<C: ConnectionTrait>(db: &C, officer: Uuid) -> Result<Vec<Uuid>, DomainError> {
    Ok(district_officer::Entity::find()
        .filter(district_officer::Column::OfficerId.eq(officer))
        .select_only()
        .column(district_officer::Column::DistrictId)
        .into_tuple()
        .all(db)
        .await?)
}

/// The scope of staff: everything for admins, their districts for officers. Anyone else
/// is refused; staff routes check the role before they ask.
pub async fn scope_of<C: ConnectionTrait>(db: &C, actor: &Principal) -> Result<Scope, DomainError> {
    match actor.role {
        Role::Admin => Ok(Scope::All),
        Role::Officer => Ok(Scope::Only(assigned(db, actor.account_id).await?)),
        _ => Err(DomainError::forbidden("this is for officers and admins")),
    }
}

/// The district of `location`, which must be one `actor` serves: an officer cannot place a
/// thing (a fair's venue, a station) where they could not then manage it. `what` names it
/// in the error, on the field `lat`.
pub async fn locate_in_scope<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    location: GeoPoint,
    what: &str,
) -> Result<Option<Uuid>, DomainError> {
    let district = super::locate(db, location).await?;
    if !scope_of(db, actor).await?.covers(district) {
        return Err(DomainError::Validation(ValidationErrors::single(
            "lat",
            Invalid::new(
                ErrorCode::OutsideYourDistricts,
                format!("the {what} is outside the districts you serve"),
            ),
        )));
    }
    Ok(district)
}
