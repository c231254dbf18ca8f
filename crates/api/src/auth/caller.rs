//! Who is calling: an authenticated [`Caller`] (its [`Actor`] and where the
//! request came from), or [`MaybeCaller`] for endpoints open to the public.
//! [`super::authenticate`] is how a request becomes one.

use crate::http::request_context::RequestMeta;
use living_gate_domain::Actor;
use uuid::Uuid;

/// An authenticated caller, its scope re-read from the database on every request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub token_id: Uuid,
    pub token_expires_at: i64,
    pub meta: RequestMeta,
}

/// A caller who may be anonymous: no `Authorization` header gives `None`,
/// a bad token is still refused.
pub struct MaybeCaller(pub Option<Caller>);

impl crate::record::Author for Caller {
    fn actor(&self) -> &Actor {
        &self.actor
    }
    fn meta(&self) -> &RequestMeta {
        &self.meta
    }
}
