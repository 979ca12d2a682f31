//! Shifts: a gig posting's dated shifts. A merchant adds one, or a weekly pattern that
//! generates dated shifts for some weeks; edits them freely until someone claims one;
//! after that a change or a cancellation needs a reason, is recorded, and every claimant is
//! told.
//!
//! Times are stored in UTC and given and shown in China time; a shift may end the next
//! day (a stocktake 22:00 to 04:00).

use crate::ErrorCode;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::notices::{self, Notice};
use super::{
    claims, favourites, lock_shift, posting_and_business, record_shifts_changed, same_local_day,
    settings, shift_as_member, when_zh, whole_seconds,
};
use crate::auth::Principal;
use crate::entities::{business, posting, shift, shift_change, shift_claim};
use crate::pagination::{Page, PageRequest};
use crate::postings::MAX_LIFETIME_DAYS;
use crate::types::{
    ClaimStatus, GeoPoint, PayFen, PostingKind, Role, ShiftPayUnit, ShiftStatus, bounded,
    minutes_of,
};
use crate::{DomainError, Invalid, ValidationErrors, applications, postings, time};

/// The longest shift.
pub const MAX_HOURS: i64 = 24;
/// The longest unpaid break.
pub const MAX_BREAK_MINUTES: i32 = 240;
/// Most places one shift offers.
pub const MAX_PLACES: i32 = 500;
/// Most weeks one pattern generates.
pub const MAX_WEEKS: u32 = 12;
/// Longest favourites-only window.
pub const MAX_FAVOURITES_HOURS: i32 = 72;

/// A weekly pattern: the same hours on some weekdays, for some weeks.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// 1 (Monday) to 7 (Sunday).
    pub weekdays: Vec<u8>,
    /// `HH:MM`, China time.
    pub start: String,
    /// `HH:MM`, China time; at or before `start` means the next day (22:00 to 04:00).
    pub end: String,
    /// The first day (China time); absent means today.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// 1 to 12 weeks.
    pub weeks: u32,
}

/// A new shift (or, with `pattern`, a series), or the new terms of an existing one.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftInput {
    /// With `ends_at`: one dated shift (RFC 3339; give the +08:00 offset).
    #[serde(default)]
    pub starts_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub ends_at: Option<DateTime<FixedOffset>>,
    /// Instead of `starts_at`/`ends_at`, when creating: a weekly pattern.
    #[serde(default)]
    pub pattern: Option<Pattern>,
    /// 1 to 500.
    pub places: i32,
    /// Integer fen per `pay_unit`.
    pub pay_fen: i64,
    #[serde(default = "per_hour")]
    pub pay_unit: ShiftPayUnit,
    /// Unpaid break, 0 to 240 minutes.
    #[serde(default)]
    pub break_minutes: i32,
    /// Where to report; absent means the posting's address and location.
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// Check-in radius, 50 to 2000 metres; absent means the business's default.
    #[serde(default)]
    pub geofence_m: Option<i32>,
    /// When creating: offer the new shifts to the business's favourite workers only, for
    /// this many hours (1 to 72), before they open to everyone.
    #[serde(default)]
    pub favourites_first_hours: Option<i32>,
    /// When changing a shift someone has claimed: why (told to every claimant).
    #[serde(default)]
    pub reason: Option<String>,
}

fn per_hour() -> ShiftPayUnit {
    ShiftPayUnit::Hour
}

/// The validated terms every shift of one input shares.
struct Terms {
    places: i32,
    pay_fen: i64,
    pay_unit: ShiftPayUnit,
    break_minutes: i32,
    address: String,
    location: GeoPoint,
    geofence_m: i32,
}

/// Where the shift is, when not said: the posting's place.
struct Defaults<'a> {
    posting: &'a posting::Model,
    geofence_m: i32,
}

