//! Argon2id password hashing, with the OWASP-recommended parameters
//! (m = 19 MiB, t = 2, p = 1) that the argon2 crate uses by default.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::OnceLock;

pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Verifies `password` against `stored`; with no stored hash (unknown
/// account) it verifies against a fixed dummy hash so the answer takes as
/// long as for a real account.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("dummy password for timing").unwrap_or_default());
    let (candidate, real) = match stored {
        Some(stored) => (stored, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(candidate) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && real
}

/// Runs `verify` or `hash` off the async executor: they take tens of milliseconds.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, crate::http::problem::ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        crate::http::problem::ApiError::internal(
            anyhow::Error::new(e).context("hashing task failed"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let stored = hash("correct horse battery staple").expect("hash");
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify("correct horse battery staple", Some(&stored)));
        assert!(!verify("correct horse battery stapler", Some(&stored)));
        assert!(!verify("dummy password for timing", None));
    }
}
