use crate::ErrorCode;
use serde::{Deserialize, Serialize};

use super::PayUnit;
use crate::Invalid;

/// An amount of CNY in fen (1 yuan = 100 fen), always positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PayFen(i64);

impl PayFen {
    /// One million yuan: no pay figure in this marketplace comes near it, so anything above
    /// is a typo (or yuan sent as fen twice over).
    pub const MAX: i64 = 100_000_000;

    pub fn new(fen: i64) -> Result<Self, Invalid> {
        if fen <= 0 {
            return Err(Invalid::new(
                ErrorCode::OutOfRange,
                "pay must be above zero (in fen)",
            ));
        }
        if fen > Self::MAX {
            return Err(Invalid::new(
                ErrorCode::OutOfRange,
                "pay is implausibly high (the unit is fen)",
            ));
        }
        Ok(Self(fen))
    }

    pub fn fen(self) -> i64 {
        self.0
    }
}

/// A validated pay range: 0 < min ≤ max, per unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayRange {
    pub min: PayFen,
    pub max: PayFen,
    pub unit: PayUnit,
}

impl PayRange {
    /// Errors name the field they concern (`pay_min` or `pay_max`).
    pub fn new(min: i64, max: i64, unit: PayUnit) -> Result<Self, (&'static str, Invalid)> {
        let min = PayFen::new(min).map_err(|e| ("pay_min", e))?;
        let max = PayFen::new(max).map_err(|e| ("pay_max", e))?;
        if min > max {
            return Err((
                "pay_max",
                Invalid::new(ErrorCode::OutOfRange, "pay_max must not be below pay_min"),
            ));
        }
        Ok(Self { min, max, unit })
    }
}

/// Hours a unit of pay stands for, to compare pay across units (a month is 21.75 working
/// days of 8 hours, the statutory figure; a piece has no fixed time and is not compared).
pub fn hours_per_unit(unit: PayUnit) -> Option<f64> {
    match unit {
        PayUnit::Hour => Some(1.0),
        PayUnit::Day => Some(8.0),
        PayUnit::Month => Some(174.0),
        PayUnit::Piece => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_positive_and_ordered() {
        assert!(PayRange::new(2_500, 3_000, PayUnit::Hour).is_ok());
        assert!(PayRange::new(3_000, 3_000, PayUnit::Hour).is_ok());
        assert_eq!(
            PayRange::new(0, 3_000, PayUnit::Hour).unwrap_err().0,
            "pay_min"
        );
        assert_eq!(
            PayRange::new(-5, 3_000, PayUnit::Hour).unwrap_err().0,
            "pay_min"
        );
        assert_eq!(
            PayRange::new(3_000, 2_500, PayUnit::Day).unwrap_err().0,
            "pay_max"
        );
        assert_eq!(
            PayRange::new(100, PayFen::MAX + 1, PayUnit::Month)
                .unwrap_err()
                .0,
            "pay_max"
        );
    }
}
