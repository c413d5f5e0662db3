//! `xinyong backup` and `xinyong restore` (SQLite; PostgreSQL uses pg_dump,
//! docs/OPERATIONS.md).

use std::path::PathBuf;
use std::sync::Arc;

use xinyong_core::clock::SystemClock;
use xinyong_core::log::backup::{self, Manifest};
use xinyong_core::log::keys::LogKeys;

use crate::config::Config;
use crate::{CmdResult, Failure, runtime};

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// New directory to write the backup to (must not exist).
    #[arg(long)]
    to: PathBuf,
    /// Database URL (overrides configuration).
    #[arg(long)]
    database: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A directory written by `xinyong backup`.
    #[arg(long)]
    from: PathBuf,
    /// SQLite database to create (must not exist; default: the configured one).
    #[arg(long)]
    database: Option<String>,
    #[arg(long)]
    json: bool,
}

fn other(e: impl std::error::Error + Send + Sync + 'static) -> Failure {
    Failure::Other(anyhow::Error::new(e))
}

fn report(what: &str, m: &Manifest, json: bool) -> CmdResult {
    if json {
        println!("{}", serde_json::to_string(m).map_err(other)?);
    } else {
        let checkpoint = match (m.checkpoint_size, &m.checkpoint_root) {
            (Some(size), Some(root)) => format!("checkpoint at size {size}, root {root}"),
            _ => "no checkpoint".to_owned(),
        };
        println!("ok: {what}: {} log entries, {checkpoint}, verified", m.log_size);
    }
    Ok(())
}

/// Copies the live database (while it serves) and verifies the copy.
pub async fn backup(cfg: Config, args: BackupArgs) -> CmdResult {
    let url = args.database.unwrap_or_else(|| cfg.database.url.clone());
    let core = runtime::build_core_with(&cfg, &url, runtime::KeyUse::MustExist).await?;
    let manifest = backup::backup_to(&core, &args.to, core.now()).await.map_err(usage_or_other)?;
    report(&format!("backup in {}", args.to.display()), &manifest, args.json)
}

/// Restores a backup into a database that does not exist yet, with the
/// configured signing key, which must be the backup's.
pub async fn restore(cfg: Config, args: RestoreArgs) -> CmdResult {
    let url = args.database.unwrap_or_else(|| cfg.database.url.clone());
    let Some(target) = xinyong_storage::sqlite::path_from_url(&url) else {
        return Err(Failure::Usage(format!(
            "restore_target_unsupported：只能恢复到 SQLite 数据库文件；{url} 请用 pg_restore（见 docs/OPERATIONS.md）"
        )));
    };
    let keys = configured_keys(&cfg)?;
    let settings = runtime::core_settings(&cfg)?;
    let manifest =
        backup::restore(&args.from, &target, keys, Arc::new(SystemClock), settings).await.map_err(usage_or_other)?;
    report(&format!("restored to {}", target.display()), &manifest, args.json)
}

/// The configured key, which must exist: a restore never creates one.
fn configured_keys(cfg: &Config) -> Result<LogKeys, Failure> {
    let usage = |e: xinyong_core::CoreError| Failure::Usage(e.to_string());
    if let Some(text) = &cfg.log.private_key {
        return LogKeys::parse(&cfg.log.origin, text).map_err(usage);
    }
    LogKeys::load(&cfg.log.key_file, &cfg.log.origin).map_err(usage)?.ok_or_else(|| {
        Failure::Usage(format!(
            "log_key_missing：找不到签名密钥文件 {}；恢复前请先放回备份时的密钥文件",
            cfg.log.key_file.display()
        ))
    })
}

fn usage_or_other(e: xinyong_core::CoreError) -> Failure {
    match e {
        xinyong_core::CoreError::Invalid { code, .. } => Failure::Usage(format!("{code}：{e}")),
        other => Failure::Other(anyhow::Error::new(other)),
    }
}
