//! The outbox worker inside `living-gate serve`: claims due messages
//! (`FOR UPDATE SKIP LOCKED` and a lease, so several instances at once
//! never send one message concurrently), sends each, and records the
//! attempt and its outcome: sent; failed, due again after an exponential
//! backoff with jitter; or dead after the last try, when the desk of the
//! message's city is told once (never of a failed `delivery_failed` mail).
//!
//! A crash between the send and the mark leaves the message leased: once
//! the lease ends it is sent again with the same Message-ID, which the
//! receiver deduplicates on. The worker runs on its own task with one
//! connection at a time: a slow mail server slows mail, not requests.

use crate::notify::links;
use crate::notify::transport::Sender;
use crate::startup::mail_config::MailConfig;
use chrono::Utc;
use diesel_async::AsyncConnection;
use living_gate_db::notify::delivery::{self, AttemptRecord, Outcome};
use living_gate_db::notify::recipients;
use living_gate_db::outbox::{self, Origin, OutboxMessage};
use living_gate_db::{pool, AsyncPgConnection, DbError, DbPool, DbResult};
use living_gate_domain::notify::case_mail::{self, FailedDelivery};
use living_gate_domain::notify::{Mail, MailKind};
use living_gate_domain::Email;
use rand::Rng;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How the worker paces itself (from [`MailConfig`]).
#[derive(Debug, Clone)]
pub struct Pace {
    pub poll_interval: Duration,
    pub batch_size: i64,
    pub max_attempts: i32,
    pub backoff_base: Duration,
    pub lease: Duration,
    /// One send at most (the SMTP timeout, and a bound for a file write).
    pub send_timeout: Duration,
}

impl Pace {
    pub fn from_config(mail: &MailConfig) -> Pace {
        Pace {
            poll_interval: mail.poll_interval,
            batch_size: mail.batch_size,
            max_attempts: mail.max_attempts,
            backoff_base: mail.backoff_base,
            lease: mail.lease,
            send_timeout: mail.smtp_timeout,
        }
    }
}

/// The wait before try `attempts + 1` after `attempts` failed ones: the
/// base doubled per failure, at most six hours, times a random factor in
/// [0.5, 1] so that messages failing together do not retry together.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    const CAP: Duration = Duration::from_secs(6 * 3600);
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let full = base.saturating_mul(1u32 << exponent).min(CAP);
    full.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
}

pub struct Worker {
    pub pool: DbPool,
    pub sender: Sender,
    pub pace: Pace,
}

impl Worker {
    /// Delivers until `stop` turns true (the server stopped); the message
    /// being sent is finished first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!(
            folder = ?self.sender.folder(),
            "mail worker running"
        );
        loop {
            if *stop.borrow() {
                break;
            }
            let busy = match self.round().await {
                Ok(n) => n > 0,
                Err(error) => {
                    tracing::warn!(error = %error, "mail worker round failed");
                    false
                }
            };
            if !busy {
                tokio::select! {
                    _ = tokio::time::sleep(self.pace.poll_interval) => {}
                    _ = stop.changed() => {}
                }
            }
        }
        tracing::info!("mail worker stopped");
    }

    /// One round: claims due messages and delivers them; returns how many.
    pub async fn round(&self) -> DbResult<usize> {
        pool::scoped(pool::RowScope::All, async {
            let mut conn = pool::checkout(&self.pool).await?;
            let lease_until = Utc::now() + self.pace.lease;
            let claimed = delivery::claim_due(&mut conn, self.pace.batch_size, lease_until).await?;
            for message in &claimed {
                self.deliver(&mut conn, message).await?;
            }
            Ok(claimed.len())
        })
        .await
    }

    async fn deliver(&self, conn: &mut AsyncPgConnection, message: &OutboxMessage) -> DbResult<()> {
        let started_at = Utc::now();
        let clock = Instant::now();
        let result =
            match tokio::time::timeout(self.pace.send_timeout, self.sender.send(message)).await {
                Ok(result) => result,
                Err(_) => Err("timed out".to_owned()),
            };
        let duration_ms = i32::try_from(clock.elapsed().as_millis()).unwrap_or(i32::MAX);
        let (outcome, detail) = match result {
            Ok(reply) => (Outcome::Sent, reply),
            Err(error) if message.attempts >= self.pace.max_attempts => (Outcome::Dead, error),
            Err(error) => (
                Outcome::RetryAt(Utc::now() + backoff(self.pace.backoff_base, message.attempts)),
                error,
            ),
        };
        tracing::info!(
            outbox_message = %message.id,
            kind = message.kind.as_str(),
            attempt = message.attempts,
            outcome = ?outcome,
            duration_ms,
            "mail attempt"
        );
        let attempt = AttemptRecord {
            started_at,
            duration_ms,
            detail,
        };
        conn.transaction(async |conn| {
            let mine = delivery::finish(conn, message, &attempt, outcome).await?;
            if mine && outcome == Outcome::Dead && message.kind != MailKind::DeliveryFailed {
                tell_desk(conn, message, &attempt.detail).await?;
            }
            Ok::<_, DbError>(())
        })
        .await
    }
}

/// Tells the desk of `dead`'s city (once: when it dies) that it could not
/// be delivered. A message of no city has no desk to tell: the log shows it.
async fn tell_desk(
    conn: &mut AsyncPgConnection,
    dead: &OutboxMessage,
    last_error: &str,
) -> DbResult<()> {
    let Some(city) = dead.municipality_id else {
        return Ok(());
    };
    let reference = match dead.proposal_id {
        Some(case) => recipients::case_facts(conn, case)
            .await?
            .map(|c| c.reference),
        None => None,
    };
    let link = links::outbox_message(dead.id);
    let failed = FailedDelivery {
        kind: dead.kind,
        recipient: &dead.recipient_address,
        reference: reference.as_deref(),
        attempts: dead.attempts,
        last_error,
        link: &link,
    };
    for desk in recipients::desk_of(conn, city, MailKind::DeliveryFailed).await? {
        // The desk is not told of its own mail failing through the same address.
        if desk.email == dead.recipient_address {
            continue;
        }
        let Ok(to) = Email::parse("email", &desk.email) else {
            continue;
        };
        let (subject, body) = case_mail::render_delivery_failed(desk.language, &failed);
        let mail = Mail {
            kind: MailKind::DeliveryFailed,
            to,
            language: desk.language,
            subject,
            body,
        };
        let origin = Origin {
            municipality_id: Some(city),
            recipient_user_id: Some(desk.user_id),
            event_position: None,
            proposal_id: dead.proposal_id,
        };
        outbox::enqueue(conn, mail, origin).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_with_jitter_and_stops_at_six_hours() {
        let base = Duration::from_secs(30);
        for (attempts, full) in [(1, 30), (2, 60), (3, 120), (8, 30 * 128)] {
            let wait = backoff(base, attempts);
            assert!(wait <= Duration::from_secs(full), "{attempts}: {wait:?}");
            assert!(
                wait >= Duration::from_secs(full) / 2,
                "{attempts}: {wait:?}"
            );
        }
        assert!(backoff(base, 40) <= Duration::from_secs(6 * 3600));
    }
}
