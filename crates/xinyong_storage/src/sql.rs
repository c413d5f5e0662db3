//! Statements as data. Every query of this crate is a [`Stmt`]: SQL text that
//! both databases accept (`$n` placeholders, BIGINT/TEXT/BLOB columns, dates as
//! TEXT `YYYY-MM-DD`, flags as 0/1) and the values bound to it. The text is put
//! together here only from constant fragments and the names declared in the
//! table specs; every value a caller passes is bound, never spliced into SQL.
//! A backend only has to run a statement ([`crate::Store::fetch`],
//! [`crate::Store::execute`]), so the queries themselves are written once.
//!
//! A `Stmt` can only be built inside this crate: the query functions of the
//! per-context modules are the only SQL the rest of the platform can reach.

use std::borrow::Cow;
use std::fmt::Write as _;

use xinyong_domain::projection::{Cell, ColumnKind, Row as TableRow, TableSpec};

use crate::{Result, StorageError};

/// A value bound to a placeholder. NULLs keep their SQL type, which
/// PostgreSQL needs to plan the statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
    Bytes(Vec<u8>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(Some(v))
    }
}

impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Arg {
        Arg::Int(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(Some(v.to_owned()))
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(Some(v))
    }
}

impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Arg {
        Arg::Text(v)
    }
}

impl From<Vec<u8>> for Arg {
    fn from(v: Vec<u8>) -> Arg {
        Arg::Bytes(v)
    }
}

impl Arg {
    /// [`Arg::cell`] taking the cell: the append moves its rows' text into
    /// the statement instead of copying it.
    pub(crate) fn cell_owned(kind: ColumnKind, cell: Cell) -> Arg {
        match (kind, cell) {
            (ColumnKind::Int, Cell::Int(v)) => Arg::Int(Some(v)),
            (ColumnKind::Int, _) => Arg::Int(None),
            (ColumnKind::Text, Cell::Text(v)) => Arg::Text(Some(v)),
            (ColumnKind::Text, _) => Arg::Text(None),
        }
    }

    /// A projection cell bound as its column's type.
    pub(crate) fn cell(kind: ColumnKind, cell: &Cell) -> Arg {
        match (kind, cell) {
            (ColumnKind::Int, Cell::Int(v)) => Arg::Int(Some(*v)),
            (ColumnKind::Int, _) => Arg::Int(None),
            (ColumnKind::Text, Cell::Text(v)) => Arg::Text(Some(v.clone())),
            (ColumnKind::Text, _) => Arg::Text(None),
        }
    }
}

/// How one result column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Text,
    Bytes,
}

impl From<ColumnKind> for Kind {
    fn from(kind: ColumnKind) -> Kind {
        match kind {
            ColumnKind::Int => Kind::Int,
            ColumnKind::Text => Kind::Text,
        }
    }
}

/// One value of a result row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

impl From<Value> for Cell {
    fn from(v: Value) -> Cell {
        match v {
            Value::Int(i) => Cell::Int(i),
            Value::Text(s) => Cell::Text(s),
            // Projection columns are BIGINT or TEXT only; a BLOB there would
            // fail the row's own parse, which names table, key and column.
            Value::Null | Value::Bytes(_) => Cell::Null,
        }
    }
}

