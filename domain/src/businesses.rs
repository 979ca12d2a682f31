//! Businesses: a merchant registers one, officers verify it, members run it. Only verified
//! businesses' postings reach seekers.

use crate::ErrorCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::{business, business_member};
use crate::outbox::{self, Aggregate};
use crate::pagination::{Page, PageRequest};
use crate::types::{BusinessStatus, GeoPoint, LoginId, MemberRole, Phone, Role, bounded};
use crate::{DomainError, Invalid, ValidationErrors, accounts, inbox, time};

/// What a merchant says about their business (create or replace).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessInput {
    pub name: String,
    /// The mall or office tower, e.g. 圆融时代广场.
    pub mall: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    /// The 18-character unified social credit code (统一社会信用代码) on the licence.
    pub licence_number: String,
    pub contact_phone: String,
}

struct ValidBusiness {
    name: String,
    mall: String,
    address: String,
    location: GeoPoint,
    licence_number: String,
    contact_phone: Phone,
}

/// The unified social credit code: 18 characters of digits and capital letters other
/// than I, O, S, V, Z, the last the GB 32100-2015 check character of the others.
fn licence(raw: &str) -> Result<String, Invalid> {
    let code = raw.trim().to_uppercase();
    let ok = code.len() == 18
        && code
            .chars()
            .all(|c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"IOSVZ".contains(c)));
    if !ok {
        Err(Invalid::new(
            ErrorCode::InvalidLicence,
            "expected the 18-character unified social credit code",
        ))
    } else if !crate::identity::uscc_valid(&code) {
        Err(Invalid::new(
            ErrorCode::LicenceChecksum,
            "the check character (the last) does not match the others; a character is mistyped",
        ))
    } else {
        Ok(code)
    }
}

impl BusinessInput {
    fn validate(&self) -> Result<ValidBusiness, DomainError> {
        let mut errors = ValidationErrors::new();
        let name = errors.check("name", bounded(&self.name, 1, 100));
        let mall = errors.check("mall", bounded(&self.mall, 1, 100));
        let address = errors.check("address", bounded(&self.address, 1, 200));
        let lat = errors.check("lat", GeoPoint::new(self.lat, 0.0).map(|_| self.lat));
        let lon = errors.check("lon", GeoPoint::new(0.0, self.lon).map(|_| self.lon));
        let licence_number = errors.check("licence_number", licence(&self.licence_number));
        let contact_phone = errors.check("contact_phone", Phone::parse(&self.contact_phone));
        match (name, mall, address, lat, lon, licence_number, contact_phone) {
            (
                Some(name),
                Some(mall),
                Some(address),
                Some(lat),
                Some(lon),
                Some(licence_number),
                Some(contact_phone),
            ) => Ok(ValidBusiness {
                name,
                mall,
                address,
                location: GeoPoint::new(lat, lon)
                    .map_err(|e| DomainError::Validation(ValidationErrors::single("lat", e)))?,
                licence_number,
                contact_phone,
            }),
            _ => Err(DomainError::Validation(errors)),
        }
    }
}

fn require_role(actor: &Principal, roles: &[Role]) -> Result<(), DomainError> {
    if roles.contains(&actor.role) {
        Ok(())
    } else {
        Err(DomainError::forbidden("your role may not do this"))
    }
}

/// Registers a business; its creator becomes the owner. It starts pending verification.
pub async fn create<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    input: BusinessInput,
) -> Result<business::Model, DomainError> {
    require_role(actor, &[Role::Merchant])?;
    let valid = input.validate()?;
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    let district = crate::districts::locate(&txn, valid.location).await?;
    let owner_verified = crate::identity::is_verified(&txn, actor.account_id).await?;
    let created = business::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(valid.name),
        mall: Set(valid.mall),
        address: Set(valid.address),
        lat: Set(valid.location.lat()),
        lon: Set(valid.location.lon()),
        licence_number: Set(valid.licence_number),
        contact_phone: Set(valid.contact_phone.as_str().to_owned()),
        district_id: Set(district),
        status: Set(BusinessStatus::Pending),
        rejection_reason: Set(None),
        reviewed_by: Set(None),
        reviewed_at: Set(None),
        created_by: Set(actor.account_id),
        owner_verified: Set(owner_verified),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    business_member::ActiveModel {
        business_id: Set(created.id),
        account_id: Set(actor.account_id),
        role: Set(MemberRole::Owner),
        added_at: Set(now),
    }
    .insert(&txn)
    .await?;
    outbox::record(
        &txn,
        Aggregate::Business,
        created.id,
        "created",
        json!({"status": "pending"}),
    )
    .await?;
    crate::business_verification::flag_duplicate(&txn, &created).await?;
    txn.commit().await?;
    Ok(created)
}

