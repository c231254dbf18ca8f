//! The co-creation desk's six steps (seed 000, 業務フロー): proposals, moves,
//! hearings, messages, matches, logic models, the decision, TRIPs, and the
//! events of it all (timelines and the change feed).
//!
//! Handler files never import each other: what they share is in
//! [`cases`] (a case's shape, visibility and checks), [`moves`] (the one
//! function that moves a case), [`coordination`] (hearing requests and
//! answers, match decisions), [`trip_view`] (a TRIP's shape and
//! visibility) and [`calendars`] (what the iCalendar outputs share).

pub mod assessment;
pub mod attachments;
pub mod calendars;
pub mod cases;
pub mod casework;
pub mod continuity;
pub mod coordination;
pub mod decision;
pub mod feed;
pub mod hearings;
pub mod intake;
pub mod logic_models;
pub mod matches;
pub mod messages;
pub mod moves;
pub mod network;
pub mod proposals;
pub mod public_trips;
pub mod publication;
pub mod transitions;
pub mod trip_view;
pub mod trips;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(proposals::list)
        .service(proposals::create)
        .service(proposals::get)
        .service(proposals::update)
        .service(transitions::transition)
        .service(feed::timeline)
        .service(hearings::request)
        .service(hearings::list)
        .service(hearings::get)
        .service(hearings::answer)
        .service(hearings::set_due_date)
        .service(casework::set_coordinator)
        .service(casework::set_decision_due_date)
        .service(casework::department_calendar)
        .service(messages::list)
        .service(messages::post)
        .service(feed::feed)
        .service(matches::propose)
        .service(matches::list)
        .service(matches::accept)
        .service(matches::decline)
        .service(matches::suggestions)
        .service(logic_models::save)
        .service(logic_models::latest)
        .service(logic_models::diff)
        .service(logic_models::versions)
        .service(logic_models::version)
        .service(logic_models::prefill)
        .service(decision::decide)
        .service(trips::list)
        .service(trips::get)
        .service(trips::update)
        .service(trips::measure)
        .service(trips::measurements)
        .service(trips::replace)
        .service(publication::get)
        .service(publication::set_consent)
        .service(publication::set_published)
        .service(public_trips::list)
        .service(intake::terms::get)
        .service(intake::submit::submit)
        .service(intake::confirm::confirm)
        .service(intake::organization::get)
        .service(intake::organization::settle)
        .service(intake::attachments::upload)
        .service(attachments::endpoints::upload_to_proposal)
        .service(attachments::endpoints::list_of_proposal)
        .service(attachments::endpoints::upload_to_hearing)
        .service(attachments::endpoints::list_of_hearing)
        .service(attachments::endpoints::upload_to_logic_model)
        .service(attachments::endpoints::list_of_logic_model)
        .service(attachments::endpoints::get)
        .service(attachments::endpoints::download)
        .service(assessment::put)
        .service(assessment::get)
        .configure(network::routes)
        .configure(continuity::routes);
}
