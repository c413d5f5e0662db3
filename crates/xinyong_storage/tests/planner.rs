//! The bundled SQLite is built with the query planner stability guarantee
//! (`.cargo/config.toml`): without it, every statement with `LIMIT $n` is
//! parsed and planned again at each execution (docs/PERFORMANCE.md,
//! "Statements planned once"). A build that lost the flag fails here.

#[tokio::test]
async fn the_bundled_sqlite_plans_each_statement_once() {
    let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.expect("an in-memory database");
    let options: Vec<String> = sqlx::query_scalar("SELECT compile_options FROM pragma_compile_options")
        .fetch_all(&pool)
        .await
        .expect("options");
    assert!(options.iter().any(|o| o == "ENABLE_QPSG"), "SQLite built without SQLITE_ENABLE_QPSG: {options:?}");
}
