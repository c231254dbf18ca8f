//! The four-city platform's own records (issue 19): residents introduced to
//! directory entries across city borders and the figures they make; liaison
//! meetings with their follow-ups; events and their reach.

mod events;
mod meetings;
mod referrals;
