//! Backups and restores (security issue 11, finding 12): a backup taken
//! while the demo city is being imported, restored into a new directory,
//! verifies, and the restored log's checkpoint root is the backup's. SQLite
//! only (PostgreSQL is backed up with pg_dump).

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn command(dir: &Path, url: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xinyong"));
    c.args(args)
        .current_dir(dir)
        .env("XINYONG_DATABASE__URL", url)
        .env("XINYONG_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run(dir: &Path, url: &str, args: &[&str]) -> Output {
    command(dir, url, args).output().unwrap()
}

fn ok(dir: &Path, url: &str, args: &[&str]) -> String {
    let out = run(dir, url, args);
    assert!(out.status.success(), "xinyong {args:?}: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

fn manifest(json: &str) -> serde_json::Value {
    serde_json::from_str(json.trim()).unwrap()
}

#[test]
fn a_backup_taken_during_an_import_restores_and_verifies_with_the_same_root() {
    if std::env::var("XINYONG_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        return; // PostgreSQL: pg_dump, not `xinyong backup`.
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("data/xinyong.db").display());
    // A log and its key, then the demo city being written while we back up.
    ok(dir.path(), &url, &["departments", "seed"]);
    let mut import = command(dir.path(), &url, &["demo", "--subjects", "3000"]).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let backup_dir = dir.path().join("backups/first");
    let taken = manifest(&ok(dir.path(), &url, &["backup", "--to", backup_dir.to_str().unwrap(), "--json"]));
    let import_done = import.wait().unwrap();
    assert!(import_done.success(), "the import went on while the backup was taken");
    assert!(taken["log_size"].as_u64().unwrap() > 0);
    for file in ["xinyong.db", "log-key.pub", "backup.json"] {
        assert!(backup_dir.join(file).exists(), "{file}");
    }

    // Into a new database, with the same key file (the default data/log-key.txt).
    let restored_url = format!("sqlite://{}", dir.path().join("restored/xinyong.db").display());
    let from = backup_dir.to_str().unwrap();
    let restored = manifest(&ok(dir.path(), &restored_url, &["restore", "--from", from, "--json"]));
    assert_eq!(restored["checkpoint_root"], taken["checkpoint_root"]);
    assert_eq!(restored["checkpoint_size"], taken["checkpoint_size"]);
    assert_eq!(restored["log_size"], taken["log_size"]);
    assert!(ok(dir.path(), &restored_url, &["verify"]).starts_with("ok:"));

    // Never over an existing database; never with another key.
    let again = run(dir.path(), &restored_url, &["restore", "--from", from]);
    assert!(!again.status.success() && text(&again.stderr).contains("restore_target_exists"));
    let other = dir.path().join("other");
    std::fs::create_dir_all(other.join("data")).unwrap();
    let other_url = format!("sqlite://{}", other.join("data/xinyong.db").display());
    ok(&other, &format!("sqlite://{}", other.join("scratch.db").display()), &["departments", "seed"]);
    let refused = run(&other, &other_url, &["restore", "--from", from]);
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("log_key_mismatch"), "{}", text(&refused.stderr));
    assert!(!other.join("data/xinyong.db").exists(), "nothing restored with the wrong key");
}
