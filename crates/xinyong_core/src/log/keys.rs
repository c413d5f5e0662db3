//! The log's Ed25519 signing key and the secret from which entry salts derive.
//!
//! The key file uses the Go `golang.org/x/mod/sumdb/note` private key format,
//! `PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ 32-byte seed)>`, so operators
//! can use standard tooling with it.

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use xinyong_domain::log::{key_id_of, rotation_statement};
use xinyong_tlog::{NoteSigner, NoteVerifier};

use crate::error::{CoreError, Result};

pub struct LogKeys {
    signer: NoteSigner,
    salt_key: [u8; 32],
    /// The key this platform cosigns peer cities' checkpoints with (C2SP
    /// tlog-cosignature needs a key of its own, type 0x04).
    witness: xinyong_tlog::CosignatureSigner,
}

impl fmt::Debug for LogKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogKeys").field("verifier_key", &self.signer.verifier_key()).finish_non_exhaustive()
    }
}

impl LogKeys {
    pub fn from_seed(origin: &str, seed: [u8; 32]) -> Result<LogKeys> {
        let signer = NoteSigner::new(origin, SigningKey::from_bytes(&seed))
            .map_err(|e| CoreError::Key(format!("日志名称 {origin:?} 不能用作签名者名称：{e}")))?;
        // Salts must be unguessable but reproducible; derive them from the seed
        // under a separate label so the signing key itself is never reused.
        let mut h = Sha256::new();
        h.update(b"xinyong/salt-key/v1\n");
        h.update(seed);
        let salt_key = h.finalize().into();
        // The witness key likewise, under its own label: a cosigner must
        // not share a key with anything else (tlog-cosignature).
        let mut h = Sha256::new();
        h.update(b"xinyong/witness-key/v1\n");
        h.update(seed);
        let witness_seed: [u8; 32] = h.finalize().into();
        let witness =
            xinyong_tlog::CosignatureSigner::new(&format!("{origin}/witness"), SigningKey::from_bytes(&witness_seed))
                .ok_or_else(|| CoreError::Key(format!("日志名称 {origin:?} 不能用作见证者名称")))?;
        Ok(LogKeys { signer, salt_key, witness })
    }

    /// Parses `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 ‖ seed)>`; the name
    /// must equal the configured origin.
    pub fn parse(origin: &str, text: &str) -> Result<LogKeys> {
        let text = text.trim();
        let bad = |why: &str| CoreError::Key(format!("私钥格式错误：{why}"));
        let rest = text.strip_prefix("PRIVATE+KEY+").ok_or_else(|| bad("应以 PRIVATE+KEY+ 开头"))?;
        // Names cannot contain '+', base64 can: split from the left.
        let mut parts = rest.splitn(3, '+');
        let name = parts.next().ok_or_else(|| bad("缺少名称"))?;
        let _id = parts.next().ok_or_else(|| bad("缺少密钥 ID"))?;
        let key_b64 = parts.next().ok_or_else(|| bad("缺少密钥"))?;
        if name != origin {
            return Err(CoreError::Key(format!("私钥属于日志 {name:?}，但配置的日志名称（origin）是 {origin:?}")));
        }
        let raw = BASE64.decode(key_b64).map_err(|_| bad("密钥不是 base64"))?;
        let seed: [u8; 32] = match raw.as_slice() {
            [0x01, seed @ ..] => seed.try_into().map_err(|_| bad("Ed25519 种子应为 32 字节"))?,
            _ => return Err(bad("只支持 Ed25519（算法字节 0x01）")),
        };
        let keys = LogKeys::from_seed(origin, seed)?;
        if text != keys.private_key_text(&seed) {
            return Err(bad("密钥 ID 与密钥不符"));
        }
        Ok(keys)
    }

    fn private_key_text(&self, seed: &[u8; 32]) -> String {
        let mut raw = vec![0x01];
        raw.extend_from_slice(seed);
        format!("PRIVATE+KEY+{}+{:08x}+{}", self.signer.name(), self.signer.key_id(), BASE64.encode(raw))
    }

