//! The log's signing key from the command line (security issue 11, item 4):
//! a log that holds anything never gets a new key, a key the log was not
//! signed with stops `serve`, every writer and `verify`, and the key changes
//! only by `xinyong log rotate-key`, which `verify` follows. On PostgreSQL
//! when `XINYONG_TEST_DATABASE_URL` is set, else SQLite.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use xinyong_core::{Core, CoreSettings, LogKeys, SystemClock};
use xinyong_tlog::NoteVerifier;

const ORIGIN: &str = "xinyong.local/log";

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

fn xinyong(dir: &Path, url: &str, args: &[&str]) -> Output {
    command(dir, url, args).output().unwrap()
}

fn ok(dir: &Path, url: &str, args: &[&str]) -> String {
    let out = xinyong(dir, url, args);
    assert!(out.status.success(), "xinyong {args:?}: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

/// Runs a command that must fail; returns its stderr.
fn fails(dir: &Path, url: &str, args: &[&str]) -> String {
    let out = xinyong(dir, url, args);
    assert!(!out.status.success(), "xinyong {args:?} should fail: {}", text(&out.stdout));
    text(&out.stderr)
}

/// `serve` must stop on its own; a server that starts is killed after a
/// minute and fails the test rather than hanging it.
fn serve_fails(dir: &Path, url: &str) -> String {
    let mut child = command(dir, url, &["serve", "--listen", "127.0.0.1:0"]).spawn().unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("serve started with a key the log was not signed with");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    text(&out.stderr)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn database_url(dir: &Path) -> String {
    match std::env::var("XINYONG_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            // A private schema, so this test does not meet the others.
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(xinyong_test_support::TestDb::postgres(&url)).into_kept_url()
        }
        _ => format!("sqlite://{}", dir.join("keys.db").display()),
    }
}

fn key_file(dir: &Path) -> PathBuf {
    dir.join("data/log-key.txt")
}

fn load(path: &Path) -> LogKeys {
    LogKeys::load(path, ORIGIN).unwrap().unwrap()
}

/// A core in this process over the database, signing with `keys`.
async fn core(url: &str, keys: LogKeys) -> Core {
    let store = xinyong_storage::open(url).await.unwrap();
    Core::new(store, Arc::new(SystemClock), keys, CoreSettings::default())
}

/// Signs a checkpoint of the current log with `keys`, as `serve` does.
fn sign_checkpoint(url: &str, keys: LogKeys) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async { core(url, keys).await.sign_checkpoint_if_grown().await.unwrap().unwrap() });
}

/// Replaces the key file with another key of the same log (contents only:
/// the file keeps its mode).
fn put_other_key(dir: &Path, seed: u8) -> LogKeys {
    let other = dir.join(format!("other-{seed}.txt"));
    let keys = LogKeys::create(&other, ORIGIN, [seed; 32]).unwrap();
    std::fs::write(key_file(dir), std::fs::read(&other).unwrap()).unwrap();
    keys
}

#[test]
fn a_log_without_its_key_file_gets_no_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let (d, url) = (dir.path(), database_url(dir.path()));
    // An empty log: the first writer creates the key.
    ok(d, &url, &["departments", "seed"]);
    assert!(key_file(d).exists());

    std::fs::remove_file(key_file(d)).unwrap();
    for args in [
        &["departments", "seed"][..],
        &["verify"],
        &["departments", "list"],
        &["log", "rotate-key", "--new-key-file", "new.txt"],
    ] {
        let err = fails(d, &url, args);
        assert!(err.contains("log_key_missing") && err.contains("data/log-key.txt"), "{args:?}: {err}");
        assert!(!key_file(d).exists(), "{args:?} created a key file");
    }
    assert!(!d.join("new.txt").exists());
    let err = serve_fails(d, &url);
    assert!(err.contains("log_key_missing"), "{err}");
    assert!(!key_file(d).exists(), "serve created a key file");
}

#[test]
fn verify_never_creates_a_key_even_for_an_empty_log() {
    let dir = tempfile::tempdir().unwrap();
    let (d, url) = (dir.path(), database_url(dir.path()));
    ok(d, &url, &["migrate"]);
    let err = fails(d, &url, &["verify"]);
    assert!(err.contains("log_key_missing"), "{err}");
    assert!(!key_file(d).exists());
}

