//! Seeker profiles, and who may see how much of them.
//!
//! Merchants see public profiles without the phone number or exact home location: they
//! see the distance from their business instead. Applying to a business's job (or accepting
//! its invitation) is the seeker's consent to share contact details with that business, and
//! is stored as a consent row. Officers see public and officers-only profiles, and every such
//! read is written to the audit log with its reason.

use crate::ErrorCode;
use chrono::Datelike;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::credentials::{self, HeldCredential};
use crate::entities::seeker_profile::{ExperienceEntry, ExperienceList};
use crate::entities::{account, consent, seeker_profile};
use crate::outbox::{self, Aggregate};
use crate::postings::taxonomy;
use crate::types::{
    Education, GeoPoint, PayFen, PayUnit, PostingKind, PushChannel, Role, StringList, Visibility,
    WeeklySchedule, bounded, keywords, minutes_of,
};
use crate::{DomainError, Invalid, ValidationErrors, accounts, audit, businesses, time};

/// How pushed matches reach the seeker.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushPreferences {
    #[serde(default = "default_channels")]
    pub channels: Vec<PushChannel>,
    /// `HH:MM`: nothing is pushed from this time...
    #[serde(default)]
    pub quiet_hours_start: Option<String>,
    /// ...until this time (the window may cross midnight).
    #[serde(default)]
    pub quiet_hours_end: Option<String>,
    /// At most this many pushes a day (0 turns pushes off).
    #[serde(default = "default_cap")]
    pub daily_cap: i32,
}

fn default_channels() -> Vec<PushChannel> {
    vec![PushChannel::Inbox]
}

fn default_cap() -> i32 {
    5
}

fn default_radius() -> f64 {
    5.0
}

fn default_true() -> bool {
    true
}

fn default_visibility() -> Visibility {
    Visibility::Public
}

impl Default for PushPreferences {
    fn default() -> Self {
        Self {
            channels: default_channels(),
            quiet_hours_start: Some("22:00".into()),
            quiet_hours_end: Some("08:00".into()),
            daily_cap: default_cap(),
        }
    }
}

/// A seeker's profile as they write it (create or replace).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    pub full_name: String,
    #[serde(default)]
    pub education: Option<Education>,
    #[serde(default)]
    pub major: Option<String>,
    #[serde(default)]
    pub graduation_year: Option<i32>,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub experience: Vec<ExperienceEntry>,
    /// Category codes from `GET /api/v1/categories`.
    #[serde(default)]
    pub desired_categories: Vec<String>,
    #[serde(default)]
    pub desired_kinds: Vec<PostingKind>,
    /// Integer fen per `expected_pay_unit`.
    #[serde(default)]
    pub expected_pay_min: Option<i64>,
    #[serde(default)]
    pub expected_pay_unit: Option<PayUnit>,
    #[serde(default)]
    pub home_lat: Option<f64>,
    #[serde(default)]
    pub home_lon: Option<f64>,
    /// How far from home the seeker will travel (the doorstep radius), 0.5 to 100 km.
    #[serde(default = "default_radius")]
    pub travel_radius_km: f64,
    #[serde(default)]
    pub availability: WeeklySchedule,
    #[serde(default)]
    pub resume: String,
    /// Certificates and licences held (at most 10), with `years` 0 to 50. Absent or null:
    /// not stated (the matcher then reads the résumé); an empty list: holds none.
    #[serde(default)]
    pub credentials: Option<Vec<HeldCredential>>,
    #[serde(default = "default_visibility")]
    pub visibility: Visibility,
    #[serde(default)]
    pub push: PushPreferences,
    /// Off: no pushed matches and the profile is not recommended (PIPL art. 24); search
    /// still works.
    #[serde(default = "default_true")]
    pub personalised_matching: bool,
}

fn year_month(raw: &str) -> bool {
    let Some((y, m)) = raw.split_once('-') else {
        return false;
    };
    y.len() == 4
        && m.len() == 2
        && y.parse::<u16>().is_ok_and(|y| (1950..=2100).contains(&y))
        && m.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
}

