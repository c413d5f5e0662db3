//! The SQLite database holds ID numbers and password hashes: the directories
//! it creates are 0700 and its files 0600, whatever the umask (issue 11,
//! finding 10).
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use xinyong_storage::SqliteStore;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("file exists").permissions().mode() & 0o777
}

#[tokio::test]
async fn a_new_database_and_its_directories_are_private() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("data").join("city").join("xinyong.db");
    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(mode(&tmp.path().join("data")), 0o700);
    assert_eq!(mode(&tmp.path().join("data").join("city")), 0o700);
    assert_eq!(mode(&path), 0o600);
    // The migrations wrote through the WAL, which takes the database's mode.
    let wal = path.with_extension("db-wal");
    assert!(wal.exists(), "WAL file after the migrations");
    assert_eq!(mode(&wal), 0o600);
    drop(store);
}

#[tokio::test]
async fn an_existing_database_keeps_the_mode_its_operator_gave_it() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("xinyong.db");
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o750)).unwrap();
    drop(SqliteStore::open(&path).await.unwrap());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    drop(SqliteStore::open(&path).await.unwrap());
    assert_eq!(mode(&path), 0o640);
    assert_eq!(mode(tmp.path()), 0o750, "an existing directory is not touched");
}
