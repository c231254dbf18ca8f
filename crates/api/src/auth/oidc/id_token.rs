//! Verification of an ID token (OpenID Connect Core §3.1.3.7): a signature
//! by one of the provider's published keys with an asymmetric algorithm,
//! `iss` exactly the provider's, `aud` naming our client (and `azp` ours
//! when there are several audiences), `exp` in the future, `iat` present,
//! and `nonce` the one we sent.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub const LEEWAY_SECS: u64 = 30;

/// What the token must say.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
}

/// Why an ID token was refused (the audit log's reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdTokenRefusal {
    #[error("malformed")]
    Malformed,
    #[error("algorithm")]
    Algorithm,
    /// No published key with this `kid` (after fetching the set again).
    #[error("unknown_key")]
    UnknownKey,
    #[error("signature")]
    Signature,
    #[error("issuer")]
    Issuer,
    #[error("audience")]
    Audience,
    #[error("expired")]
    Expired,
    #[error("not_yet_valid")]
    NotYetValid,
    #[error("nonce")]
    Nonce,
}

impl IdTokenRefusal {
    pub fn as_str(self) -> &'static str {
        match self {
            IdTokenRefusal::Malformed => "malformed",
            IdTokenRefusal::Algorithm => "algorithm",
            IdTokenRefusal::UnknownKey => "unknown_key",
            IdTokenRefusal::Signature => "signature",
            IdTokenRefusal::Issuer => "issuer",
            IdTokenRefusal::Audience => "audience",
            IdTokenRefusal::Expired => "expired",
            IdTokenRefusal::NotYetValid => "not_yet_valid",
            IdTokenRefusal::Nonce => "nonce",
        }
    }
}

/// The algorithms a provider may sign with: asymmetric only (`none` and
/// HMAC with a public value are the classic forgeries).
const ALLOWED: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// The key id the token names (to know whether to fetch the set again).
pub fn key_id(token: &str) -> Option<String> {
    jsonwebtoken::decode_header(token).ok()?.kid
}

/// Whether the set holds the key the token names.
pub fn has_key(keys: &JwkSet, token: &str) -> bool {
    match key_id(token) {
        Some(kid) => keys.find(&kid).is_some(),
        None => keys.keys.len() == 1,
    }
}

/// Verifies `token` against `keys` and returns its claims.
pub fn verify(
    keys: &JwkSet,
    expected: &Expected<'_>,
    token: &str,
) -> Result<Map<String, Value>, IdTokenRefusal> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| IdTokenRefusal::Malformed)?;
    if !ALLOWED.contains(&header.alg) {
        return Err(IdTokenRefusal::Algorithm);
    }
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid),
        // Without a kid, only an unambiguous set will do.
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    }
    .ok_or(IdTokenRefusal::UnknownKey)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| IdTokenRefusal::UnknownKey)?;
    let mut validation = Validation::new(header.alg);
    validation.leeway = LEEWAY_SECS;
    validation.validate_nbf = true;
    validation.set_issuer(&[expected.issuer]);
    validation.set_audience(&[expected.client_id]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => IdTokenRefusal::Expired,
            ErrorKind::ImmatureSignature => IdTokenRefusal::NotYetValid,
            ErrorKind::InvalidIssuer => IdTokenRefusal::Issuer,
            ErrorKind::InvalidAudience => IdTokenRefusal::Audience,
            ErrorKind::InvalidSignature => IdTokenRefusal::Signature,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                IdTokenRefusal::Algorithm
            }
            _ => IdTokenRefusal::Malformed,
        })?;
    // Several audiences: the authorized party must be us (Core §3.1.3.7 ¶5).
    if let Some(Value::Array(audiences)) = claims.get("aud") {
        if audiences.len() > 1
            && claims.get("azp").and_then(Value::as_str) != Some(expected.client_id)
        {
            return Err(IdTokenRefusal::Audience);
        }
    }
    if claims.get("nonce").and_then(Value::as_str) != Some(expected.nonce) {
        return Err(IdTokenRefusal::Nonce);
    }
    match claims.get("sub").and_then(Value::as_str) {
        Some(sub) if !sub.is_empty() && sub.len() <= 255 => Ok(claims),
        _ => Err(IdTokenRefusal::Malformed),
    }
}