impl ProfileInput {
    fn validate(self) -> Result<seeker_profile::ActiveModel, DomainError> {
        let mut errors = ValidationErrors::new();
        let full_name = errors.check("full_name", bounded(&self.full_name, 1, 50));
        let major = match &self.major {
            Some(m) => errors.check("major", bounded(m, 1, 100)).map(Some),
            None => Some(None),
        };
        let this_year = time::to_display(time::now()).year();
        if self
            .graduation_year
            .is_some_and(|y| !(1960..=this_year + 6).contains(&y))
        {
            errors.push(
                "graduation_year",
                Invalid::new(ErrorCode::OutOfRange, format!("1960 to {}", this_year + 6)),
            );
        }
        let skills = errors.check("skills", keywords(&self.skills, 30, 20));
        if self.experience.len() > 20 {
            errors.push(
                "experience",
                Invalid::new(ErrorCode::TooMany, "at most 20 entries"),
            );
        }
        for (i, entry) in self.experience.iter().enumerate() {
            let at = |f: &str| format!("experience[{i}].{f}");
            if let Err(e) = bounded(&entry.employer, 1, 100) {
                errors.push(at("employer"), e);
            }
            if let Err(e) = bounded(&entry.title, 1, 60) {
                errors.push(at("title"), e);
            }
            if let Err(e) = bounded(&entry.description, 0, 1000) {
                errors.push(at("description"), e);
            }
            if !year_month(&entry.start) {
                errors.push(
                    at("start"),
                    Invalid::new(ErrorCode::InvalidMonth, "expected YYYY-MM"),
                );
            }
            if entry
                .end
                .as_deref()
                .is_some_and(|e| !year_month(e) || e < entry.start.as_str())
            {
                errors.push(
                    at("end"),
                    Invalid::new(
                        ErrorCode::InvalidMonth,
                        "expected YYYY-MM, not before start",
                    ),
                );
            }
        }
        let desired_categories = errors.check(
            "desired_categories",
            keywords(&self.desired_categories, 10, 32),
        );
        if let Some(cats) = &desired_categories
            && let Some(bad) = cats.0.iter().find(|c| !taxonomy::is_known(c))
        {
            errors.push(
                "desired_categories",
                Invalid::new(
                    ErrorCode::UnknownCategory,
                    format!("unknown category {bad:?}"),
                ),
            );
        }
        let mut kinds: Vec<String> = Vec::new();
        for kind in &self.desired_kinds {
            if !kinds.iter().any(|k| k == kind.as_str()) {
                kinds.push(kind.as_str().to_owned());
            }
        }
        match (self.expected_pay_min, self.expected_pay_unit) {
            (Some(fen), Some(_)) => {
                errors.check("expected_pay_min", PayFen::new(fen));
            }
            (None, None) => {}
            _ => errors.push(
                "expected_pay_unit",
                Invalid::new(
                    ErrorCode::IncompletePay,
                    "give both expected_pay_min and expected_pay_unit, or neither",
                ),
            ),
        }
        let home = match (self.home_lat, self.home_lon) {
            (Some(lat), Some(lon)) => errors.check("home_lat", GeoPoint::new(lat, lon)).map(Some),
            (None, None) => Some(None),
            _ => {
                errors.push(
                    "home_lon",
                    Invalid::new(
                        ErrorCode::IncompleteLocation,
                        "give both home_lat and home_lon, or neither",
                    ),
                );
                None
            }
        };
        if !(0.5..=100.0).contains(&self.travel_radius_km) {
            errors.push(
                "travel_radius_km",
                Invalid::new(ErrorCode::OutOfRange, "0.5 to 100 km"),
            );
        }
        if let Err((field, invalid)) = self.availability.validate("availability") {
            errors.push(field, invalid);
        }
        let resume = errors.check("resume", bounded(&self.resume, 0, 5000));
        let held = self
            .credentials
            .as_deref()
            .map(|list| credentials::validate_held(list, &mut errors, "credentials"));
        let push = &self.push;
        match (&push.quiet_hours_start, &push.quiet_hours_end) {
            (Some(s), Some(e)) => {
                for (field, v) in [("push.quiet_hours_start", s), ("push.quiet_hours_end", e)] {
                    if minutes_of(v).is_none_or(|m| m >= 24 * 60) {
                        errors.push(
                            field,
                            Invalid::new(ErrorCode::InvalidTime, "expected HH:MM"),
                        );
                    }
                }
            }
            (None, None) => {}
            _ => errors.push(
                "push.quiet_hours_end",
                Invalid::new(
                    ErrorCode::IncompleteQuietHours,
                    "give both ends of the quiet hours, or neither",
                ),
            ),
        }
        if !(0..=50).contains(&push.daily_cap) {
            errors.push(
                "push.daily_cap",
                Invalid::new(ErrorCode::OutOfRange, "0 to 50 a day"),
            );
        }
        let mut channels: Vec<String> = Vec::new();
        for channel in &push.channels {
            if !channels.iter().any(|c| c == channel.as_str()) {
                channels.push(channel.as_str().to_owned());
            }
        }
        let (
            Some(full_name),
            Some(major),
            Some(skills),
            Some(desired_categories),
            Some(home),
            Some(resume),
        ) = (full_name, major, skills, desired_categories, home, resume)
        else {
            return Err(DomainError::Validation(errors));
        };
        errors.into_result()?;
        Ok(seeker_profile::ActiveModel {
            full_name: Set(full_name),
            education: Set(self.education),
            major: Set(major),
            graduation_year: Set(self.graduation_year),
            skills: Set(skills),
            experience: Set(ExperienceList(self.experience)),
            desired_categories: Set(desired_categories),
            desired_kinds: Set(StringList(kinds)),
            expected_pay_min: Set(self.expected_pay_min),
            expected_pay_unit: Set(self.expected_pay_unit),
            home_lat: Set(home.map(GeoPoint::lat)),
            home_lon: Set(home.map(GeoPoint::lon)),
            travel_radius_km: Set(self.travel_radius_km),
            availability: Set(self.availability),
            resume: Set(resume),
            credentials: Set(held),
            visibility: Set(self.visibility),
            push_channels: Set(StringList(channels)),
            quiet_hours_start: Set(self.push.quiet_hours_start),
            quiet_hours_end: Set(self.push.quiet_hours_end),
            daily_push_cap: Set(self.push.daily_cap),
            personalised_matching: Set(self.personalised_matching),
            ..Default::default()
        })
    }
}

