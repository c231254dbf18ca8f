//! The desk's cases: the workflow (its moves and what they set), proposals,
//! hearings and matches, logic models, match suggestions, TRIPs and the
//! vocabulary of the event log.

pub mod assessment;
pub mod attachment;
pub mod calendar;
pub mod coordination;
pub mod due;
pub mod feed;
pub mod logic_model;
pub mod network;
pub mod proposal;
pub mod suggestions;
pub mod trip;
pub mod workflow;
