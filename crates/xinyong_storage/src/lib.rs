#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use xinyong_domain::event::Event;
use xinyong_domain::projection::{Cell, Key, ProjectionError, ProjectionWrite, Row as TableRow, RowError, TableSpec};

mod baseline;
mod common;
mod fts_baseline;
pub mod postgres;
pub mod sqlite;

pub use fts_baseline::{Fts5Baseline, Fts5Method, fts5_baseline};
pub use postgres::PostgresStore;
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
/// `verify` can detect any change to any column.
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
    pub entry: Vec<u8>,
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

/// Timeliness of one department's records of one catalog item (十五.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelinessRow {
    pub department: String,
    pub item: String,
    pub total: u64,
    /// Received within the item's deadline in working days.
    pub on_time: u64,
    /// Working days unknown (a year without a published holiday schedule).
    pub unknown: u64,
    pub sum_working_days: i64,
    pub max_working_days: i64,
}

/// A stored projection row, cells in the table's column order.
pub type Row = Vec<Cell>;

/// Which `records` rows the public record lists (双公示) show: records of
/// one catalog item about a legal person, marked public, whose publicity
/// window contains `today` (`window_start <= today < latest_end`, or no
/// `latest_end`). Dates are `YYYY-MM-DD`; `None` filters nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicRecordFilter {
    pub item: String,
    pub today: String,
    pub department: Option<String>,
    /// Leading digits (ASCII digits only) of the subject's division code,
    /// i.e. of USCC positions 3–8: `370102` for 历下区, `3701` for all Jinan.
    pub division_prefix: Option<String>,
    /// Decision dates from and to, inclusive.
    pub decided_from: Option<String>,
    pub decided_to: Option<String>,
}

/// Keyset position in a newest-first record list: the rows after it are
/// those strictly before `(decision_date, id)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordCursor {
    pub decision_date: String,
    pub id: String,
}

/// Log indexes are u64 in the domain and BIGINT in both databases; a log of
/// 2^63 entries is not a case we need to represent.
pub(crate) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub(crate) fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// Builds the events of one append once the next free log index is known.
/// Called inside the write transaction, so it must be quick and pure.
/// An `Err` (an event that cannot be stored, with the reason) rolls the
/// transaction back and comes back as [`StorageError::Build`].
pub type BuildEvents<'a> = &'a (dyn Fn(u64) -> std::result::Result<Vec<PreparedEvent>, String> + Send + Sync);

/// The storage boundary: domain-shaped, narrow, and implemented identically
/// for SQLite and PostgreSQL (`tests/contract.rs` runs the same story on both).
#[async_trait]
pub trait Store: Send + Sync + Debug {
    fn backend(&self) -> Backend;

