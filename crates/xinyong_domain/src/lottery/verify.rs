//! Re-running a draw and saying what differs (`docs/LOTTERY.md` §9). The
//! caller brings the pool and seed sources from the log, not from the
//! published record, so a record that misquotes its own sources fails too.

use std::fmt;

use serde::Serialize;

use crate::Uscc;

use super::draw::{Assignment, PublishedDraw, StratumResult, draw};
use super::encoding::Hash256;
use super::error::LotteryError;
use super::pool::{Pool, StratumName};
use super::roster::Roster;
use super::seed::SeedSource;

/// One way a published draw disagrees with its recomputation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Difference {
    /// The published record quotes a seed source other than the log's.
    Source {
        field: &'static str,
        published: String,
        expected: String,
    },
    PoolDigest {
        published: Hash256,
        computed: Hash256,
    },
    Seed {
        published: Hash256,
        computed: Hash256,
    },
    StrataCount {
        published: usize,
        computed: usize,
    },
    StratumName {
        position: usize,
        published: StratumName,
        computed: StratumName,
    },
    StratumSize {
        stratum: StratumName,
        published: u32,
        computed: u32,
    },
    StratumCount {
        stratum: StratumName,
        published: u32,
        computed: u32,
    },
    /// The first differing position (0-based) and how many positions differ.
    Targets {
        stratum: StratumName,
        first_position: usize,
        published: Option<Uscc>,
        computed: Option<Uscc>,
        positions: usize,
    },
    RosterDigest {
        committed: Hash256,
        given: Hash256,
    },
    Assignments {
        first_position: usize,
        published: Option<Assignment>,
        computed: Option<Assignment>,
        positions: usize,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opt = |u: &Option<Uscc>| u.as_ref().map_or("nothing".to_owned(), |u| u.as_str().to_owned());
        match self {
            Self::Source { field, published, expected } => {
                write!(f, "seed source {field}: published {published}, the log has {expected}")
            }
            Self::PoolDigest { published, computed } => {
                write!(f, "pool digest: published {published}, the pool hashes to {computed}")
            }
            Self::Seed { published, computed } => write!(f, "seed: published {published}, derived {computed}"),
            Self::StrataCount { published, computed } => {
                write!(f, "number of strata: published {published}, the pool has {computed}")
            }
            Self::StratumName { position, published, computed } => write!(
                f,
                "stratum {}: published {:?}, the pool has {:?}",
                position + 1,
                published.as_str(),
                computed.as_str()
            ),
            Self::StratumSize { stratum, published, computed } => {
                write!(f, "stratum {:?} size: published {published}, the pool has {computed}", stratum.as_str())
            }
            Self::StratumCount { stratum, published, computed } => {
                write!(f, "stratum {:?} count: published {published}, recomputed {computed}", stratum.as_str())
            }
            Self::Targets { stratum, first_position, published, computed, positions } => write!(
                f,
                "stratum {:?} targets differ at {positions} position(s), first at #{}: published {}, recomputed {}",
                stratum.as_str(),
                first_position + 1,
                opt(published),
                opt(computed)
            ),
            Self::RosterDigest { committed, given } => {
                write!(f, "roster digest: committed {committed}, the roster given hashes to {given}")
            }
            Self::Assignments { first_position, published, computed, positions } => write!(
                f,
                "assignments differ at {positions} position(s), first at #{}: recorded {published:?}, recomputed {computed:?}",
                first_position + 1
            ),
        }
    }
}

/// Every difference found; a draw verifies when there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(transparent)]
pub struct Discrepancies(pub Vec<Difference>);

impl fmt::Display for Discrepancies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

fn result(differences: Vec<Difference>) -> Result<(), Discrepancies> {
    if differences.is_empty() { Ok(()) } else { Err(Discrepancies(differences)) }
}

