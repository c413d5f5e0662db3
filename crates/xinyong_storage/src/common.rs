//! The SQL shared by both backends. Both databases accept the same text
//! (`$n` placeholders, `ON CONFLICT … DO UPDATE`, BIGINT/TEXT/BLOB columns), so
//! the `Store` implementation is written once and stamped out per backend with
//! [`impl_store!`]. What differs (connection set-up, the write lock, the
//! migration tree) lives in `sqlite.rs` and `postgres.rs`.

use std::collections::HashMap;

use xinyong_domain::projection::{Cell, RowState, TableSpec};

use crate::{Hash, PreparedEvent, StorageError};

/// Rows per multi-row INSERT: SQLite allows 32,766 bound parameters per
/// statement and PostgreSQL 65,535; events have 10 columns.
pub(crate) const CHUNK_ROWS: usize = 1_000;

/// Complete subtrees whose roots form the right edge of a tree of `size`
/// leaves: exactly the left siblings an append at index `size` may need.
pub(crate) fn frontier(size: u64) -> Vec<(u8, u64)> {
    let mut coords = Vec::new();
    let mut start = 0u64;
    for level in (0..64u8).rev() {
        let width = 1u64 << level;
        if size & width != 0 {
            coords.push((level, start >> level));
            start += width;
        }
    }
    coords
}

/// The writes of a batch for one table, collapsed to the last write per key,
/// because a multi-row upsert may not touch the same row twice (PostgreSQL
/// rejects it) and only the last write survives anyway.
/// `(column index, new value)` pairs for one row.
pub(crate) type ColumnPatch = Vec<(usize, Cell)>;

#[derive(Debug)]
pub(crate) struct TableWrites {
    pub table: &'static TableSpec,
    pub deletes: Vec<Vec<Cell>>,
    pub upserts: Vec<Vec<Cell>>,
    /// Column updates of rows written before this batch.
    pub patches: Vec<(Vec<Cell>, ColumnPatch)>,
}

pub(crate) fn collapse_writes(events: &[PreparedEvent]) -> Vec<TableWrites> {
    let mut order: Vec<&'static TableSpec> = Vec::new();
    let mut last: HashMap<&'static str, HashMap<Vec<Cell>, RowState>> = HashMap::new();
    for write in events.iter().flat_map(|e| &e.writes) {
        let table = write.table();
        if !last.contains_key(table.name) {
            order.push(table);
        }
        let rows = last.entry(table.name).or_default();
        let key = write.key().to_vec();
        let before = rows.remove(&key);
        if let Some(after) = RowState::apply(before, write) {
            rows.insert(key, after);
        }
    }
    order
        .into_iter()
        .map(|table| {
            let mut tw = TableWrites { table, deletes: Vec::new(), upserts: Vec::new(), patches: Vec::new() };
            for (key, state) in last.remove(table.name).unwrap_or_default() {
                match state {
                    RowState::Row(row) => tw.upserts.push(row),
                    RowState::Deleted => tw.deletes.push(key),
                    RowState::Patch(set) => tw.patches.push((key, set)),
                }
            }
            // Deterministic statement order keeps lock order stable between writers.
            tw.upserts.sort();
            tw.deletes.sort();
            tw.patches.sort();
            tw
        })
        .collect()
}

/// `UPDATE t SET c1 = $1, … WHERE (key) = ($n, …)`
pub(crate) fn update_sql(table: &TableSpec, columns: &[usize]) -> String {
    let sets: Vec<String> =
        columns.iter().enumerate().map(|(i, c)| format!("{} = ${}", table.columns[*c].name, i + 1)).collect();
    format!(
        "UPDATE {} SET {} WHERE ({}) = ({})",
        table.name,
        sets.join(", "),
        key_list(table),
        placeholders(columns.len() + 1, table.key_len)
    )
}

/// `INSERT INTO t (cols) ` — the VALUES part is pushed by the query builder.
pub(crate) fn insert_head(table: &TableSpec) -> String {
    let cols: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    format!("INSERT INTO {} ({}) ", table.name, cols.join(", "))
}

