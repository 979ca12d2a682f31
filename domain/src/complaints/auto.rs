//! Complaints the platform raises itself: a merchant that repeatedly leaves workers' pay
//! unconfirmed.
//!
//! Doorstep does not move money; what the gig payroll records is whether the merchant
//! confirmed a worker's hours (the figure the pay is owed on). Hours the merchant never
//! confirmed are confirmed automatically (`gig_auto_confirm_hours` after the shift,
//! `hours_status` `auto_confirmed`). A **no-pay** is such a claim: worked, and left
//! unconfirmed by the merchant. [`NO_PAY_THRESHOLD`] or more no-pays of one business
//! confirmed automatically in the last [`NO_PAY_WINDOW_DAYS`] days become a complaint (reason
//! `pay_unpaid`, no complainant), routed to the district's officers like any other. Each
//! such run of no-pays is raised once: the complaint's `auto_key` names the business and
//! its newest no-pay, and is unique, so a later run finds it taken; a further no-pay
//! raises a new complaint.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionSession};
use uuid::Uuid;

use super::Rules;
use crate::entities::{business, complaint, shift_claim};
use crate::types::{ComplaintReason, ComplaintStatus, ComplaintSubject, HoursStatus};
use crate::{DomainError, time};

/// No-pays that make a complaint.
pub const NO_PAY_THRESHOLD: usize = 2;
/// The window they are counted over, by when their hours were confirmed automatically.
pub const NO_PAY_WINDOW_DAYS: i64 = 90;

/// Raises a `pay_unpaid` complaint for every business with repeat no-pays not yet raised.
/// Returns how many were raised. Safe to run twice and on several instances.
pub async fn raise_repeat_no_pays<C: sea_orm::TransactionTrait + ConnectionTrait>(
    db: &C,
    rules: &Rules,
    now: DateTime<Utc>,
) -> Result<usize, DomainError> {
    let since = now - Duration::days(NO_PAY_WINDOW_DAYS);
    // `confirmed_at` of an automatic confirmation is when the merchant's time ran out.
    let claims = shift_claim::Entity::find()
        .filter(shift_claim::Column::HoursStatus.eq(HoursStatus::AutoConfirmed))
        .filter(shift_claim::Column::ConfirmedAt.gt(since))
        .filter(shift_claim::Column::ConfirmedAt.lte(now))
        .all(db)
        .await?;
    let mut by_business: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for c in claims {
        by_business.entry(c.business_id).or_default().push(c.id);
    }
    let mut raised = 0;
    for (business_id, mut claims) in by_business {
        if claims.len() < NO_PAY_THRESHOLD {
            continue;
        }
        claims.sort();
        let newest = *claims.last().expect("at least the threshold");
        let Some(found) = business::Entity::find_by_id(business_id).one(db).await? else {
            continue;
        };
        let created_at = time::now();
        let row = complaint::ActiveModel {
            id: Set(Uuid::now_v7()),
            complainant_id: Set(None),
            subject_kind: Set(ComplaintSubject::Business),
            subject_id: Set(business_id),
            seq: Set(None),
            business_id: Set(business_id),
            district_id: Set(found.district_id),
            reason: Set(ComplaintReason::PayUnpaid),
            text: Set(format!(
                "平台自动投诉：{} 在近 {NO_PAY_WINDOW_DAYS} 天内有 {} 个已完成班次的工时未经商户确认（到期自动确认），可能存在拖欠工资。",
                found.name,
                claims.len()
            )),
            status: Set(ComplaintStatus::Open),
            auto_key: Set(Some(format!("pay_unpaid:{business_id}:{newest}"))),
            ack_due_at: Set(created_at + rules.ack_within),
            close_due_at: Set(created_at + rules.close_within),
            acknowledged_at: Set(None),
            acknowledged_by: Set(None),
            ack_escalated_at: Set(None),
            close_escalated_at: Set(None),
            outcome: Set(None),
            action: Set(None),
            outcome_note: Set(None),
            closed_at: Set(None),
            closed_by: Set(None),
            created_at: Set(created_at),
            updated_at: Set(created_at),
        };
        let txn = crate::db::begin_write(db).await?;
        let inserted = complaint::Entity::insert(row.clone())
            .on_conflict(
                OnConflict::column(complaint::Column::AutoKey)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        if inserted == 0 {
            continue;
        }
        let created = super::find(&txn, *row.id.as_ref()).await?;
        super::opened(&txn, &created, None).await?;
        txn.commit().await?;
        tracing::info!(business = %business_id, no_pays = claims.len(), "raised a pay_unpaid complaint");
        raised += 1;
    }
    Ok(raised)
}
