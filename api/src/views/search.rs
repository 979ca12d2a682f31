//! Search answers: job and profile hits with their highlights, facets and fallback, and
//! the vocabulary entries officers add.

use chrono::{DateTime, FixedOffset};
use doorstep_domain::entities::lexicon_entry;
use doorstep_domain::time;
use doorstep_domain::types::{Education, PostingKind, ShiftPayUnit, Visibility};
use doorstep_search_index::{Fallback, Highlights};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::routes::lexicon::LexiconEntryBody;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HighlightsView {
    /// HTML with the matching words in `<b>`; absent when the field did not match.
    pub title: Option<String>,
    pub description: Option<String>,
}

impl From<Highlights> for HighlightsView {
    fn from(h: Highlights) -> Self {
        Self {
            title: h.title,
            description: h.description,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Facets {
    /// Matches per kind.
    pub kind: std::collections::BTreeMap<String, u64>,
    /// Matches per category code.
    pub category: std::collections::BTreeMap<String, u64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct JobHitView {
    pub id: Uuid,
    pub title: String,
    pub business_id: Uuid,
    pub business_name: String,
    pub mall: String,
    pub address: String,
    pub kind: PostingKind,
    pub category: String,
    pub skills: Vec<String>,
    /// Integer fen per `pay_unit`.
    pub pay_min: i64,
    pub pay_max: i64,
    pub pay_unit: String,
    /// From the given point, in whole metres.
    pub distance_m: Option<u32>,
    pub score: f32,
    pub published_at: DateTime<FixedOffset>,
    pub highlights: HighlightsView,
    /// Set when this hit comes from a widened search (see the results' `fallback`).
    pub fallback: Option<FallbackView>,
    /// Gig postings: the next upcoming shifts (up to five).
    pub shifts: Vec<ShiftHitView>,
}

/// An upcoming shift in a job result.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ShiftHitView {
    pub id: Uuid,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// Whether a place was open when the posting was last indexed.
    pub open: bool,
    /// Integer fen per `pay_unit` (`hour` or `shift`).
    pub pay_fen: i64,
    pub pay_unit: ShiftPayUnit,
}

/// How a search that found nothing as asked was widened.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FallbackView {
    /// Nothing inside the radius: these are the nearest matches beyond it.
    BeyondRadius,
    /// Nothing with the filters given: these match the words without the filters.
    Relaxed,
}

impl From<Fallback> for FallbackView {
    fn from(f: Fallback) -> Self {
        match f {
            Fallback::BeyondRadius => FallbackView::BeyondRadius,
            Fallback::Relaxed => FallbackView::Relaxed,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct JobSearchResults {
    pub items: Vec<JobHitView>,
    /// Matches in all pages (0 when `fallback` is set: the items come from a wider search).
    pub total: u64,
    pub facets: Facets,
    pub next_cursor: Option<String>,
    /// What was searched instead of `q`, when it held a typo that sounds like a job word
    /// (服物员 → 服务员): show it as "did you mean".
    pub corrected_query: Option<String>,
    /// Set when nothing matched as asked: the items come from a wider search.
    pub fallback: Option<FallbackView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProfileHitView {
    pub account_id: Uuid,
    pub full_name: String,
    pub skills: Vec<String>,
    pub education: Option<Education>,
    pub major: Option<String>,
    pub graduation_year: Option<i32>,
    pub desired_categories: Vec<String>,
    /// Officers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    /// From the given point (or the merchant's business), in metres rounded to 10 m.
    /// Never the home itself.
    pub distance_m: Option<u32>,
    pub score: f32,
    pub highlights: HighlightsView,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProfileSearchResults {
    pub items: Vec<ProfileHitView>,
    /// Matches in all pages (0 when `fallback` is set).
    pub total: u64,
    pub next_cursor: Option<String>,
    pub corrected_query: Option<String>,
    /// Set when nothing matched as asked: the items come from a wider search.
    pub fallback: Option<FallbackView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LexiconEntryView {
    pub id: Uuid,
    #[serde(flatten)]
    pub entry: LexiconEntryBody,
    pub created_by: Uuid,
    pub created_at: DateTime<FixedOffset>,
}

impl LexiconEntryView {
    /// `None` when the stored entry no longer reads as a body.
    pub fn from_row(row: lexicon_entry::Model) -> Option<Self> {
        Some(Self {
            id: row.id,
            entry: serde_json::from_value(row.entry).ok()?,
            created_by: row.created_by,
            created_at: time::to_display(row.created_at),
        })
    }
}
