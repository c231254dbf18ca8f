//! The personal-data lifecycle (issue 21): retention rules and their runs,
//! by the server's schedule, the CLI or the platform admin.

pub mod retention;
pub mod schedule;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(retention::list_rules)
        .service(retention::list_runs)
        .service(retention::run_now);
}
