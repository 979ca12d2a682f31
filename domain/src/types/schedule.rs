use crate::ErrorCode;
use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};

use crate::Invalid;

/// A weekly time window: `day` 1 (Monday) to 7 (Sunday), `start` and `end` as `HH:MM` in
/// China Standard Time. An `end` of `24:00` closes the day; a window across midnight is two
/// windows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeSlot {
    pub day: u8,
    pub start: String,
    pub end: String,
}

/// When work happens (for a posting) or when someone is free (for a seeker).
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    FromJsonQueryResult,
    utoipa::ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct WeeklySchedule {
    #[serde(default)]
    pub slots: Vec<TimeSlot>,
    /// Total hours a week, when the exact windows are not fixed.
    #[serde(default)]
    pub weekly_hours: Option<u16>,
}

/// Minutes since midnight of an `HH:MM` text (24:00 allowed as the end of the day).
pub fn minutes_of(text: &str) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) => Some(24 * 60),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

impl WeeklySchedule {
    pub const MAX_SLOTS: usize = 50;

    /// Checks every window; errors name the field path, e.g. `slots[2].end`.
    pub fn validate(&self, prefix: &str) -> Result<(), (String, Invalid)> {
        if self.slots.len() > Self::MAX_SLOTS {
            return Err((
                format!("{prefix}.slots"),
                Invalid::new(
                    ErrorCode::TooMany,
                    format!("at most {} windows", Self::MAX_SLOTS),
                ),
            ));
        }
        for (i, slot) in self.slots.iter().enumerate() {
            let at = |field: &str| format!("{prefix}.slots[{i}].{field}");
            if !(1..=7).contains(&slot.day) {
                return Err((
                    at("day"),
                    Invalid::new(ErrorCode::OutOfRange, "day is 1 (Monday) to 7 (Sunday)"),
                ));
            }
            let start = minutes_of(&slot.start)
                .filter(|m| *m < 24 * 60)
                .ok_or_else(|| {
                    (
                        at("start"),
                        Invalid::new(ErrorCode::InvalidTime, "expected HH:MM"),
                    )
                })?;
            let end = minutes_of(&slot.end).ok_or_else(|| {
                (
                    at("end"),
                    Invalid::new(ErrorCode::InvalidTime, "expected HH:MM"),
                )
            })?;
            if end <= start {
                return Err((
                    at("end"),
                    Invalid::new(
                        ErrorCode::OutOfRange,
                        "end must be after start; split windows across midnight",
                    ),
                ));
            }
        }
        if self.weekly_hours.is_some_and(|h| h > 7 * 24) {
            return Err((
                format!("{prefix}.weekly_hours"),
                Invalid::new(ErrorCode::OutOfRange, "a week has 168 hours"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(day: u8, start: &str, end: &str) -> WeeklySchedule {
        WeeklySchedule {
            slots: vec![TimeSlot {
                day,
                start: start.into(),
                end: end.into(),
            }],
            weekly_hours: None,
        }
    }

    #[test]
    fn windows_are_checked() {
        assert!(slot(6, "09:00", "18:00").validate("schedule").is_ok());
        assert!(slot(7, "18:00", "24:00").validate("schedule").is_ok());
        assert_eq!(
            slot(0, "09:00", "18:00")
                .validate("schedule")
                .unwrap_err()
                .0,
            "schedule.slots[0].day"
        );
        assert_eq!(
            slot(1, "9:00", "18:00").validate("schedule").unwrap_err().0,
            "schedule.slots[0].start"
        );
        assert_eq!(
            slot(1, "22:00", "02:00")
                .validate("schedule")
                .unwrap_err()
                .0,
            "schedule.slots[0].end"
        );
        assert_eq!(
            slot(1, "24:00", "24:00").validate("a").unwrap_err().0,
            "a.slots[0].start"
        );
    }
}