impl ShiftInput {
    fn terms(&self, defaults: &Defaults<'_>, errors: &mut ValidationErrors) -> Option<Terms> {
        if !(1..=MAX_PLACES).contains(&self.places) {
            errors.push(
                "places",
                Invalid::new(ErrorCode::OutOfRange, format!("1 to {MAX_PLACES} places")),
            );
        }
        let pay = errors.check("pay_fen", PayFen::new(self.pay_fen));
        if !(0..=MAX_BREAK_MINUTES).contains(&self.break_minutes) {
            errors.push(
                "break_minutes",
                Invalid::new(
                    ErrorCode::OutOfRange,
                    format!("0 to {MAX_BREAK_MINUTES} minutes"),
                ),
            );
        }
        let p = defaults.posting;
        let (address, location) = postings::place_or(
            (self.address.as_deref(), self.lat, self.lon),
            (&p.address, p.lat, p.lon),
            errors,
        );
        let geofence_m = self.geofence_m.unwrap_or(defaults.geofence_m);
        if let Err(DomainError::Validation(e)) = settings::check_radius("geofence_m", geofence_m) {
            errors.0.extend(e.0);
        }
        Some(Terms {
            places: self.places,
            pay_fen: pay?.fen(),
            pay_unit: self.pay_unit,
            break_minutes: self.break_minutes,
            address: address?,
            location: location?,
            geofence_m,
        })
    }
}

/// Checks one shift's times against `now`; errors name `field_start`/`field_end`.
fn check_times(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    break_minutes: i32,
    now: DateTime<Utc>,
    fields: (&str, &str),
    errors: &mut ValidationErrors,
) {
    if starts_at <= now {
        errors.push(
            fields.0,
            Invalid::new(ErrorCode::InThePast, "a shift starts in the future"),
        );
    } else if starts_at > now + Duration::days(MAX_LIFETIME_DAYS) {
        errors.push(
            fields.0,
            Invalid::new(
                ErrorCode::TooFar,
                format!("at most {MAX_LIFETIME_DAYS} days ahead"),
            ),
        );
    }
    if ends_at <= starts_at {
        errors.push(
            fields.1,
            Invalid::new(ErrorCode::OutOfRange, "a shift ends after it starts"),
        );
    } else if ends_at - starts_at > Duration::hours(MAX_HOURS) {
        errors.push(
            fields.1,
            Invalid::new(
                ErrorCode::OutOfRange,
                format!("a shift lasts at most {MAX_HOURS} h"),
            ),
        );
    } else if i64::from(break_minutes) >= (ends_at - starts_at).num_minutes() {
        errors.push(
            "break_minutes",
            Invalid::new(
                ErrorCode::OutOfRange,
                "the break must be shorter than the shift",
            ),
        );
    }
}

fn local_instant(date: NaiveDate, minutes: u16) -> Option<DateTime<Utc>> {
    time::from_local(date.and_hms_opt(u32::from(minutes / 60), u32::from(minutes % 60), 0)?)
}

/// A shift's start and end.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// The dated span of every shift a pattern makes that starts after `now`.
pub fn expand(pattern: &Pattern, now: DateTime<Utc>) -> Result<Vec<Span>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if pattern.weekdays.is_empty() || pattern.weekdays.iter().any(|d| !(1..=7).contains(d)) {
        errors.push(
            "pattern.weekdays",
            Invalid::new(
                ErrorCode::OutOfRange,
                "weekdays are 1 (Monday) to 7 (Sunday)",
            ),
        );
    }
    let start = minutes_of(&pattern.start).filter(|m| *m < 24 * 60);
    let end = minutes_of(&pattern.end).filter(|m| *m < 24 * 60);
    if start.is_none() {
        errors.push(
            "pattern.start",
            Invalid::new(ErrorCode::InvalidTime, "expected HH:MM"),
        );
    }
    if end.is_none() {
        errors.push(
            "pattern.end",
            Invalid::new(ErrorCode::InvalidTime, "expected HH:MM"),
        );
    }
    if !(1..=MAX_WEEKS).contains(&pattern.weeks) {
        errors.push(
            "pattern.weeks",
            Invalid::new(ErrorCode::OutOfRange, format!("1 to {MAX_WEEKS} weeks")),
        );
    }
    let (Some(start), Some(end)) = (start, end) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let today = time::local_date(now);
    let first = pattern.from.unwrap_or(today);
    let mut out = Vec::new();
    for offset in 0..i64::from(pattern.weeks) * 7 {
        let day = first + Duration::days(offset);
        let weekday = chrono::Datelike::weekday(&day).number_from_monday() as u8;
        if !pattern.weekdays.contains(&weekday) {
            continue;
        }
        // An end at or before the start is on the next day.
        let end_day = if end <= start {
            day + Duration::days(1)
        } else {
            day
        };
        if let (Some(s), Some(e)) = (local_instant(day, start), local_instant(end_day, end))
            && s > now
        {
            out.push((s, e));
        }
    }
    Ok(out)
}

