//! `/v1/resources/{id}/suggestions`: corrections suggested to an entry's
//! owning desk. The directory is shared, but only the city that owns an
//! entry changes it; the desks and departments of every city may suggest a
//! change (a PATCH body and a note). The owning desk lists them and accepts
//! one (applied through the entry's one update path, with the entry's
//! `If-Match`) or rejects it. Each step is audited and in the change feed.

use crate::auth::Caller;
use crate::directory::editing::{apply_update, authorize_edit};
use crate::directory::entry_view::{publication_of, visible, HiddenReads, Resource};
use crate::directory::input::{parse_update, UpdateResource};
use crate::http::body::{Json, OptionalJson};
use crate::http::etag::{with_etag, IfMatch};
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Change, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::directory::resources::{self as entries, ResourceContent};
use living_gate_db::directory::suggestions::{self as db, NewSuggestion};
use living_gate_db::pool;
use living_gate_domain::directory::{DirectoryView, Reader, SuggestionStatus};
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"changes": {"opening_hours": "火〜土 10:00-18:00", "phone": "046-000-0001"},
    "note": "電話で確認しました（綾瀬市 地域福祉課）"}))]
pub struct CreateSuggestion {
    /// The change, exactly as `PATCH /v1/resources/{id}` takes it.
    #[schema(value_type = UpdateResource)]
    pub changes: Value,
    /// Why: what the suggester knows, and from where.
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "反映しました"}))]
pub struct DecideSuggestion {
    /// The desk's answer to the suggester.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// A suggested correction of an entry.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f31", "resource_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01",
    "suggested_by": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9a07", "changes": {"opening_hours": "火〜土 10:00-18:00"},
    "note": "電話で確認しました", "status": "pending", "decided_by": null, "decided_at": null, "decision_note": null,
    "created_at": "2026-12-01T09:00:00+09:00", "updated_at": "2026-12-01T09:00:00+09:00"}))]
