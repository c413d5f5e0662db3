//! `xinyong bench …`: benchmark programs. Each prints a table for people and,
//! with `--json`, one JSON object with every figure, its unit and the
//! baseline measured in the same run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use xinyong_core::demo::DemoCity;
use xinyong_core::{Core, CoreSettings, LogKeys, SystemClock};
use xinyong_domain::event::{Actor, NewEvent};

use crate::config::Config;
use crate::{CmdResult, Failure, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Appends per second through `core` (batched) next to raw SHA-256 of the same bytes.
    Log {
        #[arg(long, default_value_t = 1_000_000)]
        entries: u64,
        /// Events per transaction.
        #[arg(long, default_value_t = 10_000)]
        batch: usize,
        /// Database URL; default a fresh SQLite file in a temp directory.
        #[arg(long)]
        database: Option<String>,
        #[arg(long)]
        json: bool,
    },
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

pub async fn run(_cfg: Config, cmd: BenchCommand) -> CmdResult {
    match cmd {
        BenchCommand::Log { entries, batch, database, json } => bench_log(entries, batch, database, json).await,
    }
}

async fn bench_log(entries: u64, batch: usize, database: Option<String>, json: bool) -> CmdResult {
    if batch == 0 || batch > xinyong_core::log::MAX_EVENTS_PER_TRANSACTION {
        return Err(Failure::Usage(format!(
            "--batch 应在 1 到 {} 之间",
            xinyong_core::log::MAX_EVENTS_PER_TRANSACTION
        )));
    }
    let dir = tempfile_dir()?;
    let url = database.unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let store = runtime::open_store(&url).await?;
    let backend = store.backend().as_str();
    let keys = LogKeys::from_seed("bench.xinyong.local/log", [1; 32]).map_err(|e| Failure::Other(e.into()))?;
    let core = Core::new(store, Arc::new(SystemClock), keys, CoreSettings::default());
    let actor = Actor::parse("bench").map_err(|e| Failure::Other(anyhow::anyhow!("{e}")))?;
    let start_size = core.store().log_size().await.map_err(|e| Failure::Other(e.into()))?;

    // Events are generated outside the timed region: we measure the log.
    let mut city = DemoCity::new(7);
    let mut appended = Duration::ZERO;
    let mut left = entries;
    let bar = indicatif::ProgressBar::new(entries);
    while left > 0 {
        let n = left.min(batch as u64);
        let events: Vec<NewEvent> = city.by_ref().take(n as usize).map(|b| NewEvent::new(actor.clone(), b)).collect();
        let t = Instant::now();
        core.append(events).await.map_err(|e| Failure::Other(e.into()))?;
        appended += t.elapsed();
        left -= n;
        bar.inc(n);
    }
    bar.finish_and_clear();

    // Baseline: SHA-256 leaf hashes of exactly the bytes that were logged.
    let mut bytes = Vec::with_capacity(entries as usize);
    let mut from = start_size;
    loop {
        let rows = core.store().events_from(from, 50_000).await.map_err(|e| Failure::Other(e.into()))?;
        let Some(last) = rows.last() else { break };
        from = u64::try_from(last.seq).unwrap_or(from) + 1;
        bytes.extend(rows.into_iter().map(|r| r.entry));
    }
    let t = Instant::now();
    let mut acc = 0u8;
    for entry in &bytes {
        acc ^= xinyong_tlog::leaf_hash(entry)[0];
    }
    let hashing = t.elapsed();
    std::hint::black_box(acc);

    let cp = core.checkpoint().await.map_err(|e| Failure::Other(e.into()))?;
    let t = Instant::now();
    let proof = core.inclusion_proof(cp.size / 2).await.map_err(|e| Failure::Other(e.into()))?;
    let proof_time = t.elapsed();
    let avg_entry = bytes.iter().map(Vec::len).sum::<usize>() as f64 / bytes.len().max(1) as f64;

    let append_rate = entries as f64 / appended.as_secs_f64().max(1e-9);
    let hash_rate = bytes.len() as f64 / hashing.as_secs_f64().max(1e-9);
    let report = Report {
        bench: "log",
        backend,
        figures: vec![
            Figure {
                name: "append_rate",
                value: append_rate.round(),
                unit: "entries/s",
                baseline: Some(Baseline { name: "sha256_leaf_hash_rate", value: hash_rate.round(), unit: "entries/s" }),
            },
            Figure { name: "entries", value: entries as f64, unit: "entries", baseline: None },
            Figure { name: "avg_entry_size", value: avg_entry.round(), unit: "bytes", baseline: None },
            Figure { name: "log_size", value: cp.size as f64, unit: "entries", baseline: None },
            Figure { name: "inclusion_proof_hashes", value: proof.hashes.len() as f64, unit: "hashes", baseline: None },
            Figure {
                name: "inclusion_proof_size",
                value: (proof.hashes.len() * 32) as f64,
                unit: "bytes",
                baseline: None,
            },
            Figure { name: "tlog_proof_text_size", value: proof.to_text().len() as f64, unit: "bytes", baseline: None },
            Figure { name: "inclusion_proof_time", value: proof_time.as_secs_f64() * 1e3, unit: "ms", baseline: None },
        ],
    };
    if json {
        println!("{}", serde_json::to_string(&report).map_err(|e| Failure::Other(e.into()))?);
    } else {
        println!("bench log ({backend}, {entries} entries, batch {batch})");
        println!("{:<26} {:>16} {:<10} {:>16}", "figure", "value", "unit", "baseline");
        for f in &report.figures {
            let base = f.baseline.as_ref().map(|b| format!("{} {} ({})", b.value, b.unit, b.name)).unwrap_or_default();
            println!("{:<26} {:>16.1} {:<10} {}", f.name, f.value, f.unit, base);
        }
        println!("append / raw hashing = {:.4}", append_rate / hash_rate);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf, Failure> {
    let dir = std::env::temp_dir().join(format!("xinyong-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Failure::Other(e.into()))?;
    Ok(dir)
}
