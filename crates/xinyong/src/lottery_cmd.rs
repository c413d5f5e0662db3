//! `xinyong lottery verify TASK_ID`: recompute a draw from the log (the
//! commitment, the first checkpoint signed after the wait, the beacon) and
//! compare it with the result in the log or with a published copy
//! (`docs/LOTTERY.md` §9, `docs/INSPECTIONS.md`).

use std::path::PathBuf;

use xinyong_core::inspections::verify::{PublicDrawRecord, verify_draw};

use crate::config::Config;
use crate::{CmdResult, Failure, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum LotteryCommand {
    /// Recompute a task's draw and compare it; exit 1 when anything differs.
    Verify {
        /// The task (draw) id, e.g. scjgj-2026-0001.
        task_id: String,
        /// Compare with this published record (the JSON of
        /// `/api/v1/public/inspections/{id}/draw`) instead of the log's own.
        #[arg(long)]
        published: Option<PathBuf>,
        /// Also recompute the inspectors from the sealed roster (auditors).
        #[arg(long)]
        with_roster: bool,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
        /// Print the checks as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(cfg: Config, command: LotteryCommand) -> CmdResult {
    let LotteryCommand::Verify { task_id, published, with_roster, database, json } = command;
    let published = match published {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Failure::Usage(format!("无法读取 {}：{e}", path.display())))?;
            let record: PublicDrawRecord = serde_json::from_str(&text)
                .map_err(|e| Failure::Usage(format!("{} 不是抽取结果的公开记录：{e}", path.display())))?;
            if record.task_id != task_id {
                return Err(Failure::Usage(format!(
                    "{} 是任务 {} 的记录，不是 {task_id}",
                    path.display(),
                    record.task_id
                )));
            }
            Some(record)
        }
        None => None,
    };
    let url = database.unwrap_or_else(|| cfg.database.url.clone());
    let core = runtime::build_core(&cfg, &url).await?;
    let check = verify_draw(&core, &task_id, published, with_roster)
        .await
        .map_err(|e| Failure::Usage(format!("{}：{e}", e.code())))?;
    if json {
        let checks: Vec<serde_json::Value> = check
            .checks
            .iter()
            .map(|(what, r)| serde_json::json!({"check": what, "ok": r.is_ok(), "problem": r.as_ref().err()}))
            .collect();
        let out = serde_json::json!({"task_id": check.task_id, "passed": check.passed(), "checks": checks});
        println!("{out}");
    } else {
        for (what, r) in &check.checks {
            match r {
                Ok(()) => println!("✓ {what}"),
                Err(problem) => println!("✗ {what}：{problem}"),
            }
        }
    }
    if check.passed() {
        if !json {
            println!("任务 {task_id} 的抽取结果验证通过。");
        }
        Ok(())
    } else {
        Err(Failure::Other(anyhow::anyhow!("任务 {task_id} 的抽取结果与重新计算的结果不一致")))
    }
}
