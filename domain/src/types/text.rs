//! Free-text fields: trimmed, bounded, and lists of keywords normalised.

use crate::ErrorCode;
use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};

use crate::Invalid;

/// Trims `raw` and checks its length in characters.
pub fn bounded(raw: &str, min: usize, max: usize) -> Result<String, Invalid> {
    let trimmed = raw.trim();
    let chars = trimmed.chars().count();
    if chars < min {
        return Err(if min == 1 {
            Invalid::new(ErrorCode::Required, "this field must not be empty")
        } else {
            Invalid::new(ErrorCode::TooShort, format!("at least {min} characters"))
        });
    }
    if chars > max {
        return Err(Invalid::new(
            ErrorCode::TooLong,
            format!("at most {max} characters"),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Invalid::new(
            ErrorCode::InvalidCharacters,
            "control characters are not allowed",
        ));
    }
    Ok(trimmed.to_owned())
}

/// A list of short strings stored as JSON (skills, categories, benefits…).
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
#[serde(transparent)]
pub struct StringList(pub Vec<String>);

/// Skills and similar keywords: trimmed, inner whitespace collapsed, case-folded,
/// de-duplicated (first occurrence kept), each 1 to `max_len` characters, at most `max_items`.
pub fn keywords(raw: &[String], max_items: usize, max_len: usize) -> Result<StringList, Invalid> {
    let mut out: Vec<String> = Vec::new();
    for item in raw {
        let folded = item
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if folded.is_empty() {
            continue;
        }
        if folded.chars().count() > max_len {
            return Err(Invalid::new(
                ErrorCode::TooLong,
                format!("each entry has at most {max_len} characters"),
            ));
        }
        if !out.contains(&folded) {
            out.push(folded);
        }
    }
    if out.len() > max_items {
        return Err(Invalid::new(
            ErrorCode::TooMany,
            format!("at most {max_items} entries"),
        ));
    }
    Ok(StringList(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_normalised() {
        let raw: Vec<String> = [" 收银 ", "Latte  Art", "latte art", "", "咖啡", "收银"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            keywords(&raw, 10, 20).unwrap().0,
            vec!["收银", "latte art", "咖啡"]
        );
        assert_eq!(keywords(&raw, 2, 20).unwrap_err().code, "too_many");
        assert_eq!(
            keywords(&["x".repeat(21)], 5, 20).unwrap_err().code,
            "too_long"
        );
    }

    #[test]
    fn bounded_trims_and_limits() {
        assert_eq!(bounded("  店员 ", 1, 10).unwrap(), "店员");
        assert_eq!(bounded("   ", 1, 10).unwrap_err().code, "required");
        assert_eq!(bounded("abcdef", 1, 5).unwrap_err().code, "too_long");
    }
}