    /// Reads the key file; `None` when it does not exist. Never creates one:
    /// whether a missing key may be created depends on the log (only an empty
    /// one may get a first key), which the caller knows.
    pub fn load(path: &Path, origin: &str) -> Result<Option<LogKeys>> {
        match std::fs::read_to_string(path) {
            Ok(text) => LogKeys::parse(origin, &text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(CoreError::Key(format!("无法读取私钥文件 {}：{e}", path.display()))),
        }
    }

    /// Creates the key file (mode 0600) from `seed`; fails when the file
    /// exists, so a key is never overwritten.
    pub fn create(path: &Path, origin: &str, seed: [u8; 32]) -> Result<LogKeys> {
        let keys = LogKeys::from_seed(origin, seed)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(|e| CoreError::Key(format!("无法创建目录 {}：{e}", dir.display())))?;
        }
        write_private(path, &(keys.private_key_text(&seed) + "\n"))
            .map_err(|e| CoreError::Key(format!("无法写入私钥文件 {}：{e}", path.display())))?;
        Ok(keys)
    }

    /// The key ID, as in the verifier key (8 hex digits).
    pub fn key_id(&self) -> String {
        format!("{:08x}", self.signer.key_id())
    }

    /// The signed note of the rotation statement handing over from this key
    /// to `new_key` (a verifier key): `rotation_statement(origin, this key,
    /// new_key)` signed by this key (`docs/LOG.md`).
    pub fn sign_rotation(&self, new_key: &str) -> Result<String> {
        let text = rotation_statement(self.origin(), &self.verifier_key(), new_key);
        self.signer.sign(&text).map_err(|e| CoreError::Key(e.to_string()))
    }

    /// The key this platform cosigns peer logs' checkpoints with.
    pub fn witness(&self) -> &xinyong_tlog::CosignatureSigner {
        &self.witness
    }

    pub fn signer(&self) -> &NoteSigner {
        &self.signer
    }

    pub fn origin(&self) -> &str {
        self.signer.name()
    }

    /// `<origin>+<8 hex key ID>+<base64(0x01 ‖ public key)>`
    pub fn verifier_key(&self) -> String {
        self.signer.verifier_key()
    }

    pub fn verifier(&self) -> Result<NoteVerifier> {
        NoteVerifier::parse(&self.verifier_key()).map_err(|e| CoreError::Key(e.to_string()))
    }

    /// The salt of the entry at `seq`: `SHA-256("xinyong/salt/v1" ‖ salt key ‖ seq)`.
    pub fn salt(&self, seq: u64) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"xinyong/salt/v1\n");
        h.update(self.salt_key);
        h.update(seq.to_be_bytes());
        h.finalize().into()
    }
}

/// Checks a `log_key_rotated` event: both keys are Ed25519 verifier keys of
/// this log, they differ, and `statement` is the rotation statement signed by
/// the old key. The reason in Chinese when not.
pub fn check_rotation(origin: &str, old_key: &str, new_key: &str, statement: &str) -> std::result::Result<(), String> {
    let old = NoteVerifier::parse(old_key).map_err(|e| format!("旧密钥 {old_key:?} 无效：{e}"))?;
    let new = NoteVerifier::parse(new_key).map_err(|e| format!("新密钥 {new_key:?} 无效：{e}"))?;
    if old.name() != origin || new.name() != origin {
        return Err(format!("密钥名称应为日志名称 {origin:?}"));
    }
    if old.verifier_key() == new.verifier_key() {
        return Err("新旧密钥相同".to_owned());
    }
    let text = xinyong_tlog::open_note(statement, &[old])
        .map_err(|e| format!("轮换声明没有旧密钥 {} 的有效签名：{e}", key_id_of(old_key)))?;
    if text != rotation_statement(origin, old_key, new_key) {
        return Err("轮换声明的文本与事件中的新旧密钥不符".to_owned());
    }
    Ok(())
}

/// The key IDs (8 hex digits) of a signed note's signature lines, for
/// messages naming who signed a checkpoint.
pub fn note_key_ids(note: &str) -> Vec<String> {
    let Some(split) = note.rfind("\n\n") else { return Vec::new() };
    note[split + 2..]
        .lines()
        .filter_map(|line| line.rsplit(' ').next())
        .filter_map(|b64| BASE64.decode(b64).ok())
        .filter_map(|raw| raw.get(..4).map(hex::encode))
        .collect()
}

