//! The draw's random stream (`docs/LOTTERY.md` §5): the ChaCha20 keystream
//! of RFC 8439 with key = seed, nonce = 12 zero bytes and block counter
//! starting at 0, read as little-endian u64 values, and unbiased integers
//! below a bound by simple rejection.
//!
//! `rand_chacha`'s `ChaCha20Rng` is that keystream: its 64-bit counter and
//! 64-bit stream id sit in the words RFC 8439 gives to a 32-bit counter and
//! a 96-bit nonce, so with stream 0 the two agree for the first 2³² blocks
//! (256 GiB, far beyond any draw). Its `next_u64` joins two consecutive
//! little-endian keystream words low word first, i.e. reads 8 keystream
//! bytes little-endian. The unit tests pin both facts to RFC 8439 vectors.

use std::num::NonZeroU32;

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng as _, SeedableRng as _};

use super::seed::Seed;

/// The stream of one draw; targets and then inspectors read it in turn.
#[derive(Debug, Clone)]
pub struct Stream {
    rng: ChaCha20Rng,
    used: u64,
}

impl Stream {
    pub fn new(seed: &Seed) -> Self {
        Self::from_key(seed.key())
    }

    fn from_key(key: [u8; 32]) -> Self {
        Self { rng: ChaCha20Rng::from_seed(key), used: 0 }
    }

    /// The next 8 keystream bytes as a little-endian u64.
    pub fn next_u64(&mut self) -> u64 {
        self.used += 1;
        self.rng.next_u64()
    }

    /// A uniform integer in `0..bound`: take x = [`Stream::next_u64`]; with
    /// r = 2⁶⁴ mod bound, accept x if x ≤ 2⁶⁴ − 1 − r and return x mod bound,
    /// otherwise take the next x. Always reads at least one value, also for
    /// bound 1. Chosen over Lemire's multiply-shift because it needs only
    /// 64-bit arithmetic in any language; rejection happens with probability
    /// below 2⁻³², so a draw almost never shows it.
    pub fn below(&mut self, bound: NonZeroU32) -> u32 {
        below_from(bound, || self.next_u64())
    }

    /// How many u64 values the draw has read so far.
    pub fn used(&self) -> u64 {
        self.used
    }
}

fn below_from(bound: NonZeroU32, mut next: impl FnMut() -> u64) -> u32 {
    let s = u64::from(bound.get());
    // 2⁶⁴ mod s, computed as (2⁶⁴ − s) mod s in wrapping u64 arithmetic.
    let r = s.wrapping_neg() % s;
    loop {
        let x = next();
        if x <= u64::MAX - r {
            // x mod s < s ≤ u32::MAX.
            return u32::try_from(x % s).unwrap_or(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le_words(stream: &mut Stream, n: usize) -> Vec<u8> {
        (0..n).flat_map(|_| stream.next_u64().to_le_bytes()).collect()
    }

    fn hex_bytes(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// RFC 8439 A.1 test vector #1: key 0, nonce 0, counter 0.
    #[test]
    fn keystream_is_rfc_8439_with_zero_nonce() {
        let expected = hex_bytes(
            "76 b8 e0 ad a0 f1 3d 90 40 5d 6a e5 53 86 bd 28 bd d2 19 b8 a0 8d ed 1a a8 36 ef cc 8b 77 0d c7
             da 41 59 7c 51 57 48 8d 77 24 e0 3f b8 d8 4a 37 6a 43 b8 f4 15 18 a1 1c c3 87 b6 69 b2 ee 65 86",
        );
        assert_eq!(le_words(&mut Stream::from_key([0; 32]), 8), expected);
    }

    /// RFC 8439 A.1 test vector #3: key 00…01, nonce 0, counter 1 (the
    /// second block of our stream), so the counter advances per block.
    #[test]
    fn keystream_second_block_is_rfc_8439_counter_1() {
        let mut key = [0; 32];
        key[31] = 1;
        let expected = hex_bytes(
            "3a eb 52 24 ec f8 49 92 9b 9d 82 8d b1 ce d4 dd 83 20 25 e8 01 8b 81 60 b8 22 84 f3 c9 49 aa 5a
             8e ca 00 bb b4 a7 3b da d1 92 b5 c4 2f 73 f2 fd 4e 27 36 44 c8 b3 61 25 a6 4a dd eb 00 6c 13 a0",
        );
        let mut stream = Stream::from_key(key);
        le_words(&mut stream, 8);
        assert_eq!(le_words(&mut stream, 8), expected);
        assert_eq!(stream.used(), 16);
    }

    #[test]
    fn below_rejects_only_the_top_zone() {
        let three = NonZeroU32::new(3).unwrap();
        // 2⁶⁴ mod 3 = 1: u64::MAX is the one rejected value.
        let mut values = [u64::MAX, u64::MAX - 1, 7].into_iter();
        let mut calls = 0;
        let got = below_from(three, || {
            calls += 1;
            values.next().unwrap()
        });
        assert_eq!((got, calls), (u32::try_from((u64::MAX - 1) % 3).unwrap(), 2));
        // A power of two rejects nothing.
        assert_eq!(below_from(NonZeroU32::new(8).unwrap(), || u64::MAX), 7);
        // Bound 1 reads a value and returns 0.
        let mut stream = Stream::from_key([0; 32]);
        assert_eq!(stream.below(NonZeroU32::MIN), 0);
        assert_eq!(stream.used(), 1);
    }

    #[test]
    fn below_reaches_the_largest_bound() {
        let max = NonZeroU32::new(u32::MAX).unwrap();
        let mut stream = Stream::from_key([7; 32]);
        assert!((0..1000).map(|_| stream.below(max)).all(|v| v < u32::MAX));
    }
}
