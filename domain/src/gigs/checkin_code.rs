//! Rotating check-in codes: TOTP as RFC 6238 defines it (HMAC-SHA256, 30-second steps,
//! six digits by RFC 4226's dynamic truncation) over a secret each business holds. The
//! merchant's device shows the code of the current step; a worker standing in front of it
//! types or scans it. A code is accepted for its own step and the steps on either side (a
//! device clock a little off, a worker typing across a step boundary), so it lives at most
//! 90 seconds; a code derived from another business's secret matches nothing here.
//!
//! Standard TOTP on purpose: any authenticator implementation on the merchant's device can
//! show the same codes from the same secret.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// Seconds per code.
pub const STEP_SECS: i64 = 30;
/// Digits per code.
pub const DIGITS: usize = 6;
/// Steps accepted either side of the current one.
pub const TOLERANCE_STEPS: i64 = 1;

/// The step `at` falls in (Unix time divided by [`STEP_SECS`]).
pub fn step_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP_SECS)
}

/// When the step starts.
pub fn step_start(step: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(step * STEP_SECS, 0).unwrap_or_default()
}

/// A new secret: 32 random bytes, as 64 lowercase hex characters.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The code of `step` for `secret` (the raw key bytes).
pub fn code_at(secret: &[u8], step: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(DIGITS as u32),
        width = DIGITS
    )
}

/// Compares without stopping at the first difference, so timing tells nothing about how
/// much of a guessed code was right.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The step `code` belongs to, if it is the code of the step of `now` or one either side.
pub fn verify(secret: &[u8], code: &str, now: DateTime<Utc>) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_of(now);
    // Every candidate is computed and compared, whichever matches.
    let mut found = None;
    for step in current - TOLERANCE_STEPS..=current + TOLERANCE_STEPS {
        if same(&code_at(secret, step), code) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_KEY: &[u8] = b"12345678901234567890123456789012";

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn matches_the_rfc_6238_sha256_vectors() {
        // RFC 6238 appendix B gives eight digits; six-digit codes are their last six.
        for (time, eight) in [
            (59, "46119246"),
            (1_111_111_109, "68084774"),
            (1_111_111_111, "67062674"),
            (1_234_567_890, "91819424"),
            (2_000_000_000, "90698825"),
            (20_000_000_000, "77737706"),
        ] {
            assert_eq!(code_at(RFC_KEY, step_of(at(time))), eight[2..], "t={time}");
        }
    }

    #[test]
    fn accepts_one_step_either_side_and_no_more() {
        let now = at(1_800_000_015);
        let step = step_of(now);
        for delta in -1..=1 {
            let code = code_at(RFC_KEY, step + delta);
            assert_eq!(verify(RFC_KEY, &code, now), Some(step + delta));
        }
        for delta in [-3, -2, 2, 3] {
            let code = code_at(RFC_KEY, step + delta);
            assert_eq!(verify(RFC_KEY, &code, now), None, "delta {delta}");
        }
    }

    #[test]
    fn another_secret_or_a_malformed_code_is_refused() {
        let now = at(1_800_000_000);
        let other = b"another business's secret, 32 b!";
        let code = code_at(other, step_of(now));
        // (These two secrets happen not to share a code around this time.)
        assert_eq!(verify(RFC_KEY, &code, now), None);
        assert_eq!(verify(other, &code, now), Some(step_of(now)));
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert_eq!(verify(RFC_KEY, bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn secrets_are_random_hex() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn steps_start_on_thirty_second_boundaries() {
        assert_eq!(step_of(at(59)), 1);
        assert_eq!(step_of(at(60)), 2);
        assert_eq!(step_start(2), at(60));
        assert_eq!(step_of(at(-1)), -1);
    }
}
