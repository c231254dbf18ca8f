//! What every handler can reach: the pool, the signing keys, the settings.

use crate::auth::keys::KeySet;
use crate::config::AuthConfig;
use living_gate_db::DbPool;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub keys: Arc<KeySet>,
    pub auth: Arc<AuthConfig>,
    /// The generated OpenAPI document, served at `/openapi.json` and used to
    /// answer 405 with `Allow` for known paths.
    pub openapi: Arc<utoipa::openapi::OpenApi>,
}
