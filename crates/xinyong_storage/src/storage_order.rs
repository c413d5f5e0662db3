//! Walks over `records` in the order the database stores the rows, for
//! the jobs that read every record of a kind (the evaluation's facts, the
//! status map's records in publicity).
//!
//! Not in key order on purpose. Record ids are hashes, so a walk by id (or
//! by an index whose rows are looked up in the table) visits the table at
//! random: at ten million records (8.4 GB) that read most of the file in
//! random order and took minutes, where the same rows in storage order take
//! seconds. SQLite walks by `rowid`; PostgreSQL by ranges of heap blocks
//! (`ctid`, a TID range scan, PostgreSQL 14 and later), each of `page / 8`
//! blocks, so a page holds at most that many blocks' rows whatever their
//! size.
//!
//! Walk on a [`Store::snapshot`]: between two statements outside one, an
//! updated row can move (PostgreSQL writes a new version elsewhere in the
//! heap) and be read twice or not at all, and PostgreSQL's walk ends at the
//! table's size when it began.

use serde::de::DeserializeOwned;

use crate::sql::{Arg, Cols, Kind, Stmt, Value};
use crate::{Backend, Result, StorageError, Store};

/// What a walk reads: `columns` of `records` (a comma-separated list), of
/// the rows that pass `condition` (SQL over the columns of `records`, with
/// `args` as `$3`, `$4`, …; `TRUE` for every row).
#[derive(Debug)]
pub(crate) struct RecordsQuery {
    pub(crate) what: &'static str,
    pub(crate) columns: &'static str,
    pub(crate) condition: &'static str,
    pub(crate) args: Vec<Arg>,
}

/// A walk over the rows of `records` that [`RecordsQuery`] selects, in
/// storage order; each row comes back as `T`, decoded from a JSON array of
/// its columns.
#[derive(Debug)]
pub(crate) struct RecordsInStorageOrder<'s> {
    store: &'s dyn Store,
    query: RecordsQuery,
    page: u32,
    /// SQLite: the last `rowid` read; PostgreSQL: the next block to read.
    next: i64,
    /// PostgreSQL: the table's size in blocks, read at the first page.
    end_block: Option<i64>,
    done: bool,
}

impl<'s> RecordsInStorageOrder<'s> {
    pub(crate) fn new(store: &'s dyn Store, query: RecordsQuery, page: u32) -> RecordsInStorageOrder<'s> {
        RecordsInStorageOrder { store, query, page: page.max(8), next: 0, end_block: None, done: false }
    }

    /// The next page; `None` once every row was read.
    pub(crate) async fn next_page<T: DeserializeOwned>(&mut self) -> Result<Option<Vec<T>>> {
        while !self.done {
            let rows = match self.store.backend() {
                Backend::Sqlite => self.next_sqlite_page().await?,
                Backend::Postgres => self.next_postgres_page().await?,
            };
            // A range or a page can hold no row that passes; the walk goes on.
            if !rows.is_empty() {
                return Ok(Some(rows));
            }
        }
        Ok(None)
    }

    /// SQLite's page: `NOT INDEXED`, because a condition on indexed columns
    /// (`public`, `item`) would otherwise lead SQLite to walk that index and
    /// sort by `rowid`, reading every matching row for every page (the status
    /// map's walk took 371 s instead of about 10 at ten million records).
    fn sqlite_page(&self) -> Stmt {
        let RecordsQuery { columns, condition, .. } = self.query;
        let text = format!(
            "SELECT json_group_array(json_array(rowid, json_array({columns})) ORDER BY rowid) \
             FROM (SELECT rowid, {columns} FROM records NOT INDEXED WHERE rowid > $1 AND ({condition}) \
             ORDER BY rowid LIMIT $2) AS page"
        );
        let stmt = Stmt::assembled(text).arg(self.next).arg(i64::from(self.page));
        self.query.args.iter().cloned().fold(stmt, Stmt::arg).returns(&[Kind::Text])
    }

    async fn next_sqlite_page<T: DeserializeOwned>(&mut self) -> Result<Vec<T>> {
        let stmt = self.sqlite_page();
        let rows: Vec<(i64, T)> = self.unpack(self.store.fetch(&stmt).await?)?;
        self.done = rows.len() < self.page as usize;
        if let Some((last, _)) = rows.last() {
            self.next = *last;
        }
        Ok(rows.into_iter().map(|(_, row)| row).collect())
    }

    async fn next_postgres_page<T: DeserializeOwned>(&mut self) -> Result<Vec<T>> {
        let end = match self.end_block {
            Some(end) => end,
            None => {
                let size = Stmt::new("SELECT pg_relation_size('records') / current_setting('block_size')::bigint")
                    .returns(&[Kind::Int]);
                let row = self.store.fetch(&size).await?.into_iter().next().unwrap_or_default();
                *self.end_block.insert(Cols::new(row, "size of records in blocks").int()?)
            }
        };
        let from = self.next;
        let to = from.saturating_add(i64::from(self.page / 8));
        self.next = to;
        self.done = to >= end;
        if from >= end {
            return Ok(Vec::new());
        }
        let RecordsQuery { columns, condition, .. } = self.query;
        let text = format!(
            "SELECT json_agg(json_build_array(0, json_build_array({columns})))::text FROM records \
             WHERE ctid >= format('(%s,0)', $1::bigint)::tid AND ctid < format('(%s,0)', $2::bigint)::tid \
             AND ({condition})"
        );
        let stmt = Stmt::assembled(text).arg(from).arg(to);
        let stmt = self.query.args.iter().cloned().fold(stmt, Stmt::arg).returns(&[Kind::Text]);
        let rows: Vec<(i64, T)> = self.unpack(self.store.fetch(&stmt).await?)?;
        Ok(rows.into_iter().map(|(_, row)| row).collect())
    }

    /// The rows of a page packed into one JSON array, each `[place, [columns…]]`
    /// (see `rows::packed`: row by row, the drivers cost more than the
    /// database). No rows: an empty array, or NULL from `json_agg`.
    fn unpack<T: DeserializeOwned>(&self, result: Vec<Vec<Value>>) -> Result<Vec<(i64, T)>> {
        match result.into_iter().next().and_then(|row| row.into_iter().next()) {
            Some(Value::Text(text)) => serde_json::from_str(&text)
                .map_err(|e| StorageError::Inconsistent(format!("records: packed page of {}: {e}", self.query.what))),
            _ => Ok(Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite walks the table by `rowid` even when the condition names
    /// indexed columns.
    #[tokio::test]
    async fn sqlite_walks_by_rowid_whatever_the_condition() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = crate::SqliteStore::open(&dir.path().join("plan.db")).await.expect("open");
        let query = RecordsQuery {
            what: "plan",
            columns: "id",
            condition: "public = 1 AND subject_kind = 'legal_person' AND item = $3",
            args: vec![Arg::from("CF")],
        };
        let page = RecordsInStorageOrder::new(&store, query, 100).sqlite_page();
        let details = crate::sql::sqlite_plan(&store, &page).await;
        assert!(
            details.iter().any(|d| d.contains("SEARCH records USING INTEGER PRIMARY KEY (rowid>?)")),
            "{details:?}"
        );
        assert!(!details.iter().any(|d| d.contains("INDEX records_")), "{details:?}");
    }
}
