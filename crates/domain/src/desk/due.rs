//! Due dates of case management (issue 18): a hearing's answer and the
//! lead department's decision are due on a calendar day in Japan. A due
//! date has *passed* once that day is over in Asia/Tokyo: a hearing due on
//! 2026-06-10 is overdue from 2026-06-11 00:00 JST (2026-06-10 15:00 UTC),
//! whatever the server's clock zone.

use crate::fiscal::date_in_japan;
use chrono::{DateTime, NaiveDate, Utc};

/// Whether `due_on` is over at `now` (Japan's calendar).
pub fn passed(due_on: NaiveDate, now: DateTime<Utc>) -> bool {
    date_in_japan(now) > due_on
}

/// What is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// A department's answer to its hearing.
    HearingAnswer,
    /// The lead department's decision on a case.
    Decision,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339)
            .map(|d| d.with_timezone(&Utc))
            .expect("time")
    }

    #[test]
    fn a_due_date_passes_at_midnight_in_japan() {
        let due = NaiveDate::from_ymd_opt(2026, 6, 10).expect("date");
        assert!(!passed(due, at("2026-06-10T14:59:59Z")), "23:59:59 JST");
        assert!(
            passed(due, at("2026-06-10T15:00:00Z")),
            "00:00 JST the next day"
        );
        assert!(
            !passed(due, at("2026-06-09T20:00:00Z")),
            "the day itself in Japan"
        );
    }
}
