//! A SQLite database file is created with the configured page size; an
//! existing file keeps the size it was created with (SQLite cannot change it
//! in WAL mode), so a new setting never half-applies.

use std::path::Path;

use xinyong_storage::{SqliteStore, SqliteTuning};

async fn page_size(path: &Path) -> i64 {
    let url = format!("sqlite://{}", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open the file");
    let size = sqlx::query_scalar("PRAGMA page_size").fetch_one(&pool).await.expect("page size");
    pool.close().await;
    size
}

#[tokio::test]
async fn a_new_file_takes_the_page_size_and_an_old_one_keeps_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("xinyong.db");
    drop(SqliteStore::open(&path).await.unwrap());
    assert_eq!(page_size(&path).await, i64::from(xinyong_storage::DEFAULT_SQLITE_PAGE_SIZE));
    assert_eq!(xinyong_storage::DEFAULT_SQLITE_PAGE_SIZE, 16_384);

    let small = SqliteTuning { page_size: 4096, ..SqliteTuning::default() };
    drop(SqliteStore::open_tuned(&path, small).await.unwrap());
    assert_eq!(page_size(&path).await, 16_384, "an existing file keeps its page size");

    let other = tmp.path().join("small.db");
    drop(SqliteStore::open_tuned(&other, small).await.unwrap());
    assert_eq!(page_size(&other).await, 4096);
}
