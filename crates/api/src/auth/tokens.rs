//! Access tokens: EdDSA-signed JWTs with `kid`, checked strictly.

use super::keys::KeySet;
use crate::http::problem::TokenRefusal;
use crate::startup::config::AuthConfig;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation};
use living_gate_domain::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: u64 = 5;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user id, or the service account id.
    pub sub: Uuid,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dept: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muni: Option<Uuid>,
    /// Present on service-account tokens (RFC 9068).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: Uuid,
    pub iss: String,
    pub aud: String,
}

/// The identity an access token is issued for.
pub struct Subject {
    pub id: Uuid,
    pub role: Role,
    pub department_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub municipality_id: Option<Uuid>,
    pub client_id: Option<String>,
}

pub fn issue(
    keys: &KeySet,
    config: &AuthConfig,
    subject: &Subject,
) -> Result<(String, Claims), String> {
    let now = chrono::Utc::now().timestamp();
    let ttl = i64::try_from(config.access_token_ttl.as_secs()).unwrap_or(900);
    let claims = Claims {
        sub: subject.id,
        role: subject.role,
        dept: subject.department_id,
        org: subject.organization_id,
        muni: subject.municipality_id,
        client_id: subject.client_id.clone(),
        iat: now,
        nbf: now,
        exp: now + ttl,
        jti: Uuid::now_v7(),
        iss: config.issuer.clone(),
        aud: config.audience.clone(),
    };
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(keys.signing_kid().to_owned());
    let token =
        jsonwebtoken::encode(&header, &claims, keys.encoding_key()).map_err(|e| e.to_string())?;
    Ok((token, claims))
}

/// Tokens that verified, by SHA-256 of the token, until they expire.
///
/// Ed25519 verification was the largest single cost of an authenticated
/// read (about a sixth of the API's CPU in the profile in BENCHMARKS.md); a
/// token verified once is valid until its `exp` whatever else happens, so
/// its claims can be reused. Revocation and the account's state are still
/// checked in the database on every request. Bounded: when full, expired
/// entries go, and if that is not enough, everything does.
#[derive(Default)]
pub struct VerifiedTokens {
    entries: std::sync::Mutex<std::collections::HashMap<[u8; 32], Claims>>,
}

impl VerifiedTokens {
    pub const CAPACITY: usize = 50_000;

    fn key(token: &str) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        Sha256::digest(token.as_bytes()).into()
    }

    /// Like [`verify`], answering from the cache when it can.
    pub fn verify(
        &self,
        keys: &KeySet,
        config: &AuthConfig,
        token: &str,
    ) -> Result<Claims, TokenRefusal> {
        let key = Self::key(token);
        let now = chrono::Utc::now().timestamp();
        let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
        if let Ok(entries) = self.entries.lock() {
            if let Some(claims) = entries.get(&key) {
                return if claims.exp + leeway > now {
                    Ok(claims.clone())
                } else {
                    Err(TokenRefusal::Expired)
                };
            }
        }
        let claims = verify(keys, config, token)?;
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= Self::CAPACITY {
                entries.retain(|_, c| c.exp + leeway > now);
                if entries.len() >= Self::CAPACITY {
                    entries.clear();
                }
            }
            entries.insert(key, claims.clone());
        }
        Ok(claims)
    }
}

/// Checks signature, algorithm, key id, issuer, audience, expiry and `nbf`.
pub fn verify(keys: &KeySet, config: &AuthConfig, token: &str) -> Result<Claims, TokenRefusal> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenRefusal::Malformed)?;
    if header.alg != Algorithm::EdDSA {
        return Err(TokenRefusal::Algorithm);
    }
    let kid = header.kid.ok_or(TokenRefusal::UnknownKey)?;
    let key = keys.decoding_key(&kid).ok_or(TokenRefusal::UnknownKey)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.leeway = LEEWAY_SECS;
    validation.validate_nbf = true;
    validation.set_issuer(&[&config.issuer]);
    validation.set_audience(&[&config.audience]);
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
    jsonwebtoken::decode::<Claims>(token, key, &validation)
        .map(|data| data.claims)
        .map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => TokenRefusal::Expired,
            ErrorKind::ImmatureSignature => TokenRefusal::NotYetValid,
            ErrorKind::InvalidIssuer => TokenRefusal::Issuer,
            ErrorKind::InvalidAudience => TokenRefusal::Audience,
            ErrorKind::InvalidSignature => TokenRefusal::Signature,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                TokenRefusal::Algorithm
            }
            _ => TokenRefusal::Malformed,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::keys::generate_pem;
    use crate::startup::config::Config;

    fn subject() -> Subject {
        Subject {
            id: Uuid::now_v7(),
            role: Role::Desk,
            department_id: None,
            organization_id: None,
            municipality_id: Some(Uuid::now_v7()),
            client_id: None,
        }
    }

    #[test]
    fn the_cache_answers_like_verify_and_never_revives_a_bad_token() {
        let config = Config::from_lookup(|_| None).expect("defaults").auth;
        let keys = KeySet::from_pem(&generate_pem(), "k").expect("key");
        let cache = VerifiedTokens::default();
        let (token, claims) = issue(&keys, &config, &subject()).expect("token");
        assert_eq!(cache.verify(&keys, &config, &token), Ok(claims.clone()));
        assert_eq!(
            cache.verify(&keys, &config, &token),
            Ok(claims),
            "second answer from the cache"
        );
        let other_keys = KeySet::from_pem(&generate_pem(), "other").expect("key");
        let (foreign, _) = issue(&other_keys, &config, &subject()).expect("token");
        assert_eq!(
            cache.verify(&keys, &config, &foreign),
            Err(TokenRefusal::UnknownKey)
        );
        assert_eq!(
            cache.verify(&keys, &config, &foreign),
            Err(TokenRefusal::UnknownKey),
            "refusals are not cached as successes"
        );
    }

    #[test]
    fn rotation_keeps_tokens_of_the_previous_key_valid() {
        let config = Config::from_lookup(|_| None).expect("defaults").auth;
        let (old, new) = (generate_pem(), generate_pem());
        let before = KeySet::from_pem(&old, "old").expect("old key");
        let (token, claims) = issue(&before, &config, &subject()).expect("token");
        // The new key signs; the old one is still loaded to verify.
        let rotated = KeySet::from_pem(&format!("{new}{old}"), "rotated").expect("both keys");
        assert_ne!(rotated.signing_kid(), before.signing_kid());
        assert_eq!(verify(&rotated, &config, &token), Ok(claims));
        // Once the old key is dropped, its tokens are refused.
        let after = KeySet::from_pem(&new, "new").expect("new key");
        assert_eq!(
            verify(&after, &config, &token),
            Err(TokenRefusal::UnknownKey)
        );
        let (fresh, _) = issue(&rotated, &config, &subject()).expect("token");
        assert!(verify(&after, &config, &fresh).is_ok());
    }
}
