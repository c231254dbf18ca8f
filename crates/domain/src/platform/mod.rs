//! The four-city platform's own work (seed 002), beside the directory:
//! residents introduced across city borders ([`referral`]).

pub mod referral;
