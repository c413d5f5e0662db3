//! Which key signs the log's checkpoints, and changing it.
//!
//! A log is signed by one key at a time. The first key of a log is whatever
//! key signed its first checkpoint; it changes only by a `log_key_rotated`
//! entry at index r, carrying the new verifier key and a statement signed by
//! the old key (`docs/LOG.md`): checkpoints of size ≤ r are signed by the old
//! key, those of size > r by the new one. Before a process appends or signs
//! anything it checks that its key is the one in force, so a lost key file
//! never silently becomes a new key.

use std::sync::Arc;

use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::log::{LogEvent, LogKeyRow};
use xinyong_storage::StoredCheckpoint;

use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::log::keys::{LogKeys, note_key_ids};

/// What a finished rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// Index of the `log_key_rotated` entry.
    pub index: u64,
    pub old_key_id: String,
    pub new_key_id: String,
}

/// A `log_key_rotated` entry as a verifier checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationEntry {
    pub row: LogKeyRow,
    /// The event body (canonical JSON) and its salt: the entry's `body` line
    /// is base64 SHA-256(salt ‖ body).
    pub body: String,
    pub salt: Vec<u8>,
}

impl Core {
    /// The same core signing with `keys` (after a rotation, to sign the first
    /// checkpoint with the new key). Clones made before keep their key.
    pub fn with_keys(mut self, keys: LogKeys) -> Core {
        self.keys = Arc::new(keys);
        self
    }

    /// Refuses (`log_key_mismatch`) unless this core's key is the one the log
    /// is signed with now: the key of the latest rotation, else the key of the
    /// latest checkpoint; and the latest entry's salt is this key's (salts
    /// derive from the key, so a log with no checkpoint yet is covered too).
    /// Every command that appends or signs calls this at start.
    pub async fn check_signing_key(&self) -> Result<()> {
        let size = self.store().log_size().await?;
        let latest = self.store().latest_checkpoint().await?;
        self.ensure_key_in_force(size, latest.as_ref()).await?;
        let rotations = self.store().log_keys().await?;
        let last = size.checked_sub(1);
        // The rotation entry itself is salted by the key it retires.
        let salted_by_us = last.is_some_and(|i| rotations.last().is_none_or(|r| r.from_index < i));
        if let (true, Some(index)) = (salted_by_us, last) {
            let salt = self.store().events_from(index, 1).await?.into_iter().next().and_then(|e| e.salt);
            if salt.is_some_and(|s| s.as_slice() != self.keys.salt(index).as_slice()) {
                let why = format!("日志条目 {index} 的盐值不是由此密钥派生的");
                return Err(mismatch(&self.keys, "（未知：不是此密钥）", &why));
            }
        }
        Ok(())
    }

    /// Refuses to sign a checkpoint of `size` unless this core's key is the
    /// one in force at that size: the key of the latest rotation before it,
    /// or, when there is none, the key that signed `latest`.
    pub(crate) async fn ensure_key_in_force(&self, size: u64, latest: Option<&StoredCheckpoint>) -> Result<()> {
        let rotations = self.store().log_keys().await?;
        let mine = self.keys.verifier_key();
        if let Some(rot) = rotations.iter().rev().find(|r| r.from_index < size) {
            if rot.verifier_key != mine {
                let why = format!("日志条目 {} 把签名密钥轮换为 {}", rot.from_index, rot.key_id);
                return Err(mismatch(&self.keys, &rot.key_id, &why));
            }
            return Ok(());
        }
        let Some(cp) = latest else { return Ok(()) };
        if xinyong_tlog::open_checkpoint(&cp.note, &self.keys.verifier()?).is_err() {
            let signers = note_key_ids(&cp.note).join("、");
            let why = format!("最新检查点（大小 {}）由密钥 {signers} 签名", cp.size);
            return Err(mismatch(&self.keys, &signers, &why));
        }
        Ok(())
    }

    /// Every change of the signing key, oldest first.
    pub async fn key_rotations(&self) -> Result<Vec<LogKeyRow>> {
        Ok(self.store().log_keys().await?)
    }

    /// Every change of the signing key with its entry's body and salt,
    /// oldest first: what a verifier needs to follow the keys (docs/LOG.md).
    pub async fn key_rotation_entries(&self) -> Result<Vec<RotationEntry>> {
        let mut out = Vec::new();
        for row in self.store().log_keys().await? {
            let event = self.store().events_from(row.from_index, 1).await?.into_iter().next();
            let Some(event) = event.filter(|e| e.kind == "log_key_rotated") else {
                return Err(CoreError::Internal(format!(
                    "log_keys names entry {} as a key rotation, but the log has none there",
                    row.from_index
                )));
            };
            out.push(RotationEntry { body: event.body.unwrap_or_default(), salt: event.salt.unwrap_or_default(), row });
        }
        Ok(out)
    }

    /// Appends the `log_key_rotated` entry handing over from this core's key
    /// (which must be the one in force) to `new`. Checkpoints from then on
    /// must be signed by `new`: sign the next one with `with_keys(new)`.
    pub async fn rotate_key(&self, new: &LogKeys, actor: Actor) -> Result<Rotation> {
        self.check_signing_key().await?;
        let (old_key, new_key) = (self.keys.verifier_key(), new.verifier_key());
        if new.origin() != self.keys.origin() {
            let message = format!("新密钥属于日志 {:?}，不是 {:?}", new.origin(), self.keys.origin());
            return Err(CoreError::invalid("log_key_rotation_invalid", message));
        }
        if new_key == old_key {
            return Err(CoreError::invalid("log_key_rotation_invalid", "新密钥与当前签名密钥相同"));
        }
        let statement = self.keys.sign_rotation(&new_key)?;
        let event = LogEvent::LogKeyRotated { old_key, new_key, statement };
        let outcome = self.append(vec![NewEvent::new(actor, event)]).await?;
        Ok(Rotation { index: outcome.first_seq, old_key_id: self.keys.key_id(), new_key_id: new.key_id() })
    }
}

/// `log_key_mismatch`: `expected` is the key ID the log requires (or what is
/// known of it), `why` says where that comes from.
fn mismatch(found: &LogKeys, expected: &str, why: &str) -> CoreError {
    CoreError::LogKey {
        code: "log_key_mismatch",
        message: format!(
            "签名密钥与日志不符：{why}，日志要求密钥 ID {expected}，配置的密钥 ID 是 {}。拒绝用它签名或写入；\
             请恢复正确的密钥文件（更换密钥只能用 xinyong log rotate-key）",
            found.key_id()
        ),
    }
}
