//! The legal minimum wage per city, effective-dated (`minimum_wages`): loaded from
//! `data/minimum_wages.toml` at start, added to by officers and admins. A change is a new
//! row with its `effective_from`, never an edit of one in force or past, so a posting is
//! always judged by the row in force on the day it is screened and history stays as it
//! was.
//!
//! What is judged: `pay_min` of an hourly posting against the hourly figure, of a monthly
//! posting against the monthly one. Day and piece rates are not judged (the hours behind
//! them are unknown), nor internships (students on placement are not employees under the
//! labour law the minimum wage comes from).

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use uuid::Uuid;

use super::{Finding, Subject, per, yuan};
use crate::entities::minimum_wage;
use crate::types::{PayUnit, PostingKind, ScreeningOutcome, bounded};
use crate::{DomainError, ErrorCode, Invalid, ValidationErrors, audit, time};

/// The rule id and category of a minimum-wage refusal.
pub const CATEGORY: &str = "minimum_wage";

const BUILT_IN: &str = include_str!("../../data/minimum_wages.toml");

/// A row of the data file, or what an officer adds.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMinimumWage {
    /// The city code (the `screening_city` setting names the deployment's).
    pub city: String,
    /// The first day the figures apply (Asia/Shanghai); today or later.
    pub effective_from: NaiveDate,
    /// Integer fen per hour.
    pub hourly_fen: i64,
    /// Integer fen per month.
    pub monthly_fen: i64,
    /// Where the figures come from (the government notice).
    pub source: String,
}

#[derive(Deserialize)]
struct WageFile {
    wage: Vec<NewMinimumWage>,
}

/// The rows of the data file.
pub fn built_in() -> Vec<NewMinimumWage> {
    toml::from_str::<WageFile>(BUILT_IN)
        .expect("built-in minimum_wages.toml is covered by tests")
        .wage
}

/// Inserts the data file's rows a database lacks (same city and date: left as it is).
/// Run at start, inside the caller's migration lock or write transaction so instances
/// starting together add each row once; returns how many rows were added.
pub async fn load_built_in<C: ConnectionTrait>(db: &C) -> Result<u64, DomainError> {
    let mut added = 0;
    for wage in built_in() {
        let exists = minimum_wage::Entity::find()
            .filter(minimum_wage::Column::City.eq(wage.city.as_str()))
            .filter(minimum_wage::Column::EffectiveFrom.eq(wage.effective_from))
            .one(db)
            .await?
            .is_some();
        if exists {
            continue;
        }
        minimum_wage::ActiveModel {
            id: Set(Uuid::now_v7()),
            city: Set(wage.city),
            effective_from: Set(wage.effective_from),
            hourly_fen: Set(wage.hourly_fen),
            monthly_fen: Set(wage.monthly_fen),
            source: Set(wage.source),
            created_by: Set(None),
            created_at: Set(time::now()),
        }
        .insert(db)
        .await?;
        added += 1;
    }
    Ok(added)
}

/// The row of `rows` (any order, one city) in force on `day`: the latest that started on
/// or before it.
pub fn in_force_of(rows: &[minimum_wage::Model], day: NaiveDate) -> Option<&minimum_wage::Model> {
    rows.iter()
        .filter(|r| r.effective_from <= day)
        .max_by_key(|r| r.effective_from)
}

/// The city's minimum wage in force on `day`.
pub async fn in_force<C: ConnectionTrait>(
    db: &C,
    city: &str,
    day: NaiveDate,
) -> Result<Option<minimum_wage::Model>, DomainError> {
    Ok(minimum_wage::Entity::find()
        .filter(minimum_wage::Column::City.eq(city))
        .filter(minimum_wage::Column::EffectiveFrom.lte(day))
        .order_by_desc(minimum_wage::Column::EffectiveFrom)
        .one(db)
        .await?)
}

/// Every row, by city and date (a short list by nature: a few rows per city and year).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    city: Option<&str>,
) -> Result<Vec<minimum_wage::Model>, DomainError> {
    let mut query = minimum_wage::Entity::find()
        .order_by_asc(minimum_wage::Column::City)
        .order_by_asc(minimum_wage::Column::EffectiveFrom);
    if let Some(city) = city {
        query = query.filter(minimum_wage::Column::City.eq(city));
    }
    Ok(query.all(db).await?)
}

