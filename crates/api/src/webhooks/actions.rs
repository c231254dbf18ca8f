//! What one does to a subscription besides changing it: rotate its secret,
//! ping its receiver, replay from a feed position, read its delivery log;
//! and the addresses deliveries come from.

use crate::auth::Caller;
use crate::http::body::Json;
use crate::http::etag::with_etag;
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Change, EventKind};
use crate::state::AppState;
use crate::webhooks::subscriptions::{event, managed, secret_context, WebhookSubscription};
use crate::webhooks::{callback, message, send};
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::pool;
use living_gate_db::webhooks::{self as db, Changes, Delivery};
use living_gate_domain::webhooks::DeliveryOutcome;
use living_gate_domain::{authorize, Action};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"overlap_seconds": 86400}))]
pub struct RotateSecret {
    /// How long the previous secret keeps signing beside the new one
    /// (0 to 604800 seconds, default 86400), so receivers can switch.
    #[schema(minimum = 0, maximum = 604_800)]
    pub overlap_seconds: Option<u32>,
}

/// Issues a new signing secret (shown once); the previous one signs too
/// until the overlap ends.
#[utoipa::path(operation_id = "rotateWebhookSecret", tag = "webhooks", request_body = RotateSecret, security(("bearer" = [])),
    responses((status = 200, description = "Rotated; `secret` is shown this once", body = WebhookSubscription, headers(("ETag" = String))),
        (status = 403, description = "Analysts and the platform admin have no subscriptions", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours or your city's", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/webhook-subscriptions/{id}/secret-rotations")]
pub async fn rotate(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<RotateSecret>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ListWebhooks)?;
    let overlap = body.overlap_seconds.unwrap_or(86_400);
    if overlap > 604_800 {
        return Err(ApiError::validation(
            "overlap_seconds",
            "out_of_range",
            "must be between 0 and 604800",
        ));
    }
    let secret = message::new_secret();
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            let before = managed(conn, &caller.actor, *id, true).await?;
            let keep_previous = overlap > 0;
            let changes = Changes {
                secret_sealed: Some(
                    state
                        .sealing
                        .seal(&secret_context(before.id), secret.as_bytes())
                        .map_err(ApiError::internal)?,
                ),
                previous_secret_sealed: Some(keep_previous.then(|| before.secret_sealed.clone())),
                previous_secret_expires_at: Some(
                    keep_previous
                        .then(|| Utc::now() + chrono::Duration::seconds(i64::from(overlap))),
                ),
                ..Changes::default()
            };
            let after = db::update(conn, before.id, &changes).await?;
            let mut change = Change::updated(
                "webhook_subscription",
                &before,
                &after,
                event(EventKind::WebhookSecretRotated, &after),
            );
            change.action = "webhook_subscription.rotate_secret".to_owned();
            record::write(conn, &caller, change).await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        WebhookSubscription::from_row(row, Some(secret)),
    ))
}

/// One attempt as the delivery log keeps it.
#[derive(Serialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: Uuid,
    /// The CloudEvent's id (the `webhook-id` header).
    pub message_id: Uuid,
    /// The feed position delivered; `null` for a ping.
    pub event_position: Option<i64>,
    #[schema(example = "jp.zama.livinggate.proposal.status_changed")]
    pub event_type: String,
    /// The attempt's number for this message.
    pub attempt: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    /// The receiver's status; `null` when none came (refused, timed out).
    pub status_code: Option<i32>,
    pub outcome: DeliveryOutcome,
    /// The error, or the start of the receiver's body (at most 200 characters).
    pub detail: String,
}

impl From<Delivery> for WebhookDelivery {
    fn from(d: Delivery) -> WebhookDelivery {
        WebhookDelivery {
            id: d.id,
            message_id: d.message_id,
            event_position: d.event_position,
            event_type: d.event_type,
            attempt: d.attempt,
            started_at: d.started_at,
            duration_ms: d.duration_ms,
            status_code: d.status_code,
            outcome: d.outcome,
            detail: d.detail,
        }
    }
}

/// The log row of an attempt.
pub fn log_row(
    subscription: &db::Subscription,
    message: &message::CloudEvent,
    attempt: i32,
    outcome: &send::Attempt,
) -> Delivery {
    Delivery {
        id: Uuid::now_v7(),
        subscription_id: subscription.id,
        municipality_id: subscription.municipality_id,
        message_id: message.id,
        event_position: message.data.position,
        event_type: message.event_type.clone(),
        attempt,
        started_at: outcome.started_at,
        duration_ms: outcome.duration_ms.max(0),
        status_code: outcome.status_code.filter(|c| (100..=599).contains(c)),
        outcome: if outcome.delivered {
            DeliveryOutcome::Delivered
        } else {
            DeliveryOutcome::Failed
        },
        detail: outcome.detail.clone(),
        created_at: Utc::now(),
    }
}

