//! The personal-data retention rules (issue 21): the kinds of record a rule
//! purges, the names `retention_rules.kind` lists.

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
}

crate::code::codes!(RuleKind {
    UnconfirmedIntake => "unconfirmed_intake",
    Invitation => "invitation",
    PasswordResetToken => "password_reset_token",
    OutboxBody => "outbox_body",
});
