//! District figures for officers (issue 11): what happened in one district over a range of
//! days, by week (Monday to Sunday in Asia/Shanghai) and by category, as JSON and as a
//! long-format CSV.
//!
//! Every section is one or two aggregate queries (`GROUP BY` week and category) answered
//! from the indexes of migration 000011; rows never come into Rust one by one. The database
//! buckets instants into Shanghai weeks (SQLite by joining the weeks' bounds, PostgreSQL by
//! truncating each instant: see `Dialect::bucketed`), Rust only adds the buckets up. The median time to
//! fill comes from a histogram of whole hours grouped in the database, so it is exact for
//! whole hours without reading the postings.
//!
//! Definitions (the range is `from` 00:00 to the end of `to`, both Shanghai days):
//! - **open postings**: status `open` now, whatever the range.
//! - **new postings**: `published_at` in the range.
//! - **ended / filled postings, fill rate**: postings whose `closed_at` is in the range and
//!   whose status is `closed` or `filled`; the fill rate is filled ÷ ended (0..1, null when
//!   none ended).
//! - **median hours to fill**: over filled postings with `closed_at` in the range, the
//!   median of the whole hours from `published_at` to `closed_at` (both truncated to the
//!   second, the difference truncated to the hour); the mean of the two middle values for
//!   an even count; null when none.
//! - **applications**: applications created in the range; **applications per posting** is
//!   that ÷ new postings of the same range (null when there are none). Applications carry
//!   no category, so this has no per-category figure.
//! - **placements**: applications with status `hired` whose `updated_at` (the hire) is in
//!   the range; **graduate placements** those with a graduation year (the seeker's, kept
//!   on the application when they applied), also counted per year.
//! - **gig shifts completed, hours worked**: shift claims at the district's businesses on
//!   shifts starting in the range, with status `completed` and hours settled (`confirmed`,
//!   `auto_confirmed` or `resolved`); minutes are the settled `final_minutes`, hours are
//!   minutes ÷ 60. Category is the gig posting's.
//! - **job fairs**: fairs of the district (not draft, not cancelled) starting in the range;
//!   registrations holding a place (walk-ins included), attended (checked in), booth visits
//!   (visitor–booth records), offers and hires as the fair figures count them: distinct
//!   (booth, seeker) pairs that reached the stage at the booth, recorded by the merchant or
//!   through an application made at the booth whose history reached it.
//! - **training**: published sessions of the district starting in the range, by training
//!   category: sessions, registrations not cancelled, attended.
//! - **reports resolved**: reports of the district with status `resolved` and `resolved_at`
//!   in the range, by report category.
//!
//! - **complaints** (whole range only): `filed` with `created_at` in the range; `closed`
//!   and `upheld` with `closed_at` in the range; **median hours to first answer** over
//!   complaints first answered (acknowledged, or closed unacknowledged) in the range, whole
//!   hours from filing; **median hours to close** over those closed in the range;
//!   **answered in time**: of those closed in the range, the ones acknowledged by their
//!   acknowledgement deadline and closed by their closing deadline, and its share (null when
//!   none closed); **open overdue**: not closed now and past a deadline (escalated).
//!
//! The first and last weeks may be partial: only days inside the range count.

use crate::ErrorCode;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, FromQueryResult, Statement, Value};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Principal;
use crate::{DomainError, Invalid, ValidationErrors, csv, districts, time};

/// The longest range asked for at once, in days (two years).
pub const MAX_DAYS: i64 = 731;
/// Weeks in the default range (ending today).
pub const DEFAULT_WEEKS: i64 = 12;

/// A range of Shanghai days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayRange {
    /// Parses `from` and `to` (`YYYY-MM-DD`); a missing `to` is today, a missing `from` the
    /// Monday [`DEFAULT_WEEKS`] weeks back, so the default is the last 12 weeks with this one.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, DomainError> {
        let mut errors = ValidationErrors::new();
        let day = |text: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| Invalid::new(ErrorCode::InvalidDate, "a date as YYYY-MM-DD"))
        };
        let to = match to {
            Some(text) => errors.check("to", day(text)),
            None => Some(today),
        };
        let from = match from {
            Some(text) => errors.check("from", day(text)),
            None => to.map(|to| time::week_start(to) - Duration::weeks(DEFAULT_WEEKS - 1)),
        };
        errors.into_result()?;
        let (Some(from), Some(to)) = (from, to) else {
            return Err(DomainError::internal("dates parsed without a value"));
        };
        Self::new(from, to)
    }

    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, DomainError> {
        if from > to {
            return Err(DomainError::Validation(ValidationErrors::single(
                "from",
                Invalid::new(ErrorCode::OutOfRange, "from is after to"),
            )));
        }
        if (to - from).num_days() + 1 > MAX_DAYS {
            return Err(DomainError::Validation(ValidationErrors::single(
                "to",
                Invalid::new(
                    ErrorCode::OutOfRange,
                    format!("the range is longer than {MAX_DAYS} days (two years)"),
                ),
            )));
        }
        Ok(Self { from, to })
    }

    /// The first instant of the range.
    pub fn start(&self) -> DateTime<Utc> {
        midnight(self.from)
    }

    /// The first instant after the range.
    pub fn end(&self) -> DateTime<Utc> {
        midnight(self.to + Duration::days(1))
    }

    /// The Mondays of the weeks the range touches, in order.
    pub fn weeks(&self) -> Vec<NaiveDate> {
        let last = time::week_start(self.to);
        let mut week = time::week_start(self.from);
        let mut out = Vec::new();
        while week <= last {
            out.push(week);
            week += Duration::weeks(1);
        }
        out
    }
}

/// A range's days are parsed and at most two years long, far inside chrono's range.
fn midnight(day: NaiveDate) -> DateTime<Utc> {
    time::local_midnight(day).expect("a figures date is in chrono's range")
}

