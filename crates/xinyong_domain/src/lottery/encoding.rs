//! The byte layout shared by the pool, roster and seed encodings
//! (`docs/LOTTERY.md` §2): big-endian integers, UTF-8 strings prefixed with
//! their byte length as a u32, raw 32-byte digests. Length prefixes make the
//! encoding injective, so two different pools can never share one digest
//! input by moving a boundary between fields.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::error::LotteryError;

/// A SHA-256 value: the pool, plan and roster digests, the seed, a checkpoint
/// root. Shown and serialised as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Hash256([u8; 32]);

impl Hash256 {
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// Exactly 64 hex digits, either case (a published value typed back in).
    pub fn parse_hex(raw: &str) -> Result<Self, LotteryError> {
        let bad = || LotteryError::Hex { found: raw.chars().take(80).collect() };
        let bytes = raw.as_bytes();
        if bytes.len() != 64 {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let (Some(hi), Some(lo)) = (hex_value(pair[0]), hex_value(pair[1])) else { return Err(bad()) };
            *o = hi << 4 | lo;
        }
        Ok(Self(out))
    }
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Lower-case hex of any byte string (the test vectors print encodings so).
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

impl fmt::Display for Hash256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl fmt::Debug for Hash256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash256({self})")
    }
}

impl FromStr for Hash256 {
    type Err = LotteryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_hex(s)
    }
}

impl TryFrom<String> for Hash256 {
    type Error = LotteryError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse_hex(&s)
    }
}

impl From<Hash256> for String {
    fn from(h: Hash256) -> String {
        h.to_string()
    }
}

/// Where an encoding goes: a byte vector (for the test vectors) or straight
/// into SHA-256 (for a million-member pool, without a 22 MB copy).
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);

    fn put_u32(&mut self, v: u32) {
        self.put(&v.to_be_bytes());
    }

    fn put_u64(&mut self, v: u64) {
        self.put(&v.to_be_bytes());
    }

    /// u32 byte length, then the UTF-8 bytes. Every string reaching here was
    /// validated far below 4 GiB, so the saturation never happens.
    fn put_str(&mut self, s: &str) {
        self.put_u32(u32::try_from(s.len()).unwrap_or(u32::MAX));
        self.put(s.as_bytes());
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// SHA-256 fed in 64 KiB chunks: one `update` per 18-byte USCC costs more
/// than the hashing itself.
pub(crate) struct Hashing {
    hasher: Sha256,
    buffer: Vec<u8>,
}

const CHUNK: usize = 1 << 16;

impl Hashing {
    pub(crate) fn new() -> Self {
        Self { hasher: Sha256::new(), buffer: Vec::with_capacity(CHUNK + 256) }
    }

    pub(crate) fn finish(mut self) -> Hash256 {
        self.hasher.update(&self.buffer);
        Hash256(self.hasher.finalize().into())
    }
}

impl Sink for Hashing {
    fn put(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.hasher.update(&self.buffer);
            self.buffer.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_rejects_bad_input() {
        let h = Hash256::of(b"abc");
        assert_eq!(h.to_string(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(Hash256::parse_hex(&h.to_string().to_uppercase()), Ok(h));
        assert!(Hash256::parse_hex("ba78").is_err());
        assert!(Hash256::parse_hex(&"g".repeat(64)).is_err());
        assert!(Hash256::parse_hex(&"é".repeat(32)).is_err());
    }

    #[test]
    fn chunked_hashing_equals_one_shot() {
        let mut bytes = Vec::new();
        let mut hashing = Hashing::new();
        for i in 0..20_000u32 {
            bytes.put_str(&i.to_string());
            hashing.put_str(&i.to_string());
        }
        assert_eq!(hashing.finish(), Hash256::of(&bytes));
    }
}
