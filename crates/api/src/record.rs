//! Every write records itself: one audit row (who, from where, what changed)
//! and one change-feed event (what happened, for whom), both in the writing
//! transaction. Handlers write through [`created`], [`updated`] or [`write`]
//! (and [`write_many`] for an import), so a write cannot have one without
//! the other; a test walks every write operation of the OpenAPI document and
//! checks both.
//!
//! Who sees an event follows from what it is [`About`]: a case's events go
//! to those who may see the case (the proposer only the shared ones, a
//! department only its own hearings and matches), a directory entry's to
//! every member of staff, and everything else (reference data, accounts,
//! taxonomy, surveys, KPI targets) to the desk.
//!
//! Sign-in, refresh, logout and refused tokens change no resource: they are
//! audited through [`audit_only`] and have no feed event; so are the reads
//! that returned hidden fields of directory entries ([`audit_hidden_reads`]).

use crate::http::request_context::RequestMeta;
use living_gate_db::audit::{self as audit_db, NewAuditEntry};
use living_gate_db::desk::events::{self, NewEvent};
use living_gate_db::{AsyncPgConnection, DbResult, Versioned};
pub use living_gate_domain::desk::feed::{EventKind, Visibility};
use living_gate_domain::desk::workflow::Status;
use living_gate_domain::Actor;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// Who writes: an authenticated caller, or the service itself acting for a
/// known account (the demo data).
pub trait Author: Sync {
    fn actor(&self) -> &Actor;
    fn meta(&self) -> &RequestMeta;
}

/// The service writing for an account outside any request (the demo data).
pub struct Background {
    pub actor: Actor,
    pub meta: RequestMeta,
}

impl Background {
    pub fn new(actor: Actor) -> Background {
        Background {
            actor,
            meta: RequestMeta::default(),
        }
    }
}

impl Author for Background {
    fn actor(&self) -> &Actor {
        &self.actor
    }
    fn meta(&self) -> &RequestMeta {
        &self.meta
    }
}

/// What an event is about, which decides who sees it in the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    /// A case. A `department` event (a hearing, a match) is that
    /// department's business: other departments do not see it.
    Case {
        proposal_id: Uuid,
        visibility: Visibility,
        department: Option<Uuid>,
    },
    /// A directory entry: every member of staff.
    Entry { resource_id: Uuid },
    /// Anything else: the desk.
    Desk,
}

/// The change-feed event of a write.
#[derive(Debug, Clone)]
pub struct FeedEvent {
    pub kind: EventKind,
    pub about: About,
    /// The hearing, message, match, TRIP, account … the event is about.
    pub subject_id: Option<Uuid>,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    /// Internal reason; never shown to the proposer.
    pub reason: Option<String>,
    pub note_for_proposer: Option<String>,
    /// The city the record written belongs to, when it is not a case (whose
    /// city the database takes from the case) and not the writer's own city.
    pub municipality: Option<Uuid>,
}

impl FeedEvent {
    fn new(kind: EventKind, about: About) -> FeedEvent {
        FeedEvent {
            kind,
            about,
            subject_id: None,
            from_status: None,
            to_status: None,
            reason: None,
            note_for_proposer: None,
            municipality: None,
        }
    }

    /// The record written belongs to this city (a department, an account):
    /// that city's desk and admins see the event and its audit entry.
    pub fn in_municipality(mut self, municipality_id: Option<Uuid>) -> FeedEvent {
        self.municipality = municipality_id;
        self
    }

    /// The city of the record a write is about: a case's is taken from the
    /// case by the database; otherwise the one named, or the writer's.
    fn city(&self, actor: &Actor) -> Option<Uuid> {
        match self.about {
            About::Case { .. } => None,
            _ => self.municipality.or(actor.municipality_id),
        }
    }

    fn case_id(&self) -> Option<Uuid> {
        match self.about {
            About::Case { proposal_id, .. } => Some(proposal_id),
            _ => None,
        }
    }

    /// An event about a case.
    pub fn case(proposal_id: Uuid, kind: EventKind, visibility: Visibility) -> FeedEvent {
        FeedEvent::new(
            kind,
            About::Case {
                proposal_id,
                visibility,
                department: None,
            },
        )
    }