/// The median of a histogram of whole values: the middle value, or the mean of the two
/// middle values for an even count; `None` when empty.
pub fn median(histogram: &BTreeMap<i64, u64>) -> Option<f64> {
    let n: u64 = histogram.values().sum();
    if n == 0 {
        return None;
    }
    // 1-based ranks of the two middle values (the same one for an odd count).
    let (low_rank, high_rank) = if n % 2 == 1 {
        (n.div_ceil(2), n.div_ceil(2))
    } else {
        (n / 2, n / 2 + 1)
    };
    let mut seen = 0;
    let (mut low, mut high) = (None, None);
    for (&value, &count) in histogram {
        seen += count;
        if low.is_none() && seen >= low_rank {
            low = Some(value);
        }
        if seen >= high_rank {
            high = Some(value);
            break;
        }
    }
    Some((low? + high?) as f64 / 2.0)
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Everything counted over a range or one week. Units: counts, minutes, hours (minutes ÷
/// 60), rates 0..1; a rate or median with nothing to measure is null.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Measures {
    pub new_postings: u64,
    /// Closed or filled in the range.
    pub ended_postings: u64,
    pub filled_postings: u64,
    /// `filled_postings / ended_postings`, 0..1.
    pub fill_rate: Option<f64>,
    /// Median whole hours from publication to filled.
    pub median_hours_to_fill: Option<f64>,
    /// Applications created in the range.
    pub applications: u64,
    /// `applications / new_postings`.
    pub applications_per_posting: Option<f64>,
    /// Hires (applications moved to `hired`) in the range.
    pub placements: u64,
    /// Placements of seekers who gave a graduation year.
    pub graduate_placements: u64,
    pub gig_shifts_completed: u64,
    pub gig_minutes_worked: u64,
    pub gig_hours_worked: f64,
    pub fairs: u64,
    pub fair_registrations: u64,
    pub fair_attended: u64,
    pub fair_booth_visits: u64,
    pub fair_offers: u64,
    pub fair_hires: u64,
    pub training_sessions: u64,
    pub training_registrations: u64,
    pub training_attended: u64,
    pub reports_resolved: u64,
}

/// What counts per posting category (for a week or the whole range).
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CategoryCounts {
    pub new_postings: u64,
    pub ended_postings: u64,
    pub filled_postings: u64,
    /// 0..1, null when none ended.
    pub fill_rate: Option<f64>,
    pub placements: u64,
    pub graduate_placements: u64,
    pub gig_shifts_completed: u64,
    pub gig_minutes_worked: u64,
    pub gig_hours_worked: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WeekRow {
    /// The Monday the week starts on (Shanghai).
    pub week_start: NaiveDate,
    #[serde(flatten)]
    pub measures: Measures,
}

/// One posting category over the whole range.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CategoryRow {
    pub category: String,
    /// Open now.
    pub open_postings: u64,
    pub median_hours_to_fill: Option<f64>,
    #[serde(flatten)]
    pub counts: CategoryCounts,
}

/// One posting category in one week.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CategoryWeekRow {
    pub week_start: NaiveDate,
    pub category: String,
    #[serde(flatten)]
    pub counts: CategoryCounts,
}

/// Training by training category, over the whole range (`week_start` null) or one week.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrainingRow {
    pub week_start: Option<NaiveDate>,
    pub category: String,
    pub sessions: u64,
    pub registrations: u64,
    pub attended: u64,
}

/// Reports resolved by report category, over the whole range (`week_start` null) or one
/// week.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportRow {
    pub week_start: Option<NaiveDate>,
    pub category: String,
    pub resolved: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GraduateRow {
    pub graduation_year: i32,
    pub placements: u64,
}

/// A district's figures over a range of days.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub district_id: Uuid,
    pub district_name: String,
    /// First day (Shanghai).
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
    /// Postings open now, whatever the range.
    pub open_postings: u64,
    pub totals: Measures,
    /// Every week the range touches, Monday first, empty weeks included.
    pub weeks: Vec<WeekRow>,
    /// Posting categories with anything to count, by name.
    pub categories: Vec<CategoryRow>,
    /// Posting categories by week (weeks and categories with something only); no medians.
    pub category_weeks: Vec<CategoryWeekRow>,
    /// Whole-range rows first (by category), then week rows.
    pub training: Vec<TrainingRow>,
    /// Whole-range rows first (by category), then week rows.
    pub reports: Vec<ReportRow>,
    /// Placements of graduates by graduation year.
    pub graduates: Vec<GraduateRow>,
    /// Complaints of the district's businesses over the whole range.
    pub complaints: ComplaintFigures,
}

/// Complaints over the range (see the module's definitions).
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ComplaintFigures {
    pub filed: u64,
    pub closed: u64,
    pub upheld: u64,
    pub median_hours_to_first_answer: Option<f64>,
    pub median_hours_to_close: Option<f64>,
    /// Closed in the range, acknowledged and closed by their deadlines.
    pub answered_in_time: u64,
    /// `answered_in_time / closed`, 0..1.
    pub answered_in_time_share: Option<f64>,
    /// Not closed now and past a deadline.
    pub open_overdue: u64,
}

// ---- The queries ----

/// A weekly query's parts: the week as text, what to group by, `FROM` and `WHERE`.
struct Bucketed {
    week: String,
    key: String,
    from: String,
    cond: String,
}

/// How the backend turns an instant into its Shanghai week's Monday (`YYYY-MM-DD` text),
/// and the whole hours between two instants.
#[derive(Clone, Copy)]
struct Dialect(DatabaseBackend);

impl Dialect {
    fn week(self, column: &str) -> String {
        match self.0 {
            // Shanghai has no daylight saving: +8 hours is its wall clock. `weekday 0` moves
            // to the coming Sunday (or stays), six days back is that week's Monday.
            DatabaseBackend::Sqlite => {
                format!("date({column}, '+8 hours', 'weekday 0', '-6 days')")
            }
            _ => format!(
                "to_char(date_trunc('week', {column} AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM-DD')"
            ),
        }
    }

    /// How rows of `table` (with its alias) are put in weeks by `column`, restricted to the
    /// district (`district`) and the range: the week expression, the `FROM` clause and a
    /// condition for `WHERE`. SQLite joins the weeks' bounds (`WITH weeks`, see
    /// [`week_bounds`]): one index range search per week and no timestamp parsed per row,
    /// which otherwise costs more than the rest of the query. PostgreSQL reads the range
    /// with constant bounds, so that it estimates the rows right (joined bounds make it
    /// guess millions, then choose hash joins and JIT compilation), and computes each row's
    /// week, which is cheap there.
    fn bucketed(self, table: &str, district: &str, column: &str) -> Bucketed {
        match self.0 {
            DatabaseBackend::Sqlite => Bucketed {
                week: "w.week".into(),
                key: "w.week".into(),
                from: format!(
                    "weeks w JOIN {table} ON {district} = $1 AND {column} >= w.lo AND {column} < w.hi"
                ),
                cond: "1 = 1".into(),
            },
            // Grouped by the truncated instant; only the groups are turned into text.
            _ => Bucketed {
                week: self.week(column),
                key: format!("date_trunc('week', {column} AT TIME ZONE 'Asia/Shanghai')"),
                from: table.to_owned(),
                cond: format!("{district} = $1 AND {column} >= $2 AND {column} < $3"),
            },
        }
    }

