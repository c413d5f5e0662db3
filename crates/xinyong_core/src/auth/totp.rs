//! The optional second factor of company accounts: time-based one-time
//! passwords (RFC 6238 over RFC 4226: HMAC-SHA-1, 30-second steps, six
//! digits), as every authenticator app computes them, and the base32 of
//! RFC 4648 their secrets are shown in. Hand-written because the two
//! functions are a dozen lines over the `hmac` and `sha1` crates; no TOTP or
//! base32 crate is in the dependency set. Test vectors: RFC 6238 Appendix B.

use hmac::{KeyInit, Mac};

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Steps either side of now that are accepted (clock drift of a phone).
pub const DRIFT_STEPS: i64 = 1;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for b in bytes {
        buffer = (buffer << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// RFC 4648 base32 (case, spaces and padding ignored); `None` when not base32.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = BASE32.iter().position(|b| char::from(*b) == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | v as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The six-digit code of `secret` at `step` (RFC 4226 dynamic truncation).
pub fn code_at(secret: &[u8], step: u64) -> u32 {
    let Ok(mut mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret) else { return u32::MAX };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary = (u32::from(digest[offset]) & 0x7f) << 24
        | u32::from(digest[offset + 1]) << 16
        | u32::from(digest[offset + 2]) << 8
        | u32::from(digest[offset + 3]);
    binary % 1_000_000
}

/// Whether `typed` is the code of `secret_base32` at `unix_seconds`, or one
/// step either side.
pub fn verify(secret_base32: &str, typed: &str, unix_seconds: i64) -> bool {
    let Some(secret) = base32_decode(secret_base32) else { return false };
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Ok(typed) = typed.parse::<u32>() else { return false };
    let now = unix_seconds.div_euclid(STEP_SECONDS);
    (now - DRIFT_STEPS..=now + DRIFT_STEPS)
        .filter_map(|s| u64::try_from(s).ok())
        .any(|s| crate::auth::constant_time_eq(&code_at(&secret, s).to_be_bytes(), &typed.to_be_bytes()))
}

/// The `otpauth://` URI an authenticator app reads (typed in, or from a QR
/// code the company makes of it).
pub fn otpauth_uri(issuer: &str, account: &str, secret_base32: &str) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_appendix_b_sha1_vectors() {
        let secret = b"12345678901234567890";
        // (time, 8-digit code); six digits are its last six.
        for (time, code) in [
            (59u64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
        ] {
            assert_eq!(code_at(secret, time / 30), code % 1_000_000, "t={time}");
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw6ytboi======").unwrap(), b"foobar");
        let secret = base32_encode(b"12345678901234567890");
        assert!(verify(&secret, "287082", 59));
        assert!(verify(&secret, "287 082", 59 + 30), "one step of drift");
        assert!(!verify(&secret, "287082", 59 + 90));
        assert!(!verify(&secret, "28708", 59));
    }
}
