//! The four-city platform's own records: residents' introductions, liaison
//! meetings with their follow-ups, events with their reach.

pub mod events;
pub mod meetings;
pub mod referrals;
