//! Points for community work: verified 随手拍 reports, completed volunteer tasks and
//! attended trainings earn them; officers publish rewards; workers redeem.
//!
//! The ledger is append-only and chained per account: each line carries its number (`seq`)
//! and the balance after it, and a unique index on (account, seq) lets only one line follow
//! any other. Two redemptions racing on the same balance both try to write line n+1; one
//! wins, the other's transaction fails and is retried on top of the new line, where the
//! balance may no longer cover it. So the balance never goes negative on SQLite (whose
//! writers queue anyway) or PostgreSQL, without a mutable balance or a table lock, and
//! the history always adds up. Points never enter job matching: nothing in `matcher` reads
//! this table.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Set, SqlErr, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::{point_entry, redemption, reward};
use crate::pagination::{Page, PageRequest};
use crate::types::{PointReason, RedemptionStatus, Role, bounded};
use crate::{DomainError, Invalid, ValidationErrors, audit, inbox, time};

/// Points a verified report earns its reporter.
pub const REPORT_VERIFIED: i32 = 10;
/// Points an attended training earns.
pub const TRAINING_ATTENDED: i32 = 5;
/// Points an officer may give for one volunteer task, at most (they choose, by the task).
pub const VOLUNTEER_TASK_MAX: i32 = 50;
/// How many times a write that lost a race on the ledger is tried again.
const ATTEMPTS: usize = 8;

fn is_unique_violation(err: &DomainError) -> bool {
    matches!(err, DomainError::Database(db) if matches!(db.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))))
        // PostgreSQL may also refuse a transaction that read a line another one replaced.
        || matches!(err, DomainError::Database(DbErr::Exec(e) | DbErr::Query(e)) if e.to_string().contains("could not serialize"))
}

/// Runs `attempt` (a whole transaction) again when it lost a race on the ledger.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, DomainError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, DomainError>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(err) if tries < ATTEMPTS && is_unique_violation(&err) => continue,
            other => return other,
        }
    }
}

/// The account's balance: its last line's.
pub async fn balance<C: ConnectionTrait>(db: &C, account: Uuid) -> Result<i32, DomainError> {
    Ok(last_line(db, account).await?.map_or(0, |l| l.balance_after))
}

async fn last_line<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
) -> Result<Option<point_entry::Model>, DomainError> {
    Ok(point_entry::Entity::find()
        .filter(point_entry::Column::AccountId.eq(account))
        .order_by_desc(point_entry::Column::Seq)
        .one(db)
        .await?)
}

/// Appends one line inside the caller's transaction. A negative result is refused with
/// `insufficient_points`; a line for the same reason and reference that already exists is
/// returned as it is (awards are idempotent). A lost race surfaces as a unique violation
/// for the caller to retry the whole transaction.
pub async fn append<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    delta: i32,
    reason: PointReason,
    reference: Uuid,
    note: &str,
) -> Result<point_entry::Model, DomainError> {
    if let Some(existing) = point_entry::Entity::find()
        .filter(point_entry::Column::AccountId.eq(account))
        .filter(point_entry::Column::Reason.eq(reason))
        .filter(point_entry::Column::RefId.eq(reference))
        .one(db)
        .await?
    {
        return Ok(existing);
    }
    let last = last_line(db, account).await?;
    let (seq, balance) = last.map_or((0, 0), |l| (l.seq, l.balance_after));
    let balance_after = balance
        .checked_add(delta)
        .ok_or_else(|| DomainError::Internal("points balance overflow".into()))?;
    if balance_after < 0 {
        return Err(DomainError::conflict(
            "insufficient_points",
            format!("this needs {} points and the balance is {balance}", -delta),
        ));
    }
    Ok(point_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account),
        seq: Set(seq + 1),
        delta: Set(delta),
        balance_after: Set(balance_after),
        reason: Set(reason),
        ref_id: Set(Some(reference)),
        note: Set(note.chars().take(200).collect()),
        created_at: Set(time::now()),
    }
    .insert(db)
    .await?)
}

/// Awards points in a transaction of its own, with a notice to the worker; retried when it
/// loses a race, idempotent per (reason, reference).
pub async fn award<C: TransactionTrait>(
    db: &C,
    account: Uuid,
    points: i32,
    reason: PointReason,
    reference: Uuid,
    note: &str,
) -> Result<point_entry::Model, DomainError> {
    retrying(|| async move {
        let txn = crate::db::begin_write(db).await?;
        let line = append(&txn, account, points, reason, reference, note).await?;
        inbox::notify(
            &txn,
            account,
            "points_awarded",
            format!("积分 +{points}"),
            note.to_owned(),
            serde_json::json!({"entry_id": line.id, "reason": reason, "balance": line.balance_after}),
        )
        .await?;
        txn.commit().await?;
        Ok(line)
    })
    .await
}

