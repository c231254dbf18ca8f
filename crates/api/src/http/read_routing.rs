//! Which database a read goes to (issue 20), and read-your-writes across a
//! read replica and across instances behind a load balancer.
//!
//! - Public directory reads by anonymous callers (search, map, figures,
//!   the export) and KPI reads (`/v1/kpis` and its CSV, the time series,
//!   the public figures) take their connection from [`directory_read`],
//!   [`kpi_read`] or [`public_read`]: the replica's when
//!   [`living_gate_db::reads::Reads`] allows it, else the primary's. A
//!   member of staff reading the directory stays on the primary: such a
//!   read may audit the hidden fields it returned, and that is a write.
//! - Every write records itself through [`crate::record`], which tells
//!   [`wrote`] who wrote. When such a request succeeds, [`middleware`] asks
//!   the primary for its WAL position (one statement, after the commit),
//!   remembers it for the writer on this instance and answers it in
//!   `Living-Gate-Position`. A client that sends the header back on a read
//!   is served by a replica only once that replica has replayed that far,
//!   on whichever instance the load balancer picks. A header that is not a
//!   position (`X/Y`, hexadecimal) is ignored.
//!
//! Without a replica, nothing of this runs: no extra statement, no header.

use crate::auth::MaybeCaller;
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error};
use living_gate_db::pool::{self, Conn};
use living_gate_db::reads::{Position, Reads};
use living_gate_db::DbResult;
use living_gate_domain::Actor;
use std::cell::Cell;
use uuid::Uuid;

/// The header that carries a WAL position, both ways.
pub const POSITION_HEADER: &str = "living-gate-position";

struct RequestPositions {
    /// What the client sent in [`POSITION_HEADER`].
    sent: Option<Position>,
    /// Who wrote in this request (through [`crate::record`]).
    writer: Cell<Option<Uuid>>,
}

tokio::task_local! {
    static REQUEST: RequestPositions;
}

/// Notes that `actor` wrote in the running request (a no-op outside one,
/// or without a replica).
pub fn wrote(actor: Uuid) {
    let _ = REQUEST.try_with(|request| request.writer.set(Some(actor)));
}

fn sent() -> Option<Position> {
    REQUEST.try_with(|request| request.sent).ok().flatten()
}

/// A connection for a read of the directory's public side: an anonymous
/// caller's may be the replica's; staff read on the primary.
pub async fn directory_read(state: &AppState, caller: &MaybeCaller) -> DbResult<Conn> {
    match &caller.0 {
        Some(_) => pool::connection(&state.pool).await,
        None => public_read(state).await,
    }
}

/// A connection for an anonymous read (the replica's when it has replayed
/// what the client sent).
pub async fn public_read(state: &AppState) -> DbResult<Conn> {
    state.reads.connection(&state.pool, sent()).await
}

/// A connection for `actor`'s KPI read: the replica's when it has replayed
/// what `actor` last wrote here and what the client sent.
pub async fn kpi_read(state: &AppState, actor: &Actor) -> DbResult<Conn> {
    let needed = state.reads.needed(Some(actor.id), sent());
    state.reads.connection(&state.pool, needed).await
}

/// Reads the client's position, and answers the position of a successful
/// write. Outside the idempotency middleware, so that the write has
/// committed when the position is read.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let Some(state) = state.filter(|s| s.reads.is_replicated()) else {
        return next.call(req).await;
    };
    let positions = RequestPositions {
        sent: req
            .headers()
            .get(POSITION_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(Position::parse),
        writer: Cell::new(None),
    };
    let (response, writer) = REQUEST
        .scope(positions, async {
            let response = next.call(req).await;
            (response, REQUEST.with(|request| request.writer.get()))
        })
        .await;
    let mut response = response?;
    if let Some(actor) = writer.filter(|_| response.status().is_success()) {
        match Reads::primary_position(&state.pool).await {
            Ok(position) => {
                state.reads.remember(actor, position);
                if let Ok(value) = HeaderValue::from_str(&position.to_string()) {
                    response
                        .headers_mut()
                        .insert(HeaderName::from_static(POSITION_HEADER), value);
                }
            }
            // The write stands; the writer's next read may be a little
            // stale, as without replicas it could not be.
            Err(e) => {
                tracing::warn!(error = %e, "reading the primary's WAL position after a write")
            }
        }
    }
    Ok(response)
}
