//! Job postings: the merchant's side of the marketplace.
//!
//! Lifecycle: draft → open ⇄ paused → closed or filled. A posting past its expiry is closed
//! by the sweeper, and is never shown as open even before the sweeper runs. Seekers see only
//! open, unexpired postings of verified businesses.

pub mod fair_hiring;
pub mod taxonomy;

use crate::ErrorCode;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::content_reviews::{self, Held};
use crate::credentials::{self, RequiredCredential, RequiredCredentials};
use crate::entities::{business, business_member, posting};
use crate::outbox::{self, Aggregate};
use crate::pagination::{Page, PageRequest};
use crate::types::{
    BusinessStatus, Education, GeoPoint, PayRange, PayUnit, PostingKind, PostingStatus, Role,
    WeeklySchedule, bounded, keywords,
};
use crate::{DomainError, Invalid, ValidationErrors, businesses, screening, time};

/// Days a posting stays up when the merchant gives no expiry.
pub const DEFAULT_LIFETIME_DAYS: i64 = 30;
/// The furthest expiry a merchant may set.
pub const MAX_LIFETIME_DAYS: i64 = 180;

/// What a merchant writes in a posting (create or replace).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostingInput {
    pub kind: PostingKind,
    pub title: String,
    pub description: String,
    /// A code from `GET /api/v1/categories`.
    pub category: String,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default = "one")]
    pub headcount: i32,
    /// Integer fen of CNY.
    pub pay_min: i64,
    pub pay_max: i64,
    pub pay_unit: PayUnit,
    /// Where the work is; absent means the business's address and location.
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub schedule: WeeklySchedule,
    #[serde(default)]
    pub education_min: Option<Education>,
    #[serde(default)]
    pub experience_years_min: Option<i32>,
    #[serde(default)]
    pub requirements: String,
    /// Certificates and licences the job requires (at most 10): known names (健康证, C1驾照,
    /// 叉车证… aliases such as 驾驶证 are folded) or free names of at most 20 characters,
    /// with `min_years` 0 to 50. Left empty, the matcher reads them from the texts.
    #[serde(default)]
    pub required_credentials: Vec<RequiredCredential>,
    #[serde(default)]
    pub benefits: Vec<String>,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    /// Absent: 30 days from now. At most 180 days ahead.
    #[serde(default)]
    pub expires_at: Option<DateTime<FixedOffset>>,
}

fn one() -> i32 {
    1
}

struct ValidPosting {
    kind: PostingKind,
    title: String,
    description: String,
    category: String,
    skills: crate::types::StringList,
    headcount: i32,
    pay: PayRange,
    address: String,
    location: GeoPoint,
    schedule: WeeklySchedule,
    education_min: Option<Education>,
    experience_years_min: Option<i32>,
    requirements: String,
    required_credentials: RequiredCredentials,
    benefits: crate::types::StringList,
    start_date: Option<NaiveDate>,
    expires_at: DateTime<Utc>,
}

impl ValidPosting {
    fn subject(&self, posting_id: Option<Uuid>) -> screening::Subject<'_> {
        screening::Subject {
            posting_id,
            kind: self.kind,
            category: &self.category,
            title: &self.title,
            description: &self.description,
            requirements: &self.requirements,
            pay_min: self.pay.min.fen(),
            pay_max: self.pay.max.fen(),
            pay_unit: self.pay.unit,
        }
    }
}

/// Screens a valid posting (see [`screening`]) inside the caller's write transaction. A
/// refusal rolls it back, records the refused findings in a transaction of their own and
/// is returned as the error; otherwise the held findings are returned, to be recorded with
/// the posting and added to the content reviews.
async fn screened<C: TransactionTrait>(
    db: &C,
    txn: C::Transaction,
    policy: &screening::Policy,
    subject: &screening::Subject<'_>,
    business: &business::Model,
    actor: &Principal,
    now: DateTime<Utc>,
) -> Result<(C::Transaction, Vec<screening::Finding>), DomainError> {
    let found = screening::screen(&txn, policy, subject, time::local_date(now), now).await?;
    if let Some(refused) = screening::refusal(&found) {
        txn.rollback().await?;
        let refusals: Vec<_> = found
            .into_iter()
            .filter(|f| f.outcome == crate::types::ScreeningOutcome::Refused)
            .collect();
        let action = if subject.posting_id.is_some() {
            screening::EDIT
        } else {
            screening::CREATE
        };
        let txn = crate::db::begin_write(db).await?;
        screening::record(
            &txn,
            subject.posting_id,
            business,
            actor.account_id,
            action,
            &refusals,
            now,
        )
        .await?;
        txn.commit().await?;
        return Err(refused);
    }
    Ok((txn, found))
}