/// An officer's award for a completed volunteer task.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VolunteerAward {
    pub account_id: Uuid,
    /// 1 to 50 points, by the size of the task.
    pub points: i32,
    /// The task (2 to 200 characters), e.g. 协助消防安全宣传.
    pub task: String,
}

/// An officer records a completed volunteer task and its points.
pub async fn award_volunteer_task<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Principal,
    input: VolunteerAward,
) -> Result<point_entry::Model, DomainError> {
    require_officer(actor)?;
    let mut errors = ValidationErrors::new();
    let task = errors.check("task", bounded(&input.task, 2, 200));
    if !(1..=VOLUNTEER_TASK_MAX).contains(&input.points) {
        errors.push(
            "points",
            Invalid::new(
                "out_of_range",
                format!("1 to {VOLUNTEER_TASK_MAX} points per task"),
            ),
        );
    }
    let Some(task) = task.filter(|_| errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let account = crate::accounts::find(db, input.account_id).await?;
    if account.role != Role::Seeker || account.deleted_at.is_some() {
        return Err(DomainError::NotFound("account"));
    }
    // Officers award the workers of their own districts.
    let home = crate::entities::seeker_profile::Entity::find_by_id(input.account_id)
        .one(db)
        .await?
        .and_then(|p| p.district_id);
    crate::districts::scope_of(db, actor)
        .await?
        .require(home, "account")?;
    award(
        db,
        input.account_id,
        input.points,
        PointReason::VolunteerTask,
        Uuid::now_v7(),
        &format!("志愿服务：{task}"),
    )
    .await
}

fn require_officer(actor: &Principal) -> Result<(), DomainError> {
    if matches!(actor.role, Role::Officer | Role::Admin) {
        Ok(())
    } else {
        Err(DomainError::forbidden("only officers do this"))
    }
}

/// An account's ledger, newest first.
pub async fn history<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    page: PageRequest<i32>,
) -> Result<Page<point_entry::Model>, DomainError> {
    let mut query = point_entry::Entity::find()
        .filter(point_entry::Column::AccountId.eq(account))
        .order_by_desc(point_entry::Column::Seq);
    if let Some(before) = page.after {
        query = query.filter(point_entry::Column::Seq.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |l| l.seq))
}

/// A reward officers publish.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RewardInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Points it costs, 1 to 100,000.
    pub cost: i32,
    /// How many there are; absent for no limit.
    #[serde(default)]
    pub stock: Option<i32>,
}

/// Publishes a reward.
pub async fn create_reward<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    input: RewardInput,
) -> Result<reward::Model, DomainError> {
    require_officer(actor)?;
    let mut errors = ValidationErrors::new();
    let name = errors.check("name", bounded(&input.name, 2, 60));
    let description = errors.check("description", bounded(&input.description, 0, 500));
    if !(1..=100_000).contains(&input.cost) {
        errors.push("cost", Invalid::new("out_of_range", "1 to 100000 points"));
    }
    if input.stock.is_some_and(|s| !(0..=100_000).contains(&s)) {
        errors.push("stock", Invalid::new("out_of_range", "0 to 100000"));
    }
    let (Some(name), Some(description)) = (name, description) else {
        return Err(DomainError::Validation(errors));
    };
    errors.into_result()?;
    let txn = crate::db::begin_write(db).await?;
    let created = reward::ActiveModel {
        id: Set(Uuid::now_v7()),
        district_id: Set(None),
        name: Set(name),
        description: Set(description),
        cost: Set(input.cost),
        stock: Set(input.stock),
        active: Set(true),
        created_by: Set(actor.account_id),
        created_at: Set(time::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Rewards on offer.
pub async fn list_rewards<C: ConnectionTrait>(db: &C) -> Result<Vec<reward::Model>, DomainError> {
    Ok(reward::Entity::find()
        .filter(reward::Column::Active.eq(true))
        .order_by_asc(reward::Column::Cost)
        .order_by_asc(reward::Column::Id)
        .all(db)
        .await?)
}

/// A worker spends points on a reward: the stock goes down by one, a redemption is
/// recorded and the ledger charged, all or nothing.
pub async fn redeem<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    reward_id: Uuid,
) -> Result<(redemption::Model, i32), DomainError> {
    if actor.role != Role::Seeker {
        return Err(DomainError::forbidden("only workers redeem points"));
    }
    retrying(|| try_redeem(db, actor.account_id, reward_id)).await
}

async fn try_redeem<C: TransactionTrait>(
    db: &C,
    account: Uuid,
    reward_id: Uuid,
) -> Result<(redemption::Model, i32), DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let found = reward::Entity::find_by_id(reward_id)
        .one(&txn)
        .await?
        .filter(|r| r.active)
        .ok_or(DomainError::NotFound("reward"))?;
    if found.stock.is_some() {
        let taken = reward::Entity::update_many()
            .col_expr(
                reward::Column::Stock,
                Expr::col(reward::Column::Stock).sub(1),
            )
            .filter(reward::Column::Id.eq(reward_id))
            .filter(reward::Column::Stock.gt(0))
            .exec(&txn)
            .await?;
        if taken.rows_affected == 0 {
            return Err(DomainError::conflict(
                "out_of_stock",
                "this reward has run out",
            ));
        }
    }
    let created = redemption::ActiveModel {
        id: Set(Uuid::now_v7()),
        reward_id: Set(reward_id),
        account_id: Set(account),
        district_id: Set(home_district(&txn, account).await?),
        cost: Set(found.cost),
        status: Set(RedemptionStatus::Pending),
        created_at: Set(time::now()),
        fulfilled_at: Set(None),
        fulfilled_by: Set(None),
    }
    .insert(&txn)
    .await?;
    let line = append(
        &txn,
        account,
        -found.cost,
        PointReason::Redemption,
        created.id,
        &found.name,
    )
    .await?;
    txn.commit().await?;
    Ok((created, line.balance_after))
}

/// The worker's redemptions, newest first.
pub async fn my_redemptions<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    page: PageRequest<Uuid>,
) -> Result<Page<redemption::Model>, DomainError> {
    let mut query = redemption::Entity::find()
        .filter(redemption::Column::AccountId.eq(account))
        .order_by_desc(redemption::Column::Id);
    if let Some(before) = page.after {
        query = query.filter(redemption::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |r| r.id))
}

