//! PostgreSQL: for provincial scale and for several `xinyong serve` processes
//! over one database.

use std::str::FromStr;

pub use sqlx::postgres::PgConnectOptions;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgConnection, Pool, Postgres, Row, Transaction};

use crate::append::Bulk;
use crate::exec::{BulkFuture, BulkRunner};
use crate::sql::Arg;

use crate::{AppendOutcome, Backend, BuildEvents, Result, Stmt, StorageError, Store, Value};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Advisory lock key held by every appending transaction (ASCII "xinyong\0").
const APPEND_LOCK: i64 = 0x7869_6e79_6f6e_6700;

#[derive(Debug, Clone)]
pub struct PostgresStore {
    pub(crate) pool: Pool<Postgres>,
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<PostgresStore> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StorageError::InvalidUrl { url: redact(url), reason: e.to_string() })?;
        Self::connect_with(options).await
    }

    /// Connects with explicit options (tests use this to pin a private schema).
    ///
    /// Every connection plans each statement with its arguments
    /// (`plan_cache_mode = force_custom_plan`). sqlx prepares each statement
    /// once per connection, and PostgreSQL switches a prepared statement to
    /// a generic plan after five runs. A generic plan made while a table was
    /// small stays in use after the table grows: during a bulk import, the
    /// intake's `records WHERE id IN (…)` read kept a sequential scan chosen
    /// for an empty table and took 2–5 s per batch at 20,000 rows, instead of
    /// 60 ms (`bench ingest` on PostgreSQL, 2026-12-05). Planning our short
    /// statements costs microseconds.
    pub async fn connect_with(options: PgConnectOptions) -> Result<PostgresStore> {
        let options = options.options([("plan_cache_mode", "force_custom_plan")]);
        let pool = PgPoolOptions::new().max_connections(8).connect_with(options).await?;
        let store = PostgresStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let exists: i64 = sqlx::query(
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
        )
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

    /// Serialises appenders across processes: the next index is read under a
    /// transaction-scoped advisory lock, released at commit or rollback.
    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(APPEND_LOCK).execute(&mut *tx).await?;
        Ok(tx)
    }

    /// A small pool without migrations, for administrative statements such as
    /// creating a test schema.
    pub async fn connect_admin(url: &str) -> Result<PostgresStore> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StorageError::InvalidUrl { url: redact(url), reason: e.to_string() })?;
        let pool = PgPoolOptions::new().max_connections(1).connect_with(options).await?;
        Ok(PostgresStore { pool })
    }

    /// Runs raw SQL; for tests and tooling below the `Store` boundary.
    pub async fn execute_raw(&self, sql: &str) -> Result<u64> {
        Ok(sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&self.pool).await?.rows_affected())
    }
}

/// The URL without its password, for error messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// What differs per backend is the write lock; the rest is written once
/// (`crate::exec`).
#[async_trait::async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn append(&self, build: BuildEvents<'_>) -> Result<AppendOutcome> {
        let started = std::time::Instant::now();
        let out = crate::exec::append(self.begin_write().await?, build).await;
        crate::observe_call(Backend::Postgres, "append", started);
        out
    }

    async fn fetch(&self, stmt: &Stmt) -> Result<Vec<Vec<Value>>> {
        let started = std::time::Instant::now();
        let out = crate::exec::fetch(&self.pool, stmt).await;
        crate::observe_call(Backend::Postgres, "fetch", started);
        out
    }

    async fn execute(&self, stmt: &Stmt) -> Result<u64> {
        let started = std::time::Instant::now();
        let out = crate::exec::execute(&self.pool, stmt).await.map(|r| r.rows_affected());
        crate::observe_call(Backend::Postgres, "execute", started);
        out
    }

    async fn snapshot(&self) -> Result<Box<dyn Store>> {
        let tx = self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
        Ok(Box::new(crate::snapshot::Snapshot::new(tx)))
    }

    fn pool_status(&self) -> crate::PoolStatus {
        crate::PoolStatus {
            open: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }
    }
}

/// One column of a [`Bulk`] as the array PostgreSQL unnests.
enum ColumnArray {
    Int(Vec<Option<i64>>),
    Text(Vec<Option<String>>),
    Bytes(Vec<Vec<u8>>),
}

impl ColumnArray {
    fn for_arg(arg: &Arg, rows: usize) -> ColumnArray {
        match arg {
            Arg::Int(_) => ColumnArray::Int(Vec::with_capacity(rows)),
            Arg::Text(_) => ColumnArray::Text(Vec::with_capacity(rows)),
            Arg::Bytes(_) => ColumnArray::Bytes(Vec::with_capacity(rows)),
        }
    }

    fn sql_type(&self) -> &'static str {
        match self {
            ColumnArray::Int(_) => "bigint[]",
            ColumnArray::Text(_) => "text[]",
            ColumnArray::Bytes(_) => "bytea[]",
        }
    }

    /// Takes a row's cell of this column; a cell of another type is a bug in
    /// the statement's builder, never silently converted.
    fn push(&mut self, arg: Arg) -> Result<()> {
        match (self, arg) {
            (ColumnArray::Int(c), Arg::Int(v)) => c.push(v),
            (ColumnArray::Text(c), Arg::Text(v)) => c.push(v),
            (ColumnArray::Bytes(c), Arg::Bytes(v)) => c.push(v),
            _ => return Err(StorageError::Build("a bulk insert's rows differ in a column's type".to_owned())),
        }
        Ok(())
    }
}

/// `INSERT … SELECT * FROM UNNEST($1::bigint[], $2::text[], …) …`: the
/// rows go as one array per column (see [`BulkRunner`]).
impl BulkRunner for Postgres {
    fn run_bulk(conn: &mut PgConnection, bulk: Bulk) -> BulkFuture<'_> {
        Box::pin(async move {
            let Bulk { into, rows, tail } = bulk;
            let Some(first) = rows.first() else { return Ok(()) };
            let mut columns: Vec<ColumnArray> = first.iter().map(|a| ColumnArray::for_arg(a, rows.len())).collect();
            for row in rows {
                if row.len() != columns.len() {
                    return Err(StorageError::Build("a bulk insert's rows differ in length".to_owned()));
                }
                for (column, arg) in columns.iter_mut().zip(row) {
                    column.push(arg)?;
                }
            }
            let arrays: Vec<String> =
                columns.iter().enumerate().map(|(i, c)| format!("${}::{}", i + 1, c.sql_type())).collect();
            let text = format!("INSERT INTO {into}SELECT * FROM UNNEST({}){tail}", arrays.join(", "));
            let mut query = sqlx::query(sqlx::AssertSqlSafe(text));
            for column in columns {
                query = match column {
                    ColumnArray::Int(v) => query.bind(v),
                    ColumnArray::Text(v) => query.bind(v),
                    ColumnArray::Bytes(v) => query.bind(v),
                };
            }
            query.execute(conn).await?;
            Ok(())
        })
    }
}
