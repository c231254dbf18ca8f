//! Secrets at rest that the server must read back (webhook signing secrets,
//! TOTP seeds, SMTP passwords): sealed with AES-256-GCM under a key from
//! configuration, so neither the database nor a backup holds them in clear.
//!
//! The key comes from `LIVING_GATE_SECRET_KEY` (32 bytes, base64) or is
//! generated once into `secret-key` in the data directory. Keys listed in
//! `LIVING_GATE_SECRET_KEY_PREVIOUS` (comma-separated) still open what they
//! sealed, so the key can be rotated without a flag day; [`SealingKeys::seal`]
//! always uses the current key.
//!
//! A sealed value is `0x01 | key id (4 bytes) | nonce (12) | ciphertext+tag`.
//! The key id is the first four bytes of the key's SHA-256, so a value names
//! the key that opens it. Every value is bound to a context (the row and
//! column it belongs to, as associated data): a sealed secret copied into
//! another row does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::Path;

pub const GENERATED_KEY_FILE: &str = "secret-key";
const VERSION: u8 = 1;
const HEADER: usize = 1 + 4 + 12;

struct Key {
    id: [u8; 4],
    cipher: Aes256Gcm,
}

impl Key {
    fn new(bytes: &[u8; 32]) -> Key {
        let digest = Sha256::digest(bytes);
        Key {
            id: [digest[0], digest[1], digest[2], digest[3]],
            cipher: Aes256Gcm::new(bytes.into()),
        }
    }
}

/// The current sealing key and the previous ones that still open.
pub struct SealingKeys {
    current: Key,
    previous: Vec<Key>,
}

#[derive(Debug, thiserror::Error)]
pub enum SealingError {
    #[error("{0}")]
    Config(String),
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Why a sealed value did not open.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("the sealed value is malformed")]
    Malformed,
    #[error("the sealed value was sealed with a key this server does not hold")]
    UnknownKey,
    #[error("the sealed value does not open (altered, or sealed for another context)")]
    Rejected,
}

fn decode_key(variable: &str, raw: &str) -> Result<[u8; 32], SealingError> {
    let bytes = STANDARD.decode(raw.trim()).map_err(|_| {
        SealingError::Config(format!(
            "{variable} is not base64 (generate one with: openssl rand -base64 32)"
        ))
    })?;
    bytes.try_into().map_err(|_| {
        SealingError::Config(format!(
            "{variable} must decode to 32 bytes (generate one with: openssl rand -base64 32)"
        ))
    })
}

impl SealingKeys {
    /// A fresh random key that nothing else knows (tests, throwaway states).
    pub fn random() -> SealingKeys {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SealingKeys {
            current: Key::new(&bytes),
            previous: Vec::new(),
        }
    }

    /// `current` and `previous` as base64 strings, as configured.
    pub fn from_base64(current: &str, previous: &[&str]) -> Result<SealingKeys, SealingError> {
        Ok(SealingKeys {
            current: Key::new(&decode_key("LIVING_GATE_SECRET_KEY", current)?),
            previous: previous
                .iter()
                .map(|raw| decode_key("LIVING_GATE_SECRET_KEY_PREVIOUS", raw).map(|k| Key::new(&k)))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The key in `data_dir/secret-key`, generated (mode 0600) on first use.
    pub fn load_or_generate(
        data_dir: &Path,
        previous: &[&str],
    ) -> Result<SealingKeys, SealingError> {
        let path = data_dir.join(GENERATED_KEY_FILE);
        let io = |source| SealingError::Io {
            path: path.display().to_string(),
            source,
        };
        if !path.exists() {
            std::fs::create_dir_all(data_dir).map_err(io)?;
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            crate::auth::keys::write_private(
                &path,
                format!("{}\n", STANDARD.encode(bytes)).as_bytes(),
            )
            .map_err(io)?;
        }
        let text = std::fs::read_to_string(&path).map_err(io)?;
        Self::from_base64(&text, previous)
    }

    /// Seals `plaintext` for `context` (e.g. `webhook-secret:<id>`).
    // AES-GCM fails only on inputs over 64 GiB; what we seal is a few bytes.
    #[allow(clippy::expect_used)]
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .current
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(HEADER + ciphertext.len());
        out.push(VERSION);
        out.extend_from_slice(&self.current.id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    /// Opens what [`SealingKeys::seal`] sealed for the same `context`, with
    /// the current or a previous key.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        if sealed.len() < HEADER + 16 || sealed[0] != VERSION {
            return Err(OpenError::Malformed);
        }
        let id = &sealed[1..5];
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)
            .ok_or(OpenError::UnknownKey)?;
        let nonce: [u8; 12] = sealed[5..HEADER]
            .try_into()
            .map_err(|_| OpenError::Malformed)?;
        key.cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &sealed[HEADER..],
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| OpenError::Rejected)
    }

    /// Whether `sealed` was sealed with an older key (worth re-sealing).
    pub fn is_stale(&self, sealed: &[u8]) -> bool {
        sealed.len() >= 5 && sealed[1..5] != self.current.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_for_its_context_only() {
        let keys = SealingKeys::random();
        let sealed = keys.seal("webhook-secret:1", b"whsec");
        assert_eq!(keys.open("webhook-secret:1", &sealed).unwrap(), b"whsec");
        assert_eq!(
            keys.open("webhook-secret:2", &sealed),
            Err(OpenError::Rejected)
        );
        assert!(!sealed.windows(5).any(|w| w == b"whsec"));
    }

    #[test]
    fn an_altered_value_is_rejected() {
        let keys = SealingKeys::random();
        let mut sealed = keys.seal("c", b"secret");
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert_eq!(keys.open("c", &sealed), Err(OpenError::Rejected));
        assert_eq!(keys.open("c", &sealed[..10]), Err(OpenError::Malformed));
    }

    #[test]
    fn a_previous_key_still_opens_and_an_unknown_one_does_not() {
        let old = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        let new = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
        let before = SealingKeys::from_base64(old, &[]).unwrap();
        let sealed = before.seal("c", b"seed");
        let rotated = SealingKeys::from_base64(new, &[old]).unwrap();
        assert_eq!(rotated.open("c", &sealed).unwrap(), b"seed");
        assert!(rotated.is_stale(&sealed));
        assert!(!rotated.is_stale(&rotated.seal("c", b"seed")));
        let forgotten = SealingKeys::from_base64(new, &[]).unwrap();
        assert_eq!(forgotten.open("c", &sealed), Err(OpenError::UnknownKey));
    }

    #[test]
    fn a_key_of_the_wrong_length_is_a_configuration_error() {
        assert!(SealingKeys::from_base64("c2hvcnQ=", &[]).is_err());
        assert!(SealingKeys::from_base64("not base64!", &[]).is_err());
    }
}
