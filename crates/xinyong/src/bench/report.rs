//! `xinyong bench report`: a company with N penalties in publicity; issuing
//! its signed JSON report, typesetting the PDF (fonts loaded once, and the
//! first render with a fresh engine as the reference), and verifying it
//! offline, each as p50 over rounds; and the sizes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use xinyong_core::collection::intake::{IngestRequest, InputTable, Source, ingest_batch};
use xinyong_core::reports::verify::{TrustPolicy, verify_report};
use xinyong_core::reports::{Channel, issue_public};
use xinyong_core::{Core, CoreSettings, LogKeys, SystemClock};
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::Actor;

use super::{Figure, Report, print_report, tempfile_dir};
use crate::config::Config;
use crate::{CmdResult, Failure, runtime};

fn other(e: impl std::fmt::Display) -> Failure {
    Failure::Other(anyhow::anyhow!("{e}"))
}

fn p50_ms(mut times: Vec<Duration>) -> f64 {
    times.sort_unstable();
    times.get(times.len() / 2).map_or(0.0, |d| (d.as_secs_f64() * 1e5).round() / 100.0)
}

pub(super) async fn run(
    cfg: &Config,
    records: u64,
    rounds: usize,
    json: bool,
    typst_input: Option<&std::path::Path>,
) -> CmdResult {
    if !(1..=2_000).contains(&records) || rounds == 0 {
        return Err(Failure::Usage("--records 应在 1 到 2000 之间，--rounds 至少为 1".to_owned()));
    }
    let dir = tempfile_dir()?;
    let store = runtime::open_store(&format!("sqlite://{}", dir.join("bench.db").display())).await?;
    let keys = LogKeys::from_seed("bench.xinyong.local/log", [1; 32]).map_err(other)?;
    let core = Core::new(store, Arc::new(SystemClock), keys, CoreSettings::default());
    xinyong_core::auth::seed_departments(&core, &xinyong_core::auth::shipped_departments().map_err(other)?)
        .await
        .map_err(other)?;
    xinyong_core::rules::publish_rules(&core).await.map_err(other)?;
    let actor = Actor::parse("bench").map_err(other)?;
    let subjects = super::ingest::register_subjects(&core, &actor, 8).await?;
    let subject = subjects.first().ok_or_else(|| other("no organisation among the demo subjects"))?.clone();
    ingest(&core, &actor, &subject, records).await?;
    let uscc = Uscc::parse(&subject.0).map_err(other)?;
    let trust = TrustPolicy { logs: vec![core.keys().verifier().map_err(other)?], ..Default::default() };

    let (mut issue, mut verify, mut render) = (Vec::new(), Vec::new(), Vec::new());
    let (mut json_size, mut pdf_size, mut in_report) = (0, 0, 0);
    let site = xinyong_server::SiteSettings::default();
    let documents = xinyong_documents::Documents::new(cfg.documents.fonts.clone());
    let cold = {
        let issued = issue_public(&core, &uscc, Channel::Cli).await.map_err(other)?;
        let document =
            xinyong_server::portal::reports::credit_report_document(&site, &issued, core.now()).map_err(other)?;
        if let Some(dir) = typst_input {
            write_typst_input(dir, &document, &cfg.documents.fonts)?;
        }
        let fresh = xinyong_documents::Documents::new(cfg.documents.fonts.clone());
        let t = Instant::now();
        fresh.credit_report(&document, core.now().fixed_offset()).map_err(other)?;
        t.elapsed()
    };
    for _ in 0..rounds {
        let t = Instant::now();
        let issued = issue_public(&core, &uscc, Channel::Cli).await.map_err(other)?;
        issue.push(t.elapsed());
        let file = serde_json::to_vec(&issued.signed).map_err(other)?;
        (json_size, in_report) = (file.len(), issued.report.records.len());
        let t = Instant::now();
        verify_report(&file, &trust).map_err(other)?;
        verify.push(t.elapsed());
        let document =
            xinyong_server::portal::reports::credit_report_document(&site, &issued, core.now()).map_err(other)?;
        let t = Instant::now();
        let pdf = documents.credit_report(&document, core.now().fixed_offset()).map_err(other)?;
        render.push(t.elapsed());
        pdf_size = pdf.len();
    }
    let figure = |name, value, unit| Figure { name, value, unit, baseline: None };
    let report = Report {
        bench: "report",
        backend: "sqlite",
        figures: vec![
            figure("records_in_report", in_report as f64, "records"),
            figure("json_issue_p50", p50_ms(issue), "ms"),
            figure("verify_p50", p50_ms(verify), "ms"),
            figure("pdf_render_p50", p50_ms(render), "ms"),
            figure("pdf_render_fresh_engine", p50_ms(vec![cold]), "ms"),
            figure("json_size", json_size as f64, "bytes"),
            figure("pdf_size", pdf_size as f64, "bytes"),
        ],
    };
    print_report(&report, json, &format!("bench report ({records} records, {rounds} rounds)"))?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The template files, `data.json` (the `data` input) and `fonts.txt` (one
/// font file per line) of the report, for typst outside this process.
fn write_typst_input(
    dir: &std::path::Path,
    document: &xinyong_documents::CreditReportDocument,
    fonts: &[std::path::PathBuf],
) -> Result<(), Failure> {
    let input = xinyong_documents::Documents::credit_report_sources(document).map_err(other)?;
    std::fs::create_dir_all(dir).map_err(other)?;
    for (name, text) in input.files {
        std::fs::write(dir.join(name), text).map_err(other)?;
    }
    std::fs::write(dir.join("data.json"), input.data).map_err(other)?;
    let fonts: Vec<String> = fonts.iter().map(|f| f.display().to_string()).collect();
    std::fs::write(dir.join("fonts.txt"), fonts.join("\n")).map_err(other)?;
    Ok(())
}

/// `records` penalties of one company, decided in the last weeks so that
/// all are in publicity today.
async fn ingest(core: &Core, actor: &Actor, subject: &super::ingest::Subject, records: u64) -> Result<(), Failure> {
    let today = xinyong_core::collection::intake::china_today(core);
    let decided = today - chrono::Duration::days(10);
    let csv = super::ingest::penalty_csv_dated(0, records as usize, std::slice::from_ref(subject), decided);
    let table = xinyong_tabular::read_table(&csv, &Default::default()).map_err(other)?;
    let request = IngestRequest {
        actor: actor.clone(),
        department: DepartmentCode::parse("zjj").map_err(other)?,
        item: None,
        source: Source::Cli,
        file_name: None,
        idempotency_key: None,
        table: InputTable {
            headers: table.headers,
            rows: table.rows.into_iter().map(|r| (r.number as u64, r.cells)).collect(),
        },
        lenient_codes: false,
        received_date: None,
        dry_run: false,
    };
    let out = ingest_batch(core, request).await.map_err(other)?;
    if out.batch.accepted != records {
        return Err(other(format!("only {} of {records} penalties were accepted", out.batch.accepted)));
    }
    Ok(())
}
