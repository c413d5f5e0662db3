//! The seed (`docs/LOTTERY.md` §4): SHA-256 over the commitments and a
//! value that did not exist when they were made, the root of the first log
//! checkpoint signed at least N minutes after the commitment. Neither the
//! department nor the operator can choose that root without rewriting the
//! log, which its witnesses would see.

use serde::{Deserialize, Serialize};

use super::encoding::{Hash256, Sink};
use super::error::{LotteryError, is_one_line_text, is_plain_id};

/// Domain-separation tag opening the seed preimage.
pub const SEED_TAG: &str = "xinyong/lottery/seed/v1";

/// Longest draw id in bytes.
const MAX_DRAW_ID: usize = 64;

/// Longest beacon in bytes: a lottery result or an index close, not a document.
const MAX_BEACON: usize = 256;

/// The draw's identifier, bound into the seed so two draws over the same
/// pool after the same checkpoint still get different seeds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DrawId(String);

impl DrawId {
    /// 1–64 characters from `A–Z a–z 0–9 . _ : -`.
    pub fn parse(raw: &str) -> Result<Self, LotteryError> {
        if is_plain_id(raw, MAX_DRAW_ID) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(LotteryError::DrawId { found: raw.chars().take(80).collect() })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DrawId {
    type Error = LotteryError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<DrawId> for String {
    fn from(d: DrawId) -> String {
        d.0
    }
}

/// A public value the credit office enters after the commitment (a state
/// lottery result, an index close), for those who trust it more than the log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Beacon(String);

impl Beacon {
    /// Trimmed of surrounding white space (a pasted value), then 1–256 bytes
    /// of UTF-8 without control characters. The trimmed bytes are what the
    /// seed covers and what is published.
    pub fn parse(raw: &str) -> Result<Self, LotteryError> {
        let trimmed = raw.trim();
        if is_one_line_text(trimmed, MAX_BEACON) {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err(LotteryError::Beacon { found: raw.chars().take(80).collect() })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Beacon {
    type Error = LotteryError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Beacon> for String {
    fn from(b: Beacon) -> String {
        b.0
    }
}

/// A signed checkpoint's tree size and RFC 6962 root hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CheckpointRoot {
    pub tree_size: u64,
    pub root: Hash256,
}

/// Everything the seed is derived from besides the pool digest. The
/// checkpoint is not optional: without it there is no seed, and without a
/// seed there is no draw.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SeedSource {
    pub draw_id: DrawId,
    /// Digest of the plan as committed (items, period, departments); computed
    /// by the planning code, opaque here.
    pub plan_digest: Hash256,
    /// [`super::Roster::digest`] of the committed roster.
    pub roster_digest: Hash256,
    /// The first checkpoint signed at least N minutes after the commitment.
    pub checkpoint: CheckpointRoot,
    pub beacon: Option<Beacon>,
}

/// A draw's seed. It has no public constructor: the only way to one is
/// [`derive_seed`], which needs a checkpoint root.
///
/// ```compile_fail
/// let seed = xinyong_domain::lottery::Seed([0u8; 32]);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Seed([u8; 32]);

impl Seed {
    pub fn to_hash(&self) -> Hash256 {
        Hash256::from_bytes(self.0)
    }

    pub(crate) fn key(&self) -> [u8; 32] {
        self.0
    }
}

impl std::fmt::Debug for Seed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Seed({})", self.to_hash())
    }
}

/// The bytes hashed into the seed (`docs/LOTTERY.md` §4).
pub fn seed_preimage(source: &SeedSource, pool_digest: &Hash256) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.put_str(SEED_TAG);
    out.put_str(source.draw_id.as_str());
    out.put(pool_digest.as_bytes());
    out.put(source.plan_digest.as_bytes());
    out.put(source.roster_digest.as_bytes());
    out.put_u64(source.checkpoint.tree_size);
    out.put(source.checkpoint.root.as_bytes());
    match &source.beacon {
        None => out.put(&[0]),
        Some(b) => {
            out.put(&[1]);
            out.put_str(b.as_str());
        }
    }
    out
}

/// `SHA-256(seed_preimage(source, pool_digest))`.
pub fn derive_seed(source: &SeedSource, pool_digest: &Hash256) -> Seed {
    Seed(*Hash256::of(&seed_preimage(source, pool_digest)).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_beacons_are_checked() {
        assert!(DrawId::parse("ccj-2026-07.a:1").is_ok());
        assert!(DrawId::parse("").is_err());
        assert!(DrawId::parse("抽查").is_err());
        assert!(DrawId::parse(&"a".repeat(65)).is_err());
        assert_eq!(Beacon::parse("  2026081 03 17 \n").map(|b| b.0), Ok("2026081 03 17".to_owned()));
        assert!(Beacon::parse("   ").is_err());
        assert!(Beacon::parse("a\u{7}b").is_err());
    }
}
