#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use xinyong_domain::event::Event;
use xinyong_domain::projection::{ProjectionError, ProjectionWrite, RowError};

mod append;
pub mod backup;
mod baseline;
mod entries;
mod exec;
mod fts_baseline;
mod jobs;
mod log;
pub mod postgres;
mod rows;
mod sessions;
mod snapshot;
mod sql;
pub mod sqlite;
mod storage_order;

pub mod agencies;
pub mod auth;
pub mod campaigns;
pub mod checks;
pub mod closed_loop;
pub mod collection;
pub mod commitments;
pub mod evaluation;
pub mod inspections;
pub mod lists;
pub mod notices;
pub mod objections;
pub mod portal;
pub mod registrations;
pub mod repair;
pub mod reports;
pub mod rules;
pub mod subjects;
pub mod subscriptions;
pub mod witness;

pub use collection::TimelinessRow;
pub use fts_baseline::{Fts5Baseline, Fts5Method, fts5_baseline};
pub use portal::{PublicRecordFilter, RecordCursor};
pub use postgres::PostgresStore;
pub use rows::{RowScan, Scan};
pub use sql::{Page, Stmt, Value};
pub use sqlite::SqliteStore;

/// A SHA-256 Merkle tree hash.
pub type Hash = [u8; 32];

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "the database was written by a newer Xinyong (schema migration {version} is unknown to this binary); \
         refusing to start — upgrade xinyong or point it at another database"
    )]
    NewerSchema { version: i64 },
    #[error("invalid database URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("log is inconsistent: {0}")]
    Inconsistent(String),
    #[error("an event cannot be stored: {0}")]
    Build(String),
    /// A stored projection row that does not parse (never skipped).
    #[error("unreadable row: {0}")]
    Row(#[from] RowError),
    /// A key that cannot be encoded.
    #[error("invalid key: {0}")]
    Key(#[from] ProjectionError),
    /// A write asked of a read-only [`Store::snapshot`].
    #[error("read-only snapshot: {0}")]
    ReadOnly(String),
}

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// One event ready to be written: the caller (core) has assigned its index,
/// time and salt, built its canonical entry and computed the projection writes.
#[derive(Debug, Clone)]
pub struct PreparedEvent {
    pub event: Event,
    /// The body's canonical JSON, as committed to in the entry.
    pub body_json: String,
    /// The rule versions as stored in the `rules` column (JSON object).
    pub rules_json: String,
    /// The entry's bytes, from which `leaf` was computed. The row keeps only
    /// their compact form; [`StoredEvent::entry`] rebuilds them.
    pub entry: Vec<u8>,
    pub leaf: Hash,
    pub writes: Vec<ProjectionWrite>,
}

/// What [`Store::append`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendOutcome {
    pub first_seq: u64,
    pub count: u64,
    /// Log size after the append.
    pub size: u64,
}

/// A row of the event log exactly as stored (no interpretation), so that
/// `verify` can detect any change to any column. The entry's bytes come from
/// [`StoredEvent::entry`]: rows of v2 entries written since 2026-12-06 hold
/// them in compact form (`docs/LOG.md`, "How entries are stored").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: i64,
    pub time_ms: i64,
    pub actor: String,
    pub kind: String,
    pub subject: Option<String>,
    pub rules: String,
    pub body: Option<String>,
    pub salt: Option<Vec<u8>>,
    /// The `entry` column: the entry's bytes, or one byte naming its format
    /// when the row rebuilds it (see [`StoredEvent::entry`]).
    pub stored_entry: Vec<u8>,
    pub leaf_hash: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub root: Hash,
    /// The signed C2SP checkpoint note.
    pub note: String,
    pub signed_at: DateTime<Utc>,
}

/// Row counts shown on the home page and in metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub events: u64,
    pub subjects: u64,
    pub persons: u64,
    pub relations: u64,
}

/// Log indexes are u64 in the domain and BIGINT in both databases; a log of
/// 2^63 entries is not a case we need to represent.
pub(crate) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub(crate) fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// Refuses a database that has a migration this binary does not know: it was
/// written by a newer Xinyong, and running old code on it could corrupt it.
pub(crate) fn refuse_newer_schema(applied: &[i64], migrator: &sqlx::migrate::Migrator) -> Result<()> {
    match applied.iter().find(|v| !migrator.iter().any(|m| m.version == **v)) {
        Some(&version) => Err(StorageError::NewerSchema { version }),
        None => Ok(()),
    }
}