fn snapshot(s: &shift::Model) -> Value {
    json!({
        "starts_at": time::to_display(s.starts_at),
        "ends_at": time::to_display(s.ends_at),
        "places": s.places,
        "pay_fen": s.pay_fen,
        "pay_unit": s.pay_unit,
        "break_minutes": s.break_minutes,
        "address": s.address,
        "lat": s.lat,
        "lon": s.lon,
        "geofence_m": s.geofence_m,
    })
}

/// Adds a shift, or the shifts of a pattern, to one of the actor's gig postings.
pub async fn create<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    posting_id: Uuid,
    input: ShiftInput,
) -> Result<Vec<shift::Model>, DomainError> {
    if actor.role != Role::Merchant {
        return Err(DomainError::forbidden("only merchants add shifts"));
    }
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    let (found, business) = postings::as_member(&txn, actor, posting_id).await?;
    crate::businesses::refuse_if_suspended(&business)?;
    if found.kind != PostingKind::Gig {
        return Err(settings::not_a_gig());
    }
    if found.status.is_final() {
        return Err(DomainError::conflict(
            ErrorCode::PostingFinal,
            "a closed or filled posting takes no new shifts",
        ));
    }
    let gig = settings::of_business(&txn, business.id).await?;
    let mut errors = ValidationErrors::new();
    let terms = input.terms(
        &Defaults {
            posting: &found,
            geofence_m: gig.geofence_m,
        },
        &mut errors,
    );
    if input.reason.is_some() {
        errors.push(
            "reason",
            Invalid::new(
                ErrorCode::NotAllowed,
                "a reason is given when changing a shift",
            ),
        );
    }
    let times = match (&input.pattern, input.starts_at, input.ends_at) {
        (Some(pattern), None, None) => match expand(pattern, now) {
            Ok(times) if times.is_empty() => {
                errors.push(
                    "pattern",
                    Invalid::new(ErrorCode::Empty, "the pattern makes no shift in the future"),
                );
                times
            }
            Ok(times) => times,
            Err(e) => {
                errors.0.extend(e.0);
                Vec::new()
            }
        },
        (None, Some(start), Some(end)) => {
            vec![(start.with_timezone(&Utc), end.with_timezone(&Utc))]
        }
        (None, _, _) => {
            errors.push(
                "starts_at",
                Invalid::new(
                    ErrorCode::Required,
                    "give starts_at and ends_at, or a pattern",
                ),
            );
            Vec::new()
        }
        (Some(_), _, _) => {
            errors.push(
                "pattern",
                Invalid::new(
                    ErrorCode::NotAllowed,
                    "give a pattern or starts_at/ends_at, not both",
                ),
            );
            Vec::new()
        }
    };
    let (start_field, end_field) = if input.pattern.is_some() {
        ("pattern.start", "pattern.end")
    } else {
        ("starts_at", "ends_at")
    };
    for (start, end) in &times {
        check_times(
            *start,
            *end,
            input.break_minutes,
            now,
            (start_field, end_field),
            &mut errors,
        );
    }
    let favourites_until = match input.favourites_first_hours {
        None => None,
        Some(h) if !(1..=MAX_FAVOURITES_HOURS).contains(&h) => {
            errors.push(
                "favourites_first_hours",
                Invalid::new(
                    ErrorCode::OutOfRange,
                    format!("1 to {MAX_FAVOURITES_HOURS} hours"),
                ),
            );
            None
        }
        Some(h) => {
            let until = now + Duration::hours(i64::from(h));
            if times.iter().any(|(start, _)| *start <= until) {
                errors.push(
                    "favourites_first_hours",
                    Invalid::new(
                        ErrorCode::TooLong,
                        "the favourites-only window must end before the shift starts",
                    ),
                );
            }
            Some(until)
        }
    };
    // One error per field is enough (a pattern repeats the same mistake for every date).
    errors
        .0
        .dedup_by(|a, b| a.field == b.field && a.code == b.code);
    errors.into_result()?;
    let terms = terms.ok_or_else(|| DomainError::internal("terms validated"))?;
    let mut created = Vec::new();
    for (starts_at, ends_at) in times {
        let row = shift::ActiveModel {
            id: Set(Uuid::now_v7()),
            posting_id: Set(posting_id),
            business_id: Set(business.id),
            starts_at: Set(starts_at),
            ends_at: Set(ends_at),
            places: Set(terms.places),
            claimed: Set(0),
            pay_fen: Set(terms.pay_fen),
            pay_unit: Set(terms.pay_unit),
            break_minutes: Set(terms.break_minutes),
            address: Set(terms.address.clone()),
            lat: Set(terms.location.lat()),
            lon: Set(terms.location.lon()),
            geofence_m: Set(terms.geofence_m),
            status: Set(ShiftStatus::Open),
            favourites_until: Set(favourites_until),
            opened_at: Set(favourites_until.is_none().then_some(now)),
            changed_at: Set(None),
            cancel_reason: Set(None),
            created_by: Set(actor.account_id),
            created_at: Set(now),
            updated_at: Set(now),
        };
        created.push(row.insert(&txn).await?);
    }
    if let (Some(first), Some(until)) = (created.first(), favourites_until) {
        record_shifts_changed(&txn, first, "shifts_changed").await?;
        let what = if created.len() == 1 {
            when_zh(first.starts_at, first.ends_at)
        } else {
            format!(
                "{} 起共{}个班次",
                when_zh(first.starts_at, first.ends_at),
                created.len()
            )
        };
        for seeker in favourites::seekers_of(&txn, business.id).await? {
            notices::enqueue(
                &txn,
                Notice::now(
                    seeker,
                    "shift_offered_to_favourites",
                    format!("{} 优先邀请你接班：{}", business.name, found.title),
                    format!(
                        "{what}。{} 前仅对收藏的工人开放。",
                        time::to_display(until).format("%m月%d日 %H:%M")
                    ),
                    json!({"posting_id": posting_id, "shift_ids": created.iter().map(|s| s.id).collect::<Vec<_>>()}),
                )
                .expires(until),
            )
            .await?;
        }
    } else if let Some(first) = created.first() {
        record_shifts_changed(&txn, first, "shifts_changed").await?;
    }
    txn.commit().await?;
    Ok(created)
}