/// ` ON CONFLICT (key) DO UPDATE SET c = excluded.c, …`
pub(crate) fn upsert_tail(table: &TableSpec) -> String {
    let keys: Vec<&str> = table.key_columns().iter().map(|c| c.name).collect();
    let sets: Vec<String> =
        table.columns[table.key_len..].iter().map(|c| format!("{0} = excluded.{0}", c.name)).collect();
    format!(" ON CONFLICT ({}) DO UPDATE SET {}", keys.join(", "), sets.join(", "))
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

pub(crate) fn select_columns(table: &TableSpec) -> String {
    table.columns.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
}

fn key_list(table: &TableSpec) -> String {
    table.key_columns().iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
}

pub(crate) fn delete_sql(table: &TableSpec) -> String {
    format!("DELETE FROM {} WHERE ({}) = ({})", table.name, key_list(table), placeholders(1, table.key_len))
}

pub(crate) fn get_sql(table: &TableSpec) -> String {
    format!(
        "SELECT {} FROM {} WHERE ({}) = ({})",
        select_columns(table),
        table.name,
        key_list(table),
        placeholders(1, table.key_len)
    )
}

pub(crate) fn page_sql(table: &TableSpec, after: bool) -> String {
    let keys = key_list(table);
    if after {
        format!(
            "SELECT {} FROM {} WHERE ({keys}) > ({}) ORDER BY {keys} LIMIT ${}",
            select_columns(table),
            table.name,
            placeholders(1, table.key_len),
            table.key_len + 1
        )
    } else {
        format!("SELECT {} FROM {} ORDER BY {keys} LIMIT $1", select_columns(table), table.name)
    }
}

pub(crate) fn in_sql(table: &TableSpec, n: usize) -> String {
    format!(
        "SELECT {} FROM {} WHERE {} IN ({})",
        select_columns(table),
        table.name,
        table.columns[0].name,
        placeholders(1, n)
    )
}

/// Column names are compile-time constants of the table specs; a name that is
/// not one of them never reaches SQL.
pub(crate) fn where_sql(table: &TableSpec, column: &str) -> Option<String> {
    table.column_index(column)?;
    Some(format!(
        "SELECT {} FROM {} WHERE {column} = $1 ORDER BY {} LIMIT $2",
        select_columns(table),
        table.name,
        key_list(table)
    ))
}

/// Checks the batch the caller built and computes the tree nodes it completes.
pub(crate) fn new_tree_nodes(
    size: u64,
    events: &[PreparedEvent],
    frontier_nodes: HashMap<(u8, u64), Hash>,
) -> Result<Vec<(u8, u64, Hash)>, StorageError> {
    let mut known = frontier_nodes;
    let mut created = Vec::new();
    for (offset, prepared) in events.iter().enumerate() {
        let expected = size + offset as u64;
        if prepared.event.seq != expected {
            return Err(StorageError::Inconsistent(format!(
                "batch event has index {} where {expected} was expected",
                prepared.event.seq
            )));
        }
        let nodes = xinyong_tlog::nodes_completed_by_append(expected, prepared.leaf, &mut |level: u8, idx: u64| {
            known.get(&(level, idx)).copied().ok_or(())
        })
        .map_err(|()| StorageError::Inconsistent(format!("missing tree node while appending {expected}")))?;
        for (level, idx, hash) in nodes {
            known.insert((level, idx), hash);
            if level > 0 {
                created.push((level, idx, hash));
            }
        }
    }
    Ok(created)
}

/// Refuses a database that has a migration this binary does not know: it was
/// written by a newer Xinyong, and running old code on it could corrupt it.
pub(crate) fn refuse_newer_schema(applied: &[i64], migrator: &sqlx::migrate::Migrator) -> Result<(), StorageError> {
    match applied.iter().find(|v| !migrator.iter().any(|m| m.version == **v)) {
        Some(&version) => Err(StorageError::NewerSchema { version }),
        None => Ok(()),
    }
}

pub(crate) fn to_hash(bytes: &[u8], what: &str) -> Result<Hash, StorageError> {
    <Hash>::try_from(bytes).map_err(|_| StorageError::Inconsistent(format!("{what} is not a 32-byte hash")))
}

/// Implements [`crate::Store`] for `$store`, whose `pool` field is a
/// `sqlx::Pool<$db>` and which has an inherent
/// `async fn begin_write(&self) -> Result<sqlx::Transaction<'static, $db>>`.
macro_rules! impl_store {
    ($store:ty, $backend:expr) => {
        #[async_trait::async_trait]
        impl $crate::Store for $store {
            fn backend(&self) -> $crate::Backend {
                $backend
            }

            async fn append(&self, build: $crate::BuildEvents<'_>) -> $crate::Result<$crate::AppendOutcome> {
                use sqlx::Row as _;
                use $crate::common::*;
                use $crate::to_i64;

                let mut tx = self.begin_write().await?;
                let size: i64 = sqlx::query("SELECT COALESCE(MAX(seq) + 1, 0) FROM events")
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?;
                let size = $crate::to_u64(size);
                let events = build(size).map_err($crate::StorageError::Build)?;
                if events.is_empty() {
                    tx.rollback().await?;
                    return Ok($crate::AppendOutcome { first_seq: size, count: 0, size });
                }

                // Left siblings for the new nodes: the right edge of the current tree.
                let coords = frontier(size);
                let mut frontier_nodes = std::collections::HashMap::new();
                for &(level, idx) in &coords {
                    let row = if level == 0 {
                        sqlx::query("SELECT leaf_hash FROM events WHERE seq = $1")
                            .bind(to_i64(idx))
                            .fetch_optional(&mut *tx)
                            .await?
                    } else {
                        sqlx::query("SELECT hash FROM tree_nodes WHERE level = $1 AND idx = $2")
                            .bind(i64::from(level))
                            .bind(to_i64(idx))
                            .fetch_optional(&mut *tx)
                            .await?
                    };
                    let row = row.ok_or_else(|| {
                        $crate::StorageError::Inconsistent(format!("tree node ({level}, {idx}) is missing"))
                    })?;
                    let bytes: Vec<u8> = row.try_get(0)?;
                    frontier_nodes.insert((level, idx), to_hash(&bytes, "tree node")?);
                }
                let nodes = new_tree_nodes(size, &events, frontier_nodes)?;

                for chunk in events.chunks(CHUNK_ROWS) {
                    let mut qb = sqlx::QueryBuilder::new(
                        "INSERT INTO events (seq, time_ms, actor, kind, subject, rules, body, salt, entry, leaf_hash) ",
                    );
                    qb.push_values(chunk, |mut b, p| {
                        let e = &p.event;
                        b.push_bind(to_i64(e.seq))
                            .push_bind(e.time.timestamp_millis())
                            .push_bind(e.actor.as_str().to_owned())
                            .push_bind(e.body.kind_name())
                            .push_bind(e.body.public_subject().map(str::to_owned))
                            .push_bind(p.rules_json.clone())
                            .push_bind(p.body_json.clone())
                            .push_bind(e.salt.to_vec())
                            .push_bind(p.entry.clone())
                            .push_bind(p.leaf.to_vec());
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                for chunk in nodes.chunks(CHUNK_ROWS * 3) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO tree_nodes (level, idx, hash) ");
                    qb.push_values(chunk, |mut b, (level, idx, hash)| {
                        b.push_bind(i64::from(*level)).push_bind(to_i64(*idx)).push_bind(hash.to_vec());
                    });
                    qb.build().execute(&mut *tx).await?;
                }

                for tw in collapse_writes(&events) {
                    let delete = delete_sql(tw.table);
                    for key in &tw.deletes {
                        let mut q = sqlx::query(sqlx::AssertSqlSafe(delete.clone()));
                        for (col, cell) in tw.table.key_columns().iter().zip(key) {
                            q = $crate::common::bind_cell!(q, col.kind, cell);
                        }
                        q.execute(&mut *tx).await?;
                    }
                    for (key, set) in &tw.patches {
                        let columns: Vec<usize> = set.iter().map(|(c, _)| *c).collect();
                        let mut q = sqlx::query(sqlx::AssertSqlSafe(update_sql(tw.table, &columns)));
                        for (c, cell) in set {
                            q = $crate::common::bind_cell!(q, tw.table.columns[*c].kind, cell);
                        }
                        for (col, cell) in tw.table.key_columns().iter().zip(key) {
                            q = $crate::common::bind_cell!(q, col.kind, cell);
                        }
                        q.execute(&mut *tx).await?;
                    }
                    let tail = upsert_tail(tw.table);
                    let per_chunk = (30_000 / tw.table.columns.len()).max(1);
                    for chunk in tw.upserts.chunks(per_chunk) {
                        let mut qb = sqlx::QueryBuilder::new(insert_head(tw.table));
                        qb.push_values(chunk, |mut b, row| {
                            for (col, cell) in tw.table.columns.iter().zip(row) {
                                match (col.kind, cell) {
                                    (
                                        xinyong_domain::projection::ColumnKind::Int,
                                        xinyong_domain::projection::Cell::Int(v),
                                    ) => {
                                        b.push_bind(*v);
                                    }
                                    (xinyong_domain::projection::ColumnKind::Int, _) => {
                                        b.push_bind(None::<i64>);
                                    }
                                    (
                                        xinyong_domain::projection::ColumnKind::Text,
                                        xinyong_domain::projection::Cell::Text(v),
                                    ) => {
                                        b.push_bind(v.clone());
                                    }
                                    (xinyong_domain::projection::ColumnKind::Text, _) => {
                                        b.push_bind(None::<String>);
                                    }
                                }
                            }
                        });
                        qb.push(tail.as_str());
                        qb.build().execute(&mut *tx).await?;
                    }
                }
                tx.commit().await?;
                let count = events.len() as u64;
                Ok($crate::AppendOutcome { first_seq: size, count, size: size + count })
            }

            async fn log_size(&self) -> $crate::Result<u64> {
                use sqlx::Row as _;
                let size: i64 = sqlx::query("SELECT COALESCE(MAX(seq) + 1, 0) FROM events")
                    .fetch_one(&self.pool)
                    .await?
                    .try_get(0)?;
                Ok($crate::to_u64(size))
            }

            async fn events_from(&self, from: u64, limit: u32) -> $crate::Result<Vec<$crate::StoredEvent>> {
                use sqlx::Row as _;
                let rows = sqlx::query(
                    "SELECT seq, time_ms, actor, kind, subject, rules, body, salt, entry, leaf_hash \
                     FROM events WHERE seq >= $1 ORDER BY seq LIMIT $2",
                )
                .bind($crate::to_i64(from))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok($crate::StoredEvent {
                            seq: r.try_get("seq")?,
                            time_ms: r.try_get("time_ms")?,
                            actor: r.try_get("actor")?,
                            kind: r.try_get("kind")?,
                            subject: r.try_get("subject")?,
                            rules: r.try_get("rules")?,
                            body: r.try_get("body")?,
                            salt: r.try_get("salt")?,
                            entry: r.try_get("entry")?,
                            leaf_hash: r.try_get("leaf_hash")?,
                        })
                    })
                    .collect()
            }

            async fn entry(&self, seq: u64) -> $crate::Result<Option<Vec<u8>>> {
                use sqlx::Row as _;
                let row = sqlx::query("SELECT entry FROM events WHERE seq = $1")
                    .bind($crate::to_i64(seq))
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(match row {
                    Some(r) => Some(r.try_get(0)?),
                    None => None,
                })
            }

            async fn tree_nodes(&self, coords: &[(u8, u64)]) -> $crate::Result<Vec<$crate::Hash>> {
                use sqlx::Row as _;
                let mut conn = self.pool.acquire().await?;
                let mut out = Vec::with_capacity(coords.len());
                for &(level, idx) in coords {
                    let row = if level == 0 {
                        sqlx::query("SELECT leaf_hash FROM events WHERE seq = $1")
                            .bind($crate::to_i64(idx))
                            .fetch_optional(&mut *conn)
                            .await?
                    } else {
                        sqlx::query("SELECT hash FROM tree_nodes WHERE level = $1 AND idx = $2")
                            .bind(i64::from(level))
                            .bind($crate::to_i64(idx))
                            .fetch_optional(&mut *conn)
                            .await?
                    };
                    let row = row.ok_or_else(|| {
                        $crate::StorageError::Inconsistent(format!("tree node ({level}, {idx}) is missing"))
                    })?;
                    let bytes: Vec<u8> = row.try_get(0)?;
                    out.push($crate::common::to_hash(&bytes, "tree node")?);
                }
                Ok(out)
            }

            async fn tree_nodes_page(
                &self,
                after: Option<(u8, u64)>,
                limit: u32,
            ) -> $crate::Result<Vec<(u8, u64, Vec<u8>)>> {
                use sqlx::Row as _;
                let (level, idx) = after.map_or((0, -1), |(l, i)| (i64::from(l), $crate::to_i64(i)));
                let rows = sqlx::query(
                    "SELECT level, idx, hash FROM tree_nodes WHERE level > $1 OR (level = $1 AND idx > $2) \
                     ORDER BY level, idx LIMIT $3",
                )
                .bind(level)
                .bind(idx)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let level: i64 = r.try_get(0)?;
                        let idx: i64 = r.try_get(1)?;
                        Ok((u8::try_from(level).unwrap_or(u8::MAX), $crate::to_u64(idx), r.try_get(2)?))
                    })
                    .collect()
            }

            async fn latest_checkpoint(&self) -> $crate::Result<Option<$crate::StoredCheckpoint>> {
                let row =
                    sqlx::query("SELECT size, root, note, signed_at_ms FROM checkpoints ORDER BY size DESC LIMIT 1")
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(|r| checkpoint_from_row(&r)).transpose()
            }

            async fn checkpoint(&self, size: u64) -> $crate::Result<Option<$crate::StoredCheckpoint>> {
                let row = sqlx::query("SELECT size, root, note, signed_at_ms FROM checkpoints WHERE size = $1")
                    .bind($crate::to_i64(size))
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(|r| checkpoint_from_row(&r)).transpose()
            }

            async fn save_checkpoint(&self, cp: &$crate::StoredCheckpoint) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO checkpoints (size, root, note, signed_at_ms) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (size) DO NOTHING",
                )
                .bind($crate::to_i64(cp.size))
                .bind(cp.root.to_vec())
                .bind(cp.note.clone())
                .bind(cp.signed_at.timestamp_millis())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn counts(&self) -> $crate::Result<$crate::Counts> {
                use sqlx::Row as _;
                let r = sqlx::query(
                    "SELECT (SELECT COALESCE(MAX(seq) + 1, 0) FROM events), (SELECT COUNT(*) FROM subjects), \
                     (SELECT COUNT(*) FROM persons), (SELECT COUNT(*) FROM relations)",
                )
                .fetch_one(&self.pool)
                .await?;
                Ok($crate::Counts {
                    events: $crate::to_u64(r.try_get(0)?),
                    subjects: $crate::to_u64(r.try_get(1)?),
                    persons: $crate::to_u64(r.try_get(2)?),
                    relations: $crate::to_u64(r.try_get(3)?),
                })
            }

            async fn row(
                &self,
                table: &'static xinyong_domain::projection::TableSpec,
                key: &[xinyong_domain::projection::Cell],
            ) -> $crate::Result<Option<$crate::Row>> {
                let mut q = sqlx::query(sqlx::AssertSqlSafe($crate::common::get_sql(table)));
                for (col, cell) in table.key_columns().iter().zip(key) {
                    q = $crate::common::bind_cell!(q, col.kind, cell);
                }
                let row = q.fetch_optional(&self.pool).await?;
                row.map(|r| decode_row(table, &r)).transpose()
            }

            async fn rows_in(
                &self,
                table: &'static xinyong_domain::projection::TableSpec,
                keys: &[xinyong_domain::projection::Cell],
            ) -> $crate::Result<Vec<$crate::Row>> {
                if table.key_len != 1 {
                    return Err($crate::StorageError::Inconsistent(format!("{} has a composite key", table.name)));
                }
                let kind = table.columns[0].kind;
                let mut out = Vec::with_capacity(keys.len());
                // 500 keys per statement stays far below both databases' parameter limits.
                for chunk in keys.chunks(500) {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe($crate::common::in_sql(table, chunk.len())));
                    for cell in chunk {
                        q = $crate::common::bind_cell!(q, kind, cell);
                    }
                    for r in q.fetch_all(&self.pool).await? {
                        out.push(decode_row(table, &r)?);
                    }
                }
                Ok(out)
            }

            async fn rows_where(
                &self,
                table: &'static xinyong_domain::projection::TableSpec,
                column: &str,
                value: &xinyong_domain::projection::Cell,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::Row>> {
                let Some(sql) = $crate::common::where_sql(table, column) else {
                    return Err($crate::StorageError::Inconsistent(format!("{} has no column {column}", table.name)));
                };
                let kind = table.columns[table.column_index(column).unwrap_or(0)].kind;
                let q = sqlx::query(sqlx::AssertSqlSafe(sql));
                let q = $crate::common::bind_cell!(q, kind, value);
                let rows = q.bind(i64::from(limit)).fetch_all(&self.pool).await?;
                rows.iter().map(|r| decode_row(table, r)).collect()
            }

            async fn rows_page(
                &self,
                table: &'static xinyong_domain::projection::TableSpec,
                after: Option<&[xinyong_domain::projection::Cell]>,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::Row>> {
                let mut q = sqlx::query(sqlx::AssertSqlSafe($crate::common::page_sql(table, after.is_some())));
                if let Some(key) = after {
                    for (col, cell) in table.key_columns().iter().zip(key) {
                        q = $crate::common::bind_cell!(q, col.kind, cell);
                    }
                }
                let rows = q.bind(i64::from(limit)).fetch_all(&self.pool).await?;
                rows.iter().map(|r| decode_row(table, r)).collect()
            }

            async fn timeliness(&self, from: &str, to: &str) -> $crate::Result<Vec<$crate::TimelinessRow>> {
                use sqlx::Row as _;
                // PostgreSQL sums a BIGINT column as NUMERIC; the cast keeps
                // the column an i64 on both backends.
                let rows = sqlx::query(
                    "SELECT department, item, COUNT(*), \
                     SUM(CASE WHEN working_days IS NOT NULL AND working_days <= deadline_working_days THEN 1 ELSE 0 END), \
                     SUM(CASE WHEN working_days IS NULL THEN 1 ELSE 0 END), \
                     CAST(COALESCE(SUM(working_days), 0) AS BIGINT), COALESCE(MAX(working_days), 0) \
                     FROM records WHERE received_date >= $1 AND received_date <= $2 \
                     GROUP BY department, item ORDER BY department, item",
                )
                .bind(from.to_owned())
                .bind(to.to_owned())
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok($crate::TimelinessRow {
                            department: r.try_get(0)?,
                            item: r.try_get(1)?,
                            total: $crate::to_u64(r.try_get(2)?),
                            on_time: $crate::to_u64(r.try_get(3)?),
                            unknown: $crate::to_u64(r.try_get(4)?),
                            sum_working_days: r.try_get(5)?,
                            max_working_days: r.try_get(6)?,
                        })
                    })
                    .collect()
            }

            async fn overdue_records(
                &self,
                from: &str,
                to: &str,
                department: Option<&str>,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::Row>> {
                let table = &xinyong_domain::collection::RECORDS;
                let sql = format!(
                    "SELECT {} FROM records WHERE received_date >= $1 AND received_date <= $2 \
                     AND working_days > deadline_working_days AND ($3 = '' OR department = $3) \
                     ORDER BY working_days DESC, id LIMIT $4",
                    $crate::common::select_columns(table)
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(from.to_owned())
                    .bind(to.to_owned())
                    .bind(department.unwrap_or("").to_owned())
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(|r| decode_row(table, r)).collect()
            }

            async fn public_records(
                &self,
                filter: &$crate::PublicRecordFilter,
                cursor: Option<&$crate::RecordCursor>,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::Row>> {
                let table = &xinyong_domain::collection::RECORDS;
                let sql = format!(
                    "SELECT {} FROM records WHERE {} \
                     AND ($7 = '' OR decision_date < $7 OR (decision_date = $7 AND id < $8)) \
                     ORDER BY decision_date DESC, id DESC LIMIT $9",
                    $crate::common::select_columns(table),
                    $crate::common::PUBLIC_RECORDS_WHERE
                );
                let (date, id) =
                    cursor.map_or((String::new(), String::new()), |c| (c.decision_date.clone(), c.id.clone()));
                let q = sqlx::query(sqlx::AssertSqlSafe(sql));
                let rows = $crate::common::bind_public_filter!(q, filter)
                    .bind(date)
                    .bind(id)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(|r| decode_row(table, r)).collect()
            }

            async fn count_public_records(&self, filter: &$crate::PublicRecordFilter) -> $crate::Result<u64> {
                use sqlx::Row as _;
                let sql = format!("SELECT COUNT(*) FROM records WHERE {}", $crate::common::PUBLIC_RECORDS_WHERE);
                let q = sqlx::query(sqlx::AssertSqlSafe(sql));
                let n: i64 = $crate::common::bind_public_filter!(q, filter).fetch_one(&self.pool).await?.try_get(0)?;
                Ok($crate::to_u64(n))
            }

            async fn count_rows(&self, table: &'static xinyong_domain::projection::TableSpec) -> $crate::Result<u64> {
                use sqlx::Row as _;
                let sql = format!("SELECT COUNT(*) FROM {}", table.name);
                let n: i64 = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&self.pool).await?.try_get(0)?;
                Ok($crate::to_u64(n))
            }

            // Console sessions (operational state, not events).

            async fn insert_session(&self, session: &$crate::StoredSession) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO sessions (id_sha256, login, csrf_token, created_ms, expires_ms) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(session.id_sha256.clone())
                .bind(session.login.clone())
                .bind(session.csrf_token.clone())
                .bind(session.created_ms)
                .bind(session.expires_ms)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session_by_hash(&self, id_sha256: &str) -> $crate::Result<Option<$crate::StoredSession>> {
                use sqlx::Row as _;
                let row = sqlx::query(
                    "SELECT id_sha256, login, csrf_token, created_ms, expires_ms FROM sessions WHERE id_sha256 = $1",
                )
                .bind(id_sha256.to_owned())
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| {
                    Ok($crate::StoredSession {
                        id_sha256: r.try_get(0)?,
                        login: r.try_get(1)?,
                        csrf_token: r.try_get(2)?,
                        created_ms: r.try_get(3)?,
                        expires_ms: r.try_get(4)?,
                    })
                })
                .transpose()
            }

            async fn delete_session(&self, id_sha256: &str) -> $crate::Result<bool> {
                let done = sqlx::query("DELETE FROM sessions WHERE id_sha256 = $1")
                    .bind(id_sha256.to_owned())
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn delete_sessions_of(&self, login: &str) -> $crate::Result<u64> {
                let done = sqlx::query("DELETE FROM sessions WHERE login = $1")
                    .bind(login.to_owned())
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn delete_expired_sessions(&self, now_ms: i64) -> $crate::Result<u64> {
                let done =
                    sqlx::query("DELETE FROM sessions WHERE expires_ms <= $1").bind(now_ms).execute(&self.pool).await?;
                Ok(done.rows_affected())
            }

            // Background job runs (operational state, not events). Each
            // method is one statement; the claim is a single conditional
            // UPDATE, which both databases apply atomically per row: under
            // PostgreSQL READ COMMITTED a second concurrent UPDATE waits for
            // the first, re-checks its WHERE on the committed row and
            // matches nothing; SQLite has one writer at a time.

            async fn seed_job_run(&self, name: &str) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO job_runs (name, owner, lease_until_ms, next_run_ms) VALUES ($1, NULL, 0, 0) \
                     ON CONFLICT (name) DO NOTHING",
                )
                .bind(name.to_owned())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn advance_job_run(&self, name: &str, at_ms: i64) -> $crate::Result<()> {
                sqlx::query("UPDATE job_runs SET next_run_ms = $2 WHERE name = $1 AND next_run_ms > $2")
                    .bind(name.to_owned())
                    .bind(at_ms)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn claim_job_run(
                &self,
                name: &str,
                owner: &str,
                now_ms: i64,
                lease_until_ms: i64,
            ) -> $crate::Result<bool> {
                let done = sqlx::query(
                    "UPDATE job_runs SET owner = $2, lease_until_ms = $4, last_started_ms = $3 \
                     WHERE name = $1 AND next_run_ms <= $3 AND lease_until_ms <= $3",
                )
                .bind(name.to_owned())
                .bind(owner.to_owned())
                .bind(now_ms)
                .bind(lease_until_ms)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn renew_job_run(&self, name: &str, owner: &str, lease_until_ms: i64) -> $crate::Result<bool> {
                let done = sqlx::query("UPDATE job_runs SET lease_until_ms = $3 WHERE name = $1 AND owner = $2")
                    .bind(name.to_owned())
                    .bind(owner.to_owned())
                    .bind(lease_until_ms)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn finish_job_run(&self, finish: &$crate::JobRunFinish) -> $crate::Result<bool> {
                let done = sqlx::query(
                    "UPDATE job_runs SET lease_until_ms = 0, next_run_ms = $3, last_finished_ms = $4, \
                     last_outcome = $5 WHERE name = $1 AND owner = $2",
                )
                .bind(finish.name.clone())
                .bind(finish.owner.clone())
                .bind(finish.next_run_ms)
                .bind(finish.finished_ms)
                .bind(finish.outcome.clone())
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn job_run(&self, name: &str) -> $crate::Result<Option<$crate::StoredJobRun>> {
                let sql = format!("SELECT {} FROM job_runs WHERE name = $1", $crate::common::JOB_RUN_COLUMNS);
                let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(name.to_owned()).fetch_optional(&self.pool).await?;
                row.map(|r| job_run_from_row(&r)).transpose()
            }

            async fn job_runs(&self) -> $crate::Result<Vec<$crate::StoredJobRun>> {
                let sql = format!("SELECT {} FROM job_runs ORDER BY name", $crate::common::JOB_RUN_COLUMNS);
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
                rows.iter().map(job_run_from_row).collect()
            }
        }

        fn job_run_from_row<R: sqlx::Row>(r: &R) -> $crate::Result<$crate::StoredJobRun>
        where
            for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            usize: sqlx::ColumnIndex<R>,
        {
            Ok($crate::StoredJobRun {
                name: r.try_get(0)?,
                owner: r.try_get(1)?,
                lease_until_ms: r.try_get(2)?,
                next_run_ms: r.try_get(3)?,
                last_started_ms: r.try_get(4)?,
                last_finished_ms: r.try_get(5)?,
                last_outcome: r.try_get(6)?,
            })
        }

        fn decode_row<R: sqlx::Row>(table: &xinyong_domain::projection::TableSpec, r: &R) -> $crate::Result<$crate::Row>
        where
            for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            usize: sqlx::ColumnIndex<R>,
        {
            use xinyong_domain::projection::{Cell, ColumnKind};
            table
                .columns
                .iter()
                .enumerate()
                .map(|(i, col)| {
                    Ok(match col.kind {
                        ColumnKind::Int => r.try_get::<Option<i64>, _>(i)?.map_or(Cell::Null, Cell::Int),
                        ColumnKind::Text => r.try_get::<Option<String>, _>(i)?.map_or(Cell::Null, Cell::Text),
                    })
                })
                .collect()
        }

        fn checkpoint_from_row<R: sqlx::Row>(r: &R) -> $crate::Result<$crate::StoredCheckpoint>
        where
            for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> Vec<u8>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> &'a str: sqlx::ColumnIndex<R>,
        {
            let size: i64 = r.try_get("size")?;
            let root: Vec<u8> = r.try_get("root")?;
            let ms: i64 = r.try_get("signed_at_ms")?;
            Ok($crate::StoredCheckpoint {
                size: $crate::to_u64(size),
                root: $crate::common::to_hash(&root, "checkpoint root")?,
                note: r.try_get("note")?,
                signed_at: xinyong_domain::log::time_from_millis(ms).unwrap_or_default(),
            })
        }
    };
}

/// The columns of `job_runs` in [`crate::StoredJobRun`]'s field order.
pub(crate) const JOB_RUN_COLUMNS: &str =
    "name, owner, lease_until_ms, next_run_ms, last_started_ms, last_finished_ms, last_outcome";

/// The conditions of [`crate::Store::public_records`], parameters `$1`–`$6`
/// bound by [`bind_public_filter!`]. An empty string parameter means "no
/// filter". The division is USCC positions 3–8 of the subject key.
pub(crate) const PUBLIC_RECORDS_WHERE: &str = "public = 1 AND subject_kind = 'legal_person' AND item = $1 \
     AND window_start IS NOT NULL AND window_start <= $2 AND (latest_end IS NULL OR latest_end > $2) \
     AND ($3 = '' OR department = $3) AND ($4 = '' OR substr(subject_key, 3, 6) LIKE $4) \
     AND ($5 = '' OR decision_date >= $5) AND ($6 = '' OR decision_date <= $6)";

/// A division prefix as a LIKE pattern; anything but ASCII digits is dropped
/// so the value can never carry a wildcard.
pub(crate) fn division_pattern(prefix: Option<&str>) -> String {
    let digits: String = prefix.unwrap_or("").chars().filter(char::is_ascii_digit).take(6).collect();
    if digits.is_empty() { String::new() } else { format!("{digits}%") }
}

/// Binds `$1`–`$6` of [`PUBLIC_RECORDS_WHERE`].
macro_rules! bind_public_filter {
    ($q:expr, $filter:expr) => {{
        let f: &$crate::PublicRecordFilter = $filter;
        $q.bind(f.item.clone())
            .bind(f.today.clone())
            .bind(f.department.clone().unwrap_or_default())
            .bind($crate::common::division_pattern(f.division_prefix.as_deref()))
            .bind(f.decided_from.clone().unwrap_or_default())
            .bind(f.decided_to.clone().unwrap_or_default())
    }};
}

/// Binds a cell to a query as the column's SQL type (NULL stays typed, which
/// PostgreSQL needs).
macro_rules! bind_cell {
    ($q:expr, $kind:expr, $cell:expr) => {{
        use xinyong_domain::projection::{Cell, ColumnKind};
        match ($kind, $cell) {
            (ColumnKind::Int, Cell::Int(v)) => $q.bind(*v),
            (ColumnKind::Int, _) => $q.bind(None::<i64>),
            (ColumnKind::Text, Cell::Text(v)) => $q.bind(v.clone()),
            (ColumnKind::Text, _) => $q.bind(None::<String>),
        }
    }};
}

pub(crate) use bind_cell;
pub(crate) use bind_public_filter;
pub(crate) use impl_store;