/// Builds the events of one append once the next free log index is known.
/// Called once, inside the write transaction, so it must be quick and pure:
/// a large append returns [`PreparedEvents::Chunks`] and goes on preparing
/// elsewhere while the store writes the chunks it already has.
/// An `Err` (an event that cannot be stored, with the reason), here or in
/// any chunk, rolls the whole transaction back and comes back as
/// [`StorageError::Build`].
pub type BuildEvents<'a> = &'a (dyn Fn(u64) -> std::result::Result<PreparedEvents, String> + Send + Sync);

/// One chunk of an append's events, or why it could not be prepared.
pub type PreparedChunk = std::result::Result<Vec<PreparedEvent>, String>;

/// The events of one append, in log order.
#[derive(Debug)]
pub enum PreparedEvents {
    /// All of them at once (a small append).
    All(Vec<PreparedEvent>),
    /// `total` events in consecutive chunks, the first beginning at the
    /// index `build` was given: the store inserts each chunk's events as it
    /// arrives (the projection writes wait for the last, to be collapsed
    /// once), so preparing the next chunk (its entries' hashes, on other
    /// cores) overlaps writing this one. A channel closed before `total` events
    /// arrived (the producer died) fails the append: it never commits part
    /// of the events.
    Chunks { total: u64, receiver: tokio::sync::mpsc::Receiver<PreparedChunk> },
}

impl PreparedEvents {
    /// The next chunk; `None` once every event was handed over.
    pub async fn next_chunk(&mut self) -> Option<PreparedChunk> {
        match self {
            PreparedEvents::All(events) if events.is_empty() => None,
            PreparedEvents::All(events) => Some(Ok(std::mem::take(events))),
            PreparedEvents::Chunks { receiver, .. } => receiver.recv().await,
        }
    }

    /// How many events the append must write; `None` for [`PreparedEvents::All`],
    /// which holds them all.
    pub fn total(&self) -> Option<u64> {
        match self {
            PreparedEvents::All(_) => None,
            PreparedEvents::Chunks { total, .. } => Some(*total),
        }
    }
}

impl From<Vec<PreparedEvent>> for PreparedEvents {
    fn from(events: Vec<PreparedEvent>) -> Self {
        PreparedEvents::All(events)
    }
}

/// The storage boundary, implemented by [`SqliteStore`] and
/// [`PostgresStore`]. A backend provides only what differs between the two
/// databases: the append transaction under its write lock, and running one
/// statement. Everything else is written once over these: the log reads,
/// sessions and job runs (inherent methods of `dyn Store`), typed rows by key
/// and the whole-table scan for `verify` and index rebuilds, and the query
/// functions of each context (`auth`, `subjects`, `collection`, `portal`,
/// `lists`, `checks`, `closed_loop`, `rules`), whose SQL both databases run alike.
/// `tests/contract.rs` runs every one of them on both backends.
#[async_trait]
pub trait Store: Send + Sync + Debug {
    fn backend(&self) -> Backend;

    /// Appends events and applies their projection writes and new Merkle tree
    /// nodes in one transaction. Appends from several processes are serialised
    /// by the database, so indexes are gap-free and never reused.
    async fn append(&self, build: BuildEvents<'_>) -> Result<AppendOutcome>;

    /// Runs one statement of this crate and returns its rows. A [`Stmt`] can
    /// only be built inside this crate, so this runs no SQL but ours.
    async fn fetch(&self, stmt: &Stmt) -> Result<Vec<Vec<Value>>>;

    /// Runs one statement of this crate that returns no rows; how many rows
    /// it changed.
    async fn execute(&self, stmt: &Stmt) -> Result<u64>;

    /// A read-only view of the database as it is now: every read through it
    /// sees one committed state, whatever is appended meanwhile (see
    /// the `snapshot` module). It holds one connection and one read
    /// transaction until dropped; writes through it are refused.
    async fn snapshot(&self) -> Result<Box<dyn Store>>;

    /// The connection pool now, for `/metrics`.
    fn pool_status(&self) -> PoolStatus;
}

/// Connections of a store's pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Open (in use or idle).
    pub open: u32,
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

/// Records how long one database call took (`/metrics`:
/// `xinyong_db_call_duration_seconds` by backend and call — `fetch`,
/// `execute`, or `append`, which includes waiting for the write lock).
pub(crate) fn observe_call(backend: Backend, call: &'static str, started: std::time::Instant) {
    metrics::histogram!("xinyong_db_call_duration_seconds", "backend" => backend.as_str(), "call" => call)
        .record(started.elapsed().as_secs_f64());
}

/// A row of `job_runs`: who ran a background job last, until when its lease
/// holds, when it is due next and how its last run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredJobRun {
    pub name: String,
    /// The process that claimed it last (`None` before the first claim).
    pub owner: Option<String>,
    /// The claim holds while this is in the future; 0 once a run finished.
    pub lease_until_ms: i64,
    pub next_run_ms: i64,
    pub last_started_ms: Option<i64>,
    pub last_finished_ms: Option<i64>,
    pub last_outcome: Option<String>,
}

