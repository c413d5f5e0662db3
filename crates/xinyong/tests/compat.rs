//! A database written by an older build (`tests/fixtures/compat-2026-11-26`, all 32 event
//! kinds of that version) opens, migrates and verifies with this one: every stored body
//! re-serialises to the bytes its entry commits to, and replaying the log writes exactly
//! the projection rows the old build wrote.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::path::Path;
use std::process::{Command, Output};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/compat-2026-11-26");

/// The root the old build signed at size 694 (see the fixture's README).
const ROOT_AT_694: &str = "54DE83F96E13E83C5D29F8D936AB85C4C6BE901647D32D5492FABF90A57A7E84";

fn xinyong(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xinyong"))
        .args(args)
        .current_dir(dir)
        .env_remove("XINYONG_DATABASE__URL")
        .env("XINYONG_LOG", "warn")
        .output()
        .expect("spawn xinyong")
}

fn copy_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(Path::new(FIXTURE).join("xinyong.db"), dir.path().join("xinyong.db")).unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    let key = dir.path().join("data/log-key.txt");
    std::fs::copy(Path::new(FIXTURE).join("log-key.txt"), &key).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    dir
}

#[test]
fn a_database_written_by_the_previous_layout_migrates_and_verifies() {
    let dir = copy_fixture();
    let url = format!("sqlite://{}", dir.path().join("xinyong.db").display());

    let migrate = xinyong(dir.path(), &["migrate", "--database", &url]);
    assert!(migrate.status.success(), "migrate failed: {}", String::from_utf8_lossy(&migrate.stderr));

    let verify = xinyong(dir.path(), &["verify", "--database", &url]);
    let stdout = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "verify failed: {}{}", stdout, String::from_utf8_lossy(&verify.stderr));
    assert!(stdout.contains("ok: 694 log entries"), "{stdout}");
    assert!(stdout.contains("checkpoint at size 694 verified"), "{stdout}");
}

#[test]
fn the_old_checkpoint_is_still_the_one_served() {
    let dir = copy_fixture();
    let url = format!("sqlite://{}", dir.path().join("xinyong.db").display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let checkpoint = rt.block_on(async {
        let store = xinyong_storage::open(&url).await.unwrap();
        store.latest_checkpoint().await.unwrap().unwrap()
    });
    assert_eq!(checkpoint.size, 694);
    assert_eq!(hex::encode_upper(checkpoint.root), ROOT_AT_694);
}
