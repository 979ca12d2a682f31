//! Matches and the webhooks their pushes may be sent to.

use chrono::{DateTime, FixedOffset};
use doorstep_domain::entities::{job_match, webhook_endpoint};
use doorstep_domain::time;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MatchView {
    pub id: Uuid,
    /// 0 to 1; strong only when the job suits the seeker and the seeker suits the job.
    pub score: f64,
    pub for_seeker: f64,
    pub for_job: f64,
    /// e.g. "距家800米 · 技能匹配：咖啡、收银 · 周末有空".
    pub explanation: String,
    /// Each factor's value and weight.
    pub factors: serde_json::Value,
    /// `new`, `pushed`, `saved`, `dismissed`, `applied`.
    pub status: String,
    pub posting_id: Uuid,
    /// Seekers: the job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posting_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_name: Option<String>,
    /// Merchants: the candidate, without contact details or home.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seeker_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seeker_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seeker_skills: Option<Vec<String>>,
    pub updated_at: DateTime<FixedOffset>,
    /// Seekers' cards: the business's owner has verified their real name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_real_name_verified: Option<bool>,
    /// Merchants' cards: the candidate has verified their real name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeker_real_name_verified: Option<bool>,
}

/// The match alone; the caller fills in the job or the candidate.
impl From<&job_match::Model> for MatchView {
    fn from(m: &job_match::Model) -> Self {
        Self {
            id: m.id,
            score: m.score,
            for_seeker: m.for_seeker,
            for_job: m.for_job,
            explanation: m.explanation.clone(),
            factors: m.factors.clone(),
            status: m.status.to_string(),
            posting_id: m.posting_id,
            posting_title: None,
            business_name: None,
            seeker_id: None,
            seeker_name: None,
            seeker_skills: None,
            updated_at: time::to_display(m.updated_at),
            owner_real_name_verified: None,
            seeker_real_name_verified: None,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    pub url: String,
    /// The HMAC-SHA256 key for `X-Doorstep-Signature`; shown when registered only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: DateTime<FixedOffset>,
}

impl WebhookView {
    pub fn new(e: webhook_endpoint::Model, with_secret: bool) -> Self {
        Self {
            id: e.id,
            url: e.url,
            secret: with_secret.then_some(e.secret),
            created_at: time::to_display(e.created_at),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PingResult {
    pub delivered: bool,
    /// Why not, when it was not.
    pub error: Option<String>,
}
