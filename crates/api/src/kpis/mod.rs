//! The desk's KPIs per fiscal year and month, their time series and
//! targets, as JSON or CSV.

pub mod endpoints;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(endpoints::report)
        .service(endpoints::timeseries)
        .service(endpoints::targets)
        .service(endpoints::set_targets);
}