/// Sends a signed `jp.zama.livinggate.webhook.ping` now and answers with
/// what the receiver said (the attempt is in the delivery log). Paused or
/// failing subscriptions can be pinged: that is how one checks a fix.
#[utoipa::path(operation_id = "pingWebhookSubscription", tag = "webhooks", security(("bearer" = [])),
    responses((status = 200, description = "The attempt (delivered or not)", body = WebhookDelivery),
        (status = 403, description = "Analysts and the platform admin have no subscriptions", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours or your city's", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/webhook-subscriptions/{id}/pings")]
pub async fn ping(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ListWebhooks)?;
    let subscription = {
        let mut conn = pool::connection(&state.pool).await?;
        managed(&mut conn, &caller.actor, *id, false).await?
    };
    let secrets = send::secrets(&state.sealing, &subscription).map_err(ApiError::internal)?;
    let ping = message::ping(
        subscription.id,
        &state.webhooks.public_api_url,
        subscription.cursor,
    );
    // No connection is held while the receiver answers.
    let outcome = send::post(
        &callback::client(&state.webhooks).map_err(ApiError::internal)?,
        &state.webhooks,
        &subscription.callback_url,
        &secrets,
        &ping,
    )
    .await;
    let row = log_row(&subscription, &ping, 1, &outcome);
    let mut conn = pool::connection(&state.pool).await?;
    conn.transaction(async |conn| {
        db::insert_delivery(conn, &row).await?;
        record::write(
            conn,
            &caller,
            Change {
                action: "webhook_subscription.ping".to_owned(),
                target_type: "webhook_subscription",
                target_id: subscription.id.to_string(),
                changes: serde_json::json!({
                    "message_id": row.message_id, "outcome": row.outcome, "status_code": row.status_code
                }),
                event: event(EventKind::WebhookPinged, &subscription),
            },
        )
        .await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    Ok(HttpResponse::Ok().json(WebhookDelivery::from(row)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"from_position": 1001}))]
pub struct Replay {
    /// Deliver again from this feed position on (the events the owner sees
    /// and the filters want), in order.
    #[schema(minimum = 1)]
    pub from_position: i64,
}

/// Moves the subscription's cursor back (or forward) so delivery goes on
/// from `from_position`; failures are forgotten and it is due at once.
#[utoipa::path(operation_id = "replayWebhookSubscription", tag = "webhooks", request_body = Replay, security(("bearer" = [])),
    responses((status = 200, description = "The subscription, its cursor moved", body = WebhookSubscription, headers(("ETag" = String))),
        (status = 403, description = "Analysts and the platform admin have no subscriptions", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours or your city's", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A position the feed has not reached", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/webhook-subscriptions/{id}/replays")]
pub async fn replay(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<Replay>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ListWebhooks)?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            let before = managed(conn, &caller.actor, *id, true).await?;
            let head = db::feed_head(conn).await?;
            if body.from_position < 1 || body.from_position > head + 1 {
                return Err(ApiError::validation(
                    "from_position",
                    "out_of_range",
                    format!(
                        "must be between 1 and {} (the feed's next position)",
                        head + 1
                    ),
                ));
            }
            let changes = Changes {
                cursor: Some(body.from_position - 1),
                failures: Some(0),
                failing_since: Some(None),
                next_attempt_at: Some(Utc::now()),
                ..Changes::default()
            };
            let after = db::update(conn, before.id, &changes).await?;
            let mut change = Change::updated(
                "webhook_subscription",
                &before,
                &after,
                event(EventKind::WebhookReplayRequested, &after),
            );
            change.action = "webhook_subscription.replay".to_owned();
            record::write(conn, &caller, change).await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        WebhookSubscription::from_row(row, None),
    ))
}

/// The delivery log: every attempt, newest first.
#[utoipa::path(operation_id = "listWebhookDeliveries", tag = "webhooks", params(PageParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of attempts", body = Paginated<WebhookDelivery>),
        (status = 403, description = "Analysts and the platform admin have no subscriptions", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours or your city's", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/webhook-subscriptions/{id}/deliveries")]
pub async fn deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    params: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ListWebhooks)?;
    let page = params.page()?;
    let mut conn = pool::connection(&state.pool).await?;
    let subscription = managed(&mut conn, &caller.actor, *id, false).await?;
    let (rows, next) = page.finish(
        db::deliveries(&mut conn, subscription.id, page).await?,
        |d| d.id,
    );
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter().map(WebhookDelivery::from).collect(),
        next,
    )))
}

/// The addresses deliveries leave from.
#[derive(Serialize, ToSchema)]
pub struct SourceAddresses {
    /// IP addresses or CIDR networks, as the operator published them
    /// (`LIVING_GATE_WEBHOOK_SOURCE_ADDRESSES`); empty: not published.
    #[schema(example = json!(["203.0.113.10", "2001:db8:10::/64"]))]
    pub addresses: Vec<String>,
}

/// The fixed set of addresses webhooks come from, for receivers that
/// allow-list by IP (public).
#[utoipa::path(operation_id = "getWebhookSourceAddresses", tag = "webhooks", security(()),
    responses((status = 200, description = "The source addresses", body = SourceAddresses)))]
#[get("/webhook-source-addresses")]
pub async fn source_addresses(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(SourceAddresses {
        addresses: state.webhooks.source_addresses.clone(),
    }))
}
