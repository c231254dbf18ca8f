//! Who hears what (issue 15): from a feed event about a case, the mails it
//! causes and to whom. Pure: the api crate looks the recipients up and
//! renders the templates ([`super::case_mail`]).
//!
//! | event | audience | mail |
//! |---|---|---|
//! | `status_changed` (shared) | the proposer | `status_changed` |
//! | `status_changed` to `awaiting_decision` | the lead department | `decision_awaited` |
//! | `status_changed` to `adopted` / `not_adopted` / `open_procurement` | the desk | `decided` |
//! | `message_posted`, shared | the proposer | `message_shared` |
//! | `hearing_requested` | the department asked | `hearing_requested` |
//! | `match_proposed` | the department proposed | `match_proposed` |
//! | `created` by anyone but the desk | the desk | `intake_confirmed` |
//! | `hearing_answered` | the desk | `hearing_answered` |
//! | `match_accepted` / `match_declined` | the desk | `match_accepted` / `match_declined` |
//! | `attachment_quarantined` | the desk | `attachment_quarantined` |
//! | `coordinator_changed` to a desk user | that user | `coordinator_assigned` |
//!
//! The proposer hears only of events it may read (shared visibility), and
//! a department only of its own hearing or match and of the decision it
//! leads. The actor is never told of its own action (the recipient query
//! leaves it out).

use super::MailKind;
use crate::desk::feed::{EventKind, Visibility};
use crate::desk::workflow::Status;
use crate::Role;
use uuid::Uuid;

/// A group of people a mail goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// The active partner users of the case's proposing organization.
    Proposer,
    /// The active users of this department.
    Department(Uuid),
    /// The active desk users of the case's city.
    Desk,
    /// One active desk user of the case's city (its coordinator).
    User(Uuid),
}

/// One mail an event causes: what, to whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub kind: MailKind,
    pub audience: Audience,
}

/// What [`notices`] needs to know of a case event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseEvent {
    pub kind: EventKind,
    pub visibility: Visibility,
    /// The department a hearing or match event is about.
    pub department: Option<Uuid>,
    pub to_status: Option<Status>,
    /// Who acted (`None`: nobody signed in, e.g. a public intake).
    pub actor_role: Option<Role>,
    /// The case's lead department after the event.
    pub lead_department: Option<Uuid>,
    /// What the event is about beyond the case (a new coordinator).
    pub subject: Option<Uuid>,
}

