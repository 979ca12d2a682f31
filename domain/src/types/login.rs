use super::{Email, Phone};
use crate::Invalid;

/// What a person logs in with: a phone number or an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginId {
    Phone(Phone),
    Email(Email),
}

impl LoginId {
    /// An `@` means e-mail; anything else must be a phone number.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.contains('@') {
            Email::parse(raw).map(Self::Email)
        } else {
            Phone::parse(raw).map(Self::Phone)
        }
    }

    /// The normalised text, used as the key for per-account login throttling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Phone(phone) => phone.as_str(),
            Self::Email(email) => email.as_str(),
        }
    }
}
