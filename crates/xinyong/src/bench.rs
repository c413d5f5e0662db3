//! `xinyong bench …`: benchmark programs. Each prints a table for people and,
//! with `--json`, one JSON object with every figure, its unit and the
//! baseline measured in the same run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use xinyong_core::{Core, CoreSettings, LogKeys, SystemClock};
use xinyong_demo::city::DemoCity;
use xinyong_domain::event::EventBody;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::SubjectsEvent;

use crate::config::Config;
use crate::{CmdResult, Failure, runtime};

mod check;
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
        /// Database URL; default a fresh SQLite file in a temp directory.
        #[arg(long)]
        database: Option<String>,
        #[arg(long)]
        json: bool,
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
        BenchCommand::Ingest { records, batch, database, json } => bench_ingest(records, batch, database, json).await,
        BenchCommand::Search { subjects, seed, queries, json } => search::run(subjects, seed, queries, json).await,
        BenchCommand::Check(args) => check::run(args).await,
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
    print_report(&report, json, &format!("bench log ({backend}, {entries} entries, batch {batch})"))?;
    if !json {
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

/// The CSV a department would upload: `rows` penalties of 济南市住房和城乡建设局
/// on the given subjects, with the template's Chinese headers.
fn penalty_csv(first: u64, rows: usize, subjects: &[(String, String, String)]) -> Vec<u8> {
    const HEADERS: &str = "行政相对人名称,行政相对人类别,行政相对人代码_1（统一社会信用代码）,法定代表人,行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,罚款金额（万元）,处罚决定日期,处罚有效期,处罚机关,处罚机关统一社会信用代码,数据来源单位,数据来源单位统一社会信用代码,程序类型";
    let mut out = String::with_capacity(rows * 400);
    out.push_str(HEADERS);
    out.push('\n');
    for i in 0..rows as u64 {
        let n = first + i;
        let (uscc, name, rep) = &subjects[(n % subjects.len() as u64) as usize];
        let day = 1 + n % 28;
        let month = 1 + (n / 28) % 10;
        let fine = 1 + n % 50;
        out.push_str(&format!(
            "{name},法人及非法人组织,{uscc},{rep},济建罚〔2026〕{n}号,未取得施工许可擅自施工,当事人未取得施工许可证擅自开工建设。,《建筑工程施工许可管理办法》第十二条,罚款,罚款{fine}万元,{fine},2026-{month:02}-{day:02},2029-{month:02}-{day:02},济南市住房和城乡建设局,113701000041882744,济南市住房和城乡建设局,113701000041882744,普通程序\n"
        ));
    }
    out.into_bytes()
}

async fn bench_ingest(records: u64, batch: usize, database: Option<String>, json: bool) -> CmdResult {
    use xinyong_core::collection::intake::{IngestRequest, InputTable, Source, ingest_batch};
    let fail = |e: xinyong_core::CoreError| Failure::Other(e.into());
    if batch == 0 || batch > xinyong_core::collection::intake::MAX_ROWS {
        return Err(Failure::Usage(format!("--batch 应在 1 到 {} 之间", xinyong_core::collection::intake::MAX_ROWS)));
    }
    let dir = tempfile_dir()?;
    let url = database.unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let store = runtime::open_store(&url).await?;
    let backend = store.backend();
    let keys = LogKeys::from_seed("bench.xinyong.local/log", [1; 32]).map_err(fail)?;
    let core = Core::new(store, Arc::new(SystemClock), keys, CoreSettings::default());
    xinyong_core::auth::seed_departments(&core, &xinyong_core::auth::shipped_departments().map_err(fail)?)
        .await
        .map_err(fail)?;
    xinyong_core::rules::publish_rules(&core).await.map_err(fail)?;

    // Subjects exist before the clock starts: we measure records.
    let subject_count = (records / 4).clamp(1, 100_000) as usize;
    let actor = Actor::parse("bench").map_err(|e| Failure::Other(anyhow::anyhow!("{e}")))?;
    let bodies: Vec<_> = DemoCity::new(11).take(subject_count).collect();
    let mut subjects = Vec::with_capacity(subject_count);
    for chunk in bodies.chunks(10_000) {
        core.append(chunk.iter().map(|b| NewEvent::new(actor.clone(), b.clone())).collect()).await.map_err(fail)?;
    }
    for b in &bodies {
        if let EventBody::Subjects(SubjectsEvent::LegalPersonRegistered { subject, people }) = b {
            let rep = people.first().map(|p| p.person.name.as_str().to_owned()).unwrap_or_default();
            subjects.push((subject.uscc.as_str().to_owned(), subject.name.as_str().to_owned(), rep));
        }
    }
    // Individual businesses need 个体工商户 as their category; keep organisations only.
    subjects.retain(|(u, _, _)| !u.starts_with("92"));

    // A second handle on the same database for the baseline inserts.
    enum BaselineStore {
        Sqlite(xinyong_storage::SqliteStore),
        Postgres(xinyong_storage::PostgresStore),
    }
    let baseline_store = match backend {
        xinyong_storage::Backend::Sqlite => BaselineStore::Sqlite(
            xinyong_storage::SqliteStore::open(&xinyong_storage::sqlite::path_from_url(&url).unwrap_or_default())
                .await
                .map_err(|e| Failure::Other(e.into()))?,
        ),
        xinyong_storage::Backend::Postgres => BaselineStore::Postgres(
            xinyong_storage::PostgresStore::connect(&url).await.map_err(|e| Failure::Other(e.into()))?,
        ),
    };
    let department =
        xinyong_domain::auth::DepartmentCode::parse("zjj").map_err(|e| Failure::Other(anyhow::anyhow!("{e}")))?;
    let (mut parse_time, mut ingest_time, mut baseline_time) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let (mut accepted, mut done) = (0u64, 0u64);
    let bar = indicatif::ProgressBar::new(records);
    while done < records {
        let n = (records - done).min(batch as u64) as usize;
        let csv = penalty_csv(done, n, &subjects);
        let t = Instant::now();
        let table = xinyong_tabular::read_table(&csv, &Default::default())
            .map_err(|e| Failure::Other(anyhow::anyhow!("{e}")))?;
        let input = InputTable {
            headers: table.headers.clone(),
            rows: table.rows.iter().map(|r| (r.number as u64, r.cells.clone())).collect(),
        };
        parse_time += t.elapsed();
        let request = IngestRequest {
            actor: actor.clone(),
            department: department.clone(),
            item: None,
            source: Source::Cli,
            file_name: None,
            idempotency_key: None,
            table: input,
            lenient_codes: false,
            received_date: None,
            dry_run: false,
        };
        let t = Instant::now();
        let out = ingest_batch(&core, request).await.map_err(fail)?;
        ingest_time += t.elapsed();
        accepted += out.batch.accepted;

        // Baseline: the same parsed rows, straight into a bare table.
        let rows: Vec<Vec<String>> = table.rows.into_iter().map(|r| r.cells).collect();
        let t = Instant::now();
        match &baseline_store {
            BaselineStore::Sqlite(s) => s.baseline_insert(table.headers.len(), &rows).await,
            BaselineStore::Postgres(s) => s.baseline_copy(table.headers.len(), &rows).await,
        }
        .map_err(|e| Failure::Other(e.into()))?;
        baseline_time += t.elapsed();
        done += n as u64;
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    if accepted != records {
        return Err(Failure::Other(anyhow::anyhow!("only {accepted} of {records} records were accepted")));
    }
    let total = parse_time + ingest_time;
    let rate = records as f64 / total.as_secs_f64().max(1e-9);
    let base_rate = records as f64 / baseline_time.as_secs_f64().max(1e-9);
    let baseline_name = match backend {
        xinyong_storage::Backend::Sqlite => "raw_multirow_insert_rate",
        xinyong_storage::Backend::Postgres => "raw_copy_rate",
    };
    let report = Report {
        bench: "ingest",
        backend: backend.as_str(),
        figures: vec![
            Figure {
                name: "ingest_rate",
                value: rate.round(),
                unit: "records/s",
                baseline: Some(Baseline { name: baseline_name, value: base_rate.round(), unit: "records/s" }),
            },
            Figure { name: "records", value: records as f64, unit: "records", baseline: None },
            Figure { name: "batch_rows", value: batch as f64, unit: "rows", baseline: None },
            Figure { name: "parse_time", value: parse_time.as_secs_f64(), unit: "s", baseline: None },
            Figure { name: "validate_log_project_time", value: ingest_time.as_secs_f64(), unit: "s", baseline: None },
            Figure { name: "baseline_time", value: baseline_time.as_secs_f64(), unit: "s", baseline: None },
        ],
    };
    print_report(&report, json, &format!("bench ingest ({}, {records} records, batch {batch})", backend.as_str()))?;
    if !json {
        println!("ingest / baseline = {:.3}", rate / base_rate);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
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
