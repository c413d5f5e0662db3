//! `xinyong evaluate …`: score every subject under the models in force (as
//! the `evaluation` job does), and import grades other schemes gave.

use std::path::PathBuf;

use xinyong_core::auth::policy::Principal;
use xinyong_core::evaluation::external::{GradeImport, import_grades, rows_of_table};
use xinyong_core::evaluation::{RunSummary, Scope, evaluate};
use xinyong_domain::evaluation::ExternalScheme;
use xinyong_tabular::{ReadOptions, read_table};

use crate::config::Config;
use crate::{CmdResult, Failure, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum EvaluateCommand {
    /// Score every subject under every model in force and write the grades
    /// that changed (running it twice writes nothing the second time).
    Run {
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
        /// One JSON array of run summaries instead of sentences.
        #[arg(long)]
        json: bool,
    },
    /// Import one scheme's grades for one period from a CSV or XLSX file
    /// with the columns 统一社会信用代码 and 评价结果.
    Import {
        /// national (全国公共信用综合评价), tax (纳税信用等级) or samr_risk
        /// (企业信用风险分类).
        #[arg(long)]
        scheme: String,
        /// The period the grades are for: 2025, 2025-Q3 or 2025-07.
        #[arg(long)]
        period: String,
        /// The file.
        file: PathBuf,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
        /// Print the outcome as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(cfg: Config, command: EvaluateCommand) -> CmdResult {
    match command {
        EvaluateCommand::Run { database, json } => {
            let url = database.unwrap_or_else(|| cfg.database.url.clone());
            let core = runtime::build_core(&cfg, &url).await?;
            let runs = evaluate(&core, &Scope::All).await.map_err(usage)?;
            if json {
                println!("{}", serde_json::to_string(&runs).map_err(|e| Failure::Other(e.into()))?);
            } else if runs.is_empty() {
                eprintln!("xinyong: 没有生效的评价模型(rules/models/)");
            } else {
                runs.iter().for_each(print_run);
            }
            Ok(())
        }
        EvaluateCommand::Import { scheme, period, file, database, json } => {
            let scheme = ExternalScheme::parse(&scheme)
                .ok_or_else(|| Failure::Usage(format!("--scheme {scheme:?} 应为 national、tax 或 samr_risk")))?;
            let bytes =
                std::fs::read(&file).map_err(|e| Failure::Usage(format!("无法读取 {}：{e}", file.display())))?;
            let table = read_table(&bytes, &ReadOptions::default())
                .map_err(|e| Failure::Usage(format!("{}：{e}", file.display())))?;
            let rows = table.rows.into_iter().map(|r| (r.number, r.cells)).collect();
            let rows = rows_of_table(&table.headers, rows).map_err(usage)?;
            let url = database.unwrap_or_else(|| cfg.database.url.clone());
            let core = runtime::build_core(&cfg, &url).await?;
            let source = file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let outcome =
                import_grades(&core, &Principal::system(), scheme, &period, &source, rows).await.map_err(usage)?;
            print_import(&outcome, json)
        }
    }
}

fn usage(e: xinyong_core::CoreError) -> Failure {
    Failure::Usage(format!("{}：{e}", e.code()))
}

fn print_run(run: &RunSummary) {
    println!(
        "模型 {}（版本 {}）：评价 {} 户、事实 {} 条，等级有变化 {} 户（依据日志前 {} 条）",
        run.model, run.model_version, run.subjects, run.facts, run.changed, run.inputs_size
    );
}

fn print_import(outcome: &GradeImport, json: bool) -> CmdResult {
    if json {
        println!("{}", serde_json::to_string(outcome).map_err(|e| Failure::Other(e.into()))?);
        return Ok(());
    }
    for p in &outcome.rejected {
        println!("第 {} 行 {}：{}（{}）", p.row, p.field, p.message, p.code);
    }
    println!(
        "{} {}：导入 {} 户，拒绝 {} 行（批次 {}）",
        outcome.scheme.name_zh(),
        outcome.period,
        outcome.accepted,
        outcome.rejected.len(),
        outcome.import_id
    );
    outcome.evaluations.iter().for_each(print_run);
    Ok(())
}
