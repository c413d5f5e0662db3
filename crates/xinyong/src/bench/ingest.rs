//! `xinyong bench ingest`: records per second through parse → validate →
//! log → project, next to a raw multi-row INSERT (SQLite) or COPY
//! (PostgreSQL) of the same parsed rows into a bare table.

use std::sync::Arc;
use std::time::{Duration, Instant};

use xinyong_core::collection::intake::{self, IngestRequest, InputTable, Source, ingest_batch};
use xinyong_core::{Core, CoreSettings, LogKeys, SystemClock};
use xinyong_demo::city::DemoCity;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::{Actor, EventBody, NewEvent};
use xinyong_domain::subjects::SubjectsEvent;
use xinyong_storage::{Backend, PostgresStore, SqliteStore};

use super::{Baseline, Figure, Report, print_report, tempfile_dir};
use crate::{CmdResult, Failure, runtime};

/// Subjects registered before the clock starts, per append.
const SUBJECT_CHUNK: usize = 10_000;

/// USCC, name and legal representative of one organisation.
pub(super) type Subject = (String, String, String);

fn other(e: impl Into<anyhow::Error>) -> Failure {
    Failure::Other(e.into())
}

fn message(e: impl std::fmt::Display) -> Failure {
    Failure::Other(anyhow::anyhow!("{e}"))
}

/// Where each part of the run went.
#[derive(Default)]
struct Times {
    parse: Duration,
    ingest: Duration,
    /// The longest one batch took through validation, the log and the
    /// projections: an upper bound of how long it held the single writer.
    slowest_batch: Duration,
    baseline: Duration,
    /// CPU seconds of the whole process (every thread, SQLite's included)
    /// while batches were ingested: steadier than the rate when the machine
    /// is shared.
    ingest_cpu: f64,
}