/// The business, if `account` is one of its members; otherwise "not found", so nobody
/// learns what businesses exist by guessing ids.
pub async fn as_member<C: ConnectionTrait>(
    db: &C,
    business_id: Uuid,
    account: Uuid,
) -> Result<(business::Model, MemberRole), DomainError> {
    let membership = business_member::Entity::find_by_id((business_id, account))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("business"))?;
    let found = business::Entity::find_by_id(business_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("business"))?;
    Ok((found, membership.role))
}

/// A business as `viewer` may see it: in full (`true`) for its members, admins and the
/// officers of its district; its public details (`false`) for anyone else once verified;
/// otherwise "not found".
pub async fn view_for<C: ConnectionTrait>(
    db: &C,
    viewer: Option<&Principal>,
    id: Uuid,
) -> Result<(business::Model, bool), DomainError> {
    let found = find(db, id).await?;
    let full = match viewer {
        Some(v) if matches!(v.role, Role::Officer | Role::Admin) => {
            crate::districts::scope_of(db, v)
                .await?
                .covers(found.district_id)
        }
        Some(v) => business_member::Entity::find_by_id((id, v.account_id))
            .one(db)
            .await?
            .is_some(),
        None => false,
    };
    if full || found.status == BusinessStatus::Verified {
        Ok((found, full))
    } else {
        Err(DomainError::NotFound("business"))
    }
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<business::Model, DomainError> {
    business::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("business"))
}

/// Replaces a business's details. A change of name or licence needs verifying again.
pub async fn update<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: BusinessInput,
) -> Result<business::Model, DomainError> {
    let valid = input.validate()?;
    let txn = crate::db::begin_write(db).await?;
    let (current, _) = as_member(&txn, id, actor.account_id).await?;
    let reverify = current.name != valid.name || current.licence_number != valid.licence_number;
    let mut active: business::ActiveModel = current.clone().into();
    active.name = Set(valid.name);
    active.mall = Set(valid.mall);
    active.address = Set(valid.address);
    active.lat = Set(valid.location.lat());
    active.lon = Set(valid.location.lon());
    active.licence_number = Set(valid.licence_number);
    active.contact_phone = Set(valid.contact_phone.as_str().to_owned());
    let district = crate::districts::locate(&txn, valid.location).await?;
    if district != current.district_id {
        // Its postings and applications count in the business's district.
        move_dependents(&txn, id, district).await?;
    }
    active.district_id = Set(district);
    if reverify && current.status != BusinessStatus::Pending {
        active.status = Set(BusinessStatus::Pending);
        active.reviewed_by = Set(None);
        active.reviewed_at = Set(None);
        active.rejection_reason = Set(None);
    }
    active.updated_at = Set(time::now());
    let updated = active.update(&txn).await?;
    outbox::record(
        &txn,
        Aggregate::Business,
        id,
        "updated",
        json!({"status": updated.status}),
    )
    .await?;
    if current.licence_number != updated.licence_number {
        crate::business_verification::flag_duplicate(&txn, &updated).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

async fn move_dependents<C: ConnectionTrait>(
    db: &C,
    business_id: Uuid,
    district: Option<Uuid>,
) -> Result<(), DomainError> {
    use crate::entities::{application, posting};
    use sea_orm::sea_query::Expr;
    posting::Entity::update_many()
        .col_expr(posting::Column::DistrictId, Expr::value(district))
        .filter(posting::Column::BusinessId.eq(business_id))
        .exec(db)
        .await?;
    application::Entity::update_many()
        .col_expr(application::Column::DistrictId, Expr::value(district))
        .filter(application::Column::BusinessId.eq(business_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Ids of the businesses `account` belongs to.
pub async fn ids_of_member<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
) -> Result<Vec<Uuid>, DomainError> {
    Ok(business_member::Entity::find()
        .filter(business_member::Column::AccountId.eq(account))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.business_id)
        .collect())
}

/// Businesses `account` belongs to.
pub async fn mine<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
) -> Result<Vec<business::Model>, DomainError> {
    let ids = ids_of_member(db, account).await?;
    Ok(business::Entity::find()
        .filter(business::Column::Id.is_in(ids))
        .order_by_asc(business::Column::Id)
        .all(db)
        .await?)
}

/// Businesses by status, oldest first (the officer's verification queue).
pub async fn list_by_status<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    status: Option<BusinessStatus>,
    page: PageRequest<Uuid>,
) -> Result<Page<business::Model>, DomainError> {
    require_role(actor, &[Role::Officer, Role::Admin])?;
    let scope = crate::districts::scope_of(db, actor).await?;
    let mut query = business::Entity::find()
        .filter(scope.condition(business::Column::DistrictId))
        .order_by_asc(business::Column::Id);
    if let Some(status) = status {
        query = query.filter(business::Column::Status.eq(status));
    }
    if let Some(after) = page.after {
        query = query.filter(business::Column::Id.gt(after));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |b| b.id))
}

