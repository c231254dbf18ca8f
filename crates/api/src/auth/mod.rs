//! Authentication: login, refresh, logout and client credentials, signing
//! keys and JWKS, access tokens, password and secret hashing, and the
//! extractor that turns a bearer token into an [`Actor`].
//!
//! [`Actor`]: living_gate_domain::Actor

pub mod account_cache;
pub mod authenticate;
pub mod caller;
pub mod keys;
pub mod oidc;
pub mod passwords;
pub mod sealing;
pub mod secrets;
pub mod tokens;

pub use caller::{Caller, MaybeCaller};

pub mod jwks;
pub mod login;
pub mod me;
pub mod password_reset;
pub mod second_factor;
pub mod totp;

use utoipa_actix_web::service_config::ServiceConfig;

/// The `/v1` endpoints of the room (the JWKS is served at the root).
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(login::login)
        .service(login::refresh)
        .service(login::logout)
        .service(login::token)
        .service(me::me)
        .service(password_reset::request)
        .service(password_reset::confirm)
        .service(oidc::flow::list_providers)
        .service(oidc::flow::start)
        .service(oidc::flow::callback)
        .service(second_factor::enrol)
        .service(second_factor::confirm);
}
