//! Notifications (issue 15) against a real SMTP server ([`SmtpSink`]):
//! who hears what, and nothing internal leaks ([`audience`]); preferences
//! and language; retries, backoff and the dead letter ([`delivery`]); two
//! workers and a killed binary ([`crash`]).

mod audience;
mod crash;
mod delivery;
mod endpoints;

use crate::harness::{mail_worker, SmtpSink, Worker};
use diesel_async::RunQueryDsl;
use living_gate_db::notify::delivery::{self as log, LogFilter};
use living_gate_db::outbox::OutboxMessage;
use living_gate_db::{DbPool, Page};

/// A worker delivering to `sink`, trying `attempts` times, 1 ms backoff.
pub fn worker_to(pool: &DbPool, sink: &SmtpSink, attempts: &str) -> Worker {
    mail_worker(
        pool,
        &[
            ("LIVING_GATE_SMTP_URL", &sink.url()),
            ("LIVING_GATE_MAIL_MAX_ATTEMPTS", attempts),
            ("LIVING_GATE_MAIL_BACKOFF_MS", "1"),
            ("LIVING_GATE_SMTP_TIMEOUT", "5"),
            ("LIVING_GATE_MAIL_LEASE", "10"),
        ],
    )
}

/// Runs rounds until nothing is due.
pub async fn drain(worker: &Worker) -> usize {
    let mut total = 0;
    for _ in 0..200 {
        let n = worker.round().await.expect("a worker round");
        if n == 0 {
            return total;
        }
        total += n;
    }
    panic!("the outbox never drained");
}

/// Every message of the outbox, oldest first.
pub async fn outbox(pool: &DbPool) -> Vec<OutboxMessage> {
    let mut conn = living_gate_db::pool::checkout(pool).await.expect("conn");
    let (mut rows, _) = log::list(
        &mut conn,
        &LogFilter::default(),
        Page {
            after: None,
            limit: 10_000,
        },
    )
    .await
    .expect("the outbox");
    rows.reverse();
    rows
}

/// Runs `sql` on a pooled connection (every city in scope).
pub async fn execute(pool: &DbPool, sql: &str) {
    let mut conn = living_gate_db::pool::checkout(pool).await.expect("conn");
    diesel::sql_query(sql).execute(&mut conn).await.expect(sql);
}
