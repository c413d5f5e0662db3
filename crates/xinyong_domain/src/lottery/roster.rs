//! The inspector roster of a draw (执法检查人员名录, `docs/LOTTERY.md` §7):
//! pseudonymous inspector ids, the number of inspectors per target and the
//! recusal table as data, committed by a salted digest. Inspectors are
//! natural persons: the roster is never published, only its digest, and the
//! salt keeps the digest from confirming a guess of who is in conflict with
//! whom.

use serde::{Deserialize, Serialize};

use crate::Uscc;

use super::encoding::{Hash256, Hashing, Sink};
use super::error::{LotteryError, is_plain_id};

/// Domain-separation tag opening the roster encoding.
pub const ROSTER_TAG: &str = "xinyong/lottery/roster/v1";

/// At least two law-enforcement officers per inspection (DOMAIN §7).
pub const MIN_INSPECTORS_PER_TARGET: u32 = 2;

/// Longest inspector id in bytes.
const MAX_INSPECTOR_ID: usize = 64;

/// An inspector's pseudonymous id (a staff number, never a name), ordered as
/// ASCII bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InspectorId(String);

impl InspectorId {
    /// 1–64 characters from `A–Z a–z 0–9 . _ : -`; Chinese names cannot pass.
    pub fn parse(raw: &str) -> Result<Self, LotteryError> {
        if is_plain_id(raw, MAX_INSPECTOR_ID) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(LotteryError::InspectorId { found: raw.chars().take(80).collect() })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for InspectorId {
    type Error = LotteryError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<InspectorId> for String {
    fn from(i: InspectorId) -> String {
        i.0
    }
}

/// An inspector who must not inspect a subject: a relation to it, the same
/// subject inspected in the last months, rotation. The reason stays with the
/// planning code; the draw only needs the pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Conflict {
    pub inspector: InspectorId,
    pub subject: Uscc,
}

/// The committed roster: inspectors ascending, conflicts ascending by
/// (inspector, subject), both without repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    salt: [u8; 32],
    per_target: u32,
    inspectors: Vec<InspectorId>,
    conflicts: Vec<Conflict>,
    digest: Hash256,
}

impl Roster {
    /// `salt` is 32 random bytes drawn when the roster is committed and kept
    /// with it. Refuses fewer than two inspectors per target and a conflict
    /// naming someone not in the roster (a mistyped id would silently leave
    /// the real inspector unrecused).
    pub fn new(
        salt: [u8; 32],
        per_target: u32,
        mut inspectors: Vec<InspectorId>,
        mut conflicts: Vec<Conflict>,
    ) -> Result<Self, LotteryError> {
        if per_target < MIN_INSPECTORS_PER_TARGET {
            return Err(LotteryError::PerTarget { per_target });
        }
        inspectors.sort_unstable();
        inspectors.dedup();
        conflicts.sort_unstable();
        conflicts.dedup();
        for (what, count) in [("inspectors", inspectors.len()), ("conflicts", conflicts.len())] {
            if u32::try_from(count).is_err() {
                return Err(LotteryError::TooMany { what, count });
            }
        }
        if let Some(c) = conflicts.iter().find(|c| inspectors.binary_search(&c.inspector).is_err()) {
            return Err(LotteryError::UnknownInspector { inspector: c.inspector.as_str().to_owned() });
        }
        let mut roster = Self { salt, per_target, inspectors, conflicts, digest: Hash256::from_bytes([0; 32]) };
        let mut hashing = Hashing::new();
        roster.encode(&mut hashing);
        roster.digest = hashing.finish();
        Ok(roster)
    }

    pub fn salt(&self) -> &[u8; 32] {
        &self.salt
    }

    pub fn per_target(&self) -> u32 {
        self.per_target
    }

    pub fn inspectors(&self) -> &[InspectorId] {
        &self.inspectors
    }

    pub fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }

    /// SHA-256 of [`Roster::canonical_bytes`]; goes into the seed.
    pub fn digest(&self) -> Hash256 {
        self.digest
    }

    /// The canonical encoding (`docs/LOTTERY.md` §7).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    fn encode(&self, sink: &mut impl Sink) {
        sink.put_str(ROSTER_TAG);
        sink.put(&self.salt);
        sink.put_u32(self.per_target);
        sink.put_u32(u32::try_from(self.inspectors.len()).unwrap_or(u32::MAX));
        for i in &self.inspectors {
            sink.put_str(i.as_str());
        }
        sink.put_u32(u32::try_from(self.conflicts.len()).unwrap_or(u32::MAX));
        for c in &self.conflicts {
            sink.put_str(c.inspector.as_str());
            sink.put_str(c.subject.as_str());
        }
    }
}
