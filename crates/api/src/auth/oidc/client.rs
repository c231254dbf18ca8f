//! The relying party's side of the wire: discovery
//! (`/.well-known/openid-configuration`), the provider's JWKS, the token
//! endpoint (authorization code with PKCE) and the userinfo endpoint.
//! Discovery documents and key sets are cached for a few minutes; an ID
//! token signed with a key not in the cached set fetches the set again
//! once (the provider rotated).

use jsonwebtoken::jwk::JwkSet;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a discovery document and a key set are reused.
const CACHE_TTL: Duration = Duration::from_secs(300);
const TIMEOUT: Duration = Duration::from_secs(10);
/// Larger answers are refused (a provider's answers are a few KiB).
const MAX_BODY: usize = 256 * 1024;

/// What the provider publishes about itself (OpenID Connect Discovery 1.0 §3).
#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
}

/// The answer of the token endpoint.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    pub id_token: Option<String>,
    pub access_token: Option<String>,
}

/// Why talking to the provider failed.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// Unreachable, slow, or answering something that is not what the
    /// protocol says: the sign-in cannot go on (502).
    #[error("the identity provider failed: {0}")]
    Failed(String),
    /// The provider refused what we sent (a spent or unknown code, a PKCE
    /// mismatch): the person must start again (401).
    #[error("the identity provider refused the request: {0}")]
    Refused(String),
}

struct Cached<T> {
    at: Instant,
    value: Arc<T>,
}

/// An HTTP client for identity providers, with its caches; one per app.
pub struct OidcClient {
    http: reqwest::Client,
    metadata: Mutex<HashMap<String, Cached<Metadata>>>,
    keys: Mutex<HashMap<String, Cached<JwkSet>>>,
}

impl Default for OidcClient {
    fn default() -> Self {
        OidcClient::new()
    }
}

fn failed(context: &str) -> impl Fn(reqwest::Error) -> ProviderError + '_ {
    move |e| ProviderError::Failed(format!("{context}: {e}"))
}

impl OidcClient {
    pub fn new() -> OidcClient {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("living-gate")
            .build()
            .unwrap_or_default();
        OidcClient {
            http,
            metadata: Mutex::new(HashMap::new()),
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn cached<T>(map: &Mutex<HashMap<String, Cached<T>>>, key: &str) -> Option<Arc<T>> {
        let map = map.lock().ok()?;
        map.get(key)
            .filter(|c| c.at.elapsed() < CACHE_TTL)
            .map(|c| Arc::clone(&c.value))
    }

    fn store<T>(map: &Mutex<HashMap<String, Cached<T>>>, key: &str, value: T) -> Arc<T> {
        let value = Arc::new(value);
        if let Ok(mut map) = map.lock() {
            map.insert(
                key.to_owned(),
                Cached {
                    at: Instant::now(),
                    value: Arc::clone(&value),
                },
            );
        }
        value
    }

    async fn json(response: reqwest::Response, context: &str) -> Result<Value, ProviderError> {
        let status = response.status();
        let bytes = response.bytes().await.map_err(failed(context))?;
        if bytes.len() > MAX_BODY {
            return Err(ProviderError::Failed(format!(
                "{context}: answer too large"
            )));
        }
        let body: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ProviderError::Failed(format!("{context}: not JSON ({e})")))?;
        if status.is_client_error() {
            let error = body.get("error").and_then(Value::as_str).unwrap_or("?");
            return Err(ProviderError::Refused(format!(
                "{context}: {status} {error}"
            )));
        }
        if !status.is_success() {
            return Err(ProviderError::Failed(format!("{context}: {status}")));
        }
        Ok(body)
    }

    /// The provider's metadata, whose `issuer` must be exactly `issuer`
    /// (Discovery §4.3: otherwise anyone serving that path could pose as it).
    pub async fn discover(&self, issuer: &str) -> Result<Arc<Metadata>, ProviderError> {
        if let Some(found) = Self::cached(&self.metadata, issuer) {
            return Ok(found);
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let response = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(failed("discovery"))?;
        let body = Self::json(response, "discovery").await?;
        let metadata: Metadata = serde_json::from_value(body)
            .map_err(|e| ProviderError::Failed(format!("discovery: {e}")))?;
        if metadata.issuer != issuer {
            return Err(ProviderError::Failed(format!(
                "discovery: the document names issuer {} instead of {issuer}",
                metadata.issuer
            )));
        }
        Ok(Self::store(&self.metadata, issuer, metadata))
    }

    /// The provider's signing keys; `fresh` skips the cache.
    pub async fn keys(
        &self,
        metadata: &Metadata,
        fresh: bool,
    ) -> Result<Arc<JwkSet>, ProviderError> {
        if !fresh {
            if let Some(found) = Self::cached(&self.keys, &metadata.jwks_uri) {
                return Ok(found);
            }
        }
        let response = self
            .http
            .get(&metadata.jwks_uri)
            .send()
            .await
            .map_err(failed("jwks"))?;
        let body = Self::json(response, "jwks").await?;
        // Keys of kinds we do not know are skipped, not fatal.
        let keys: Vec<Value> = body
            .get("keys")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let set = JwkSet {
            keys: keys
                .into_iter()
                .filter_map(|k| serde_json::from_value(k).ok())
                .collect(),
        };
        Ok(Self::store(&self.keys, &metadata.jwks_uri, set))
    }

    /// Exchanges an authorization code (RFC 6749 §4.1.3, with the PKCE
    /// verifier of RFC 7636), authenticating with `client_secret_basic`
    /// when there is a secret.
    pub async fn exchange_code(
        &self,
        metadata: &Metadata,
        client_id: &str,
        client_secret: Option<&str>,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
    ) -> Result<TokenResponse, ProviderError> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier),
        ];
        let mut request = self.http.post(&metadata.token_endpoint);
        match client_secret {
            Some(secret) => {
                // RFC 6749 §2.3.1: both form-urlencoded before Basic.
                let enc = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                request = request.basic_auth(enc(client_id), Some(enc(secret)));
            }
            None => form.push(("client_id", client_id)),
        }
        let response = request
            .form(&form)
            .send()
            .await
            .map_err(failed("token endpoint"))?;
        let body = Self::json(response, "token endpoint").await?;
        serde_json::from_value(body)
            .map_err(|e| ProviderError::Failed(format!("token endpoint: {e}")))
    }

    /// The userinfo claims (OpenID Connect Core §5.3) for `access_token`.
    pub async fn userinfo(
        &self,
        metadata: &Metadata,
        access_token: &str,
    ) -> Result<Map<String, Value>, ProviderError> {
        let endpoint = metadata
            .userinfo_endpoint
            .as_deref()
            .ok_or_else(|| ProviderError::Failed("the provider has no userinfo endpoint".into()))?;
        let response = self
            .http
            .get(endpoint)
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(failed("userinfo"))?;
        match Self::json(response, "userinfo").await? {
            Value::Object(claims) => Ok(claims),
            _ => Err(ProviderError::Failed("userinfo: not an object".into())),
        }
    }
}
