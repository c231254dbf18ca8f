//! The route table: every documented endpoint, room by room. Always
//! `.service(handler)`, never `.route(..)`: a route added that way would be
//! missing from the OpenAPI document (utoipa issue #1212) and from the
//! authorization matrix test.

use crate::{admin, auth, desk, directory, kpis, lifecycle, notify, ops, platform, webhooks};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(ops::health::healthz)
        .service(ops::health::readyz)
        .service(auth::jwks::jwks)
        .service(
            scope::scope("/v1")
                .configure(auth::routes)
                .configure(kpis::routes)
                .configure(admin::routes)
                .configure(desk::routes)
                .configure(directory::routes)
                .configure(platform::routes)
                .configure(notify::routes)
                .configure(lifecycle::routes)
                .configure(webhooks::routes)
                .configure(ops::routes),
        );
}
