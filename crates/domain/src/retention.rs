//! The personal-data retention rules (issue 21): the kinds of record a rule
//! purges or anonymizes, the names `retention_rules.kind` lists, and the
//! ages a rule may have.

use crate::ValidationErrors;
use serde::{Deserialize, Serialize};

/// What a retention rule purges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Public intakes whose e-mail code was never confirmed.
    UnconfirmedIntake,
    /// Invitations accepted or expired.
    Invitation,
    /// Password reset tokens used or expired.
    PasswordResetToken,
    /// The bodies of sent or dead outbox messages (blanked, the log stays).
    OutboxBody,
    /// The personal data of closed cases, counted from the final status
    /// (replaced; the figures and the audit trail's facts stay).
    ClosedCasePersonalData,
}

crate::code::codes!(RuleKind {
    UnconfirmedIntake => "unconfirmed_intake",
    Invitation => "invitation",
    PasswordResetToken => "password_reset_token",
    OutboxBody => "outbox_body",
    ClosedCasePersonalData => "closed_case_personal_data",
});

/// The longest age a rule may have, in days (100 years); 0 turns it off.
pub const MAX_DAYS: i64 = 36_500;

/// A rule's age in days, 0 (off) to [`MAX_DAYS`]; 422 otherwise.
pub fn days(field: &str, value: i64) -> Result<i32, ValidationErrors> {
    match i32::try_from(value) {
        Ok(days) if (0..=MAX_DAYS).contains(&value) => Ok(days),
        _ => Err(ValidationErrors::single(
            field,
            "out_of_range",
            format!("must be between 0 (off) and {MAX_DAYS} days"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_between_zero_and_a_hundred_years() {
        assert_eq!(days("days", 0).ok(), Some(0));
        assert_eq!(days("days", 3650).ok(), Some(3650));
        assert_eq!(days("days", MAX_DAYS).ok(), Some(36_500));
        for bad in [-1, MAX_DAYS + 1, i64::MAX, i64::MIN] {
            assert!(days("days", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_kinds_are_the_tables_names() {
        assert_eq!(
            crate::code::names::<RuleKind>(),
            [
                "unconfirmed_intake",
                "invitation",
                "password_reset_token",
                "outbox_body",
                "closed_case_personal_data"
            ]
        );
    }
}
