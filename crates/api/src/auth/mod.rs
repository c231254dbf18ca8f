//! Authentication: signing keys and JWKS, access tokens, password and secret
//! hashing, and the extractor that turns a bearer token into an [`Actor`].
//!
//! [`Actor`]: living_gate_domain::Actor

pub mod caller;
pub mod keys;
pub mod passwords;
pub mod secrets;
pub mod tokens;

pub use caller::{Caller, MaybeCaller};
