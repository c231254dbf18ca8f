//! The months of a fiscal year and their labels.

use chrono::{Datelike, Months, NaiveDate};

/// The twelve months of a fiscal year, April to March (first days).
pub fn months_of(fiscal_year: i32) -> Vec<NaiveDate> {
    let april = NaiveDate::from_ymd_opt(fiscal_year, 4, 1).unwrap_or(NaiveDate::MIN);
    (0..12)
        .filter_map(|i| april.checked_add_months(Months::new(i)))
        .collect()
}

/// `令和8年度` for FY2026 (Reiwa years are the fiscal year − 2018).
pub fn japanese_label(fiscal_year: i32) -> String {
    match fiscal_year - 2018 {
        1 => "令和元年度".to_owned(),
        n if n >= 1 => format!("令和{n}年度"),
        _ => format!("{fiscal_year}年度"),
    }
}

/// `2026-04`.
pub(super) fn month_label(month: NaiveDate) -> String {
    format!("{:04}-{:02}", month.year(), month.month())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fiscal_year_has_twelve_months_from_april() {
        let months = months_of(2026);
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        assert_eq!(months[11], NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
        assert_eq!(japanese_label(2026), "令和8年度");
        assert_eq!(japanese_label(2019), "令和元年度");
    }
}
