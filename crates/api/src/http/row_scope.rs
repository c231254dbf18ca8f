//! Every request runs in its caller's case scope: the connections it takes
//! tell PostgreSQL's row-level security which municipality's cases they
//! may see (`living_gate_domain::access::row_scope`, migration 000012).

use crate::auth::authenticate::verified_actor;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::Error;
use living_gate_db::pool;
use living_gate_domain::access::row_scope::row_scope;

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // The token is checked once: the handler's extractor reuses the result.
    let actor = match req
        .headers()
        .contains_key(actix_web::http::header::AUTHORIZATION)
    {
        true => verified_actor(req.request()).await,
        false => None,
    };
    pool::scoped(row_scope(actor.as_ref()), next.call(req)).await
}
