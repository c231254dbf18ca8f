//! Step 4 with the city's network (issue 18): directory entries (NPOs,
//! social welfare corporations, citizen groups) proposed as partners of a
//! case beside the departments, their answers recorded by the desk, the
//! ranked suggestions of entries, and the partners an adoption carries into
//! the TRIP's supported organizations.
//!
//! [`carry`] is shared (the one function [`crate::desk::moves`] calls on
//! adoption); the other files are handlers.

pub mod carry;
pub mod matches;
pub mod suggestions;
pub mod supported;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(matches::propose)
        .service(matches::list)
        .service(matches::accept)
        .service(matches::decline)
        .service(suggestions::suggestions)
        .service(supported::list);
}