    fn whole_hours(self, from: &str, to: &str) -> String {
        match self.0 {
            DatabaseBackend::Sqlite => format!(
                "((CAST(strftime('%s', {to}) AS INTEGER) - CAST(strftime('%s', {from}) AS INTEGER)) / 3600)"
            ),
            _ => format!(
                "(CAST(EXTRACT(EPOCH FROM date_trunc('second', {to})) - EXTRACT(EPOCH FROM date_trunc('second', {from})) AS BIGINT) / 3600)"
            ),
        }
    }

    /// `$n` placeholders as the backend spells them.
    fn statement(self, sql: &str, values: Vec<Value>) -> Statement {
        let sql = match self.0 {
            DatabaseBackend::Sqlite => sql.replace('$', "?"),
            _ => sql.to_owned(),
        };
        Statement::from_sql_and_values(self.0, sql, values)
    }
}

/// `WITH weeks(week, lo, hi)`: each week the range touches (its Monday as text) with the
/// instants it spans inside the range, as parameters from `$4` on.
fn week_bounds(range: &DayRange) -> (String, Vec<Value>) {
    let mut rows = Vec::new();
    let mut values = Vec::new();
    for (i, monday) in range.weeks().into_iter().enumerate() {
        let n = 4 + 3 * i;
        rows.push(format!("(${n}, ${}, ${})", n + 1, n + 2));
        let (lo, hi) = time::week_bounds(monday).expect("a figures date is in chrono's range");
        let (lo, hi) = (lo.max(range.start()), hi.min(range.end()));
        values.push(Value::from(monday.to_string()));
        values.push(lo.into());
        values.push(hi.into());
    }
    (
        format!("WITH weeks(week, lo, hi) AS (VALUES {}) ", rows.join(", ")),
        values,
    )
}

