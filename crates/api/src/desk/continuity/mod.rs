//! The model case and continuity (issue 18): a TRIP marked as a model case
//! with its lessons (the template of a new case's logic model, see
//! `POST /v1/proposals/{id}/logic-model/prefill` in
//! [`crate::desk::logic_models`]), the cases that followed from a TRIP, the
//! city's existing programmes a case is linked to, and an organization's
//! whole history with the city. Handlers only.

pub mod follow_ons;
pub mod history;
pub mod model_cases;
pub mod programmes;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(model_cases::put)
        .service(model_cases::get)
        .service(model_cases::list)
        .service(follow_ons::link)
        .service(follow_ons::of_trip)
        .service(follow_ons::follows_from)
        .service(history::history)
        .service(programmes::create)
        .service(programmes::list)
        .service(programmes::replace)
        .service(programmes::of_proposal);
}
