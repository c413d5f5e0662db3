//! `xinyong log …`: the signing key of the transparency log.

use std::path::PathBuf;

use xinyong_core::LogKeys;
use xinyong_domain::event::Actor;

use crate::config::Config;
use crate::{CmdResult, Failure, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum LogCommand {
    /// Print the log's public verifier key (C2SP signed-note format), as
    /// `/log/key` serves it: what a trust policy for reports lists.
    Key {
        /// Print the key this platform cosigns peer logs' checkpoints with
        /// instead (C2SP tlog-cosignature, what peers list as a witness).
        #[arg(long)]
        witness: bool,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
    /// Hand the log over to a new signing key: logs the new public key as a
    /// `log_key_rotated` entry signed by the current key, then signs a
    /// checkpoint with the new key. NEW_KEY_FILE is created (mode 0600) when
    /// it does not exist. Afterwards install it as `log.key_file` in every
    /// `serve` and keep the old key file offline.
    RotateKey {
        /// The new key file (Go note private key format).
        #[arg(long)]
        new_key_file: PathBuf,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
}

pub async fn run(cfg: Config, command: LogCommand) -> CmdResult {
    match command {
        LogCommand::RotateKey { new_key_file, database } => rotate_key(&cfg, &new_key_file, database).await,
        LogCommand::Key { witness, database } => {
            let url = database.unwrap_or_else(|| cfg.database.url.clone());
            // Only the key the log is signed with, never a new one.
            let core = runtime::build_core_with(&cfg, &url, runtime::KeyUse::MustExist).await?;
            if witness {
                println!("{}", core.keys().witness().verifier_key());
            } else {
                println!("{}", core.keys().verifier_key());
            }
            Ok(())
        }
    }
}

async fn rotate_key(cfg: &Config, path: &std::path::Path, database: Option<String>) -> CmdResult {
    if cfg.log.private_key.is_none() && path == cfg.log.key_file {
        return Err(Failure::Usage(format!("--new-key-file 不能是当前的密钥文件 {}", path.display())));
    }
    let url = database.unwrap_or_else(|| cfg.database.url.clone());
    // The current key must exist and be the one in force: only it can sign
    // the handover.
    let core = runtime::build_core_with(cfg, &url, runtime::KeyUse::MustExist).await?;
    let usage = |e: xinyong_core::CoreError| Failure::Usage(format!("{}：{e}", e.code()));
    let new = match LogKeys::load(path, &cfg.log.origin).map_err(usage)? {
        Some(keys) => keys,
        None => LogKeys::create(path, &cfg.log.origin, runtime::fresh_seed()).map_err(usage)?,
    };
    let rotation = core.rotate_key(&new, Actor::system()).await.map_err(|e| runtime::key_failure(cfg, e))?;
    // The first checkpoint over the rotation entry, signed by the new key,
    // so the log never waits on a server restart to show the handover.
    let checkpoint = core.with_keys(new).sign_checkpoint_if_grown().await.map_err(|e| Failure::Other(e.into()))?;
    let size = checkpoint.map_or_else(|| "已存在".to_owned(), |cp| cp.size.to_string());
    println!(
        "已轮换签名密钥：{} → {}（日志条目 {}），新密钥已签名检查点（大小 {size}）。",
        rotation.old_key_id, rotation.new_key_id, rotation.index
    );
    println!(
        "下一步：停止所有 serve，把 {} 安装为 {}，再启动；旧密钥文件离线保存。",
        path.display(),
        runtime::key_source(cfg)
    );
    Ok(())
}