async fn rows<T: FromQueryResult, C: ConnectionTrait>(
    db: &C,
    dialect: Dialect,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<T>, DomainError> {
    Ok(T::find_by_statement(dialect.statement(sql, values))
        .all(db)
        .await?)
}

#[derive(FromQueryResult)]
struct CategoryCount {
    category: String,
    n: i64,
}

#[derive(FromQueryResult)]
struct WeekCategoryCount {
    week: String,
    category: String,
    n: i64,
}

#[derive(FromQueryResult)]
struct Ended {
    week: String,
    category: String,
    n: i64,
    filled: i64,
}

#[derive(FromQueryResult)]
struct HoursBucket {
    key: String,
    hours: i64,
    n: i64,
}

#[derive(FromQueryResult)]
struct WeekCount {
    week: String,
    n: i64,
}

#[derive(FromQueryResult)]
struct Placement {
    week: String,
    category: String,
    graduation_year: Option<i32>,
    n: i64,
}

#[derive(FromQueryResult)]
struct Worked {
    week: String,
    category: String,
    n: i64,
    minutes: i64,
}

#[derive(FromQueryResult)]
struct FairRegistrations {
    week: String,
    registered: i64,
    attended: i64,
}

#[derive(FromQueryResult)]
struct TrainingCounts {
    week: String,
    category: String,
    registrations: i64,
    attended: i64,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn day(text: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| DomainError::internal_from("the database gave the week", format!("{text:?}")))
}

/// Sums per (week, category), folded into weeks, categories and the total.
#[derive(Default)]
struct Folded<T> {
    cells: BTreeMap<(NaiveDate, String), T>,
}

impl<T: Default> Folded<T> {
    fn cell(&mut self, week: &str, category: &str) -> Result<&mut T, DomainError> {
        Ok(self
            .cells
            .entry((day(week)?, category.to_owned()))
            .or_default())
    }
}

/// The counts behind [`CategoryCounts`] before rates are worked out.
#[derive(Debug, Clone, Copy, Default)]
struct Raw {
    new_postings: u64,
    ended: u64,
    filled: u64,
    placements: u64,
    graduate_placements: u64,
    shifts: u64,
    minutes: u64,
}

impl Raw {
    fn add(&mut self, other: &Raw) {
        self.new_postings += other.new_postings;
        self.ended += other.ended;
        self.filled += other.filled;
        self.placements += other.placements;
        self.graduate_placements += other.graduate_placements;
        self.shifts += other.shifts;
        self.minutes += other.minutes;
    }

    fn counts(&self) -> CategoryCounts {
        CategoryCounts {
            new_postings: self.new_postings,
            ended_postings: self.ended,
            filled_postings: self.filled,
            fill_rate: ratio(self.filled, self.ended),
            placements: self.placements,
            graduate_placements: self.graduate_placements,
            gig_shifts_completed: self.shifts,
            gig_minutes_worked: self.minutes,
            gig_hours_worked: self.minutes as f64 / 60.0,
        }
    }
}

/// What has no category: applications, fairs.
#[derive(Debug, Clone, Copy, Default)]
struct Uncategorised {
    applications: u64,
    fairs: u64,
    fair_registrations: u64,
    fair_attended: u64,
    fair_booth_visits: u64,
    fair_offers: u64,
    fair_hires: u64,
}

impl Uncategorised {
    fn add(&mut self, other: &Uncategorised) {
        self.applications += other.applications;
        self.fairs += other.fairs;
        self.fair_registrations += other.fair_registrations;
        self.fair_attended += other.fair_attended;
        self.fair_booth_visits += other.fair_booth_visits;
        self.fair_offers += other.fair_offers;
        self.fair_hires += other.fair_hires;
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Training {
    sessions: u64,
    registrations: u64,
    attended: u64,
}

impl Training {
    fn add(&mut self, other: &Training) {
        self.sessions += other.sessions;
        self.registrations += other.registrations;
        self.attended += other.attended;
    }
}

fn measures(
    raw: &Raw,
    other: &Uncategorised,
    training: &Training,
    reports: u64,
    median_hours_to_fill: Option<f64>,
) -> Measures {
    let c = raw.counts();
    Measures {
        new_postings: c.new_postings,
        ended_postings: c.ended_postings,
        filled_postings: c.filled_postings,
        fill_rate: c.fill_rate,
        median_hours_to_fill,
        applications: other.applications,
        applications_per_posting: ratio(other.applications, c.new_postings),
        placements: c.placements,
        graduate_placements: c.graduate_placements,
        gig_shifts_completed: c.gig_shifts_completed,
        gig_minutes_worked: c.gig_minutes_worked,
        gig_hours_worked: c.gig_hours_worked,
        fairs: other.fairs,
        fair_registrations: other.fair_registrations,
        fair_attended: other.fair_attended,
        fair_booth_visits: other.fair_booth_visits,
        fair_offers: other.fair_offers,
        fair_hires: other.fair_hires,
        training_sessions: training.sessions,
        training_registrations: training.registrations,
        training_attended: training.attended,
        reports_resolved: reports,
    }
}

/// The figures of `district_id` over `range`, for an admin or an officer of the district
/// (another district is "not found"; anyone else is refused).
pub async fn district_figures<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    district_id: Uuid,
    range: DayRange,
) -> Result<Figures, DomainError> {
    let district = districts::view_for(db, actor, district_id).await?;
    compute(db, district_id, district.name, range).await
}

/// The figures without the access check (the benchmark times this): one function per
/// family of queries adds its counts to [`Counted`], which is then folded into rows.
pub async fn compute<C: ConnectionTrait>(
    db: &C,
    district_id: Uuid,
    district_name: String,
    range: DayRange,
) -> Result<Figures, DomainError> {
    let q = Queries::new(db, district_id, &range);
    let mut c = Counted::default();
    postings(&q, &mut c).await?;
    time_to_fill(&q, &mut c).await?;
    applications(&q, &mut c).await?;
    gig_work(&q, &mut c).await?;
    fairs(&q, &mut c).await?;
    training(&q, &mut c).await?;
    reports(&q, &mut c).await?;
    let complaints = complaints(&q).await?;
    let mut figures = c.fold(district_id, district_name, range)?;
    figures.complaints = complaints;
    Ok(figures)
}

#[derive(FromQueryResult)]
struct Hours {
    hours: i64,
    n: i64,
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

/// The complaint figures: a handful of aggregate queries over `complaints` (by
/// `idx_complaints_queue`'s district, then the range).
async fn complaints<C: ConnectionTrait>(
    q: &Queries<'_, C>,
) -> Result<ComplaintFigures, DomainError> {
    let (db, d) = (q.db, q.d);
    let one = |sql: String, values: Vec<Value>| async move {
        let found: Vec<Count> = rows(db, d, &sql, values).await?;
        Ok::<u64, DomainError>(found.first().map(|r| count(r.n)).unwrap_or(0))
    };
    let filed = one(
        "SELECT COUNT(*) AS n FROM complaints WHERE district_id = $1 \
         AND created_at >= $2 AND created_at < $3"
            .to_owned(),
        q.values(),
    )
    .await?;
    let closed_in_range = "district_id = $1 AND closed_at >= $2 AND closed_at < $3";
    let closed = one(
        format!("SELECT COUNT(*) AS n FROM complaints WHERE {closed_in_range}"),
        q.values(),
    )
    .await?;
    let upheld = one(
        format!(
            "SELECT COUNT(*) AS n FROM complaints WHERE {closed_in_range} AND outcome = 'upheld'"
        ),
        q.values(),
    )
    .await?;
    let answered_in_time = one(
        format!(
            "SELECT COUNT(*) AS n FROM complaints WHERE {closed_in_range} \
             AND acknowledged_at <= ack_due_at AND closed_at <= close_due_at"
        ),
        q.values(),
    )
    .await?;
    let open_overdue = one(
        "SELECT COUNT(*) AS n FROM complaints WHERE district_id = $1 AND status <> 'closed' \
         AND (ack_escalated_at IS NOT NULL OR close_escalated_at IS NOT NULL)"
            .to_owned(),
        vec![q.district_id.into()],
    )
    .await?;
    let histogram = |column: &'static str| {
        let hours = d.whole_hours("created_at", column);
        let sql = format!(
            "SELECT {hours} AS hours, COUNT(*) AS n FROM complaints WHERE district_id = $1 \
             AND {column} >= $2 AND {column} < $3 GROUP BY 1"
        );
        async move {
            let found: Vec<Hours> = rows(db, d, &sql, q.values()).await?;
            let mut h: BTreeMap<i64, u64> = BTreeMap::new();
            for r in found {
                *h.entry(r.hours).or_default() += count(r.n);
            }
            Ok::<Option<f64>, DomainError>(median(&h))
        }
    };
    Ok(ComplaintFigures {
        filed,
        closed,
        upheld,
        median_hours_to_first_answer: histogram("acknowledged_at").await?,
        median_hours_to_close: histogram("closed_at").await?,
        answered_in_time,
        answered_in_time_share: ratio(answered_in_time, closed),
        open_overdue,
    })
}

/// What every query of one computation shares: the connection, the backend's dialect, the
/// district and range (`$1` to `$3`) and, on SQLite, the weeks' bounds.
struct Queries<'a, C> {
    db: &'a C,
    d: Dialect,
    district_id: Uuid,
    range: DayRange,
    /// The big tables are put in weeks as `Dialect::bucketed` says.
    weeks_cte: String,
    week_values: Vec<Value>,
}

impl<'a, C: ConnectionTrait> Queries<'a, C> {
    fn new(db: &'a C, district_id: Uuid, range: &DayRange) -> Self {
        let d = Dialect(db.get_database_backend());
        let (weeks_cte, week_values) = match d.0 {
            DatabaseBackend::Sqlite => week_bounds(range),
            _ => (String::new(), Vec::new()),
        };
        Self {
            db,
            d,
            district_id,
            range: *range,
            weeks_cte,
            week_values,
        }
    }

    fn values(&self) -> Vec<Value> {
        vec![
            self.district_id.into(),
            self.range.start().into(),
            self.range.end().into(),
        ]
    }

    fn weekly_values(&self) -> Vec<Value> {
        let mut v = self.values();
        v.extend(self.week_values.iter().cloned());
        v
    }
}

/// Everything the queries counted, before it is folded into rows.
#[derive(Default)]
struct Counted {
    /// Open postings now, by category.
    open: Vec<CategoryCount>,
    /// New, ended and filled postings, placements and gig work, by week and category.
    postings: Folded<Raw>,
    /// Whole hours to fill: per week, over the range, per category.
    week_hours: BTreeMap<NaiveDate, BTreeMap<i64, u64>>,
    total_hours: BTreeMap<i64, u64>,
    category_hours: BTreeMap<String, BTreeMap<i64, u64>>,
    /// Applications and fairs, by week.
    other: BTreeMap<NaiveDate, Uncategorised>,
    /// Placements by graduation year.
    graduates: BTreeMap<i32, u64>,
    training: Folded<Training>,
    reports: Folded<u64>,
}

/// Postings: open now, new (published) and ended (closed or filled) in the range.
async fn postings<C: ConnectionTrait>(
    q: &Queries<'_, C>,
    c: &mut Counted,
) -> Result<(), DomainError> {
    let (db, d, weeks_cte) = (q.db, q.d, &q.weeks_cte);
    // Open now: idx_postings_district_status.
    let open: Vec<CategoryCount> = rows(
        db,
        d,
        "SELECT category, COUNT(*) AS n FROM postings \
         WHERE district_id = $1 AND status = 'open' GROUP BY category",
        vec![q.district_id.into()],
    )
    .await?;

    // New postings: idx_postings_district_published.
    let Bucketed {
        week,
        key,
        from,
        cond,
    } = d.bucketed("postings p", "p.district_id", "p.published_at");
    let new: Vec<WeekCategoryCount> = rows(
        db,
        d,
        &format!(
            "{weeks_cte}SELECT {week} AS week, p.category AS category, COUNT(*) AS n \
             FROM {from} WHERE {cond} GROUP BY {key}, 2"
        ),
        q.weekly_values(),
    )
    .await?;
    for r in &new {
        c.postings.cell(&r.week, &r.category)?.new_postings += count(r.n);
    }

    // Ended and filled: idx_postings_district_closed.
    let Bucketed {
        week,
        key,
        from,
        cond,
    } = d.bucketed("postings p", "p.district_id", "p.closed_at");
    let ended: Vec<Ended> = rows(
        db,
        d,
        &format!(
            "{weeks_cte}SELECT {week} AS week, p.category AS category, COUNT(*) AS n, \
             SUM(CASE WHEN p.status = 'filled' THEN 1 ELSE 0 END) AS filled \
             FROM {from} WHERE {cond} AND p.status IN ('closed', 'filled') GROUP BY {key}, 2"
        ),
        q.weekly_values(),
    )
    .await?;
    for r in &ended {
        let cell = c.postings.cell(&r.week, &r.category)?;
        cell.ended += count(r.n);
        cell.filled += count(r.filled);
    }
    c.open = open;
    Ok(())
}

/// Time to fill: histograms of whole hours from publishing to filling, by week and by
/// category.
async fn time_to_fill<C: ConnectionTrait>(
    q: &Queries<'_, C>,
    c: &mut Counted,
) -> Result<(), DomainError> {
    let (db, d, weeks_cte) = (q.db, q.d, &q.weeks_cte);
    // Histograms of whole hours, by week and by category: idx_postings_district_closed.
    let Bucketed {
        week,
        key,
        from,
        cond,
    } = d.bucketed("postings p", "p.district_id", "p.closed_at");
    let hours = d.whole_hours("p.published_at", "p.closed_at");
    let by_week: Vec<HoursBucket> = rows(
        db,
        d,
        &format!(
            "{weeks_cte}SELECT {week} AS key, {hours} AS hours, COUNT(*) AS n \
             FROM {from} WHERE {cond} \
             AND p.status = 'filled' AND p.published_at IS NOT NULL GROUP BY {key}, 2"
        ),
        q.weekly_values(),
    )
    .await?;
    let by_category: Vec<HoursBucket> = rows(
        db,
        d,
        &format!(
            "SELECT p.category AS key, {hours} AS hours, COUNT(*) AS n FROM postings p \
             WHERE p.district_id = $1 AND p.closed_at >= $2 AND p.closed_at < $3 \
             AND p.status = 'filled' AND p.published_at IS NOT NULL GROUP BY 1, 2"
        ),
        q.values(),
    )
    .await?;
    let mut week_hours: BTreeMap<NaiveDate, BTreeMap<i64, u64>> = BTreeMap::new();
    let mut total_hours: BTreeMap<i64, u64> = BTreeMap::new();
    for r in &by_week {
        *week_hours
            .entry(day(&r.key)?)
            .or_default()
            .entry(r.hours)
            .or_default() += count(r.n);
        *total_hours.entry(r.hours).or_default() += count(r.n);
    }
    let mut category_hours: BTreeMap<String, BTreeMap<i64, u64>> = BTreeMap::new();
    for r in &by_category {
        *category_hours
            .entry(r.key.clone())
            .or_default()
            .entry(r.hours)
            .or_default() += count(r.n);
    }
    c.week_hours = week_hours;
    c.total_hours = total_hours;
    c.category_hours = category_hours;
    Ok(())
}

/// Applications made in the range, and placements (hires) with their graduates.
async fn applications<C: ConnectionTrait>(
    q: &Queries<'_, C>,
    c: &mut Counted,
) -> Result<(), DomainError> {
    let (db, d, weeks_cte) = (q.db, q.d, &q.weeks_cte);
    // Applications: idx_applications_district_created.
    let Bucketed {
        week,
        key,
        from,
        cond,
    } = d.bucketed("applications a", "a.district_id", "a.created_at");
    let applications: Vec<WeekCount> = rows(
        db,
        d,
        &format!(
            "{weeks_cte}SELECT {week} AS week, COUNT(*) AS n FROM {from} WHERE {cond} GROUP BY {key}"
        ),
        q.weekly_values(),
    )
    .await?;
    for r in &applications {
        c.other.entry(day(&r.week)?).or_default().applications += count(r.n);
    }

    // Placements: idx_applications_district_status finds the hires; each reads its posting
    // for the category.
    let Bucketed {
        week,
        key,
        from,
        cond,
    } = d.bucketed("applications a", "a.district_id", "a.updated_at");
    let placements: Vec<Placement> = rows(
        db,
        d,
        &format!(
            "{weeks_cte}SELECT {week} AS week, p.category AS category, \
             a.graduation_year AS graduation_year, COUNT(*) AS n FROM {from} \
             JOIN postings p ON p.id = a.posting_id \
             WHERE {cond} AND a.status = 'hired' GROUP BY {key}, 2, 3"
        ),
        q.weekly_values(),
    )
    .await?;
    let mut graduates: BTreeMap<i32, u64> = BTreeMap::new();
    for r in &placements {
        let cell = c.postings.cell(&r.week, &r.category)?;
        cell.placements += count(r.n);
        if let Some(year) = r.graduation_year {
            cell.graduate_placements += count(r.n);
            *graduates.entry(year).or_default() += count(r.n);
        }
    }
    c.graduates = graduates;
    Ok(())
}

/// Gig shifts worked at the district's businesses, and their settled minutes.
async fn gig_work<C: ConnectionTrait>(
    q: &Queries<'_, C>,
    c: &mut Counted,
) -> Result<(), DomainError> {
    let (db, d) = (q.db, q.d);
    let starts = d.week("s.starts_at");
    let worked: Vec<Worked> = rows(
        db,
        d,
        &format!(
            "SELECT {starts} AS week, p.category AS category, COUNT(*) AS n, \
             COALESCE(SUM(c.final_minutes), 0) AS minutes FROM shift_claims c \
             JOIN businesses b ON b.id = c.business_id \
             JOIN shifts s ON s.id = c.shift_id \
             JOIN postings p ON p.id = c.posting_id \
             WHERE b.district_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3 \
             AND c.status = 'completed' \
             AND c.hours_status IN ('confirmed', 'auto_confirmed', 'resolved') \
             AND c.final_minutes IS NOT NULL GROUP BY 1, 2"
        ),
        q.values(),
    )
    .await?;
    for r in &worked {
        let cell = c.postings.cell(&r.week, &r.category)?;
        cell.shifts += count(r.n);
        cell.minutes += count(r.minutes);
    }
    Ok(())
}

/// Job fairs: fairs held, registrations, attendance, booth visits, offers and hires.
async fn fairs<C: ConnectionTrait>(q: &Queries<'_, C>, c: &mut Counted) -> Result<(), DomainError> {
    let (db, d) = (q.db, q.d);
    // Job fairs: idx_fairs_district, then each fair's rows by their fair id.
    let fair_week = d.week("f.starts_at");
    let fair_filter = "f.district_id = $1 AND f.starts_at >= $2 AND f.starts_at < $3 \
                       AND f.status NOT IN ('draft', 'cancelled')";
    let fairs: Vec<WeekCount> = rows(
        db,
        d,
        &format!(
            "SELECT {fair_week} AS week, COUNT(*) AS n FROM fairs f WHERE {fair_filter} GROUP BY 1"
        ),
        q.values(),
    )
    .await?;
    for r in &fairs {
        c.other.entry(day(&r.week)?).or_default().fairs += count(r.n);
    }
    let registrations: Vec<FairRegistrations> = rows(
        db,
        d,
        &format!(
            "SELECT {fair_week} AS week, \
             SUM(CASE WHEN r.status = 'registered' THEN 1 ELSE 0 END) AS registered, \
             SUM(CASE WHEN r.checked_in_at IS NOT NULL THEN 1 ELSE 0 END) AS attended \
             FROM fair_registrations r JOIN fairs f ON f.id = r.fair_id \
             WHERE {fair_filter} GROUP BY 1"
        ),
        q.values(),
    )
    .await?;
    for r in &registrations {
        let cell = c.other.entry(day(&r.week)?).or_default();
        cell.fair_registrations += count(r.registered);
        cell.fair_attended += count(r.attended);
    }
    let visits: Vec<WeekCount> = rows(
        db,
        d,
        &format!(
            "SELECT {fair_week} AS week, COUNT(*) AS n FROM fair_booth_visits v \
             JOIN fairs f ON f.id = v.fair_id WHERE {fair_filter} GROUP BY 1"
        ),
        q.values(),
    )
    .await?;
    for r in &visits {
        c.other.entry(day(&r.week)?).or_default().fair_booth_visits += count(r.n);
    }
    // A (booth, seeker) pair reached a stage when the merchant recorded it or when an
    // application made at the booth went through it (its history: a later rejection does
    // not undo an offer). UNION keeps each pair once.
    let reached = |outcomes: &str, statuses: &str| {
        format!(
            "SELECT week, COUNT(*) AS n FROM ( \
               SELECT {fair_week} AS week, v.booth_id, v.seeker_id FROM fair_booth_visits v \
               JOIN fairs f ON f.id = v.fair_id WHERE {fair_filter} AND v.outcome IN ({outcomes}) \
               UNION \
               SELECT {fair_week} AS week, fa.booth_id, fa.seeker_id FROM fair_applications fa \
               JOIN fairs f ON f.id = fa.fair_id \
               JOIN application_events e ON e.application_id = fa.application_id \
               WHERE {fair_filter} AND e.to_status IN ({statuses}) \
             ) pairs GROUP BY week"
        )
    };
    let offers: Vec<WeekCount> = rows(
        db,
        d,
        &reached("'offer', 'hire'", "'offered', 'hired'"),
        q.values(),
    )
    .await?;
    for r in &offers {
        c.other.entry(day(&r.week)?).or_default().fair_offers += count(r.n);
    }
    let hires: Vec<WeekCount> = rows(db, d, &reached("'hire'", "'hired'"), q.values()).await?;
    for r in &hires {
        c.other.entry(day(&r.week)?).or_default().fair_hires += count(r.n);
    }
    Ok(())
}

/// Training sessions, their registrations and attendance.
async fn training<C: ConnectionTrait>(
    q: &Queries<'_, C>,
    c: &mut Counted,
) -> Result<(), DomainError> {
    let (db, d) = (q.db, q.d);
    let session_week = d.week("t.starts_at");
    let session_filter = "t.district_id = $1 AND t.starts_at >= $2 AND t.starts_at < $3 \
                          AND t.status = 'published'";
    let mut training: Folded<Training> = Folded::default();
    let sessions: Vec<WeekCategoryCount> = rows(
        db,
        d,
        &format!(
            "SELECT {session_week} AS week, t.category AS category, COUNT(*) AS n \
             FROM training_sessions t WHERE {session_filter} GROUP BY 1, 2"
        ),
        q.values(),
    )
    .await?;
    for r in &sessions {
        training.cell(&r.week, &r.category)?.sessions += count(r.n);
    }
    let seats: Vec<TrainingCounts> = rows(
        db,
        d,
        &format!(
            "SELECT {session_week} AS week, t.category AS category, \
             SUM(CASE WHEN r.status <> 'cancelled' THEN 1 ELSE 0 END) AS registrations, \
             SUM(CASE WHEN r.status = 'attended' THEN 1 ELSE 0 END) AS attended \
             FROM training_registrations r JOIN training_sessions t ON t.id = r.session_id \
             WHERE {session_filter} GROUP BY 1, 2"
        ),
        q.values(),
    )
    .await?;
    for r in &seats {
        let cell = training.cell(&r.week, &r.category)?;
        cell.registrations += count(r.registrations);
        cell.attended += count(r.attended);
    }
    c.training = training;
    Ok(())
}

/// Reports resolved.
async fn reports<C: ConnectionTrait>(
    q: &Queries<'_, C>,
    c: &mut Counted,
) -> Result<(), DomainError> {
    let (db, d) = (q.db, q.d);
    let resolved = d.week("resolved_at");
    let mut reports: Folded<u64> = Folded::default();
    let resolved_rows: Vec<WeekCategoryCount> = rows(
        db,
        d,
        &format!(
            "SELECT {resolved} AS week, category, COUNT(*) AS n FROM reports \
             WHERE district_id = $1 AND status = 'resolved' \
             AND resolved_at >= $2 AND resolved_at < $3 GROUP BY 1, 2"
        ),
        q.values(),
    )
    .await?;
    for r in &resolved_rows {
        *reports.cell(&r.week, &r.category)? += count(r.n);
    }
    c.reports = reports;
    Ok(())
}

impl Counted {
    /// Adds the cells up into weeks, categories and the range, and lays out the rows.
    fn fold(
        self,
        district_id: Uuid,
        district_name: String,
        range: DayRange,
    ) -> Result<Figures, DomainError> {
        let Counted {
            open,
            postings: posting_cells,
            week_hours,
            total_hours,
            category_hours,
            other,
            graduates,
            training,
            reports,
        } = self;
        let weeks = range.weeks();
        let mut week_raw: BTreeMap<NaiveDate, Raw> = BTreeMap::new();
        let mut category_raw: BTreeMap<String, Raw> = BTreeMap::new();
        let mut total_raw = Raw::default();
        for ((week, category), raw) in &posting_cells.cells {
            week_raw.entry(*week).or_default().add(raw);
            category_raw.entry(category.clone()).or_default().add(raw);
            total_raw.add(raw);
        }
        let mut week_training: BTreeMap<NaiveDate, Training> = BTreeMap::new();
        let mut category_training: BTreeMap<String, Training> = BTreeMap::new();
        let mut total_training = Training::default();
        for ((week, category), t) in &training.cells {
            week_training.entry(*week).or_default().add(t);
            category_training
                .entry(category.clone())
                .or_default()
                .add(t);
            total_training.add(t);
        }
        let mut week_reports: BTreeMap<NaiveDate, u64> = BTreeMap::new();
        let mut category_reports: BTreeMap<String, u64> = BTreeMap::new();
        for ((week, category), n) in &reports.cells {
            *week_reports.entry(*week).or_default() += n;
            *category_reports.entry(category.clone()).or_default() += n;
        }
        let mut total_other = Uncategorised::default();
        for o in other.values() {
            total_other.add(o);
        }

        let open_by_category: BTreeMap<String, u64> = open
            .iter()
            .map(|r| (r.category.clone(), count(r.n)))
            .collect();
        let categories: BTreeSet<&String> = category_raw
            .keys()
            .chain(open_by_category.keys())
            .chain(category_hours.keys())
            .collect();

        Ok(Figures {
            district_id,
            district_name,
            from: range.from,
            to: range.to,
            open_postings: open_by_category.values().sum(),
            totals: measures(
                &total_raw,
                &total_other,
                &total_training,
                category_reports.values().sum(),
                median(&total_hours),
            ),
            weeks: weeks
                .iter()
                .map(|week| WeekRow {
                    week_start: *week,
                    measures: measures(
                        &week_raw.get(week).copied().unwrap_or_default(),
                        &other.get(week).copied().unwrap_or_default(),
                        &week_training.get(week).copied().unwrap_or_default(),
                        week_reports.get(week).copied().unwrap_or_default(),
                        week_hours.get(week).and_then(median),
                    ),
                })
                .collect(),
            categories: categories
                .into_iter()
                .map(|category| CategoryRow {
                    category: category.clone(),
                    open_postings: open_by_category.get(category).copied().unwrap_or(0),
                    median_hours_to_fill: category_hours.get(category).and_then(median),
                    counts: category_raw
                        .get(category)
                        .copied()
                        .unwrap_or_default()
                        .counts(),
                })
                .collect(),
            category_weeks: posting_cells
                .cells
                .iter()
                .map(|((week, category), raw)| CategoryWeekRow {
                    week_start: *week,
                    category: category.clone(),
                    counts: raw.counts(),
                })
                .collect(),
            training: category_training
                .iter()
                .map(|(category, t)| (None, category, t))
                .chain(
                    training
                        .cells
                        .iter()
                        .map(|((week, category), t)| (Some(*week), category, t)),
                )
                .map(|(week_start, category, t)| TrainingRow {
                    week_start,
                    category: category.clone(),
                    sessions: t.sessions,
                    registrations: t.registrations,
                    attended: t.attended,
                })
                .collect(),
            reports: category_reports
                .iter()
                .map(|(category, n)| (None, category, *n))
                .chain(
                    reports
                        .cells
                        .iter()
                        .map(|((week, category), n)| (Some(*week), category, *n)),
                )
                .map(|(week_start, category, resolved)| ReportRow {
                    week_start,
                    category: category.clone(),
                    resolved,
                })
                .collect(),
            graduates: graduates
                .into_iter()
                .map(|(graduation_year, placements)| GraduateRow {
                    graduation_year,
                    placements,
                })
                .collect(),
            complaints: ComplaintFigures::default(),
        })
    }
}

// ---- CSV ----

/// The CSV header: one figure per row (long format). `week_start` is the Monday of the
/// week, empty for the whole range; `section` is postings, applications, gigs, fairs,
/// training, reports, graduates or complaints (whole range only); `category` the posting, training or report category (for
/// graduates the graduation year), empty for all; `metric` a field name of the JSON;
/// `value` a number (counts, minutes, hours, rates 0..1), empty when there is nothing to
/// measure.
pub const CSV_HEADER: [&str; 5] = ["week_start", "section", "category", "metric", "value"];

enum Cell {
    Count(u64),
    Real(Option<f64>),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Count(n) => n.to_string(),
            Cell::Real(Some(x)) => format!("{}", (x * 10_000.0).round() / 10_000.0),
            Cell::Real(None) => String::new(),
        }
    }
}

