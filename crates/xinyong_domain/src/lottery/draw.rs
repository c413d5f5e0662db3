//! The draw (`docs/LOTTERY.md` §6–7): partial Fisher–Yates in each stratum,
//! strata in canonical order, then two or more inspectors per target, all
//! from one stream.

use std::collections::HashMap;
use std::num::NonZeroU32;

use serde::{Deserialize, Serialize};

use crate::Uscc;

use super::encoding::Hash256;
use super::error::LotteryError;
use super::pool::{Pool, StratumName};
use super::roster::{InspectorId, Roster};
use super::seed::{SeedSource, derive_seed};
use super::stream::Stream;

/// One stratum of a published result (一公开).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumResult {
    pub name: StratumName,
    /// Members in the committed pool.
    pub size: u32,
    /// Members drawn: [`super::Quota::count`] of `size`.
    pub count: u32,
    /// The drawn members in the order they were drawn.
    pub targets: Vec<Uscc>,
}

/// What the portal publishes about a draw: the seed and everything it came
/// from, and the targets per stratum. Never inspectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedDraw {
    pub source: SeedSource,
    pub pool_digest: Hash256,
    pub seed: Hash256,
    pub strata: Vec<StratumResult>,
}

/// A draw whose targets are known; the stream waits for the inspectors.
#[derive(Debug, Clone)]
pub struct Draw {
    published: PublishedDraw,
    stream: Stream,
}

/// Who inspects one target, or why nobody was assigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Distinct, non-conflicting inspectors in the order drawn.
    Inspectors(Vec<InspectorId>),
    /// Fewer eligible inspectors than the roster's per-target number: the
    /// target is reported, not inspected by fewer people.
    TooFewEligible { eligible: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub subject: Uscc,
    pub outcome: Outcome,
}

/// A complete draw: the public part and the internal assignments, one per
/// target in target order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignedDraw {
    pub published: PublishedDraw,
    pub assignments: Vec<Assignment>,
}

/// Draws the targets of every stratum. The seed is derived here from
/// `source`, so a draw cannot run without the checkpoint it names.
pub fn draw(pool: &Pool, source: SeedSource) -> Draw {
    let pool_digest = pool.digest();
    let seed = derive_seed(&source, &pool_digest);
    let mut stream = Stream::new(&seed);
    let strata = pool
        .strata()
        .iter()
        .map(|s| {
            let count = s.count();
            let targets = sample(s.size(), count, &mut stream)
                .into_iter()
                .filter_map(|i| s.members().get(usize::try_from(i).ok()?).cloned())
                .collect();
            StratumResult { name: s.name().clone(), size: s.size(), count, targets }
        })
        .collect();
    Draw { published: PublishedDraw { source, pool_digest, seed: seed.to_hash(), strata }, stream }
}

impl Draw {
    pub fn published(&self) -> &PublishedDraw {
        &self.published
    }

    pub fn into_published(self) -> PublishedDraw {
        self.published
    }

    /// How many u64 values the targets consumed (the test vectors show it).
    pub fn stream_used(&self) -> u64 {
        self.stream.used()
    }

    /// Assigns inspectors to every target, continuing the stream after the
    /// targets. Refuses a roster other than the committed one.
    pub fn assign(mut self, roster: &Roster) -> Result<AssignedDraw, LotteryError> {
        let committed = self.published.source.roster_digest;
        if roster.digest() != committed {
            return Err(LotteryError::RosterMismatch { committed, given: roster.digest() });
        }
        let blocked = blocked_by_subject(roster);
        let assignments = self
            .published
            .strata
            .iter()
            .flat_map(|s| &s.targets)
            .map(|subject| Assignment {
                subject: subject.clone(),
                outcome: assign_one(roster, blocked.get(subject).map(Vec::as_slice), &mut self.stream),
            })
            .collect();
        Ok(AssignedDraw { published: self.published, assignments })
    }
}

/// For each subject with conflicts, the ascending roster positions of the
/// inspectors who may not inspect it.
fn blocked_by_subject(roster: &Roster) -> HashMap<&Uscc, Vec<u32>> {
    let mut blocked: HashMap<&Uscc, Vec<u32>> = HashMap::new();
    for c in roster.conflicts() {
        // Roster::new refused conflicts naming an unknown inspector.
        if let Some(at) = roster.inspectors().binary_search(&c.inspector).ok().and_then(|i| u32::try_from(i).ok()) {
            blocked.entry(&c.subject).or_default().push(at);
        }
    }
    for positions in blocked.values_mut() {
        positions.sort_unstable();
    }
    blocked
}

/// The eligible inspectors are the roster minus the blocked ones, in roster
/// order; `per_target` of them are drawn by partial Fisher–Yates. A target
/// without enough eligible inspectors reads nothing from the stream.
fn assign_one(roster: &Roster, blocked: Option<&[u32]>, stream: &mut Stream) -> Outcome {
    let all = roster.inspectors();
    let total = u32::try_from(all.len()).unwrap_or(u32::MAX);
    let eligible: Option<Vec<u32>> = blocked.map(|b| (0..total).filter(|i| b.binary_search(i).is_err()).collect());
    let size = eligible.as_ref().map_or(total, |e| u32::try_from(e.len()).unwrap_or(u32::MAX));
    if size < roster.per_target() {
        return Outcome::TooFewEligible { eligible: size };
    }
    let picked = sample(size, roster.per_target(), stream)
        .into_iter()
        .map(|p| eligible.as_ref().map_or(Some(p), |e| e.get(p as usize).copied()))
        .filter_map(|at| all.get(at? as usize).cloned())
        .collect();
    Outcome::Inspectors(picked)
}

