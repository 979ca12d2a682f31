use crate::ErrorCode;
use crate::Invalid;

/// An e-mail address, normalised to lower case so that one mailbox is one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

const LOCAL_SPECIALS: &str = ".!#$%&'*+/=?^_`{|}~-";

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let candidate = raw.trim().to_lowercase();
        if Self::is_valid(&candidate) {
            Ok(Self(candidate))
        } else {
            Err(Invalid::new(
                ErrorCode::InvalidEmail,
                "expected an e-mail address such as name@example.com",
            ))
        }
    }

    fn is_valid(candidate: &str) -> bool {
        if candidate.len() > 254 {
            return false;
        }
        let Some((local, domain)) = candidate.split_once('@') else {
            return false;
        };
        let local_ok = (1..=64).contains(&local.len())
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                (1..=63).contains(&label.len())
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        local_ok && domain_ok
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_lowercases() {
        assert_eq!(
            Email::parse(" Li.Na+jobs@Example.COM ").unwrap().as_str(),
            "li.na+jobs@example.com"
        );
        assert!(Email::parse("a@b.cn").is_ok());
        assert!(Email::parse("x_y@mail.sz-mall.com.cn").is_ok());
    }

    #[test]
    fn refuses_malformed_addresses() {
        for raw in [
            "",
            "plainaddress",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a b@example.com",
            ".a@example.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example.c",
            "a@example.123",
            "张三@example.com",
        ] {
            assert_eq!(
                Email::parse(raw).unwrap_err().code,
                "invalid_email",
                "{raw}"
            );
        }
    }
}