/// Creates `dir` and its missing parents owner-only (0700), like the
/// database's directories: they hold keys, copies of the database, backups.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Writes a new file (it must not exist) readable by its owner only (0600).
#[cfg(unix)]
pub(crate) fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_round_trips_and_is_private() {
        let dir = tempfile_dir();
        let path = dir.join("log-key.txt");
        assert!(LogKeys::load(&path, "xinyong.local/log").unwrap().is_none());
        let a = LogKeys::create(&path, "xinyong.local/log", [7; 32]).unwrap();
        let b = LogKeys::load(&path, "xinyong.local/log").unwrap().unwrap();
        assert_eq!(a.verifier_key(), b.verifier_key());
        // An existing key is never overwritten.
        assert!(LogKeys::create(&path, "xinyong.local/log", [8; 32]).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(LogKeys::load(&path, "other.example/log").is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn keys_whose_base64_contains_plus_parse() {
        for b in 0..=255u8 {
            let keys = LogKeys::from_seed("xinyong.local/log", [b; 32]).unwrap();
            let text = keys.private_key_text(&[b; 32]);
            let back = LogKeys::parse("xinyong.local/log", &text).unwrap();
            assert_eq!(back.verifier_key(), keys.verifier_key());
        }
    }

    #[test]
    fn salts_differ_per_index() {
        let k = LogKeys::from_seed("xinyong.local/log", [1; 32]).unwrap();
        assert_ne!(k.salt(0), k.salt(1));
        assert_eq!(k.salt(5), k.salt(5));
    }

    /// The test vector of `docs/LOG.md` ("Key rotation"): keep both in step.
    #[test]
    fn rotation_statement_test_vector() {
        let old = LogKeys::from_seed("xinyong.local/log", [0x11; 32]).unwrap();
        let new = LogKeys::from_seed("xinyong.local/log", [0x22; 32]).unwrap();
        assert_eq!(old.verifier_key(), "xinyong.local/log+2791de25+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3");
        assert_eq!(new.verifier_key(), "xinyong.local/log+077bdcae+AaCapfR6Z1mAL/lV+NwtKhSlyZ0jvpf4ZBJ/+Tg0VaTw");
        let text = rotation_statement("xinyong.local/log", &old.verifier_key(), &new.verifier_key());
        assert_eq!(
            text,
            "xinyong-log-key-rotation/v1\n\
             xinyong.local/log\n\
             old xinyong.local/log+2791de25+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3\n\
             new xinyong.local/log+077bdcae+AaCapfR6Z1mAL/lV+NwtKhSlyZ0jvpf4ZBJ/+Tg0VaTw\n"
        );
        let note = old.sign_rotation(&new.verifier_key()).unwrap();
        let signature = "J5HeJfQwdyLWqnqUztBtztYoc7ZoMERZlLDINCyufknAGeXxKxslHM8414lYNtYZpyJTaeYeMUlbP8ayNhSXTsiOtAM=";
        assert_eq!(note, format!("{text}\n\u{2014} xinyong.local/log {signature}\n"));
        // The raw Ed25519 signature over the statement bytes, as in the docs.
        let raw = BASE64.decode(signature).unwrap();
        assert_eq!(hex::encode(&raw[..4]), "2791de25");
        assert_eq!(
            hex::encode(&raw[4..]),
            "f4307722d6aa7a94ced06dced62873b66830445994b0c8342cae7e49c019e5f12b1b251ccf38d7895836d619a7225369e61e31495b3fc6b23614974ec88eb403"
        );
        check_rotation("xinyong.local/log", &old.verifier_key(), &new.verifier_key(), &note).unwrap();
        assert!(check_rotation("xinyong.local/log", &new.verifier_key(), &old.verifier_key(), &note).is_err());
        assert!(
            new.sign_rotation(&old.verifier_key()).is_ok_and(|n| check_rotation(
                "xinyong.local/log",
                &old.verifier_key(),
                &new.verifier_key(),
                &n
            )
            .is_err())
        );
        assert_eq!(note_key_ids(&note), vec![old.key_id()]);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xinyong-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