/// The mails `event` causes.
pub fn notices(event: &CaseEvent) -> Vec<Notice> {
    let to = |kind: MailKind, audience: Audience| Notice { kind, audience };
    let shared = event.visibility == Visibility::Shared;
    let mut out = Vec::new();
    match event.kind {
        EventKind::StatusChanged => {
            if shared {
                out.push(to(MailKind::StatusChanged, Audience::Proposer));
            }
            match event.to_status {
                Some(Status::AwaitingDecision) => {
                    if let Some(lead) = event.lead_department {
                        out.push(to(MailKind::DecisionAwaited, Audience::Department(lead)));
                    }
                }
                Some(status) if status.is_decision() => {
                    out.push(to(MailKind::Decided, Audience::Desk));
                }
                _ => {}
            }
        }
        EventKind::MessagePosted if shared => {
            out.push(to(MailKind::MessageShared, Audience::Proposer));
        }
        EventKind::HearingRequested => {
            if let Some(department) = event.department {
                out.push(to(
                    MailKind::HearingRequested,
                    Audience::Department(department),
                ));
            }
        }
        EventKind::MatchProposed => {
            if let Some(department) = event.department {
                out.push(to(
                    MailKind::MatchProposed,
                    Audience::Department(department),
                ));
            }
        }
        EventKind::Created if event.actor_role != Some(Role::Desk) => {
            out.push(to(MailKind::IntakeConfirmed, Audience::Desk));
        }
        EventKind::HearingAnswered => out.push(to(MailKind::HearingAnswered, Audience::Desk)),
        EventKind::MatchAccepted => out.push(to(MailKind::MatchAccepted, Audience::Desk)),
        EventKind::MatchDeclined => out.push(to(MailKind::MatchDeclined, Audience::Desk)),
        EventKind::AttachmentQuarantined => {
            out.push(to(MailKind::AttachmentQuarantined, Audience::Desk));
        }
        EventKind::CoordinatorChanged => {
            if let Some(coordinator) = event.subject {
                out.push(to(
                    MailKind::CoordinatorAssigned,
                    Audience::User(coordinator),
                ));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind, visibility: Visibility) -> CaseEvent {
        CaseEvent {
            kind,
            visibility,
            department: None,
            to_status: None,
            actor_role: Some(Role::Desk),
            lead_department: None,
            subject: None,
        }
    }

    fn audiences(event: &CaseEvent) -> Vec<(MailKind, Audience)> {
        notices(event)
            .into_iter()
            .map(|n| (n.kind, n.audience))
            .collect()
    }

    #[test]
    fn the_proposer_hears_of_shared_status_changes_and_messages_only() {
        let mut moved = event(EventKind::StatusChanged, Visibility::Shared);
        moved.to_status = Some(Status::Organizing);
        assert_eq!(
            audiences(&moved),
            [(MailKind::StatusChanged, Audience::Proposer)]
        );
        moved.visibility = Visibility::Internal;
        assert!(audiences(&moved).is_empty());
        assert_eq!(
            audiences(&event(EventKind::MessagePosted, Visibility::Shared)),
            [(MailKind::MessageShared, Audience::Proposer)]
        );
        assert!(audiences(&event(EventKind::MessagePosted, Visibility::Internal)).is_empty());
    }

    #[test]
    fn a_department_hears_of_its_own_hearing_and_match_and_the_decision_it_leads() {
        let d = Uuid::now_v7();
        for (kind, mail) in [
            (EventKind::HearingRequested, MailKind::HearingRequested),
            (EventKind::MatchProposed, MailKind::MatchProposed),
        ] {
            let mut e = event(kind, Visibility::Internal);
            e.department = Some(d);
            assert_eq!(audiences(&e), [(mail, Audience::Department(d))]);
            e.department = None;
            assert!(audiences(&e).is_empty(), "no department, nobody");
        }
        let mut awaiting = event(EventKind::StatusChanged, Visibility::Shared);
        awaiting.to_status = Some(Status::AwaitingDecision);
        awaiting.lead_department = Some(d);
        assert_eq!(
            audiences(&awaiting),
            [
                (MailKind::StatusChanged, Audience::Proposer),
                (MailKind::DecisionAwaited, Audience::Department(d)),
            ]
        );
    }

    #[test]
    fn the_desk_hears_of_answers_decisions_and_cases_it_did_not_enter() {
        let mut created = event(EventKind::Created, Visibility::Shared);
        assert!(audiences(&created).is_empty(), "the desk entered it");
        for role in [None, Some(Role::Partner)] {
            created.actor_role = role;
            assert_eq!(
                audiences(&created),
                [(MailKind::IntakeConfirmed, Audience::Desk)]
            );
        }
        for (kind, mail) in [
            (EventKind::HearingAnswered, MailKind::HearingAnswered),
            (EventKind::MatchAccepted, MailKind::MatchAccepted),
            (EventKind::MatchDeclined, MailKind::MatchDeclined),
            (
                EventKind::AttachmentQuarantined,
                MailKind::AttachmentQuarantined,
            ),
        ] {
            assert_eq!(
                audiences(&event(kind, Visibility::Internal)),
                [(mail, Audience::Desk)]
            );
        }
        for decision in Status::DECISIONS {
            let mut decided = event(EventKind::StatusChanged, Visibility::Shared);
            decided.to_status = Some(decision);
            assert_eq!(
                audiences(&decided),
                [
                    (MailKind::StatusChanged, Audience::Proposer),
                    (MailKind::Decided, Audience::Desk),
                ]
            );
        }
    }

    #[test]
    fn a_new_coordinator_hears_of_its_case_and_a_cleared_one_causes_nothing() {
        let user = Uuid::now_v7();
        let mut changed = event(EventKind::CoordinatorChanged, Visibility::Internal);
        assert!(audiences(&changed).is_empty(), "cleared: nobody");
        changed.subject = Some(user);
        assert_eq!(
            audiences(&changed),
            [(MailKind::CoordinatorAssigned, Audience::User(user))]
        );
        assert!(audiences(&event(EventKind::DueDateChanged, Visibility::Internal)).is_empty());
    }

    #[test]
    fn other_events_cause_no_mail() {
        for kind in [
            EventKind::ProposalUpdated,
            EventKind::LogicModelSaved,
            EventKind::TripCreated,
            EventKind::AttachmentAdded,
            EventKind::UserUpdated,
        ] {
            for visibility in [Visibility::Shared, Visibility::Internal] {
                assert!(audiences(&event(kind, visibility)).is_empty(), "{kind:?}");
            }
        }
    }
}
