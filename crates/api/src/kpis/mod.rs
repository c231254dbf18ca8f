//! The desk's KPIs per fiscal year and month, their time series and
//! targets, as JSON or CSV.

pub mod inputs;
pub mod report;
pub mod targets;
pub mod timeseries;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(report::report)
        .service(timeseries::timeseries)
        .service(targets::targets)
        .service(targets::set_targets);
}
