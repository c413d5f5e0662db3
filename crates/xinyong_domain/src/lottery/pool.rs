//! The pool a draw samples from and its commitment (`docs/LOTTERY.md` §3):
//! strata, each with a name, a quota and a sorted, duplicate-free member
//! list, in a canonical order, encoded to bytes whose SHA-256 is the pool
//! digest committed to the log before the seed exists.

use serde::{Deserialize, Serialize};

use crate::Uscc;

use super::encoding::{Hash256, Hashing, Sink};
use super::error::{LotteryError, is_one_line_text};

/// Domain-separation tag opening the pool encoding; a new layout gets `v2`.
pub const POOL_TAG: &str = "xinyong/lottery/pool/v1";

/// `max` value of a quota without an upper bound.
pub const NO_MAX: u32 = u32::MAX;

/// Basis points in 100 %.
const FULL_BP: u32 = 10_000;

/// Longest stratum name in bytes: supervision classes are short ("A", "B类").
const MAX_NAME_BYTES: usize = 64;

/// A stratum's name, compared and ordered as UTF-8 bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StratumName(String);

impl StratumName {
    /// 1–64 bytes of UTF-8 without control characters, taken as given (no
    /// trimming or normalisation: the bytes are what the digest covers).
    pub fn parse(raw: &str) -> Result<Self, LotteryError> {
        if is_one_line_text(raw, MAX_NAME_BYTES) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(LotteryError::StratumName { found: raw.chars().take(80).collect() })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StratumName {
    type Error = LotteryError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<StratumName> for String {
    fn from(n: StratumName) -> String {
        n.0
    }
}

/// How many members of a stratum are drawn: a ratio in basis points rounded
/// up, then raised to `min`, lowered to `max`, and never above the stratum's
/// size. A fixed count is `ratio 0, min = max = count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quota {
    ratio_bp: u32,
    min: u32,
    max: u32,
}

impl Quota {
    /// `ratio_bp` ≤ 10000 and `min` ≤ `max`; `max` = [`NO_MAX`] for no bound.
    pub fn new(ratio_bp: u32, min: u32, max: u32) -> Result<Self, LotteryError> {
        if ratio_bp > FULL_BP {
            return Err(LotteryError::Ratio { ratio_bp });
        }
        if min > max {
            return Err(LotteryError::MinAboveMax { min, max });
        }
        Ok(Self { ratio_bp, min, max })
    }

    /// A plain ratio without bounds.
    pub fn ratio(ratio_bp: u32) -> Result<Self, LotteryError> {
        Self::new(ratio_bp, 0, NO_MAX)
    }

    /// Exactly `count` members (or all of them if the stratum is smaller).
    pub const fn exactly(count: u32) -> Self {
        Self { ratio_bp: 0, min: count, max: count }
    }

    pub const fn ratio_bp(&self) -> u32 {
        self.ratio_bp
    }

    pub const fn min(&self) -> u32 {
        self.min
    }

    pub const fn max(&self) -> u32 {
        self.max
    }

    /// `min(size, min(max, max(min, ⌈size × ratio_bp / 10000⌉)))`, in exact
    /// integers. Rounding up because plans state ratios as floors ("抽查比例
    /// 不低于 …"): 5 % of 30 subjects is 2, never 1.
    pub fn count(&self, size: u32) -> u32 {
        let by_ratio = (u64::from(size) * u64::from(self.ratio_bp)).div_ceil(u64::from(FULL_BP));
        let bounded = by_ratio.max(u64::from(self.min)).min(u64::from(self.max)).min(u64::from(size));
        // `bounded` ≤ `size`, so it fits.
        u32::try_from(bounded).unwrap_or(size)
    }
}

/// One stratum: its members sorted ascending by their UTF-8 bytes, each once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stratum {
    name: StratumName,
    quota: Quota,
    members: Vec<Uscc>,
}

impl Stratum {
    /// Sorts the members and drops repeats: the subject directory may list a
    /// subject once per licence, and a repeat must not double its chance.
    pub fn new(name: StratumName, quota: Quota, mut members: Vec<Uscc>) -> Result<Self, LotteryError> {
        // The directory usually arrives sorted; checking is O(n), sorting is not.
        if !members.is_sorted() {
            members.sort_unstable();
        }
        members.dedup();
        if u32::try_from(members.len()).is_err() {
            return Err(LotteryError::TooMany { what: "members in a stratum", count: members.len() });
        }
        Ok(Self { name, quota, members })
    }

    pub fn name(&self) -> &StratumName {
        &self.name
    }

    pub fn quota(&self) -> Quota {
        self.quota
    }

