//! Projection rows by key, for any table, and the one walk over a whole
//! table. Everything else reads rows through the query functions of the
//! context that owns them (`crate::lists`, `crate::closed_loop`, …).

use xinyong_domain::projection::{Cell, ColumnKind, Key, Row as TableRow, TableSpec};

use crate::sql::{Arg, Cols, Kind, Stmt, Value, columns, key_columns, placeholders, to_cells, to_rows};
use crate::{Backend, Result, StorageError, Store};

/// Keys per `IN (…)` statement: far below both databases' parameter limits.
const IN_CHUNK: usize = 500;

/// Typed reads by key: rows come back as their table's row type, and a row
/// that does not parse is a [`StorageError::Row`] naming table, key and log
/// index.
impl dyn Store + '_ {
    /// The row with this key, if any.
    pub async fn get<R: TableRow>(&self, key: Key<R>) -> Result<Option<R>> {
        let table = R::SPEC;
        let key = key.into_cells()?;
        let text = format!(
            "SELECT {} FROM {} WHERE ({}) = ({})",
            columns(table, None),
            table.name,
            key_columns(table),
            placeholders(1, table.key_len)
        );
        let stmt = key_args(table, &key).into_iter().fold(Stmt::assembled(text), Stmt::arg).returns_rows(table);
        Ok(to_rows(self.fetch(&stmt).await?)?.into_iter().next())
    }

    /// The rows with these keys (tables with a one-column key), in no
    /// particular order; missing keys are simply absent.
    pub async fn get_many<R: TableRow>(&self, keys: impl IntoIterator<Item = Key<R>>) -> Result<Vec<R>> {
        let table = R::SPEC;
        if table.key_len != 1 {
            return Err(StorageError::Inconsistent(format!("{} has a composite key", table.name)));
        }
        let mut cells = Vec::new();
        for key in keys {
            cells.extend(key.into_cells()?);
        }
        let kind = table.columns[0].kind;
        let mut out = Vec::with_capacity(cells.len());
        for chunk in cells.chunks(IN_CHUNK) {
            let text = format!(
                "SELECT {} FROM {} WHERE {} IN ({})",
                columns(table, None),
                table.name,
                table.columns[0].name,
                placeholders(1, chunk.len())
            );
            let stmt = chunk.iter().fold(Stmt::assembled(text), |s, c| s.arg(Arg::cell(kind, c))).returns_rows(table);
            out.extend(to_rows::<R>(self.fetch(&stmt).await?)?);
        }
        Ok(out)
    }

    /// A walk over every row of a table in key order, `page` rows at a time.
    ///
    /// Only for the places where reading everything is the point: `xinyong
    /// verify` (replays the log and compares every table) and the in-memory
    /// indexes rebuilt at start (search, credit check). A page or an API
    /// request reads through a query of its context instead, which filters,
    /// orders and bounds in SQL.
    pub fn scan<R: TableRow>(&self, page: u32) -> Scan<'_, R> {
        Scan { rows: self.scan_rows(R::SPEC, page), row: std::marker::PhantomData }
    }

    /// `scan` over a table known by its spec, rows as cells in
    /// column order: what `verify` compares with its replay.
    pub fn scan_rows(&self, table: &'static TableSpec, page: u32) -> RowScan<'_> {
        self.scan_rows_between(table, page, None, None)
    }

    /// `scan_rows` over the keys from `from` (inclusive) up to `before`
    /// (exclusive); `None` leaves that end open. With the keys of
    /// `split_keys` as bounds, several of these walk a
    /// table at once, each on its own connection.
    pub fn scan_rows_between(
        &self,
        table: &'static TableSpec,
        page: u32,
        from: Option<Vec<Cell>>,
        before: Option<Vec<Cell>>,
    ) -> RowScan<'_> {
        RowScan { store: self, table, page: page.max(1), from, after: None, before, done: false }
    }

    /// Typed `scan_rows_between`.
    pub fn scan_between<R: TableRow>(
        &self,
        page: u32,
        from: Option<Vec<Cell>>,
        before: Option<Vec<Cell>>,
    ) -> Scan<'_, R> {
        Scan { rows: self.scan_rows_between(R::SPEC, page, from, before), row: std::marker::PhantomData }
    }

    /// Keys that cut a table into `parts` key ranges of about the same
    /// number of rows, ascending and distinct: range `i` runs from key
    /// `i - 1` (inclusive) to key `i` (exclusive), the first from the start,
    /// the last to the end. Fewer keys when the table has fewer rows than
    /// parts. Costs a count and one indexed `OFFSET` walk per key.
    pub async fn split_keys(&self, table: &'static TableSpec, parts: usize) -> Result<Vec<Vec<Cell>>> {
        let count = Stmt::assembled(format!("SELECT COUNT(*) FROM {}", table.name)).returns(&[Kind::Int]);
        let row = self.fetch(&count).await?.into_iter().next().unwrap_or_default();
        let rows = Cols::new(row, "count of rows to split").count()?;
        let parts = u64::try_from(parts.max(1)).unwrap_or(u64::MAX);
        let text = format!(
            "SELECT {} FROM {} ORDER BY {} LIMIT 1 OFFSET $1",
            columns(table, None),
            table.name,
            key_columns(table)
        );
        let mut keys: Vec<Vec<Cell>> = Vec::new();
        for i in 1..parts {
            let offset = rows.saturating_mul(i) / parts;
            if offset == 0 {
                continue;
            }
            let stmt = Stmt::assembled(text.clone()).arg(i64::try_from(offset).unwrap_or(i64::MAX)).returns_rows(table);
            let Some(row) = self.fetch(&stmt).await?.into_iter().next() else { break };
            let key = table.key_of(&to_cells(row)).to_vec();
            if keys.last() != Some(&key) {
                keys.push(key);
            }
        }
        Ok(keys)
    }
}

