//! The notification side of the outbox (issue 15, engineer notify): who an
//! event's mail goes to ([`recipients`]), the worker's claims and marks and
//! the delivery log ([`delivery`]), and each user's choices
//! ([`preferences`]). Enqueueing itself is [`crate::outbox::enqueue`].

pub mod delivery;
pub mod preferences;
pub mod recipients;
