//! Webhook subscriptions (a cursor into the feed each) and their delivery
//! log (issue 16).

use crate::codes::{DbText, DbTextArray};
use crate::schema::{proposal_events, webhook_deliveries, webhook_subscriptions};
use crate::{DbResult, Page};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::feed::EventKind;
use living_gate_domain::webhooks::{DeliveryOutcome, SubscriptionState};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = webhook_subscriptions, check_for_backend(diesel::pg::Pg))]
pub struct Subscription {
    pub id: Uuid,
    pub municipality_id: Option<Uuid>,
    pub owner_id: Uuid,
    pub callback_url: String,
    pub description: String,
    #[diesel(deserialize_as = DbTextArray<EventKind>)]
    pub kinds: Vec<EventKind>,
    pub department_id: Option<Uuid>,
    pub proposal_id: Option<Uuid>,
    pub resource_id: Option<Uuid>,
    #[diesel(deserialize_as = DbText<SubscriptionState>)]
    pub state: SubscriptionState,
    #[serde(skip)]
    pub secret_sealed: Vec<u8>,
    #[serde(skip)]
    pub previous_secret_sealed: Option<Vec<u8>>,
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub cursor: i64,
    pub failures: i32,
    pub failing_since: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_delivered_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::Versioned for Subscription {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_subscriptions)]
pub struct NewSubscription {
    pub id: Uuid,
    pub municipality_id: Option<Uuid>,
    pub owner_id: Uuid,
    pub callback_url: String,
    pub description: String,
    #[diesel(serialize_as = DbTextArray<EventKind>)]
    pub kinds: Vec<EventKind>,
    pub department_id: Option<Uuid>,
    pub proposal_id: Option<Uuid>,
    pub resource_id: Option<Uuid>,
    pub secret_sealed: Vec<u8>,
    pub cursor: i64,
}

/// What an owner or the desk may change (`None`: unchanged; the filters'
/// inner `None`: cleared).
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = webhook_subscriptions)]
pub struct Changes {
    pub callback_url: Option<String>,
    pub description: Option<String>,
    #[diesel(serialize_as = DbTextArray<EventKind>)]
    pub kinds: Option<Vec<EventKind>>,
    pub department_id: Option<Option<Uuid>>,
    pub proposal_id: Option<Option<Uuid>>,
    pub resource_id: Option<Option<Uuid>>,
    #[diesel(serialize_as = DbText<SubscriptionState>)]
    pub state: Option<SubscriptionState>,
    /// Set when resuming: the failure count and clock start again.
    pub failures: Option<i32>,
    pub failing_since: Option<Option<DateTime<Utc>>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub cursor: Option<i64>,
    pub secret_sealed: Option<Vec<u8>>,
    pub previous_secret_sealed: Option<Option<Vec<u8>>>,
    pub previous_secret_expires_at: Option<Option<DateTime<Utc>>>,
}

/// Who lists: everything of a city (its desk and admin), or one owner's.
#[derive(Debug, Clone, Copy)]
pub enum Listing {
    Municipality(Uuid),
    Owner(Uuid),
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewSubscription) -> DbResult<Subscription> {
    Ok(diesel::insert_into(webhook_subscriptions::table)
        .values(new.clone())
        .returning(Subscription::as_returning())
        .get_result(conn)
        .await?)
}