/// What a statement returns: the columns of a projection table in its
/// declared order, or a list of column kinds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    Nothing,
    Table(&'static TableSpec),
    Columns(&'static [Kind]),
}

/// One statement with its arguments (see the module documentation).
#[derive(Debug, Clone)]
pub struct Stmt {
    text: Cow<'static, str>,
    args: Vec<Arg>,
    shape: Shape,
}

impl Stmt {
    /// A statement whose text is complete; its `$n` are bound in order with
    /// [`Stmt::arg`].
    pub(crate) fn new(text: &'static str) -> Stmt {
        Stmt { text: Cow::Borrowed(text), args: Vec::new(), shape: Shape::Nothing }
    }

    /// `SELECT <the table's columns> FROM <table>`, to be continued with
    /// [`Stmt::push`] and [`Stmt::bind`]; the rows come back as the table's.
    pub(crate) fn select(table: &'static TableSpec) -> Stmt {
        let text = format!("SELECT {} FROM {}", columns(table, None), table.name);
        Stmt { text: Cow::Owned(text), args: Vec::new(), shape: Shape::Table(table) }
    }

    /// Result columns of these kinds.
    pub(crate) fn returns(mut self, kinds: &'static [Kind]) -> Stmt {
        self.shape = Shape::Columns(kinds);
        self
    }

    /// Result rows of this table, columns in its declared order.
    pub(crate) fn returns_rows(mut self, table: &'static TableSpec) -> Stmt {
        self.shape = Shape::Table(table);
        self
    }

    /// Binds the next `$n` of a complete text.
    pub(crate) fn arg(mut self, value: impl Into<Arg>) -> Stmt {
        self.args.push(value.into());
        self
    }

    /// Appends constant SQL.
    pub(crate) fn push(mut self, sql: &'static str) -> Stmt {
        self.text.to_mut().push_str(sql);
        self
    }

    /// Appends the next placeholder `$n` and binds `value` to it.
    pub(crate) fn bind(mut self, value: impl Into<Arg>) -> Stmt {
        self.args.push(value.into());
        let n = self.args.len();
        // Writing to a String cannot fail.
        let _ = write!(self.text.to_mut(), "${n}");
        self
    }

    /// Appends `$a, $b, …` binding each value (an IN list); `NULL` when
    /// there are none, so `x IN (NULL)` matches nothing.
    pub(crate) fn bind_list<T: Into<Arg>>(mut self, values: impl IntoIterator<Item = T>) -> Stmt {
        let mut first = true;
        for v in values {
            if !first {
                self = self.push(", ");
            }
            first = false;
            self = self.bind(v);
        }
        if first { self.push("NULL") } else { self }
    }

    /// A statement whose text this crate assembled from table specs (names
    /// that are compile-time constants) and numbered placeholders, never from
    /// a caller's value; its `$n` are bound with [`Stmt::arg`].
    pub(crate) fn assembled(text: String) -> Stmt {
        Stmt { text: Cow::Owned(text), args: Vec::new(), shape: Shape::Nothing }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn args(&self) -> &[Arg] {
        &self.args
    }

    pub(crate) fn kinds(&self) -> Vec<Kind> {
        match self.shape {
            Shape::Nothing => Vec::new(),
            Shape::Table(t) => t.columns.iter().map(|c| Kind::from(c.kind)).collect(),
            Shape::Columns(kinds) => kinds.to_vec(),
        }
    }
}

/// The table's column names in declared order, optionally `alias.`-prefixed.
pub(crate) fn columns(table: &TableSpec, alias: Option<&str>) -> String {
    let mut out = String::new();
    for (i, c) in table.columns.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if let Some(a) = alias {
            out.push_str(a);
            out.push('.');
        }
        out.push_str(c.name);
    }
    out
}

/// The key columns, comma-separated.
pub(crate) fn key_columns(table: &TableSpec) -> String {
    table.key_columns().iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
}

/// `$from, $from+1, …` (`n` of them).
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Result rows as projection rows of `R`; a row that does not parse is an
/// error naming table, key, log index and column.
pub(crate) fn to_rows<R: TableRow>(rows: Vec<Vec<Value>>) -> Result<Vec<R>> {
    rows.into_iter().map(|r| Ok(R::from_cells(&to_cells(r))?)).collect()
}

/// A date column of `records` read by a narrow query, decoded as the
/// projection decodes it.
pub(crate) fn records_date<T: xinyong_domain::projection::ColumnValue>(text: Option<String>) -> Result<T> {
    T::from_cell(&text.map_or(Cell::Null, Cell::Text))
        .map_err(|e| StorageError::Inconsistent(format!("records: {}", e.0)))
}

/// The `detail` of each step of SQLite's `EXPLAIN QUERY PLAN` for `stmt`,
/// with its arguments: what the plan tests assert on.
#[cfg(test)]
pub(crate) async fn sqlite_plan(store: &dyn crate::Store, stmt: &Stmt) -> Vec<String> {
    let explain = Stmt::assembled(format!("EXPLAIN QUERY PLAN {}", stmt.text())).returns(&[
        Kind::Int,
        Kind::Int,
        Kind::Int,
        Kind::Text,
    ]);
    let explain = stmt.args().iter().cloned().fold(explain, Stmt::arg);
    let plan = store.fetch(&explain).await.expect("explain");
    plan.iter().map(|row| format!("{:?}", row.get(3))).collect()
}

pub(crate) fn to_cells(row: Vec<Value>) -> Vec<Cell> {
    row.into_iter().map(Cell::from).collect()
}

/// Reads result columns by position with the expected type; a mismatch is
/// an inconsistency of this crate's own SQL, reported with the query's name.
#[derive(Debug)]
pub(crate) struct Cols {
    values: std::vec::IntoIter<Value>,
    what: &'static str,
}

impl Cols {
    pub(crate) fn new(row: Vec<Value>, what: &'static str) -> Cols {
        Cols { values: row.into_iter(), what }
    }

    fn next(&mut self) -> Value {
        self.values.next().unwrap_or(Value::Null)
    }

    fn wrong(&self, expected: &str, found: &Value) -> StorageError {
        StorageError::Inconsistent(format!("{}: expected {expected}, found {found:?}", self.what))
    }

    pub(crate) fn int(&mut self) -> Result<i64> {
        match self.next() {
            Value::Int(v) => Ok(v),
            other => Err(self.wrong("an integer", &other)),
        }
    }

    /// A count or log index: never negative.
    pub(crate) fn count(&mut self) -> Result<u64> {
        let v = self.int()?;
        u64::try_from(v).map_err(|_| self.wrong("a non-negative integer", &Value::Int(v)))
    }

    pub(crate) fn opt_int(&mut self) -> Result<Option<i64>> {
        match self.next() {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(v)),
            other => Err(self.wrong("an integer or NULL", &other)),
        }
    }

    pub(crate) fn text(&mut self) -> Result<String> {
        match self.next() {
            Value::Text(v) => Ok(v),
            other => Err(self.wrong("text", &other)),
        }
    }

    pub(crate) fn opt_text(&mut self) -> Result<Option<String>> {
        match self.next() {
            Value::Null => Ok(None),
            Value::Text(v) => Ok(Some(v)),
            other => Err(self.wrong("text or NULL", &other)),
        }
    }

    pub(crate) fn bytes(&mut self) -> Result<Vec<u8>> {
        match self.next() {
            Value::Bytes(v) => Ok(v),
            other => Err(self.wrong("bytes", &other)),
        }
    }

    pub(crate) fn opt_bytes(&mut self) -> Result<Option<Vec<u8>>> {
        match self.next() {
            Value::Null => Ok(None),
            Value::Bytes(v) => Ok(Some(v)),
            other => Err(self.wrong("bytes or NULL", &other)),
        }
    }
}

/// One page of a list and where the next one starts (`None`: this was the
/// last page). Lists that grow are read by keyset: the cursor names the
/// last row returned, and the next page is the rows strictly after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, C> {
    pub items: Vec<T>,
    pub next: Option<C>,
}

impl<T, C> Page<T, C> {
    /// Rows read with `LIMIT limit + 1`: the extra row only says that there
    /// is more, and the cursor is taken from the last row kept.
    pub(crate) fn from_extra(mut items: Vec<T>, limit: u32, cursor: impl Fn(&T) -> C) -> Page<T, C> {
        let limit = limit as usize;
        let more = items.len() > limit;
        items.truncate(limit);
        let next = if more { items.last().map(cursor) } else { None };
        Page { items, next }
    }

    /// The same page with each item converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U, C> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
    }
}

/// A `LIKE … ESCAPE '\\'` pattern for "contains `text`": `%`, `_` and `\\`
/// in `text` are literal.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// `limit + 1` as a bound value.
pub(crate) fn one_more(limit: u32) -> i64 {
    i64::from(limit) + 1
}

/// A date as stored: TEXT `YYYY-MM-DD`, which sorts and compares as a string.
pub(crate) fn day(date: chrono::NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}
