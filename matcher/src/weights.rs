//! The factor weights the scorer uses, from a versioned file (`matcher/data/weights.toml`,
//! compiled in; a refitted copy can be given at start). Which factors exist is fixed by the
//! code: a file missing one, or naming one the code does not know, is refused, so a stale
//! file cannot silently drop a factor.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use serde::{Deserialize, Serialize};

/// The factors of the seeker's side (how well the job suits them).
pub const SEEKER_FACTORS: [&str; 4] = ["distance", "pay", "hours", "category"];
/// The factors of the job's side (how well the seeker suits it).
pub const JOB_FACTORS: [&str; 6] = [
    "skills",
    "availability",
    "education",
    "experience",
    "resume_text",
    "requirements",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub version: u32,
    /// RFC 3339 time of the fit, or `hand-set`.
    pub fitted_at: String,
    #[serde(default)]
    pub note: String,
    /// Multiplies the combined score once per requirement the seeker has not said whether
    /// they meet; in (0, 1].
    pub unknown_requirement_penalty: f64,
    pub seeker_side: BTreeMap<String, f64>,
    pub job_side: BTreeMap<String, f64>,
}

#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("not a weights file: {0}")]
    Parse(String),
    #[error("{0}")]
    Invalid(String),
}

static BUILTIN: LazyLock<Arc<Weights>> = LazyLock::new(|| {
    Arc::new(
        Weights::from_toml(include_str!("../data/weights.toml"))
            .expect("the shipped weights file is valid (a test proves it)"),
    )
});

impl Weights {
    /// The weights shipped in `matcher/data/weights.toml`.
    pub fn builtin() -> Arc<Weights> {
        BUILTIN.clone()
    }

    pub fn from_toml(text: &str) -> Result<Self, WeightsError> {
        let weights: Weights =
            toml::from_str(text).map_err(|e| WeightsError::Parse(e.to_string()))?;
        weights.check()?;
        Ok(weights)
    }

    pub fn load(path: &Path) -> Result<Self, WeightsError> {
        let text = std::fs::read_to_string(path).map_err(|source| WeightsError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("weights serialise")
    }

    fn check(&self) -> Result<(), WeightsError> {
        for (side, expected, got) in [
            ("seeker_side", &SEEKER_FACTORS[..], &self.seeker_side),
            ("job_side", &JOB_FACTORS[..], &self.job_side),
        ] {
            for name in expected {
                if !got.contains_key(*name) {
                    return Err(WeightsError::Invalid(format!("{side}.{name} is missing")));
                }
            }
            for (name, weight) in got {
                if !expected.contains(&name.as_str()) {
                    return Err(WeightsError::Invalid(format!(
                        "{side}.{name} is not a factor of the matcher"
                    )));
                }
                if !weight.is_finite() || *weight < 0.0 || *weight > 100.0 {
                    return Err(WeightsError::Invalid(format!(
                        "{side}.{name} must be 0 to 100"
                    )));
                }
            }
        }
        if !(self.unknown_requirement_penalty > 0.0 && self.unknown_requirement_penalty <= 1.0) {
            return Err(WeightsError::Invalid(
                "unknown_requirement_penalty must be in (0, 1]".into(),
            ));
        }
        Ok(())
    }

    /// The weight of a factor of either side (0 for a name no side has).
    pub fn weight(&self, factor: &str) -> f64 {
        self.seeker_side
            .get(factor)
            .or_else(|| self.job_side.get(factor))
            .copied()
            .unwrap_or(0.0)
    }

    /// Whether `factor` belongs to the seeker's side.
    pub fn is_seeker_side(factor: &str) -> bool {
        SEEKER_FACTORS.contains(&factor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_is_valid_and_complete() {
        let w = Weights::builtin();
        assert_eq!(w.version, 1);
        assert_eq!(w.weight("distance"), 3.0);
        assert_eq!(w.weight("skills"), 3.0);
        assert_eq!(w.weight("nonsense"), 0.0);
        assert_eq!(Weights::from_toml(&w.to_toml()).unwrap(), *w);
    }

    #[test]
    fn incomplete_or_unknown_factors_are_refused() {
        let text = include_str!("../data/weights.toml");
        let missing = text.replace("distance = 3.0\n", "");
        assert!(
            Weights::from_toml(&missing)
                .unwrap_err()
                .to_string()
                .contains("seeker_side.distance is missing")
        );
        let extra = text.replace("pay = 2.0\n", "pay = 2.0\ngender = 1.0\n");
        assert!(
            Weights::from_toml(&extra)
                .unwrap_err()
                .to_string()
                .contains("gender is not a factor")
        );
        let negative = text.replace("pay = 2.0", "pay = -2.0");
        assert!(Weights::from_toml(&negative).is_err());
        let penalty = text.replace(
            "unknown_requirement_penalty = 0.5",
            "unknown_requirement_penalty = 0",
        );
        assert!(Weights::from_toml(&penalty).is_err());
    }
}
