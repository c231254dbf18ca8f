//! The `Idempotency-Key` store: the first response to a creating POST is
//! kept for 24 hours and replayed to a retry with the same key and body.

use crate::schema::idempotency_keys;
use crate::DbResult;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;

/// What to do with a request carrying an idempotency key.
#[derive(Debug)]
pub enum Claim {
    /// First time: run the request, then [`complete`] (or [`release`]).
    Fresh,
    /// Seen and finished: send this response again.
    Replay {
        status: u16,
        headers: Value,
        body: Vec<u8>,
    },
    /// Seen with a different body: refuse.
    Mismatch,
    /// The first request is still running: refuse for now.
    InProgress,
}

pub const RETENTION_HOURS: i32 = 24;

pub async fn claim(
    conn: &mut AsyncPgConnection,
    principal: &str,
    key: &str,
    request_hash: &[u8],
) -> DbResult<Claim> {
    diesel::sql_query(format!(
        "DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND created_at < now() - interval '{RETENTION_HOURS} hours'"
    ))
    .bind::<diesel::sql_types::Text, _>(principal)
    .bind::<diesel::sql_types::Text, _>(key)
    .execute(conn)
    .await?;
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::principal.eq(principal),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let (stored_hash, status, body, headers): (
        Vec<u8>,
        Option<i32>,
        Option<Vec<u8>>,
        Option<Value>,
    ) = idempotency_keys::table
        .find((principal, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::status_code,
            idempotency_keys::response_body,
            idempotency_keys::response_headers,
        ))
        .first(conn)
        .await?;
    Ok(match (stored_hash == request_hash, status) {
        (false, _) => Claim::Mismatch,
        (true, None) => Claim::InProgress,
        (true, Some(status)) => Claim::Replay {
            status: u16::try_from(status).unwrap_or(500),
            headers: headers.unwrap_or(Value::Null),
            body: body.unwrap_or_default(),
        },
    })
}

pub async fn complete(
    conn: &mut AsyncPgConnection,
    principal: &str,
    key: &str,
    status: u16,
    headers: &Value,
    body: &[u8],
) -> DbResult<()> {
    diesel::update(idempotency_keys::table.find((principal, key)))
        .set((
            idempotency_keys::status_code.eq(i32::from(status)),
            idempotency_keys::response_headers.eq(headers),
            idempotency_keys::response_body.eq(body),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets a claim whose request failed on our side, so a retry runs again.
pub async fn release(conn: &mut AsyncPgConnection, principal: &str, key: &str) -> DbResult<()> {
    diesel::delete(idempotency_keys::table.find((principal, key)))
        .execute(conn)
        .await?;
    Ok(())
}
