//! The four-city platform's own work (seed 002), beside the directory:
//! [`referrals`] (a resident introduced to an entry, across city borders or
//! not) and their [`referral_figures`] (from-city × to-city × topic);
//! liaison [`meetings`] with their [`follow_ups`]; [`events`] that raise
//! awareness and their [`event_reach`] per fiscal year × kind.

pub mod event_reach;
pub mod events;
pub mod follow_up_view;
pub mod follow_ups;
pub mod meetings;
pub mod participation;
pub mod referral_figures;
pub mod referrals;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(referral_figures::figures)
        .service(referrals::create)
        .service(referrals::list)
        .service(referrals::get)
        .service(referrals::update)
        .service(meetings::create)
        .service(meetings::list)
        .service(meetings::get)
        .service(meetings::add_follow_up)
        .service(follow_ups::list)
        .service(follow_ups::complete)
        .service(events::create)
        .service(events::list)
        .service(events::get)
        .service(events::update)
        .service(event_reach::reach);
}
