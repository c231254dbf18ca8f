//! 法人番号 (corporate number): 13 digits, the first a check digit over the
//! other twelve (国税庁, 法人番号の指定等に関する省令 第二条).

use crate::ValidationErrors;
use std::fmt;

/// A corporate number whose check digit is right.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CorporateNumber(String);

impl CorporateNumber {
    /// Accepts the 13 digits, optionally with ASCII or full-width spaces or
    /// hyphens between them (as printed on documents); full-width digits
    /// are read as digits.
    pub fn parse(field: &str, raw: &str) -> Result<CorporateNumber, ValidationErrors> {
        let mut digits = Vec::with_capacity(13);
        for c in raw.trim().chars() {
            match c {
                '0'..='9' => digits.push(c as u8 - b'0'),
                '０'..='９' => digits.push((c as u32 - '０' as u32) as u8),
                ' ' | '-' | '　' | '－' => {}
                _ => {
                    return Err(ValidationErrors::single(
                        field,
                        "invalid_corporate_number",
                        "must be the 13 digits of a 法人番号",
                    ))
                }
            }
        }
        if digits.len() != 13 {
            return Err(ValidationErrors::single(
                field,
                "invalid_corporate_number",
                "must be the 13 digits of a 法人番号",
            ));
        }
        if digits[0] != check_digit(&digits[1..]) {
            return Err(ValidationErrors::single(
                field,
                "check_digit",
                "the check digit (the first digit) does not match the other twelve",
            ));
        }
        Ok(CorporateNumber(
            digits.iter().map(|d| char::from(b'0' + d)).collect(),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for CorporateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 9 − (Σ Pn × Qn mod 9), Pn the n-th of the twelve digits counted from the
/// lowest, Qn 1 for odd n and 2 for even n.
fn check_digit(base: &[u8]) -> u8 {
    let sum: u32 = base
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 1 } else { 2 })
        .sum();
    9 - (sum % 9) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_numbers_pass() {
        // 国税庁, トヨタ自動車株式会社, ソニーグループ株式会社 (法人番号公表サイト).
        for number in ["7000012050002", "1180301018771", "5010401067252"] {
            assert_eq!(
                CorporateNumber::parse("n", number).map(|n| n.into_string()),
                Ok(number.to_owned())
            );
        }
    }

    #[test]
    fn separators_and_full_width_digits_are_read() {
        assert_eq!(
            CorporateNumber::parse("n", " 7-0000-1205-0002 ").map(|n| n.into_string()),
            Ok("7000012050002".to_owned())
        );
        assert_eq!(
            CorporateNumber::parse("n", "７０００　０１２０５０００２").map(|n| n.into_string()),
            Ok("7000012050002".to_owned())
        );
    }

    fn code(raw: &str) -> String {
        match CorporateNumber::parse("n", raw) {
            Ok(n) => panic!("{raw} accepted as {n}"),
            Err(e) => e.0[0].code.clone(),
        }
    }

    #[test]
    fn a_wrong_check_digit_is_refused() {
        assert_eq!(code("8000012050002"), "check_digit");
        assert_eq!(code("1180301018772"), "check_digit");
    }

    #[test]
    fn wrong_lengths_and_letters_are_refused() {
        for raw in [
            "",
            "700001205000",
            "70000120500021",
            "7000O12050002",
            "٧000012050002",
        ] {
            assert_eq!(code(raw), "invalid_corporate_number", "{raw}");
        }
    }

    #[test]
    fn the_check_digit_is_always_one_to_nine() {
        assert_eq!(check_digit(&[0; 12]), 9);
        assert_eq!(check_digit(&[9; 12]), 9);
        assert_eq!(check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]), 9);
        assert_eq!(check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), 8);
    }
}
