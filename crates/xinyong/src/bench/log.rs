//! `xinyong bench log`: appends per second through `core` (batched), next to
//! raw SHA-256 leaf hashing of exactly the bytes that were logged, and the
//! time of inclusion proofs in the log that results.
//!
//! The entries are demo registrations ([`DemoCity`]). With `--subjects N`
//! below `--entries`, the first N register N subjects and the rest update
//! them in turn (`legal_person_updated`, one `subjects` row each): the log
//! grows to any size while the projections stay N subjects big, as in a
//! city whose registry changes far more often than it grows. That keeps a
//! 10-million-entry log within reach of a small machine.

use std::sync::Arc;
use std::time::{Duration, Instant};

use xinyong_core::{Core, CoreSettings, LogKeys, SystemClock};
use xinyong_demo::city::DemoCity;
use xinyong_domain::event::{Actor, EventBody, NewEvent};
use xinyong_domain::subjects::SubjectsEvent;

use super::{Baseline, Figure, Report, percentile_us, print_report, tempfile_dir};
use crate::{CmdResult, Failure, runtime};

/// Entries read back per query for the baseline.
const READ_CHUNK: u32 = 50_000;

fn other(e: impl Into<anyhow::Error>) -> Failure {
    Failure::Other(e.into())
}

/// What to append.
pub(super) struct LogArgs {
    pub entries: u64,
    pub batch: usize,
    /// Distinct subjects (see the module comment); `None`: one per entry.
    pub subjects: Option<u64>,
}

