//! Projection tables as Rust types. Every table the pages and APIs read is one
//! `table!` declaration in the folder of the context that owns
//! it: a row struct read and written by column name, its [`TableSpec`] (derived
//! from the same declaration, so the two cannot drift), and a typed update
//! builder ([`Patch`]). Events say which rows they write (each context's
//! `events.rs`), the store applies the writes generically, and `verify`
//! replays the log and compares every table.
//!
//! Conventions: key columns first; the last column is `seq`, the log index of
//! the event that last wrote the row. Columns are BIGINT or TEXT only (both
//! databases store them the same way). A stored row that does not parse is a
//! [`RowError`] naming table, key, log index and column, never a skipped row.

use std::fmt;
use std::marker::PhantomData;

use chrono::NaiveDate;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::mask::MaskConfig;

/// A column value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s),
            Cell::Null | Cell::Int(_) => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Cell::Int(v) => Some(*v),
            Cell::Null | Cell::Text(_) => None,
        }
    }

    fn describe(&self) -> String {
        match self {
            Cell::Null => "NULL".to_owned(),
            Cell::Int(v) => format!("integer {v}"),
            Cell::Text(s) if s.chars().count() > 40 => format!("text {:?}…", s.chars().take(40).collect::<String>()),
            Cell::Text(s) => format!("text {s:?}"),
        }
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Null => f.write_str("NULL"),
            Cell::Int(v) => write!(f, "{v}"),
            Cell::Text(s) => write!(f, "{s:?}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Int,
    Text,
}

#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnKind,
    /// Holds a natural person's ID number: masked in every message.
    pub personal: bool,
}

#[derive(Debug)]
pub struct TableSpec {
    pub name: &'static str,
    pub columns: &'static [Column],
    pub key_len: usize,
}

