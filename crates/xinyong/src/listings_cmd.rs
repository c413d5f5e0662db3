//! `xinyong listings …`: jobs of the listing life cycle.

use crate::config::Config;
use crate::{CmdResult, Failure, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum ListingsCommand {
    /// Move every listing whose validity has ended out of its list (期满移出),
    /// as `serve` does every `listing.expire_interval_secs`, and print how
    /// many exited.
    Expire {
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
        /// Print `{"exited": N}` instead of a sentence.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(cfg: Config, cmd: ListingsCommand) -> CmdResult {
    match cmd {
        ListingsCommand::Expire { database, json } => {
            let url = database.unwrap_or_else(|| cfg.database.url.clone());
            let core = runtime::build_core(&cfg, &url).await?;
            let exited = xinyong_core::lists::listing::expire_due(&core)
                .await
                .map_err(|e| Failure::Other(anyhow::Error::new(e).context("expiring listings")))?;
            if json {
                println!("{}", serde_json::json!({ "exited": exited }));
            } else {
                println!("期满移出 {exited} 条名单记录");
            }
            Ok(())
        }
    }
}