/// An officer's decision: verified, or rejected with a reason the merchant is told.
pub async fn review<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    verdict: Result<(), String>,
) -> Result<business::Model, DomainError> {
    require_role(actor, &[Role::Officer, Role::Admin])?;
    let reason = match &verdict {
        Ok(()) => None,
        Err(reason) => Some(
            bounded(reason, 2, 500)
                .map_err(|e| DomainError::Validation(ValidationErrors::single("reason", e)))?,
        ),
    };
    let txn = crate::db::begin_write(db).await?;
    let current = find(&txn, id).await?;
    crate::districts::scope_of(&txn, actor)
        .await?
        .require(current.district_id, "business")?;
    // A suspension ends only by being lifted (`lift_suspension`), with its own reason and
    // audit entry; a verification would end it silently.
    refuse_if_suspended(&current)?;
    let checks = crate::business_verification::checks(&txn, &current).await?;
    if reason.is_none() {
        checks.require()?;
    }
    let status = if reason.is_none() {
        BusinessStatus::Verified
    } else {
        BusinessStatus::Rejected
    };
    let mut active: business::ActiveModel = current.clone().into();
    active.status = Set(status);
    active.rejection_reason = Set(reason.clone());
    active.reviewed_by = Set(Some(actor.account_id));
    active.reviewed_at = Set(Some(time::now()));
    active.updated_at = Set(time::now());
    let updated = active.update(&txn).await?;
    crate::business_verification::record(&txn, actor, &updated, &checks, reason.as_deref()).await?;
    outbox::record(
        &txn,
        Aggregate::Business,
        id,
        "status_changed",
        json!({"status": status}),
    )
    .await?;
    let (title, body) = match &reason {
        None => (
            format!("{} 已通过认证", updated.name),
            "商户认证已通过，岗位将对求职者展示。".to_owned(),
        ),
        Some(reason) => (
            format!("{} 未通过认证", updated.name),
            format!("原因：{reason}"),
        ),
    };
    for member in members(&txn, id).await? {
        inbox::notify(
            &txn,
            member.account_id,
            "business_reviewed",
            title.clone(),
            body.clone(),
            json!({"business_id": id, "status": status}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(updated)
}

pub async fn members<C: ConnectionTrait>(
    db: &C,
    business_id: Uuid,
) -> Result<Vec<business_member::Model>, DomainError> {
    Ok(business_member::Entity::find()
        .filter(business_member::Column::BusinessId.eq(business_id))
        .order_by_asc(business_member::Column::AddedAt)
        .all(db)
        .await?)
}

/// The owner adds another merchant account (by its phone or e-mail) as a member.
pub async fn add_member<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    business_id: Uuid,
    login: &str,
) -> Result<business_member::Model, DomainError> {
    let login = LoginId::parse(login)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("login", e)))?;
    let txn = crate::db::begin_write(db).await?;
    let (found, role) = as_member(&txn, business_id, actor.account_id).await?;
    if role != MemberRole::Owner {
        return Err(DomainError::forbidden("only the owner adds members"));
    }
    let account = accounts::find_by_login(&txn, &login)
        .await?
        .filter(|a| a.role == Role::Merchant && a.deleted_at.is_none())
        .ok_or_else(|| {
            DomainError::Validation(ValidationErrors::single(
                "login",
                Invalid::new(
                    ErrorCode::NoSuchMerchant,
                    "no merchant account has this phone or e-mail",
                ),
            ))
        })?;
    if business_member::Entity::find_by_id((business_id, account.id))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(DomainError::conflict(
            ErrorCode::AlreadyMember,
            "this account is already a member",
        ));
    }
    let member = business_member::ActiveModel {
        business_id: Set(business_id),
        account_id: Set(account.id),
        role: Set(MemberRole::Member),
        added_at: Set(time::now()),
    }
    .insert(&txn)
    .await?;
    inbox::notify(
        &txn,
        account.id,
        "business_member_added",
        format!("你已加入 {}", found.name),
        "你现在可以管理该商户的岗位和申请。".to_owned(),
        json!({"business_id": business_id}),
    )
    .await?;
    txn.commit().await?;
    Ok(member)
}

