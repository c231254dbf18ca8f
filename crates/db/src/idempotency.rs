//! The `Idempotency-Key` store: the first response to a creating POST is
//! kept for 24 hours and replayed to a retry with the same key and body.
//!
//! Crash safety: the claim of a key, the request's effect and the stored
//! response are one transaction. [`claim`] inserts the key's row inside a
//! transaction it leaves open on the connection; the handler writes on that
//! same connection (see `pool::pinned`), and [`complete`] stores the
//! response and commits. Until that commit nobody else sees the row: a
//! concurrent request with the same key waits on the row's lock, and if the
//! holder dies (crash, `kill -9`, lost connection) PostgreSQL rolls the
//! whole transaction back, claim and effect together, and the waiter runs
//! afresh. So a key is either committed with its effect and its response
//! (replayed) or absent with no effect (run again), never claimed without
//! an owner.

use crate::schema::idempotency_keys;
use crate::DbResult;
use diesel::prelude::*;
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, RunQueryDsl, TransactionManager};
use serde_json::Value;

/// What to do with a request carrying an idempotency key.
#[derive(Debug)]
pub enum Claim {
    /// First time: run the request in the open transaction, then
    /// [`complete`] (or [`abandon`]).
    Fresh,
    /// Seen and finished: send this response again.
    Replay {
        status: u16,
        headers: Value,
        body: Vec<u8>,
    },
    /// Seen with a different body: refuse.
    Mismatch,
    /// The first request is still running (its holder is alive and did not
    /// finish within [`WAIT_SECONDS`]): refuse for now.
    InProgress,
}

pub const RETENTION_HOURS: i32 = 24;

/// How long a request waits for another request holding the same key
/// before answering [`Claim::InProgress`].
pub const WAIT_SECONDS: u32 = 10;

/// Claims a key. On [`Claim::Fresh`] the connection is left inside the
/// claim's open transaction: run the request on it, then [`complete`]
/// (commits) or [`abandon`] (rolls back). Any other outcome leaves no
/// transaction open.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    principal: &str,
    key: &str,
    request_hash: &[u8],
) -> DbResult<Claim> {
    AnsiTransactionManager::begin_transaction(conn).await?;
    match claim_in_transaction(conn, principal, key, request_hash).await {
        Ok(Claim::Fresh) => Ok(Claim::Fresh),
        Ok(other) => {
            AnsiTransactionManager::rollback_transaction(conn).await?;
            Ok(other)
        }
        Err(error) => {
            // A lost connection cannot roll back; the pool discards it and
            // PostgreSQL ends the transaction.
            let _ = AnsiTransactionManager::rollback_transaction(conn).await;
            Err(error)
        }
    }
}

async fn claim_in_transaction(
    conn: &mut AsyncPgConnection,
    principal: &str,
    key: &str,
    request_hash: &[u8],
) -> DbResult<Claim> {
    crate::Prepared(
        diesel::sql_query(format!(
            "DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND created_at < now() - interval '{RETENTION_HOURS} hours'"
        ))
        .bind::<diesel::sql_types::Text, _>(principal)
        .bind::<diesel::sql_types::Text, _>(key),
    )
    .execute(conn)
    .await?;
    // Waits (at most WAIT_SECONDS) while another live transaction holds an
    // uncommitted claim of the same key; proceeds when it commits (the row
    // is then read below) or rolls back / dies (the insert then succeeds).
    diesel::sql_query(format!("SET LOCAL lock_timeout = '{WAIT_SECONDS}s'"))
        .execute(conn)
        .await?;
    let inserted = crate::Prepared(
        diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::principal.eq(principal),
                idempotency_keys::key.eq(key),
                idempotency_keys::request_hash.eq(request_hash),
            ))
            .on_conflict_do_nothing(),
    )
    .execute(conn)
    .await;
    let inserted = match inserted {
        Ok(inserted) => inserted,
        Err(diesel::result::Error::DatabaseError(_, info))
            if info.message().contains("lock timeout") =>
        {
            return Ok(Claim::InProgress)
        }
        Err(error) => return Err(error.into()),
    };
    diesel::sql_query("SET LOCAL lock_timeout = DEFAULT")
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
        // Only a row committed by a version that stored claims on their
        // own can lack its response; it expires with the retention.
        (true, None) => Claim::InProgress,
        (true, Some(status)) => Claim::Replay {
            status: u16::try_from(status).unwrap_or(500),
            headers: headers.unwrap_or(Value::Null),
            body: body.unwrap_or_default(),
        },
    })
}

/// Stores the response of a [`Claim::Fresh`] request and commits the
/// claim's transaction: the request's effect and its stored response
/// become visible together, or (on error) neither does.
pub async fn complete(
    conn: &mut AsyncPgConnection,
    principal: &str,
    key: &str,
    status: u16,
    headers: &Value,
    body: &[u8],
) -> DbResult<()> {
    let stored = crate::Prepared(
        diesel::update(idempotency_keys::table.find((principal, key))).set((
            idempotency_keys::status_code.eq(i32::from(status)),
            idempotency_keys::response_headers.eq(headers),
            idempotency_keys::response_body.eq(body),
        )),
    )
    .execute(conn)
    .await;
    if let Err(error) = stored {
        let _ = AnsiTransactionManager::rollback_transaction(conn).await;
        return Err(error.into());
    }
    AnsiTransactionManager::commit_transaction(conn).await?;
    Ok(())
}

/// Rolls back a [`Claim::Fresh`] request whose handling failed on our side:
/// its claim and whatever it wrote, so a retry runs again.
pub async fn abandon(conn: &mut AsyncPgConnection) -> DbResult<()> {
    AnsiTransactionManager::rollback_transaction(conn).await?;
    Ok(())
}