    /// An event about a directory entry.
    pub fn entry(resource_id: Uuid, kind: EventKind) -> FeedEvent {
        FeedEvent::new(kind, About::Entry { resource_id })
    }

    /// An event for the desk (name its subject with [`FeedEvent::subject`]).
    pub fn desk(kind: EventKind) -> FeedEvent {
        FeedEvent::new(kind, About::Desk)
    }

    /// Only this department (and the desk) sees the case event.
    pub fn for_department(mut self, department_id: Uuid) -> FeedEvent {
        if let About::Case { department, .. } = &mut self.about {
            *department = Some(department_id);
        }
        self
    }

    pub fn subject(mut self, subject_id: Uuid) -> FeedEvent {
        self.subject_id = Some(subject_id);
        self
    }

    fn row(self, actor: &Actor) -> NewEvent {
        // The directory is the four cities' together: its events belong to
        // no city in the feed, so that row-level security lets every
        // city's staff read them (the audit entry keeps the owner's city).
        let municipality_id = match self.about {
            About::Entry { .. } => None,
            _ => self.city(actor),
        };
        let (proposal_id, resource_id, visibility, department_id) = match self.about {
            About::Case {
                proposal_id,
                visibility,
                department,
            } => (Some(proposal_id), None, visibility, department),
            About::Entry { resource_id } => (None, Some(resource_id), Visibility::Internal, None),
            About::Desk => (None, None, Visibility::Internal, None),
        };
        NewEvent {
            proposal_id,
            resource_id,
            actor_id: Some(actor.id),
            actor_role: Some(actor.role),
            from_status: self.from_status,
            to_status: self.to_status,
            reason: self.reason,
            note_for_proposer: self.note_for_proposer,
            department_id,
            subject_id: self.subject_id,
            municipality_id,
            ..NewEvent::new(self.kind, visibility)
        }
    }
}

/// One write: its audit entry and its feed event.
pub struct Change {
    /// `<target_type>.<verb>`, e.g. `proposal.update`.
    pub action: String,
    pub target_type: &'static str,
    pub target_id: String,
    /// What changed: fields before/after.
    pub changes: Value,
    pub event: FeedEvent,
}

impl Change {
    /// The creation of `row` (every field as "after").
    pub fn created<R: Serialize + Versioned>(
        target_type: &'static str,
        row: &R,
        event: FeedEvent,
    ) -> Change {
        Change {
            action: format!("{target_type}.create"),
            target_type,
            target_id: row.id().to_string(),
            changes: audit_db::diff(None, row),
            event,
        }
    }

    /// A change of a row (the changed fields before/after).
    pub fn updated<R: Serialize + Versioned>(
        target_type: &'static str,
        before: &R,
        after: &R,
        event: FeedEvent,
    ) -> Change {
        Change {
            action: format!("{target_type}.update"),
            target_type,
            target_id: after.id().to_string(),
            changes: audit_db::diff(Some(before), after),
            event,
        }
    }
}

fn audit_entry(author: &dyn Author, change: &Change) -> NewAuditEntry {
    audit_row(
        author,
        change.action.clone(),
        change.target_type,
        change.target_id.clone(),
        change.changes.clone(),
        (change.event.city(author.actor()), change.event.case_id()),
    )
}

/// `city_and_case`: the municipality the entry belongs to (who may read
/// it) and the case it is about, if any.
fn audit_row(
    author: &dyn Author,
    action: String,
    target_type: &str,
    target_id: String,
    changes: Value,
    (municipality_id, proposal_id): (Option<Uuid>, Option<Uuid>),
) -> NewAuditEntry {
    let actor = author.actor();
    NewAuditEntry {
        id: Uuid::now_v7(),
        actor_id: Some(actor.id),
        actor_role: Some(actor.role),
        action,
        target_type: Some(target_type.to_owned()),
        target_id: Some(target_id),
        request_id: author.meta().request_id.clone(),
        client_addr: author.meta().client_addr.clone(),
        changes,
        municipality_id,
        proposal_id,
    }
}

