//! The query mix and judged set (`bench/data/queries.toml`), and nDCG@10.

use std::collections::HashMap;

use anyhow::Context;
use doorstep_domain::types::GeoPoint;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchQuery {
    pub group: String,
    #[serde(default)]
    pub q: String,
    pub near: Option<String>,
    pub radius_km: Option<f64>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub schedule: Option<String>,
    pub pay_min_fen_per_hour: Option<f64>,
    /// Role code → gain (2 exactly right, 1 acceptable).
    #[serde(default)]
    pub grades: HashMap<String, u8>,
    /// Resolved from `near`.
    #[serde(skip)]
    pub point: Option<GeoPoint>,
}

#[derive(Deserialize)]
struct File {
    query: Vec<BenchQuery>,
}

pub const QUERIES: &str = include_str!("../data/queries.toml");

pub fn load() -> anyhow::Result<Vec<BenchQuery>> {
    let file: File = toml::from_str(QUERIES).context("bench/data/queries.toml")?;
    file.query
        .into_iter()
        .map(|mut q| {
            if let Some(name) = &q.near {
                let (lat, lon) = doorstep_demo::generate::place_point(name)
                    .with_context(|| format!("unknown place {name}"))?;
                q.point = Some(GeoPoint::new(lat, lon).map_err(|e| anyhow::anyhow!("{e:?}"))?);
            }
            Ok(q)
        })
        .collect()
}

impl BenchQuery {
    pub fn judged(&self) -> bool {
        !self.grades.is_empty()
    }

    pub fn label(&self) -> String {
        let mut parts = vec![if self.q.is_empty() {
            "(no text)".to_owned()
        } else {
            self.q.clone()
        }];
        if let (Some(near), Some(r)) = (&self.near, self.radius_km) {
            parts.push(format!("≤{r} km of {near}"));
        }
        for (name, v) in [
            ("kind", &self.kind),
            ("category", &self.category),
            ("schedule", &self.schedule),
        ] {
            if let Some(v) = v {
                parts.push(format!("{name}={v}"));
            }
        }
        parts.join(", ")
    }

    /// Whether a posting at `point` lies inside the query's area (or there is none).
    pub fn inside(&self, lat: f64, lon: f64) -> bool {
        match (self.point, self.radius_km) {
            (Some(center), Some(r)) => GeoPoint::new(lat, lon)
                .map(|p| p.distance_m(center) <= r * 1000.0)
                .unwrap_or(false),
            _ => true,
        }
    }
}

fn dcg(gains: impl Iterator<Item = u8>) -> f64 {
    gains
        .enumerate()
        .map(|(i, g)| (2f64.powi(g as i32) - 1.0) / ((i + 2) as f64).log2())
        .sum()
}

/// nDCG@k of a ranked list of gains, against the best possible ordering of `available`
/// (every judged document's gain in the corpus).
pub fn ndcg_at(k: usize, ranked: &[u8], available: &[u8]) -> f64 {
    let mut ideal = available.to_vec();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best = dcg(ideal.into_iter().take(k));
    if best == 0.0 {
        return 0.0;
    }
    dcg(ranked.iter().copied().take(k)) / best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndcg_is_one_for_the_ideal_order_and_less_otherwise() {
        let available = [2, 2, 1, 1, 0];
        assert!((ndcg_at(10, &[2, 2, 1, 1], &available) - 1.0).abs() < 1e-12);
        let swapped = ndcg_at(10, &[1, 2, 2, 1], &available);
        assert!(swapped < 1.0 && swapped > 0.5, "{swapped}");
        assert_eq!(ndcg_at(10, &[0, 0], &available), 0.0);
        assert_eq!(ndcg_at(10, &[], &[]), 0.0);
    }

    #[test]
    fn every_query_parses_and_every_graded_role_exists() {
        let queries = load().unwrap();
        assert!(queries.iter().filter(|q| q.judged()).count() >= 40);
        for q in &queries {
            for role in q.grades.keys() {
                assert!(
                    doorstep_demo::vocabulary::ROLES
                        .iter()
                        .any(|r| r.code == role),
                    "{role} in {}",
                    q.label()
                );
            }
            assert_eq!(q.near.is_some(), q.point.is_some());
        }
    }
}
