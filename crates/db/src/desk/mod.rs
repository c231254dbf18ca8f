//! The desk's cases: proposals, their events (timelines and the change
//! feed), hearings, matches, messages, logic models and TRIPs.

pub mod assessments;
pub mod attachments;
pub mod case_management;
pub mod events;
pub mod follow_ons;
pub mod hearings;
pub mod history;
pub mod intake_submissions;
pub mod logic_models;
pub mod matches;
pub mod messages;
pub mod model_cases;
pub mod network_matches;
pub mod programmes;
pub mod proposals;
pub mod reminders;
pub mod trip_publications;
pub mod trip_resources;
pub mod trips;
