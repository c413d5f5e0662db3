//! `xinyong departments`: the departments that submit data.

use xinyong_core::Core;
use xinyong_core::auth;

use crate::config::Config;
use crate::{CmdResult, Failure, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum DepartmentsCommand {
    /// List the registered departments.
    List {
        /// One JSON array of {code, name, uscc, district, sector}.
        #[arg(long)]
        json: bool,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
    /// Apply the departments file (rules.dir's departments.toml, or the
    /// shipped one): register new departments, update changed ones.
    Seed {
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
}

pub async fn run(cfg: Config, command: DepartmentsCommand) -> CmdResult {
    match command {
        DepartmentsCommand::List { json, database } => {
            let core = open(&cfg, database).await?;
            let departments = auth::departments(&core).await.map_err(core_failure)?;
            if json {
                let text = serde_json::to_string(&departments).map_err(|e| Failure::Other(e.into()))?;
                println!("{text}");
            } else if departments.is_empty() {
                eprintln!("xinyong: 尚未登记任何部门（运行 xinyong departments seed）");
            } else {
                for d in &departments {
                    let uscc = d.uscc.as_ref().map_or("-", |u| u.as_str());
                    let sector = d.sector.as_deref().unwrap_or("-");
                    println!("{}\t{}\t{}\t{}\t{}", d.code, d.name, uscc, d.district, sector);
                }
            }
        }
        DepartmentsCommand::Seed { database } => {
            let core = open(&cfg, database).await?;
            let (added, changed) = apply_departments_file(&core).await?;
            println!("登记了 {added} 个新部门，更新了 {changed} 个部门");
        }
    }
    Ok(())
}

/// Applies the departments file of the core's rule files (`rules.dir`'s
/// departments.toml, or the shipped one); `serve` and `demo` call it on
/// start. Returns how many departments were new.
pub async fn seed_shipped(core: &Core) -> Result<usize, Failure> {
    apply_departments_file(core).await.map(|(added, _)| added)
}

/// Registers the file's new departments and registers changed ones again
/// with their new details; returns (new, changed).
async fn apply_departments_file(core: &Core) -> Result<(usize, usize), Failure> {
    let book = core.rule_book();
    let departments = match &book.source().departments {
        Some(text) => auth::parse_departments(text)
            .map_err(|e| Failure::Usage(format!("部门清单 {} 无效：{e}", book.source().origin_of_departments())))?,
        None => auth::shipped_departments().map_err(core_failure)?,
    };
    let (added, changed) = xinyong_core::rules::sync_departments(core, &departments).await.map_err(core_failure)?;
    if added + changed > 0 {
        tracing::info!(added, changed, "applied the departments file");
    }
    Ok((added, changed))
}

pub(crate) async fn open(cfg: &Config, database: Option<String>) -> Result<Core, Failure> {
    let url = database.unwrap_or_else(|| cfg.database.url.clone());
    runtime::build_core(cfg, &url).await
}

/// A refused request (bad input, unknown name) is a usage error with one
/// line; anything else is a failure with its chain.
pub(crate) fn core_failure(e: xinyong_core::CoreError) -> Failure {
    use xinyong_core::CoreError;
    match e {
        CoreError::Invalid { .. } | CoreError::NotFound { .. } | CoreError::Forbidden { .. } => {
            Failure::Usage(e.to_string())
        }
        other => Failure::Other(anyhow::Error::new(other)),
    }
}
