//! Follow-ups of the liaison meetings, listable by owner (`owner=me`), and
//! their move to done (`If-Match`).

use crate::auth::Caller;
use crate::http::etag::{with_etag, IfMatch};
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::platform::follow_up_view::{self, FollowUp};
use crate::record::{self, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use chrono::Utc;
use diesel_async::AsyncConnection;
use living_gate_db::platform::meetings::{self as db, follow_ups, FollowUpChanges, FollowUpFilter};
use living_gate_db::{pool, Page};
use living_gate_domain::platform::meeting::{self, FollowUpStatus};
use living_gate_domain::{authorize, Action};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowUpListParams {
    /// `me` (the caller's own) or an account id; default: every owner.
    #[param(example = "me")]
    pub owner: Option<String>,
    pub status: Option<FollowUpStatus>,
    pub meeting_id: Option<Uuid>,
}

/// Follow-ups of the meetings the caller's city took part in, oldest
/// first (staff; the platform admin every one).
#[utoipa::path(operation_id = "listFollowUps", tag = "platform", params(PageParams, FollowUpListParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of follow-ups", body = Paginated<FollowUp>),
        (status = 403, description = "Follow-ups are for the cities' staff", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/follow-ups")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
    filter: web::Query<FollowUpListParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadPlatformWork)?;
    let page: Page = params.page()?;
    let owner_id = match filter.owner.as_deref() {
        None => None,
        Some("me") => Some(caller.actor.id),
        Some(raw) => Some(
            Uuid::parse_str(raw)
                .map_err(|_| ApiError::validation("owner", "invalid", "`me` or an account id"))?,
        ),
    };
    let mut conn = pool::connection(&state.pool).await?;
    let rows = db::list_follow_ups(
        &mut conn,
        &FollowUpFilter {
            owner_id,
            status: filter.status,
            meeting_id: filter.meeting_id,
        },
        page,
    )
    .await?;
    let (rows, next) = page.finish(rows, |r| r.id);
    let items = follow_up_view::shown(&mut conn, rows).await?;
    Ok(HttpResponse::Ok().json(Paginated::new(items, next)))
}

/// Marks a follow-up done (its owner, the desk of a city that took part,
/// the platform admin). `If-Match` required; a done one is 409.
#[utoipa::path(operation_id = "completeFollowUp", tag = "platform", security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Done", body = FollowUp, headers(("ETag" = String))),
        (status = 403, description = "Only the owner, the desk of a city that took part or the platform admin marks a follow-up done", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The follow-up is done already", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/follow-ups/{id}/done")]
pub async fn complete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadPlatformWork)?;
    let mut conn = pool::connection(&state.pool).await?;
    let found = follow_ups::find(&mut conn, *id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let meeting = db::find(&mut conn, found.meeting_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    authorize(
        &caller.actor,
        Action::CompleteFollowUp {
            owner_id: found.owner_id,
            city_takes_part: crate::platform::participation::takes_part(
                &caller.actor,
                &meeting.municipality_ids,
            ),
        },
    )?;
    let row = conn
        .transaction(async |conn| {
            let before = if_match.current(follow_ups::find_for_update(conn, *id).await?)?;
            if !meeting::can_complete(before.status) {
                return Err(ApiError::Conflict {
                    detail: "the follow-up is done already".into(),
                    extra: None,
                });
            }
            let changes = FollowUpChanges {
                status: Some(FollowUpStatus::Done),
                done_at: Some(Some(Utc::now())),
                done_by: Some(Some(caller.actor.id)),
            };
            let after = follow_ups::update(conn, before.id, &changes).await?;
            let event = FeedEvent::desk(EventKind::FollowUpDone).subject(after.id);
            record::updated(conn, &caller, "follow_up", &before, &after, event).await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    let version = row.version;
    let shown = follow_up_view::shown(&mut conn, vec![row]).await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        version,
        shown.into_iter().next(),
    ))
}
