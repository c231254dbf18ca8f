//! The retention run of `living-gate serve` (every
//! `LIVING_GATE_RETENTION_INTERVAL` seconds, 0: off) and of
//! `living-gate retention run`. Several instances are safe: a run takes a
//! transaction-scoped advisory lock, and an instance that finds it taken
//! skips its turn.

use crate::http::request_context::RequestMeta;
use crate::record::{self, SessionEvent};
use diesel_async::AsyncConnection;
use living_gate_db::retention::{self as db, RetentionRun};
use living_gate_db::{pool, AsyncPgConnection, DbError, DbPool};
use std::time::Duration;

/// Runs the rules once, audited with no actor (the service itself) as
/// `retention_run.create`. `None`: another run holds the lock.
pub async fn run_once(
    conn: &mut AsyncPgConnection,
    dry_run: bool,
) -> Result<Option<RetentionRun>, DbError> {
    conn.transaction(async |conn| {
        let Some(row) = db::run(conn, dry_run).await? else {
            return Ok(None);
        };
        record::audit_only(
            conn,
            None,
            &RequestMeta::default(),
            SessionEvent {
                action: "retention_run.create",
                target_type: "retention_run",
                target_id: Some(row.id.to_string()),
                changes: serde_json::json!({"dry_run": row.dry_run, "counts": row.counts}),
                municipality_id: None,
            },
        )
        .await?;
        Ok(Some(row))
    })
    .await
}

/// Runs the rules every `interval` until `stop` turns true.
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
            run_once(&mut conn, false).await
        }
        .await;
        match outcome {
            Ok(Some(run)) => tracing::info!(run = %run.id, counts = %run.counts, "retention run"),
            Ok(None) => tracing::debug!("retention run skipped: another instance is running it"),
            Err(error) => tracing::error!(error = %error, "retention run failed"),
        }
    }
}