impl TableSpec {
    pub fn key_columns(&self) -> &'static [Column] {
        &self.columns[..self.key_len]
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The key of a full row.
    pub fn key_of<'a>(&self, row: &'a [Cell]) -> &'a [Cell] {
        &row[..self.key_len.min(row.len())]
    }

    /// A key for messages: cells joined by spaces, ID numbers masked.
    pub fn show_key(&self, key: &[Cell], mask: &MaskConfig) -> String {
        self.key_columns()
            .iter()
            .zip(key)
            .map(|(col, cell)| match cell {
                Cell::Text(s) if col.personal => mask.mask_id(s),
                Cell::Text(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The log index of the event that last wrote a full row (its last column).
    pub fn seq_of(&self, row: &[Cell]) -> Option<u64> {
        row.last().and_then(Cell::as_i64).and_then(|s| u64::try_from(s).ok())
    }
}

impl PartialEq for TableSpec {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for TableSpec {}

// ------------------------------------------------------------------ errors

/// Why one cell cannot be turned into a value or a value into a cell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CellError(pub String);

impl CellError {
    fn unexpected(expected: &str, found: &Cell) -> CellError {
        CellError(format!("expected {expected}, found {}", found.describe()))
    }
}

/// A stored row that does not parse: named by table, key, log index and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("table {table}, row {key}{}: column {column}: {problem}", .seq.map(|s| format!(" (log index {s})")).unwrap_or_default())]
pub struct RowError {
    pub table: &'static str,
    /// The key as shown to people (ID numbers masked).
    pub key: String,
    /// The log index of the event that last wrote the row, when readable.
    pub seq: Option<u64>,
    pub column: &'static str,
    pub problem: String,
}

/// A value an event wanted to write that cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("table {table}, column {column}: {problem}")]
pub struct ProjectionError {
    pub table: &'static str,
    pub column: &'static str,
    pub problem: String,
}

// ------------------------------------------------------------------ columns

/// A Rust type stored in one column.
pub trait ColumnValue: Sized {
    const KIND: ColumnKind;
    /// Holds a natural person's ID number (masked in messages).
    const PERSONAL: bool = false;
    fn to_cell(&self) -> Result<Cell, CellError>;
    fn from_cell(cell: &Cell) -> Result<Self, CellError>;
}

impl ColumnValue for String {
    const KIND: ColumnKind = ColumnKind::Text;
    fn to_cell(&self) -> Result<Cell, CellError> {
        Ok(Cell::Text(self.clone()))
    }
    fn from_cell(cell: &Cell) -> Result<Self, CellError> {
        cell.as_str().map(str::to_owned).ok_or_else(|| CellError::unexpected("text", cell))
    }
}

impl ColumnValue for i64 {
    const KIND: ColumnKind = ColumnKind::Int;
    fn to_cell(&self) -> Result<Cell, CellError> {
        Ok(Cell::Int(*self))
    }
    fn from_cell(cell: &Cell) -> Result<Self, CellError> {
        cell.as_i64().ok_or_else(|| CellError::unexpected("integer", cell))
    }
}

/// Counts and log indexes: non-negative, stored as BIGINT.
impl ColumnValue for u64 {
    const KIND: ColumnKind = ColumnKind::Int;
    fn to_cell(&self) -> Result<Cell, CellError> {
        i64::try_from(*self).map(Cell::Int).map_err(|_| CellError(format!("{self} does not fit a BIGINT")))
    }
    fn from_cell(cell: &Cell) -> Result<Self, CellError> {
        let v = i64::from_cell(cell)?;
        u64::try_from(v).map_err(|_| CellError(format!("expected a non-negative integer, found {v}")))
    }
}

impl ColumnValue for u32 {
    const KIND: ColumnKind = ColumnKind::Int;
    fn to_cell(&self) -> Result<Cell, CellError> {
        Ok(Cell::Int(i64::from(*self)))
    }
    fn from_cell(cell: &Cell) -> Result<Self, CellError> {
        let v = i64::from_cell(cell)?;
        u32::try_from(v).map_err(|_| CellError(format!("expected 0…{}, found {v}", u32::MAX)))
    }
}

/// Flags are 0/1 integers on both backends.
impl ColumnValue for bool {
    const KIND: ColumnKind = ColumnKind::Int;
    fn to_cell(&self) -> Result<Cell, CellError> {
        Ok(Cell::Int(i64::from(*self)))
    }
    fn from_cell(cell: &Cell) -> Result<Self, CellError> {
        match cell {
            Cell::Int(0) => Ok(false),
            Cell::Int(1) => Ok(true),
            other => Err(CellError::unexpected("0 or 1", other)),
        }
    }
}

/// Calendar dates are TEXT `YYYY-MM-DD`, so they sort and compare as strings.
impl ColumnValue for NaiveDate {
    const KIND: ColumnKind = ColumnKind::Text;
    fn to_cell(&self) -> Result<Cell, CellError> {
        Ok(Cell::Text(self.format("%Y-%m-%d").to_string()))
    }
    fn from_cell(cell: &Cell) -> Result<Self, CellError> {
        let text = cell.as_str().ok_or_else(|| CellError::unexpected("a date", cell))?;
        NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| CellError(format!("{text:?} is not a YYYY-MM-DD date")))
    }
}

impl<T: ColumnValue> ColumnValue for Option<T> {
    const KIND: ColumnKind = T::KIND;
    const PERSONAL: bool = T::PERSONAL;
    fn to_cell(&self) -> Result<Cell, CellError> {
        match self {
            Some(v) => v.to_cell(),
            None => Ok(Cell::Null),
        }
    }
    fn from_cell(cell: &Cell) -> Result<Self, CellError> {
        match cell {
            Cell::Null => Ok(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

/// A value stored as JSON text (maps and lists that are only ever read whole).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Json<T>(pub T);

impl<T: Serialize + DeserializeOwned> ColumnValue for Json<T> {
    const KIND: ColumnKind = ColumnKind::Text;
    fn to_cell(&self) -> Result<Cell, CellError> {
        serde_json::to_string(&self.0).map(Cell::Text).map_err(|e| CellError(format!("cannot encode JSON: {e}")))
    }
    fn from_cell(cell: &Cell) -> Result<Self, CellError> {
        let text = cell.as_str().ok_or_else(|| CellError::unexpected("JSON text", cell))?;
        serde_json::from_str(text).map(Json).map_err(|e| CellError(format!("invalid JSON: {e}")))
    }
}

/// A list of text values joined by one separator character (`' '` for
/// measure codes and record ids, `','` for roles); empty pieces are skipped on
/// reading, so an empty list is the empty string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Joined<T, const SEP: char>(pub Vec<T>);

/// Measure codes, record ids: words separated by single spaces.
pub type Words = Joined<String, ' '>;

impl<T: ColumnValue, const SEP: char> ColumnValue for Joined<T, SEP> {
    const KIND: ColumnKind = ColumnKind::Text;
    fn to_cell(&self) -> Result<Cell, CellError> {
        let mut out = String::new();
        for (i, v) in self.0.iter().enumerate() {
            let Cell::Text(piece) = v.to_cell()? else {
                return Err(CellError("a joined list holds text values only".to_owned()));
            };
            if piece.is_empty() || piece.contains(SEP) {
                return Err(CellError(format!("{piece:?} cannot be joined by {SEP:?}")));
            }
            if i > 0 {
                out.push(SEP);
            }
            out.push_str(&piece);
        }
        Ok(Cell::Text(out))
    }
    fn from_cell(cell: &Cell) -> Result<Self, CellError> {
        let text = cell.as_str().ok_or_else(|| CellError::unexpected("text", cell))?;
        text.split(SEP)
            .filter(|piece| !piece.is_empty())
            .map(|piece| T::from_cell(&Cell::Text(piece.to_owned())))
            .collect::<Result<Vec<T>, CellError>>()
            .map(Joined)
    }
}

impl<T, const SEP: char> From<Vec<T>> for Joined<T, SEP> {
    fn from(v: Vec<T>) -> Self {
        Joined(v)
    }
}

/// Implements [`ColumnValue`] for a type stored as TEXT through its own
/// `as_str` and a parser returning `Option`:
/// `text_column!(ListingStatus, |s| ListingStatus::parse(s))`.
macro_rules! text_column {
    ($ty:ty, |$s:ident| $parse:expr) => {
        $crate::projection::text_column!($ty, |$s| $parse, personal = false);
    };
    ($ty:ty, |$s:ident| $parse:expr, personal = $personal:expr) => {
        impl $crate::projection::ColumnValue for $ty {
            const KIND: $crate::projection::ColumnKind = $crate::projection::ColumnKind::Text;
            const PERSONAL: bool = $personal;
            fn to_cell(&self) -> Result<$crate::projection::Cell, $crate::projection::CellError> {
                Ok($crate::projection::Cell::Text(self.as_str().to_owned()))
            }
            fn from_cell(cell: &$crate::projection::Cell) -> Result<Self, $crate::projection::CellError> {
                let $s: &str = cell
                    .as_str()
                    .ok_or_else(|| $crate::projection::CellError(format!("expected text, found {cell}")))?;
                let parsed: Option<$ty> = $parse;
                parsed.ok_or_else(|| {
                    $crate::projection::CellError(format!("{:?} is not a valid {}", $s, stringify!($ty)))
                })
            }
        }
    };
}

pub(crate) use text_column;

// ------------------------------------------------------------------ rows

/// A projection row type, declared with `table!`.
pub trait Row: Sized {
    const SPEC: &'static TableSpec;
    /// The row's cells in column order.
    fn to_cells(&self) -> Result<Vec<Cell>, ProjectionError>;
    /// Reads a stored row; a cell that does not parse names itself.
    fn from_cells(cells: &[Cell]) -> Result<Self, RowError>;

    /// Insert or replace this whole row.
    fn upsert(&self) -> Result<ProjectionWrite, ProjectionError> {
        Ok(ProjectionWrite::Upsert { table: Self::SPEC, row: self.to_cells()? })
    }
}

/// Turns one value into its cell for a write, naming the column on failure.
#[doc(hidden)]
pub fn write_cell<V: ColumnValue>(
    table: &'static TableSpec,
    column: usize,
    value: &V,
) -> Result<Cell, ProjectionError> {
    value.to_cell().map_err(|e| ProjectionError {
        table: table.name,
        column: table.columns.get(column).map_or("?", |c| c.name),
        problem: e.0,
    })
}

/// Reads a stored row's cells in column order (the order [`table!`] declares
/// them), naming table, key, log index and column when one does not parse.
#[doc(hidden)]
#[derive(Debug)]
pub struct RowReader<'a> {
    spec: &'static TableSpec,
    cells: &'a [Cell],
    next: usize,
}

impl<'a> RowReader<'a> {
    pub fn new(spec: &'static TableSpec, cells: &'a [Cell]) -> Result<RowReader<'a>, RowError> {
        if cells.len() != spec.columns.len() {
            return Err(RowReader { spec, cells, next: 0 }
                .error("*", format!("{} columns stored, {} declared", cells.len(), spec.columns.len())));
        }
        Ok(RowReader { spec, cells, next: 0 })
    }

    pub fn read<V: ColumnValue>(&mut self) -> Result<V, RowError> {
        let i = self.next;
        self.next += 1;
        let column = self.spec.columns.get(i).map_or("?", |c| c.name);
        let cell = self.cells.get(i).unwrap_or(&Cell::Null);
        V::from_cell(cell).map_err(|e| self.error(column, e.0))
    }

    fn error(&self, column: &'static str, problem: String) -> RowError {
        RowError {
            table: self.spec.name,
            key: self.spec.show_key(self.spec.key_of(self.cells), &MaskConfig::default()),
            seq: self.spec.seq_of(self.cells),
            column,
            problem,
        }
    }
}

/// Something that can stand for a key column of type `T`: the value itself, a
/// reference to it, or `&str` for text keys.
pub trait KeyPart<T> {
    fn key_cell(self) -> Result<Cell, CellError>;
}

impl<T: ColumnValue> KeyPart<T> for &T {
    fn key_cell(self) -> Result<Cell, CellError> {
        self.to_cell()
    }
}

impl<T: ColumnValue> KeyPart<T> for T {
    fn key_cell(self) -> Result<Cell, CellError> {
        self.to_cell()
    }
}

impl KeyPart<String> for &str {
    fn key_cell(self) -> Result<Cell, CellError> {
        Ok(Cell::Text(self.to_owned()))
    }
}

/// The key of one row of `R` (built by `R::key(…)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key<R> {
    cells: Result<Vec<Cell>, ProjectionError>,
    row: PhantomData<fn() -> R>,
}

impl<R: Row> Key<R> {
    #[doc(hidden)]
    pub fn from_parts(parts: Vec<Result<Cell, CellError>>) -> Key<R> {
        let cells = parts
            .into_iter()
            .enumerate()
            .map(|(i, part)| {
                part.map_err(|e| ProjectionError {
                    table: R::SPEC.name,
                    column: R::SPEC.columns.get(i).map_or("?", |c| c.name),
                    problem: e.0,
                })
            })
            .collect();
        Key { cells, row: PhantomData }
    }

    /// The key cells, in key-column order.
    pub fn cells(&self) -> Result<&[Cell], ProjectionError> {
        self.cells.as_deref().map_err(Clone::clone)
    }

    pub fn into_cells(self) -> Result<Vec<Cell>, ProjectionError> {
        self.cells
    }

    /// Starts an update of this row by the event at log index `seq` (which
    /// becomes the row's `seq`); name the changed columns on the [`Patch`].
    pub fn update(self, seq: u64) -> Patch<R> {
        let last = R::SPEC.columns.len().saturating_sub(1);
        Patch { key: self.cells, set: Vec::new(), error: None, row: PhantomData }.set(last, &seq)
    }

    pub fn delete(self) -> Result<ProjectionWrite, ProjectionError> {
        Ok(ProjectionWrite::Delete { table: R::SPEC, key: self.cells? })
    }
}

/// An update of some columns of an existing row. The setters are generated
/// per table by `table!` and named after the columns; a missing row stays
/// missing.
#[derive(Debug, Clone)]
pub struct Patch<R> {
    key: Result<Vec<Cell>, ProjectionError>,
    set: Vec<(usize, Cell)>,
    error: Option<ProjectionError>,
    row: PhantomData<fn() -> R>,
}

impl<R: Row> Patch<R> {
    #[doc(hidden)]
    pub fn set<V: ColumnValue>(mut self, column: usize, value: &V) -> Self {
        match write_cell(R::SPEC, column, value) {
            Ok(cell) => {
                self.set.retain(|(c, _)| *c != column);
                self.set.push((column, cell));
            }
            Err(e) => self.error = self.error.or(Some(e)),
        }
        self
    }

    /// The write, or the first value that could not be stored.
    pub fn write(self) -> Result<ProjectionWrite, ProjectionError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        Ok(ProjectionWrite::Update { table: R::SPEC, key: self.key?, set: self.set })
    }
}

/// Declares a projection table: the row struct, its [`TableSpec`] static,
/// [`Row`], `Row::key(…)` and one [`Patch`] setter per non-key column, all from
/// one list of columns, so names, order and types cannot drift apart. Tables
/// are declared in this crate only (the setters are inherent methods of
/// [`Patch`]), each in the `tables.rs` of the context that owns it.
///
/// ```
/// use xinyong_domain::lists::{ListingRow, ListingStatus};
/// use xinyong_domain::projection::{Cell, ProjectionWrite};
///
/// let write = ListingRow::key("LS0123").update(7).status(ListingStatus::Noticed).write().unwrap();
/// let ProjectionWrite::Update { table, key, set } = write else { unreachable!() };
/// assert_eq!(table.name, "listings");
/// assert_eq!(key, [Cell::text("LS0123")]);
/// assert!(set.contains(&(table.column_index("status").unwrap(), Cell::text("noticed"))));
/// assert!(set.contains(&(table.column_index("seq").unwrap(), Cell::Int(7))));
/// ```
macro_rules! table {
    (
        $(#[$meta:meta])*
        $vis:vis struct $row:ident in $spec:ident = $name:literal {
            key { $( $(#[$kmeta:meta])* $kfield:ident : $kty:ty $([$kflag:ident])? ),+ $(,)? }
            $( $(#[$fmeta:meta])* $field:ident : $fty:ty $([$flag:ident])? ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        $vis struct $row {
            $( $(#[$kmeta])* pub $kfield: $kty, )+
            $( $(#[$fmeta])* pub $field: $fty, )+
        }

        $vis static $spec: $crate::projection::TableSpec = $crate::projection::TableSpec {
            name: $name,
            columns: &[
                $( $crate::projection::Column {
                    name: stringify!($kfield),
                    kind: <$kty as $crate::projection::ColumnValue>::KIND,
                    personal: $crate::projection::table!(@personal $kty $(, $kflag)?),
                }, )+
                $( $crate::projection::Column {
                    name: stringify!($field),
                    kind: <$fty as $crate::projection::ColumnValue>::KIND,
                    personal: $crate::projection::table!(@personal $fty $(, $flag)?),
                }, )+
            ],
            key_len: [$(stringify!($kfield)),+].len(),
        };

        const _: () = {
            const KEY_LEN: usize = [$(stringify!($kfield)),+].len();

            /// Key columns in declaration order: `KeyCol::x` is the index.
            #[expect(non_camel_case_types, reason = "one variant per column, named as the column")]
            enum KeyCol { $($kfield),+ }

            /// Other columns in declaration order: `KEY_LEN + Col::x` is the index.
            #[expect(non_camel_case_types, reason = "one variant per column, named as the column")]
            enum Col { $($field),+ }

            impl $crate::projection::Row for $row {
                const SPEC: &'static $crate::projection::TableSpec = &$spec;

                fn to_cells(&self) -> Result<Vec<$crate::projection::Cell>, $crate::projection::ProjectionError> {
                    Ok(vec![
                        $( $crate::projection::write_cell(&$spec, KeyCol::$kfield as usize, &self.$kfield)?, )+
                        $( $crate::projection::write_cell(&$spec, KEY_LEN + Col::$field as usize, &self.$field)?, )+
                    ])
                }

                fn from_cells(cells: &[$crate::projection::Cell]) -> Result<Self, $crate::projection::RowError> {
                    let mut r = $crate::projection::RowReader::new(&$spec, cells)?;
                    // Struct fields are read in the order written, which is the column order.
                    Ok($row { $( $kfield: r.read()?, )+ $( $field: r.read()?, )+ })
                }
            }

            impl $row {
                /// The key of one row.
                pub fn key($($kfield: impl $crate::projection::KeyPart<$kty>),+) -> $crate::projection::Key<$row> {
                    $crate::projection::Key::from_parts(vec![$($crate::projection::KeyPart::key_cell($kfield)),+])
                }
            }

            impl $crate::projection::Patch<$row> {
                $(
                    #[doc = concat!("Sets `", stringify!($field), "`.")]
                    pub fn $field(self, value: $fty) -> Self {
                        self.set(KEY_LEN + Col::$field as usize, &value)
                    }
                )+
            }
        };
    };
    (@personal $ty:ty, personal) => { true };
    (@personal $ty:ty) => { <$ty as $crate::projection::ColumnValue>::PERSONAL };
}

pub(crate) use table;

// ------------------------------------------------------------------ writes

/// A write to one row, keyed by the table's key columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectionWrite {
    /// Insert or replace the whole row.
    Upsert {
        table: &'static TableSpec,
        row: Vec<Cell>,
    },
    /// Set some columns of an existing row (by column index); a missing row
    /// stays missing. Events that change one attribute (a status, a password)
    /// use this, so they need not repeat the rest of the row.
    Update {
        table: &'static TableSpec,
        key: Vec<Cell>,
        set: Vec<(usize, Cell)>,
    },
    Delete {
        table: &'static TableSpec,
        key: Vec<Cell>,
    },
    /// Delete every row of a table with a one-column key whose key sorts
    /// before `below` (a retention rule over keys that begin with their
    /// time, such as receipt ids). It names no single row: the stores run it
    /// as one range `DELETE` before the batch's other writes of the table,
    /// and `verify` drops the replayed rows below it.
    DeleteKeysBelow {
        table: &'static TableSpec,
        below: Cell,
    },
}

impl ProjectionWrite {
    pub fn table(&self) -> &'static TableSpec {
        match self {
            ProjectionWrite::Upsert { table, .. }
            | ProjectionWrite::Update { table, .. }
            | ProjectionWrite::Delete { table, .. }
            | ProjectionWrite::DeleteKeysBelow { table, .. } => table,
        }
    }

    /// The key of the one row written; empty for
    /// [`ProjectionWrite::DeleteKeysBelow`], which writes a range.
    pub fn key(&self) -> &[Cell] {
        match self {
            ProjectionWrite::Upsert { table, row } => table.key_of(row),
            ProjectionWrite::Update { key, .. } | ProjectionWrite::Delete { key, .. } => key,
            ProjectionWrite::DeleteKeysBelow { .. } => &[],
        }
    }
}

/// What a sequence of writes leaves in one row: the semantics that both the
/// stores and `verify` follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowState {
    /// The whole row is known (written in this sequence).
    Row(Vec<Cell>),
    /// Only these columns are known to change on a row written earlier.
    Patch(Vec<(usize, Cell)>),
    Deleted,
}

impl RowState {
    /// Applies `write` on top of `state` (`None` = nothing known yet).
    pub fn apply(state: Option<RowState>, write: &ProjectionWrite) -> Option<RowState> {
        match write {
            ProjectionWrite::Upsert { row, .. } => Some(RowState::Row(row.clone())),
            ProjectionWrite::Delete { .. } => Some(RowState::Deleted),
            // A range: the caller applies it to the table (see the variant).
            ProjectionWrite::DeleteKeysBelow { .. } => state,
            ProjectionWrite::Update { set, .. } => match state {
                Some(RowState::Row(mut row)) => {
                    for (i, cell) in set {
                        if let Some(slot) = row.get_mut(*i) {
                            *slot = cell.clone();
                        }
                    }
                    Some(RowState::Row(row))
                }
                Some(RowState::Deleted) => Some(RowState::Deleted),
                Some(RowState::Patch(mut patch)) => {
                    for (i, cell) in set {
                        patch.retain(|(j, _)| j != i);
                        patch.push((*i, cell.clone()));
                    }
                    Some(RowState::Patch(patch))
                }
                None => Some(RowState::Patch(set.clone())),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::projection::table! {
        /// A table exercising every column type.
        struct SampleRow in SAMPLES = "samples" {
            key { id: String, n: i64 }
            name: Option<String>,
            on: NaiveDate,
            until: Option<NaiveDate>,
            active: bool,
            words: Words,
            map: Json<std::collections::BTreeMap<String, String>>,
            holder: String [personal],
            seq: u64,
        }
    }

    fn sample() -> SampleRow {
        SampleRow {
            id: "a".to_owned(),
            n: 3,
            name: None,
            on: NaiveDate::from_ymd_opt(2026, 1, 2).unwrap_or_default(),
            until: None,
            active: true,
            words: Joined(vec!["x1".to_owned(), "y2".to_owned()]),
            map: Json([("k".to_owned(), "v".to_owned())].into()),
            holder: "11010519491231002X".to_owned(),
            seq: 9,
        }
    }

    #[test]
    fn a_row_round_trips_through_its_cells() {
        let row = sample();
        let cells = row.to_cells().unwrap_or_default();
        assert_eq!(cells[3], Cell::text("2026-01-02"));
        assert_eq!(cells[6], Cell::text("x1 y2"));
        assert_eq!(cells[7], Cell::text(r#"{"k":"v"}"#));
        assert_eq!(SampleRow::from_cells(&cells), Ok(row));
        assert_eq!(SAMPLES.key_len, 2);
        assert!(SAMPLES.columns[8].personal && !SAMPLES.columns[0].personal);
    }

    #[test]
    fn a_cell_that_does_not_parse_names_table_key_log_index_and_column() {
        let mut cells = sample().to_cells().unwrap_or_default();
        cells[3] = Cell::text("2026-13-40");
        let err = SampleRow::from_cells(&cells).err();
        let err = err.map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(err, "table samples, row a 3 (log index 9): column on: \"2026-13-40\" is not a YYYY-MM-DD date");
        let short = &cells[..4];
        assert!(SampleRow::from_cells(short).is_err());
    }

    #[test]
    fn updates_name_their_columns_and_always_set_seq() {
        let write = SampleRow::key("a", 3).update(12).active(false).until(None).write();
        let Ok(ProjectionWrite::Update { key, set, .. }) = write else { panic!("not an update: {write:?}") };
        assert_eq!(key, vec![Cell::text("a"), Cell::Int(3)]);
        assert_eq!(set, vec![(9, Cell::Int(12)), (5, Cell::Int(0)), (4, Cell::Null)]);
    }

    #[test]
    fn a_value_that_cannot_be_stored_is_an_error_not_an_empty_cell() {
        let mut row = sample();
        row.words = Joined(vec!["has space".to_owned()]);
        let err = row.upsert().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.starts_with("table samples, column words:"), "{err}");
        let err = SampleRow::key("a", 1).update(1).words(Joined(vec![String::new()])).write();
        assert!(err.is_err());
    }
}
