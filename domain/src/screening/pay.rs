//! 虚假高薪: pay far above what the same work pays nearby. A posting's `pay_max` is
//! compared with the `pay_max` of the live postings (open, unexpired, of verified
//! businesses) of the same category and pay unit in the city (a deployment serves one
//! city), like with like; only with at least `pay_min_samples` of them. "Far above" is
//! robust to a few odd postings: above both the median plus `pay_outlier_factor` scaled
//! MADs (1.4826 × the median absolute deviation, which matches the standard deviation of
//! normally spread pay) and 1.5 × the median (so a category where everyone pays the same,
//! MAD 0, does not flag a posting paying a little more). A hit holds the posting for an
//! officer with the figures in the reason.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{Finding, Policy, Subject, per, yuan};
use crate::DomainError;
use crate::entities::{business, posting};
use crate::types::{BusinessStatus, PostingStatus, ScreeningOutcome};

/// The rule id and category of a pay outlier.
pub const CATEGORY: &str = "high_pay";
pub const RULE: &str = "pay_far_above_local";

/// The most live postings read for one comparison (the newest are as good a sample).
const SAMPLE_CAP: u64 = 5000;

/// Median and MAD of `values` (sorted in place); `None` when empty.
pub fn median_and_mad(values: &mut [i64]) -> Option<(f64, f64)> {
    fn median(sorted: &[f64]) -> f64 {
        let n = sorted.len();
        if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        }
    }
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let sorted: Vec<f64> = values.iter().map(|&v| v as f64).collect();
    let m = median(&sorted);
    let mut deviations: Vec<f64> = sorted.iter().map(|v| (v - m).abs()).collect();
    deviations.sort_by(f64::total_cmp);
    Some((m, median(&deviations)))
}

/// The finding for `pay` against `sample`, if it is far above (see the module notes).
pub fn outlier(policy: &Policy, subject: &Subject<'_>, sample: &mut [i64]) -> Option<Finding> {
    if sample.len() < policy.pay_min_samples.max(1) {
        return None;
    }
    let (median, mad) = median_and_mad(sample)?;
    let limit = (median + policy.pay_outlier_factor * 1.4826 * mad).max(median * 1.5);
    let pay = subject.pay_max as f64;
    if pay <= limit {
        return None;
    }
    let unit = per(subject.pay_unit);
    let round = |v: f64| yuan(v.round() as i64);
    Some(Finding {
        rule: RULE.to_owned(),
        category: CATEGORY.to_owned(),
        outcome: ScreeningOutcome::Held,
        field: "pay_max".to_owned(),
        phrase: format!("{}{unit}", yuan(subject.pay_max)),
        reason: format!(
            "screening rule {RULE} ({CATEGORY}): pay_max {}{unit} is far above the {} live {} postings of {} in the city: median {}{unit}, MAD {}{unit}, limit {}{unit}",
            yuan(subject.pay_max),
            sample.len(),
            subject.pay_unit,
            subject.category,
            round(median),
            round(mad),
            round(limit),
        ),
    })
}

/// Reads the live sample and judges the posting against it.
pub async fn judge<C: ConnectionTrait>(
    db: &C,
    policy: &Policy,
    subject: &Subject<'_>,
    now: DateTime<Utc>,
) -> Result<Option<Finding>, DomainError> {
    let mut query = posting::Entity::find()
        .inner_join(business::Entity)
        .select_only()
        .column(posting::Column::PayMax)
        .filter(posting::Column::Status.eq(PostingStatus::Open))
        .filter(posting::Column::ExpiresAt.gt(now))
        .filter(business::Column::Status.eq(BusinessStatus::Verified))
        .filter(posting::Column::Category.eq(subject.category))
        .filter(posting::Column::PayUnit.eq(subject.pay_unit))
        .limit(SAMPLE_CAP);
    if let Some(id) = subject.posting_id {
        query = query.filter(posting::Column::Id.ne(id));
    }
    let mut sample: Vec<i64> = query.into_tuple().all(db).await?;
    Ok(outlier(policy, subject, &mut sample))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{PayUnit, PostingKind};

    fn subject(pay_max: i64) -> Subject<'static> {
        Subject {
            posting_id: None,
            kind: PostingKind::PartTime,
            category: "coffee_tea",
            title: "奶茶店店员",
            description: "负责点单和饮品制作",
            requirements: "",
            pay_min: 2500,
            pay_max,
            pay_unit: PayUnit::Hour,
        }
    }

    fn local() -> Vec<i64> {
        // 24 奶茶店 hourly rates between 24 and 32 yuan.
        (0..24).map(|i| 2400 + (i % 9) * 100).collect()
    }

    #[test]
    fn median_and_mad_are_robust() {
        let mut v = vec![10, 20, 30, 40, 1_000_000];
        assert_eq!(median_and_mad(&mut v), Some((30.0, 10.0)));
        assert_eq!(median_and_mad(&mut []), None);
        let mut even = vec![1, 2, 3, 4];
        assert_eq!(median_and_mad(&mut even), Some((2.5, 1.0)));
    }

    #[test]
    fn far_above_the_local_distribution_is_held_with_the_figures() {
        let policy = Policy::default();
        let found =
            outlier(&policy, &subject(12_000), &mut local()).expect("120 元/小时 is far above");
        assert_eq!(found.outcome, ScreeningOutcome::Held);
        assert_eq!(found.field, "pay_max");
        assert!(
            found.reason.contains("median 27.50元/小时"),
            "{}",
            found.reason
        );
        assert!(found.reason.contains("24 live"), "{}", found.reason);
    }

    #[test]
    fn ordinary_and_somewhat_high_pay_pass() {
        let policy = Policy::default();
        for pay in [2800, 3500, 4000] {
            assert_eq!(outlier(&policy, &subject(pay), &mut local()), None, "{pay}");
        }
    }

    #[test]
    fn too_few_samples_judge_nothing() {
        let policy = Policy::default();
        let mut few: Vec<i64> = local().into_iter().take(19).collect();
        assert_eq!(outlier(&policy, &subject(50_000), &mut few), None);
    }

    #[test]
    fn a_uniform_category_needs_half_again_the_median() {
        let policy = Policy::default();
        let mut same = vec![2500; 30];
        assert_eq!(outlier(&policy, &subject(3700), &mut same), None);
        assert!(outlier(&policy, &subject(3800), &mut same).is_some());
    }
}
