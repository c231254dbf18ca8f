//! Who may do what: the actor, roles, the access policy and the password
//! policy.

pub mod actor;
pub mod password_policy;
pub mod policy;
pub mod role;
pub mod row_scope;