/// Where a worker's redemptions belong: their home district. Rewards are city-wide (they
/// carry no station or district), and the worker collects where they live, from the same
/// officers who award their volunteer points and rank them in the league; so those officers,
/// and no others, hand the reward over or cancel it with a refund. A worker without a home
/// location has redemptions in no district, for admins only. Placement keeps it in step
/// when the home or the districts change (`profiles`, `districts::placement`).
async fn home_district<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
) -> Result<Option<Uuid>, DomainError> {
    Ok(crate::entities::seeker_profile::Entity::find_by_id(account)
        .one(db)
        .await?
        .and_then(|p| p.district_id))
}

/// An officer of the redemption's district hands the reward over (`fulfil`) or cancels the
/// redemption, which refunds the points and puts the item back in stock. Another district's
/// redemption answers 404 like a missing one.
pub async fn settle<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    fulfil: bool,
) -> Result<redemption::Model, DomainError> {
    require_officer(actor)?;
    retrying(|| try_settle(db, actor, id, fulfil)).await
}

async fn try_settle<C: TransactionTrait>(
    db: &C,
    actor: &Principal,
    id: Uuid,
    fulfil: bool,
) -> Result<redemption::Model, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let found = redemption::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("redemption"))?;
    crate::districts::scope_of(&txn, actor)
        .await?
        .require(found.district_id, "redemption")?;
    let status = if fulfil {
        RedemptionStatus::Fulfilled
    } else {
        RedemptionStatus::Cancelled
    };
    // Only a pending redemption moves, once: the conditional update decides a race.
    let moved = redemption::Entity::update_many()
        .col_expr(redemption::Column::Status, Expr::value(status))
        .col_expr(redemption::Column::FulfilledAt, Expr::value(time::now()))
        .col_expr(
            redemption::Column::FulfilledBy,
            Expr::value(actor.account_id),
        )
        .filter(redemption::Column::Id.eq(id))
        .filter(redemption::Column::Status.eq(RedemptionStatus::Pending))
        .exec(&txn)
        .await?;
    let current = redemption::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("redemption"))?;
    if moved.rows_affected == 0 {
        return Err(DomainError::conflict(
            "already_settled",
            "this redemption was already fulfilled or cancelled",
        ));
    }
    if !fulfil {
        append(
            &txn,
            current.account_id,
            current.cost,
            PointReason::Refund,
            current.id,
            "兑换取消，积分退回",
        )
        .await?;
        reward::Entity::update_many()
            .col_expr(
                reward::Column::Stock,
                Expr::col(reward::Column::Stock).add(1),
            )
            .filter(reward::Column::Id.eq(current.reward_id))
            .filter(reward::Column::Stock.is_not_null())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(current)
}

