//! The webhook worker inside `living-gate serve`: takes the subscriptions
//! that are behind the feed (`FOR UPDATE SKIP LOCKED` and a lease, so
//! several instances never deliver one subscription at once) and delivers
//! each on its own task, at most `LIVING_GATE_WEBHOOK_CONCURRENCY` at once:
//! a slow or dead receiver holds up only its own subscription, never the
//! API (no request waits for a delivery) nor other receivers.
//!
//! A subscription reads the feed with its owner's eyes: the same audience
//! as `GET /v1/events` and the owner's row scope, so it gets nothing its
//! owner could not read. Events go out in feed order; the cursor moves past
//! an event only once the receiver answered 2xx (or the filters skip it).
//! A failure stops the subscription's turn and retries the same event after
//! an exponential backoff with jitter; once the event has failed for
//! `LIVING_GATE_WEBHOOK_GIVE_UP_AFTER` the subscription turns `failing`
//! and its city's desk is told. A crash after a delivery and before the
//! cursor moved sends the event again with the same `webhook-id`: at least
//! once, receivers deduplicate.

use crate::desk::cases::audience;
use crate::notify::worker::backoff;
use crate::record::{self, Background, Change, EventKind};
use crate::startup::webhook_config::WebhookConfig;
use crate::state::AppState;
use crate::webhooks::actions::log_row;
use crate::webhooks::subscriptions::event;
use crate::webhooks::{message, send};
use chrono::Utc;
use diesel_async::AsyncConnection;
use living_gate_db::accounts::users;
use living_gate_db::desk::events;
use living_gate_db::webhooks::{self as db, Progress, Subscription};
use living_gate_db::{pool, DbError, DbResult};
use living_gate_domain::access::row_scope::row_scope;
use living_gate_domain::identity::UserStatus;
use living_gate_domain::webhooks::{gives_up, EventFacts, Filters};
use std::sync::Arc;
use tokio::sync::{watch, Semaphore};

/// How long a taken subscription is this worker's: a whole turn (a batch
/// of deliveries at the timeout each) fits in it.
fn lease(config: &WebhookConfig) -> chrono::Duration {
    let turn = config.timeout * u32::try_from(config.batch_size).unwrap_or(1000) + config.timeout;
    chrono::Duration::from_std(turn).unwrap_or(chrono::Duration::hours(1))
}

/// When an owner who cannot read the feed now (disabled, re-roled) is
/// looked at again.
const OWNER_RECHECK: chrono::Duration = chrono::Duration::minutes(5);

pub struct Worker {
    pub state: AppState,
    client: reqwest::Client,
    slots: Arc<Semaphore>,
}

impl Worker {
    /// Fails only if the TLS backend cannot start.
    pub fn new(state: AppState) -> Result<Worker, reqwest::Error> {
        let client = crate::webhooks::callback::client(&state.webhooks)?;
        let slots = Arc::new(Semaphore::new(state.webhooks.concurrency));
        Ok(Worker {
            state,
            client,
            slots,
        })
    }

