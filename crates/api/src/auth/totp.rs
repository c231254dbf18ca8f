//! TOTP (RFC 6238) as a second factor of local accounts: HMAC-SHA-1,
//! 6 digits, 30-second steps, one step of clock drift either way. A code is
//! accepted once: the step it matched is stored, and a code of that step
//! or an earlier one is refused afterwards.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

pub const DIGITS: u32 = 6;
pub const STEP_SECS: i64 = 30;
/// Steps of drift accepted before and after the current one.
pub const DRIFT_STEPS: i64 = 1;
/// 160 bits, the size RFC 4226 recommends for HMAC-SHA-1.
pub const SEED_BYTES: usize = 20;

/// A fresh random seed.
pub fn new_seed() -> Vec<u8> {
    let mut seed = vec![0u8; SEED_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    seed
}

/// HOTP (RFC 4226 §5.3) with `digits` digits.
pub fn hotp(seed: &[u8], counter: u64, digits: u32) -> u32 {
    // HMAC takes keys of any length: this cannot fail.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(seed) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    let binary = (u32::from(hash[offset]) & 0x7f) << 24
        | u32::from(hash[offset + 1]) << 16
        | u32::from(hash[offset + 2]) << 8
        | u32::from(hash[offset + 3]);
    binary % 10u32.pow(digits)
}

/// The time step of a Unix time.
pub fn step_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The 6-digit code of a step, zero-padded.
pub fn code_for_step(seed: &[u8], step: i64) -> String {
    let counter = u64::try_from(step).unwrap_or(0);
    format!(
        "{:0width$}",
        hotp(seed, counter, DIGITS),
        width = DIGITS as usize
    )
}

/// The step `code` matches around `unix_secs` (±[`DRIFT_STEPS`]), if it is
/// later than `last_used_step`. Compared in constant time per candidate.
pub fn verify(seed: &[u8], code: &str, unix_secs: i64, last_used_step: Option<i64>) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix_secs);
    let mut matched = None;
    for step in (now - DRIFT_STEPS)..=(now + DRIFT_STEPS) {
        let candidate = code_for_step(seed, step);
        let equal = candidate
            .bytes()
            .zip(code.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if equal && last_used_step.is_none_or(|last| step > last) && matched.is_none() {
            matched = Some(step);
        }
    }
    matched
}

/// The seed as base32 (what authenticator apps take).
pub fn base32(seed: &[u8]) -> String {
    BASE32_NOPAD.encode(seed)
}

/// The `otpauth://` URI an authenticator app reads (as a QR code).
pub fn otpauth_uri(seed: &[u8], issuer: &str, account: &str) -> String {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    let issuer_enc = utf8_percent_encode(issuer, NON_ALPHANUMERIC).to_string();
    let account_enc = utf8_percent_encode(account, NON_ALPHANUMERIC).to_string();
    format!(
        "otpauth://totp/{issuer_enc}:{account_enc}?secret={}&issuer={issuer_enc}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        base32(seed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, the SHA-1 rows (8 digits, the seed is the
    /// ASCII string "12345678901234567890").
    #[test]
    fn rfc_6238_appendix_b_sha1_vectors() {
        let seed = b"12345678901234567890";
        for (time, expected) in [
            (59u64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(hotp(seed, time / 30, 8), expected, "T = {time}");
            // Six digits are the last six of the eight.
            assert_eq!(hotp(seed, time / 30, 6), expected % 1_000_000, "T = {time}");
        }
        assert_eq!(code_for_step(seed, 1111111109 / 30), "081804");
    }

    #[test]
    fn one_step_of_drift_either_way_and_never_twice() {
        let seed = b"12345678901234567890";
        let now = 1_111_111_111;
        let step = step_of(now);
        let previous = code_for_step(seed, step - 1);
        let next = code_for_step(seed, step + 1);
        let far = code_for_step(seed, step + 2);
        assert_eq!(verify(seed, &previous, now, None), Some(step - 1));
        assert_eq!(verify(seed, &next, now, None), Some(step + 1));
        assert_eq!(verify(seed, &far, now, None), None);
        let current = code_for_step(seed, step);
        assert_eq!(verify(seed, &current, now, Some(step)), None, "replayed");
        assert_eq!(
            verify(seed, &previous, now, Some(step)),
            None,
            "older than the last used"
        );
        assert_eq!(verify(seed, "12345", now, None), None);
        assert_eq!(verify(seed, "abcdef", now, None), None);
    }

    #[test]
    fn the_uri_carries_the_base32_seed() {
        let uri = otpauth_uri(
            b"12345678901234567890",
            "Living Gate",
            "desk@zama.example.jp",
        );
        assert!(uri.starts_with("otpauth://totp/Living%20Gate:desk%40zama%2Eexample%2Ejp?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"), "{uri}");
        assert!(uri.contains("digits=6&period=30"));
    }
}
