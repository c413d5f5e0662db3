//! Process plumbing shared by the subcommands: tracing, the tokio runtime,
//! opening the store and building `Core` from configuration.

use std::future::Future;
use std::sync::Arc;

use xinyong_core::auth::AuthSettings;
use xinyong_core::{Core, CoreSettings, LogKeys, SystemClock};
use xinyong_storage::{StorageError, Store};

use crate::config::Config;
use crate::{CmdResult, Failure};

pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("XINYONG_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    // Logs go to stderr so stdout stays clean for JSON output.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

pub fn block_on(fut: impl Future<Output = CmdResult>) -> CmdResult {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Other(anyhow::anyhow!("cannot start the async runtime: {e}")))?;
    rt.block_on(fut)
}

/// Opens and migrates the database. A bad URL or a newer schema is a usage
/// error (exit 2) with one clear line.
pub async fn open_store(url: &str) -> Result<Arc<dyn Store>, Failure> {
    match xinyong_storage::open(url).await {
        Ok(store) => Ok(store),
        Err(e @ (StorageError::InvalidUrl { .. } | StorageError::NewerSchema { .. })) => {
            Err(Failure::Usage(e.to_string()))
        }
        Err(StorageError::Database(e)) => {
            Err(Failure::Usage(format!("无法打开数据库 {}:{e}", xinyong_storage::postgres::redact(url))))
        }
        Err(e) => Err(Failure::Other(anyhow::Error::new(e).context("opening the database"))),
    }
}

/// Reads the log signing key from configuration or the key file, creating
/// the file from fresh OS randomness on first start.
pub fn load_keys(cfg: &Config) -> Result<LogKeys, Failure> {
    let keys = match &cfg.log.private_key {
        Some(text) => LogKeys::parse(&cfg.log.origin, text),
        None => LogKeys::load_or_create(&cfg.log.key_file, &cfg.log.origin, fresh_seed),
    };
    keys.map_err(|e| Failure::Usage(e.to_string()))
}

fn fresh_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    rand_seed(&mut seed);
    seed
}

/// The one place the binary takes randomness from the operating system: the
/// log key. Everything reproducible (demo city, draws) takes explicit seeds.
fn rand_seed(buf: &mut [u8; 32]) {
    use rand::TryRng as _;
    if rand::rngs::SysRng.try_fill_bytes(buf).is_err() {
        // Without OS randomness no safe key can exist; fall back to hashing
        // time and process data would be guessable, so stop instead.
        eprintln!("xinyong: the operating system refused to provide randomness for the log key");
        std::process::exit(1);
    }
}

pub async fn build_core(cfg: &Config, url: &str) -> Result<Core, Failure> {
    let store = open_store(url).await?;
    let keys = load_keys(cfg)?;
    let auth = AuthSettings { session_ttl: chrono::Duration::hours(i64::from(cfg.auth.session_hours)) };
    let webhooks = cfg.feeds.webhook_targets().map_err(Failure::Usage)?;
    let settings = CoreSettings { mask: cfg.mask.clone(), auth, webhooks, intake: cfg.intake.limits() };
    let core = Core::new(store, Arc::new(SystemClock), keys, settings);
    // Every command judges by the rule versions in force in this database.
    crate::rules_cmd::with_published_rules(core, cfg).await
}