/// Claims still in play on a shift (waiting, pending, confirmed, checked in).
pub(crate) async fn live_claims<C: ConnectionTrait>(
    db: &C,
    shift_id: Uuid,
) -> Result<Vec<shift_claim::Model>, DomainError> {
    Ok(shift_claim::Entity::find()
        .filter(shift_claim::Column::ShiftId.eq(shift_id))
        .filter(shift_claim::Column::Status.is_in(ClaimStatus::UPCOMING))
        .order_by_asc(shift_claim::Column::Id)
        .all(db)
        .await?)
}

fn reason_of(input: Option<&str>, required: bool) -> Result<Option<String>, DomainError> {
    match input {
        Some(text) => bounded(text, 2, 300)
            .map(Some)
            .map_err(|e| DomainError::Validation(ValidationErrors::single("reason", e))),
        None if required => Err(DomainError::Validation(ValidationErrors::single(
            "reason",
            Invalid::new(
                ErrorCode::ReasonRequired,
                "someone has claimed this shift: say why it changes (told to every claimant)",
            ),
        ))),
        None => Ok(None),
    }
}

fn not_open(s: &shift::Model, now: DateTime<Utc>) -> Option<DomainError> {
    if s.status == ShiftStatus::Cancelled {
        Some(DomainError::conflict(
            ErrorCode::ShiftCancelled,
            "this shift was cancelled",
        ))
    } else if s.starts_at <= now {
        Some(DomainError::conflict(
            ErrorCode::ShiftStarted,
            "this shift has already started",
        ))
    } else {
        None
    }
}

