//! Changing one entry: the one update path, shared by `PATCH
//! /v1/resources/{id}` and an accepted suggestion. Only the owning city's
//! desk changes an entry (`Action::EditEntry`, decided by the domain), and
//! never into another city's hands.

use crate::auth::Caller;
use crate::directory::entry_view::publication_of;
use crate::directory::input::{parse_update, NewResource, UpdateResource};
use crate::http::etag::IfMatch;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent};
use living_gate_db::directory::details as details_db;
use living_gate_db::directory::resources::{self as db, Location, ResourceContent};
use living_gate_db::{AsyncPgConnection, Versioned};
use living_gate_domain::directory::{Details, PositionPublication};
use living_gate_domain::{authorize, Action};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// What the audit log records of an entry: its row, its locations, its
/// referrals, its position publication and its details.
#[derive(Serialize)]
pub struct Audited<'a> {
    #[serde(flatten)]
    row: &'a db::Resource,
    locations: Vec<&'a Location>,
    introduced_ids: &'a [Uuid],
    position_publication: PositionPublication,
    details: &'a Details,
}

impl Versioned for Audited<'_> {
    fn id(&self) -> Uuid {
        self.row.id
    }
    fn version(&self) -> i64 {
        self.row.version
    }
}

pub fn audited<'a>(
    row: &'a db::Resource,
    locations: &'a [Location],
    introduced: &'a [Uuid],
    position_publication: PositionPublication,
    details: &'a Details,
) -> Audited<'a> {
    Audited {
        row,
        locations: locations
            .iter()
            .filter(|l| l.resource_id == row.id)
            .collect(),
        introduced_ids: introduced,
        position_publication,
        details,
    }
}

/// 403 unless the caller is the desk of `owner`, the entry's city.
pub fn authorize_edit(caller: &Caller, owner: Uuid) -> ApiResult<()> {
    Ok(authorize(&caller.actor, Action::EditEntry { owner })?)
}

/// A new entry as written.
pub struct Created {
    pub row: db::Resource,
    pub locations: Vec<Location>,
    /// It, when it publishes a coarse position.
    pub coarse: HashSet<Uuid>,
    /// Its details, by its id.
    pub details: HashMap<Uuid, Details>,
}

/// Writes the new entry `id` in the caller's transaction: its row,
/// locations, referrals, position publication and details, with the audit
/// row and the `resource_created` event. The one create path, shared by
/// `POST /v1/resources` and a survey's prospective organization becoming
/// an entry. The caller has authorized the write ([`authorize_edit`]).
pub async fn create_entry(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    new: NewResource,
) -> ApiResult<Created> {
    let locations: Vec<Location> = new
        .locations
        .into_iter()
        .map(|l| Location {
            resource_id: id,
            ..l
        })
        .collect();
    let publication = new.position_publication;
    let coarse: HashSet<Uuid> = (publication == PositionPublication::Coarse)
        .then_some(id)
        .into_iter()
        .collect();
    let row = db::insert(conn, id, &new.content).await?;
    db::replace_locations(conn, &[id], &locations).await?;
    db::set_introduced(conn, id, &new.introduced).await?;
    let coarse_ids: Vec<Uuid> = coarse.iter().copied().collect();
    db::set_coarse_positions(conn, &[id], &coarse_ids).await?;
    details_db::set(conn, id, &new.details).await?;
    record::created(
        conn,
        caller,
        "resource",
        &audited(&row, &locations, &new.introduced, publication, &new.details),
        FeedEvent::entry(id, EventKind::ResourceCreated),
    )
    .await?;
    Ok(Created {
        row,
        locations,
        coarse,
        details: HashMap::from([(id, new.details)]),
    })
}

/// An entry after its update.
pub struct Updated {
    pub row: db::Resource,
    pub locations: Vec<Location>,
    /// The entries of `row` that publish a coarse position (it, or nothing).
    pub coarse: HashSet<Uuid>,
    /// The entry's details, by its id.
    pub details: HashMap<Uuid, Details>,
}

/// Applies `body` to entry `id` in the caller's transaction: the owning
/// desk only (403), then `If-Match` (428/412), then the checks (422); an
/// entry cannot move to a city whose desk the caller is not. Records the
/// audit row and the `resource_updated` event.
pub async fn apply_update(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    body: &UpdateResource,
) -> ApiResult<Updated> {
    if body
        .introduced_ids
        .as_ref()
        .is_some_and(|ids| ids.contains(&id))
    {
        return Err(ApiError::validation(
            "introduced_ids",
            "self_reference",
            "an entry cannot introduce itself",
        ));
    }
    let before = db::find_for_update(conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    authorize_edit(caller, before.municipality_id)?;
    if_match.check(before.version)?;
    let before_locations = db::locations(conn, &[before.id]).await?;
    let before_introduced = db::introduced(conn, before.id).await?;
    let before_publication = publication_of(&before, &db::coarse_positions(conn, &[id]).await?);
    let before_details = details_db::of(conn, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let change = parse_update(
        conn,
        &ResourceContent::of(&before),
        &before_details,
        before_locations.len(),
        before_publication,
        body,
        caller.actor.id,
    )
    .await?;
    if change.content.municipality_id != before.municipality_id {
        // Handing an entry to another city is that city's desk's business.
        authorize_edit(caller, change.content.municipality_id)?;
    }
    // The details first: the row's trigger reads the consent.
    details_db::set(conn, before.id, &change.details).await?;
    let mut after = db::replace(conn, before.id, &change.content).await?;
    let locations = match change.locations {
        Some(locations) => {
            let locations: Vec<Location> = locations
                .into_iter()
                .map(|l| Location {
                    resource_id: before.id,
                    ..l
                })
                .collect();
            db::replace_locations(conn, &[before.id], &locations).await?;
            locations
        }
        None => before_locations.clone(),
    };
    let introduced = match change.introduced {
        Some(ids) => {
            db::set_introduced(conn, before.id, &ids).await?;
            ids
        }
        None => before_introduced.clone(),
    };
    let publication = change.position_publication;
    let coarse: HashSet<Uuid> = (publication == PositionPublication::Coarse)
        .then_some(before.id)
        .into_iter()
        .collect();
    let coarse_ids: Vec<Uuid> = coarse.iter().copied().collect();
    db::set_coarse_positions(conn, &[before.id], &coarse_ids).await?;
    if after == before {
        after = db::touch(conn, before.id).await?;
    }
    record::updated(
        conn,
        caller,
        "resource",
        &audited(
            &before,
            &before_locations,
            &before_introduced,
            before_publication,
            &before_details,
        ),
        &audited(
            &after,
            &locations,
            &introduced,
            publication,
            &change.details,
        ),
        FeedEvent::entry(before.id, EventKind::ResourceUpdated),
    )
    .await?;
    Ok(Updated {
        row: after,
        locations,
        coarse,
        details: HashMap::from([(before.id, change.details)]),
    })
}
