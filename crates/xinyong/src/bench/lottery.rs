//! `xinyong bench lottery`: the verifiable lottery (docs/LOTTERY.md) over a
//! synthetic pool in memory — building and digesting the pool, the
//! stratified draw, the inspector assignment and the verification — next to
//! a full Fisher–Yates shuffle of every stratum with the same stream, which
//! is what a draw would cost without the partial shuffle.

use std::num::NonZeroU32;
use std::time::Instant;

use xinyong_domain::Uscc;
use xinyong_domain::lottery::{
    CheckpointRoot, DrawId, Hash256, InspectorId, Pool, Quota, Roster, SeedSource, Stratum, StratumName, Stream,
    derive_seed, draw, verify,
};

use super::{Baseline, Figure, Report, print_report};
use crate::{CmdResult, Failure};

#[derive(Debug, clap::Args)]
pub struct LotteryArgs {
    /// Members of the pool, spread over four strata (A+A, B, C, D classes).
    #[arg(long, default_value_t = 1_000_000)]
    pool: u32,
    /// Inspectors on the roster.
    #[arg(long, default_value_t = 500)]
    inspectors: u32,
    #[arg(long)]
    json: bool,
}

/// (stratum, share of the pool in percent, ratio in basis points): the
/// graded-supervision table's low end per class (DOMAIN §7).
const STRATA: [(&str, u32, u32); 4] = [("A", 60, 300), ("B", 25, 1000), ("C", 10, 3000), ("D", 5, 6100)];

fn member(division: u32, n: u32) -> Result<Uscc, Failure> {
    Uscc::from_parts('9', '1', &format!("{division:06}"), &format!("MA{n:06}"))
        .map_err(|e| Failure::Other(anyhow::anyhow!("synthetic code: {e}")))
}

fn fail(e: impl std::fmt::Display) -> Failure {
    Failure::Other(anyhow::anyhow!("{e}"))
}

pub fn run(args: LotteryArgs) -> CmdResult {
    let t = Instant::now();
    let mut strata = Vec::new();
    for (i, (name, share, bp)) in STRATA.iter().enumerate() {
        let size = args.pool / 100 * share;
        let division = 370_101 + u32::try_from(i).unwrap_or(0);
        let members = (0..size).map(|n| member(division, n)).collect::<Result<Vec<_>, _>>()?;
        strata.push(
            Stratum::new(StratumName::parse(name).map_err(fail)?, Quota::ratio(*bp).map_err(fail)?, members)
                .map_err(fail)?,
        );
    }
    let generate_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let pool = Pool::new(strata).map_err(fail)?;
    let pool_ms = t.elapsed().as_secs_f64() * 1e3;
    let inspectors = (0..args.inspectors)
        .map(|n| InspectorId::parse(&format!("insp-{n:04}")))
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    let roster = Roster::new([7; 32], 2, inspectors, Vec::new()).map_err(fail)?;
    let source = SeedSource {
        draw_id: DrawId::parse("bench-draw").map_err(fail)?,
        plan_digest: Hash256::of(b"bench plan"),
        roster_digest: roster.digest(),
        checkpoint: CheckpointRoot { tree_size: 1_000_000, root: Hash256::of(b"bench checkpoint") },
        beacon: None,
    };
    let t = Instant::now();
    let drawn = draw(&pool, source.clone());
    let draw_ms = t.elapsed().as_secs_f64() * 1e3;
    let published = drawn.published().clone();
    let targets: usize = published.strata.iter().map(|s| s.targets.len()).sum();
    let t = Instant::now();
    let assigned = drawn.assign(&roster).map_err(fail)?;
    let assign_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let verified = verify(&pool, &source, &published).is_ok();
    let verify_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let shuffled = full_shuffle(&pool, &source);
    let shuffle_ms = t.elapsed().as_secs_f64() * 1e3;
    let ms = |name: &'static str, value: f64| Figure {
        name,
        value: (value * 100.0).round() / 100.0,
        unit: "ms",
        baseline: None,
    };
    let report = Report {
        bench: "lottery",
        backend: "memory",
        figures: vec![
            Figure { name: "pool", value: f64::from(args.pool), unit: "subjects", baseline: None },
            Figure { name: "strata", value: STRATA.len() as f64, unit: "strata", baseline: None },
            Figure { name: "targets", value: targets as f64, unit: "subjects", baseline: None },
            Figure { name: "generate", value: (generate_s * 100.0).round() / 100.0, unit: "s", baseline: None },
            ms("pool check and digest", pool_ms),
            Figure {
                baseline: Some(Baseline {
                    name: "a full Fisher–Yates shuffle of every stratum, same stream",
                    value: (shuffle_ms * 100.0).round() / 100.0,
                    unit: "ms",
                }),
                ..ms("stratified draw", draw_ms)
            },
            ms("inspector assignment", assign_ms),
            Figure { name: "assignments", value: assigned.assignments.len() as f64, unit: "targets", baseline: None },
            ms("verification (draw again and compare)", verify_ms),
            Figure { name: "verified", value: f64::from(u8::from(verified)), unit: "bool", baseline: None },
            Figure { name: "checksum", value: (shuffled % 1_000_000) as f64, unit: "", baseline: None },
        ],
    };
    print_report(&report, args.json, "verifiable lottery (docs/LOTTERY.md)")
}

/// Shuffles every stratum's whole index vector with the draw's stream: the
/// cost a draw would have without stopping after its count.
fn full_shuffle(pool: &Pool, source: &SeedSource) -> u64 {
    let mut stream = Stream::new(&derive_seed(source, &pool.digest()));
    let mut checksum = 0u64;
    for stratum in pool.strata() {
        let n = u32::try_from(stratum.members().len()).unwrap_or(u32::MAX);
        let mut order: Vec<u32> = (0..n).collect();
        for i in (1..n).rev() {
            let j = NonZeroU32::new(i + 1).map_or(0, |bound| stream.below(bound));
            order.swap(i as usize, j as usize);
        }
        checksum = checksum.wrapping_add(u64::from(order.first().copied().unwrap_or(0)));
    }
    checksum
}
