//! The only code generic over the database: run a [`Stmt`] on a pool or a
//! transaction, and the append transaction itself. Everything else in this
//! crate is written once as statements (`crate::sql`) and runs through
//! these functions, on SQLite and PostgreSQL alike. The bounds name exactly
//! the column types the schema uses: BIGINT, TEXT and BLOB/BYTEA.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Row as _, Transaction, Type};

use crate::append::{self, Bulk, collapse_writes, frontier, new_tree_nodes, to_hash};
use crate::sql::{Arg, Kind, Stmt, Value};
use crate::{AppendOutcome, BuildEvents, Result, StorageError, to_u64};

/// Binds the statement's arguments in order.
fn query<DB>(stmt: &Stmt) -> sqlx::query::Query<'_, DB, DB::Arguments>
where
    DB: Database,
    for<'a> Option<i64>: Encode<'a, DB> + Type<DB>,
    for<'a> Option<&'a str>: Encode<'a, DB> + Type<DB>,
    for<'a> &'a [u8]: Encode<'a, DB> + Type<DB>,
{
    let mut q = sqlx::query(sqlx::AssertSqlSafe(stmt.text()));
    for arg in stmt.args() {
        q = match arg {
            Arg::Int(v) => q.bind(*v),
            Arg::Text(v) => q.bind(v.as_deref()),
            Arg::Bytes(v) => q.bind(v.as_slice()),
        };
    }
    q
}

fn decode<DB>(row: &DB::Row, kinds: &[Kind]) -> Result<Vec<Value>>
where
    DB: Database,
    for<'a> i64: Decode<'a, DB> + Type<DB>,
    for<'a> String: Decode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Decode<'a, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            Ok(match kind {
                Kind::Int => row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::Int),
                Kind::Text => row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::Text),
                Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i)?.map_or(Value::Null, Value::Bytes),
            })
        })
        .collect()
}

/// Every row the statement returns, decoded by its shape.
pub(crate) async fn fetch<'c, DB, E>(executor: E, stmt: &Stmt) -> Result<Vec<Vec<Value>>>
where
    DB: Database,
    E: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'a> Option<i64>: Encode<'a, DB> + Type<DB>,
    for<'a> i64: Decode<'a, DB> + Type<DB>,
    for<'a> Option<&'a str>: Encode<'a, DB> + Type<DB>,
    for<'a> &'a [u8]: Encode<'a, DB> + Type<DB>,
    for<'a> String: Decode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Decode<'a, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    let kinds = stmt.kinds();
    let rows = query::<DB>(stmt).fetch_all(executor).await?;
    rows.iter().map(|r| decode::<DB>(r, &kinds)).collect()
}

/// Runs a statement that returns no rows.
pub(crate) async fn execute<'c, DB, E>(executor: E, stmt: &Stmt) -> Result<DB::QueryResult>
where
    DB: Database,
    E: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'a> Option<i64>: Encode<'a, DB> + Type<DB>,
    for<'a> Option<&'a str>: Encode<'a, DB> + Type<DB>,
    for<'a> &'a [u8]: Encode<'a, DB> + Type<DB>,
{
    Ok(query::<DB>(stmt).execute(executor).await?)
}

/// The append transaction (see [`crate::Store::append`]): reads the next
/// log index, lets the caller build the events, then writes the events, the
/// tree nodes they complete and their collapsed projection writes, and
/// commits. `tx` already holds the backend's write lock.
pub(crate) async fn append<DB>(mut tx: Transaction<'static, DB>, build: BuildEvents<'_>) -> Result<AppendOutcome>
where
    DB: BulkRunner,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB> + Default,
    for<'a> Option<i64>: Encode<'a, DB> + Type<DB>,
    for<'a> i64: Decode<'a, DB> + Type<DB>,
    for<'a> Option<&'a str>: Encode<'a, DB> + Type<DB>,
    for<'a> &'a [u8]: Encode<'a, DB> + Type<DB>,
    for<'a> String: Decode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Decode<'a, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    let size = fetch(&mut *tx, &append::next_index()).await?;
    let size = to_u64(size.first().and_then(|r| r.first()).and_then(value_int).unwrap_or(0));
    let mut events = build(size).map_err(StorageError::Build)?;
    if events.is_empty() {
        tx.rollback().await?;
        return Ok(AppendOutcome { first_seq: size, count: 0, size });
    }

    // Left siblings for the new nodes: the right edge of the current tree.
    let mut frontier_nodes = std::collections::HashMap::new();
    for (level, idx) in frontier(size) {
        let rows = fetch(&mut *tx, &append::node(level, idx)).await?;
        let Some(Value::Bytes(bytes)) = rows.into_iter().next().and_then(|r| r.into_iter().next()) else {
            return Err(StorageError::Inconsistent(format!("tree node ({level}, {idx}) is missing")));
        };
        frontier_nodes.insert((level, idx), to_hash(&bytes, "tree node")?);
    }
    let nodes = new_tree_nodes(size, &events, frontier_nodes)?;

    for bulk in append::insert_events(&mut events).into_iter().chain(append::insert_nodes(&nodes)) {
        DB::run_bulk(&mut *tx, bulk).await?;
    }
    for writes in collapse_writes(&mut events) {
        let (statements, upserts) = append::projection_statements(writes);
        for stmt in &statements {
            execute(&mut *tx, stmt).await?;
        }
        for bulk in upserts {
            DB::run_bulk(&mut *tx, bulk).await?;
        }
    }
    tx.commit().await?;
    let count = events.len() as u64;
    Ok(AppendOutcome { first_seq: size, count, size: size + count })
}

/// How a backend runs a [`Bulk`] inside the append transaction.
///
/// SQLite runs one multi-row `INSERT … VALUES (?, …), …`. PostgreSQL runs
/// `INSERT … SELECT * FROM UNNEST($1::bigint[], …)` (see `postgres.rs`):
/// one array per column, so the statement text is the same whatever the
/// number of rows, and is parsed and planned once per connection instead of
/// once per chunk of up to 65,535 parameters.
pub(crate) trait BulkRunner: Database {
    fn run_bulk(conn: &mut Self::Connection, bulk: Bulk) -> BulkFuture<'_>;
}

/// The future of [`BulkRunner::run_bulk`]: boxed, as the append future that
/// awaits it must be `Send` for every backend.
pub(crate) type BulkFuture<'c> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + Send + 'c>>;

impl BulkRunner for sqlx::Sqlite {
    fn run_bulk(conn: &mut sqlx::SqliteConnection, bulk: Bulk) -> BulkFuture<'_> {
        Box::pin(async move { execute_bulk(conn, &bulk).await })
    }
}

/// Runs a multi-row `INSERT` with the backend's own placeholders (see
/// [`Bulk`]).
async fn execute_bulk<'c, DB, E>(executor: E, bulk: &Bulk) -> Result<()>
where
    DB: Database,
    E: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB> + Default,
    for<'a> Option<i64>: Encode<'a, DB> + Type<DB>,
    for<'a> Option<&'a str>: Encode<'a, DB> + Type<DB>,
    for<'a> &'a [u8]: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(bulk.head.as_str());
    qb.push_values(&bulk.rows, |mut tuple, row| {
        for arg in row {
            match arg {
                Arg::Int(v) => tuple.push_bind(*v),
                Arg::Text(v) => tuple.push_bind(v.as_deref()),
                Arg::Bytes(v) => tuple.push_bind(v.as_slice()),
            };
        }
    });
    qb.push(bulk.tail.as_str());
    qb.build().execute(executor).await?;
    Ok(())
}

fn value_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Null | Value::Text(_) | Value::Bytes(_) => None,
    }
}
