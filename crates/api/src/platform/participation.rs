//! Who takes part in the platform's work: the cities of a meeting or an
//! event, and the directory entries named in it. Shared by the meetings,
//! the follow-ups and the events.

use crate::http::problem::{ApiError, ApiResult};
use living_gate_db::reference::municipalities;
use living_gate_db::AsyncPgConnection;
use living_gate_domain::platform::meeting;
use living_gate_domain::Actor;
use uuid::Uuid;

/// Whether the caller's city is among `cities`.
pub fn takes_part(actor: &Actor, cities: &[Uuid]) -> bool {
    actor.municipality_id.is_some_and(|m| cities.contains(&m))
}

/// The cities, each an existing municipality.
pub async fn cities(
    conn: &mut AsyncPgConnection,
    field: &str,
    ids: &[Uuid],
    required: bool,
) -> ApiResult<Vec<Uuid>> {
    let ids = meeting::check_ids(field, ids, required)?;
    for id in &ids {
        if municipalities::find(conn, *id).await?.is_none() {
            return Err(ApiError::validation(
                field,
                "unknown_reference",
                format!("no municipality {id}"),
            ));
        }
    }
    Ok(ids)
}

/// The directory entries, each existing.
pub async fn entries(
    conn: &mut AsyncPgConnection,
    field: &str,
    ids: &[Uuid],
) -> ApiResult<Vec<Uuid>> {
    let ids = meeting::check_ids(field, ids, false)?;
    if living_gate_db::directory::resources::existing(conn, &ids)
        .await?
        .len()
        != ids.len()
    {
        return Err(ApiError::validation(
            field,
            "unknown_reference",
            "no such directory entry",
        ));
    }
    Ok(ids)
}
