//! Living Gate's domain: the types and rules of the co-creation desk and the
//! regional resource directory. No HTTP, no SQL, no IO: everything here is
//! plain data and pure functions, unit-tested on its own.

pub mod actor;
pub mod code;
pub mod coordination;
pub mod csv;
pub mod directory;
pub mod email;
pub mod feed;
pub mod fiscal;
pub mod identity;
pub mod kpi;
pub mod logic_model;
pub mod names;
pub mod password_policy;
pub mod policy;
pub mod proposal;
pub mod role;
pub mod suggestions;
pub mod trip;
pub mod validation;
pub mod workflow;

pub use actor::Actor;
pub use code::Code;
pub use email::Email;
pub use policy::{authorize, Action, Denied};
pub use role::Role;
pub use validation::{FieldError, ValidationErrors};
