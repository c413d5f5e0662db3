//! `xinyong bench …`: benchmark programs. Each prints a table for people and,
//! with `--json`, one JSON object with every figure, its unit and the
//! baseline measured in the same run.

use serde::Serialize;

use crate::config::Config;
use crate::{CmdResult, Failure};

mod all;
mod check;
mod evaluate;
mod ingest;
mod log;
mod lottery;
mod report;
mod search;

#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Appends per second through `core` (batched) next to raw SHA-256 of the same bytes.
    Log {
        #[arg(long, default_value_t = 1_000_000)]
        entries: u64,
        /// Events per transaction.
        #[arg(long, default_value_t = 10_000)]
        batch: usize,
        /// Distinct market subjects: the first this many entries register
        /// them, later entries update them in turn (the projections stay
        /// this size while the log grows). Default: every entry registers a
        /// new subject.
        #[arg(long)]
        subjects: Option<u64>,
        /// Database URL; default a fresh SQLite file in a temp directory.
        #[arg(long)]
        database: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Credit reports: issue the signed JSON, typeset the PDF, verify
    /// offline (p50 over rounds), and the sizes, for a company with N
    /// penalties in publicity.
    Report {
        #[arg(long, default_value_t = 50)]
        records: u64,
        #[arg(long, default_value_t = 20)]
        rounds: usize,
        #[arg(long)]
        json: bool,
        /// Also write the report's typst sources and `data` input to this
        /// directory, for `scripts/typst-baseline` (typst outside the process).
        #[arg(long)]
        typst_input: Option<std::path::PathBuf>,
    },
    /// Records per second through parse → validate → log → project, next to a
    /// raw multi-row INSERT (SQLite) or COPY (PostgreSQL) of the same rows.
    Ingest {
        #[arg(long, default_value_t = 1_000_000)]
        records: u64,
        /// Rows per uploaded file (one batch, one transaction).
        #[arg(long, default_value_t = 10_000)]
        batch: usize,
        /// Database URL; default a fresh SQLite file in a temp directory.
        #[arg(long)]
        database: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Company-name search over demo names held in memory (no database):
    /// p50/p99 latency and recall for random name fragments and for whole
    /// names, next to SQLite FTS5 trigram on the same names and queries.
    Search {
        #[arg(long, default_value_t = 1_000_000)]
        subjects: u64,
        /// Demo city seed.
        #[arg(long, default_value_t = 2019)]
        seed: u64,
        /// Queries of each kind (fragments, whole names).
        #[arg(long, default_value_t = 1_000)]
        queries: usize,
        #[arg(long)]
        json: bool,
    },
    /// Credit checks (应查必查) against an in-memory index of synthetic
    /// subjects: per-check p50/p99/p999, then `POST /api/v1/checks` under
    /// wrk (or hey) next to the trivial `GET /api/v1/ping` in the same server.
    Check(check::CheckArgs),
    /// The local scorecard over synthetic facts in memory: a full evaluation
    /// on every core and an incremental one, next to one summing pass over
    /// the same facts; `--export DIR` writes inputs and scores as CSV.
    Evaluate(evaluate::EvaluateArgs),
    /// The verifiable lottery over a synthetic pool in memory: pool digest,
    /// stratified draw, inspector assignment and verification, next to a
    /// full shuffle of every stratum with the same stream.
    Lottery(lottery::LotteryArgs),
    /// The standard set, each bench in its own process, as one JSON
    /// document (with `--json`) to compare releases.
    All(all::AllArgs),
}

#[derive(Debug, Serialize)]
struct Figure {
    name: &'static str,
    value: f64,
    unit: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<Baseline>,
}

#[derive(Debug, Serialize)]
struct Baseline {
    name: &'static str,
    value: f64,
    unit: &'static str,
}

#[derive(Debug, Serialize)]
struct Report {
    bench: &'static str,
    backend: &'static str,
    figures: Vec<Figure>,
}

pub async fn run(cfg: Config, cmd: BenchCommand) -> CmdResult {
    match cmd {
        BenchCommand::Report { records, rounds, json, typst_input } => {
            report::run(&cfg, records, rounds, json, typst_input.as_deref()).await
        }
        BenchCommand::Log { entries, batch, subjects, database, json } => {
            log::run(log::LogArgs { entries, batch, subjects }, database, json).await
        }
        BenchCommand::Ingest { records, batch, database, json } => ingest::run(records, batch, database, json).await,
        BenchCommand::Search { subjects, seed, queries, json } => search::run(subjects, seed, queries, json).await,
        BenchCommand::Check(args) => check::run(args).await,
        BenchCommand::Evaluate(args) => evaluate::run(args),
        BenchCommand::Lottery(args) => lottery::run(args),
        BenchCommand::All(args) => all::run(args),
    }
}

/// The `p`-th percentile (nearest rank) of sorted durations, in µs to two
/// decimals.
fn percentile_us(sorted: &[std::time::Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0 * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    (sorted[rank - 1].as_secs_f64() * 1e6 * 100.0).round() / 100.0
}

fn tempfile_dir() -> Result<std::path::PathBuf, Failure> {
    let dir = std::env::temp_dir().join(format!("xinyong-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Failure::Other(e.into()))?;
    Ok(dir)
}

fn print_report(report: &Report, json: bool, title: &str) -> CmdResult {
    if json {
        println!("{}", serde_json::to_string(report).map_err(|e| Failure::Other(e.into()))?);
        return Ok(());
    }
    println!("{title}");
    println!("{:<26} {:>16} {:<10} {:>16}", "figure", "value", "unit", "baseline");
    for f in &report.figures {
        let base = f.baseline.as_ref().map(|b| format!("{} {} ({})", b.value, b.unit, b.name)).unwrap_or_default();
        println!("{:<26} {:>16} {:<10} {}", f.name, f.value, f.unit, base);
    }
    Ok(())
}

/// CPU seconds used so far by this process (all threads) and by its waited-for
/// children (the load generator), from `/proc/self/stat` (Linux; zeros
/// elsewhere). Other work on the machine does not count here, so CPU per
/// request is steadier than requests/s when the machine is shared.
fn cpu_seconds() -> (f64, f64) {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return (0.0, 0.0) };
    // Fields after the command name (which may contain spaces) start at field 3.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime, stime, cutime, cstime are fields 14–17, in USER_HZ (100 on Linux).
    ((ticks(11) + ticks(12)) / 100.0, (ticks(13) + ticks(14)) / 100.0)
}
