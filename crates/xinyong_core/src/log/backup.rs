//! Backups and restores of a SQLite deployment (seed clause 十七.1,
//! disaster-recovery backup).
//!
//! A backup is a directory holding
//! - `xinyong.db`: a consistent copy of the database taken while the server
//!   runs (`VACUUM INTO`: one read transaction, appends go on),
//! - `log-key.pub`: the log's verifier key (the public half; the private key
//!   is backed up on its own, offline),
//! - `backup.json`: when, how big the log was, and the latest checkpoint
//!   (size and root, hex) in the copy.
//!
//! Every backup is checked before it is reported done: the copy is opened
//! and verified like the live database (`xinyong verify`). A restore copies
//! the database into an empty place, refuses a signing key other than the
//! backup's, and verifies the result; its checkpoint root is the backup's.

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::log::verify::{VerifyError, verify};
use std::sync::Arc;

use crate::clock::Clock;
use crate::log::keys::{self, LogKeys, write_private};
use crate::log::{Core, CoreSettings};

/// The database file inside a backup.
pub const DATABASE_FILE: &str = "xinyong.db";
/// The verifier key inside a backup.
pub const PUBLIC_KEY_FILE: &str = "log-key.pub";
/// The manifest inside a backup.
pub const MANIFEST_FILE: &str = "backup.json";

/// What a backup holds, as written to `backup.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `xinyong-backup/v1`.
    pub format: String,
    /// When the copy was taken, RFC 3339 UTC.
    pub taken_at: String,
    pub origin: String,
    pub verifier_key: String,
    /// Log entries in the copy.
    pub log_size: u64,
    /// The latest checkpoint in the copy: size and root (hex).
    pub checkpoint_size: Option<u64>,
    pub checkpoint_root: Option<String>,
}

const FORMAT: &str = "xinyong-backup/v1";

fn failed(what: &str, path: &Path, e: impl std::fmt::Display) -> CoreError {
    CoreError::Internal(format!("{what} {}：{e}", path.display()))
}

/// Backs the database up into `dir`, which must not exist yet (it is
/// created, owner-only), and verifies the copy. SQLite only.
pub async fn backup_to(core: &Core, dir: &Path, now: DateTime<Utc>) -> Result<Manifest> {
    if dir.exists() {
        return Err(CoreError::invalid(
            "backup_exists",
            format!("备份目录 {} 已存在；每次备份写入新的目录", dir.display()),
        ));
    }
    create_private_dir(dir)?;
    let db = dir.join(DATABASE_FILE);
    xinyong_storage::backup::copy_into(core.store(), &db).await?;
    restrict(&db)?;
    let copy = core.over(xinyong_storage::open(&db.display().to_string()).await?);
    let manifest = describe(&copy, now).await?;
    checked(&copy).await?;
    write_text(&dir.join(PUBLIC_KEY_FILE), &format!("{}\n", manifest.verifier_key))?;
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| CoreError::Internal(e.to_string()))?;
    write_text(&dir.join(MANIFEST_FILE), &format!("{json}\n"))?;
    Ok(manifest)
}

/// Reads a backup's manifest.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| failed("无法读取备份清单", &path, e))?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| failed("备份清单格式错误", &path, e))?;
    if manifest.format != FORMAT {
        return Err(failed("备份清单格式不受支持", &path, &manifest.format));
    }
    Ok(manifest)
}

/// Restores the backup in `dir` to the SQLite file `target`, which must not
/// exist: refuses `keys` (the configured signing key) unless they are the
/// backup's, copies, and verifies the restored database. The restored
/// database's manifest (its checkpoint root equals the backup's).
pub async fn restore(
    dir: &Path,
    target: &Path,
    keys: LogKeys,
    clock: Arc<dyn Clock>,
    settings: CoreSettings,
) -> Result<Manifest> {
    let manifest = read_manifest(dir)?;
    let configured = keys.verifier_key();
    if configured != manifest.verifier_key {
        return Err(CoreError::invalid(
            "log_key_mismatch",
            format!(
                "配置的签名密钥（{configured}）不是备份的密钥（{}）；请使用备份时的密钥文件",
                manifest.verifier_key
            ),
        ));
    }
    if target.exists() {
        return Err(CoreError::invalid(
            "restore_target_exists",
            format!("{} 已存在；恢复只写入空的位置，不覆盖现有数据库", target.display()),
        ));
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir(parent)?;
    }
    let source = dir.join(DATABASE_FILE);
    std::fs::copy(&source, target).map_err(|e| failed("无法复制备份数据库", &source, e))?;
    restrict(target)?;
    let now = clock.now();
    let restored = Core::new(xinyong_storage::open(&target.display().to_string()).await?, clock, keys, settings);
    let after = describe(&restored, now).await?;
    checked(&restored).await?;
    if (after.checkpoint_size, &after.checkpoint_root) != (manifest.checkpoint_size, &manifest.checkpoint_root) {
        return Err(CoreError::Internal(format!(
            "恢复后的检查点（{:?} {:?}）与备份清单（{:?} {:?}）不一致",
            after.checkpoint_size, after.checkpoint_root, manifest.checkpoint_size, manifest.checkpoint_root
        )));
    }
    Ok(after)
}

/// The backups in `parent` named by [`backup_dir_name`], oldest first.
pub fn backups_in(parent: &Path) -> Result<Vec<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(parent) else { return Ok(Vec::new()) };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("xinyong-")))
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// `xinyong-20261203T184512Z`: sorts by time.
pub fn backup_dir_name(now: DateTime<Utc>) -> String {
    format!("xinyong-{}", now.format("%Y%m%dT%H%M%SZ"))
}

/// Removes all but the newest `keep` backups in `parent` (at least one is
/// always kept); how many were removed.
pub fn prune(parent: &Path, keep: usize) -> Result<usize> {
    let dirs = backups_in(parent)?;
    let excess = dirs.len().saturating_sub(keep.max(1));
    for dir in &dirs[..excess] {
        std::fs::remove_dir_all(dir).map_err(|e| failed("无法删除旧备份", dir, e))?;
    }
    Ok(excess)
}

async fn describe(copy: &Core, now: DateTime<Utc>) -> Result<Manifest> {
    let checkpoint = copy.latest_checkpoint().await?;
    Ok(Manifest {
        format: FORMAT.to_owned(),
        taken_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        origin: copy.keys().origin().to_owned(),
        verifier_key: copy.keys().verifier_key(),
        log_size: copy.store().log_size().await?,
        checkpoint_size: checkpoint.as_ref().map(|c| c.size),
        checkpoint_root: checkpoint.as_ref().map(|c| xinyong_tlog::hash_to_hex(&c.root)),
    })
}

async fn checked(copy: &Core) -> Result<()> {
    match verify(copy, &|_: &str, _: u64, _: u64| {}).await {
        Ok(_) => Ok(()),
        Err(VerifyError::Mismatch(m)) => {
            Err(CoreError::Internal(format!("备份副本未通过校验：{} {} {:?} {}", m.table, m.key, m.index, m.problem)))
        }
        Err(VerifyError::Core(e)) => Err(e),
    }
}

/// The copy holds what the database holds: owner-only.
fn restrict(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| failed("无法设置权限", path, e))?;
    }
    Ok(())
}

fn write_text(path: &Path, text: &str) -> Result<()> {
    write_private(path, text).map_err(|e| failed("无法写入", path, e))
}

fn create_private_dir(dir: &Path) -> Result<()> {
    keys::create_private_dir(dir).map_err(|e| failed("无法创建目录", dir, e))
}
