//! The four-city regional resource directory against loneliness and
//! isolation: entries, search, the map and figures, taxonomies, surveys,
//! import and export.
//!
//! Handler files never import each other: what they share is in
//! [`entry_view`] (an entry as a caller may see it), [`editing`] (the one
//! update path of an entry, for PATCH and accepted suggestions), [`filters`]
//! (the search filters) and [`input`] (parsing an entry's content).
//! [`suggestions`] are corrections any city's staff suggest to an entry's
//! owning desk; [`confidential_access`] the grants of an owning city that
//! let a department or a user read its entries' hidden fields.

pub mod confidential_access;
pub mod editing;
pub mod entries;
pub mod entry_view;
pub mod export;
pub mod figures;
pub mod filters;
pub mod import;
pub mod input;
pub mod open_data;
pub mod search;
pub mod suggestions;
pub mod surveys;
pub mod taxonomy;
pub mod verification;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(taxonomy::list)
        .service(taxonomy::create)
        // Fixed paths before `/resources/{id}`, which would take them.
        .service(figures::map)
        .service(figures::stats)
        .service(import::import)
        .service(export::export)
        .service(verification::due)
        .service(search::list)
        .service(entries::create)
        .service(entries::get)
        .service(entries::update)
        .service(figures::referrals)
        .service(verification::verify)
        .service(open_data::resources)
        .service(suggestions::create)
        .service(suggestions::list)
        .service(suggestions::accept)
        .service(suggestions::reject)
        .service(confidential_access::list)
        .service(confidential_access::grant)
        .service(confidential_access::revoke)
        .service(surveys::create)
        .service(surveys::list)
        .service(surveys::get)
        .service(surveys::add_recipient)
        .service(surveys::make_entry)
        .service(surveys::recipients)
        .service(surveys::answer);
}
