//! The four-city platform's own records: residents' introductions.

pub mod referrals;