/// Tells every live claimant of a change; same-day changes to a shift a seeker holds are
/// urgent (delivered through quiet hours and the daily cap).
async fn tell_claimants<C: ConnectionTrait>(
    db: &C,
    claims: &[shift_claim::Model],
    kind: &'static str,
    title: String,
    body: String,
    data: Value,
    urgent_if_held: bool,
) -> Result<(), DomainError> {
    for claim in claims {
        notices::enqueue(
            db,
            Notice::now(
                claim.seeker_id,
                kind,
                title.clone(),
                body.clone(),
                data.clone(),
            )
            .urgent(urgent_if_held && claim.status.holds_place()),
        )
        .await?;
    }
    Ok(())
}

/// Changes a shift. Once claimed, a reason is required, places cannot drop below the
/// claims holding them, the change is recorded and every claimant told; added places go
/// to the waiting list first.
pub async fn update<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    input: ShiftInput,
) -> Result<shift::Model, DomainError> {
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    let (_, found, business) = shift_as_member(&txn, actor, id).await?;
    let current = lock_shift(&txn, id).await?;
    if let Some(err) = not_open(&current, now) {
        return Err(err);
    }
    let gig = settings::of_business(&txn, business.id).await?;
    let mut errors = ValidationErrors::new();
    let defaults = Defaults {
        posting: &found,
        geofence_m: gig.geofence_m,
    };
    let terms = input.terms(&defaults, &mut errors);
    for (field, given) in [
        ("pattern", input.pattern.is_some()),
        (
            "favourites_first_hours",
            input.favourites_first_hours.is_some(),
        ),
    ] {
        if given {
            errors.push(
                field,
                Invalid::new(ErrorCode::NotAllowed, "only when creating shifts"),
            );
        }
    }
    let (starts_at, ends_at) = match (input.starts_at, input.ends_at) {
        (Some(s), Some(e)) => (
            whole_seconds(s.with_timezone(&Utc)),
            whole_seconds(e.with_timezone(&Utc)),
        ),
        _ => {
            errors.push(
                "starts_at",
                Invalid::new(ErrorCode::Required, "give starts_at and ends_at"),
            );
            (current.starts_at, current.ends_at)
        }
    };
    check_times(
        starts_at,
        ends_at,
        input.break_minutes,
        now,
        ("starts_at", "ends_at"),
        &mut errors,
    );
    errors.into_result()?;
    let terms = terms.ok_or_else(|| DomainError::internal("terms validated"))?;
    let claimants = live_claims(&txn, id).await?;
    let reason = reason_of(input.reason.as_deref(), !claimants.is_empty())?;
    if terms.places < current.claimed {
        return Err(DomainError::conflict(
            ErrorCode::PlacesBelowClaims,
            format!(
                "{} claims hold places on this shift; places cannot drop below that",
                current.claimed
            ),
        ));
    }
    let before = snapshot(&current);
    let mut active: shift::ActiveModel = current.clone().into();
    active.starts_at = Set(starts_at);
    active.ends_at = Set(ends_at);
    active.places = Set(terms.places);
    active.pay_fen = Set(terms.pay_fen);
    active.pay_unit = Set(terms.pay_unit);
    active.break_minutes = Set(terms.break_minutes);
    active.address = Set(terms.address);
    active.lat = Set(terms.location.lat());
    active.lon = Set(terms.location.lon());
    active.geofence_m = Set(terms.geofence_m);
    active.updated_at = Set(now);
    if !claimants.is_empty() {
        active.changed_at = Set(Some(now));
    }
    let updated = active.update(&txn).await?;
    if !claimants.is_empty() {
        shift_change::ActiveModel {
            id: Set(Uuid::now_v7()),
            shift_id: Set(id),
            actor_id: Set(actor.account_id),
            kind: Set("updated".into()),
            reason: Set(reason.clone()),
            before: Set(before),
            after: Set(snapshot(&updated)),
            at: Set(now),
        }
        .insert(&txn)
        .await?;
        let same_day = same_local_day(now, current.starts_at) || same_local_day(now, starts_at);
        tell_claimants(
            &txn,
            &claimants,
            "shift_changed",
            format!("班次有变动：{}", found.title),
            format!(
                "{} 现为 {}，{}。原因：{}",
                business.name,
                when_zh(updated.starts_at, updated.ends_at),
                updated.address,
                reason.unwrap_or_default()
            ),
            json!({"shift_id": id, "posting_id": found.id}),
            same_day,
        )
        .await?;
    }
    claims::promote(&txn, &updated, now).await?;
    record_shifts_changed(&txn, &updated, "shifts_changed").await?;
    let updated = super::load_shift(&txn, id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Cancels a shift that has not started. Every live claim ends as `shift_cancelled` and
/// its seeker is told why (urgently on the day itself). Cancelled later than
/// `rules.merchant_late_cancel_before` the start, each worker holding a confirmed place is
/// owed `rules.merchant_late_cancel_share_percent` of the shift's scheduled pay, recorded
/// on their claim (their pay statement) by the same conditional update that ends it, so
/// once however often the cancel is sent.
pub async fn cancel<C: TransactionTrait>(
    db: &C,
    rules: &super::Rules,
    actor: &Principal,
    id: Uuid,
    reason: Option<String>,
) -> Result<shift::Model, DomainError> {
    let now = time::now();
    let txn = crate::db::begin_write(db).await?;
    let (_, found, business) = shift_as_member(&txn, actor, id).await?;
    let current = lock_shift(&txn, id).await?;
    if let Some(err) = not_open(&current, now) {
        return Err(err);
    }
    let claimants = live_claims(&txn, id).await?;
    let reason = reason_of(reason.as_deref(), !claimants.is_empty())?;
    let mut active: shift::ActiveModel = current.clone().into();
    active.status = Set(ShiftStatus::Cancelled);
    active.cancel_reason = Set(reason.clone());
    active.updated_at = Set(now);
    if !claimants.is_empty() {
        active.changed_at = Set(Some(now));
    }
    let updated = active.update(&txn).await?;
    shift_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        shift_id: Set(id),
        actor_id: Set(actor.account_id),
        kind: Set("cancelled".into()),
        reason: Set(reason.clone()),
        before: Set(snapshot(&current)),
        after: Set(json!({"status": "cancelled"})),
        at: Set(now),
    }
    .insert(&txn)
    .await?;
    let late = current.starts_at - now < rules.merchant_late_cancel_before;
    let owed = late_cancel_compensation(&current, rules.merchant_late_cancel_share_percent);
    let mut compensated = Vec::new();
    if late {
        for claim in claimants
            .iter()
            .filter(|c| matches!(c.status, ClaimStatus::Confirmed | ClaimStatus::CheckedIn))
        {
            let moved = shift_claim::Entity::update_many()
                .col_expr(
                    shift_claim::Column::Status,
                    Expr::value(ClaimStatus::ShiftCancelled.as_str()),
                )
                .col_expr(shift_claim::Column::CompensationFen, Expr::value(owed))
                .col_expr(shift_claim::Column::UpdatedAt, Expr::value(now))
                .filter(shift_claim::Column::Id.eq(claim.id))
                .filter(shift_claim::Column::Status.is_in(ClaimStatus::UPCOMING))
                .filter(shift_claim::Column::CompensationFen.is_null())
                .exec(&txn)
                .await?;
            if moved.rows_affected == 1 {
                compensated.push(claim.seeker_id);
            }
        }
    }
    shift_claim::Entity::update_many()
        .col_expr(
            shift_claim::Column::Status,
            Expr::value(ClaimStatus::ShiftCancelled.as_str()),
        )
        .col_expr(shift_claim::Column::UpdatedAt, Expr::value(now))
        .filter(shift_claim::Column::ShiftId.eq(id))
        .filter(shift_claim::Column::Status.is_in(ClaimStatus::UPCOMING))
        .exec(&txn)
        .await?;
    for seeker in &compensated {
        notices::enqueue(
            &txn,
            Notice::now(
                *seeker,
                "shift_cancel_compensation",
                "商户临时取消班次，你将获得补偿".into(),
                format!(
                    "{} 在开工前 {} 小时内取消了 {} 的班次，按规定应付你 {} 元，已记入你的工资单。",
                    business.name,
                    rules.merchant_late_cancel_before.num_hours(),
                    when_zh(current.starts_at, current.ends_at),
                    super::pay::yuan(owed)
                ),
                json!({"shift_id": id, "compensation_fen": owed}),
            )
            .due(now),
        )
        .await?;
    }
    tell_claimants(
        &txn,
        &claimants,
        "shift_cancelled",
        format!("班次已取消：{}", found.title),
        format!(
            "{} 取消了 {} 的班次。原因：{}",
            business.name,
            when_zh(current.starts_at, current.ends_at),
            reason.unwrap_or_default()
        ),
        json!({"shift_id": id, "posting_id": found.id}),
        same_local_day(now, current.starts_at),
    )
    .await?;
    record_shifts_changed(&txn, &updated, "shifts_changed").await?;
    txn.commit().await?;
    Ok(updated)
}

/// What a merchant owes each claimed worker for cancelling `s` late: `share_percent` of its
/// scheduled pay (integer fen, rounded down).
pub fn late_cancel_compensation(s: &shift::Model, share_percent: u32) -> i64 {
    let minutes = super::pay::worked_minutes(s.starts_at, s.ends_at, s.break_minutes);
    super::pay::pay_fen(minutes, s.pay_fen, s.pay_unit) * i64::from(Ord::min(share_percent, 100))
        / 100
}

/// A shift as a viewer may see it, with whether they are a member of its business.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    viewer: Option<&Principal>,
    id: Uuid,
) -> Result<(shift::Model, posting::Model, business::Model, bool), DomainError> {
    let found = super::load_shift(db, id).await?;
    let (p, b) = posting_and_business(db, found.posting_id).await?;
    let member = match viewer {
        Some(v) => super::is_member(db, v, b.id).await?,
        None => false,
    };
    let claimant = match viewer {
        Some(v) if v.role == Role::Seeker => shift_claim::Entity::find()
            .filter(shift_claim::Column::ShiftId.eq(id))
            .filter(shift_claim::Column::SeekerId.eq(v.account_id))
            .one(db)
            .await?
            .is_some(),
        _ => false,
    };
    if member || claimant || postings::is_public(&p, &b, time::now()) {
        Ok((found, p, b, member))
    } else {
        Err(DomainError::NotFound("shift"))
    }
}

