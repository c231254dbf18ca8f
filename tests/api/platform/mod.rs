//! The four-city platform's own records (issue 19): residents introduced to
//! directory entries across city borders, and the figures they make.

mod referrals;
