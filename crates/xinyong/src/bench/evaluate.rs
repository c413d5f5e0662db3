//! `xinyong bench evaluate`: the shipped local scorecard over synthetic
//! facts held in memory (the state a full run reaches after one pass over
//! the tables): a full evaluation on every core, and an incremental one (a
//! batch of 1,000 new penalty records: their subjects' facts rebuilt and
//! re-scored). The baseline in the same run is one pass over the same facts
//! that only sums them, on the same threads: what memory bandwidth allows.
//! `--export DIR` writes the inputs and the scores as CSV so the scorecard
//! can be run elsewhere (DuckDB, a spreadsheet) and the results compared.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;
use xinyong_core::evaluation::facts::CityFacts;
use xinyong_core::evaluation::{cores, score_all};
use xinyong_domain::evaluation::{
    Fact, FactKeys, FactSource, SHIPPED_LOCAL_MODEL_TOML, ScorecardModel, day_number, format_points,
};

use super::{Baseline, Figure, Report, print_report};
use crate::{CmdResult, Failure};

#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    #[arg(long, default_value_t = 1_000_000)]
    pub subjects: u32,
    #[arg(long, default_value_t = 10_000_000)]
    pub records: u64,
    /// Records in the incremental batch.
    #[arg(long, default_value_t = 1_000)]
    pub batch: u32,
    #[arg(long, default_value_t = 17)]
    pub seed: u64,
    /// Threads; default every core.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write facts.csv (uscc,source,class,code,age_days) and scores.csv
    /// (uscc,score,grade) here.
    #[arg(long)]
    pub export: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

/// SplitMix64: a fixed sequence, so a seed always names the same city.
struct Pick(u64);

impl Pick {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The evaluation day of the synthetic city.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or(NaiveDate::MIN)
}

/// The fact keys of the synthetic city and how often each is drawn
/// (per mille of records; external grades and listings come on top).
fn keys() -> (FactKeys, Vec<(u32, u64)>) {
    let mut keys = FactKeys::default();
    let mut weighted = Vec::new();
    let mut add = |keys: &mut FactKeys, source, class: &str, code: &str, weight| {
        let id = keys.intern(source, class, code);
        weighted.push((id, weight));
    };
    add(&mut keys, FactSource::Record, "none", "XK", 700);
    add(&mut keys, FactSource::Record, "minor", "CF", 120);
    add(&mut keys, FactSource::Record, "general", "CF", 120);
    add(&mut keys, FactSource::Record, "serious", "CF", 40);
    add(&mut keys, FactSource::Record, "specific_serious", "CF", 5);
    add(&mut keys, FactSource::Record, "none", "SXBZXR", 5);
    add(&mut keys, FactSource::Interview, "interview", "scjgj", 10);
    (keys, weighted)
}

/// A synthetic USCC-shaped key for subject `i` (the bench never parses it).
fn uscc_of(i: u32) -> String {
    format!("91370100MA{i:08}")
}

fn synthetic_city(args: &EvaluateArgs) -> CityFacts {
    let (mut keys, weighted) = keys();
    let total: u64 = weighted.iter().map(|(_, w)| w).sum();
    let mut pick = Pick(args.seed);
    let today = day_number(today());
    let n = args.subjects.max(1);
    let mut pairs: Vec<(u32, Fact)> = Vec::with_capacity(usize::try_from(args.records).unwrap_or(0) + n as usize);
    for _ in 0..args.records {
        let subject = u32::try_from(pick.below(u64::from(n))).unwrap_or(0);
        let mut w = pick.below(total);
        let key = weighted.iter().find(|(_, weight)| if w < *weight { true } else { (w -= weight, false).1 });
        let key = key.map_or(0, |(k, _)| *k);
        let age = i32::try_from(pick.below(5 * 365)).unwrap_or(0);
        pairs.push((subject, Fact { key, day: today - age }));
    }
    // 1 in 50 on the serious list, 1 in 30 key attention, 1 in 100 red; a
    // national grade for everyone, a tax grade for half.
    let serious = keys.intern(FactSource::Listing, "serious", "samr-serious");
    let attention = keys.intern(FactSource::Listing, "key_attention", "key-attention");
    let red = keys.intern(FactSource::Listing, "red", "red-list");
    let national: Vec<u32> =
        ["优", "良", "中", "差"].iter().map(|g| keys.intern(FactSource::ExternalGrade, "national", g)).collect();
    let tax: Vec<u32> =
        ["A", "B", "M", "C", "D"].iter().map(|g| keys.intern(FactSource::ExternalGrade, "tax", g)).collect();
    for s in 0..n {
        let day = today - i32::try_from(pick.below(365)).unwrap_or(0);
        for (one_in, key) in [(50, serious), (30, attention), (100, red)] {
            if pick.below(one_in) == 0 {
                pairs.push((s, Fact { key, day }));
            }
        }
        let g = usize::try_from(pick.below(100)).unwrap_or(0);
        pairs.push((s, Fact { key: national[[0, 0, 0, 1, 1, 1, 1, 2, 2, 3][g / 10]], day }));
        if pick.below(2) == 0 {
            pairs.push((s, Fact { key: tax[usize::try_from(pick.below(5)).unwrap_or(0)], day }));
        }
    }
    CityFacts::from_pairs(keys, (0..n).map(uscc_of).collect(), pairs)
}

