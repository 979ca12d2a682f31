use crate::ErrorCode;
use crate::Invalid;

/// A mainland China mobile number, stored as its 11 digits (`13812345678`).
///
/// Accepts the forms people type: spaces and dashes, and a `+86`, `0086` or `86` prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let compact: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        let national = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("0086"))
            .or_else(|| {
                (compact.len() == 13)
                    .then(|| compact.strip_prefix("86"))
                    .flatten()
            })
            .unwrap_or(&compact);
        let bytes = national.as_bytes();
        let valid = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if valid {
            Ok(Self(national.to_owned()))
        } else {
            Err(Invalid::new(
                ErrorCode::InvalidPhone,
                "a mainland mobile number has 11 digits and starts with 13-19",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as shown to someone who may not see it: `138****5678`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl AsRef<str> for Phone {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_forms_people_type() {
        for raw in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+8613812345678",
            "+86 138 1234 5678",
            "008613812345678",
            "8613812345678",
        ] {
            assert_eq!(Phone::parse(raw).unwrap().as_str(), "13812345678", "{raw}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_mobile_number() {
        for raw in [
            "",
            "1381234567",
            "138123456789",
            "12812345678",
            "23812345678",
            "1381234567a",
            "051265432100",
            "+1 415 555 0100",
            "１３８１２３４５６７８",
        ] {
            assert_eq!(
                Phone::parse(raw).unwrap_err().code,
                "invalid_phone",
                "{raw}"
            );
        }
    }

    #[test]
    fn masks_the_middle_digits() {
        assert_eq!(Phone::parse("13812345678").unwrap().masked(), "138****5678");
    }
}
