//! E-mail addresses: parsed once at the edge, compared case-insensitively.

use crate::ValidationErrors;
use std::fmt;

/// A syntactically plausible e-mail address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(field: &str, raw: &str) -> Result<Email, ValidationErrors> {
        let value = raw.trim().to_lowercase();
        let invalid =
            |code: &str, message: &str| Err(ValidationErrors::single(field, code, message));
        if value.is_empty() {
            return invalid("required", "must not be empty");
        }
        if value.chars().count() > Self::MAX_LEN {
            return invalid("too_long", "must be at most 254 characters");
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return invalid(
                "invalid_email",
                "must be an e-mail address like name@example.jp",
            );
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '@');
        if !domain_ok || !local_ok {
            return invalid(
                "invalid_email",
                "must be an e-mail address like name@example.jp",
            );
        }
        Ok(Email(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`, used by the password policy.
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let email = Email::parse("email", "  Tanaka@Example.JP ").map(Email::into_string);
        assert_eq!(email, Ok("tanaka@example.jp".to_owned()));
    }

    #[test]
    fn accepts_japanese_domains() {
        assert!(Email::parse("email", "info@座間市.jp").is_ok());
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for raw in [
            "",
            "no-at-sign",
            "@example.jp",
            "a@b",
            "a b@example.jp",
            "a@.jp",
            "a@example.jp.",
            "a@exa mple.jp",
        ] {
            let err = Email::parse("email", raw).expect_err(raw);
            assert_eq!(err.0[0].field, "email");
        }
    }

    #[test]
    fn rejects_overlong_addresses() {
        let raw = format!("{}@example.jp", "a".repeat(250));
        let err = Email::parse("email", &raw).expect_err("too long");
        assert_eq!(err.0[0].code, "too_long");
    }
}
