//! The only code generic over the database: run a [`Stmt`] on a pool or a
//! transaction, and the append transaction itself. Everything else in this
//! crate is written once as statements (`crate::sql`) and runs through
//! these functions, on SQLite and PostgreSQL alike. The bounds name exactly
//! the column types the schema uses: BIGINT, TEXT and BLOB/BYTEA.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Row as _, Transaction, Type};

use crate::append::{self, Bulk, Collapsed, TreeGrowth, frontier, to_hash};
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
/// log index, lets the caller build the events, inserts them chunk by chunk
/// as they arrive, then the tree nodes they complete and their projection
/// writes collapsed to one per row, and commits. `tx` already holds the
/// backend's write lock.
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
    let mut source = build(size).map_err(StorageError::Build)?;

    // Left siblings for the new nodes: the right edge of the current tree.
    let mut frontier_nodes = std::collections::HashMap::new();
    for (level, idx) in frontier(size) {
        let rows = fetch(&mut *tx, &append::node(level, idx)).await?;
        let Some(Value::Bytes(bytes)) = rows.into_iter().next().and_then(|r| r.into_iter().next()) else {
            return Err(StorageError::Inconsistent(format!("tree node ({level}, {idx}) is missing")));
        };
        frontier_nodes.insert((level, idx), to_hash(&bytes, "tree node")?);
    }
    let mut tree = TreeGrowth::new(size, frontier_nodes);
    let mut writes = Collapsed::default();
    while let Some(chunk) = source.next_chunk().await {
        let mut events = chunk.map_err(StorageError::Build)?;
        tree.add(&events)?;
        writes.add_events(&mut events);
        for bulk in append::insert_events(&mut events) {
            DB::run_bulk(&mut *tx, bulk).await?;
        }
    }
    if let Some(total) = source.total()
        && tree.size() - size != total
    {
        return Err(StorageError::Build(format!(
            "the events stopped coming after {} of {total}: nothing was written",
            tree.size() - size
        )));
    }
    if tree.size() == size {
        tx.rollback().await?;
        return Ok(AppendOutcome { first_seq: size, count: 0, size });
    }
    let end = tree.size();
    for bulk in append::insert_nodes(&tree.into_nodes()) {
        DB::run_bulk(&mut *tx, bulk).await?;
    }
    for table in writes.finish() {
        let (statements, upserts) = append::projection_statements(table);
        for stmt in &statements {
            execute(&mut *tx, stmt).await?;
        }
        for bulk in upserts {
            DB::run_bulk(&mut *tx, bulk).await?;
        }
    }
    tx.commit().await?;
    Ok(AppendOutcome { first_seq: size, count: end - size, size: end })
}

/// How a backend runs a [`Bulk`] inside the append transaction.
///
/// SQLite runs one multi-row `INSERT OR FAIL … VALUES (?, …), …`. PostgreSQL runs
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
        Box::pin(async move { execute_bulk(conn, bulk).await })
    }
}

/// Runs a multi-row `INSERT` on SQLite, with `?` placeholders (see
/// [`Bulk`]). The values move into the statement's arguments: a batch's
/// texts (bodies, fields JSON) are most of its bytes, and binding them by
/// reference would copy each once more.
async fn execute_bulk(conn: &mut sqlx::SqliteConnection, bulk: Bulk) -> Result<()> {
    // `OR FAIL` rather than the default `ABORT`: a failing statement keeps
    // the rows it wrote before the failure instead of undoing them, so for
    // a plain insert SQLite needs no statement journal (an upsert's `DO
    // UPDATE` still may). With one, it copies every page the statement
    // touches that the transaction changed before (index pages above all)
    // into that journal first, once per statement. The append never goes on
    // after a failed statement: the error ends it and the whole transaction
    // rolls back, so nothing half-written remains.
    let mut qb = QueryBuilder::<sqlx::Sqlite>::new(format!("INSERT OR FAIL INTO {}", bulk.into));
    qb.push_values(bulk.rows, |mut tuple, row| {
        for arg in row {
            match arg {
                Arg::Int(v) => tuple.push_bind(v),
                Arg::Text(v) => tuple.push_bind(v),
                Arg::Bytes(v) => tuple.push_bind(v),
            };
        }
    });
    qb.push(bulk.tail);
    qb.build().execute(conn).await?;
    Ok(())
}

fn value_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Null | Value::Text(_) | Value::Bytes(_) => None,
    }
}
