//! The change feed: every case event the caller may see, in a durable order.

use crate::auth::Caller;
use crate::problem::ApiResult;
use crate::routes::proposals::{
    audience, encode_event_cursor, event_cursor, CaseEvent, EventPage, EventPageParams,
};
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use living_gate_db::{events, pool};

/// Events after `cursor`, oldest first. Positions become visible in
/// increasing order (they are drawn under a lock held until commit), so a
/// client that stores `next_cursor` and polls again never misses an event.
/// `next_cursor` is never null: with no new events it is the cursor sent.
#[utoipa::path(tag = "proposals", params(EventPageParams), security(("bearer" = [])),
    responses((status = 200, description = "Events after the cursor", body = EventPage),
        (status = 403, description = "Admins and analysts get no case content", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[get("/events")]
pub async fn feed(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<EventPageParams>,
) -> ApiResult<HttpResponse> {
    let (after, limit) = event_cursor(&params)?;
    let audience = audience(&caller.actor)?;
    let mut conn = pool::connection(&state.pool).await?;
    let rows = events::feed(&mut conn, audience, after, limit).await?;
    let last = rows.last().map(|e| e.position).or(after).unwrap_or(0);
    let items = rows
        .into_iter()
        .map(|e| CaseEvent::for_audience(e, audience))
        .collect();
    Ok(HttpResponse::Ok().json(EventPage {
        items,
        next_cursor: Some(encode_event_cursor(last)),
    }))
}