pub struct Suggestion {
    pub id: Uuid,
    pub resource_id: Uuid,
    /// The user who suggested it (any city's desk or department).
    pub suggested_by: Uuid,
    /// The change, as a PATCH body of the entry.
    #[schema(value_type = UpdateResource)]
    pub changes: Value,
    pub note: String,
    pub status: SuggestionStatus,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<db::Suggestion> for Suggestion {
    fn from(s: db::Suggestion) -> Suggestion {
        Suggestion {
            id: s.id,
            resource_id: s.resource_id,
            suggested_by: s.suggested_by,
            changes: s.changes,
            note: s.note,
            status: s.status,
            decided_by: s.decided_by,
            decided_at: s.decided_at,
            decision_note: s.decision_note,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// The change of a suggestion as the update path takes it (422 otherwise).
fn changes_of(raw: &Value) -> ApiResult<UpdateResource> {
    if raw.as_object().is_none_or(|o| o.is_empty()) {
        return Err(ApiError::validation(
            "changes",
            "empty",
            "name at least one field to change",
        ));
    }
    serde_json::from_value(raw.clone()).map_err(|e| {
        ApiError::validation(
            "changes",
            "invalid",
            format!("is not a change of an entry: {e}"),
        )
    })
}

fn decision_note(body: Option<&DecideSuggestion>) -> ApiResult<Option<String>> {
    Ok(match body.and_then(|b| b.note.as_deref()) {
        None => None,
        Some(n) if n.trim().is_empty() => None,
        Some(n) => Some(bounded_text("note", n, 1, 2000)?),
    })
}

/// Suggests a correction of an entry to its owning desk (the desk or a
/// department of any city). The change is checked as a PATCH would be.
#[utoipa::path(operation_id = "createResourceSuggestion", tag = "directory", request_body = CreateSuggestion, security(("bearer" = [])),
    responses((status = 201, description = "Suggested", body = Suggestion, headers(("Location" = String))),
        (status = 403, description = "Only staff suggest corrections", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The change or the note is invalid", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/resources/{id}/suggestions")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<CreateSuggestion>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::SuggestCorrection)?;
    let note = bounded_text("note", &body.note, 1, 2000)?;
    let changes = changes_of(&body.changes)?;
    let mut conn = pool::connection(&state.pool).await?;
    let entry = visible(&mut conn, DirectoryView::Staff, *id).await?;
    let coarse = entries::coarse_positions(&mut conn, &[entry.id]).await?;
    let details = living_gate_db::directory::details::of(&mut conn, &[entry.id])
        .await?
        .remove(&entry.id)
        .unwrap_or_default();
    let location_count = entries::locations(&mut conn, &[entry.id]).await?.len();
    // The same checks as the PATCH it would be, on the entry as it is now.
    parse_update(
        &mut conn,
        &ResourceContent::of(&entry),
        &details,
        location_count,
        publication_of(&entry, &coarse),
        &changes,
        caller.actor.id,
    )
    .await?;
    let row = conn
        .transaction(async |conn| {
            let row = db::insert(
                conn,
                &NewSuggestion {
                    id: Uuid::now_v7(),
                    resource_id: entry.id,
                    suggested_by: caller.actor.id,
                    changes: body.changes.clone(),
                    note,
                },
            )
            .await?;
            record::created(
                conn,
                &caller,
                "resource_suggestion",
                &row,
                FeedEvent::entry(entry.id, EventKind::ResourceSuggested).subject(row.id),
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/resources/{}/suggestions/{}", row.resource_id, row.id),
        ))
        .json(Suggestion::from(row)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestionFilter {
    /// Only suggestions in this state.
    pub status: Option<SuggestionStatus>,
}

/// The suggestions made to an entry, oldest first (its owning desk).
#[utoipa::path(operation_id = "listResourceSuggestions", tag = "directory", params(SuggestionFilter, PageParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of suggestions", body = Paginated<Suggestion>),
        (status = 403, description = "Only the desk of the entry's city reads its suggestions", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/resources/{id}/suggestions")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    filter: web::Query<SuggestionFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let page = page.page()?;
    let mut conn = pool::connection(&state.pool).await?;
    let entry = visible(&mut conn, DirectoryView::of(Some(&caller.actor)), *id).await?;
    authorize_edit(&caller, entry.municipality_id)?;
    let rows = db::list(&mut conn, entry.id, filter.status, page).await?;
    let (rows, next) = page.finish(rows, |s| s.id);
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter().map(Suggestion::from).collect::<Vec<_>>(),
        next,
    )))
}

/// The pending suggestion `suggestion_id` of entry `id`, locked, once the
/// caller is known to be the entry's owning desk: 404, 403, then 409 when
/// it was decided already.
async fn pending(
    conn: &mut living_gate_db::AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    suggestion_id: Uuid,
) -> ApiResult<db::Suggestion> {
    let entry = entries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    authorize_edit(caller, entry.municipality_id)?;
    let suggestion = db::find_for_update(conn, id, suggestion_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if suggestion.status != SuggestionStatus::Pending {
        return Err(ApiError::Conflict {
            detail: format!("the suggestion was {} already", suggestion.status.as_str()),
            extra: None,
        });
    }
    Ok(suggestion)
}

/// Records the decision on a suggestion (`resource_suggestion.<verb>`).
async fn record_decision(
    conn: &mut living_gate_db::AsyncPgConnection,
    caller: &Caller,
    before: &db::Suggestion,
    after: &db::Suggestion,
    verb: &str,
    kind: EventKind,
) -> ApiResult<()> {
    let mut change = Change::updated(
        "resource_suggestion",
        before,
        after,
        FeedEvent::entry(after.resource_id, kind).subject(after.id),
    );
    change.action = format!("resource_suggestion.{verb}");
    record::write(conn, caller, change).await?;
    Ok(())
}

/// Accepts a suggestion (the entry's owning desk): its change is applied as
/// `PATCH /v1/resources/{id}` would apply it, with the entry's `If-Match`.
/// Answers the entry as changed, with its new `ETag`.
#[utoipa::path(operation_id = "acceptResourceSuggestion", tag = "directory", request_body(content = DecideSuggestion, description = "Optional"), security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The entry's ETag you read")),
    responses((status = 200, description = "Accepted and applied: the entry", body = Resource, headers(("ETag" = String))),
        (status = 403, description = "Only the desk of the entry's city decides", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry or suggestion", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Decided already", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The entry changed since you read it", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The change is no longer valid", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is required", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/resources/{id}/suggestions/{suggestion_id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: OptionalJson<DecideSuggestion>,
) -> ApiResult<HttpResponse> {
    let (id, suggestion_id) = path.into_inner();
    let note = decision_note(body.0.as_ref())?;
    let mut conn = pool::connection(&state.pool).await?;
    let updated = conn
        .transaction(async |conn| {
            let before = pending(conn, &caller, id, suggestion_id).await?;
            let changes = changes_of(&before.changes)?;
            let updated = apply_update(conn, &caller, id, &if_match, &changes).await?;
            let after = db::decide(
                conn,
                before.id,
                SuggestionStatus::Accepted,
                caller.actor.id,
                note,
            )
            .await?;
            record_decision(
                conn,
                &caller,
                &before,
                &after,
                "accept",
                EventKind::ResourceSuggestionAccepted,
            )
            .await?;
            Ok::<_, ApiError>(updated)
        })
        .await?;
    let version = updated.row.version;
    let reader = Reader::of(Some(&caller.actor), &[]);
    Ok(with_etag(
        HttpResponse::Ok(),
        version,
        Resource::view(
            updated.row,
            &updated.locations,
            &updated.details,
            &reader,
            None,
            &updated.coarse,
            &mut HiddenReads::default(),
        ),
    ))
}

/// Rejects a suggestion (the entry's owning desk); the entry is unchanged.
#[utoipa::path(operation_id = "rejectResourceSuggestion", tag = "directory", request_body(content = DecideSuggestion, description = "Optional"), security(("bearer" = [])),
    responses((status = 200, description = "Rejected", body = Suggestion),
        (status = 403, description = "Only the desk of the entry's city decides", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry or suggestion", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Decided already", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/resources/{id}/suggestions/{suggestion_id}/reject")]
pub async fn reject(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: OptionalJson<DecideSuggestion>,
) -> ApiResult<HttpResponse> {
    let (id, suggestion_id) = path.into_inner();
    let note = decision_note(body.0.as_ref())?;
    let mut conn = pool::connection(&state.pool).await?;
    let after = conn
        .transaction(async |conn| {
            let before = pending(conn, &caller, id, suggestion_id).await?;
            let after = db::decide(
                conn,
                before.id,
                SuggestionStatus::Rejected,
                caller.actor.id,
                note,
            )
            .await?;
            record_decision(
                conn,
                &caller,
                &before,
                &after,
                "reject",
                EventKind::ResourceSuggestionRejected,
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Suggestion::from(after)))
}