fn key_args(table: &TableSpec, key: &[Cell]) -> Vec<Arg> {
    table.key_columns().iter().zip(key).map(|(col, cell)| Arg::cell(col.kind, cell)).collect()
}

/// A keyset walk over one table in key order (see `scan_rows`, a method of `dyn Store`).
#[derive(Debug)]
pub struct RowScan<'s> {
    store: &'s dyn Store,
    table: &'static TableSpec,
    page: u32,
    /// The first key of the walk (inclusive), until a page is read.
    from: Option<Vec<Cell>>,
    /// The key of the last row returned.
    after: Option<Vec<Cell>>,
    /// The walk stops before this key.
    before: Option<Vec<Cell>>,
    done: bool,
}

impl RowScan<'_> {
    /// The next page of rows; `None` once the table has been read.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Vec<Cell>>>> {
        if self.done {
            return Ok(None);
        }
        let table = self.table;
        let keys = key_columns(table);
        let mut text = format!("SELECT {} FROM {}", columns(table, None), table.name);
        let mut args = Vec::new();
        let lower = match (&self.after, &self.from) {
            (Some(after), _) => Some((">", after)),
            (None, Some(from)) => Some((">=", from)),
            (None, None) => None,
        };
        let bounds = lower.into_iter().chain(self.before.as_ref().map(|before| ("<", before)));
        for (i, (op, key)) in bounds.enumerate() {
            let join = if i == 0 { "WHERE" } else { "AND" };
            text.push_str(&format!(" {join} ({keys}) {op} ({})", placeholders(args.len() + 1, table.key_len)));
            args.extend(key_args(table, key));
        }
        text.push_str(&format!(" ORDER BY {keys} LIMIT ${}", args.len() + 1));
        let stmt = args
            .into_iter()
            .fold(Stmt::assembled(packed(self.store.backend(), table, &text)), Stmt::arg)
            .arg(i64::from(self.page))
            .returns(&[Kind::Text]);
        let page = self.store.fetch(&stmt).await?.into_iter().next().unwrap_or_default();
        let rows = unpack(table, page)?;
        self.done = rows.len() < self.page as usize;
        match rows.last() {
            Some(last) => self.after = Some(table.key_of(last).to_vec()),
            None => return Ok(None),
        }
        Ok(Some(rows))
    }
}

/// A page query packed by the database into one JSON array of rows, each an
/// array of the table's columns in declared order. A scan reads whole
/// tables (a million subjects at start-up), and row by row the drivers cost
/// more than the database: sqlx's SQLite driver copies every value on the
/// connection's thread and hands rows to the task one at a time (2.4 s for
/// a million subjects, where the `sqlite3` shell needs 0.33 s). Projection
/// columns are BIGINT or TEXT, so JSON holds them exactly.
fn packed(backend: Backend, table: &TableSpec, page: &str) -> String {
    let (columns, keys) = (columns(table, None), key_columns(table));
    match backend {
        Backend::Sqlite => {
            format!("SELECT json_group_array(json_array({columns}) ORDER BY {keys}) FROM ({page}) AS page")
        }
        Backend::Postgres => {
            format!("SELECT json_agg(json_build_array({columns}) ORDER BY {keys})::text FROM ({page}) AS page")
        }
    }
}

/// The rows of a [`packed`] page (no rows: an empty array, or NULL from
/// PostgreSQL's `json_agg`).
fn unpack(table: &'static TableSpec, page: Vec<Value>) -> Result<Vec<Vec<Cell>>> {
    let text = match page.into_iter().next() {
        Some(Value::Text(text)) => text,
        _ => return Ok(Vec::new()),
    };
    let bad = |what: String| StorageError::Inconsistent(format!("{}: packed page: {what}", table.name));
    let rows: Vec<Vec<serde_json::Value>> = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    rows.into_iter()
        .map(|row| {
            if row.len() != table.columns.len() {
                return Err(bad(format!("{} columns, expected {}", row.len(), table.columns.len())));
            }
            row.into_iter()
                .zip(table.columns)
                .map(|(value, column)| match (value, column.kind) {
                    (serde_json::Value::Null, _) => Ok(Cell::Null),
                    (serde_json::Value::Number(n), ColumnKind::Int) => {
                        n.as_i64().map(Cell::Int).ok_or_else(|| bad(format!("{}: {n} is not a BIGINT", column.name)))
                    }
                    (serde_json::Value::String(s), ColumnKind::Text) => Ok(Cell::Text(s)),
                    (other, _) => Err(bad(format!("{}: unexpected {other}", column.name))),
                })
                .collect()
        })
        .collect()
}

/// A typed [`RowScan`]: pages of `R`.
#[derive(Debug)]
pub struct Scan<'s, R> {
    rows: RowScan<'s>,
    row: std::marker::PhantomData<fn() -> R>,
}

impl<R: TableRow> Scan<'_, R> {
    /// The next page of rows; `None` once the table has been read.
    pub async fn next_page(&mut self) -> Result<Option<Vec<R>>> {
        match self.rows.next_page().await? {
            Some(page) => Ok(Some(page.iter().map(|c| R::from_cells(c)).collect::<std::result::Result<_, _>>()?)),
            None => Ok(None),
        }
    }
}
