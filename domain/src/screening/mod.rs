//! Posting screening (issue 25, item 3): every posting, on create and on each edit, is
//! screened before it is saved:
//!
//! - its texts (title, description, requirements) by the rules of
//!   `data/posting_screening.toml` (worker fees and deposits, 刷单/点赞/打字 tasks,
//!   招转培 and loans, contact details, too-good pay claims), run by the shared engine
//!   [`crate::text_rules`] that fair hiring uses;
//! - its pay against the legal minimum wage in force on the day ([`minimum_wages`]);
//! - its pay against the live postings of the same category and pay unit in the city
//!   ([`pay`], 虚假高薪).
//!
//! A `refuse` finding refuses the posting (422 naming the field and the phrase or the
//! figures: `posting_screened`, `below_minimum_wage`); a `hold` finding saves it held for an
//! officer through [`crate::content_reviews`] (`suggest` `review`, the rule in `reason`), so
//! it cannot be published (an open posting is paused) and stays off search and the
//! listings until an officer approves it. Every refusal and hold is a row of
//! `screening_decisions` (see [`record`]) and an audit entry; officers list them by
//! district.

pub mod minimum_wages;
pub mod pay;

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::content_reviews::{self, Held};
use crate::districts::Scope;
use crate::entities::{business, screening_decision};
use crate::pagination::{Page, PageRequest};
use crate::text_rules::TextRules;
use crate::types::{PayUnit, PostingKind, ScreeningOutcome};
use crate::{DomainError, ErrorCode, Invalid, ValidationErrors, audit};

/// What the rules of a deployment are; built once from the settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The city whose minimum wage applies and whose postings are the pay distribution
    /// (a deployment serves one city; `screening_city`).
    pub city: String,
    /// Live postings of the same category and pay unit needed before pay is compared with
    /// them (`screening_pay_min_samples`).
    pub pay_min_samples: usize,
    /// How many scaled MADs above the median is "far above" (`screening_pay_outlier_factor`).
    pub pay_outlier_factor: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            city: "suzhou".to_owned(),
            pay_min_samples: 20,
            pay_outlier_factor: 5.0,
        }
    }
}

/// What a text rule does when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleAction {
    Refuse,
    Hold,
}

/// What a screening rule says beyond its pattern.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub category: String,
    pub action: RuleAction,
}

const BUILT_IN: &str = include_str!("../../data/posting_screening.toml");

static RULES: LazyLock<TextRules<RuleMeta>> = LazyLock::new(|| {
    TextRules::from_toml(BUILT_IN).expect("built-in posting_screening.toml is covered by tests")
});

/// The text rules, compiled once from the data file.
pub fn rules() -> &'static TextRules<RuleMeta> {
    &RULES
}

/// What is screened of a posting: its texts and pay as validated.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// The posting being edited (left out of the pay distribution); none on create.
    pub posting_id: Option<Uuid>,
    pub kind: PostingKind,
    pub category: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub requirements: &'a str,
    pub pay_min: i64,
    pub pay_max: i64,
    pub pay_unit: PayUnit,
}

/// One rule that fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: String,
    pub category: String,
    pub outcome: ScreeningOutcome,
    /// The request field it concerns (`description`, `pay_min`…).
    pub field: String,
    /// The phrase as written, or the figures compared.
    pub phrase: String,
    /// What the merchant (refused) or the officer (held) reads.
    pub reason: String,
}

/// The text rules' findings over the posting's texts, in field order.
pub fn text_findings(subject: &Subject<'_>) -> Vec<Finding> {
    let mut found = Vec::new();
    for (field, text) in [
        ("title", subject.title),
        ("description", subject.description),
        ("requirements", subject.requirements),
    ] {
        for hit in rules().check(text) {
            let outcome = match hit.meta.action {
                RuleAction::Refuse => ScreeningOutcome::Refused,
                RuleAction::Hold => ScreeningOutcome::Held,
            };
            let reason = match outcome {
                ScreeningOutcome::Refused => format!(
                    "“{}” in {field} matches screening rule {} ({}): recruiting scams are not allowed",
                    hit.phrase, hit.rule, hit.meta.category
                ),
                ScreeningOutcome::Held => format!(
                    "screening rule {} ({}) matched “{}” in {field}",
                    hit.rule, hit.meta.category, hit.phrase
                ),
            };
            found.push(Finding {
                rule: hit.rule.to_owned(),
                category: hit.meta.category.clone(),
                outcome,
                field: field.to_owned(),
                phrase: hit.phrase,
                reason,
            });
        }
    }
    found
}

