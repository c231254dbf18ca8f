//! `/v1/webhook-subscriptions`: subscribe, list, read, change (pause,
//! resume, filters, URL) and delete. A subscription reads the feed with its
//! owner's eyes; its secret is shown once, in the answer that made it.

use crate::auth::Caller;
use crate::http::body::Json;
use crate::http::etag::{with_etag, IfMatch};
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Change, EventKind, FeedEvent};
use crate::state::AppState;
use crate::webhooks::{callback, message};
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::accounts::users;
use living_gate_db::webhooks::{self as db, Changes, Listing, NewSubscription, Subscription};
use living_gate_db::{pool, AsyncPgConnection};
use living_gate_domain::desk::feed::EventKind as Kind;
use living_gate_domain::webhooks::SubscriptionState;
use living_gate_domain::{authorize, Action, Actor, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A webhook subscription.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e21", "owner_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e05",
    "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02",
    "callback_url": "https://kintone.city.example.jp/hooks/living-gate", "description": "市民協働課の案件管理",
    "kinds": ["status_changed", "hearing_requested"], "department_id": null, "proposal_id": null, "resource_id": null,
    "state": "active", "delivered_through": 1042, "failures": 0, "failing_since": null,
    "next_attempt_at": "2026-12-02T09:00:00+00:00", "last_delivered_at": "2026-12-02T08:59:58+00:00",
    "previous_secret_expires_at": null,
    "created_at": "2026-12-01T00:00:00+00:00", "updated_at": "2026-12-02T08:59:58+00:00"
}))]
pub struct WebhookSubscription {
    pub id: Uuid,
    /// Whose eyes the subscription reads the feed with (its creator).
    pub owner_id: Uuid,
    /// The owner's city (`null` for a partner's).
    pub municipality_id: Option<Uuid>,
    pub callback_url: String,
    pub description: String,
    /// The event kinds it wants; empty: every kind.
    pub kinds: Vec<Kind>,
    pub department_id: Option<Uuid>,
    pub proposal_id: Option<Uuid>,
    pub resource_id: Option<Uuid>,
    pub state: SubscriptionState,
    /// The feed position delivered (or skipped by the filters) through.
    pub delivered_through: i64,
    /// Failed attempts at the next event.
    pub failures: i32,
    pub failing_since: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_delivered_at: Option<DateTime<Utc>>,
    /// Until then the previous secret signs too (after a rotation).
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// The signing secret (`whsec_…`): only in the answer that created or
    /// rotated it. Store it; it is never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl WebhookSubscription {
    pub fn from_row(s: Subscription, secret: Option<String>) -> WebhookSubscription {
        WebhookSubscription {
            id: s.id,
            owner_id: s.owner_id,
            municipality_id: s.municipality_id,
            callback_url: s.callback_url,
            description: s.description,
            kinds: s.kinds,
            department_id: s.department_id,
            proposal_id: s.proposal_id,
            resource_id: s.resource_id,
            state: s.state,
            delivered_through: s.cursor,
            failures: s.failures,
            failing_since: s.failing_since,
            next_attempt_at: s.next_attempt_at,
            last_delivered_at: s.last_delivered_at,
            previous_secret_expires_at: s.previous_secret_expires_at,
            secret,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"callback_url": "https://kintone.city.example.jp/hooks/living-gate",
    "description": "市民協働課の案件管理", "kinds": ["status_changed", "hearing_requested"]}))]
pub struct CreateSubscription {
    /// `https://` (a public address; internal ones are refused).
    #[schema(min_length = 8, max_length = 2000)]
    pub callback_url: String,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Event kinds; empty or absent: every kind.
    pub kinds: Option<Vec<Kind>>,
    /// Only events of this department's hearings and matches.
    pub department_id: Option<Uuid>,
    /// Only this case's events (a case the owner sees).
    pub proposal_id: Option<Uuid>,
    /// Only this directory entry's events.
    pub resource_id: Option<Uuid>,
}

/// What may change; absent fields stay, `null` clears a filter. `state`
/// pauses (`paused`) or resumes (`active`, also from `failing`: it retries
/// from the event that failed).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"state": "paused"}))]
pub struct UpdateSubscription {
    #[schema(min_length = 8, max_length = 2000)]
    pub callback_url: Option<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    pub kinds: Option<Vec<Kind>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<Uuid>)]
    pub department_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<Uuid>)]
    pub proposal_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<Uuid>)]
    pub resource_id: Option<Option<Uuid>>,
    pub state: Option<SubscriptionState>,
}

fn description(raw: Option<&str>) -> ApiResult<Option<String>> {
    raw.map(|d| {
        let d = d.trim();
        if d.chars().count() > 500 || d.chars().any(|c| c.is_control() && c != '\n') {
            Err(ApiError::validation(
                "description",
                "invalid",
                "must be at most 500 characters, without control characters",
            ))
        } else {
            Ok(d.to_owned())
        }
    })
    .transpose()
}