impl PostingInput {
    fn validate(
        self,
        business: &business::Model,
        now: DateTime<Utc>,
    ) -> Result<ValidPosting, DomainError> {
        let mut errors = ValidationErrors::new();
        let title = errors.check("title", bounded(&self.title, 2, 60));
        let description = errors.check("description", bounded(&self.description, 10, 5000));
        let requirements = errors.check("requirements", bounded(&self.requirements, 0, 2000));
        if !taxonomy::is_known(&self.category) {
            errors.push(
                "category",
                Invalid::new(
                    ErrorCode::UnknownCategory,
                    "use a code from GET /api/v1/categories",
                ),
            );
        }
        let skills = errors.check("skills", keywords(&self.skills, 20, 20));
        let benefits = errors.check("benefits", keywords(&self.benefits, 20, 30));
        let required_credentials = credentials::validate_required(
            &self.required_credentials,
            &mut errors,
            "required_credentials",
        );
        if !(1..=1000).contains(&self.headcount) {
            errors.push(
                "headcount",
                Invalid::new(ErrorCode::OutOfRange, "headcount is 1 to 1000"),
            );
        }
        let pay = match PayRange::new(self.pay_min, self.pay_max, self.pay_unit) {
            Ok(pay) => Some(pay),
            Err((field, invalid)) => {
                errors.push(field, invalid);
                None
            }
        };
        let (address, location) = place_or(
            (self.address.as_deref(), self.lat, self.lon),
            (&business.address, business.lat, business.lon),
            &mut errors,
        );
        if let Err((field, invalid)) = self.schedule.validate("schedule") {
            errors.push(field, invalid);
        }
        if self
            .experience_years_min
            .is_some_and(|y| !(0..=50).contains(&y))
        {
            errors.push(
                "experience_years_min",
                Invalid::new(ErrorCode::OutOfRange, "0 to 50 years"),
            );
        }
        let expires_at = match self.expires_at {
            None => Some(now + chrono::Duration::days(DEFAULT_LIFETIME_DAYS)),
            Some(at) => {
                let at = at.with_timezone(&Utc);
                if at <= now {
                    errors.push(
                        "expires_at",
                        Invalid::new(ErrorCode::InThePast, "the expiry must be in the future"),
                    );
                    None
                } else if at > now + chrono::Duration::days(MAX_LIFETIME_DAYS) {
                    errors.push(
                        "expires_at",
                        Invalid::new(
                            ErrorCode::TooFar,
                            format!("at most {MAX_LIFETIME_DAYS} days ahead"),
                        ),
                    );
                    None
                } else {
                    Some(at)
                }
            }
        };
        // Fair hiring: the texts a candidate reads must not restrict who may apply.
        for (field, text) in [
            ("title", &self.title),
            ("description", &self.description),
            ("requirements", &self.requirements),
        ] {
            for violation in fair_hiring::rules().check(text) {
                errors.push(
                    field,
                    Invalid::new(
                        ErrorCode::DiscriminatoryRequirement,
                        format!(
                            "“{}” restricts candidates by {} ({}); fair-hiring rules forbid it",
                            violation.phrase,
                            violation.ground.label_zh(),
                            violation.rule
                        ),
                    ),
                );
            }
        }
        match (
            title,
            description,
            requirements,
            skills,
            benefits,
            pay,
            location,
            address,
            expires_at,
        ) {
            (
                Some(title),
                Some(description),
                Some(requirements),
                Some(skills),
                Some(benefits),
                Some(pay),
                Some(location),
                Some(address),
                Some(expires_at),
            ) if errors.is_empty() => Ok(ValidPosting {
                kind: self.kind,
                title,
                description,
                category: self.category,
                skills,
                headcount: self.headcount,
                pay,
                address,
                location,
                schedule: self.schedule,
                education_min: self.education_min,
                experience_years_min: self.experience_years_min,
                requirements,
                required_credentials,
                benefits,
                start_date: self.start_date,
                expires_at,
            }),
            _ => Err(DomainError::Validation(errors)),
        }
    }
}

