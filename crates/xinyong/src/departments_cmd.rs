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
    /// Register the shipped departments (rules/departments.toml) not yet known.
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
            let added = seed_shipped(&core).await?;
            println!("登记了 {added} 个新部门");
        }
    }
    Ok(())
}

/// Registers the shipped departments not yet known; `serve` and `demo` call
/// it on start.
pub async fn seed_shipped(core: &Core) -> Result<usize, Failure> {
    let departments = auth::shipped_departments().map_err(core_failure)?;
    let added = auth::seed_departments(core, &departments).await.map_err(core_failure)?;
    if added > 0 {
        tracing::info!(added, "registered shipped departments");
    }
    Ok(added)
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
