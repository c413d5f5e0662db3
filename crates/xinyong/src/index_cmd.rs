//! `xinyong index …`: the company-name search index.
//!
//! The index lives in memory. `serve` loads it from its snapshot file
//! (`[indexes] snapshot_dir`) when the file matches the log, else rebuilds
//! it from the database. The file is a cache: there is nothing to repair,
//! and a file that does not match is rebuilt and replaced.
//!
//! `index rebuild` does the rebuild offline to show it works and what it
//! costs, and checks it against a second index built by replaying the whole
//! log the way the follower does, and against the snapshot file if there is
//! one: they must agree subject for subject, in ranking order. `index
//! snapshot` writes the file, e.g. after a large import while no server runs,
//! so that the next start is fast.

use std::time::Instant;

use xinyong_core::portal::search::SearchIndex;
use xinyong_core::portal::search::snapshot::{self, Loaded};

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
    /// Rebuild the search index from the subjects table and write its
    /// snapshot file to `[indexes] snapshot_dir`.
    Snapshot {
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
}

pub async fn run(cfg: Config, cmd: IndexCommand) -> CmdResult {
    match cmd {
        IndexCommand::Snapshot { database } => {
            let dir = cfg.indexes.snapshot_dir().map(std::path::Path::to_owned).ok_or_else(|| {
                Failure::Usage("配置 [indexes] snapshot_dir 为空：不写搜索索引快照（snapshot_dir_unset）".to_owned())
            })?;
            let url = database.unwrap_or_else(|| cfg.database.url.clone());
            let core = runtime::build_core(&cfg, &url).await?;
            let fail =
                |e: xinyong_core::CoreError| Failure::Other(anyhow::Error::new(e).context("writing the snapshot"));
            let t = Instant::now();
            let rebuilt = std::sync::Arc::new(SearchIndex::rebuild(&core).await.map_err(fail)?);
            let saved = snapshot::save(&core, &rebuilt, &dir).await.map_err(fail)?;
            println!(
                "wrote {} ({} organisations at log size {}, {} bytes) in {:.2} s",
                saved.path.display(),
                rebuilt.len(),
                saved.log_size,
                saved.bytes,
                t.elapsed().as_secs_f64()
            );
            Ok(())
        }
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
            if let Some(dir) = cfg.indexes.snapshot_dir() {
                compare_with_snapshot(&core, &rebuilt, dir).await?;
            }
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

/// Loads the snapshot in `dir`, brings it and `rebuilt` to the same log
/// size, and fails when they disagree; a missing or unusable file is only
/// reported (`serve` would rebuild and replace it).
async fn compare_with_snapshot(core: &xinyong_core::Core, rebuilt: &SearchIndex, dir: &std::path::Path) -> CmdResult {
    let fail = |e: xinyong_core::CoreError| Failure::Other(anyhow::Error::new(e).context("reading the snapshot"));
    match snapshot::load(core, dir).await.map_err(fail)? {
        Loaded::Missing => println!("no snapshot in {}", dir.display()),
        Loaded::Unusable(why) => println!("the snapshot in {} would not be used: {why}", dir.display()),
        Loaded::Index(loaded) => {
            let size = loaded.applied();
            loaded.catch_up(core).await.map_err(fail)?;
            rebuilt.catch_up(core).await.map_err(fail)?;
            if loaded.digest() != rebuilt.digest() {
                return Err(Failure::Other(anyhow::anyhow!(
                    "the snapshot in {} (log size {size}) differs from the rebuilt index; delete it and run \
                     `xinyong index snapshot`",
                    dir.display()
                )));
            }
            println!("ok: the snapshot in {} (log size {size}) holds the same organisations", dir.display());
        }
    }
    Ok(())
}