/// Where work happens: the address and point given (both coordinates or neither), or
/// `default`'s. Errors name `address`, `lat` or `lon`.
pub(crate) fn place_or(
    (address, lat, lon): (Option<&str>, Option<f64>, Option<f64>),
    default: (&str, f64, f64),
    errors: &mut ValidationErrors,
) -> (Option<String>, Option<GeoPoint>) {
    let location = match (lat, lon) {
        (None, None) => GeoPoint::new(default.1, default.2).ok(),
        (Some(lat), Some(lon)) => errors.check("lat", GeoPoint::new(lat, lon)),
        _ => {
            errors.push(
                "lon",
                Invalid::new(
                    ErrorCode::IncompleteLocation,
                    "give both lat and lon, or neither",
                ),
            );
            None
        }
    };
    let address = match address {
        Some(address) => errors.check("address", bounded(address, 1, 200)),
        None => Some(default.0.to_owned()),
    };
    (address, location)
}

/// The payload of a posting's change events.
pub fn snapshot(p: &posting::Model) -> serde_json::Value {
    json!({"business_id": p.business_id, "status": p.status, "kind": p.kind, "category": p.category})
}

/// Whether seekers (and anyone not a member of the business) may see the posting.
pub fn is_public(p: &posting::Model, b: &business::Model, now: DateTime<Utc>) -> bool {
    p.status == PostingStatus::Open && b.status == BusinessStatus::Verified && p.expires_at > now
}

/// A new draft posting for one of the actor's businesses, screened first (see
/// [`screening`]: a refusal is the error). `held`: its text content security holds for an
/// officer; with what screening holds, it is queued with the posting, which cannot be
/// published before approval.
pub async fn create<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    business_id: Uuid,
    input: PostingInput,
    held: &[Held],
    policy: &screening::Policy,
) -> Result<(posting::Model, business::Model), DomainError> {
    if actor.role != Role::Merchant {
        return Err(DomainError::forbidden("only merchants post jobs"));
    }
    let txn = crate::db::begin_write(db).await?;
    let (business, _) = businesses::as_member(&txn, business_id, actor.account_id).await?;
    businesses::refuse_if_suspended(&business)?;
    let now = time::now();
    let valid = input.validate(&business, now)?;
    let (txn, found) =
        screened(db, txn, policy, &valid.subject(None), &business, actor, now).await?;
    let mut held = held.to_vec();
    held.extend(screening::held(&found));
    let id = Uuid::now_v7();
    let created = posting::ActiveModel {
        id: Set(id),
        business_id: Set(business_id),
        district_id: Set(business.district_id),
        created_by: Set(actor.account_id),
        kind: Set(valid.kind),
        status: Set(PostingStatus::Draft),
        title: Set(valid.title),
        description: Set(valid.description),
        category: Set(valid.category),
        skills: Set(valid.skills),
        headcount: Set(valid.headcount),
        pay_min: Set(valid.pay.min.fen()),
        pay_max: Set(valid.pay.max.fen()),
        pay_unit: Set(valid.pay.unit),
        address: Set(valid.address),
        lat: Set(valid.location.lat()),
        lon: Set(valid.location.lon()),
        schedule: Set(valid.schedule),
        education_min: Set(valid.education_min),
        experience_years_min: Set(valid.experience_years_min),
        requirements: Set(valid.requirements),
        required_credentials: Set(valid.required_credentials),
        benefits: Set(valid.benefits),
        start_date: Set(valid.start_date),
        expires_at: Set(valid.expires_at),
        published_at: Set(None),
        closed_at: Set(None),
        close_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    outbox::record(
        &txn,
        Aggregate::Posting,
        created.id,
        "created",
        snapshot(&created),
    )
    .await?;
    content_reviews::record(
        &txn,
        Some(actor.account_id),
        content_reviews::POSTING,
        Some(created.id),
        &held,
    )
    .await?;
    screening::record(
        &txn,
        Some(created.id),
        &business,
        actor.account_id,
        screening::CREATE,
        &found,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok((created, business))
}

/// The posting and its business, if the actor is a member of that business.
pub async fn as_member<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<(posting::Model, business::Model), DomainError> {
    let found = posting::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("posting"))?;
    let (business, _) = businesses::as_member(db, found.business_id, actor.account_id)
        .await
        .map_err(|_| DomainError::NotFound("posting"))?;
    Ok((found, business))
}

/// A posting as `viewer` may see it: members see every state, everyone else only public ones.
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    viewer: Option<&Principal>,
    id: Uuid,
) -> Result<(posting::Model, business::Model, bool), DomainError> {
    let found = posting::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("posting"))?;
    let business = businesses::find(db, found.business_id).await?;
    let is_member = match viewer {
        Some(v) => business_member::Entity::find_by_id((business.id, v.account_id))
            .one(db)
            .await?
            .is_some(),
        None => false,
    };
    if is_member || is_public(&found, &business, time::now()) {
        Ok((found, business, is_member))
    } else {
        Err(DomainError::NotFound("posting"))
    }
}