/// Which shifts of a posting to list.
#[derive(Debug, Clone, Default)]
pub struct ShiftFilter {
    /// Only shifts starting at or after this.
    pub from: Option<DateTime<Utc>>,
    /// Only shifts starting before this.
    pub to: Option<DateTime<Utc>>,
    /// Only shifts with a place left.
    pub open_places: bool,
}

/// Keyset of shift lists: by start, then id.
pub type ShiftKey = (DateTime<Utc>, Uuid);

/// A posting's shifts in start order. Members see every shift; everyone else the open,
/// upcoming shifts of a public posting.
pub async fn list_for_posting<C: ConnectionTrait>(
    db: &C,
    viewer: Option<&Principal>,
    posting_id: Uuid,
    filter: ShiftFilter,
    page: PageRequest<ShiftKey>,
) -> Result<Page<shift::Model>, DomainError> {
    let (_, _, member) = postings::find_visible(db, viewer, posting_id).await?;
    let mut query = shift::Entity::find()
        .filter(shift::Column::PostingId.eq(posting_id))
        .order_by_asc(shift::Column::StartsAt)
        .order_by_asc(shift::Column::Id);
    if !member {
        query = query
            .filter(shift::Column::Status.eq(ShiftStatus::Open))
            .filter(shift::Column::StartsAt.gt(time::now()));
    }
    if let Some(from) = filter.from {
        query = query.filter(shift::Column::StartsAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(shift::Column::StartsAt.lt(to));
    }
    if filter.open_places {
        query =
            query.filter(Expr::col(shift::Column::Claimed).lt(Expr::col(shift::Column::Places)));
    }
    if let Some((at, id)) = page.after {
        query = query.filter(
            Condition::any().add(shift::Column::StartsAt.gt(at)).add(
                Condition::all()
                    .add(shift::Column::StartsAt.eq(at))
                    .add(shift::Column::Id.gt(id)),
            ),
        );
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |s| (s.starts_at, s.id)))
}

