//! Notifications (issue 15): the mails a write causes, planned and put in
//! the outbox in the write's own transaction ([`plan`], called by
//! [`crate::record::write`]); the worker inside `living-gate serve` that
//! delivers them ([`worker`]) over SMTP or into a folder of `.eml` files
//! ([`transport`]); the links mails carry ([`links`]); and the endpoints:
//! each account's [`preferences`] and the desk's [`delivery_log`].

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(preferences::get)
        .service(preferences::set)
        .service(delivery_log::list)
        .service(delivery_log::get)
        .service(delivery_log::retry);
}

pub mod delivery_log;
pub mod links;
pub mod plan;
pub mod preferences;
pub mod reminders;
pub mod transport;
pub mod worker;
