//! Embedded SQLite: the default, one file, no other service.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Row, Sqlite, Transaction};

use crate::{AppendOutcome, Backend, BuildEvents, Result, Stmt, StorageError, Store, Value};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) pool: Pool<Sqlite>,
    /// The one connection appends write through. When each append took
    /// whichever pooled connection came next, its page cache and prepared
    /// statements were usually another batch's; on its own connection
    /// `bench log` appends 4–9 % more entries/s (docs/PERFORMANCE.md).
    writer: Pool<Sqlite>,
    path: PathBuf,
}

/// Creates the database's missing directories (0700) and the database file
/// itself (0600) before SQLite opens it: the file holds ID numbers and
/// password hashes, so no other local user may read it. SQLite gives its WAL
/// and shared-memory files the database file's permissions. An existing file
/// or directory keeps the permissions its operator gave it.
fn create_private(path: &Path) -> std::result::Result<(), (PathBuf, std::io::Error)> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| (dir.to_owned(), e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        // An empty file is an empty SQLite database.
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err((path.to_owned(), e)),
    }
}

/// `sqlite://PATH`, `sqlite:PATH` or a bare path → the path. Anything with
/// another `scheme://` is not for us.
pub fn path_from_url(url: &str) -> Option<PathBuf> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    if path.is_empty() || path.contains("://") || path.starts_with(':') {
        return None;
    }
    Some(PathBuf::from(path))
}

impl SqliteStore {
    /// Opens the database file (creating it and its directory when missing)
    /// and brings the schema up to date.
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        SqliteStore::open_tuned(path, crate::SqliteTuning::default()).await
    }

    /// [`SqliteStore::open`] with this pool size and shared page cache.
    pub async fn open_tuned(path: &Path, tuning: crate::SqliteTuning) -> Result<SqliteStore> {
        create_private(path).map_err(|(what, e)| StorageError::InvalidUrl {
            url: path.display().to_string(),
            reason: format!("cannot create {}: {e}", what.display()),
        })?;
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            // Takes effect when the file is created (sqlx sets it before WAL
            // mode, as SQLite requires); an existing file keeps its size.
            .page_size(tuning.page_size)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + FULL syncs the WAL at every commit, so a batch that was
            // acknowledged survives a power cut too, not only a crash of the
            // process (NORMAL would lose the last commits since the previous
            // checkpoint). Appends are whole batches, so the extra fsync is
            // one per batch (`xinyong bench ingest`, `bench check`).
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // The default 2 MB page cache thrashes once the projection indexes
            // outgrow it (a million subjects): appends slowed from 14k to 6k
            // entries/s. A configured total shared by the connections, and
            // memory-mapped reads (the operating system's file cache, not the
            // process's memory) keep them in memory.
            .pragma("cache_size", tuning.cache_size_pragma())
            .pragma("mmap_size", "1073741824")
            .pragma("temp_store", "memory");
        // Readers keep every connection configured (a long snapshot, such
        // as the evaluation's, holds one); the writer's is one more, and
        // `cache_size_pragma` counts it in the cache's total.
        let pool =
            SqlitePoolOptions::new().max_connections(tuning.connections.max(1)).connect_with(options.clone()).await?;
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
        let store = SqliteStore { pool, writer, path: path.to_owned() };
        store.migrate().await?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn migrate(&self) -> Result<()> {
        let exists: i64 =
            sqlx::query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?;
        if exists > 0 {
            let applied: Vec<i64> = sqlx::query("SELECT version FROM _sqlx_migrations")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<std::result::Result<_, _>>()?;
            crate::refuse_newer_schema(&applied, &MIGRATOR)?;
        }
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// `BEGIN IMMEDIATE` takes the write lock up front, so two writers (also
    /// in two processes) queue on `busy_timeout` instead of failing to upgrade
    /// a read transaction.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Runs raw SQL; for tests and tooling that must reach under the
    /// `Store` boundary (e.g. tampering tests for `verify`).
    pub async fn execute_raw(&self, sql: &str) -> Result<u64> {
        Ok(sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&self.pool).await?.rows_affected())
    }
}

/// What differs per backend is the write lock; the rest is written once
/// (`crate::exec`).
#[async_trait::async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn append(&self, build: BuildEvents<'_>) -> Result<AppendOutcome> {
        let started = std::time::Instant::now();
        let out = crate::exec::append(self.begin_write().await?, build).await;
        crate::observe_call(Backend::Sqlite, "append", started);
        out
    }

    async fn fetch(&self, stmt: &Stmt) -> Result<Vec<Vec<Value>>> {
        let started = std::time::Instant::now();
        let out = crate::exec::fetch(&self.pool, stmt).await;
        crate::observe_call(Backend::Sqlite, "fetch", started);
        out
    }

    async fn execute(&self, stmt: &Stmt) -> Result<u64> {
        let started = std::time::Instant::now();
        let out = crate::exec::execute(&self.pool, stmt).await.map(|r| r.rows_affected());
        crate::observe_call(Backend::Sqlite, "execute", started);
        out
    }

    async fn snapshot(&self) -> Result<Box<dyn Store>> {
        let tx = self.pool.begin_with("BEGIN DEFERRED").await?;
        Ok(Box::new(crate::snapshot::Snapshot::new(tx)))
    }

    fn pool_status(&self) -> crate::PoolStatus {
        let idle = |p: &Pool<Sqlite>| u32::try_from(p.num_idle()).unwrap_or(u32::MAX);
        crate::PoolStatus {
            open: self.pool.size() + self.writer.size(),
            idle: idle(&self.pool).saturating_add(idle(&self.writer)),
            max: self.pool.options().get_max_connections() + self.writer.options().get_max_connections(),
        }
    }
}
