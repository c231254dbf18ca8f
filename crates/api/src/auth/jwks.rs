//! The public signing keys, for anyone verifying our tokens.

use crate::auth::keys::Jwks;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};

/// The public keys that verify access tokens (RFC 7517), by `kid`.
#[utoipa::path(operation_id = "getJwks", 
    tag = "auth",
    security(()),
    responses((status = 200, description = "The key set", body = Jwks, example = json!({
        "keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
                  "kid": "fFqY2QhZr0n3W3cXl1rQ0Yk6m7X5pA1vQ6F0dZc8bUw",
                  "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]
    })))
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(state.keys.jwks())
}