async fn callback_url(state: &AppState, raw: &str) -> ApiResult<String> {
    let refused = |r: callback::Refusal| ApiError::validation("callback_url", r.code, r.message);
    let url = callback::parse(raw, &state.webhooks).map_err(refused)?;
    callback::check(&url, &state.webhooks)
        .await
        .map_err(refused)?;
    Ok(url.to_string())
}

/// The filters must name what the owner may see: a department of its
/// city, a case it sees, an existing entry (422 otherwise).
async fn check_filters(
    conn: &mut AsyncPgConnection,
    owner: &Actor,
    department_id: Option<Uuid>,
    proposal_id: Option<Uuid>,
    resource_id: Option<Uuid>,
) -> ApiResult<()> {
    if let Some(id) = department_id {
        let found = living_gate_db::reference::departments::find(conn, id).await?;
        let ok = found.is_some_and(|d| {
            owner.municipality_id.is_none() || owner.municipality_id == Some(d.municipality_id)
        });
        if !ok {
            return Err(ApiError::validation(
                "department_id",
                "unknown",
                "is not a department of the owner's city",
            ));
        }
    }
    if let Some(id) = proposal_id {
        if crate::desk::cases::visible(conn, owner, id).await.is_err() {
            return Err(ApiError::validation(
                "proposal_id",
                "unknown",
                "is not a case the owner sees",
            ));
        }
    }
    if let Some(id) = resource_id {
        if living_gate_db::directory::resources::find(conn, id)
            .await?
            .is_none()
        {
            return Err(ApiError::validation(
                "resource_id",
                "unknown",
                "is not a directory entry",
            ));
        }
    }
    Ok(())
}

/// The subscription, if the caller may manage it (404 otherwise).
pub async fn managed(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    lock: bool,
) -> ApiResult<Subscription> {
    let found = db::find(conn, id, lock).await?.ok_or(ApiError::NotFound)?;
    authorize(
        actor,
        Action::ManageWebhook {
            owner_id: found.owner_id,
            municipality_id: found.municipality_id,
        },
    )?;
    Ok(found)
}

/// The owner's account as the policy sees it.
pub async fn owner(conn: &mut AsyncPgConnection, subscription: &Subscription) -> ApiResult<Actor> {
    Ok(users::find(conn, subscription.owner_id)
        .await?
        .ok_or_else(|| ApiError::internal("a subscription without its owner"))?
        .actor())
}

pub fn event(kind: EventKind, subscription: &Subscription) -> FeedEvent {
    FeedEvent::desk(kind)
        .subject(subscription.id)
        .in_municipality(subscription.municipality_id)
}

/// Subscribes the caller to its feed: events from now on are delivered
/// to `callback_url`, signed with the secret in the answer (shown once).
#[utoipa::path(operation_id = "createWebhookSubscription", tag = "webhooks", request_body = CreateSubscription, security(("bearer" = [])),
    responses((status = 201, description = "Subscribed; `secret` is shown this once", body = WebhookSubscription, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Only the desk, departments and partners read a feed", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A refused URL (not https, an internal address, unresolvable) or filter", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/webhook-subscriptions")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateSubscription>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::SubscribeWebhooks)?;
    let description = description(body.description.as_deref())?.unwrap_or_default();
    let url = callback_url(&state, &body.callback_url).await?;
    let secret = message::new_secret();
    let id = Uuid::now_v7();
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            check_filters(
                conn,
                &caller.actor,
                body.department_id,
                body.proposal_id,
                body.resource_id,
            )
            .await?;
            let new = NewSubscription {
                id,
                municipality_id: caller.actor.municipality_id,
                owner_id: caller.actor.id,
                callback_url: url,
                description,
                kinds: dedup(body.kinds.clone().unwrap_or_default()),
                department_id: body.department_id,
                proposal_id: body.proposal_id,
                resource_id: body.resource_id,
                secret_sealed: state
                    .sealing
                    .seal(&secret_context(id), secret.as_bytes())
                    .map_err(ApiError::internal)?,
                cursor: db::feed_head(conn).await?,
            };
            let row = db::insert(conn, &new).await?;
            record::created(
                conn,
                &caller,
                "webhook_subscription",
                &row,
                event(EventKind::WebhookSubscriptionCreated, &row),
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let location = format!("/v1/webhook-subscriptions/{}", row.id);
    Ok(with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .take(),
        row.version,
        WebhookSubscription::from_row(row, Some(secret)),
    ))
}

fn dedup(mut kinds: Vec<Kind>) -> Vec<Kind> {
    let mut seen = std::collections::HashSet::new();
    kinds.retain(|k| seen.insert(*k));
    kinds
}

/// What a subscription's secret is sealed for: its row.
pub fn secret_context(id: Uuid) -> String {
    format!("webhook-secret:{id}")
}

/// Lists subscriptions: the desk and admin of a city every one of the
/// city's, a department or partner account its own.
#[utoipa::path(operation_id = "listWebhookSubscriptions", tag = "webhooks", params(PageParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of subscriptions", body = Paginated<WebhookSubscription>),
        (status = 403, description = "Analysts and the platform admin have none", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/webhook-subscriptions")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ListWebhooks)?;
    let page = params.page()?;
    let listing = match (caller.actor.role, caller.actor.municipality_id) {
        (Role::Desk | Role::Admin, Some(city)) => Listing::Municipality(city),
        _ => Listing::Owner(caller.actor.id),
    };
    let mut conn = pool::connection(&state.pool).await?;
    let (rows, next) = page.finish(db::list(&mut conn, listing, page).await?, |s| s.id);
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter()
            .map(|s| WebhookSubscription::from_row(s, None))
            .collect(),
        next,
    )))
}

