//! A resident introduced to a directory entry by a support worker (seed
//! 002: 市民から相談があった際に、市外であってもより相談内容に合致した団体や
//! 居場所を紹介する). The record holds the introduction, never the resident:
//! no name, no age, no free text that could name one. The platform's main
//! outcome is the count of introductions by from-city × to-city × topic and
//! fiscal year.

use crate::fiscal;
use crate::ValidationErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// How the worker introduced the resident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralChannel {
    /// The worker went with the resident (同行支援).
    Accompanied,
    /// Told at a counter or a visit (窓口・訪問で案内).
    InPerson,
    /// The worker phoned the organization or the resident.
    Phone,
    Email,
    /// A video call or an online form.
    Online,
    Other,
}

crate::code::codes!(ReferralChannel {
    Accompanied => "accompanied",
    InPerson => "in_person",
    Phone => "phone",
    Email => "email",
    Online => "online",
    Other => "other",
});

/// What came of the introduction, once the worker knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralOutcome {
    /// Not known (yet): the default.
    Unknown,
    /// The resident got in touch with the organization.
    Contacted,
    /// The resident uses the organization's service or place.
    Using,
    /// The resident did not go on with it.
    NotUsed,
}

crate::code::codes!(ReferralOutcome {
    Unknown => "unknown",
    Contacted => "contacted",
    Using => "using",
    NotUsed => "not_used",
});

/// The earliest date an introduction can be recorded for.
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// At most this many topics on one introduction.
pub const MAX_TOPICS: usize = 10;

/// Checks the day of an introduction: not after today in Japan (a record
/// of what happened), not before [`EARLIEST`].
pub fn check_date(field: &str, on: NaiveDate, now: DateTime<Utc>) -> Result<(), ValidationErrors> {
    let today = fiscal::date_in_japan(now);
    if on > today {
        return Err(ValidationErrors::single(
            field,
            "in_future",
            format!("must not be after today in Japan ({today})"),
        ));
    }
    if on < EARLIEST {
        return Err(ValidationErrors::single(
            field,
            "too_early",
            format!("must not be before {EARLIEST}"),
        ));
    }
    Ok(())
}

/// The topics, each once, in the order given: at least one, at most
/// [`MAX_TOPICS`]. Whether each is a known topic code is the caller's
/// check against the vocabulary.
pub fn check_topics(field: &str, topics: &[String]) -> Result<Vec<String>, ValidationErrors> {
    let mut out: Vec<String> = Vec::with_capacity(topics.len());
    for t in topics {
        if !out.contains(t) {
            out.push(t.clone());
        }
    }
    if out.is_empty() {
        return Err(ValidationErrors::single(
            field,
            "required",
            "name at least one topic (GET /v1/taxonomy-terms?vocabulary=topic)",
        ));
    }
    if out.len() > MAX_TOPICS {
        return Err(ValidationErrors::single(
            field,
            "too_many",
            format!("at most {MAX_TOPICS} topics"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn code(err: ValidationErrors) -> String {
        err.0[0].code.clone()
    }

    #[test]
    fn today_in_japan_is_accepted_and_tomorrow_is_not() {
        // 2026-12-03T16:00Z is already 2026-12-04 in Japan.
        let now = at("2026-12-03T16:00:00Z");
        assert!(check_date("referred_on", day(2026, 12, 4), now).is_ok());
        let err = check_date("referred_on", day(2026, 12, 5), now).unwrap_err();
        assert_eq!(code(err), "in_future");
        let err = check_date("referred_on", day(1999, 12, 31), now).unwrap_err();
        assert_eq!(code(err), "too_early");
        assert!(check_date("referred_on", EARLIEST, now).is_ok());
    }

    #[test]
    fn topics_are_deduplicated_and_bounded() {
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            check_topics("topics", &t(&["dv", "kodoku", "dv"])).unwrap(),
            t(&["dv", "kodoku"])
        );
        assert_eq!(code(check_topics("topics", &[]).unwrap_err()), "required");
        let many: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert_eq!(code(check_topics("topics", &many).unwrap_err()), "too_many");
        let ten: Vec<String> = (0..10).map(|i| format!("t{i}")).collect();
        assert_eq!(check_topics("topics", &ten).unwrap().len(), 10);
    }
}
