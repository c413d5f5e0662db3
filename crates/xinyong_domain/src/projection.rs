//! Projection tables described as data. Every table the pages and APIs read
//! is declared here once; events say which rows they write
//! ([`crate::event::Event::projection_writes`]), the store applies the writes
//! generically, and `verify` replays the log and compares every table.
//!
//! Conventions: the first `key_len` columns are the primary key; the last
//! column is `seq`, the log index of the event that last wrote the row.
//! Columns are BIGINT or TEXT only (both databases store them the same way).

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

    pub fn opt_text(s: Option<impl Into<String>>) -> Cell {
        s.map_or(Cell::Null, |s| Cell::Text(s.into()))
    }

    pub fn int(v: impl TryInto<i64>) -> Cell {
        v.try_into().map_or(Cell::Null, Cell::Int)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Cell::Int(v) => Some(*v),
            _ => None,
        }
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
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

/// A BIGINT column.
pub const fn int_col(name: &'static str) -> Column {
    Column { name, kind: ColumnKind::Int, personal: false }
}

/// A TEXT column.
pub const fn text_col(name: &'static str) -> Column {
    Column { name, kind: ColumnKind::Text, personal: false }
}

/// A TEXT column holding a natural person's ID number: masked in messages.
pub const fn id_number_col(name: &'static str) -> Column {
    Column { name, kind: ColumnKind::Text, personal: true }
}

use id_number_col as id_number;
use int_col as int;
use text_col as text;

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
}

/// Organisations with a USCC.
pub static SUBJECTS: TableSpec = TableSpec {
    name: "subjects",
    columns: &[text("uscc"), text("name"), text("status"), text("division"), int("seq")],
    key_len: 1,
};

/// Natural persons. Never served on public pages or public APIs.
pub static PERSONS: TableSpec =
    TableSpec { name: "persons", columns: &[id_number("id_number"), text("name"), int("seq")], key_len: 1 };

/// Roles of natural persons in organisations.
pub static RELATIONS: TableSpec = TableSpec {
    name: "relations",
    columns: &[text("uscc"), id_number("id_number"), text("role"), int("active"), int("seq")],
    key_len: 3,
};

/// Every projection table, in the order `verify` checks them.
pub fn all_tables() -> &'static [&'static TableSpec] {
    use crate::intake::{BATCH_ROWS, BATCHES, RECORDS};
    use crate::listing::{
        BANS, CHECK_RECEIPTS, FEED_ITEMS, INTERVIEWS, LISTING_OBJECTIONS, LISTINGS, MEASURE_PUSHES, PERSONAL_RECORDS,
        REPORTED_CASES, WEBHOOKS,
    };
    use crate::org::{API_TOKENS, DEPARTMENTS, RULE_SETS, USERS};
    static ALL: [&TableSpec; 20] = [
        &SUBJECTS,
        &PERSONS,
        &RELATIONS,
        &DEPARTMENTS,
        &USERS,
        &API_TOKENS,
        &RULE_SETS,
        &RECORDS,
        &BATCHES,
        &BATCH_ROWS,
        &LISTINGS,
        &LISTING_OBJECTIONS,
        &MEASURE_PUSHES,
        &FEED_ITEMS,
        &PERSONAL_RECORDS,
        &BANS,
        &INTERVIEWS,
        &CHECK_RECEIPTS,
        &REPORTED_CASES,
        &WEBHOOKS,
    ];
    &ALL
}

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
}

impl ProjectionWrite {
    pub fn table(&self) -> &'static TableSpec {
        match self {
            ProjectionWrite::Upsert { table, .. }
            | ProjectionWrite::Update { table, .. }
            | ProjectionWrite::Delete { table, .. } => table,
        }
    }

    pub fn key(&self) -> &[Cell] {
        match self {
            ProjectionWrite::Upsert { table, row } => table.key_of(row),
            ProjectionWrite::Update { key, .. } | ProjectionWrite::Delete { key, .. } => key,
        }
    }

    /// An update of named columns. A name that is not a column of the table
    /// is a programming error; the table tests catch it, and it is skipped here.
    pub fn update(table: &'static TableSpec, key: Vec<Cell>, set: &[(&str, Cell)]) -> ProjectionWrite {
        let set = set.iter().filter_map(|(name, cell)| Some((table.column_index(name)?, cell.clone()))).collect();
        ProjectionWrite::Update { table, key, set }
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

impl PartialEq for TableSpec {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for TableSpec {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_ends_with_seq_and_has_a_key() {
        for t in all_tables() {
            assert!(t.key_len >= 1 && t.key_len < t.columns.len(), "{}", t.name);
            assert_eq!(t.columns.last().map(|c| c.name), Some("seq"), "{}", t.name);
            assert_eq!(t.columns.last().map(|c| c.kind), Some(ColumnKind::Int));
        }
    }
}