/// Every finding for the posting on `today` (the minimum wage in force that day).
pub async fn screen<C: ConnectionTrait>(
    db: &C,
    policy: &Policy,
    subject: &Subject<'_>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<Finding>, DomainError> {
    let mut found = text_findings(subject);
    if let Some(wage) = minimum_wages::in_force(db, &policy.city, today).await? {
        found.extend(minimum_wages::judge(subject, &wage));
    }
    found.extend(pay::judge(db, policy, subject, now).await?);
    Ok(found)
}

/// The refusal the findings make, if any: one error per refused finding on its field.
pub fn refusal(found: &[Finding]) -> Option<DomainError> {
    let mut errors = ValidationErrors::new();
    for f in found
        .iter()
        .filter(|f| f.outcome == ScreeningOutcome::Refused)
    {
        let code = if f.category == minimum_wages::CATEGORY {
            ErrorCode::BelowMinimumWage
        } else {
            ErrorCode::PostingScreened
        };
        errors.push(f.field.clone(), Invalid::new(code, f.reason.clone()));
    }
    (!errors.is_empty()).then_some(DomainError::Validation(errors))
}

/// The held findings as content reviews: held until an officer approves (the rule and
/// its category in `reason`, so the queue says why).
pub fn held(found: &[Finding]) -> Vec<Held> {
    found
        .iter()
        .filter(|f| f.outcome == ScreeningOutcome::Held)
        .map(|f| Held {
            field: f.field.clone(),
            content: f.phrase.clone(),
            suggest: content_reviews::REVIEW.to_owned(),
            label: None,
            reason: Some(format!(
                "{}{}",
                content_reviews::SCREENING_REASON_PREFIX,
                f.reason
            )),
        })
        .collect()
}

/// `create` or `edit`: what the merchant was doing when screened.
pub const CREATE: &str = "create";
pub const EDIT: &str = "edit";

/// Keeps the refusals and holds of one screening as `screening_decisions` rows, each with
/// an audit entry (`screening_refused` / `screening_held`) by the merchant.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    posting_id: Option<Uuid>,
    business: &business::Model,
    account: Uuid,
    action: &str,
    found: &[Finding],
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    for f in found {
        let id = Uuid::now_v7();
        screening_decision::ActiveModel {
            id: Set(id),
            posting_id: Set(posting_id),
            business_id: Set(business.id),
            district_id: Set(business.district_id),
            account_id: Set(account),
            action: Set(action.to_owned()),
            rule: Set(f.rule.clone()),
            category: Set(f.category.clone()),
            outcome: Set(f.outcome),
            field: Set(f.field.clone()),
            phrase: Set(f.phrase.clone()),
            reason: Set(f.reason.clone()),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
        audit::record(
            db,
            account,
            None,
            &format!("screening_{}", f.outcome),
            ("screening_decision", id),
            &format!("{} {}: {}", action, f.rule, f.phrase),
        )
        .await?;
    }
    Ok(())
}

/// Filters of the officers' list of decisions.
#[derive(Debug, Clone, Default)]
pub struct DecisionFilter {
    pub outcome: Option<ScreeningOutcome>,
    pub posting_id: Option<Uuid>,
}

/// The decisions of one district, newest first. `scope` must cover the district (else
/// "not found").
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    district: Uuid,
    filter: DecisionFilter,
    page: PageRequest<Uuid>,
) -> Result<Page<screening_decision::Model>, DomainError> {
    scope.require(Some(district), "district")?;
    let mut query = screening_decision::Entity::find()
        .filter(screening_decision::Column::DistrictId.eq(district))
        .order_by_desc(screening_decision::Column::Id);
    if let Some(outcome) = filter.outcome {
        query = query.filter(screening_decision::Column::Outcome.eq(outcome));
    }
    if let Some(posting) = filter.posting_id {
        query = query.filter(screening_decision::Column::PostingId.eq(posting));
    }
    if let Some(before) = page.after {
        query = query.filter(screening_decision::Column::Id.lt(before));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |r| r.id))
}

