//! Living Gate's domain: the types and rules of the co-creation desk and the
//! regional resource directory. No HTTP, no SQL, no IO: everything here is
//! plain data and pure functions, unit-tested on its own.

pub mod access;
pub mod backup;
pub mod code;
pub mod csv;
pub mod desk;
pub mod directory;
pub mod email;
pub mod fiscal;
pub mod identity;
pub mod intake;
pub mod kpi;
pub mod names;
pub mod notify;
pub mod platform;
pub mod retention;
pub mod signin;
pub mod validation;
pub mod webhooks;

pub use access::actor::Actor;
pub use access::policy::{authorize, Action, Denied};
pub use access::role::Role;
pub use code::Code;
pub use email::Email;
pub use validation::{FieldError, ValidationErrors};