    /// Delivers until `stop` turns true; deliveries under way finish.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!("webhook worker running");
        let this = Arc::new(self);
        loop {
            if *stop.borrow() {
                break;
            }
            let busy = match this.clone().round().await {
                Ok(n) => n > 0,
                Err(error) => {
                    tracing::warn!(error = %error, "webhook worker round failed");
                    false
                }
            };
            if !busy {
                tokio::select! {
                    _ = tokio::time::sleep(this.state.webhooks.poll_interval) => {}
                    _ = stop.changed() => {}
                }
            }
        }
        // Wait for the deliveries under way.
        let all = u32::try_from(this.state.webhooks.concurrency).unwrap_or(u32::MAX);
        let _ = this.slots.acquire_many(all).await;
        tracing::info!("webhook worker stopped");
    }

    /// Takes the due subscriptions a free slot can serve and starts a turn
    /// for each; returns how many were taken.
    pub async fn round(self: Arc<Self>) -> DbResult<usize> {
        let free = self.slots.available_permits();
        if free == 0 {
            return Ok(0);
        }
        let claimed = pool::scoped(pool::RowScope::All, async {
            let mut conn = pool::checkout(&self.state.pool).await?;
            db::claim_due(
                &mut conn,
                i64::try_from(free).unwrap_or(1),
                Utc::now() + lease(&self.state.webhooks),
            )
            .await
        })
        .await?;
        let taken = claimed.len();
        for subscription in claimed {
            let permit = self
                .slots
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| DbError::Unavailable("the worker stopped".into()))?;
            let this = self.clone();
            tokio::spawn(async move {
                let id = subscription.id;
                if let Err(error) = this.turn(subscription).await {
                    tracing::warn!(subscription = %id, error = %error, "webhook turn failed");
                }
                drop(permit);
            });
        }
        Ok(taken)
    }

    /// Delivers one subscription's waiting events, in order, until one
    /// fails or none are left.
    pub async fn turn(&self, subscription: Subscription) -> DbResult<()> {
        let config = &self.state.webhooks;
        let owner = pool::scoped(pool::RowScope::All, async {
            let mut conn = pool::checkout(&self.state.pool).await?;
            users::find(&mut conn, subscription.owner_id).await
        })
        .await?;
        let actor = owner
            .filter(|u| u.status == UserStatus::Active)
            .map(|u| u.actor());
        let Some((actor, audience)) =
            actor.and_then(|a| audience(&a).ok().map(|audience| (a, audience)))
        else {
            let mut conn = pool::checkout(&self.state.pool).await?;
            return db::postpone(&mut conn, subscription.id, Utc::now() + OWNER_RECHECK).await;
        };
        let secrets = match send::secrets(&self.state.sealing, &subscription) {
            Ok(secrets) => secrets,
            Err(error) => {
                tracing::error!(subscription = %subscription.id, error = %error,
                    "the subscription's secret does not open (LIVING_GATE_SECRET_KEY changed?)");
                let mut conn = pool::checkout(&self.state.pool).await?;
                return db::postpone(&mut conn, subscription.id, Utc::now() + OWNER_RECHECK).await;
            }
        };
        let filters = Filters {
            kinds: subscription.kinds.clone(),
            department_id: subscription.department_id,
            proposal_id: subscription.proposal_id,
            resource_id: subscription.resource_id,
        };
        // The owner's eyes: its audience, and its row scope beneath it.
        pool::scoped(row_scope(Some(&actor)), async {
            let mut conn = pool::checkout(&self.state.pool).await?;
            let head = db::feed_head(&mut conn).await?;
            let batch = events::feed(
                &mut conn,
                audience,
                Some(subscription.cursor),
                config.batch_size,
            )
            .await?;
            // `stored`: what the row holds (a replay meanwhile changes it, and
            // then this turn stops); `cursor`: how far this turn got.
            let mut stored = subscription.cursor;
            let mut cursor = subscription.cursor;
            let mut failures = subscription.failures;
            let mut failing_since = subscription.failing_since;
            for event in &batch {
                let facts = EventFacts {
                    kind: event.kind,
                    department_id: event.department_id,
                    proposal_id: event.proposal_id,
                    resource_id: event.resource_id,
                };
                if !filters.wants(&facts) {
                    cursor = event.position;
                    continue;
                }
                let message = message::for_event(event, &config.public_api_url);
                let outcome = send::post(
                    &self.client,
                    config,
                    &subscription.callback_url,
                    &secrets,
                    &message,
                )
                .await;
                tracing::info!(subscription = %subscription.id, position = event.position,
                    status = ?outcome.status_code, delivered = outcome.delivered,
                    duration_ms = outcome.duration_ms, "webhook attempt");
                db::insert_delivery(
                    &mut conn,
                    &log_row(
                        &subscription,
                        &message,
                        failures.saturating_add(1),
                        &outcome,
                    ),
                )
                .await?;
                if outcome.delivered {
                    cursor = event.position;
                    failures = 0;
                    failing_since = None;
                    // Kept after each event: a crash resends one event, not the batch.
                    let progress = Progress {
                        cursor,
                        failures,
                        failing_since,
                        // Still leased: this turn goes on.
                        next_attempt_at: Utc::now() + lease(config),
                        last_delivered_at: Some(outcome.started_at),
                    };
                    if !db::record_progress(&mut conn, subscription.id, stored, &progress).await? {
                        return Ok(()); // replayed meanwhile: the replay's cursor stands
                    }
                    stored = cursor;
                    continue;
                }
                // Failed: keep the progress so far, retry this event later.
                failures = failures.saturating_add(1);
                let since = failing_since.unwrap_or(outcome.started_at);
                let wait = backoff(config.backoff_base, failures);
                let progress = Progress {
                    cursor,
                    failures,
                    failing_since: Some(since),
                    next_attempt_at: Utc::now()
                        + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(6)),
                    last_delivered_at: None,
                };
                if db::record_progress(&mut conn, subscription.id, stored, &progress).await?
                    && gives_up(since, Utc::now(), config.give_up_after)
                {
                    self.give_up(&mut conn, &subscription, &actor, &outcome.detail)
                        .await?;
                }
                return Ok(());
            }
            // Nothing more visible through `head`: the cursor may jump there.
            if i64::try_from(batch.len()).unwrap_or(i64::MAX) < config.batch_size {
                cursor = cursor.max(head);
            }
            let progress = Progress {
                cursor,
                failures: 0,
                failing_since: None,
                next_attempt_at: Utc::now(),
                last_delivered_at: None,
            };
            db::record_progress(&mut conn, subscription.id, stored, &progress).await?;
            Ok(())
        })
        .await
    }

    /// Marks the subscription failing and tells its city's desk, in one
    /// transaction with the audit entry and the feed event.
    async fn give_up(
        &self,
        conn: &mut living_gate_db::AsyncPgConnection,
        subscription: &Subscription,
        owner: &living_gate_domain::Actor,
        last_error: &str,
    ) -> DbResult<()> {
        conn.transaction(async |conn| {
            let Some(before) = db::find(conn, subscription.id, true).await? else {
                return Ok(());
            };
            if before.state != living_gate_domain::webhooks::SubscriptionState::Active {
                return Ok(());
            }
            let after = db::update(
                conn,
                before.id,
                &db::Changes {
                    state: Some(living_gate_domain::webhooks::SubscriptionState::Failing),
                    ..db::Changes::default()
                },
            )
            .await?;
            let mut change = Change::updated(
                "webhook_subscription",
                &before,
                &after,
                event(EventKind::WebhookSubscriptionFailing, &after),
            );
            change.action = "webhook_subscription.fail".to_owned();
            // The worker acts for the owner, whose subscription it is.
            record::write(conn, &Background::new(owner.clone()), change).await?;
            crate::webhooks::failing::tell_desk(
                conn,
                &after,
                last_error,
                &self.state.webhooks.public_api_url,
            )
            .await?;
            Ok::<_, DbError>(())
        })
        .await
    }
}