    pub fn members(&self) -> &[Uscc] {
        &self.members
    }

    /// Number of members (checked to fit a u32 on construction).
    pub fn size(&self) -> u32 {
        u32::try_from(self.members.len()).unwrap_or(u32::MAX)
    }

    /// The number of members this stratum's draw selects.
    pub fn count(&self) -> u32 {
        self.quota.count(self.size())
    }

    fn encode(&self, sink: &mut impl Sink) {
        sink.put_str(self.name.as_str());
        sink.put_u32(self.quota.ratio_bp);
        sink.put_u32(self.quota.min);
        sink.put_u32(self.quota.max);
        sink.put_u32(self.size());
        for m in &self.members {
            sink.put_str(m.as_str());
        }
    }
}

/// The strata of a draw in canonical order (ascending by name bytes), no
/// subject in two strata, with the digest computed once on construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pool {
    strata: Vec<Stratum>,
    digest: Hash256,
}

impl Pool {
    /// Orders the strata by name and refuses a name given twice or a subject
    /// in two strata: a subject belongs to one supervision class, and picking
    /// one of its strata silently would be a choice nobody committed to.
    pub fn new(mut strata: Vec<Stratum>) -> Result<Self, LotteryError> {
        if u32::try_from(strata.len()).is_err() {
            return Err(LotteryError::TooMany { what: "strata", count: strata.len() });
        }
        strata.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(w) = strata.windows(2).find(|w| w[0].name == w[1].name) {
            return Err(LotteryError::DuplicateStratum { name: w[0].name.as_str().to_owned() });
        }
        // Pairwise merges of sorted lists: (strata − 1) × members comparisons,
        // no hashing of a million codes.
        for (i, a) in strata.iter().enumerate() {
            for b in &strata[i + 1..] {
                if let Some(subject) = first_common(&a.members, &b.members) {
                    return Err(LotteryError::SubjectInTwoStrata {
                        subject: subject.clone(),
                        first: a.name.as_str().to_owned(),
                        second: b.name.as_str().to_owned(),
                    });
                }
            }
        }
        let mut hashing = Hashing::new();
        encode(&strata, &mut hashing);
        Ok(Self { digest: hashing.finish(), strata })
    }

    pub fn strata(&self) -> &[Stratum] {
        &self.strata
    }

    /// SHA-256 of [`Pool::canonical_bytes`].
    pub fn digest(&self) -> Hash256 {
        self.digest
    }

    /// The canonical encoding (`docs/LOTTERY.md` §3).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&self.strata, &mut out);
        out
    }
}

fn encode(strata: &[Stratum], sink: &mut impl Sink) {
    sink.put_str(POOL_TAG);
    sink.put_u32(u32::try_from(strata.len()).unwrap_or(u32::MAX));
    for s in strata {
        s.encode(sink);
    }
}

/// The smallest element of two ascending lists that is in both.
fn first_common<'a>(a: &'a [Uscc], b: &[Uscc]) -> Option<&'a Uscc> {
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return Some(x),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_round_up_then_clamp() {
        let q = |bp, min, max| Quota::new(bp, min, max).unwrap();
        assert_eq!(q(500, 0, NO_MAX).count(30), 2);
        assert_eq!(q(500, 0, NO_MAX).count(20), 1);
        assert_eq!(q(500, 0, NO_MAX).count(0), 0);
        assert_eq!(q(1, 0, NO_MAX).count(1), 1);
        assert_eq!(q(0, 0, NO_MAX).count(1000), 0);
        assert_eq!(q(10_000, 0, NO_MAX).count(7), 7);
        assert_eq!(q(500, 3, NO_MAX).count(20), 3);
        assert_eq!(q(500, 3, 4).count(1000), 4);
        assert_eq!(q(500, 10, 20).count(4), 4);
        assert_eq!(Quota::exactly(5).count(3), 3);
        assert_eq!(Quota::exactly(5).count(300), 5);
        assert_eq!(q(10_000, 0, NO_MAX).count(u32::MAX), u32::MAX);
        assert!(Quota::new(10_001, 0, 1).is_err());
        assert!(Quota::new(1, 2, 1).is_err());
    }

    #[test]
    fn first_common_finds_the_smallest_shared_member() {
        let u = |s: &str| Uscc::parse(s).unwrap();
        let a = [u("91350100M000100Y43"), u("914403001922038216")];
        let b = [u("914403001922038216")];
        assert_eq!(first_common(&a, &b), Some(&a[1]));
        assert_eq!(first_common(&a[..1], &b), None);
    }
}
