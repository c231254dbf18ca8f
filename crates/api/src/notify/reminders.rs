//! The due-date reminders of `living-gate serve` (issue 18): every
//! `LIVING_GATE_REMINDER_INTERVAL` seconds (default 3600, 0: off), one
//! `due_date_passed` mail per due date that passed (Japan's calendar,
//! `desk::due::passed`) without the hearing answered or the decision made,
//! to the department concerned and to the case's coordinator (the city's
//! desk when the case has none, or its coordinator is no longer active or
//! has turned these mails off). The overdue rows are locked with
//! `FOR UPDATE SKIP LOCKED` and marked in the transaction that queues the
//! mails, so several instances never remind twice; moving the due date
//! re-arms the reminder.

use crate::notify::links;
use diesel_async::AsyncConnection;
use living_gate_db::desk::reminders::{self as db, Overdue};
use living_gate_db::notify::recipients;
use living_gate_db::outbox::{self, Origin};
use living_gate_db::{pool, AsyncPgConnection, DbError, DbPool, DbResult};
use living_gate_domain::desk::due::{self, Due};
use living_gate_domain::fiscal::date_in_japan;
use living_gate_domain::notify::audience::Audience;
use living_gate_domain::notify::reminder_mail::{self, Reminder};
use living_gate_domain::notify::{Mail, MailKind};
use living_gate_domain::Email;
use std::time::Duration;

/// Overdue items handled per kind and run; the next run takes the rest.
const BATCH: i64 = 200;

/// One run at `now`: the reminders queued (mails), in one transaction.
pub async fn run_once(
    conn: &mut AsyncPgConnection,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, DbError> {
    let today = date_in_japan(now);
    conn.transaction(async |conn| {
        let mut overdue = db::overdue_hearings(conn, today, BATCH).await?;
        overdue.extend(db::overdue_decisions(conn, today, BATCH).await?);
        let mut queued = 0;
        for item in overdue.iter().filter(|o| due::passed(o.due_on, now)) {
            queued += remind(conn, item).await?;
            db::mark_reminded(conn, item).await?;
        }
        Ok(queued)
    })
    .await
}

async fn remind(conn: &mut AsyncPgConnection, item: &Overdue) -> DbResult<usize> {
    let Some(case) = recipients::case_facts(conn, item.proposal_id).await? else {
        return Ok(0);
    };
    let link = links::case(item.proposal_id);
    let reminder = Reminder {
        due: match item.hearing_id {
            Some(_) => Due::HearingAnswer,
            None => Due::Decision,
        },
        reference: &case.reference,
        title: &case.title,
        due_on: item.due_on,
        link: &link,
    };
    let mut audiences = Vec::new();
    if let Some(department) = item.department_id {
        audiences.push(Audience::Department(department));
    }
    audiences.push(match item.coordinator_id {
        Some(user) => Audience::User(user),
        None => Audience::Desk,
    });
    let mut queued = 0;
    for audience in audiences {
        let mut found = recipients::for_case(
            conn,
            item.proposal_id,
            audience,
            MailKind::DueDatePassed,
            None,
        )
        .await?;
        if found.is_empty() && matches!(audience, Audience::User(_)) {
            // A coordinator no longer active (or not taking these mails):
            // the desk hears instead, so the reminder reaches someone.
            found = recipients::for_case(
                conn,
                item.proposal_id,
                Audience::Desk,
                MailKind::DueDatePassed,
                None,
            )
            .await?;
        }
        for recipient in found {
            let Ok(to) = Email::parse("email", &recipient.email) else {
                tracing::warn!(user = %recipient.user_id, "account address unusable for mail");
                continue;
            };
            let (subject, body) = reminder_mail::render(recipient.language, &reminder);
            let mail = Mail {
                kind: MailKind::DueDatePassed,
                to,
                language: recipient.language,
                subject,
                body,
            };
            let origin = Origin {
                municipality_id: Some(case.municipality_id),
                recipient_user_id: Some(recipient.user_id),
                event_position: None,
                proposal_id: Some(item.proposal_id),
            };
            outbox::enqueue(conn, mail, origin).await?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// Runs the reminders every `interval` until `stop` turns true.
pub async fn every(pool: DbPool, interval: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        let outcome = async {
            let mut conn = pool::connection(&pool).await?;
            run_once(&mut conn, chrono::Utc::now()).await
        }
        .await;
        match outcome {
            Ok(0) => tracing::debug!("no due date passed"),
            Ok(queued) => tracing::info!(queued, "due-date reminders queued"),
            Err(error) => tracing::error!(error = %error, "due-date reminders failed"),
        }
    }
}