/// Upcoming shifts (not cancelled) of some postings, in start order, for search and
/// matching.
pub async fn upcoming_of<C: ConnectionTrait>(
    db: &C,
    posting_ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<shift::Model>, DomainError> {
    if posting_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(shift::Entity::find()
        .filter(shift::Column::PostingId.is_in(posting_ids.iter().copied()))
        .filter(shift::Column::Status.eq(ShiftStatus::Open))
        .filter(shift::Column::StartsAt.gt(now))
        .order_by_asc(shift::Column::StartsAt)
        .all(db)
        .await?)
}

/// Whether anyone may claim the shift now (it is not in a favourites-only window).
pub fn open_to_everyone(s: &shift::Model, now: DateTime<Utc>) -> bool {
    s.opened_at.is_some() || s.favourites_until.is_none_or(|until| until <= now)
}

/// The shift's change history (members of its business).
pub async fn changes<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
) -> Result<Vec<shift_change::Model>, DomainError> {
    shift_as_member(db, actor, id).await?;
    Ok(shift_change::Entity::find()
        .filter(shift_change::Column::ShiftId.eq(id))
        .order_by_asc(shift_change::Column::Id)
        .all(db)
        .await?)
}

/// Tells every member of the business (merchants get inbox notices directly).
pub(crate) async fn tell_members<C: ConnectionTrait>(
    db: &C,
    business_id: Uuid,
    kind: &str,
    title: String,
    body: String,
    data: Value,
) -> Result<(), DomainError> {
    applications::notify_members(db, business_id, kind, title, body, data).await
}