/// How a claimed run ended, for `finish_job_run`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRunFinish {
    pub name: String,
    pub owner: String,
    pub finished_ms: i64,
    pub next_run_ms: i64,
    pub outcome: String,
}

/// A console session row. The cookie value itself is never stored, only its
/// SHA-256 (hex), so a copy of the database cannot be used to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    pub id_sha256: String,
    pub login: String,
    pub csrf_token: String,
    pub created_ms: i64,
    pub expires_ms: i64,
}

/// Opens (and migrates) the database named by `url`: `postgres://…` /
/// `postgresql://…` for PostgreSQL; `sqlite://path`, `sqlite:path` or a plain
/// file path for SQLite (created when missing).
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    open_tuned(url, SqliteTuning::default()).await
}

/// How a SQLite database is opened: the pool's size (readers; appends have
/// one connection more of their own), the page cache all of them share
/// (each gets `cache_mib / (connections + 1)`, at least 2 MiB), and the page
/// size of a database file it creates (an existing file keeps its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliteTuning {
    pub connections: u32,
    pub cache_mib: u32,
    /// Bytes, a power of two from 512 to 65,536 (SQLite's rule).
    pub page_size: u32,
}

impl Default for SqliteTuning {
    fn default() -> SqliteTuning {
        SqliteTuning { connections: 8, cache_mib: 256, page_size: DEFAULT_SQLITE_PAGE_SIZE }
    }
}

/// The page size of a new SQLite database. SQLite's own default is 4,096
/// bytes. With 16,384 a record's row (about 1.2 KB) wastes less of its page,
/// and a commit writes fewer, larger pages to the WAL: log appends ran about
/// 28 % faster, ingest 13 %, and 100,000 records took 18 % less disk, while
/// reads of the portal's pages did not change (docs/PERFORMANCE.md, "Pages
/// of 16 KiB").
pub const DEFAULT_SQLITE_PAGE_SIZE: u32 = 16_384;

impl SqliteTuning {
    /// The `cache_size` pragma of each connection (negative: KiB).
    pub fn cache_size_pragma(&self) -> String {
        let all = u64::from(self.connections.max(1)) + 1;
        let per_connection_kib = (u64::from(self.cache_mib) * 1024 / all).max(2048);
        format!("-{per_connection_kib}")
    }
}

/// [`open`] with SQLite's pool and cache as configured (PostgreSQL ignores them).
pub async fn open_tuned(url: &str, tuning: SqliteTuning) -> Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else if let Some(path) = sqlite::path_from_url(url) {
        Ok(Arc::new(SqliteStore::open_tuned(&path, tuning).await?))
    } else {
        Err(StorageError::InvalidUrl {
            url: url.to_owned(),
            reason: "expected postgres://…, sqlite://PATH or a file path".to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::SqliteTuning;

    #[test]
    fn the_page_cache_is_shared_among_the_connections() {
        // Eight readers and the writer share 256 MiB.
        assert_eq!(SqliteTuning::default().cache_size_pragma(), "-29127");
        let tuned = |connections, cache_mib| SqliteTuning { connections, cache_mib, ..SqliteTuning::default() };
        assert_eq!(tuned(3, 1024).cache_size_pragma(), "-262144");
        // Never below SQLite's own 2 MiB default.
        assert_eq!(tuned(64, 16).cache_size_pragma(), "-2048");
    }
}