/// The baseline: one pass over the same facts that only sums them.
fn sum_pass(facts: &CityFacts, threads: usize) -> u64 {
    let n = facts.len();
    let chunk = n.div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut sum = 0_u64;
                    for i in t * chunk..((t + 1) * chunk).min(n) {
                        for f in facts.of(i) {
                            sum = sum.wrapping_add(u64::from(f.key)).wrapping_add(f.day.unsigned_abs().into());
                        }
                    }
                    sum
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).fold(0, u64::wrapping_add)
    })
}

/// Peak resident memory of this process (`VmHWM`), in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

pub fn run(args: EvaluateArgs) -> CmdResult {
    let model = ScorecardModel::parse_toml(SHIPPED_LOCAL_MODEL_TOML)
        .map_err(|e| Failure::Other(anyhow::anyhow!("shipped model: {e}")))?;
    let threads = args.threads.unwrap_or_else(cores);
    let started = Instant::now();
    let facts = synthetic_city(&args);
    let generate_s = started.elapsed().as_secs_f64();

    let t = Instant::now();
    let checksum = sum_pass(&facts, threads);
    let baseline_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let scores = score_all(&model, &facts, today(), threads);
    let full_ms = t.elapsed().as_secs_f64() * 1e3;
    let again = score_all(&model, &facts, today(), threads);
    let identical = scores == again;
    drop(again);

    let (incremental_ms, touched) = incremental(&model, &facts, &args, threads);
    if let Some(dir) = &args.export {
        export(dir, &model, &facts, &scores).map_err(|e| Failure::Other(e.into()))?;
    }
    let report = Report {
        bench: "evaluate",
        backend: "memory",
        figures: vec![
            Figure { name: "subjects", value: f64::from(args.subjects), unit: "subjects", baseline: None },
            Figure { name: "facts", value: facts.fact_count() as f64, unit: "facts", baseline: None },
            Figure { name: "threads", value: threads as f64, unit: "threads", baseline: None },
            Figure { name: "generate", value: round(generate_s), unit: "s", baseline: None },
            Figure {
                name: "full evaluation",
                value: round(full_ms),
                unit: "ms",
                baseline: Some(Baseline {
                    name: "one summing pass over the facts",
                    value: round(baseline_ms),
                    unit: "ms",
                }),
            },
            Figure { name: "incremental evaluation", value: round(incremental_ms), unit: "ms", baseline: None },
            Figure { name: "incremental subjects", value: touched as f64, unit: "subjects", baseline: None },
            Figure { name: "rerun bit-identical", value: f64::from(u8::from(identical)), unit: "bool", baseline: None },
            Figure { name: "peak memory", value: round(peak_rss_mib()), unit: "MiB", baseline: None },
            Figure { name: "checksum", value: (checksum % 1_000_000) as f64, unit: "", baseline: None },
        ],
    };
    print_report(&report, args.json, "evaluate (shipped local model, synthetic facts in memory)")
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// A batch of new penalty records: the touched subjects' facts are rebuilt
/// (old facts plus the new ones) and only they are scored.
fn incremental(model: &ScorecardModel, facts: &CityFacts, args: &EvaluateArgs, threads: usize) -> (f64, usize) {
    let mut pick = Pick(args.seed ^ 0xA5A5);
    let key_general = facts.keys.clone();
    let t = Instant::now();
    let mut keys = key_general;
    let key = keys.intern(FactSource::Record, "general", "CF");
    let mut touched: Vec<u32> =
        (0..args.batch).map(|_| u32::try_from(pick.below(u64::from(args.subjects.max(1)))).unwrap_or(0)).collect();
    touched.sort_unstable();
    touched.dedup();
    let today = day_number(today());
    let mut pairs = Vec::new();
    for (new_index, s) in touched.iter().enumerate() {
        let i = u32::try_from(new_index).unwrap_or(0);
        pairs.extend(facts.of(*s as usize).iter().map(|f| (i, *f)));
        pairs.push((i, Fact { key, day: today }));
    }
    let subset = CityFacts::from_pairs(keys, touched.iter().map(|s| uscc_of(*s)).collect(), pairs);
    let scored = score_all(model, &subset, self::today(), threads);
    let ms = t.elapsed().as_secs_f64() * 1e3;
    (ms, scored.len())
}

fn export(
    dir: &Path,
    model: &ScorecardModel,
    facts: &CityFacts,
    scores: &[xinyong_domain::evaluation::Scored],
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("facts.csv"))?);
    writeln!(out, "uscc,source,class,code,age_days")?;
    let today = day_number(today());
    for (i, uscc) in facts.subjects.iter().enumerate() {
        for f in facts.of(i) {
            if let Some(k) = facts.keys.get(f.key) {
                writeln!(out, "{uscc},{},{},{},{}", k.source.as_str(), k.class, k.code, today - f.day)?;
            }
        }
    }
    out.flush()?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("scores.csv"))?);
    writeln!(out, "uscc,score,grade")?;
    for (uscc, s) in facts.subjects.iter().zip(scores) {
        writeln!(out, "{uscc},{},{}", format_points(s.score_centi), s.grade(model))?;
    }
    out.flush()
}
