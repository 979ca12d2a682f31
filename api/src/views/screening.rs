//! Posting screening as the API shows it: the minimum-wage table and the decisions
//! screening made, for officers.

use chrono::{DateTime, FixedOffset, NaiveDate};
use doorstep_domain::entities::{minimum_wage, screening_decision};
use doorstep_domain::time::to_display;
use doorstep_domain::types::ScreeningOutcome;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A city's legal minimum wage from `effective_from` until the city's next row.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MinimumWageView {
    pub id: Uuid,
    pub city: String,
    pub effective_from: NaiveDate,
    /// Integer fen per hour.
    pub hourly_fen: i64,
    /// Integer fen per month.
    pub monthly_fen: i64,
    pub source: String,
    /// Who added it; none for rows of the data file.
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<FixedOffset>,
}

impl From<minimum_wage::Model> for MinimumWageView {
    fn from(r: minimum_wage::Model) -> Self {
        Self {
            id: r.id,
            city: r.city,
            effective_from: r.effective_from,
            hourly_fen: r.hourly_fen,
            monthly_fen: r.monthly_fen,
            source: r.source,
            created_by: r.created_by,
            created_at: to_display(r.created_at),
        }
    }
}

/// One refusal or hold posting screening made.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ScreeningDecisionView {
    pub id: Uuid,
    /// None when a new posting was refused (nothing was saved).
    pub posting_id: Option<Uuid>,
    pub business_id: Uuid,
    pub district_id: Option<Uuid>,
    /// Who wrote the posting.
    pub account_id: Uuid,
    /// `create` or `edit`.
    pub action: String,
    /// The rule of `posting_screening.toml`, or `minimum_wage`, `pay_far_above_local`.
    pub rule: String,
    /// `fee`, `task_scam`, `training_loan`, `loan`, `contact`, `high_pay`, `minimum_wage`.
    pub category: String,
    pub outcome: ScreeningOutcome,
    /// The field it concerns.
    pub field: String,
    /// The phrase as written, or the figures compared.
    pub phrase: String,
    pub reason: String,
    pub created_at: DateTime<FixedOffset>,
}

impl From<screening_decision::Model> for ScreeningDecisionView {
    fn from(r: screening_decision::Model) -> Self {
        Self {
            id: r.id,
            posting_id: r.posting_id,
            business_id: r.business_id,
            district_id: r.district_id,
            account_id: r.account_id,
            action: r.action,
            rule: r.rule,
            category: r.category,
            outcome: r.outcome,
            field: r.field,
            phrase: r.phrase,
            reason: r.reason,
            created_at: to_display(r.created_at),
        }
    }
}
