//! The personal-data lifecycle (issue 21): retention rules and their runs,
//! by the server's schedule, the CLI or the platform admin; a city's own
//! ages; one person's disclosure export and anonymization.

pub mod personal_data;
pub mod retention;
pub mod schedule;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(retention::list_rules)
        .service(retention::get_rule)
        .service(retention::update_rule)
        .service(retention::list_runs)
        .service(retention::run_now)
        .service(personal_data::disclose)
        .service(personal_data::anonymize);
}
