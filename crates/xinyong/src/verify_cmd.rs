//! `xinyong verify`

use indicatif::ProgressBar;

use crate::config::Config;
use crate::{CmdResult, Failure, runtime};

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Database URL (overrides configuration).
    #[arg(long)]
    database: Option<String>,
}

pub async fn run(cfg: Config, args: VerifyArgs) -> CmdResult {
    let url = args.database.unwrap_or_else(|| cfg.database.url.clone());
    // Never creates a key, and refuses one the log was not signed with
    // (`log_key_missing`, `log_key_mismatch`) before checking anything.
    let core = runtime::build_core_with(&cfg, &url, runtime::KeyUse::MustExist).await?;
    let bar = ProgressBar::new_spinner();
    let progress = move |what: &str, done: u64, total: u64| {
        if total > 0 {
            bar.set_message(format!("{what}: {done}/{total}"));
        } else {
            bar.set_message(format!("{what}: {done}"));
        }
        bar.tick();
    };
    match xinyong_core::log::verify::verify(&core, &progress).await {
        Ok(r) => {
            let rows: Vec<String> = r.rows.iter().map(|(table, n)| format!("{n} {table}")).collect();
            println!(
                "ok: {} log entries, {} tree nodes, checkpoint at size {} verified; {} match the log",
                r.entries,
                r.tree_nodes,
                r.checkpoint_size,
                rows.join(", ")
            );
            Ok(())
        }
        Err(xinyong_core::log::verify::VerifyError::Mismatch(m)) => {
            Err(Failure::Other(anyhow::anyhow!("verification failed: {m}")))
        }
        Err(xinyong_core::log::verify::VerifyError::Core(e)) => {
            Err(Failure::Other(anyhow::Error::new(e).context("verifying")))
        }
    }
}
