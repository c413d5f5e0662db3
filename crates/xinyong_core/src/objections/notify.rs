//! Telling a company what became of its objection or repair application,
//! besides `/my`: a pluggable [`Notifier`]. The embedded default writes one
//! JSON line per notice to a file (`[redress] notifications_file`), which an
//! operator's mail or SMS gateway can tail; a deployment with a sender plugs
//! its own implementation in. A notice that cannot be delivered is logged and
//! never undoes the decision it reports: the decision is in the log already.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One message to a company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// The company (its USCC): every active account of it is a recipient.
    pub uscc: String,
    /// `objection_closed`, `repair_decided`.
    pub kind: &'static str,
    /// The objection or application id.
    pub reference: String,
    /// The message, in Chinese.
    pub text: String,
    pub at: DateTime<Utc>,
}

/// Where notices go.
pub trait Notifier: std::fmt::Debug + Send + Sync {
    fn notify(&self, notice: &Notice) -> std::io::Result<()>;
}

/// Appends notices as JSON lines to a file (created owner-only when missing).
#[derive(Debug)]
pub struct FileNotifier {
    path: PathBuf,
    /// One writer at a time: lines never interleave.
    lock: Mutex<()>,
}

impl FileNotifier {
    pub fn new(path: PathBuf) -> FileNotifier {
        FileNotifier { path, lock: Mutex::new(()) }
    }
}

impl Notifier for FileNotifier {
    fn notify(&self, notice: &Notice) -> std::io::Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&self.path)?;
        let line = serde_json::to_string(notice).map_err(std::io::Error::other)?;
        writeln!(file, "{line}")
    }
}

/// Sends nothing (tests, and deployments that want `/my` only).
#[derive(Debug, Default)]
pub struct NoNotifier;

impl Notifier for NoNotifier {
    fn notify(&self, _notice: &Notice) -> std::io::Result<()> {
        Ok(())
    }
}

/// The notifier of [`crate::objections::RedressSettings`].
#[derive(Debug, Clone)]
pub struct NotifierHandle(pub Arc<dyn Notifier>);

impl Default for NotifierHandle {
    fn default() -> Self {
        NotifierHandle(Arc::new(NoNotifier))
    }
}

impl PartialEq for NotifierHandle {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for NotifierHandle {}

/// Sends `notice`; a failure is logged, never returned.
pub(crate) fn send(handle: &NotifierHandle, notice: Notice) {
    if let Err(e) = handle.0.notify(&notice) {
        tracing::warn!(error = %e, uscc = %notice.uscc, kind = notice.kind, "a notice to a company could not be written");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_notifier_appends_one_json_line_per_notice() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("sub/notices.jsonl");
        let notifier = FileNotifier::new(path.clone());
        for reference in ["YY1", "XF2"] {
            let notice = Notice {
                uscc: "91370102MA3C4F2K2U".into(),
                kind: "objection_closed",
                reference: reference.into(),
                text: "异议成立".into(),
                at: DateTime::UNIX_EPOCH,
            };
            notifier.notify(&notice).unwrap_or_else(|e| panic!("{e}"));
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.lines().count(), 2);
        assert!(text.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    }
}
