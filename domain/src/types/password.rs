use crate::ErrorCode;
use crate::Invalid;

/// A password someone chose, checked against the rules before it is hashed.
///
/// The rules follow NIST SP 800-63B: a minimum length, no composition rules, and a refusal
/// of passwords that are known to be common. Passwords are never logged: `Debug` is redacted.
#[derive(Clone)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// Passwords at the top of every breach list, plus local favourites.
const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "passw0rd",
    "12345678",
    "123456789",
    "1234567890",
    "123123123",
    "11111111",
    "00000000",
    "88888888",
    "66666666",
    "12341234",
    "qwertyui",
    "qwerty123",
    "qwertyuiop",
    "1qaz2wsx",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "abc12345",
    "abcd1234",
    "a1234567",
    "aa123456",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "welcome1",
    "admin123",
    "letmein1",
    "woaini1314",
    "woaini520",
    "5201314520",
    "147258369",
    "987654321",
    "asdfghjk",
    "zxcvbnm1",
    "doorstep",
    "doorstep1",
    "doorstep123",
];

impl NewPassword {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    /// `login` is the phone or e-mail the account logs in with; a password equal to it
    /// (or containing it) is refused.
    pub fn parse(raw: &str, login: &str) -> Result<Self, Invalid> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(Invalid::new(
                ErrorCode::WeakPassword,
                format!("a password needs at least {} characters", Self::MIN_CHARS),
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(Invalid::new(
                ErrorCode::TooLong,
                format!("a password has at most {} characters", Self::MAX_CHARS),
            ));
        }
        let lower = raw.to_lowercase();
        if COMMON.contains(&lower.as_str()) {
            return Err(Invalid::new(
                ErrorCode::WeakPassword,
                "this password is among the most common ones; choose another",
            ));
        }
        let first = raw.chars().next();
        if raw.chars().all(|c| Some(c) == first) {
            return Err(Invalid::new(
                ErrorCode::WeakPassword,
                "a password of one repeated character is too easy to guess",
            ));
        }
        if !login.is_empty() && lower.contains(&login.to_lowercase()) {
            return Err(Invalid::new(
                ErrorCode::WeakPassword,
                "a password must not contain the phone number or e-mail address",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_reasonable_passphrase() {
        assert!(NewPassword::parse("收银员周末班2026", "13812345678").is_ok());
        assert!(NewPassword::parse("correct horse battery", "a@b.cn").is_ok());
    }

    #[test]
    fn refuses_weak_passwords() {
        for raw in [
            "short",
            "12345678",
            "Password1",
            "aaaaaaaaaa",
            "x13812345678y",
        ] {
            assert_eq!(
                NewPassword::parse(raw, "13812345678").unwrap_err().code,
                "weak_password",
                "{raw}"
            );
        }
        assert_eq!(
            NewPassword::parse(&"ab".repeat(65), "").unwrap_err().code,
            "too_long"
        );
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = NewPassword::parse("収银员周末班2026", "").unwrap();
        assert_eq!(format!("{password:?}"), "NewPassword(***)");
    }
}