/// Below `n / SPARSE_FACTOR` picks, the swaps are kept aside instead of in an
/// `n`-element array: storing k positions then costs less than filling n.
const SPARSE_FACTOR: u64 = 64;

/// Up to this many picks (inspectors per target) a list searched linearly
/// beats hashing: it nearly halves the time to assign 2 inspectors each to
/// 88,000 targets.
const LINEAR_PICKS: u32 = 16;

/// Partial Fisher–Yates over the array `a = [0, 1, …, n−1]`: for i in 0..k,
/// j = i + below(n − i), swap a[i] and a[j]; the result is a[0..k]. Needs
/// `k ≤ n`. All three layouts below compute exactly this.
pub(crate) fn sample(n: u32, k: u32, stream: &mut Stream) -> Vec<u32> {
    if u64::from(k) * SPARSE_FACTOR >= u64::from(n) {
        sample_dense(n, k, stream)
    } else if k <= LINEAR_PICKS {
        sample_sparse(n, k, stream, Vec::with_capacity(k as usize))
    } else {
        sample_sparse(n, k, stream, HashMap::with_capacity(k as usize))
    }
}

fn sample_dense(n: u32, k: u32, stream: &mut Stream) -> Vec<u32> {
    let mut a: Vec<u32> = (0..n).collect();
    for i in 0..k {
        let Some(rest) = NonZeroU32::new(n - i) else { break };
        let j = i + stream.below(rest);
        a.swap(i as usize, j as usize);
    }
    a.truncate(k as usize);
    a
}

/// The positions of the virtual array that no longer hold their own index.
trait Swapped {
    fn get(&self, position: u32) -> Option<u32>;
    fn take(&mut self, position: u32) -> Option<u32>;
    fn set(&mut self, position: u32, value: u32);
}

impl Swapped for HashMap<u32, u32> {
    fn get(&self, position: u32) -> Option<u32> {
        HashMap::get(self, &position).copied()
    }
    fn take(&mut self, position: u32) -> Option<u32> {
        self.remove(&position)
    }
    fn set(&mut self, position: u32, value: u32) {
        self.insert(position, value);
    }
}

impl Swapped for Vec<(u32, u32)> {
    fn get(&self, position: u32) -> Option<u32> {
        self.iter().find(|(p, _)| *p == position).map(|(_, v)| *v)
    }
    fn take(&mut self, position: u32) -> Option<u32> {
        let at = self.iter().position(|(p, _)| *p == position)?;
        Some(self.swap_remove(at).1)
    }
    fn set(&mut self, position: u32, value: u32) {
        match self.iter_mut().find(|(p, _)| *p == position) {
            Some(slot) => slot.1 = value,
            None => self.push((position, value)),
        }
    }
}

/// Positions never swapped still hold their own index, so only swapped ones
/// are stored; position i is never read again after step i, so it is dropped.
fn sample_sparse(n: u32, k: u32, stream: &mut Stream, mut moved: impl Swapped) -> Vec<u32> {
    let mut out = Vec::with_capacity(k as usize);
    for i in 0..k {
        let Some(rest) = NonZeroU32::new(n - i) else { break };
        let j = i + stream.below(rest);
        let at_j = moved.get(j).unwrap_or(j);
        let at_i = moved.take(i).unwrap_or(i);
        if j != i {
            moved.set(j, at_i);
        }
        out.push(at_j);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lottery::{CheckpointRoot, DrawId, derive_seed};

    fn stream(n: u8) -> Stream {
        let source = SeedSource {
            draw_id: DrawId::parse("t").unwrap(),
            plan_digest: Hash256::from_bytes([1; 32]),
            roster_digest: Hash256::from_bytes([2; 32]),
            checkpoint: CheckpointRoot { tree_size: 9, root: Hash256::from_bytes([n; 32]) },
            beacon: None,
        };
        Stream::new(&derive_seed(&source, &Hash256::from_bytes([3; 32])))
    }

    #[test]
    fn sparse_and_dense_layouts_agree() {
        for (seed, n, k) in
            [(0, 1, 1), (1, 10, 3), (2, 1000, 15), (3, 100_000, 1000), (4, 50, 50), (5, 7, 0), (6, 500, 2), (7, 3, 3)]
        {
            let (mut a, mut b) = (stream(seed), stream(seed));
            let mut c = stream(seed);
            let dense = sample_dense(n, k, &mut a);
            assert_eq!(sample_sparse(n, k, &mut b, HashMap::new()), dense, "hashed, n {n} k {k}");
            assert_eq!(sample_sparse(n, k, &mut c, Vec::new()), dense, "linear, n {n} k {k}");
            assert_eq!((a.used(), b.used()), (c.used(), c.used()));
            let mut sorted = dense.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), k as usize, "distinct picks");
            assert!(dense.iter().all(|&v| v < n));
        }
    }
}
