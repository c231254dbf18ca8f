//! Telling people what happened (issue 15): what kinds of mail there are,
//! in which language, and what one message to send holds. Who hears what
//! and the templates live beside this module; the outbox (crates/db,
//! `outbox`) stores messages, a worker in the api crate delivers them.

pub mod account_mail;
pub mod intake_mail;
pub mod reminder_mail;
pub mod webhook_mail;

use crate::Email;

pub mod audience;
pub mod case_mail;
use serde::{Deserialize, Serialize};

/// What a mail tells. Users may turn off the kinds [`MailKind::optional`]
/// says they may; the others (codes, resets, invitations) always go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// To the proposer: its case moved (with the note meant for it).
    StatusChanged,
    /// To the proposer: the desk or a department shared a message.
    MessageShared,
    /// To a department's users: a hearing is requested of it.
    HearingRequested,
    /// To a department's users: a match is proposed to it.
    MatchProposed,
    /// To the lead department's users: a case awaits its decision.
    DecisionAwaited,
    /// To the desk: a new intake was confirmed by its contact.
    IntakeConfirmed,
    /// To the desk: a department answered a hearing.
    HearingAnswered,
    /// To the desk: a department accepted a match.
    MatchAccepted,
    /// To the desk: a department declined a match.
    MatchDeclined,
    /// To the desk: the lead department decided.
    Decided,
    /// To the desk: an uploaded file was found infected and quarantined.
    AttachmentQuarantined,
    /// To the desk: a message could not be delivered after its last try.
    DeliveryFailed,
    /// To an intake's contact: the one-time code proving the address.
    IntakeCode,
    /// To an intake's contact: the case is registered, with its reference.
    IntakeReceived,
    /// To a contact: the invitation to become the organization's partner user.
    PartnerInvitation,
    /// To an account: the one-time password reset link.
    PasswordReset,
    /// To the desk: a webhook receiver failed for too long; its
    /// subscription stopped (issue 16).
    WebhookFailing,
    /// To a desk user: it was made the coordinator (担当者) of a case.
    CoordinatorAssigned,
    /// To the department concerned and the coordinator (or the desk): a
    /// hearing's answer or a decision is past its due date (issue 18).
    DueDatePassed,
}

crate::code::codes!(MailKind {
    StatusChanged => "status_changed",
    MessageShared => "message_shared",
    HearingRequested => "hearing_requested",
    MatchProposed => "match_proposed",
    DecisionAwaited => "decision_awaited",
    IntakeConfirmed => "intake_confirmed",
    HearingAnswered => "hearing_answered",
    MatchAccepted => "match_accepted",
    MatchDeclined => "match_declined",
    Decided => "decided",
    AttachmentQuarantined => "attachment_quarantined",
    DeliveryFailed => "delivery_failed",
    IntakeCode => "intake_code",
    IntakeReceived => "intake_received",
    PartnerInvitation => "partner_invitation",
    PasswordReset => "password_reset",
    WebhookFailing => "webhook_failing",
    CoordinatorAssigned => "coordinator_assigned",
    DueDatePassed => "due_date_passed",
});

impl MailKind {
    /// Whether a user may turn this kind off. Mails that carry a code, a
    /// link or a reference someone asked for always go.
    pub fn optional(self) -> bool {
        !matches!(
            self,
            MailKind::IntakeCode
                | MailKind::IntakeReceived
                | MailKind::PartnerInvitation
                | MailKind::PasswordReset
        )
    }

    /// Whether the body holds a secret (blanked in the outbox once sent).
    pub fn secret(self) -> bool {
        matches!(
            self,
            MailKind::IntakeCode | MailKind::PartnerInvitation | MailKind::PasswordReset
        )
    }
}

/// The language of a mail: Japanese by default, English on request.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Ja,
    En,
}

crate::code::codes!(Language {
    Ja => "ja",
    En => "en",
});

/// Where a message of the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for its (next) attempt.
    Pending,
    Sent,
    /// Given up after the last try.
    Dead,
}

crate::code::codes!(OutboxState {
    Pending => "pending",
    Sent => "sent",
    Dead => "dead",
});

/// How one delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    Sent,
    /// Failed; another attempt follows.
    Failed,
    /// Failed for the last time: the message is dead.
    Dead,
}

crate::code::codes!(AttemptOutcome {
    Sent => "sent",
    Failed => "failed",
    Dead => "dead",
});

/// A rendered mail, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub kind: MailKind,
    pub to: Email,
    pub language: Language,
    /// Carries the case reference when the mail is about a case.
    pub subject: String,
    /// Plain text.
    pub body: String,
}
