//! Two-sided scores. A pair is strong only when the job suits the seeker *and* the seeker
//! suits the job, so the sides are combined with a harmonic mean, which is dragged down by
//! the weaker side (0.9 and 0.1 give 0.18, where an average would give 0.5).

use serde::Serialize;

/// One named contribution to a side's score, kept for the explanation shown to users.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    /// Stable name, e.g. `distance` or `skills`.
    pub name: &'static str,
    /// How well this factor is met, from 0 to 1.
    pub value: f64,
    /// How much this factor counts within its side.
    pub weight: f64,
}

/// The score of a (posting, seeker) pair, with each side's factors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TwoSidedScore {
    /// How well the job suits the seeker (distance, kind, pay, hours).
    pub for_seeker: f64,
    /// How well the seeker suits the job (skills, requirements, availability).
    pub for_job: f64,
    /// The combined score, from 0 to 1.
    pub combined: f64,
    /// What the harmonic mean of the sides was multiplied by to give `combined` (below 1
    /// when the seeker has not said whether they meet a requirement).
    pub multiplier: f64,
    pub factors: Vec<Factor>,
}

/// Weighted mean of factor values, clamped to 0..=1; no factors (or no weight) give 0.
pub fn side_score(factors: &[Factor]) -> f64 {
    let total_weight: f64 = factors.iter().map(|f| f.weight.max(0.0)).sum();
    if total_weight <= 0.0 {
        return 0.0;
    }
    let sum: f64 = factors
        .iter()
        .map(|f| f.weight.max(0.0) * f.value.clamp(0.0, 1.0))
        .sum();
    (sum / total_weight).clamp(0.0, 1.0)
}

/// Harmonic mean of the two sides; zero if either side is zero.
pub fn combine(for_seeker: f64, for_job: f64) -> f64 {
    let (a, b) = (for_seeker.clamp(0.0, 1.0), for_job.clamp(0.0, 1.0));
    if a == 0.0 || b == 0.0 {
        0.0
    } else {
        2.0 * a * b / (a + b)
    }
}

impl TwoSidedScore {
    pub fn from_factors(seeker_side: Vec<Factor>, job_side: Vec<Factor>) -> Self {
        let for_seeker = side_score(&seeker_side);
        let for_job = side_score(&job_side);
        let mut factors = seeker_side;
        factors.extend(job_side);
        Self {
            for_seeker,
            for_job,
            combined: combine(for_seeker, for_job),
            multiplier: 1.0,
            factors,
        }
    }

    /// Scales the combined score by `multiplier` (0 to 1), which ranks the pair below
    /// comparable ones whatever its sides.
    pub fn with_multiplier(mut self, multiplier: f64) -> Self {
        let multiplier = multiplier.clamp(0.0, 1.0);
        self.combined = combine(self.for_seeker, self.for_job) * multiplier;
        self.multiplier = multiplier;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(name: &'static str, value: f64, weight: f64) -> Factor {
        Factor {
            name,
            value,
            weight,
        }
    }

    #[test]
    fn weak_side_drags_the_pair_down() {
        assert!((combine(0.9, 0.1) - 0.18).abs() < 1e-9);
        assert!((combine(0.8, 0.8) - 0.8).abs() < 1e-9);
        assert_eq!(combine(1.0, 0.0), 0.0);
        assert!(combine(0.9, 0.1) < combine(0.5, 0.5));
    }

    #[test]
    fn side_scores_are_weighted_and_clamped() {
        let side = [factor("distance", 1.0, 3.0), factor("pay", 0.0, 1.0)];
        assert!((side_score(&side) - 0.75).abs() < 1e-9);
        assert_eq!(side_score(&[factor("x", 7.0, 1.0)]), 1.0);
        assert_eq!(side_score(&[]), 0.0);
    }

    #[test]
    fn two_sided_keeps_every_factor() {
        let score = TwoSidedScore::from_factors(
            vec![factor("distance", 1.0, 1.0)],
            vec![factor("skills", 0.5, 1.0)],
        );
        assert_eq!(score.factors.len(), 2);
        assert!((score.combined - combine(1.0, 0.5)).abs() < 1e-9);
    }
}
