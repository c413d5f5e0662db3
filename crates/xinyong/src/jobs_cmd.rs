//! `xinyong jobs`: the background jobs `serve` runs, as recorded in the
//! database (who ran each last, when, how it ended, when it is due).

use chrono::DateTime;
use xinyong_core::clock::china_offset;
use xinyong_core::jobs;

use crate::config::Config;
use crate::departments_cmd::{core_failure, open};
use crate::{CmdResult, Failure};

#[derive(Debug, clap::Subcommand)]
pub enum JobsCommand {
    /// One line per job: name, state, last owner, last started, last
    /// finished, next run (China time) and outcome.
    List {
        /// One JSON array of {name, owner, running, last_started_ms,
        /// last_finished_ms, next_run_ms, last_outcome} (ms since the epoch).
        #[arg(long)]
        json: bool,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
}

pub async fn run(cfg: Config, command: JobsCommand) -> CmdResult {
    match command {
        JobsCommand::List { json, database } => {
            let core = open(&cfg, database).await?;
            let runs = jobs::job_runs(&core).await.map_err(core_failure)?;
            if json {
                let text = serde_json::to_string(&runs).map_err(|e| Failure::Other(e.into()))?;
                println!("{text}");
            } else if runs.is_empty() {
                eprintln!("xinyong: 还没有运行过后台任务(由 xinyong serve 运行)");
            } else {
                for r in &runs {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        r.name,
                        if r.running { "运行中" } else { "空闲" },
                        r.owner.as_deref().unwrap_or("-"),
                        china_time(r.last_started_ms),
                        china_time(r.last_finished_ms),
                        china_time(Some(r.next_run_ms).filter(|ms| *ms > 0)),
                        r.last_outcome.as_deref().unwrap_or("-"),
                    );
                }
            }
        }
    }
    Ok(())
}

/// `2026-12-03 22:37:17` in China Standard Time, `-` for none.
fn china_time(ms: Option<i64>) -> String {
    ms.and_then(DateTime::from_timestamp_millis)
        .map_or_else(|| "-".to_owned(), |t| t.with_timezone(&china_offset()).format("%Y-%m-%d %H:%M:%S").to_string())
}
