//! The transactional outbox (issue 15): messages to send, written in the
//! transaction of the write that causes them ([`enqueue`]), delivered by a
//! worker that claims due rows with `FOR UPDATE SKIP LOCKED`, and the log of
//! every attempt.

use crate::codes::DbText;
use crate::schema::outbox_messages;
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::notify::{Language, Mail, MailKind, OutboxState};
use uuid::Uuid;

/// A message of the outbox.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox_messages, check_for_backend(diesel::pg::Pg))]
pub struct OutboxMessage {
    pub id: Uuid,
    pub municipality_id: Option<Uuid>,
    #[diesel(deserialize_as = DbText<MailKind>)]
    pub kind: MailKind,
    pub recipient_user_id: Option<Uuid>,
    pub recipient_address: String,
    #[diesel(deserialize_as = DbText<Language>)]
    pub language: Language,
    pub subject: String,
    pub body_text: String,
    /// RFC 5322 Message-ID without angle brackets; the same on every attempt.
    pub message_id: String,
    pub event_position: Option<i64>,
    pub proposal_id: Option<Uuid>,
    pub secret: bool,
    #[diesel(deserialize_as = DbText<OutboxState>)]
    pub state: OutboxState,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// What caused a message and whose delivery log holds it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin {
    /// The city whose desk reads the delivery log (`None`: the platform's).
    pub municipality_id: Option<Uuid>,
    /// The account the mail goes to, when it goes to one.
    pub recipient_user_id: Option<Uuid>,
    /// The feed event that caused it.
    pub event_position: Option<i64>,
    /// The case it is about.
    pub proposal_id: Option<Uuid>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = outbox_messages)]
struct NewOutboxMessage {
    id: Uuid,
    municipality_id: Option<Uuid>,
    #[diesel(serialize_as = DbText<MailKind>)]
    kind: MailKind,
    recipient_user_id: Option<Uuid>,
    recipient_address: String,
    #[diesel(serialize_as = DbText<Language>)]
    language: Language,
    subject: String,
    body_text: String,
    message_id: String,
    event_position: Option<i64>,
    proposal_id: Option<Uuid>,
    secret: bool,
}

/// The Message-ID of outbox message `id`: unique, stable across attempts.
pub fn message_id_for(id: Uuid) -> String {
    format!("{id}@living-gate.invalid")
}

impl NewOutboxMessage {
    fn new(mail: Mail, origin: Origin) -> NewOutboxMessage {
        let id = Uuid::now_v7();
        NewOutboxMessage {
            id,
            municipality_id: origin.municipality_id,
            kind: mail.kind,
            recipient_user_id: origin.recipient_user_id,
            recipient_address: mail.to.into_string(),
            language: mail.language,
            subject: mail.subject,
            body_text: mail.body,
            message_id: message_id_for(id),
            event_position: origin.event_position,
            proposal_id: origin.proposal_id,
            secret: mail.kind.secret(),
        }
    }
}

/// Puts `mail` in the outbox, in the caller's transaction: it is sent once
/// that commits, never if it rolls back.
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    mail: Mail,
    origin: Origin,
) -> DbResult<OutboxMessage> {
    Ok(crate::Prepared(
        diesel::insert_into(outbox_messages::table)
            .values(NewOutboxMessage::new(mail, origin))
            .returning(OutboxMessage::as_returning()),
    )
    .get_result(conn)
    .await?)
}

/// Puts several mails in the outbox in one statement (the mails of one
/// feed event), as [`enqueue`] does each.
pub async fn enqueue_all(
    conn: &mut AsyncPgConnection,
    mails: Vec<(Mail, Origin)>,
) -> DbResult<usize> {
    if mails.is_empty() {
        return Ok(0);
    }
    let rows: Vec<NewOutboxMessage> = mails
        .into_iter()
        .map(|(mail, origin)| NewOutboxMessage::new(mail, origin))
        .collect();
    Ok(diesel::insert_into(outbox_messages::table)
        .values(rows)
        .execute(conn)
        .await?)
}
