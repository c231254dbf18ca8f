//! The desk's KPIs per fiscal year and month, their time series and
//! targets, and the desk's own logic model with its figures, as JSON or CSV.

pub mod inputs;
pub mod programme;
pub mod public;
pub mod report;
pub mod targets;
pub mod timeseries;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(report::report)
        .service(timeseries::timeseries)
        .service(targets::targets)
        .service(targets::set_targets)
        .service(programme::programme)
        .service(programme::save_programme)
        .service(public::public_kpis);
}
