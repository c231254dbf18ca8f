//! Opaque secrets handed out once (refresh tokens, invitation tokens,
//! client secrets) and the SHA-256 hashes they are stored as.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes, base64url: 43 characters, 256 bits of entropy.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A six-digit one-time code (an intake's e-mail proof), uniform over
/// 000000–999999.
pub fn random_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
}

/// The stored form of a high-entropy token. A plain SHA-256 is enough for
/// 256-bit random values (no dictionary to attack), and lets us look the
/// token up by its hash.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