/// Creates or replaces the actor's profile; `true` when it was created.
/// Creates or replaces the actor's profile. `held`: résumé text content security holds for
/// an officer (blank to merchants until approved).
pub async fn upsert<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    input: ProfileInput,
    held: &[crate::content_reviews::Held],
) -> Result<(seeker_profile::Model, bool), DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden("only seekers have a profile"));
    }
    let mut active = input.validate()?;
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    let existing = seeker_profile::Entity::find_by_id(actor.account_id)
        .one(&txn)
        .await?;
    active.account_id = Set(actor.account_id);
    active.updated_at = Set(now);
    let home = match (&active.home_lat, &active.home_lon) {
        (sea_orm::ActiveValue::Set(lat), sea_orm::ActiveValue::Set(lon)) => (*lat, *lon),
        _ => (None, None),
    };
    let district = crate::districts::locate_opt(&txn, home.0, home.1).await?;
    active.district_id = Set(district);
    // The worker's redemptions belong to their home district and move with it.
    {
        use crate::entities::redemption;
        use sea_orm::sea_query::Expr;
        redemption::Entity::update_many()
            .col_expr(redemption::Column::DistrictId, Expr::value(district))
            .filter(redemption::Column::AccountId.eq(actor.account_id))
            .exec(&txn)
            .await?;
    }
    // Certificates earned at trainings stay on the profile whatever the seeker sends.
    let earned = crate::trainings::earned_certificates(&txn, actor.account_id).await?;
    if let sea_orm::ActiveValue::Set(held) = active.credentials.clone() {
        active.credentials = Set(crate::trainings::with_certificates(held, &earned));
    }
    let (saved, created) = match existing {
        Some(existing) => {
            active.created_at = Set(existing.created_at);
            (active.update(&txn).await?, false)
        }
        None => {
            active.created_at = Set(now);
            (active.insert(&txn).await?, true)
        }
    };
    outbox::record(&txn, Aggregate::Profile, actor.account_id, if created { "created" } else { "updated" },
        json!({"visibility": saved.visibility, "personalised_matching": saved.personalised_matching})).await?;
    crate::content_reviews::record(
        &txn,
        Some(actor.account_id),
        crate::content_reviews::PROFILE,
        Some(actor.account_id),
        held,
    )
    .await?;
    txn.commit().await?;
    Ok((saved, created))
}

pub async fn find<C: ConnectionTrait>(
    db: &C,
    seeker: Uuid,
) -> Result<seeker_profile::Model, DomainError> {
    seeker_profile::Entity::find_by_id(seeker)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("profile"))
}

/// A profile as one viewer may see it.
#[derive(Debug, Clone)]
pub struct ProfileView {
    pub profile: seeker_profile::Model,
    /// Whether contact details and the exact home are included.
    pub contact_shared: bool,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// From the merchant's business in metres, rounded to 100 m (the home is not pinned
    /// more closely), when contact is not shared.
    pub distance_m: Option<u32>,
}