fn measure_cells(m: &Measures) -> Vec<(&'static str, &'static str, Cell)> {
    use Cell::{Count, Real};
    vec![
        ("postings", "new_postings", Count(m.new_postings)),
        ("postings", "ended_postings", Count(m.ended_postings)),
        ("postings", "filled_postings", Count(m.filled_postings)),
        ("postings", "fill_rate", Real(m.fill_rate)),
        (
            "postings",
            "median_hours_to_fill",
            Real(m.median_hours_to_fill),
        ),
        ("applications", "applications", Count(m.applications)),
        (
            "applications",
            "applications_per_posting",
            Real(m.applications_per_posting),
        ),
        ("applications", "placements", Count(m.placements)),
        (
            "applications",
            "graduate_placements",
            Count(m.graduate_placements),
        ),
        (
            "gigs",
            "gig_shifts_completed",
            Count(m.gig_shifts_completed),
        ),
        ("gigs", "gig_minutes_worked", Count(m.gig_minutes_worked)),
        ("gigs", "gig_hours_worked", Real(Some(m.gig_hours_worked))),
        ("fairs", "fairs", Count(m.fairs)),
        ("fairs", "fair_registrations", Count(m.fair_registrations)),
        ("fairs", "fair_attended", Count(m.fair_attended)),
        ("fairs", "fair_booth_visits", Count(m.fair_booth_visits)),
        ("fairs", "fair_offers", Count(m.fair_offers)),
        ("fairs", "fair_hires", Count(m.fair_hires)),
        ("training", "training_sessions", Count(m.training_sessions)),
        (
            "training",
            "training_registrations",
            Count(m.training_registrations),
        ),
        ("training", "training_attended", Count(m.training_attended)),
        ("reports", "reports_resolved", Count(m.reports_resolved)),
    ]
}