/// Recomputes the draw from `pool` and `source` and compares it with
/// `published`: the quoted sources, pool digest, seed, and every stratum's
/// name, size, count and targets.
pub fn verify(pool: &Pool, source: &SeedSource, published: &PublishedDraw) -> Result<(), Discrepancies> {
    let mut out = source_differences(&published.source, source);
    let computed = draw(pool, source.clone()).into_published();
    if published.pool_digest != computed.pool_digest {
        out.push(Difference::PoolDigest { published: published.pool_digest, computed: computed.pool_digest });
    }
    if published.seed != computed.seed {
        out.push(Difference::Seed { published: published.seed, computed: computed.seed });
    }
    if published.strata.len() != computed.strata.len() {
        out.push(Difference::StrataCount { published: published.strata.len(), computed: computed.strata.len() });
    }
    for (position, (p, c)) in published.strata.iter().zip(&computed.strata).enumerate() {
        stratum_differences(position, p, c, &mut out);
    }
    result(out)
}

/// For auditors with access to the roster: recomputes the inspector
/// assignments and compares them with the recorded ones, target by target.
pub fn verify_assignments(
    pool: &Pool,
    source: &SeedSource,
    roster: &Roster,
    recorded: &[Assignment],
) -> Result<(), Discrepancies> {
    match draw(pool, source.clone()).assign(roster) {
        Ok(computed) => result(sequence_difference(recorded, &computed.assignments).into_iter().collect()),
        Err(LotteryError::RosterMismatch { committed, given }) => {
            result(vec![Difference::RosterDigest { committed, given }])
        }
        // `assign` fails only on a roster mismatch; report it the same way.
        Err(_) => result(vec![Difference::RosterDigest { committed: source.roster_digest, given: roster.digest() }]),
    }
}

fn source_differences(published: &SeedSource, expected: &SeedSource) -> Vec<Difference> {
    let beacon = |s: &SeedSource| s.beacon.as_ref().map_or("(none)".to_owned(), |b| format!("{:?}", b.as_str()));
    let fields: [(&'static str, String, String); 6] = [
        ("draw_id", published.draw_id.as_str().to_owned(), expected.draw_id.as_str().to_owned()),
        ("plan_digest", published.plan_digest.to_string(), expected.plan_digest.to_string()),
        ("roster_digest", published.roster_digest.to_string(), expected.roster_digest.to_string()),
        ("checkpoint.tree_size", published.checkpoint.tree_size.to_string(), expected.checkpoint.tree_size.to_string()),
        ("checkpoint.root", published.checkpoint.root.to_string(), expected.checkpoint.root.to_string()),
        ("beacon", beacon(published), beacon(expected)),
    ];
    fields
        .into_iter()
        .filter(|(_, p, e)| p != e)
        .map(|(field, published, expected)| Difference::Source { field, published, expected })
        .collect()
}

fn stratum_differences(position: usize, p: &StratumResult, c: &StratumResult, out: &mut Vec<Difference>) {
    if p.name != c.name {
        // Comparing the targets of two different strata would say nothing more.
        out.push(Difference::StratumName { position, published: p.name.clone(), computed: c.name.clone() });
        return;
    }
    let stratum = || c.name.clone();
    if p.size != c.size {
        out.push(Difference::StratumSize { stratum: stratum(), published: p.size, computed: c.size });
    }
    if p.count != c.count {
        out.push(Difference::StratumCount { stratum: stratum(), published: p.count, computed: c.count });
    }
    if let Some((first_position, published, computed, positions)) = first_and_count(&p.targets, &c.targets) {
        out.push(Difference::Targets { stratum: stratum(), first_position, published, computed, positions });
    }
}

fn sequence_difference(recorded: &[Assignment], computed: &[Assignment]) -> Option<Difference> {
    first_and_count(recorded, computed).map(|(first_position, published, computed, positions)| {
        Difference::Assignments { first_position, published, computed, positions }
    })
}

/// The first position where two sequences differ (a missing element counts
/// as different), the two elements there, and the number of such positions.
fn first_and_count<T: PartialEq + Clone>(a: &[T], b: &[T]) -> Option<(usize, Option<T>, Option<T>, usize)> {
    let differs = |i: &usize| a.get(*i) != b.get(*i);
    let first = (0..a.len().max(b.len())).find(differs)?;
    let positions = (first..a.len().max(b.len())).filter(differs).count();
    Some((first, a.get(first).cloned(), b.get(first).cloned(), positions))
}
