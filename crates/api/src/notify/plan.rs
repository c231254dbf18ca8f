//! The mails of one feed event: the domain says who hears what
//! ([`audience::notices`]), one query per audience finds the accounts (active,
//! not the actor, the kind not turned off, with address and language), the
//! template renders each mail in its reader's language, and
//! [`outbox::enqueue`] puts it in the outbox, in the writing transaction.

use crate::notify::links;
use living_gate_db::desk::events::Event;
use living_gate_db::notify::recipients;
use living_gate_db::outbox::{self, Origin};
use living_gate_db::{AsyncPgConnection, DbResult};
use living_gate_domain::notify::audience::{self, Audience, CaseEvent};
use living_gate_domain::notify::case_mail::{self, CaseMail};
use living_gate_domain::notify::Mail;
use living_gate_domain::Email;

/// Enqueues the mails `event` (just appended) causes.
pub async fn enqueue_for(conn: &mut AsyncPgConnection, event: &Event) -> DbResult<usize> {
    let Some(proposal_id) = event.proposal_id else {
        return Ok(0);
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
        return Ok(0);
    }
    let Some(case) = recipients::case_facts(conn, proposal_id).await? else {
        return Ok(0);
    };
    facts.lead_department = case.lead_department_id;
    let link = links::case(proposal_id);
    let mut queued = 0;
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
                event_position: Some(event.position),
                proposal_id: Some(proposal_id),
            };
            outbox::enqueue(conn, mail, origin).await?;
            queued += 1;
        }
    }
    Ok(queued)
}