/// Replaces a posting's content; closed and filled postings are no longer edited. The new
/// content is screened first (see [`screening`]: a refusal is the error and changes
/// nothing). `held`: text content security holds for an officer; with what screening
/// holds, an open posting whose new content is held is paused until it is approved, so it
/// is never public before.
pub async fn update<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: PostingInput,
    held: &[Held],
    policy: &screening::Policy,
) -> Result<(posting::Model, business::Model), DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let (current, business) = as_member(&txn, actor, id).await?;
    if current.status.is_final() {
        return Err(DomainError::conflict(
            ErrorCode::PostingFinal,
            "a closed or filled posting cannot be edited",
        ));
    }
    let now = time::now();
    let valid = input.validate(&business, now)?;
    let (txn, found) = screened(
        db,
        txn,
        policy,
        &valid.subject(Some(id)),
        &business,
        actor,
        now,
    )
    .await?;
    let mut held = held.to_vec();
    held.extend(screening::held(&found));
    let current_status = current.status;
    let mut active: posting::ActiveModel = current.into();
    active.kind = Set(valid.kind);
    active.title = Set(valid.title);
    active.description = Set(valid.description);
    active.category = Set(valid.category);
    active.skills = Set(valid.skills);
    active.headcount = Set(valid.headcount);
    active.pay_min = Set(valid.pay.min.fen());
    active.pay_max = Set(valid.pay.max.fen());
    active.pay_unit = Set(valid.pay.unit);
    active.address = Set(valid.address);
    active.lat = Set(valid.location.lat());
    active.lon = Set(valid.location.lon());
    active.schedule = Set(valid.schedule);
    active.education_min = Set(valid.education_min);
    active.experience_years_min = Set(valid.experience_years_min);
    active.requirements = Set(valid.requirements);
    active.required_credentials = Set(valid.required_credentials);
    active.benefits = Set(valid.benefits);
    active.start_date = Set(valid.start_date);
    active.expires_at = Set(valid.expires_at);
    active.updated_at = Set(now);
    let paused = content_reviews::holds(&held) && current_status == PostingStatus::Open;
    if paused {
        active.status = Set(PostingStatus::Paused);
    }
    let updated = active.update(&txn).await?;
    outbox::record(&txn, Aggregate::Posting, id, "updated", snapshot(&updated)).await?;
    if paused {
        outbox::record(
            &txn,
            Aggregate::Posting,
            id,
            "status_changed",
            snapshot(&updated),
        )
        .await?;
    }
    content_reviews::record(
        &txn,
        Some(actor.account_id),
        content_reviews::POSTING,
        Some(id),
        &held,
    )
    .await?;
    screening::record(
        &txn,
        Some(id),
        &business,
        actor.account_id,
        screening::EDIT,
        &found,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok((updated, business))
}

