//! Projection rows by key, for any table, and the one walk over a whole
//! table. Everything else reads rows through the query functions of the
//! context that owns them (`crate::lists`, `crate::closed_loop`, …).

use xinyong_domain::projection::{Cell, Key, Row as TableRow, TableSpec};

use crate::sql::{Arg, Stmt, columns, key_columns, placeholders, to_cells, to_rows};
use crate::{Result, StorageError, Store};

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
        RowScan { store: self, table, page: page.max(1), after: None, done: false }
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
    /// The key of the last row returned.
    after: Option<Vec<Cell>>,
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
        if let Some(after) = &self.after {
            text.push_str(&format!(" WHERE ({keys}) > ({})", placeholders(1, table.key_len)));
            args = key_args(table, after);
        }
        text.push_str(&format!(" ORDER BY {keys} LIMIT ${}", args.len() + 1));
        let stmt =
            args.into_iter().fold(Stmt::assembled(text), Stmt::arg).arg(i64::from(self.page)).returns_rows(table);
        let rows: Vec<Vec<Cell>> = self.store.fetch(&stmt).await?.into_iter().map(to_cells).collect();
        self.done = rows.len() < self.page as usize;
        match rows.last() {
            Some(last) => self.after = Some(table.key_of(last).to_vec()),
            None => return Ok(None),
        }
        Ok(Some(rows))
    }
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
