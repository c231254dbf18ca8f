//! Ed25519 signing keys: loaded from `LIVING_GATE_JWT_KEY_FILE` (PEM, one or
//! more PKCS#8 private keys; the first signs, all verify, all are published
//! in the JWKS) or generated once into the data directory.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::SigningKey;
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;
use utoipa::ToSchema;

pub const GENERATED_KEY_FILE: &str = "jwt-signing-key.pem";

pub struct Key {
    pub kid: String,
    /// The raw public key, base64url (the JWK `x`).
    pub x: String,
    pub decoding: DecodingKey,
}

pub struct KeySet {
    signing_kid: String,
    encoding: EncodingKey,
    keys: Vec<Key>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path} holds no PKCS#8 Ed25519 private key (expected -----BEGIN PRIVATE KEY----- blocks)"
    )]
    NoKeys { path: String },
    #[error("{path}: key {index} is not a valid Ed25519 PKCS#8 key: {reason}")]
    Invalid {
        path: String,
        index: usize,
        reason: String,
    },
}

/// One JWK of the published set (RFC 7517, OKP keys of RFC 8037).
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwk {
    #[schema(example = "OKP")]
    pub kty: &'static str,
    #[schema(example = "Ed25519")]
    pub crv: &'static str,
    #[schema(example = "EdDSA")]
    pub alg: &'static str,
    #[serde(rename = "use")]
    #[schema(example = "sig")]
    pub use_: &'static str,
    /// RFC 7638 thumbprint of the key.
    pub kid: String,
    pub x: String,
}

/// `GET /.well-known/jwks.json`
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

impl KeySet {
    /// Loads the keys of a PEM file.
    pub fn from_pem_file(path: &Path) -> Result<KeySet, KeyError> {
        let display = path.display().to_string();
        let pem = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
            path: display.clone(),
            source,
        })?;
        Self::from_pem(&pem, &display)
    }

    pub fn from_pem(pem: &str, origin: &str) -> Result<KeySet, KeyError> {
        const BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
        let blocks: Vec<String> = pem
            .split(BEGIN)
            .skip(1)
            .map(|rest| format!("{BEGIN}{rest}"))
            .collect();
        let signing: Vec<SigningKey> = blocks
            .iter()
            .enumerate()
            .map(|(index, block)| {
                SigningKey::from_pkcs8_pem(block.trim()).map_err(|e| KeyError::Invalid {
                    path: origin.to_owned(),
                    index: index + 1,
                    reason: e.to_string(),
                })
            })
            .collect::<Result<_, _>>()?;
        let first = signing.first().ok_or_else(|| KeyError::NoKeys {
            path: origin.to_owned(),
        })?;
        let first_pem = first
            .to_pkcs8_pem(Default::default())
            .map_err(|e| KeyError::Invalid {
                path: origin.to_owned(),
                index: 1,
                reason: e.to_string(),
            })?;
        let encoding =
            EncodingKey::from_ed_pem(first_pem.as_bytes()).map_err(|e| KeyError::Invalid {
                path: origin.to_owned(),
                index: 1,
                reason: e.to_string(),
            })?;
        let keys = signing
            .iter()
            .enumerate()
            .map(|(index, key)| {
                let x = URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes());
                let decoding =
                    DecodingKey::from_ed_components(&x).map_err(|e| KeyError::Invalid {
                        path: origin.to_owned(),
                        index: index + 1,
                        reason: e.to_string(),
                    })?;
                Ok(Key {
                    kid: thumbprint(&x),
                    x,
                    decoding,
                })
            })
            .collect::<Result<Vec<_>, KeyError>>()?;
        Ok(KeySet {
            signing_kid: keys[0].kid.clone(),
            encoding,
            keys,
        })
    }

    /// Loads `dir/jwt-signing-key.pem`, generating it (mode 0600) on first use.
    pub fn load_or_generate(dir: &Path) -> Result<KeySet, KeyError> {
        let path = dir.join(GENERATED_KEY_FILE);
        if !path.exists() {
            std::fs::create_dir_all(dir).map_err(|source| KeyError::Write {
                path: dir.display().to_string(),
                source,
            })?;
            let pem = generate_pem();
            write_private(&path, pem.as_bytes()).map_err(|source| KeyError::Write {
                path: path.display().to_string(),
                source,
            })?;
        }
        Self::from_pem_file(&path)
    }

    pub fn signing_kid(&self) -> &str {
        &self.signing_kid
    }

    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    pub fn decoding_key(&self, kid: &str) -> Option<&DecodingKey> {
        self.keys.iter().find(|k| k.kid == kid).map(|k| &k.decoding)
    }

    pub fn jwks(&self) -> Jwks {
        Jwks {
            keys: self
                .keys
                .iter()
                .map(|k| Jwk {
                    kty: "OKP",
                    crv: "Ed25519",
                    alg: "EdDSA",
                    use_: "sig",
                    kid: k.kid.clone(),
                    x: k.x.clone(),
                })
                .collect(),
        }
    }
}

/// A new Ed25519 private key as PKCS#8 PEM.
pub fn generate_pem() -> String {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    key.to_pkcs8_pem(Default::default())
        .map(|pem| pem.to_string())
        .unwrap_or_default()
}

/// RFC 7638 JWK thumbprint of an Ed25519 public key.
fn thumbprint(x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// Writes a file readable by its owner only.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_key_signs_and_all_are_published() {
        let pem = format!("{}\n{}", generate_pem(), generate_pem());
        let keys = KeySet::from_pem(&pem, "test").expect("two valid keys");
        let jwks = keys.jwks();
        assert_eq!(jwks.keys.len(), 2);
        assert_eq!(keys.signing_kid(), jwks.keys[0].kid);
        assert_ne!(jwks.keys[0].kid, jwks.keys[1].kid);
        assert!(keys.decoding_key(&jwks.keys[1].kid).is_some());
        assert!(keys.decoding_key("nope").is_none());
    }

    #[test]
    fn rejects_files_without_keys() {
        assert!(matches!(
            KeySet::from_pem("hello", "test"),
            Err(KeyError::NoKeys { .. })
        ));
        let broken = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(matches!(
            KeySet::from_pem(broken, "test"),
            Err(KeyError::Invalid { .. })
        ));
    }
}
