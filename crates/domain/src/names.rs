//! Free-text fields with bounds: names, titles, codes.

use crate::ValidationErrors;

/// [`bounded_text`]'s character rule as an ECMA-262 pattern for the OpenAPI
/// schema: no control character (Unicode `Cc`) but line feed and tab.
pub const TEXT_PATTERN: &str = r"^[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]*$";

/// [`TEXT_PATTERN`] for a text that must not be blank (`min` ≥ 1): some
/// character besides white space, which [`bounded_text`] trims.
pub const NONBLANK_TEXT_PATTERN: &str =
    r"^\s*[^\s\u0000-\u0008\u000B-\u001F\u007F-\u009F][^\u0000-\u0008\u000B-\u001F\u007F-\u009F]*$";

/// Trims `raw` and checks it has between `min` and `max` characters (not bytes:
/// Japanese text counts one per character) and no control characters.
pub fn bounded_text(
    field: &str,
    raw: &str,
    min: usize,
    max: usize,
) -> Result<String, ValidationErrors> {
    let value = raw.trim();
    let len = value.chars().count();
    if len < min {
        let message = if min == 1 {
            "must not be empty".to_owned()
        } else {
            format!("must be at least {min} characters")
        };
        return Err(ValidationErrors::single(
            field,
            if min == 1 { "required" } else { "too_short" },
            message,
        ));
    }
    if len > max {
        return Err(ValidationErrors::single(
            field,
            "too_long",
            format!("must be at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ValidationErrors::single(
            field,
            "control_characters",
            "must not contain control characters",
        ));
    }
    Ok(value.to_owned())
}

/// A stable machine code: lowercase ASCII letters, digits, `-` and `_`, 2–40 characters.
pub fn code(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    let ok = (2..=40).contains(&raw.len())
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ValidationErrors::single(
            field,
            "invalid_code",
            "must be 2-40 characters of a-z, 0-9, '-' and '_'",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        // 市民協働課 is 5 characters and 15 bytes.
        assert_eq!(
            bounded_text("name", " 市民協働課 ", 1, 5),
            Ok("市民協働課".to_owned())
        );
        assert!(bounded_text("name", "市民協働課X", 1, 5).is_err());
    }

    #[test]
    fn rejects_blank_and_control_characters() {
        assert_eq!(
            bounded_text("name", "   ", 1, 10).expect_err("blank").0[0].code,
            "required"
        );
        assert_eq!(
            bounded_text("name", "a\u{0}b", 1, 10).expect_err("nul").0[0].code,
            "control_characters"
        );
    }

    #[test]
    fn codes_are_restricted() {
        assert!(code("code", "shimin-kyodo").is_ok());
        assert!(code("code", "Shimin").is_err());
        assert!(code("code", "x").is_err());
        assert!(code("code", "a'; drop table users;--").is_err());
    }
}
