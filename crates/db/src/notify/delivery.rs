//! The worker's side of the outbox: claiming due messages (several workers
//! at once never claim the same one: `FOR UPDATE SKIP LOCKED`, then a
//! lease), marking the outcome of an attempt with its row in the delivery
//! log, and reading that log.

use crate::codes::DbText;
use crate::outbox::OutboxMessage;
use crate::schema::{outbox_attempts, outbox_messages};
use crate::{DbResult, Page};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use living_gate_domain::notify::{AttemptOutcome, MailKind, OutboxState};
use uuid::Uuid;

/// Claims up to `limit` due pending messages and leases them until
/// `lease_until`: each attempt is counted before the send, so a worker that
/// dies mid-send leaves a message that is due again once the lease ends
/// (and is re-sent with the same Message-ID), never one lost.
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    limit: i64,
    lease_until: DateTime<Utc>,
) -> DbResult<Vec<OutboxMessage>> {
    conn.transaction(async |conn| {
        let due: Vec<Uuid> = outbox_messages::table
            .filter(outbox_messages::state.eq(OutboxState::Pending.as_str()))
            .filter(outbox_messages::next_attempt_at.le(diesel::dsl::now))
            .order((outbox_messages::next_attempt_at, outbox_messages::id))
            .limit(limit)
            .select(outbox_messages::id)
            .for_update()
            .skip_locked()
            .load(conn)
            .await?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let mut claimed: Vec<OutboxMessage> =
            diesel::update(outbox_messages::table.filter(outbox_messages::id.eq_any(&due)))
                .set((
                    outbox_messages::attempts.eq(outbox_messages::attempts + 1),
                    outbox_messages::next_attempt_at.eq(lease_until),
                ))
                .returning(OutboxMessage::as_returning())
                .get_results(conn)
                .await?;
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    })
    .await
}

/// One attempt, for the delivery log.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    /// The server's reply or the error (cut to 500 characters here).
    pub detail: String,
}

/// How an attempt ended, as the worker decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
    /// That was the last try.
    Dead,
}

fn excerpt(text: &str) -> String {
    text.chars().take(500).collect()
}

/// Records attempt number `message.attempts` of `message` and its outcome,
/// in the caller's transaction. A secret body is blanked once the message
/// is sent or dead. Returns whether the message was still this attempt's
/// (a message whose lease ran out and that another worker claimed again is
/// left to that worker).
pub async fn finish(
    conn: &mut AsyncPgConnection,
    message: &OutboxMessage,
    attempt: &AttemptRecord,
    outcome: Outcome,
) -> DbResult<bool> {
    let detail = excerpt(&attempt.detail);
    let logged = match outcome {
        Outcome::Sent => AttemptOutcome::Sent,
        Outcome::RetryAt(_) => AttemptOutcome::Failed,
        Outcome::Dead => AttemptOutcome::Dead,
    };
    diesel::insert_into(outbox_attempts::table)
        .values((
            outbox_attempts::id.eq(Uuid::now_v7()),
            outbox_attempts::message_id.eq(message.id),
            outbox_attempts::municipality_id.eq(message.municipality_id),
            outbox_attempts::attempt.eq(message.attempts.max(1)),
            outbox_attempts::started_at.eq(attempt.started_at),
            outbox_attempts::duration_ms.eq(attempt.duration_ms.max(0)),
            outbox_attempts::outcome.eq(logged.as_str()),
            outbox_attempts::detail.eq(&detail),
        ))
        .execute(conn)
        .await?;
    let mine = outbox_messages::table
        .filter(outbox_messages::id.eq(message.id))
        .filter(outbox_messages::state.eq(OutboxState::Pending.as_str()))
        .filter(outbox_messages::attempts.eq(message.attempts));
    let blank = message.secret;
    let body = if blank {
        String::new()
    } else {
        message.body_text.clone()
    };
    let changed = match outcome {
        Outcome::Sent => {
            diesel::update(mine)
                .set((
                    outbox_messages::state.eq(OutboxState::Sent.as_str()),
                    outbox_messages::sent_at.eq(diesel::dsl::now),
                    outbox_messages::last_error.eq(None::<String>),
                    outbox_messages::body_text.eq(body),
                ))
                .execute(conn)
                .await?
        }
        Outcome::RetryAt(at) => {
            diesel::update(mine)
                .set((
                    outbox_messages::next_attempt_at.eq(at),
                    outbox_messages::last_error.eq(Some(&detail)),
                ))
                .execute(conn)
                .await?
        }
        Outcome::Dead => {
            diesel::update(mine)
                .set((
                    outbox_messages::state.eq(OutboxState::Dead.as_str()),
                    outbox_messages::last_error.eq(Some(&detail)),
                    outbox_messages::body_text.eq(body),
                ))
                .execute(conn)
                .await?
        }
    };
    Ok(changed == 1)
}

/// What the delivery log lists.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub state: Option<OutboxState>,
    pub kind: Option<MailKind>,
    pub proposal_id: Option<Uuid>,
    /// Only this city's (`None`: every city's and the platform's).
    pub municipality: Option<Uuid>,
}

/// The messages row-level security lets the connection see, newest first
/// (by id, UUIDv7), after the page's cursor.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &LogFilter,
    page: Page,
) -> DbResult<(Vec<OutboxMessage>, Option<Uuid>)> {
    let mut query = outbox_messages::table
        .select(OutboxMessage::as_select())
        .order(outbox_messages::id.desc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(outbox_messages::id.lt(after));
    }
    if let Some(state) = filter.state {
        query = query.filter(outbox_messages::state.eq(state.as_str()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(outbox_messages::kind.eq(kind.as_str()));
    }
    if let Some(city) = filter.municipality {
        query = query.filter(outbox_messages::municipality_id.eq(city));
    }
    if let Some(case) = filter.proposal_id {
        query = query.filter(outbox_messages::proposal_id.eq(case));
    }
    let rows = query.load(conn).await?;
    Ok(page.finish(rows, |m| m.id))
}

/// One message (if row-level security lets the connection see it).
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<OutboxMessage>> {
    Ok(outbox_messages::table
        .find(id)
        .select(OutboxMessage::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// A message locked for a change (the desk's retry).
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<OutboxMessage>> {
    Ok(outbox_messages::table
        .find(id)
        .select(OutboxMessage::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// A row of the delivery log.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox_attempts, check_for_backend(diesel::pg::Pg))]
pub struct Attempt {
    pub id: Uuid,
    pub message_id: Uuid,
    pub attempt: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    #[diesel(deserialize_as = DbText<AttemptOutcome>)]
    pub outcome: AttemptOutcome,
    pub detail: String,
}

/// The attempts of message `id`, in order.
pub async fn attempts_of(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Vec<Attempt>> {
    Ok(outbox_attempts::table
        .filter(outbox_attempts::message_id.eq(id))
        .order((outbox_attempts::attempt, outbox_attempts::id))
        .select(Attempt::as_select())
        .load(conn)
        .await?)
}

/// Puts a dead message back in the queue, due now, with its tries counted
/// from zero again. Its body is the one it still has (a secret one was
/// blanked: the desk cannot resend a code or a link; its sender makes a
/// new one).
pub async fn requeue(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<OutboxMessage> {
    Ok(diesel::update(outbox_messages::table.find(id))
        .set((
            outbox_messages::state.eq(OutboxState::Pending.as_str()),
            outbox_messages::attempts.eq(0),
            outbox_messages::next_attempt_at.eq(diesel::dsl::now),
        ))
        .returning(OutboxMessage::as_returning())
        .get_result(conn)
        .await?)
}
