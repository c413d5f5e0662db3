//! `xinyong index …`: the company-name search index.
//!
//! The index lives in memory and `serve` rebuilds it from the database at
//! every start, so there are no index files to repair. `index rebuild` does
//! that same rebuild offline to show it works and what it costs, and checks
//! it against a second index built by replaying the whole log the way the
//! follower does: the two must agree subject for subject, in ranking order.

use std::time::Instant;

use xinyong_core::portal::search::SearchIndex;

use crate::config::Config;
use crate::{CmdResult, Failure, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum IndexCommand {
    /// Rebuild the search index from the subjects table, replay the log into
    /// a second one, compare them, and print counts and times.
    Rebuild {
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
        /// Skip the replay of the log (only rebuild from the table).
        #[arg(long)]
        no_replay: bool,
    },
}

pub async fn run(cfg: Config, cmd: IndexCommand) -> CmdResult {
    match cmd {
        IndexCommand::Rebuild { database, no_replay } => {
            let url = database.unwrap_or_else(|| cfg.database.url.clone());
            let core = runtime::build_core(&cfg, &url).await?;
            let fail = |e: xinyong_core::CoreError| Failure::Other(anyhow::Error::new(e).context("building the index"));

            let t = Instant::now();
            let rebuilt = SearchIndex::rebuild(&core).await.map_err(fail)?;
            let took = t.elapsed();
            let stats = rebuilt.stats();
            println!(
                "rebuilt from the subjects table: {} organisations at log size {} in {:.2} s ({} bigram keys, {} postings, about {} MB)",
                stats.subjects,
                rebuilt.applied(),
                took.as_secs_f64(),
                stats.grams,
                stats.postings,
                stats.approx_bytes / 1_000_000
            );
            if no_replay {
                return Ok(());
            }
            let t = Instant::now();
            let replayed = SearchIndex::new();
            let events = replayed.catch_up(&core).await.map_err(fail)?;
            println!(
                "replayed from the log: {} events, {} organisations in {:.2} s",
                events,
                replayed.len(),
                t.elapsed().as_secs_f64()
            );
            // The log may have grown between the two; bring the first along.
            rebuilt.catch_up(&core).await.map_err(fail)?;
            if rebuilt.digest() != replayed.digest() {
                return Err(Failure::Other(anyhow::anyhow!(
                    "the index rebuilt from the subjects table differs from the log replay ({} vs {} organisations); \
                     run `xinyong verify` to check the projection",
                    rebuilt.len(),
                    replayed.len()
                )));
            }
            println!("ok: both indexes hold the same {} organisations in the same order", replayed.len());
            Ok(())
        }
    }
}
