//! Webhooks (issue 16): subscriptions to the change feed, delivered as
//! thin, signed CloudEvents by a worker in `living-gate serve`. The pull
//! feed (`GET /v1/events`) stays the complete way to sync; a webhook tells
//! a receiver when to look (docs/integration.md).

pub mod actions;
pub mod callback;
pub mod failing;
pub mod message;
pub mod send;
pub mod subscriptions;
pub mod worker;

use utoipa_actix_web::service_config::ServiceConfig;

/// The `/v1` endpoints of the room.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(subscriptions::create)
        .service(subscriptions::list)
        .service(subscriptions::get)
        .service(subscriptions::update)
        .service(subscriptions::remove)
        .service(actions::rotate)
        .service(actions::ping)
        .service(actions::replay)
        .service(actions::deliveries)
        .service(actions::source_addresses);
}
