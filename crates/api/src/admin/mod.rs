//! Administration: municipalities and departments (reference data), partner
//! organizations, accounts, invitations, service accounts and the audit log.

pub mod accounts;
pub mod audit_log;
pub mod departments;
pub mod identity_providers;
pub mod invitations;
pub mod municipalities;
pub mod organizations;
pub mod service_accounts;
pub mod users;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(municipalities::list)
        .service(municipalities::create)
        .service(municipalities::get)
        .service(municipalities::update)
        .service(departments::list)
        .service(departments::create)
        .service(departments::get)
        .service(departments::update)
        .service(departments::invite)
        .service(organizations::list)
        .service(organizations::create)
        .service(organizations::get)
        .service(organizations::update)
        .service(organizations::invite)
        .service(invitations::accept)
        .service(users::list)
        .service(users::create)
        .service(users::get)
        .service(users::update)
        .service(service_accounts::list)
        .service(service_accounts::create)
        .service(service_accounts::update)
        .service(identity_providers::list)
        .service(identity_providers::create)
        .service(identity_providers::update)
        .service(identity_providers::link)
        .service(audit_log::list);
}