#[test]
fn a_key_the_log_was_not_signed_with_stops_serve_writers_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (d, url) = (dir.path(), database_url(dir.path()));
    ok(d, &url, &["departments", "seed"]);
    let right = load(&key_file(d));
    let right_id = right.key_id();
    sign_checkpoint(&url, right);

    let wrong = put_other_key(d, 5);
    for err in [fails(d, &url, &["verify"]), fails(d, &url, &["departments", "seed"]), serve_fails(d, &url)] {
        assert!(err.contains("log_key_mismatch"), "{err}");
        assert!(err.contains("data/log-key.txt"), "names the key file: {err}");
        assert!(err.contains(&right_id) && err.contains(&wrong.key_id()), "expected and found key IDs: {err}");
    }
    // Nothing was signed with the wrong key.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let size = rt.block_on(async { core(&url, wrong).await.latest_checkpoint().await.unwrap().unwrap().size });
    let events = rt.block_on(async { core(&url, load(&key_file(d))).await.store().log_size().await.unwrap() });
    assert_eq!(size, events);
}

#[test]
fn a_wrong_key_is_refused_before_the_first_checkpoint_too() {
    // No checkpoint yet: the latest entry's salt derives from the key.
    let dir = tempfile::tempdir().unwrap();
    let (d, url) = (dir.path(), database_url(dir.path()));
    ok(d, &url, &["departments", "seed"]);
    put_other_key(d, 6);
    let err = fails(d, &url, &["departments", "seed"]);
    assert!(err.contains("log_key_mismatch"), "{err}");
    let err = fails(d, &url, &["verify"]);
    assert!(err.contains("log_key_mismatch"), "{err}");
}

#[test]
fn rotate_key_then_append_then_verify_follows_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let (d, url) = (dir.path(), database_url(dir.path()));
    ok(d, &url, &["departments", "seed"]);
    let old = load(&key_file(d));
    let old_vkey = old.verifier_key();
    sign_checkpoint(&url, old);

    let out = ok(d, &url, &["log", "rotate-key", "--new-key-file", "new-key.txt"]);
    let new = load(&d.join("new-key.txt"));
    assert!(out.contains(&new.key_id()), "{out}");
    // The old key is retired: it may neither write nor pass verify.
    let err = fails(d, &url, &["tokens", "create", "--department", "scjgj", "--label", "报送系统"]);
    assert!(err.contains("log_key_mismatch") && err.contains(&new.key_id()), "{err}");
    assert!(fails(d, &url, &["verify"]).contains("log_key_mismatch"));

    // Installed, the new key writes and signs.
    std::fs::write(key_file(d), std::fs::read(d.join("new-key.txt")).unwrap()).unwrap();
    ok(d, &url, &["tokens", "create", "--department", "scjgj", "--label", "报送系统"]);
    sign_checkpoint(&url, load(&key_file(d)));
    let out = ok(d, &url, &["verify"]);
    assert!(out.starts_with("ok: "), "{out}");

    // The chain: checkpoints up to the rotation entry verify with the old
    // key only, later ones with the new key only; the statement with the old.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let core = rt.block_on(core(&url, load(&key_file(d))));
    let rotations = rt.block_on(core.key_rotations()).unwrap();
    let [rotation] = rotations.as_slice() else { panic!("one rotation: {rotations:?}") };
    assert_eq!(
        (rotation.previous_key.as_str(), rotation.verifier_key.as_str()),
        (old_vkey.as_str(), new.verifier_key().as_str())
    );
    let checkpoints = rt.block_on(core.store().checkpoints_after(None, 100)).unwrap();
    assert_eq!(checkpoints.len(), 3, "before, at and after the rotation");
    let (old_v, new_v) = (NoteVerifier::parse(&old_vkey).unwrap(), NoteVerifier::parse(&new.verifier_key()).unwrap());
    for cp in &checkpoints {
        let by_old = xinyong_tlog::open_checkpoint(&cp.note, &old_v).is_ok();
        let by_new = xinyong_tlog::open_checkpoint(&cp.note, &new_v).is_ok();
        assert_eq!(
            (by_old, by_new),
            (cp.size <= rotation.from_index, cp.size > rotation.from_index),
            "size {}",
            cp.size
        );
    }
    let body = rt.block_on(core.store().events_from(rotation.from_index, 1)).unwrap().remove(0).body.unwrap();
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["kind"], "log_key_rotated");
    let statement = body["statement"].as_str().unwrap();
    xinyong_core::log::keys::check_rotation(ORIGIN, &old_vkey, &new.verifier_key(), statement).unwrap();
}