pub(super) async fn run(args: LogArgs, database: Option<String>, json: bool) -> CmdResult {
    let LogArgs { entries, batch, subjects } = args;
    let max = xinyong_core::log::MAX_EVENTS_PER_TRANSACTION;
    if batch == 0 || batch > max {
        return Err(Failure::Usage(format!("--batch 应在 1 到 {max} 之间")));
    }
    if subjects == Some(0) {
        return Err(Failure::Usage("--subjects 应至少为 1".to_owned()));
    }
    let subjects = subjects.unwrap_or(entries).min(entries);
    let dir = tempfile_dir()?;
    let url = database.unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let store = runtime::open_store(&url).await?;
    let backend = store.backend().as_str();
    let keys = LogKeys::from_seed("bench.xinyong.local/log", [1; 32]).map_err(other)?;
    let core = Core::new(store, Arc::new(SystemClock), keys, CoreSettings::default());
    let start_size = core.store().log_size().await.map_err(other)?;

    let appended = append(&core, entries, batch, subjects).await?;
    let hashed = hash_logged(&core, start_size).await?;

    let cp = core.checkpoint().await.map_err(other)?;
    let (proof, proof_times) = time_proofs(&core, cp.size).await?;
    let avg_entry = hashed.bytes as f64 / hashed.entries.max(1) as f64;

    let append_rate = entries as f64 / appended.as_secs_f64().max(1e-9);
    let hash_rate = hashed.entries as f64 / hashed.time.as_secs_f64().max(1e-9);
    let plain = |name, value, unit| Figure { name, value, unit, baseline: None };
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
            plain("entries", entries as f64, "entries"),
            plain("subjects", subjects as f64, "subjects"),
            plain("avg_entry_size", avg_entry.round(), "bytes"),
            plain("log_size", cp.size as f64, "entries"),
            plain("inclusion_proof_hashes", proof.hashes.len() as f64, "hashes"),
            plain("inclusion_proof_size", (proof.hashes.len() * 32) as f64, "bytes"),
            plain("tlog_proof_text_size", proof.to_text().len() as f64, "bytes"),
            plain("inclusion_proof_p50", percentile_us(&proof_times, 50.0).round() / 1e3, "ms"),
            plain("inclusion_proof_p99", percentile_us(&proof_times, 99.0).round() / 1e3, "ms"),
        ],
    };
    let title = format!("bench log ({backend}, {entries} entries, {subjects} subjects, batch {batch})");
    print_report(&report, json, &title)?;
    if !json {
        println!("append / raw hashing = {:.4}", append_rate / hash_rate);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The demo registrations of `subjects` subjects, then updates of the same
/// subjects in the same order, round after round, without end.
fn demo_stream(subjects: u64) -> impl Iterator<Item = EventBody> {
    let registrations = move || DemoCity::new(7).take(usize::try_from(subjects).unwrap_or(usize::MAX));
    let updates = std::iter::repeat_with(move || {
        registrations().map(|body| match body {
            EventBody::Subjects(SubjectsEvent::LegalPersonRegistered { subject, .. }) => {
                EventBody::Subjects(SubjectsEvent::LegalPersonUpdated { subject })
            }
            other => other,
        })
    })
    .flatten();
    registrations().chain(updates)
}

/// Appends `entries` demo events `batch` at a time; events are generated
/// outside the timed region, so only the log is measured.
async fn append(core: &Core, entries: u64, batch: usize, subjects: u64) -> Result<Duration, Failure> {
    let actor = Actor::parse("bench").map_err(|e| Failure::Other(anyhow::anyhow!("{e}")))?;
    let mut city = demo_stream(subjects);
    let mut appended = Duration::ZERO;
    let mut left = entries;
    let bar = indicatif::ProgressBar::new(entries);
    while left > 0 {
        let n = left.min(batch as u64);
        let events: Vec<NewEvent> = city.by_ref().take(n as usize).map(|b| NewEvent::new(actor.clone(), b)).collect();
        let t = Instant::now();
        core.append(events).await.map_err(other)?;
        appended += t.elapsed();
        left -= n;
        bar.inc(n);
    }
    bar.finish_and_clear();
    Ok(appended)
}

/// Inclusion proofs timed one by one (the whole `Core::inclusion_proof`,
/// reading the checkpoint included) at [`PROOFS`] indexes spread over the
/// log; the proof of the middle entry, and the sorted times.
async fn time_proofs(core: &Core, size: u64) -> Result<(xinyong_tlog::TlogProof, Vec<Duration>), Failure> {
    let mut times = Vec::with_capacity(PROOFS as usize);
    for i in 0..PROOFS {
        // The middle of each of PROOFS equal slices of the log.
        let index = ((2 * i + 1) * size / (2 * PROOFS)).min(size.saturating_sub(1));
        let t = Instant::now();
        core.inclusion_proof(index).await.map_err(other)?;
        times.push(t.elapsed());
    }
    times.sort_unstable();
    Ok((core.inclusion_proof(size / 2).await.map_err(other)?, times))
}

/// Proofs [`time_proofs`] times.
const PROOFS: u64 = 200;

/// The baseline over the entries logged from `from` on, as stored.
struct Hashed {
    entries: u64,
    bytes: u64,
    /// Hashing alone, reading excluded.
    time: Duration,
}

/// Reads the logged entries a chunk at a time (a 10-million-entry log does
/// not fit in memory at once) and times the baseline on each chunk.
async fn hash_logged(core: &Core, mut from: u64) -> Result<Hashed, Failure> {
    let mut hashed = Hashed { entries: 0, bytes: 0, time: Duration::ZERO };
    loop {
        let rows = core.store().events_from(from, READ_CHUNK).await.map_err(other)?;
        let Some(last) = rows.last() else { break };
        from = u64::try_from(last.seq).unwrap_or(from) + 1;
        // Rows hold entries in compact form: rebuilding them is reading.
        let entries = rows.iter().map(|r| r.entry().map(std::borrow::Cow::into_owned)).collect::<Result<Vec<_>, _>>();
        let entries = entries.map_err(other)?;
        hashed.entries += entries.len() as u64;
        hashed.bytes += entries.iter().map(|e| e.len() as u64).sum::<u64>();
        hashed.time += hash_all(&entries);
    }
    Ok(hashed)
}

/// The baseline: the RFC 6962 leaf hash of every entry, nothing else.
fn hash_all(bytes: &[Vec<u8>]) -> Duration {
    let t = Instant::now();
    let mut acc = 0u8;
    for entry in bytes {
        acc ^= xinyong_tlog::leaf_hash(entry)[0];
    }
    let took = t.elapsed();
    std::hint::black_box(acc);
    took
}