/// The owner removes a member (not themself).
pub async fn remove_member<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    business_id: Uuid,
    member: Uuid,
) -> Result<(), DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let (_, role) = as_member(&txn, business_id, actor.account_id).await?;
    if role != MemberRole::Owner {
        return Err(DomainError::forbidden("only the owner removes members"));
    }
    if member == actor.account_id {
        return Err(DomainError::conflict(
            ErrorCode::OwnerCannotLeave,
            "the owner cannot remove themself",
        ));
    }
    let result = business_member::Entity::delete_by_id((business_id, member))
        .exec(&txn)
        .await?;
    if result.rows_affected == 0 {
        return Err(DomainError::NotFound("member"));
    }
    txn.commit().await?;
    Ok(())
}

// Issue 25: suspension on an upheld complaint (domain/src/complaints).

/// Refuses posting for a suspended business (409 `business_suspended`).
pub fn refuse_if_suspended(business: &business::Model) -> Result<(), DomainError> {
    if business.status == BusinessStatus::Suspended {
        return Err(DomainError::conflict(
            ErrorCode::BusinessSuspended,
            "this business is suspended after an upheld complaint; it cannot post until an officer lifts the suspension",
        ));
    }
    Ok(())
}

/// Suspends a business inside the caller's transaction (an officer upheld a complaint):
/// its postings leave search through the outbox `status_changed` event, its members are
/// told. Audit-logged.
pub async fn suspend<C: ConnectionTrait>(
    db: &C,
    officer: Uuid,
    id: Uuid,
    reason: &str,
) -> Result<business::Model, DomainError> {
    set_suspended(db, officer, id, true, reason).await
}

/// An officer lifts a suspension: the business is verified again and its open postings
/// return to search. Audit-logged.
pub async fn lift_suspension<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    reason: &str,
) -> Result<business::Model, DomainError> {
    require_role(actor, &[Role::Officer, Role::Admin])?;
    let reason = bounded(reason, 2, 300)
        .map_err(|e| DomainError::Validation(ValidationErrors::single("reason", e)))?;
    let txn = crate::db::begin_write(db).await?;
    let current = find(&txn, id).await?;
    crate::districts::scope_of(&txn, actor)
        .await?
        .require(current.district_id, "business")?;
    let updated = set_suspended(&txn, actor.account_id, id, false, &reason).await?;
    txn.commit().await?;
    Ok(updated)
}

async fn set_suspended<C: ConnectionTrait>(
    db: &C,
    officer: Uuid,
    id: Uuid,
    suspended: bool,
    reason: &str,
) -> Result<business::Model, DomainError> {
    let current = find(db, id).await?;
    let (from, to) = if suspended {
        (BusinessStatus::Verified, BusinessStatus::Suspended)
    } else {
        (BusinessStatus::Suspended, BusinessStatus::Verified)
    };
    if !suspended && current.status != from {
        return Err(DomainError::conflict(
            ErrorCode::BusinessNotSuspended,
            "this business is not suspended",
        ));
    }
    if current.status == to {
        return Ok(current);
    }
    let mut active: business::ActiveModel = current.into();
    active.status = Set(to);
    active.updated_at = Set(time::now());
    let updated = active.update(db).await?;
    outbox::record(
        db,
        Aggregate::Business,
        id,
        "status_changed",
        json!({"status": to}),
    )
    .await?;
    crate::audit::record(
        db,
        officer,
        None,
        if suspended {
            "business_suspended"
        } else {
            "business_suspension_lifted"
        },
        ("business", id),
        reason,
    )
    .await?;
    let (kind, title, body) = if suspended {
        (
            "business_suspended",
            format!("{} 已被暂停", updated.name),
            format!(
                "经核查投诉成立，商户已被暂停，暂停期间岗位不对求职者展示，也不能发布新岗位。说明：{reason}"
            ),
        )
    } else {
        (
            "business_suspension_lifted",
            format!("{} 已解除暂停", updated.name),
            "商户已恢复，岗位将重新对求职者展示。".to_owned(),
        )
    };
    for member in members(db, id).await? {
        inbox::notify(
            db,
            member.account_id,
            kind,
            title.clone(),
            body.clone(),
            json!({"business_id": id, "status": to}),
        )
        .await?;
    }
    Ok(updated)
}

/// Which of `businesses` have an owner with a verified real name (the badge).
pub async fn owner_verified_among<C: ConnectionTrait>(
    db: &C,
    businesses: impl IntoIterator<Item = Uuid>,
) -> Result<std::collections::HashSet<Uuid>, DomainError> {
    let ids: Vec<Uuid> = businesses.into_iter().collect();
    let mut found = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<Uuid> = business::Entity::find()
            .select_only()
            .column(business::Column::Id)
            .filter(business::Column::Id.is_in(chunk.to_vec()))
            .filter(business::Column::OwnerVerified.eq(true))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}
