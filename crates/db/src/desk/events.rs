//! The event log of cases and of the resource directory: each case's
//! timeline and the one ordered change feed.

use crate::codes::{DbNullableText, DbText};
use crate::desk::proposals::Scope;
use crate::schema::{proposal_events, proposals};
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::feed::{EventKind, Visibility};
use living_gate_domain::desk::workflow::Status;
use living_gate_domain::Role;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = proposal_events, check_for_backend(diesel::pg::Pg))]
pub struct Event {
    pub position: i64,
    pub id: Uuid,
    /// The case the event is about, or `None` for a directory event.
    pub proposal_id: Option<Uuid>,
    #[diesel(deserialize_as = DbText<EventKind>)]
    pub kind: EventKind,
    pub actor_id: Option<Uuid>,
    #[diesel(deserialize_as = DbNullableText<Role>)]
    pub actor_role: Option<Role>,
    #[diesel(deserialize_as = DbNullableText<Status>)]
    pub from_status: Option<Status>,
    #[diesel(deserialize_as = DbNullableText<Status>)]
    pub to_status: Option<Status>,
    pub reason: Option<String>,
    pub note_for_proposer: Option<String>,
    #[diesel(deserialize_as = DbText<Visibility>)]
    pub visibility: Visibility,
    pub department_id: Option<Uuid>,
    pub subject_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// The directory entry the event is about, or `None` for a case event.
    pub resource_id: Option<Uuid>,
    /// The city of the case (filled in from it) or of the record the event
    /// is about; `None`: the platform's (a municipality, a service account).
    pub municipality_id: Option<Uuid>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = proposal_events)]
pub struct NewEvent {
    pub id: Uuid,
    pub proposal_id: Option<Uuid>,
    pub resource_id: Option<Uuid>,
    #[diesel(serialize_as = DbText<EventKind>)]
    pub kind: EventKind,
    pub actor_id: Option<Uuid>,
    #[diesel(serialize_as = DbNullableText<Role>)]
    pub actor_role: Option<Role>,
    #[diesel(serialize_as = DbNullableText<Status>)]
    pub from_status: Option<Status>,
    #[diesel(serialize_as = DbNullableText<Status>)]
    pub to_status: Option<Status>,
    pub reason: Option<String>,
    pub note_for_proposer: Option<String>,
    #[diesel(serialize_as = DbText<Visibility>)]
    pub visibility: Visibility,
    pub department_id: Option<Uuid>,
    pub subject_id: Option<Uuid>,
    /// Left `None` for a case event: the database takes the case's.
    pub municipality_id: Option<Uuid>,
}

impl NewEvent {
    /// An event of this kind and visibility, with a fresh id and nothing else
    /// set (what `..NewEvent::new(kind, visibility)` fills in).
    pub fn new(kind: EventKind, visibility: Visibility) -> NewEvent {
        NewEvent {
            id: Uuid::now_v7(),
            proposal_id: None,
            resource_id: None,
            kind,
            actor_id: None,
            actor_role: None,
            from_status: None,
            to_status: None,
            reason: None,
            note_for_proposer: None,
            visibility,
            department_id: None,
            subject_id: None,
            municipality_id: None,
        }
    }
}

/// Advisory lock key of the feed: the bytes of "LGFEED".
const FEED_LOCK_KEY: i64 = 0x4c47_4645_4544;

/// Appends an event, in the caller's transaction. Call it last in the
/// transaction: it takes the feed lock, which is held until commit so that
/// positions become visible in the order they were drawn.
pub async fn append(conn: &mut AsyncPgConnection, event: NewEvent) -> DbResult<Event> {
    // One statement: the position is drawn from the sequence in a sub-select
    // that takes the lock first (a sub-query with a volatile function is not
    // flattened, so its row, and the lock, come before the outer `nextval`).
    Ok(crate::Prepared(
        diesel::insert_into(proposal_events::table)
            .values((
                event,
                proposal_events::position.eq(diesel::dsl::sql::<BigInt>(&format!(
                    "(SELECT nextval('proposal_event_position') \
                      FROM (SELECT pg_advisory_xact_lock({FEED_LOCK_KEY})) AS feed_lock)"
                ))),
            ))
            .returning(Event::as_returning()),
    )
    .get_result(conn)
    .await?)
}

/// Appends many events at once (an import), in the caller's transaction,
/// under the same lock as [`append`]; call it last in the transaction.
pub async fn append_many(conn: &mut AsyncPgConnection, events: &[NewEvent]) -> DbResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<BigInt, _>(FEED_LOCK_KEY)
        .execute(conn)
        .await?;
    for chunk in events.chunks(2000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|event| {
                (
                    event.clone(),
                    proposal_events::position.eq(diesel::dsl::sql::<BigInt>(
                        "nextval('proposal_event_position')",
                    )),
                )
            })
            .collect();
        diesel::insert_into(proposal_events::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Which events of visible cases a caller may see.
#[derive(Debug, Clone, Copy)]
pub struct Audience {
    pub scope: Scope,
    /// Proposers see shared events only.
    pub shared_only: bool,
}

type BoxedEvents<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::Select<proposal_events::table, diesel::dsl::AsSelect<Event, diesel::pg::Pg>>,
    diesel::pg::Pg,
>;

fn visible<'a>(audience: Audience) -> BoxedEvents<'a> {
    let mut query = proposal_events::table
        .select(Event::as_select())
        .into_boxed();
    if audience.shared_only {
        query = query.filter(proposal_events::visibility.eq(DbText(Visibility::Shared)));
    }
    match audience.scope {
        // The desk: its city's events, the directory's and the platform's.
        Scope::Municipality(id) => query.filter(
            proposal_events::municipality_id
                .eq(id)
                .or(proposal_events::resource_id.is_not_null())
                .or(proposal_events::municipality_id.is_null()),
        ),
        Scope::Organization(id) => query.filter(
            proposal_events::proposal_id.eq_any(
                proposals::table
                    .filter(proposals::organization_id.eq(id))
                    .select(proposals::id.nullable()),
            ),
        ),
        // Directory events (no case) are for every member of staff.
        Scope::Department {
            department_id,
            municipality_id,
        } => query
            .filter(
                proposal_events::proposal_id
                    .eq_any(
                        proposals::table
                            .filter(proposals::municipality_id.eq(municipality_id))
                            .filter(crate::desk::proposals::department_cases(department_id))
                            .select(proposals::id.nullable()),
                    )
                    .or(proposal_events::resource_id.is_not_null()),
            )
            // Another department's hearing is that department's business.
            .filter(
                proposal_events::department_id
                    .is_null()
                    .or(proposal_events::department_id.eq(department_id)),
            ),
    }
}

/// A case's timeline, oldest first.
pub async fn timeline(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
    audience: Audience,
    after: Option<i64>,
    limit: i64,
) -> DbResult<Vec<Event>> {
    let mut query = visible(audience)
        .filter(proposal_events::proposal_id.eq(Some(proposal_id)))
        .order(proposal_events::position)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(proposal_events::position.gt(after));
    }
    Ok(query.load(conn).await?)
}

/// The change feed: every visible event after `after`, in position order.
pub async fn feed(
    conn: &mut AsyncPgConnection,
    audience: Audience,
    after: Option<i64>,
    limit: i64,
) -> DbResult<Vec<Event>> {
    let mut query = visible(audience)
        .order(proposal_events::position)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(proposal_events::position.gt(after));
    }
    Ok(query.load(conn).await?)
}
