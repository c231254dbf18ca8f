//! What a password must be: at least 12 characters, not built from the
//! user's e-mail, not an obvious pattern or a well-known password.

use crate::{Email, ValidationErrors};

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 256;

/// Well-known passwords and stems that are refused whatever their padding.
const COMMON_STEMS: &[&str] = &[
    "password",
    "passw0rd",
    "qwerty",
    "letmein",
    "welcome",
    "admin",
    "iloveyou",
    "monkey",
    "dragon",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "abc123",
    "123456",
    "111111",
    "zama",
    "livinggate",
    "living-gate",
    "changeme",
];

/// Checks a candidate password for the account `email`.
pub fn check(field: &str, password: &str, email: Option<&Email>) -> Result<(), ValidationErrors> {
    let fail = |code: &str, message: &str| Err(ValidationErrors::single(field, code, message));
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < MIN_CHARS {
        return fail("too_short", "must be at least 12 characters");
    }
    if chars.len() > MAX_CHARS {
        return fail("too_long", "must be at most 256 characters");
    }
    let lower = password.to_lowercase();
    if let Some(email) = email {
        let local = email.local_part();
        if lower.contains(email.as_str()) || (local.chars().count() >= 4 && lower.contains(local)) {
            return fail(
                "contains_email",
                "must not contain your e-mail address or its name part",
            );
        }
    }
    let distinct = {
        let mut sorted = chars.clone();
        sorted.sort_unstable();
        sorted.dedup();
        sorted.len()
    };
    if distinct < 4 {
        return fail("too_simple", "must use at least 4 different characters");
    }
    if is_sequence(&chars) {
        return fail("too_simple", "must not be a keyboard or alphabet sequence");
    }
    if is_padded_common_password(&lower) {
        return fail("too_common", "is a well-known password");
    }
    Ok(())
}

/// True when the letters of `lower` are one well-known stem, possibly
/// repeated (qwertyqwerty), and everything else is digits or punctuation
/// (Password!!!!2026).
fn is_padded_common_password(lower: &str) -> bool {
    let letters: String = lower.chars().filter(|c| c.is_alphabetic()).collect();
    let padding_only = lower
        .chars()
        .all(|c| c.is_alphabetic() || c.is_ascii_digit() || c.is_ascii_punctuation() || c == ' ');
    let digits: String = lower.chars().filter(|c| c.is_ascii_digit()).collect();
    padding_only
        && COMMON_STEMS.iter().any(|stem| {
            let repeated = !letters.is_empty()
                && letters.len().is_multiple_of(stem.len())
                && letters == stem.repeat(letters.len() / stem.len());
            repeated || (letters.is_empty() && digits.contains(stem))
        })
}

/// True when every character is the previous one plus or minus one code point
/// (abcdef..., 987654...), the usual shape of a lazy password.
fn is_sequence(chars: &[char]) -> bool {
    let steps: Vec<i64> = chars
        .windows(2)
        .map(|w| i64::from(u32::from(w[1])) - i64::from(u32::from(w[0])))
        .collect();
    steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("email", "sato.hanako@example.jp").expect("valid email")
    }

    fn code_of(password: &str) -> Option<String> {
        check("password", password, Some(&email()))
            .err()
            .map(|e| e.0[0].code.clone())
    }

    #[test]
    fn accepts_a_long_unremarkable_passphrase() {
        assert_eq!(code_of("correct horse battery staple"), None);
        assert_eq!(code_of("座間の森で鳥が三羽鳴いていた"), None);
    }

    #[test]
    fn refuses_short_ones() {
        assert_eq!(code_of("Sh0rt!pass"), Some("too_short".into()));
        // 11 characters of Japanese are still 11, whatever their byte length.
        assert_eq!(code_of("あいうえおかきくけこさ"), Some("too_short".into()));
    }

    #[test]
    fn refuses_the_email_inside() {
        assert_eq!(code_of("sato.hanako-2026!"), Some("contains_email".into()));
        assert_eq!(
            code_of("xxSATO.HANAKO@EXAMPLE.JPxx"),
            Some("contains_email".into())
        );
    }

    #[test]
    fn refuses_obvious_patterns() {
        assert_eq!(code_of("aaaaaaaaaaaaaaa"), Some("too_simple".into()));
        assert_eq!(code_of("abababababababab"), Some("too_simple".into()));
        assert_eq!(code_of("abcdefghijklmn"), Some("too_simple".into()));
        assert_eq!(code_of("zyxwvutsrqponm"), Some("too_simple".into()));
        assert_eq!(code_of("password12345"), Some("too_common".into()));
        assert_eq!(code_of("Password!!!!2026"), Some("too_common".into()));
        assert_eq!(code_of("qwertyqwerty"), Some("too_common".into()));
    }
}
