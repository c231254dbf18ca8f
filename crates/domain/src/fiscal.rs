//! Japanese fiscal years (年度): April 1 to March 31, in Japan time (UTC+9,
//! no daylight saving), and the reference numbers quoted on the phone.

use chrono::{DateTime, Datelike, FixedOffset, Offset, Utc};

/// The first fiscal year the service reasons about (targets, KPIs, filters).
pub const MIN_YEAR: i32 = 2000;
/// The last fiscal year the service reasons about.
pub const MAX_YEAR: i32 = 2200;

/// Japan Standard Time.
pub fn jst() -> FixedOffset {
    // 9 hours east of UTC is always in range; the fallback is unreachable.
    FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| Utc.fix())
}

/// The calendar date in Japan at an instant.
pub fn date_in_japan(at: DateTime<Utc>) -> chrono::NaiveDate {
    at.with_timezone(&jst()).date_naive()
}

/// The fiscal year an instant belongs to: FY2026 is 2026-04-01 00:00 JST up to 2027-04-01 00:00 JST.
pub fn fiscal_year(at: DateTime<Utc>) -> i32 {
    let local = at.with_timezone(&jst());
    if local.month() >= 4 {
        local.year()
    } else {
        local.year() - 1
    }
}

/// The fiscal year a calendar date (in Japan) belongs to.
pub fn fiscal_year_of_date(day: chrono::NaiveDate) -> i32 {
    if day.month() >= 4 {
        day.year()
    } else {
        day.year() - 1
    }
}

/// The first instant of a fiscal year: April 1, 00:00 Japan time.
pub fn fiscal_year_start(fiscal_year: i32) -> DateTime<Utc> {
    use chrono::TimeZone;
    jst()
        .with_ymd_and_hms(fiscal_year, 4, 1, 0, 0, 0)
        .single()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `ZLG-2026-0001`: the municipality's prefix, the fiscal year and a
/// sequence number of at least four digits (gap-free per municipality and
/// fiscal year).
pub fn reference(prefix: &str, fiscal_year: i32, sequence: i32) -> String {
    format!("{prefix}-{fiscal_year}-{sequence:04}")
}

/// The reference prefix a municipality gets when none is given: the four
/// cities' own (Zama keeps ZLG, the desk's name), `M` and the code otherwise.
pub fn default_reference_prefix(municipality_code: &str) -> String {
    match municipality_code {
        "142166" => "ZLG".into(),
        "142182" => "AYS".into(),
        "142131" => "YMT".into(),
        "142158" => "EBN".into(),
        other => format!("M{other}"),
    }
}

/// A reference prefix: an upper-case letter, then 1 to 7 upper-case letters or digits.
pub fn reference_prefix(field: &str, raw: &str) -> Result<String, crate::ValidationErrors> {
    let mut chars = raw.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    let rest_ok = chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if first_ok && rest_ok && (2..=8).contains(&raw.len()) {
        Ok(raw.to_owned())
    } else {
        Err(crate::ValidationErrors::single(
            field,
            "invalid_format",
            "must be 2 to 8 upper-case letters or digits, starting with a letter, e.g. AYS",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339)
            .map(|d| d.with_timezone(&Utc))
            .expect("valid timestamp")
    }

    #[test]
    fn the_fiscal_year_turns_at_midnight_april_first_japan_time() {
        assert_eq!(fiscal_year(at("2027-03-31T14:59:59Z")), 2026);
        assert_eq!(fiscal_year(at("2027-03-31T15:00:00Z")), 2027);
        assert_eq!(fiscal_year(at("2027-03-31T15:30:00Z")), 2027);
        assert_eq!(fiscal_year(at("2026-04-01T00:00:00+09:00")), 2026);
        assert_eq!(fiscal_year(at("2026-12-31T23:00:00Z")), 2026);
    }

    #[test]
    fn fiscal_years_start_on_april_first_in_japan() {
        assert_eq!(fiscal_year_start(2027), at("2027-03-31T15:00:00Z"));
        assert_eq!(fiscal_year(fiscal_year_start(2026)), 2026);
        assert_eq!(
            fiscal_year(fiscal_year_start(2026) - chrono::Duration::milliseconds(1)),
            2025
        );
    }

    #[test]
    fn references_have_at_least_four_digits() {
        assert_eq!(reference("ZLG", 2026, 1), "ZLG-2026-0001");
        assert_eq!(reference("AYS", 2026, 12345), "AYS-2026-12345");
        assert_eq!(default_reference_prefix("142182"), "AYS");
        assert_eq!(default_reference_prefix("142999"), "M142999");
        assert!(reference_prefix("p", &default_reference_prefix("142999")).is_ok());
        assert!(reference_prefix("p", "ays").is_err());
        assert!(reference_prefix("p", "1AB").is_err());
        assert!(reference_prefix("p", "A").is_err());
    }
}