/// One subscription, with its `ETag`.
#[utoipa::path(operation_id = "getWebhookSubscription", tag = "webhooks", security(("bearer" = [])),
    responses((status = 200, description = "The subscription", body = WebhookSubscription, headers(("ETag" = String))),
        (status = 403, description = "Analysts and the platform admin have no subscriptions", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours or your city's", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/webhook-subscriptions/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ListWebhooks)?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = managed(&mut conn, &caller.actor, *id, false).await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        WebhookSubscription::from_row(row, None),
    ))
}

/// Changes a subscription: pause, resume, the URL, the filters.
#[utoipa::path(operation_id = "updateWebhookSubscription", tag = "webhooks", request_body = UpdateSubscription, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = WebhookSubscription, headers(("ETag" = String))),
        (status = 403, description = "Analysts and the platform admin have no subscriptions", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours or your city's", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A refused URL, filter or state", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[patch("/webhook-subscriptions/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateSubscription>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ListWebhooks)?;
    if body.state == Some(SubscriptionState::Failing) {
        return Err(ApiError::validation(
            "state",
            "not_settable",
            "is `active` (resume) or `paused`; `failing` is the worker's to set",
        ));
    }
    let description = description(body.description.as_deref())?;
    let url = match &body.callback_url {
        Some(raw) => Some(callback_url(&state, raw).await?),
        None => None,
    };
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            let found = managed(conn, &caller.actor, *id, true).await?;
            let before = if_match.current(Some(found))?;
            let owner = owner(conn, &before).await?;
            let pick = |new: Option<Option<Uuid>>, old: Option<Uuid>| new.unwrap_or(old);
            check_filters(
                conn,
                &owner,
                pick(body.department_id, before.department_id),
                pick(body.proposal_id, before.proposal_id),
                pick(body.resource_id, before.resource_id),
            )
            .await?;
            let resume = body.state == Some(SubscriptionState::Active)
                && before.state != SubscriptionState::Active;
            let changes = Changes {
                callback_url: url,
                description,
                kinds: body.kinds.clone().map(dedup),
                department_id: body.department_id,
                proposal_id: body.proposal_id,
                resource_id: body.resource_id,
                state: body.state,
                failures: resume.then_some(0),
                failing_since: resume.then_some(None),
                next_attempt_at: resume.then(Utc::now),
                ..Changes::default()
            };
            let after = db::update(conn, before.id, &changes).await?;
            record::updated(
                conn,
                &caller,
                "webhook_subscription",
                &before,
                &after,
                event(EventKind::WebhookSubscriptionUpdated, &after),
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        WebhookSubscription::from_row(row, None),
    ))
}

/// Deletes a subscription and its delivery log; nothing more is sent.
#[utoipa::path(operation_id = "deleteWebhookSubscription", tag = "webhooks", security(("bearer" = [])),
    responses((status = 204, description = "Deleted"),
        (status = 403, description = "Analysts and the platform admin have no subscriptions", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours or your city's", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[delete("/webhook-subscriptions/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ListWebhooks)?;
    let mut conn = pool::connection(&state.pool).await?;
    conn.transaction(async |conn| {
        let before = managed(conn, &caller.actor, *id, true).await?;
        db::delete(conn, before.id).await?;
        record::write(
            conn,
            &caller,
            Change {
                action: "webhook_subscription.delete".to_owned(),
                target_type: "webhook_subscription",
                target_id: before.id.to_string(),
                changes: serde_json::json!({"deleted": &before}),
                event: event(EventKind::WebhookSubscriptionDeleted, &before),
            },
        )
        .await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