/// A calendar quarter in China Standard Time, e.g. 2026 Q4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    pub year: i32,
    pub quarter: u32,
}

impl Quarter {
    pub fn containing(at: DateTime<Utc>) -> Self {
        let local = time::to_display(at);
        Self {
            year: local.year(),
            quarter: (local.month() - 1) / 3 + 1,
        }
    }

    /// Parses `2026Q4` (or `2026-Q4`).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let bad = || Invalid::new("invalid_quarter", "expected a quarter such as 2026Q4");
        let (year, q) = raw.trim().split_once(['Q', 'q']).ok_or_else(bad)?;
        let year: i32 = year.trim_end_matches('-').parse().map_err(|_| bad())?;
        let quarter: u32 = q.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) || !(1..=4).contains(&quarter) {
            return Err(bad());
        }
        Ok(Self { year, quarter })
    }

    /// The quarter's first instant and the next quarter's, in UTC.
    pub fn bounds(self) -> (DateTime<Utc>, DateTime<Utc>) {
        let start_month = (self.quarter - 1) * 3 + 1;
        let start = NaiveDate::from_ymd_opt(self.year, start_month, 1).expect("valid month");
        let end = if self.quarter == 4 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, start_month + 3, 1)
        }
        .expect("valid month");
        let at = |d: NaiveDate| time::local_midnight(d).expect("a quarter's date is in range");
        (at(start), at(end))
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}Q{}", self.year, self.quarter)
    }
}

/// Points earned (not spent or refunded) by one account in a quarter, as counted.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
struct Earned {
    account_id: Uuid,
    earned: i64,
    entries: i64,
}

/// One row of the quarterly league.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeagueRow {
    pub account_id: Uuid,
    pub display_name: String,
    pub earned: i64,
    pub entries: i64,
}

/// Who earned most in a quarter, for recognitions (网格员 certificates). Officers only;
/// every name they read is written to the audit log.
pub async fn league<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    quarter: Quarter,
    limit: u64,
) -> Result<Vec<LeagueRow>, DomainError> {
    require_officer(actor)?;
    let (from, to) = quarter.bounds();
    // Officers rank the workers who live in their districts.
    let scope = crate::districts::scope_of(db, actor).await?;
    let residents = sea_orm::sea_query::Query::select()
        .column(crate::entities::seeker_profile::Column::AccountId)
        .from(crate::entities::seeker_profile::Entity)
        .and_where(scope.condition(crate::entities::seeker_profile::Column::DistrictId))
        .to_owned();
    let earned = Expr::col(point_entry::Column::Delta).sum();
    let counted = point_entry::Entity::find()
        .select_only()
        .column(point_entry::Column::AccountId)
        .column_as(earned.clone(), "earned")
        .column_as(Expr::col(point_entry::Column::Id).count(), "entries")
        .filter(point_entry::Column::CreatedAt.gte(from))
        .filter(point_entry::Column::CreatedAt.lt(to))
        .filter(point_entry::Column::AccountId.in_subquery(residents))
        .filter(point_entry::Column::Reason.is_in([
            PointReason::ReportVerified,
            PointReason::TrainingAttended,
            PointReason::VolunteerTask,
        ]))
        .group_by(point_entry::Column::AccountId)
        .order_by_desc(earned)
        .order_by_asc(point_entry::Column::AccountId)
        .limit(limit)
        .into_model::<Earned>()
        .all(db)
        .await?;
    let mut rows = Vec::with_capacity(counted.len());
    for row in counted {
        let account = crate::accounts::find(db, row.account_id).await?;
        audit::record(
            db,
            actor.account_id,
            Some(row.account_id),
            "read_points_league",
            ("account", row.account_id),
            &format!("points league {quarter}"),
        )
        .await?;
        rows.push(LeagueRow {
            account_id: row.account_id,
            display_name: account.display_name,
            earned: row.earned,
            entries: row.entries,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_in_china_time() {
        // 2026-12-31 17:00 UTC is already 2027-01-01 01:00 in Suzhou.
        let new_year = DateTime::parse_from_rfc3339("2026-12-31T17:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            Quarter::containing(new_year),
            Quarter {
                year: 2027,
                quarter: 1
            }
        );
        let q4 = Quarter::parse("2026Q4").unwrap();
        let (from, to) = q4.bounds();
        assert_eq!(from.to_rfc3339(), "2026-09-30T16:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-12-31T16:00:00+00:00");
        assert_eq!(Quarter::parse("2026-q1").unwrap().to_string(), "2026Q1");
        assert!(Quarter::parse("2026Q5").is_err());
        assert!(Quarter::parse("Q4").is_err());
    }
}
