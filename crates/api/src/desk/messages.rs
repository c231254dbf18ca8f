//! Messages on a case: `internal` among staff, `shared` with the proposer.
//! This is how the desk asks a proposer for more information.

use crate::auth::Caller;
use crate::desk::cases::visible;
use crate::http::body::Json;
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Change, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::desk::messages::{self as db};
use living_gate_db::pool;
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e70", "proposal_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50",
    "author_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01", "visibility": "shared",
    "body": "想定している利用者数と開催頻度を教えてください。", "created_at": "2026-05-12T01:00:00Z"}))]
pub struct Message {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub author_id: Uuid,
    pub visibility: Visibility,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<db::Message> for Message {
    fn from(m: db::Message) -> Self {
        Message {
            id: m.id,
            proposal_id: m.proposal_id,
            author_id: m.author_id,
            visibility: m.visibility,
            body: m.body,
            created_at: m.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"visibility": "shared", "body": "想定している利用者数と開催頻度を教えてください。"}))]
pub struct PostMessage {
    pub visibility: Visibility,
    #[schema(min_length = 1, max_length = 5000)]
    pub body: String,
}

/// The messages of a case the caller may read (a proposer: shared ones only), oldest first.
#[utoipa::path(operation_id = "listMessages", tag = "messages", params(PageParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of messages", body = Paginated<Message>),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/messages")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    params: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let page = params.page()?;
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    let shared_only = caller.actor.role == Role::Partner;
    let rows = db::of_proposal(&mut conn, *id, shared_only, page.after, page.fetch_limit()).await?;
    let (rows, next) = page.finish(rows, |m| m.id);
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter().map(Message::from).collect(),
        next,
    )))
}

/// Posts a message; a proposer can post shared ones only.
#[utoipa::path(operation_id = "postMessage", tag = "messages", request_body = PostMessage, security(("bearer" = [])),
    responses((status = 201, description = "Posted", body = Message),
        (status = 403, description = "Proposers post shared messages only; admins and analysts none", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/proposals/{id}/messages")]
pub async fn post(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<PostMessage>,
) -> ApiResult<HttpResponse> {
    let text = bounded_text("body", &body.body, 1, 5000)?;
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    let shared = body.visibility == Visibility::Shared;
    authorize(&caller.actor, Action::PostMessage { shared })?;
    let visibility = body.visibility;
    let row = conn
        .transaction(async |conn| {
            let row = db::insert(
                conn,
                &db::Message {
                    id: Uuid::now_v7(),
                    proposal_id: *id,
                    author_id: caller.actor.id,
                    visibility,
                    body: text.clone(),
                    created_at: Utc::now(),
                },
            )
            .await?;
            let posted = FeedEvent::case(
                *id,
                EventKind::MessagePosted,
                if shared {
                    Visibility::Shared
                } else {
                    Visibility::Internal
                },
            )
            .subject(row.id);
            // The audit row says who posted where, not what: the body is
            // case content, which the audit log's readers (admins) do not get.
            record::write(
                conn,
                &caller,
                Change {
                    action: "message.create".into(),
                    target_type: "message",
                    target_id: row.id.to_string(),
                    changes: serde_json::json!({ "proposal_id": *id, "visibility": visibility }),
                    event: posted,
                },
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(Message::from(row)))
}