/// A dated shift as search results show it: when, and whether a place is open (counts
/// change with every claim; the index follows only whether any place is left).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftBrief {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub open: bool,
    pub pay_fen: i64,
    pub pay_unit: ShiftPayUnit,
}

impl ShiftBrief {
    pub fn of(s: &shift::Model, now: DateTime<Utc>) -> Self {
        Self {
            id: s.id,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            open: open_places(s, now) > 0,
            pay_fen: s.pay_fen,
            pay_unit: s.pay_unit,
        }
    }
}

/// Places anyone may still claim: none once started, cancelled, or while the shift is
/// offered to favourites only.
pub fn open_places(s: &shift::Model, now: DateTime<Utc>) -> i32 {
    if s.status != ShiftStatus::Open || s.starts_at <= now || !open_to_everyone(s, now) {
        0
    } else {
        Ord::max(s.places - s.claimed, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gigs::utc;

    fn pattern(weekdays: &[u8], start: &str, end: &str, weeks: u32) -> Pattern {
        Pattern {
            weekdays: weekdays.to_vec(),
            start: start.into(),
            end: end.into(),
            from: NaiveDate::from_ymd_opt(2026, 11, 23),
            weeks,
        }
    }

    #[test]
    fn a_weekly_pattern_makes_dated_shifts_in_china_time() {
        let now = utc("2026-11-23T09:00:00+08:00");
        let shifts = expand(&pattern(&[6, 7], "10:00", "18:00", 2), now).unwrap();
        let starts: Vec<String> = shifts
            .iter()
            .map(|(s, _)| time::to_display(*s).to_rfc3339())
            .collect();
        assert_eq!(
            starts,
            [
                "2026-11-28T10:00:00+08:00",
                "2026-11-29T10:00:00+08:00",
                "2026-12-05T10:00:00+08:00",
                "2026-12-06T10:00:00+08:00"
            ]
        );
        assert_eq!(shifts[0].1, utc("2026-11-28T18:00:00+08:00"));
    }

    #[test]
    fn an_end_before_the_start_is_the_next_morning() {
        let now = utc("2026-11-23T09:00:00+08:00");
        let shifts = expand(&pattern(&[5], "22:00", "04:00", 1), now).unwrap();
        assert_eq!(
            shifts,
            vec![(
                utc("2026-11-27T22:00:00+08:00"),
                utc("2026-11-28T04:00:00+08:00")
            )]
        );
    }

    #[test]
    fn past_dates_are_skipped_and_bad_patterns_named() {
        // Monday 23 November, 11:00: that morning's 10:00 shift has passed.
        let now = utc("2026-11-23T11:00:00+08:00");
        let shifts = expand(&pattern(&[1], "10:00", "12:00", 2), now).unwrap();
        assert_eq!(
            shifts,
            vec![(
                utc("2026-11-30T10:00:00+08:00"),
                utc("2026-11-30T12:00:00+08:00")
            )]
        );
        let err = expand(&pattern(&[0, 8], "25:00", "12:00", 13), now).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["pattern.weekdays", "pattern.start", "pattern.weeks"]
        );
    }
}
