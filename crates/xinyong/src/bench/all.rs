//! `xinyong bench all`: the standard set, one JSON document, so that figures
//! can be compared from release to release.
//!
//! Each bench runs as its own child process (this binary, `bench <name>
//! --json`): one bench's memory and caches do not carry into the next, and
//! the figures are the ones the single commands print.

use std::process::Command;
use std::time::Instant;

use serde_json::{Value, json};

use crate::{CmdResult, Failure};

#[derive(Debug, clap::Args)]
pub struct AllArgs {
    /// Scale: `standard` (the figures docs/PERFORMANCE.md reports; minutes)
    /// or `quick` (a smoke run in seconds, figures not comparable).
    #[arg(long, default_value = "standard", value_parser = ["standard", "quick"])]
    scale: String,
    /// Database URL for the benches that touch storage (log, ingest);
    /// default a fresh SQLite file per bench.
    #[arg(long)]
    database: Option<String>,
    /// Skip the HTTP part of `bench check` (it needs wrk or hey).
    #[arg(long)]
    no_http: bool,
    /// One JSON document on standard output (else a line per bench).
    #[arg(long)]
    json: bool,
}

/// The standard set: name and arguments at each scale.
fn standard_set(args: &AllArgs) -> Vec<(&'static str, Vec<String>)> {
    let quick = args.scale == "quick";
    let n = |standard: u64, small: u64| if quick { small } else { standard }.to_string();
    let storage = |bench: &'static str, count: &str, value: String| {
        let mut a = vec![bench.to_owned(), count.to_owned(), value];
        if let Some(url) = &args.database {
            a.extend(["--database".to_owned(), url.clone()]);
        }
        (bench, a)
    };
    let log = storage("log", "--entries", n(200_000, 5_000));
    let ingest = storage("ingest", "--records", n(200_000, 5_000));
    let mut check =
        vec!["check".to_owned(), "--subjects".into(), n(100_000, 2_000), "--checks".into(), n(200_000, 2_000)];
    if args.no_http || quick {
        check.push("--no-http".into());
    }
    vec![
        log,
        ingest,
        ("search", vec!["search".into(), "--subjects".into(), n(200_000, 2_000), "--queries".into(), n(1_000, 50)]),
        ("check", check),
        ("evaluate", vec!["evaluate".into(), "--subjects".into(), n(100_000, 2_000)]),
        ("lottery", vec!["lottery".into(), "--pool".into(), n(1_000_000, 10_000)]),
        ("report", vec!["report".into(), "--records".into(), n(50, 5), "--rounds".into(), n(20, 1)]),
    ]
}

pub fn run(args: AllArgs) -> CmdResult {
    let exe = std::env::current_exe().map_err(|e| Failure::Other(e.into()))?;
    let started = Instant::now();
    let mut reports = Vec::new();
    for (name, bench_args) in standard_set(&args) {
        let t = Instant::now();
        let out = Command::new(&exe)
            .arg("bench")
            .args(&bench_args)
            .arg("--json")
            .output()
            .map_err(|e| Failure::Other(anyhow::Error::new(e).context(format!("bench {name}"))))?;
        if !out.status.success() {
            return Err(Failure::Other(anyhow::anyhow!(
                "bench {name} 失败（{}）：{}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        // The report is the last JSON line (progress goes to stderr).
        let text = String::from_utf8_lossy(&out.stdout);
        let report: Value = text
            .lines()
            .rev()
            .find_map(|l| serde_json::from_str(l).ok())
            .ok_or_else(|| Failure::Other(anyhow::anyhow!("bench {name} 没有输出 JSON 报告")))?;
        if !args.json {
            println!("{name:<10} {:>8.1} s  {report}", t.elapsed().as_secs_f64());
        }
        reports.push(json!({ "args": bench_args, "seconds": round2(t.elapsed().as_secs_f64()), "report": report }));
    }
    if args.json {
        let doc = json!({
            "version": env!("CARGO_PKG_VERSION"),
            "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
            "scale": args.scale,
            "cpus": std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            "seconds": round2(started.elapsed().as_secs_f64()),
            "benches": reports,
        });
        println!("{doc}");
    }
    Ok(())
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