/// Records a write: the audit row, then the feed event. Call it last in the
/// writing transaction: the event takes the feed lock, held until commit.
/// The mails the event causes are read before the lock and inserted after
/// the event, so that the lock covers two statements and the commit.
pub async fn write(
    conn: &mut AsyncPgConnection,
    author: &dyn Author,
    change: Change,
) -> DbResult<events::Event> {
    audit_db::record(conn, &audit_entry(author, &change)).await?;
    let row = change.event.row(author.actor());
    let mails = crate::notify::plan::mails_for(conn, &row).await?;
    let event = events::append(conn, row).await?;
    // The writer's next reads wait for a replica that has this write.
    crate::http::read_routing::wrote(author.actor().id);
    // The mails the event causes commit with it, or roll back with it.
    crate::notify::plan::enqueue(conn, mails, event.position).await?;
    Ok(event)
}

/// Records many writes of one request (an import) at once. Its callers
/// (the directory import) write no case events, so they cause no mail.
pub async fn write_many(
    conn: &mut AsyncPgConnection,
    author: &dyn Author,
    changes: Vec<Change>,
) -> DbResult<()> {
    let audits: Vec<NewAuditEntry> = changes.iter().map(|c| audit_entry(author, c)).collect();
    crate::http::read_routing::wrote(author.actor().id);
    audit_db::record_many(conn, &audits).await?;
    let feed: Vec<NewEvent> = changes
        .into_iter()
        .map(|c| c.event.row(author.actor()))
        .collect();
    events::append_many(conn, &feed).await
}

/// Records the creation of `row` (`<target_type>.create`).
pub async fn created<R: Serialize + Versioned>(
    conn: &mut AsyncPgConnection,
    author: &dyn Author,
    target_type: &'static str,
    row: &R,
    event: FeedEvent,
) -> DbResult<events::Event> {
    write(conn, author, Change::created(target_type, row, event)).await
}

/// Records a change of a row (`<target_type>.update`).
pub async fn updated<R: Serialize + Versioned>(
    conn: &mut AsyncPgConnection,
    author: &dyn Author,
    target_type: &'static str,
    before: &R,
    after: &R,
    event: FeedEvent,
) -> DbResult<events::Event> {
    write(
        conn,
        author,
        Change::updated(target_type, before, after, event),
    )
    .await
}

/// An audit entry of something that changes no resource (sign-in, refresh,
/// logout, a refused token).
pub struct SessionEvent<'a> {
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<String>,
    pub changes: Value,
    /// The city of the account the entry is about, when it is known (a
    /// sign-in, a wrong password, a refresh of a known account): that city's
    /// admin and desk see it. `None` (an unknown e-mail, a refused token, a
    /// service account, an account of no city): the platform admin only.
    pub municipality_id: Option<Uuid>,
}

/// Audits a session event (no feed event: nothing the feed describes changed).
pub async fn audit_only(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    meta: &RequestMeta,
    event: SessionEvent<'_>,
) -> DbResult<()> {
    audit_db::record(
        conn,
        &NewAuditEntry {
            id: Uuid::now_v7(),
            actor_id: actor.map(|a| a.id),
            actor_role: actor.map(|a| a.role),
            action: event.action.to_owned(),
            target_type: Some(event.target_type.to_owned()),
            target_id: event.target_id,
            request_id: meta.request_id.clone(),
            client_addr: meta.client_addr.clone(),
            changes: event.changes,
            municipality_id: event
                .municipality_id
                .or(actor.and_then(|a| a.municipality_id)),
            proposal_id: None,
        },
    )
    .await
}

/// Audits the reads that returned hidden fields of directory entries (need
/// to know, issue 14): one `resource.read_hidden` row per entry, naming the
/// fields and the endpoint (`via`). No feed event: nothing changed. A
/// request without such reads writes nothing.
pub async fn audit_hidden_reads(
    conn: &mut AsyncPgConnection,
    author: Option<&dyn Author>,
    reads: &[(Uuid, Vec<living_gate_domain::directory::HideableField>)],
    via: &str,
) -> DbResult<()> {
    let Some(author) = author else {
        return Ok(());
    };
    if reads.is_empty() {
        return Ok(());
    }
    let entries: Vec<NewAuditEntry> = reads
        .iter()
        .map(|(id, fields)| {
            audit_row(
                author,
                "resource.read_hidden".to_owned(),
                "resource",
                id.to_string(),
                serde_json::json!({
                    "fields": fields.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
                    "via": via,
                }),
                // The reader's city: its admin sees what its staff read.
                (author.actor().municipality_id, None),
            )
        })
        .collect();
    audit_db::record_many(conn, &entries).await
}