/// Yuan with two decimals, for reasons (`2400` → `24.00`).
pub(crate) fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// The unit as merchants read it in a reason.
pub(crate) fn per(unit: PayUnit) -> &'static str {
    match unit {
        PayUnit::Hour => "元/小时",
        PayUnit::Day => "元/天",
        PayUnit::Month => "元/月",
        PayUnit::Piece => "元/件",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[derive(Deserialize)]
    struct CaseFile {
        case: Vec<Case>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Case {
        text: String,
        outcome: Option<RuleAction>,
        rule: Option<String>,
        phrase: Option<String>,
    }

    fn cases() -> Vec<Case> {
        toml::from_str::<CaseFile>(BUILT_IN)
            .expect("cases parse")
            .case
    }

    fn subject(text: &str) -> Subject<'_> {
        Subject {
            posting_id: None,
            kind: PostingKind::PartTime,
            category: "retail_sales",
            title: "门店招聘",
            description: text,
            requirements: "",
            pay_min: 2500,
            pay_max: 3000,
            pay_unit: PayUnit::Hour,
        }
    }

    /// The outcome a posting with these findings gets: refused wins over held.
    fn verdict(found: &[Finding]) -> Option<RuleAction> {
        if found.iter().any(|f| f.outcome == ScreeningOutcome::Refused) {
            Some(RuleAction::Refuse)
        } else if found.is_empty() {
            None
        } else {
            Some(RuleAction::Hold)
        }
    }

    #[test]
    fn every_case_in_the_data_file_holds() {
        let mut failures = Vec::new();
        let mut rules_hit = HashSet::new();
        for case in cases() {
            let found = text_findings(&subject(&case.text));
            rules_hit.extend(found.iter().map(|f| f.rule.clone()));
            let first = found.first();
            let ok = verdict(&found) == case.outcome
                && case
                    .rule
                    .as_ref()
                    .is_none_or(|r| first.is_some_and(|f| &f.rule == r))
                && case
                    .phrase
                    .as_ref()
                    .is_none_or(|p| first.is_some_and(|f| &f.phrase == p));
            if !ok {
                failures.push(format!(
                    "  {:?}\n    want {:?} {:?} {:?}\n    got  {found:?}",
                    case.text, case.outcome, case.rule, case.phrase
                ));
            }
        }
        let unused: Vec<_> = rules()
            .ids()
            .filter(|id| !rules_hit.contains(*id))
            .collect();
        assert!(
            failures.is_empty(),
            "{} case(s) failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert!(
            unused.is_empty(),
            "rules with no case exercising them: {unused:?}"
        );
    }

    #[test]
    fn data_file_has_enough_cases_both_ways() {
        let all = cases();
        let refused = all
            .iter()
            .filter(|c| c.outcome == Some(RuleAction::Refuse))
            .count();
        let held = all
            .iter()
            .filter(|c| c.outcome == Some(RuleAction::Hold))
            .count();
        let fine = all.iter().filter(|c| c.outcome.is_none()).count();
        assert!(
            all.len() >= 60 && refused >= 20 && held >= 10 && fine >= 25,
            "{refused} refused, {held} held, {fine} fine"
        );
    }

    #[test]
    fn every_category_is_one_the_product_names() {
        let known = [
            "fee",
            "task_scam",
            "training_loan",
            "loan",
            "contact",
            "high_pay",
        ];
        for (id, meta) in rules().metas() {
            assert!(known.contains(&meta.category.as_str()), "{id}");
        }
    }

    #[test]
    fn refusal_names_the_field_and_the_phrase() {
        let mut s = subject("门店导购，工作认真负责即可。");
        s.requirements = "入职需交押金300元";
        let found = text_findings(&s);
        let Some(DomainError::Validation(errors)) = refusal(&found) else {
            panic!("refused: {found:?}");
        };
        let text = format!("{errors:?}");
        assert!(
            text.contains("requirements") && text.contains("需交押金"),
            "{text}"
        );
    }

    #[test]
    fn held_findings_become_reviews_with_the_rule_as_reason() {
        let found = text_findings(&subject("奶茶店兼职，有意者加微信详聊。"));
        let held = held(&found);
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].suggest, content_reviews::REVIEW);
        let reason = held[0].reason.as_deref().unwrap_or_default();
        assert!(
            reason.contains("contact_wechat") && reason.contains("加微信详聊"),
            "{reason}"
        );
        assert!(refusal(&found).is_none());
    }
}