/// What a merchant does to a posting's lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Publish,
    Pause,
    Close,
    Fill,
}

/// The state an action leads to from `from`, if it is allowed.
pub fn next_status(from: PostingStatus, action: Action) -> Option<PostingStatus> {
    use PostingStatus::*;
    match (action, from) {
        (Action::Publish, Draft | Paused) => Some(Open),
        (Action::Pause, Open) => Some(Paused),
        (Action::Close, Draft | Open | Paused) => Some(Closed),
        (Action::Fill, Open | Paused) => Some(Filled),
        _ => None,
    }
}

pub async fn transition<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    action: Action,
) -> Result<(posting::Model, business::Model), DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let (current, business) = as_member(&txn, actor, id).await?;
    let now = time::now();
    if action == Action::Publish {
        businesses::refuse_if_suspended(&business)?;
    }
    let Some(to) = next_status(current.status, action) else {
        return Err(DomainError::conflict(
            ErrorCode::IllegalTransition,
            format!("a {} posting cannot be {:?}d", current.status, action).to_lowercase(),
        ));
    };
    if to == PostingStatus::Open
        && content_reviews::is_held(&txn, content_reviews::POSTING, id).await?
    {
        return Err(DomainError::conflict(
            ErrorCode::UnderReview,
            "an officer is still reviewing this posting's text; it can be published once approved",
        ));
    }
    if to == PostingStatus::Open && current.expires_at <= now {
        return Err(DomainError::conflict(
            ErrorCode::PostingExpired,
            "the posting has expired; set a new expiry first",
        ));
    }
    let mut active: posting::ActiveModel = current.clone().into();
    active.status = Set(to);
    active.updated_at = Set(now);
    if to == PostingStatus::Open && current.published_at.is_none() {
        active.published_at = Set(Some(now));
    }
    if to.is_final() {
        active.closed_at = Set(Some(now));
        active.close_reason = Set(Some(to.as_str().to_owned()));
    }
    let updated = active.update(&txn).await?;
    outbox::record(
        &txn,
        Aggregate::Posting,
        id,
        "status_changed",
        snapshot(&updated),
    )
    .await?;
    txn.commit().await?;
    Ok((updated, business))
}

/// Closes a posting an officer removed for its content (`close_reason` `removed`), with
/// its outbox event; a closed or filled one stays as it is.
pub async fn take_down<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DomainError> {
    let Some(current) = posting::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    if current.status.is_final() {
        return Ok(());
    }
    let now = time::now();
    let mut active: posting::ActiveModel = current.into();
    active.status = Set(PostingStatus::Closed);
    active.closed_at = Set(Some(now));
    active.close_reason = Set(Some("removed".to_owned()));
    active.updated_at = Set(now);
    let updated = active.update(db).await?;
    outbox::record(
        db,
        Aggregate::Posting,
        id,
        "status_changed",
        snapshot(&updated),
    )
    .await?;
    Ok(())
}

/// Closes every posting whose expiry has passed, each with its outbox event, in one
/// transaction. Safe to run on several instances at once: a posting is closed once.
pub async fn close_expired<C: TransactionTrait>(db: &C) -> Result<usize, DomainError> {
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    let due = posting::Entity::find()
        .filter(posting::Column::Status.is_in([
            PostingStatus::Open,
            PostingStatus::Paused,
            PostingStatus::Draft,
        ]))
        .filter(posting::Column::ExpiresAt.lte(now))
        .limit(500)
        .all(&txn)
        .await?;
    let mut closed = 0;
    for p in due {
        let result = posting::Entity::update_many()
            .col_expr(
                posting::Column::Status,
                Expr::value(PostingStatus::Closed.as_str()),
            )
            .col_expr(posting::Column::ClosedAt, Expr::value(now))
            .col_expr(posting::Column::CloseReason, Expr::value("expired"))
            .col_expr(posting::Column::UpdatedAt, Expr::value(now))
            .filter(posting::Column::Id.eq(p.id))
            .filter(posting::Column::Status.eq(p.status))
            .exec(&txn)
            .await?;
        if result.rows_affected == 1 {
            outbox::record(
                &txn,
                Aggregate::Posting,
                p.id,
                "expired",
                json!({"business_id": p.business_id, "status": "closed"}),
            )
            .await?;
            closed += 1;
        }
    }
    txn.commit().await?;
    Ok(closed)
}

