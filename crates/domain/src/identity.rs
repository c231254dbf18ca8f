//! The vocabulary of identity records: statuses, organization kinds, and the
//! check digits of Japanese public identifiers.

use crate::ValidationErrors;
use serde::{Deserialize, Serialize};

/// Whether a reference record (municipality, department, organization,
/// service account) may be used. Rows that history refers to are disabled,
/// never deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    Active,
    Disabled,
}

crate::code::codes!(RecordStatus {
    Active => "active",
    Disabled => "disabled",
});

/// Whether a partner organization may be used: as a reference record, or
/// `pending` while a public intake registered it and the desk has not yet
/// matched it to an existing one or accepted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationStatus {
    Active,
    Disabled,
    Pending,
}

crate::code::codes!(OrganizationStatus {
    Active => "active",
    Disabled => "disabled",
    Pending => "pending",
});

/// A user account's life: invited (no password yet), active, disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Invited,
    Active,
    Disabled,
}

crate::code::codes!(UserStatus {
    Invited => "invited",
    Active => "active",
    Disabled => "disabled",
});

/// What kind of body a partner organization is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationKind {
    /// 株式会社 and other companies.
    Company,
    /// 大学.
    University,
    /// NPO法人 and other non-profits.
    Npo,
    /// 協同組合.
    Cooperative,
    /// 一般/公益社団・財団法人 and similar.
    PublicInterest,
    Other,
}

crate::code::codes!(OrganizationKind {
    Company => "company",
    University => "university",
    Npo => "npo",
    Cooperative => "cooperative",
    PublicInterest => "public_interest",
    Other => "other",
});

/// A 全国地方公共団体コード: five digits and a check digit (座間市 = 142166).
pub fn municipality_code(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    let digits: Vec<u32> = raw.chars().filter_map(|c| c.to_digit(10)).collect();
    if raw.len() != 6 || digits.len() != 6 {
        return Err(ValidationErrors::single(
            field,
            "invalid_code",
            "must be the 6-digit local government code, e.g. 142166",
        ));
    }
    let sum: u32 = digits[..5]
        .iter()
        .zip([6, 5, 4, 3, 2])
        .map(|(d, w)| d * w)
        .sum();
    let check = (11 - sum % 11) % 10;
    if digits[5] != check {
        return Err(ValidationErrors::single(
            field,
            "check_digit",
            "the check digit does not match",
        ));
    }
    Ok(raw.to_owned())
}

/// A 法人番号 (see [`CorporateNumber`]), as the stored 13 digits.
///
/// [`CorporateNumber`]: crate::intake::CorporateNumber
pub fn corporate_number(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    crate::intake::CorporateNumber::parse(field, raw).map(|n| n.into_string())
}

/// A Japanese postal code written `123-4567`.
pub fn postal_code(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    let ok = raw.len() == 8
        && raw
            .char_indices()
            .all(|(i, c)| if i == 3 { c == '-' } else { c.is_ascii_digit() });
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ValidationErrors::single(
            field,
            "invalid_postal_code",
            "must be written 123-4567",
        ))
    }
}

/// An http(s) URL without spaces, at most 2,000 characters.
pub fn website(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    let ok = (raw.starts_with("https://") || raw.starts_with("http://"))
        && raw.len() > 8
        && raw.len() <= 2000
        && !raw.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ValidationErrors::single(
            field,
            "invalid_url",
            "must be an http(s) URL",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_cities_have_valid_codes() {
        for code in ["142166", "142182", "142131", "142158"] {
            assert_eq!(municipality_code("code", code), Ok(code.to_owned()));
        }
        assert_eq!(
            municipality_code("code", "142167")
                .expect_err("bad check digit")
                .0[0]
                .code,
            "check_digit"
        );
        assert!(municipality_code("code", "14216").is_err());
        assert!(municipality_code("code", "１４２１６６").is_err());
    }

    #[test]
    fn corporate_numbers_are_checked() {
        // 国税庁's published example: 法人番号 7000012050002 (国税庁 itself).
        assert_eq!(
            corporate_number("n", "7000012050002"),
            Ok("7000012050002".to_owned())
        );
        assert_eq!(
            corporate_number("n", "8000012050002").expect_err("bad").0[0].code,
            "check_digit"
        );
        assert!(corporate_number("n", "700001205000").is_err());
    }

    #[test]
    fn postal_codes_and_websites() {
        assert!(postal_code("p", "252-8566").is_ok());
        assert!(postal_code("p", "2528566").is_err());
        assert!(website("w", "https://www.city.zama.kanagawa.jp/").is_ok());
        assert!(website("w", "javascript:alert(1)").is_err());
    }
}
