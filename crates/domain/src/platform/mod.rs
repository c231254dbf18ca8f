//! The four-city platform's own work (seed 002), beside the directory:
//! residents introduced across city borders ([`referral`]), liaison
//! meetings with their follow-ups ([`meeting`]) and the events that raise
//! awareness, with their reach ([`event`]); the content of the survey's
//! answers ([`survey`]).

pub mod event;
pub mod meeting;
pub mod referral;
pub mod survey;
