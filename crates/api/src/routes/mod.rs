//! One module per resource; each handler parses, authorises (through the
//! domain policy), calls the database layer and maps the result.

pub mod audit_log;
pub mod auth;
pub mod departments;
pub mod feed;
pub mod health;
pub mod hearings;
pub mod invitations;
pub mod jwks;
pub mod kpis;
pub mod logic_models;
pub mod matches;
pub mod me;
pub mod messages;
pub mod municipalities;
pub mod organizations;
pub mod proposals;
pub mod resource_export;
pub mod resource_figures;
pub mod resource_import;
pub mod resource_input;
pub mod resources;
pub mod service_accounts;
pub mod surveys;
pub mod taxonomy;
pub mod trip_resources;
pub mod trips;
pub mod users;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented endpoint. Always `.service(handler)`, never
/// `.route(..)`: a route added that way would be missing from the OpenAPI
/// document (utoipa issue #1212) and from the authorization matrix test.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(jwks::jwks)
        .service(
            scope::scope("/v1")
                .service(auth::login)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::token)
                .service(me::me)
                .service(kpis::report)
                .service(kpis::timeseries)
                .service(kpis::targets)
                .service(kpis::set_targets)
                .service(municipalities::list)
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
                .service(audit_log::list)
                .service(proposals::list)
                .service(proposals::create)
                .service(proposals::get)
                .service(proposals::update)
                .service(proposals::transition)
                .service(proposals::timeline)
                .service(hearings::request)
                .service(hearings::list)
                .service(hearings::answer)
                .service(messages::list)
                .service(messages::post)
                .service(feed::feed)
                .service(matches::propose)
                .service(matches::list)
                .service(matches::accept)
                .service(matches::decline)
                .service(matches::suggestions)
                .service(logic_models::save)
                .service(logic_models::latest)
                .service(logic_models::diff)
                .service(logic_models::versions)
                .service(logic_models::version)
                .service(trips::decide)
                .service(trips::list)
                .service(trips::get)
                .service(trips::update)
                .service(trips::measure)
                .service(trips::measurements)
                .service(trip_resources::replace)
                .service(taxonomy::list)
                .service(taxonomy::create)
                // Fixed paths before `/resources/{id}`, which would take them.
                .service(resource_figures::map)
                .service(resource_figures::stats)
                .service(resource_import::import)
                .service(resource_export::export)
                .service(resources::list)
                .service(resources::create)
                .service(resources::get)
                .service(resources::update)
                .service(resource_figures::referrals)
                .service(surveys::create)
                .service(surveys::list)
                .service(surveys::get)
                .service(surveys::add_recipient)
                .service(surveys::recipients)
                .service(surveys::answer),
        );
}
