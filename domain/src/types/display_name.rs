use crate::ErrorCode;
use crate::Invalid;

/// The name an account shows: 1 to 50 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 50;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if chars == 0 {
            return Err(Invalid::new(ErrorCode::Required, "a name is required"));
        }
        if chars > Self::MAX_CHARS {
            return Err(Invalid::new(
                ErrorCode::TooLong,
                format!("at most {} characters", Self::MAX_CHARS),
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(Invalid::new(
                ErrorCode::InvalidCharacters,
                "control characters are not allowed",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(DisplayName::parse("  王小明 ").unwrap().as_str(), "王小明");
        assert_eq!(DisplayName::parse("   ").unwrap_err().code, "required");
        assert_eq!(
            DisplayName::parse(&"店".repeat(51)).unwrap_err().code,
            "too_long"
        );
        assert_eq!(
            DisplayName::parse("a\u{0}b").unwrap_err().code,
            "invalid_characters"
        );
    }
}
