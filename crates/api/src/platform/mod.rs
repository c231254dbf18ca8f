//! The four-city platform's own work (seed 002), beside the directory:
//! [`referrals`] (a resident introduced to an entry, across city borders or
//! not) and their [`referral_figures`] (from-city × to-city × topic).

pub mod referral_figures;
pub mod referrals;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(referral_figures::figures)
        .service(referrals::create)
        .service(referrals::list)
        .service(referrals::get)
        .service(referrals::update);
}
