//! Bounds of date-derived input: fiscal years and the instants of range
//! filters. Far-off years are refused with 422 at the edge instead of
//! reaching PostgreSQL ("timestamp out of range"). The OpenAPI parameters
//! carry the same numbers (`minimum`/`maximum`), which a test compares.

use crate::http::problem::ApiError;
use chrono::{DateTime, Datelike, Utc};

pub use living_gate_domain::fiscal::{MAX_YEAR, MIN_YEAR};

/// The earliest calendar year of an instant in a range filter
/// (`received_from`, `from`…); the latest is [`MAX_YEAR`].
pub const MIN_INSTANT_YEAR: i32 = 1900;

/// A fiscal year between [`MIN_YEAR`] and [`MAX_YEAR`], or 422 `out_of_range`.
pub fn check_year(field: &str, year: i32) -> Result<i32, ApiError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::validation(
            field,
            "out_of_range",
            format!("must be between {MIN_YEAR} and {MAX_YEAR}"),
        ))
    }
}

/// [`check_year`] for an optional parameter.
pub fn check_optional_year(field: &str, year: Option<i32>) -> Result<Option<i32>, ApiError> {
    year.map(|y| check_year(field, y)).transpose()
}

/// An instant of a range filter within the years [`MIN_INSTANT_YEAR`] to
/// [`MAX_YEAR`], or 422 `out_of_range`.
pub fn check_instant(
    field: &str,
    at: Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    match at {
        Some(at) if !(MIN_INSTANT_YEAR..=MAX_YEAR).contains(&at.year()) => {
            Err(ApiError::validation(
                field,
                "out_of_range",
                format!("must be in the years {MIN_INSTANT_YEAR} to {MAX_YEAR}"),
            ))
        }
        at => Ok(at),
    }
}