/// The subscription; `lock` takes it for an update in this transaction.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    lock: bool,
) -> DbResult<Option<Subscription>> {
    let query = webhook_subscriptions::table
        .find(id)
        .select(Subscription::as_select());
    Ok(if lock {
        query.for_update().first(conn).await.optional()?
    } else {
        query.first(conn).await.optional()?
    })
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    listing: Listing,
    page: Page,
) -> DbResult<Vec<Subscription>> {
    let mut query = webhook_subscriptions::table
        .select(Subscription::as_select())
        .order(webhook_subscriptions::id)
        .limit(page.fetch_limit())
        .into_boxed();
    query = match listing {
        Listing::Municipality(id) => query.filter(webhook_subscriptions::municipality_id.eq(id)),
        Listing::Owner(id) => query.filter(webhook_subscriptions::owner_id.eq(id)),
    };
    if let Some(after) = page.after {
        query = query.filter(webhook_subscriptions::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

/// Sets the given fields and increments `version`.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &Changes,
) -> DbResult<Subscription> {
    Ok(diesel::update(webhook_subscriptions::table.find(id))
        .set((
            changes.clone(),
            webhook_subscriptions::version.eq(webhook_subscriptions::version + 1),
        ))
        .returning(Subscription::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<()> {
    diesel::delete(webhook_subscriptions::table.find(id))
        .execute(conn)
        .await?;
    Ok(())
}

/// The newest feed position (0 for an empty feed). Every event at or
/// before it has committed: positions are drawn under a lock held until
/// commit.
pub async fn feed_head(conn: &mut AsyncPgConnection) -> DbResult<i64> {
    Ok(proposal_events::table
        .select(diesel::dsl::max(proposal_events::position))
        .first::<Option<i64>>(conn)
        .await?
        .unwrap_or(0))
}

/// Takes up to `limit` active subscriptions that are due and behind the
/// feed's head (`FOR UPDATE SKIP LOCKED`), leasing them until
/// `lease_until`: another instance skips them meanwhile.
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    limit: i64,
    lease_until: DateTime<Utc>,
) -> DbResult<Vec<Subscription>> {
    conn.transaction(async |conn| {
        let head = feed_head(conn).await?;
        let due: Vec<Uuid> = webhook_subscriptions::table
            .filter(webhook_subscriptions::state.eq(SubscriptionState::Active.as_str()))
            .filter(webhook_subscriptions::next_attempt_at.le(diesel::dsl::now))
            .filter(webhook_subscriptions::cursor.lt(head))
            .order((
                webhook_subscriptions::next_attempt_at,
                webhook_subscriptions::id,
            ))
            .limit(limit)
            .select(webhook_subscriptions::id)
            .for_update()
            .skip_locked()
            .load(conn)
            .await?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        Ok(diesel::update(
            webhook_subscriptions::table.filter(webhook_subscriptions::id.eq_any(&due)),
        )
        .set(webhook_subscriptions::next_attempt_at.eq(lease_until))
        .returning(Subscription::as_returning())
        .get_results(conn)
        .await?)
    })
    .await
}

/// How a worker leaves a subscription after delivering: the cursor it
/// reached, the failure count and clock of the head event (cleared once it
/// is delivered), when it is due again, and when it last delivered.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = webhook_subscriptions)]
pub struct Progress {
    pub cursor: i64,
    pub failures: i32,
    #[diesel(treat_none_as_null = true)]
    pub failing_since: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
    /// `None`: unchanged.
    pub last_delivered_at: Option<DateTime<Utc>>,
}

/// Records a worker's progress unless someone moved the cursor meanwhile
/// (a replay): `false` then, and the replay's cursor stands.
pub async fn record_progress(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    claimed_cursor: i64,
    progress: &Progress,
) -> DbResult<bool> {
    let updated = diesel::update(
        webhook_subscriptions::table
            .filter(webhook_subscriptions::id.eq(id))
            .filter(webhook_subscriptions::cursor.eq(claimed_cursor)),
    )
    .set(progress)
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// Puts a leased subscription back, due at `at` (its owner cannot read the
/// feed now, say).
pub async fn postpone(conn: &mut AsyncPgConnection, id: Uuid, at: DateTime<Utc>) -> DbResult<()> {
    diesel::update(webhook_subscriptions::table.find(id))
        .set(webhook_subscriptions::next_attempt_at.eq(at))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
pub struct Delivery {
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub municipality_id: Option<Uuid>,
    pub message_id: Uuid,
    pub event_position: Option<i64>,
    pub event_type: String,
    pub attempt: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    pub status_code: Option<i32>,
    #[diesel(deserialize_as = DbText<DeliveryOutcome>, serialize_as = DbText<DeliveryOutcome>)]
    pub outcome: DeliveryOutcome,
    pub detail: String,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_delivery(conn: &mut AsyncPgConnection, delivery: &Delivery) -> DbResult<()> {
    diesel::insert_into(webhook_deliveries::table)
        .values(delivery.clone())
        .execute(conn)
        .await?;
    Ok(())
}

/// The delivery log of a subscription, newest first (`after`: the id of
/// the last row of the previous page).
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    subscription_id: Uuid,
    page: Page,
) -> DbResult<Vec<Delivery>> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .select(Delivery::as_select())
        .order(webhook_deliveries::id.desc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(webhook_deliveries::id.lt(after));
    }
    Ok(query.load(conn).await?)
}
