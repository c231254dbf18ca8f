//! Events of the platform that raise awareness (seed 002, FY2024: an
//! exhibition with 3,198 visitors, a symposium with 126, workshops with
//! about 60 including clients of support services): counts of people,
//! never a person. Their reach is counted per fiscal year × kind.

use crate::ValidationErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlatformEventKind {
    /// 展示 (e.g. a panel exhibition in a station or a city hall).
    Exhibition,
    /// ワークショップ.
    Workshop,
    /// シンポジウム.
    Symposium,
    /// 勉強会・研修.
    StudySession,
}

crate::code::codes!(PlatformEventKind {
    Exhibition => "exhibition",
    Workshop => "workshop",
    Symposium => "symposium",
    StudySession => "study_session",
});

/// The most people one event counts.
pub const MAX_ATTENDANCE: i32 = 1_000_000;

/// The people an event reached, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reach {
    pub attendance: i32,
    /// Participants who are clients of support services (≤ attendance).
    pub clients_of_support: i32,
    /// Questionnaires returned (≤ attendance).
    pub questionnaire_responses: i32,
    /// Of those, answering that they felt it (e.g. 「孤独・孤立を身近に感じた」).
    pub felt_it: i32,
}

impl Reach {
    /// Checks that every count is between 0 and [`MAX_ATTENDANCE`] and that
    /// the parts fit in their wholes.
    pub fn check(self) -> Result<Reach, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (field, n) in [
            ("attendance", self.attendance),
            ("clients_of_support", self.clients_of_support),
            ("questionnaire_responses", self.questionnaire_responses),
            ("felt_it", self.felt_it),
        ] {
            if !(0..=MAX_ATTENDANCE).contains(&n) {
                errors.add(
                    field,
                    "out_of_range",
                    format!("must be between 0 and {MAX_ATTENDANCE}"),
                );
            }
        }
        if self.clients_of_support > self.attendance {
            errors.add(
                "clients_of_support",
                "exceeds_attendance",
                "must not be more than attendance",
            );
        }
        if self.questionnaire_responses > self.attendance {
            errors.add(
                "questionnaire_responses",
                "exceeds_attendance",
                "must not be more than attendance",
            );
        }
        if self.felt_it > self.questionnaire_responses {
            errors.add(
                "felt_it",
                "exceeds_responses",
                "must not be more than questionnaire_responses",
            );
        }
        errors.into_result().map(|()| self)
    }
}

/// The share of `part` in `whole`, or none of nothing.
pub fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The days of an event: the last not before the first, none before 2000.
pub fn check_days(starts_on: NaiveDate, ends_on: NaiveDate) -> Result<(), ValidationErrors> {
    if starts_on < super::referral::EARLIEST {
        return Err(ValidationErrors::single(
            "starts_on",
            "too_early",
            format!("must not be before {}", super::referral::EARLIEST),
        ));
    }
    if ends_on < starts_on {
        return Err(ValidationErrors::single(
            "ends_on",
            "before_start",
            "must not be before starts_on",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(a: i32, c: i32, q: i32, f: i32) -> Reach {
        Reach {
            attendance: a,
            clients_of_support: c,
            questionnaire_responses: q,
            felt_it: f,
        }
    }

    fn codes(r: Reach) -> Vec<(String, String)> {
        r.check()
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn parts_fit_in_their_wholes() {
        assert!(reach(60, 12, 40, 31).check().is_ok());
        assert!(reach(60, 60, 60, 60).check().is_ok());
        assert!(reach(0, 0, 0, 0).check().is_ok());
        assert_eq!(
            codes(reach(60, 61, 10, 5)),
            vec![("clients_of_support".into(), "exceeds_attendance".into())]
        );
        assert_eq!(
            codes(reach(60, 0, 61, 5)),
            vec![(
                "questionnaire_responses".into(),
                "exceeds_attendance".into()
            )]
        );
        assert_eq!(
            codes(reach(60, 0, 10, 11)),
            vec![("felt_it".into(), "exceeds_responses".into())]
        );
        assert!(codes(reach(-1, 0, 0, 0)).contains(&("attendance".into(), "out_of_range".into())));
        assert!(codes(reach(MAX_ATTENDANCE + 1, 0, 0, 0))
            .contains(&("attendance".into(), "out_of_range".into())));
    }

    #[test]
    fn days_and_shares() {
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
        assert!(check_days(d(11, 1), d(11, 3)).is_ok());
        assert!(check_days(d(11, 1), d(11, 1)).is_ok());
        assert_eq!(
            check_days(d(11, 3), d(11, 1)).unwrap_err().0[0].code,
            "before_start"
        );
        assert_eq!(share(31, 40), Some(0.775));
        assert_eq!(share(0, 0), None);
    }
}
