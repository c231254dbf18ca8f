//! Notifications (issue 15): the mails a write causes, planned and put in
//! the outbox in the write's own transaction ([`plan`], called by
//! [`crate::record::write`]); the worker inside `living-gate serve` that
//! delivers them ([`worker`]) over SMTP or into a folder of `.eml` files
//! ([`transport`]); and the links mails carry ([`links`]).

pub mod links;
pub mod plan;
pub mod transport;
pub mod worker;