    /// Appends events and applies their projection writes and new Merkle tree
    /// nodes in one transaction. Appends from several processes are serialised
    /// by the database, so indexes are gap-free and never reused.
    async fn append(&self, build: BuildEvents<'_>) -> Result<AppendOutcome>;

    /// Number of entries in the log.
    async fn log_size(&self) -> Result<u64>;

    /// Up to `limit` events with `seq >= from`, in order.
    async fn events_from(&self, from: u64, limit: u32) -> Result<Vec<StoredEvent>>;

    /// The canonical entry bytes at `seq`.
    async fn entry(&self, seq: u64) -> Result<Option<Vec<u8>>>;

    /// Hashes of complete subtrees, in the order asked. Level 0 is the leaf
    /// hash. A missing node is an [`StorageError::Inconsistent`] error.
    async fn tree_nodes(&self, coords: &[(u8, u64)]) -> Result<Vec<Hash>>;

    /// Keyset page over the stored nodes of level >= 1, ordered by (level, idx).
    async fn tree_nodes_page(&self, after: Option<(u8, u64)>, limit: u32) -> Result<Vec<(u8, u64, Vec<u8>)>>;

    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>>;
    async fn checkpoint(&self, size: u64) -> Result<Option<StoredCheckpoint>>;
    /// Stores a signed checkpoint; a second checkpoint for the same size is ignored.
    async fn save_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<()>;

    async fn counts(&self) -> Result<Counts>;

    /// The row with this key, if any.
    async fn row(&self, table: &'static TableSpec, key: &[Cell]) -> Result<Option<Row>>;

    /// The rows with these keys (tables with a one-column key), in no
    /// particular order; missing keys are simply absent.
    async fn rows_in(&self, table: &'static TableSpec, keys: &[Cell]) -> Result<Vec<Row>>;

    /// Rows whose `column` equals `value`, in key order (at most `limit`).
    async fn rows_where(&self, table: &'static TableSpec, column: &str, value: &Cell, limit: u32) -> Result<Vec<Row>>;

    /// A keyset page over a whole table, in key order, after `after` (a key).
    async fn rows_page(&self, table: &'static TableSpec, after: Option<&[Cell]>, limit: u32) -> Result<Vec<Row>>;

    async fn count_rows(&self, table: &'static TableSpec) -> Result<u64>;

    /// Per department and item: records received in `[from, to]` (dates as
    /// `YYYY-MM-DD`) and how many arrived within their deadline.
    async fn timeliness(&self, from: &str, to: &str) -> Result<Vec<TimelinessRow>>;

    /// `records` rows received in `[from, to]` later than their deadline,
    /// latest first by working days; optionally one department's only.
    async fn overdue_records(&self, from: &str, to: &str, department: Option<&str>, limit: u32) -> Result<Vec<Row>>;

    /// `records` rows matching `filter`, newest decision first (ties by id,
    /// descending), after `cursor`; at most `limit`.
    async fn public_records(
        &self,
        filter: &PublicRecordFilter,
        cursor: Option<&RecordCursor>,
        limit: u32,
    ) -> Result<Vec<Row>>;

    /// How many `records` rows match `filter`.
    async fn count_public_records(&self, filter: &PublicRecordFilter) -> Result<u64>;

    // Console sessions (operational state, not events).

    /// Stores a new session; its `id_sha256` must be unused.
    async fn insert_session(&self, session: &StoredSession) -> Result<()>;

    /// The session whose cookie value hashes to `id_sha256`, expired or not.
    async fn session_by_hash(&self, id_sha256: &str) -> Result<Option<StoredSession>>;

    /// Ends one session (logout); `false` when there was none.
    async fn delete_session(&self, id_sha256: &str) -> Result<bool>;

    /// Ends every session of a user (disabled, or password changed).
    async fn delete_sessions_of(&self, login: &str) -> Result<u64>;

    /// Removes sessions with `expires_ms <= now_ms`; returns how many.
    async fn delete_expired_sessions(&self, now_ms: i64) -> Result<u64>;

    // Background job runs (operational state, not events; `xinyong_core::jobs`).
    // Times are milliseconds since the Unix epoch from the caller's clock.

    /// Adds the job's row, due at once and unclaimed, unless it exists.
    async fn seed_job_run(&self, name: &str) -> Result<()>;

    /// Makes the job due no later than `at_ms` (a job that runs when a
    /// process starts); a job due earlier stays as it is.
    async fn advance_job_run(&self, name: &str, at_ms: i64) -> Result<()>;

    /// Claims the job for `owner` until `lease_until_ms` when it is due
    /// (`next_run_ms <= now_ms`) and no lease is live (`lease_until_ms <=
    /// now_ms`). One conditional UPDATE, so of any number of concurrent
    /// claimers, in any number of processes, exactly one gets `true`.
    async fn claim_job_run(&self, name: &str, owner: &str, now_ms: i64, lease_until_ms: i64) -> Result<bool>;

    /// Extends `owner`'s lease; `false` when another owner has claimed the
    /// job since (`owner`'s lease had lapsed).
    async fn renew_job_run(&self, name: &str, owner: &str, lease_until_ms: i64) -> Result<bool>;

    /// Ends `owner`'s run: frees the lease, records the outcome and makes the
    /// job due again at `next_run_ms`. `false` (and nothing written) when
    /// another owner has claimed the job since.
    async fn finish_job_run(&self, finish: &JobRunFinish) -> Result<bool>;

    /// The job's row, if it was ever seeded.
    async fn job_run(&self, name: &str) -> Result<Option<StoredJobRun>>;

    /// Every job's row, by name.
    async fn job_runs(&self) -> Result<Vec<StoredJobRun>>;
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

/// How a claimed run ended, for [`Store::finish_job_run`].
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
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else if let Some(path) = sqlite::path_from_url(url) {
        Ok(Arc::new(SqliteStore::open(&path).await?))
    } else {
        Err(StorageError::InvalidUrl {
            url: url.to_owned(),
            reason: "expected postgres://…, sqlite://PATH or a file path".to_owned(),
        })
    }
}

/// Typed reads: rows come back as their table's row type, and a row that does
/// not parse is a [`StorageError::Row`] naming table, key and log index.
impl dyn Store + '_ {
    /// The row with this key, if any.
    pub async fn get<R: TableRow>(&self, key: Key<R>) -> Result<Option<R>> {
        let cells = key.into_cells()?;
        match self.row(R::SPEC, &cells).await? {
            Some(row) => Ok(Some(R::from_cells(&row)?)),
            None => Ok(None),
        }
    }

    /// The rows with these keys (one-column keys), in no particular order;
    /// missing keys are simply absent.
    pub async fn get_many<R: TableRow>(&self, keys: impl IntoIterator<Item = Key<R>>) -> Result<Vec<R>> {
        let mut cells = Vec::new();
        for key in keys {
            cells.extend(key.into_cells()?);
        }
        self.rows_in(R::SPEC, &cells).await?.iter().map(|r| Ok(R::from_cells(r)?)).collect()
    }

    /// Rows whose `column` equals `value`, in key order (at most `limit`).
    pub async fn find<R: TableRow>(&self, column: &str, value: &Cell, limit: u32) -> Result<Vec<R>> {
        self.rows_where(R::SPEC, column, value, limit).await?.iter().map(|r| Ok(R::from_cells(r)?)).collect()
    }

    /// Every row of a table, in key order, read page by page. For the small
    /// tables only (departments, users, tokens, webhooks): a table that grows
    /// with the city is read through a query of its context instead.
    pub async fn all<R: TableRow>(&self) -> Result<Vec<R>> {
        const PAGE: u32 = 2_000;
        let mut out = Vec::new();
        let mut after: Option<Vec<Cell>> = None;
        loop {
            let page = self.rows_page(R::SPEC, after.as_deref(), PAGE).await?;
            let done = page.len() < PAGE as usize;
            after = page.last().map(|r| R::SPEC.key_of(r).to_vec());
            for cells in &page {
                out.push(R::from_cells(cells)?);
            }
            if done {
                return Ok(out);
            }
        }
    }

    /// A keyset page over a whole table, in key order, after `after` (a key).
    pub async fn page<R: TableRow>(&self, after: Option<&[Cell]>, limit: u32) -> Result<Vec<R>> {
        self.rows_page(R::SPEC, after, limit).await?.iter().map(|r| Ok(R::from_cells(r)?)).collect()
    }
}