pub(super) async fn run(records: u64, batch: usize, database: Option<String>, json: bool) -> CmdResult {
    if batch == 0 || batch > intake::MAX_ROWS {
        return Err(Failure::Usage(format!("--batch 应在 1 到 {} 之间", intake::MAX_ROWS)));
    }
    let dir = tempfile_dir()?;
    let url = database.unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let store = runtime::open_store(&url).await?;
    let backend = store.backend();
    let keys = LogKeys::from_seed("bench.xinyong.local/log", [1; 32]).map_err(other)?;
    let core = Core::new(store, Arc::new(SystemClock), keys, CoreSettings::default());
    xinyong_core::auth::seed_departments(&core, &xinyong_core::auth::shipped_departments().map_err(other)?)
        .await
        .map_err(other)?;
    xinyong_core::rules::publish_rules(&core).await.map_err(other)?;
    let actor = Actor::parse("bench").map_err(message)?;
    let subjects = register_subjects(&core, &actor, (records / 4).clamp(1, 100_000) as usize).await?;
    let baseline = BaselineStore::open(backend, &url).await?;

    let mut times = Times::default();
    let (mut accepted, mut done) = (0u64, 0u64);
    let bar = indicatif::ProgressBar::new(records);
    while done < records {
        let n = (records - done).min(batch as u64) as usize;
        let csv = penalty_csv(done, n, &subjects);
        accepted += one_batch(&core, &actor, &baseline, &csv, &mut times).await?;
        done += n as u64;
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    if accepted != records {
        return Err(Failure::Other(anyhow::anyhow!("only {accepted} of {records} records were accepted")));
    }
    let rate = records as f64 / (times.parse + times.ingest).as_secs_f64().max(1e-9);
    let base_rate = records as f64 / times.baseline.as_secs_f64().max(1e-9);
    let report = report(backend, records, batch, &times, rate, base_rate);
    print_report(&report, json, &format!("bench ingest ({}, {records} records, batch {batch})", backend.as_str()))?;
    if !json {
        println!("ingest / baseline = {:.3}", rate / base_rate);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Registers `count` demo subjects and returns the organisations among them
/// (individual businesses need 个体工商户 as their category, so they are left out).
pub(super) async fn register_subjects(core: &Core, actor: &Actor, count: usize) -> Result<Vec<Subject>, Failure> {
    let bodies: Vec<_> = DemoCity::new(11).take(count).collect();
    for chunk in bodies.chunks(SUBJECT_CHUNK) {
        core.append(chunk.iter().map(|b| NewEvent::new(actor.clone(), b.clone())).collect()).await.map_err(other)?;
    }
    let mut subjects = Vec::with_capacity(count);
    for b in &bodies {
        if let EventBody::Subjects(SubjectsEvent::LegalPersonRegistered { subject, people }) = b {
            let rep = people.first().map(|p| p.person.name.as_str().to_owned()).unwrap_or_default();
            subjects.push((subject.uscc.as_str().to_owned(), subject.name.as_str().to_owned(), rep));
        }
    }
    subjects.retain(|(u, _, _)| !u.starts_with("92"));
    Ok(subjects)
}

/// Parses and ingests one CSV, then writes the same parsed rows to the
/// baseline table; returns the records accepted.
async fn one_batch(
    core: &Core,
    actor: &Actor,
    baseline: &BaselineStore,
    csv: &[u8],
    times: &mut Times,
) -> Result<u64, Failure> {
    let t = Instant::now();
    let table = xinyong_tabular::read_table(csv, &Default::default()).map_err(message)?;
    let input = InputTable {
        headers: table.headers.clone(),
        rows: table.rows.iter().map(|r| (r.number as u64, r.cells.clone())).collect(),
    };
    times.parse += t.elapsed();
    let request = IngestRequest {
        actor: actor.clone(),
        department: DepartmentCode::parse("zjj").map_err(message)?,
        item: None,
        source: Source::Cli,
        file_name: None,
        idempotency_key: None,
        table: input,
        lenient_codes: false,
        received_date: None,
        dry_run: false,
    };
    let (t, cpu) = (Instant::now(), super::cpu_seconds().0);
    let out = ingest_batch(core, request).await.map_err(other)?;
    times.ingest += t.elapsed();
    times.ingest_cpu += super::cpu_seconds().0 - cpu;
    times.slowest_batch = times.slowest_batch.max(t.elapsed());

    let rows: Vec<Vec<String>> = table.rows.into_iter().map(|r| r.cells).collect();
    let t = Instant::now();
    baseline.insert(table.headers.len(), &rows).await?;
    times.baseline += t.elapsed();
    Ok(out.batch.accepted)
}

/// A second handle on the same database for the baseline inserts.
enum BaselineStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl BaselineStore {
    async fn open(backend: Backend, url: &str) -> Result<Self, Failure> {
        Ok(match backend {
            Backend::Sqlite => Self::Sqlite(
                SqliteStore::open(&xinyong_storage::sqlite::path_from_url(url).unwrap_or_default())
                    .await
                    .map_err(other)?,
            ),
            Backend::Postgres => Self::Postgres(PostgresStore::connect(url).await.map_err(other)?),
        })
    }

    async fn insert(&self, columns: usize, rows: &[Vec<String>]) -> Result<(), Failure> {
        match self {
            Self::Sqlite(s) => s.baseline_insert(columns, rows).await,
            Self::Postgres(s) => s.baseline_copy(columns, rows).await,
        }
        .map(drop)
        .map_err(other)
    }

    fn baseline_name(backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => "raw_multirow_insert_rate",
            Backend::Postgres => "raw_copy_rate",
        }
    }
}

fn report(backend: Backend, records: u64, batch: usize, times: &Times, rate: f64, base_rate: f64) -> Report {
    let plain = |name, value, unit| Figure { name, value, unit, baseline: None };
    Report {
        bench: "ingest",
        backend: backend.as_str(),
        figures: vec![
            Figure {
                name: "ingest_rate",
                value: rate.round(),
                unit: "records/s",
                baseline: Some(Baseline {
                    name: BaselineStore::baseline_name(backend),
                    value: base_rate.round(),
                    unit: "records/s",
                }),
            },
            plain("records", records as f64, "records"),
            plain("batch_rows", batch as f64, "rows"),
            plain("parse_time", times.parse.as_secs_f64(), "s"),
            plain("validate_log_project_time", times.ingest.as_secs_f64(), "s"),
            plain("slowest_batch_time", times.slowest_batch.as_secs_f64(), "s"),
            plain("ingest_cpu_per_record", (times.ingest_cpu * 1e6 / records.max(1) as f64).round(), "µs/record"),
            plain("baseline_time", times.baseline.as_secs_f64(), "s"),
        ],
    }
}

/// The CSV a department would upload: `rows` penalties of 济南市住房和城乡建设局
/// on the given subjects, with the template's Chinese headers.
fn penalty_csv(first: u64, rows: usize, subjects: &[Subject]) -> Vec<u8> {
    penalty_csv_with(first, rows, subjects, |n| {
        let (month, day) = (1 + (n / 28) % 10, 1 + n % 28);
        (format!("2026-{month:02}-{day:02}"), format!("2029-{month:02}-{day:02}"))
    })
}

/// As [`penalty_csv`], every penalty decided on `decided` (valid three years).
pub(super) fn penalty_csv_dated(first: u64, rows: usize, subjects: &[Subject], decided: chrono::NaiveDate) -> Vec<u8> {
    let until = decided + chrono::Months::new(36);
    penalty_csv_with(first, rows, subjects, |_| (decided.to_string(), until.to_string()))
}

fn penalty_csv_with(first: u64, rows: usize, subjects: &[Subject], dates: impl Fn(u64) -> (String, String)) -> Vec<u8> {
    const HEADERS: &str = "行政相对人名称,行政相对人类别,行政相对人代码_1（统一社会信用代码）,法定代表人,行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,罚款金额（万元）,处罚决定日期,处罚有效期,处罚机关,处罚机关统一社会信用代码,数据来源单位,数据来源单位统一社会信用代码,程序类型";
    let mut out = String::with_capacity(rows * 400);
    out.push_str(HEADERS);
    out.push('\n');
    for i in 0..rows as u64 {
        let n = first + i;
        let (uscc, name, rep) = &subjects[(n % subjects.len() as u64) as usize];
        let (decided, until) = dates(n);
        let fine = 1 + n % 50;
        out.push_str(&format!(
            "{name},法人及非法人组织,{uscc},{rep},济建罚〔2026〕{n}号,未取得施工许可擅自施工,当事人未取得施工许可证擅自开工建设。,《建筑工程施工许可管理办法》第十二条,罚款,罚款{fine}万元,{fine},{decided},{until},济南市住房和城乡建设局,113701000041882744,济南市住房和城乡建设局,113701000041882744,普通程序\n"
        ));
    }
    out.into_bytes()
}
