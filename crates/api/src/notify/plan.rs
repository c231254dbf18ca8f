//! The mails of one feed event: the domain says who hears what
//! ([`audience::notices`]), one query per audience finds the accounts (active,
//! not the actor, the kind not turned off, with address and language), the
//! template renders each mail in its reader's language, and
//! [`enqueue`] puts them in the outbox, in the writing transaction.
//!
//! The mails are planned ([`mails_for`]) before the event is appended, so
//! that the reads run before the feed lock is taken; only their one
//! `INSERT` ([`enqueue`]) runs under it, since it names the event's position.

use crate::notify::links;
use living_gate_db::desk::events::NewEvent;
use living_gate_db::notify::recipients;
use living_gate_db::outbox::{self, Origin};
use living_gate_db::{AsyncPgConnection, DbResult};
use living_gate_domain::notify::audience::{self, Audience, CaseEvent};
use living_gate_domain::notify::case_mail::{self, CaseMail};
use living_gate_domain::notify::Mail;
use living_gate_domain::Email;

/// The mails an event about to be appended causes, each with its origin
/// (its `event_position` left for [`enqueue`] to fill in).
pub async fn mails_for(
    conn: &mut AsyncPgConnection,
    event: &NewEvent,
) -> DbResult<Vec<(Mail, Origin)>> {
    let Some(proposal_id) = event.proposal_id else {
        return Ok(Vec::new());
    };
    let mut facts = CaseEvent {
        kind: event.kind,
        visibility: event.visibility,
        department: event.department_id,
        to_status: event.to_status,
        actor_role: event.actor_role,
        lead_department: None,
        subject: event.subject_id,
    };
    // Most events cause no mail: ask the case only for those that do.
    if audience::notices(&facts).is_empty() {
        return Ok(Vec::new());
    }
    let Some(case) = recipients::case_facts(conn, proposal_id).await? else {
        return Ok(Vec::new());
    };
    facts.lead_department = case.lead_department_id;
    let link = links::case(proposal_id);
    let mut mails = Vec::new();
    for notice in audience::notices(&facts) {
        let content = CaseMail {
            reference: &case.reference,
            title: &case.title,
            link: &link,
            from_status: event.from_status,
            to_status: event.to_status,
            // The note is the proposer's; the internal reason is nobody's mail.
            note_for_proposer: match notice.audience {
                Audience::Proposer => event.note_for_proposer.as_deref(),
                _ => None,
            },
        };
        let found = recipients::for_case(
            conn,
            proposal_id,
            notice.audience,
            notice.kind,
            event.actor_id,
        )
        .await?;
        for recipient in found {
            let Ok(to) = Email::parse("email", &recipient.email) else {
                tracing::warn!(user = %recipient.user_id, "account address unusable for mail");
                continue;
            };
            let (subject, body) = case_mail::render(notice.kind, recipient.language, &content);
            let mail = Mail {
                kind: notice.kind,
                to,
                language: recipient.language,
                subject,
                body,
            };
            let origin = Origin {
                municipality_id: Some(case.municipality_id),
                recipient_user_id: Some(recipient.user_id),
                event_position: None,
                proposal_id: Some(proposal_id),
            };
            mails.push((mail, origin));
        }
    }
    Ok(mails)
}

/// Puts the planned mails of the event appended at `position` in the outbox.
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    mails: Vec<(Mail, Origin)>,
    position: i64,
) -> DbResult<usize> {
    let mails = mails
        .into_iter()
        .map(|(mail, origin)| {
            let origin = Origin {
                event_position: Some(position),
                ..origin
            };
            (mail, origin)
        })
        .collect();
    outbox::enqueue_all(conn, mails).await
}