/// Records a new minimum wage effective `today` or later (an earlier date would rewrite
/// what postings were judged by). A row for the same city and date is a conflict.
pub async fn add<C: TransactionTrait>(
    db: &C,
    actor: Uuid,
    input: NewMinimumWage,
    today: NaiveDate,
) -> Result<minimum_wage::Model, DomainError> {
    let mut errors = ValidationErrors::new();
    let city_ok = !input.city.is_empty()
        && input.city.len() <= 40
        && input
            .city
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !city_ok {
        errors.push(
            "city",
            Invalid::new(
                ErrorCode::OutOfRange,
                "a city code: 1 to 40 lower-case letters, digits or _",
            ),
        );
    }
    if input.effective_from < today {
        errors.push(
            "effective_from",
            Invalid::new(
                ErrorCode::DateInPast,
                "a change takes effect today or later; the past stays as it was",
            ),
        );
    }
    if !(100..=100_000).contains(&input.hourly_fen) {
        errors.push(
            "hourly_fen",
            Invalid::new(ErrorCode::OutOfRange, "1 to 1000 yuan an hour, in fen"),
        );
    }
    if !(10_000..=10_000_000).contains(&input.monthly_fen) {
        errors.push(
            "monthly_fen",
            Invalid::new(ErrorCode::OutOfRange, "100 to 100000 yuan a month, in fen"),
        );
    }
    let source = errors.check("source", bounded(&input.source, 2, 200));
    errors.into_result()?;
    let txn = crate::db::begin_write(db).await?;
    let taken = minimum_wage::Entity::find()
        .filter(minimum_wage::Column::City.eq(input.city.as_str()))
        .filter(minimum_wage::Column::EffectiveFrom.eq(input.effective_from))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(DomainError::conflict(
            ErrorCode::MinimumWageExists,
            "this city already has a minimum wage from that date; add one with a later date",
        ));
    }
    let row = minimum_wage::ActiveModel {
        id: Set(Uuid::now_v7()),
        city: Set(input.city),
        effective_from: Set(input.effective_from),
        hourly_fen: Set(input.hourly_fen),
        monthly_fen: Set(input.monthly_fen),
        source: Set(source.unwrap_or_default()),
        created_by: Set(Some(actor)),
        created_at: Set(time::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        None,
        "minimum_wage_added",
        ("minimum_wage", row.id),
        &format!(
            "{} from {}: {} 元/小时, {} 元/月",
            row.city,
            row.effective_from,
            yuan(row.hourly_fen),
            yuan(row.monthly_fen)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The refusal of a posting paying less than `wage`, if it does (see the module notes for
/// what is judged).
pub fn judge(subject: &Subject<'_>, wage: &minimum_wage::Model) -> Option<Finding> {
    if subject.kind == PostingKind::Internship {
        return None;
    }
    let minimum = match subject.pay_unit {
        PayUnit::Hour => wage.hourly_fen,
        PayUnit::Month => wage.monthly_fen,
        PayUnit::Day | PayUnit::Piece => return None,
    };
    if subject.pay_min >= minimum {
        return None;
    }
    let unit = per(subject.pay_unit);
    Some(Finding {
        rule: CATEGORY.to_owned(),
        category: CATEGORY.to_owned(),
        outcome: ScreeningOutcome::Refused,
        field: "pay_min".to_owned(),
        phrase: format!("{}{unit} < {}{unit}", yuan(subject.pay_min), yuan(minimum)),
        reason: format!(
            "pay_min {}{unit} is below the minimum wage of {} ({}{unit}, in force since {})",
            yuan(subject.pay_min),
            wage.city,
            yuan(minimum),
            wage.effective_from
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(from: &str, hourly: i64, monthly: i64) -> minimum_wage::Model {
        minimum_wage::Model {
            id: Uuid::nil(),
            city: "suzhou".into(),
            effective_from: from.parse().unwrap(),
            hourly_fen: hourly,
            monthly_fen: monthly,
            source: "test".into(),
            created_by: None,
            created_at: time::now(),
        }
    }

    fn posting(kind: PostingKind, pay_min: i64, unit: PayUnit) -> Subject<'static> {
        Subject {
            posting_id: None,
            kind,
            category: "retail_sales",
            title: "超市理货员",
            description: "负责理货上架",
            requirements: "",
            pay_min,
            pay_max: pay_min + 500,
            pay_unit: unit,
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_data_file_parses_and_suzhou_is_jiangsu_class_one() {
        let rows = built_in();
        assert!(rows.iter().all(|r| r.city == "suzhou" && r.hourly_fen > 0));
        let latest = rows.iter().max_by_key(|r| r.effective_from).unwrap();
        assert_eq!(
            (latest.effective_from, latest.hourly_fen, latest.monthly_fen),
            (day("2025-01-01"), 2400, 249_000)
        );
    }

    #[test]
    fn a_change_effective_next_month_applies_from_its_date_only() {
        // Today's figure, and a rise taking effect on the first of next month.
        let rows = [
            row("2021-08-01", 2200, 228_000),
            row("2025-01-01", 2400, 249_000),
            row("2027-01-01", 2600, 262_000),
        ];
        let today = day("2026-12-07");
        let next_month = day("2027-01-01");
        let at_25 = posting(PostingKind::PartTime, 2500, PayUnit::Hour);
        // Valid today and every day until the change…
        for d in [today, day("2026-12-31")] {
            let wage = in_force_of(&rows, d).unwrap();
            assert_eq!(wage.hourly_fen, 2400);
            assert_eq!(judge(&at_25, wage), None, "{d}");
        }
        // …refused from the day it takes effect, naming the new figure and its date.
        let wage = in_force_of(&rows, next_month).unwrap();
        let refused = judge(&at_25, wage).expect("below the new minimum");
        assert_eq!(refused.field, "pay_min");
        assert!(
            refused.reason.contains("26.00") && refused.reason.contains("2027-01-01"),
            "{}",
            refused.reason
        );
        // The past is judged by what was in force then.
        let old = in_force_of(&rows, day("2024-06-30")).unwrap();
        assert_eq!(old.hourly_fen, 2200);
        assert_eq!(in_force_of(&rows, day("2020-01-01")), None);
    }

    #[test]
    fn hourly_and_monthly_are_judged_day_piece_and_internships_are_not() {
        let wage = row("2025-01-01", 2400, 249_000);
        let below = |kind, pay, unit| judge(&posting(kind, pay, unit), &wage).is_some();
        assert!(below(PostingKind::PartTime, 2399, PayUnit::Hour));
        assert!(!below(PostingKind::PartTime, 2400, PayUnit::Hour));
        assert!(below(PostingKind::FullTime, 248_000, PayUnit::Month));
        assert!(!below(PostingKind::FullTime, 249_000, PayUnit::Month));
        assert!(!below(PostingKind::Gig, 10_000, PayUnit::Day));
        assert!(!below(PostingKind::Gig, 100, PayUnit::Piece));
        assert!(!below(PostingKind::Internship, 150_000, PayUnit::Month));
    }
}
