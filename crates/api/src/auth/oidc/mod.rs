//! Signing in with an OpenID Connect provider (issue 17): the relying
//! party's HTTP client ([`client`]), ID-token verification ([`id_token`]),
//! the endpoints of the code flow ([`flow`]) and the choice of account
//! ([`accounts`]).

pub mod accounts;
pub mod client;
pub mod flow;
pub mod id_token;