/// Whether the seeker has consented to share with any business `merchant` belongs to.
pub async fn shared_with_merchant<C: ConnectionTrait>(
    db: &C,
    seeker: Uuid,
    merchant: Uuid,
) -> Result<bool, DomainError> {
    let businesses = businesses::ids_of_member(db, merchant).await?;
    Ok(consent::Entity::find()
        .filter(consent::Column::SeekerId.eq(seeker))
        .filter(consent::Column::BusinessId.is_in(businesses))
        .one(db)
        .await?
        .is_some())
}

fn masked(mut view: ProfileView) -> ProfileView {
    view.profile.home_lat = None;
    view.profile.home_lon = None;
    view.phone = None;
    view.email = None;
    view.contact_shared = false;
    view
}

/// The profile of `seeker` as `viewer` may see it. `business` picks which of a merchant's
/// businesses distances are measured from; `reason` is required from officers.
pub async fn view_for<C: ConnectionTrait>(
    db: &C,
    viewer: &Principal,
    seeker: Uuid,
    business: Option<Uuid>,
    reason: Option<&str>,
) -> Result<ProfileView, DomainError> {
    let profile = find(db, seeker).await?;
    let account: account::Model = accounts::find(db, seeker).await?;
    let full = ProfileView {
        contact_shared: true,
        phone: account.phone.clone(),
        email: account.email.clone(),
        distance_m: None,
        profile,
    };
    if account.deleted_at.is_some() {
        return Err(DomainError::NotFound("profile"));
    }
    match viewer.role {
        Role::Seeker if viewer.account_id == seeker => Ok(full),
        Role::Merchant => {
            let shared = shared_with_merchant(db, seeker, viewer.account_id).await?;
            if !shared && full.profile.visibility != Visibility::Public {
                return Err(DomainError::NotFound("profile"));
            }
            let from = match business {
                Some(id) => Some(businesses::as_member(db, id, viewer.account_id).await?.0),
                None => businesses::mine(db, viewer.account_id)
                    .await?
                    .into_iter()
                    .next(),
            };
            let home = match (full.profile.home_lat, full.profile.home_lon) {
                (Some(lat), Some(lon)) => GeoPoint::new(lat, lon).ok(),
                _ => None,
            };
            let distance_m = match (from, home) {
                (Some(b), Some(home)) => GeoPoint::new(b.lat, b.lon)
                    .ok()
                    .map(|b| ((b.distance_m(home) / 100.0).round() * 100.0) as u32),
                _ => None,
            };
            let mut view = if shared { full } else { masked(full) };
            // Text content security holds is not shown to merchants before approval.
            if crate::content_reviews::is_held(db, crate::content_reviews::PROFILE, seeker).await? {
                view.profile.resume = String::new();
            }
            Ok(ProfileView { distance_m, ..view })
        }
        Role::Officer | Role::Admin => {
            if full.profile.visibility == Visibility::Hidden {
                return Err(DomainError::NotFound("profile"));
            }
            crate::districts::scope_of(db, viewer)
                .await?
                .require(full.profile.district_id, "profile")?;
            let reason = audit::parse_reason(reason)?;
            audit::record(
                db,
                viewer.account_id,
                Some(seeker),
                "read_profile",
                ("profile", seeker),
                &reason,
            )
            .await?;
            Ok(full)
        }
        Role::Seeker => Err(DomainError::NotFound("profile")),
    }
}

/// Empties a résumé an officer removed for its content.
pub async fn remove_resume<C: ConnectionTrait>(db: &C, seeker: Uuid) -> Result<(), DomainError> {
    seeker_profile::Entity::update_many()
        .col_expr(
            seeker_profile::Column::Resume,
            sea_orm::sea_query::Expr::value(""),
        )
        .col_expr(
            seeker_profile::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(time::now()),
        )
        .filter(seeker_profile::Column::AccountId.eq(seeker))
        .exec(db)
        .await?;
    Ok(())
}

/// Records that the seeker shares contact details with a business (idempotent per
/// application).
pub async fn record_consent<C: ConnectionTrait>(
    db: &C,
    seeker: Uuid,
    business: Uuid,
    via: &str,
    application: Option<Uuid>,
) -> Result<(), DomainError> {
    consent::ActiveModel {
        id: Set(Uuid::now_v7()),
        seeker_id: Set(seeker),
        business_id: Set(business),
        via: Set(via.to_owned()),
        application_id: Set(application),
        granted_at: Set(time::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}