fn category_cells(c: &CategoryCounts) -> Vec<(&'static str, &'static str, Cell)> {
    use Cell::{Count, Real};
    vec![
        ("postings", "new_postings", Count(c.new_postings)),
        ("postings", "ended_postings", Count(c.ended_postings)),
        ("postings", "filled_postings", Count(c.filled_postings)),
        ("postings", "fill_rate", Real(c.fill_rate)),
        ("applications", "placements", Count(c.placements)),
        (
            "applications",
            "graduate_placements",
            Count(c.graduate_placements),
        ),
        (
            "gigs",
            "gig_shifts_completed",
            Count(c.gig_shifts_completed),
        ),
        ("gigs", "gig_minutes_worked", Count(c.gig_minutes_worked)),
        ("gigs", "gig_hours_worked", Real(Some(c.gig_hours_worked))),
    ]
}

fn training_cells(t: &TrainingRow) -> [(&'static str, Cell); 3] {
    [
        ("training_sessions", Cell::Count(t.sessions)),
        ("training_registrations", Cell::Count(t.registrations)),
        ("training_attended", Cell::Count(t.attended)),
    ]
}

/// The figures as a long-format CSV for Excel (see [`CSV_HEADER`]): the whole range first
/// (all, then per category, then graduates by year), then each week (all, then per
/// category).
pub fn to_csv(f: &Figures) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut push =
        |week: Option<NaiveDate>, section: &str, category: &str, metric: &str, cell: Cell| {
            rows.push(vec![
                week.map(|w| w.to_string()).unwrap_or_default(),
                section.to_owned(),
                category.to_owned(),
                metric.to_owned(),
                cell.text(),
            ]);
        };
    push(
        None,
        "postings",
        "",
        "open_postings",
        Cell::Count(f.open_postings),
    );
    for (section, metric, cell) in measure_cells(&f.totals) {
        push(None, section, "", metric, cell);
    }
    for c in &f.categories {
        push(
            None,
            "postings",
            &c.category,
            "open_postings",
            Cell::Count(c.open_postings),
        );
        push(
            None,
            "postings",
            &c.category,
            "median_hours_to_fill",
            Cell::Real(c.median_hours_to_fill),
        );
        for (section, metric, cell) in category_cells(&c.counts) {
            push(None, section, &c.category, metric, cell);
        }
    }
    for t in f.training.iter().filter(|t| t.week_start.is_none()) {
        for (metric, cell) in training_cells(t) {
            push(None, "training", &t.category, metric, cell);
        }
    }
    for r in f.reports.iter().filter(|r| r.week_start.is_none()) {
        push(
            None,
            "reports",
            &r.category,
            "reports_resolved",
            Cell::Count(r.resolved),
        );
    }
    for g in &f.graduates {
        push(
            None,
            "graduates",
            &g.graduation_year.to_string(),
            "placements",
            Cell::Count(g.placements),
        );
    }
    let k = &f.complaints;
    for (metric, cell) in [
        ("complaints_filed", Cell::Count(k.filed)),
        ("complaints_closed", Cell::Count(k.closed)),
        ("complaints_upheld", Cell::Count(k.upheld)),
        (
            "median_hours_to_first_answer",
            Cell::Real(k.median_hours_to_first_answer),
        ),
        ("median_hours_to_close", Cell::Real(k.median_hours_to_close)),
        ("answered_in_time", Cell::Count(k.answered_in_time)),
        (
            "answered_in_time_share",
            Cell::Real(k.answered_in_time_share),
        ),
        ("open_overdue", Cell::Count(k.open_overdue)),
    ] {
        push(None, "complaints", "", metric, cell);
    }
    for w in &f.weeks {
        let week = Some(w.week_start);
        for (section, metric, cell) in measure_cells(&w.measures) {
            push(week, section, "", metric, cell);
        }
        for c in f
            .category_weeks
            .iter()
            .filter(|c| c.week_start == w.week_start)
        {
            for (section, metric, cell) in category_cells(&c.counts) {
                push(week, section, &c.category, metric, cell);
            }
        }
        for t in f.training.iter().filter(|t| t.week_start == week) {
            for (metric, cell) in training_cells(t) {
                push(week, "training", &t.category, metric, cell);
            }
        }
        for r in f.reports.iter().filter(|r| r.week_start == week) {
            push(
                week,
                "reports",
                &r.category,
                "reports_resolved",
                Cell::Count(r.resolved),
            );
        }
    }
    csv::document(&CSV_HEADER, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn medians_of_histograms() {
        let h = |pairs: &[(i64, u64)]| pairs.iter().copied().collect::<BTreeMap<_, _>>();
        assert_eq!(median(&h(&[])), None);
        assert_eq!(median(&h(&[(5, 1)])), Some(5.0));
        assert_eq!(median(&h(&[(1, 1), (3, 1)])), Some(2.0));
        assert_eq!(median(&h(&[(1, 2), (3, 1)])), Some(1.0));
        assert_eq!(median(&h(&[(1, 2), (4, 2)])), Some(2.5));
        assert_eq!(median(&h(&[(0, 1), (2, 1), (9, 3)])), Some(9.0));
    }

    #[test]
    fn ranges_weeks_and_defaults() {
        let today = date("2026-11-26"); // a Thursday
        let r = DayRange::parse(None, None, today).unwrap();
        assert_eq!(r.to, today);
        assert_eq!(r.from, date("2026-09-07"));
        assert_eq!(r.weeks().len(), 12);
        assert_eq!(time::week_start(date("2026-11-29")), date("2026-11-23"));
        assert_eq!(time::week_start(date("2026-11-23")), date("2026-11-23"));
        assert_eq!(
            r.start().to_rfc3339(),
            "2026-09-06T16:00:00+00:00",
            "midnight in Shanghai"
        );
        let field = |e: DomainError| match e {
            DomainError::Validation(v) => v.0[0].field.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(DayRange::parse(Some("2026-13-01"), None, today).unwrap_err()),
            "from"
        );
        assert_eq!(
            field(DayRange::parse(None, Some("soon"), today).unwrap_err()),
            "to"
        );
        assert_eq!(
            field(DayRange::parse(Some("2026-11-27"), Some("2026-11-26"), today).unwrap_err()),
            "from"
        );
        assert_eq!(
            field(DayRange::parse(Some("2024-01-01"), Some("2026-01-01"), today).unwrap_err()),
            "to"
        );
        assert!(DayRange::parse(Some("2024-01-01"), Some("2025-12-31"), today).is_ok());
    }
}