/// Filters for lists of postings.
#[derive(Debug, Clone, Default)]
pub struct PostingFilter {
    pub status: Option<PostingStatus>,
    pub kind: Option<PostingKind>,
    pub category: Option<String>,
    pub business_id: Option<Uuid>,
}

/// The postings of every business the actor belongs to, newest first, with their businesses.
pub async fn list_mine<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    filter: PostingFilter,
    page: PageRequest<Uuid>,
) -> Result<Page<(posting::Model, business::Model)>, DomainError> {
    let mine = businesses::ids_of_member(db, actor.account_id).await?;
    let mut query = posting::Entity::find()
        .find_also_related(business::Entity)
        .filter(posting::Column::BusinessId.is_in(mine))
        .order_by_desc(posting::Column::Id);
    if let Some(status) = filter.status {
        query = query.filter(posting::Column::Status.eq(status));
    }
    query = apply_filter(query, &filter);
    if let Some(before) = page.after {
        query = query.filter(posting::Column::Id.lt(before));
    }
    let rows = with_business(query.limit(page.limit + 1).all(db).await?);
    Ok(Page::from_rows(rows, page.limit, |(p, _)| p.id))
}

type WithBusiness = sea_orm::SelectTwo<posting::Entity, business::Entity>;

fn apply_filter(mut query: WithBusiness, filter: &PostingFilter) -> WithBusiness {
    if let Some(kind) = filter.kind {
        query = query.filter(posting::Column::Kind.eq(kind));
    }
    if let Some(category) = &filter.category {
        query = query.filter(posting::Column::Category.eq(category.as_str()));
    }
    if let Some(business_id) = filter.business_id {
        query = query.filter(posting::Column::BusinessId.eq(business_id));
    }
    query
}

fn with_business(
    rows: Vec<(posting::Model, Option<business::Model>)>,
) -> Vec<(posting::Model, business::Model)> {
    rows.into_iter()
        .filter_map(|(p, b)| b.map(|b| (p, b)))
        .collect()
}

/// Open postings of verified businesses, newest first, with their businesses (the browse
/// list until full-text search arrives).
pub async fn list_public<C: ConnectionTrait>(
    db: &C,
    filter: PostingFilter,
    page: PageRequest<Uuid>,
) -> Result<Page<(posting::Model, business::Model)>, DomainError> {
    let mut query = posting::Entity::find()
        .find_also_related(business::Entity)
        .filter(posting::Column::Status.eq(PostingStatus::Open))
        .filter(posting::Column::ExpiresAt.gt(time::now()))
        .filter(business::Column::Status.eq(BusinessStatus::Verified))
        .order_by_desc(posting::Column::Id);
    query = apply_filter(query, &filter);
    if let Some(before) = page.after {
        query = query.filter(posting::Column::Id.lt(before));
    }
    let rows = with_business(query.limit(page.limit + 1).all(db).await?);
    Ok(Page::from_rows(rows, page.limit, |(p, _)| p.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_transitions() {
        use PostingStatus::*;
        assert_eq!(next_status(Draft, Action::Publish), Some(Open));
        assert_eq!(next_status(Open, Action::Pause), Some(Paused));
        assert_eq!(next_status(Paused, Action::Publish), Some(Open));
        assert_eq!(next_status(Open, Action::Fill), Some(Filled));
        assert_eq!(next_status(Draft, Action::Fill), None);
        assert_eq!(next_status(Closed, Action::Publish), None);
        assert_eq!(next_status(Filled, Action::Close), None);
        assert_eq!(next_status(Draft, Action::Pause), None);
    }
}
