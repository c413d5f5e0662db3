//! What one append writes, as statements: the events, the Merkle tree nodes
//! they complete, and the projection writes collapsed to one per row. Run in
//! one transaction by [`crate::exec::append`].

use std::collections::HashMap;

use indexmap::IndexMap;

use xinyong_domain::projection::{Cell, ProjectionWrite, RowState, TableSpec};

use crate::sql::{Arg, Kind, Stmt, columns, key_columns, placeholders};
use crate::{Hash, PreparedEvent, StorageError, to_i64};

/// Rows per multi-row INSERT of events: SQLite allows 32,766 bound
/// parameters per statement and PostgreSQL 65,535; events have 10 columns.
const EVENT_ROWS: usize = 1_000;
/// Tree nodes (3 columns each) per INSERT.
const NODE_ROWS: usize = 3_000;
/// Bound parameters per multi-row upsert of a projection table.
const UPSERT_PARAMS: usize = 30_000;

pub(crate) fn next_index() -> Stmt {
    Stmt::new("SELECT COALESCE(MAX(seq) + 1, 0) FROM events").returns(&[Kind::Int])
}

/// The hash of one complete subtree: level 0 is a leaf (`events.leaf_hash`).
pub(crate) fn node(level: u8, idx: u64) -> Stmt {
    if level == 0 {
        Stmt::new("SELECT leaf_hash FROM events WHERE seq = $1").arg(to_i64(idx)).returns(&[Kind::Bytes])
    } else {
        Stmt::new("SELECT hash FROM tree_nodes WHERE level = $1 AND idx = $2")
            .arg(i64::from(level))
            .arg(to_i64(idx))
            .returns(&[Kind::Bytes])
    }
}

/// A multi-row `INSERT` into `into` (`t (cols) `), then the rows, then
/// `tail` (`ON CONFLICT …`). How the statement begins and how the rows are
/// written is the backend's (`crate::exec::BulkRunner`): on SQLite
/// `INSERT OR FAIL INTO` and a `VALUES` list with `?`
/// placeholders, written by sqlx when it runs (SQLite looks every named
/// parameter such as `$n` up in a list when it prepares a statement, which
/// takes seconds for the 30,000 parameters of one batch's upsert and
/// microseconds for `?`); on PostgreSQL `SELECT * FROM UNNEST(…)` over one
/// array per column. Rows are chunked for SQLite's and PostgreSQL's limits
/// on parameters; the arrays would not need it.
#[derive(Debug)]
pub(crate) struct Bulk {
    pub into: String,
    pub rows: Vec<Vec<Arg>>,
    pub tail: String,
}

/// The events' rows. Their JSON (most of a batch's bytes) moves into the
/// statements, and each v2 entry is written in its compact form
/// (`crate::entries`): the events keep everything else.
pub(crate) fn insert_events(events: &mut [PreparedEvent]) -> Vec<Bulk> {
    events
        .chunks_mut(EVENT_ROWS)
        .map(|chunk| {
            let rows = chunk
                .iter_mut()
                .map(|p| {
                    let e = &p.event;
                    vec![
                        Arg::from(to_i64(e.seq)),
                        Arg::from(e.time.timestamp_millis()),
                        Arg::from(e.actor.as_str()),
                        Arg::from(e.body.kind_name()),
                        Arg::from(e.body.public_subject().map(str::to_owned)),
                        Arg::from(std::mem::take(&mut p.rules_json)),
                        Arg::from(std::mem::take(&mut p.body_json)),
                        Arg::from(e.salt.to_vec()),
                        Arg::from(crate::entries::compact_form(std::mem::take(&mut p.entry))),
                        Arg::from(p.leaf.to_vec()),
                    ]
                })
                .collect();
            Bulk {
                into: "events (seq, time_ms, actor, kind, subject, rules, body, salt, entry, leaf_hash) ".to_owned(),
                rows,
                tail: String::new(),
            }
        })
        .collect()
}

pub(crate) fn insert_nodes(nodes: &[(u8, u64, Hash)]) -> Vec<Bulk> {
    nodes
        .chunks(NODE_ROWS)
        .map(|chunk| {
            let rows = chunk
                .iter()
                .map(|(level, idx, hash)| {
                    vec![Arg::from(i64::from(*level)), Arg::from(to_i64(*idx)), hash.to_vec().into()]
                })
                .collect();
            Bulk { into: "tree_nodes (level, idx, hash) ".to_owned(), rows, tail: String::new() }
        })
        .collect()
}

/// `(column index, new value)` pairs for one row.
pub(crate) type ColumnPatch = Vec<(usize, Cell)>;

/// The writes of a batch for one table, collapsed to the last write per key,
/// because a multi-row upsert may not touch the same row twice (PostgreSQL
/// rejects it) and only the last write survives anyway.
#[derive(Debug)]
pub(crate) struct TableWrites {
    pub table: &'static TableSpec,
    /// Range deletes (`DeleteKeysBelow`): keys below these go first.
    pub below: Vec<Cell>,
    pub deletes: Vec<Vec<Cell>>,
    pub upserts: Vec<Vec<Cell>>,
    /// Column updates of rows written before this batch.
    pub patches: Vec<(Vec<Cell>, ColumnPatch)>,
}

/// The rows one table's writes leave, by key, in the order the keys were
/// first written.
type Rows = IndexMap<Vec<Cell>, RowState, foldhash::fast::RandomState>;

/// Writes in the order they apply, collapsed at once (the unit tests).
#[cfg(test)]
fn collapse(writes: impl Iterator<Item = ProjectionWrite>) -> Vec<TableWrites> {
    let mut collapsed = Collapsed::default();
    collapsed.add(writes);
    collapsed.finish()
}

/// The projection writes of an append so far, collapsed to one per row:
/// an append handed over in chunks adds each chunk's writes as it arrives
/// and writes the tables once at the end, so a row written in one chunk and
/// changed in a later one is still one upsert, not an upsert and an update.
///
/// The rows of each table are kept in the order they were written, not in
/// a hash map's order: the statements are sorted by key at the end (a
/// stable lock order between writers), and rows written in nearly key order
/// (receipts, whose ids begin with their time; log-ordered records) then
/// sort in about one pass instead of a full sort of a shuffled table.
#[derive(Default)]
pub(crate) struct Collapsed {
    order: Vec<&'static TableSpec>,
    last: HashMap<&'static str, Rows>,
    below: HashMap<&'static str, Vec<Cell>>,
}

impl Collapsed {
    /// Takes the events' writes (they are not needed after).
    pub(crate) fn add_events(&mut self, events: &mut [PreparedEvent]) {
        self.add(events.iter_mut().flat_map(|e| std::mem::take(&mut e.writes)));
    }

    /// Adds writes in the order they apply.
    fn add(&mut self, writes: impl Iterator<Item = ProjectionWrite>) {
        for write in writes {
            let table = write.table();
            if !self.last.contains_key(table.name) {
                self.order.push(table);
            }
            let rows = self.last.entry(table.name).or_default();
            if let ProjectionWrite::DeleteKeysBelow { below: bound, .. } = write {
                // The range delete runs before the table's other writes, so the
                // rows this batch wrote earlier below the bound must not be
                // written at all; those written after it stay.
                rows.retain(|key, _| key.first().is_none_or(|k| *k >= bound));
                self.below.entry(table.name).or_default().push(bound);
                continue;
            }
            let key = write.key().to_vec();
            let after = match write {
                // A whole row replaces whatever was known: moved, not copied
                // (and in the place of the key's first write).
                ProjectionWrite::Upsert { row, .. } => {
                    rows.insert(key, RowState::Row(row));
                    continue;
                }
                other => RowState::apply(rows.swap_remove(&key), &other),
            };
            if let Some(after) = after {
                rows.insert(key, after);
            }
        }
    }

    /// Each table's writes, in the order the tables were first written.
    pub(crate) fn finish(mut self) -> Vec<TableWrites> {
        self.order
            .into_iter()
            .map(|table| {
                let below = self.below.remove(table.name).unwrap_or_default();
                let mut tw =
                    TableWrites { table, below, deletes: Vec::new(), upserts: Vec::new(), patches: Vec::new() };
                for (key, state) in self.last.remove(table.name).unwrap_or_default() {
                    match state {
                        RowState::Row(row) => tw.upserts.push(row),
                        RowState::Deleted => tw.deletes.push(key),
                        RowState::Patch(set) => tw.patches.push((key, set)),
                    }
                }
                // Deterministic statement order keeps lock order stable between
                // writers. `sort` is stable and finds runs already in order.
                tw.upserts.sort();
                tw.deletes.sort();
                tw.patches.sort();
                tw
            })
            .collect()
    }
}

/// The key cells of a row, bound as their columns' types.
fn key_args(table: &TableSpec, key: &[Cell]) -> Vec<Arg> {
    table.key_columns().iter().zip(key).map(|(col, cell)| Arg::cell(col.kind, cell)).collect()
}

/// `WHERE (k1, k2) = ($from, $from+1)`
fn where_key(table: &TableSpec, from: usize) -> String {
    format!(" WHERE ({}) = ({})", key_columns(table), placeholders(from, table.key_len))
}

/// Range deletes, deletes and column updates of one table, then its
/// multi-row upserts (run in that order).
pub(crate) fn projection_statements(tw: TableWrites) -> (Vec<Stmt>, Vec<Bulk>) {
    let table = tw.table;
    let mut out = Vec::new();
    if let Some(first_key) = table.key_columns().first() {
        for bound in &tw.below {
            let text = format!("DELETE FROM {} WHERE {} < $1", table.name, first_key.name);
            out.push(Stmt::assembled(text).arg(Arg::cell(first_key.kind, bound)));
        }
    }
    let delete = format!("DELETE FROM {}{}", table.name, where_key(table, 1));
    for key in &tw.deletes {
        let stmt = Stmt::assembled(delete.clone());
        out.push(key_args(table, key).into_iter().fold(stmt, Stmt::arg));
    }
    for (key, set) in &tw.patches {
        let sets: Vec<String> =
            set.iter().enumerate().map(|(i, (c, _))| format!("{} = ${}", table.columns[*c].name, i + 1)).collect();
        let text = format!("UPDATE {} SET {}{}", table.name, sets.join(", "), where_key(table, set.len() + 1));
        let mut stmt = Stmt::assembled(text);
        for (c, cell) in set {
            stmt = stmt.arg(Arg::cell(table.columns[*c].kind, cell));
        }
        out.push(key_args(table, key).into_iter().fold(stmt, Stmt::arg));
    }
    let into = format!("{} ({}) ", table.name, columns(table, None));
    let sets: Vec<String> =
        table.columns[table.key_len..].iter().map(|c| format!("{0} = excluded.{0}", c.name)).collect();
    let tail = format!(" ON CONFLICT ({}) DO UPDATE SET {}", key_columns(table), sets.join(", "));
    let per_statement = (UPSERT_PARAMS / table.columns.len()).max(1);
    let mut upserts = Vec::with_capacity(tw.upserts.len().div_ceil(per_statement));
    let mut rows = tw.upserts.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk = rows
            .by_ref()
            .take(per_statement)
            .map(|row| table.columns.iter().zip(row).map(|(col, cell)| Arg::cell_owned(col.kind, cell)).collect())
            .collect();
        upserts.push(Bulk { into: into.clone(), rows: chunk, tail: tail.clone() });
    }
    (out, upserts)
}

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

/// The Merkle tree nodes an append completes, grown chunk by chunk: each
/// chunk's events must continue the log exactly where the last one ended.
pub(crate) struct TreeGrowth {
    /// Every node a later leaf may need as a left sibling.
    known: HashMap<(u8, u64), Hash>,
    /// The interior nodes completed so far (leaves are the events' own).
    created: Vec<(u8, u64, Hash)>,
    /// The index the next event must have.
    next: u64,
}

impl TreeGrowth {
    /// A tree of `size` leaves whose right edge is `frontier_nodes`.
    pub(crate) fn new(size: u64, frontier_nodes: HashMap<(u8, u64), Hash>) -> TreeGrowth {
        TreeGrowth { known: frontier_nodes, created: Vec::new(), next: size }
    }

    /// Adds a chunk's leaves, in order.
    pub(crate) fn add(&mut self, events: &[PreparedEvent]) -> Result<(), StorageError> {
        for prepared in events {
            let expected = self.next;
            if prepared.event.seq != expected {
                return Err(StorageError::Inconsistent(format!(
                    "batch event has index {} where {expected} was expected",
                    prepared.event.seq
                )));
            }
            let known = &self.known;
            let nodes = xinyong_tlog::nodes_completed_by_append(expected, prepared.leaf, &mut |level: u8, idx: u64| {
                known.get(&(level, idx)).copied().ok_or(())
            })
            .map_err(|()| StorageError::Inconsistent(format!("missing tree node while appending {expected}")))?;
            for (level, idx, hash) in nodes {
                self.known.insert((level, idx), hash);
                if level > 0 {
                    self.created.push((level, idx, hash));
                }
            }
            self.next += 1;
        }
        Ok(())
    }

    /// The size of the log once the events added so far are in.
    pub(crate) fn size(&self) -> u64 {
        self.next
    }

    /// The interior nodes to insert.
    pub(crate) fn into_nodes(self) -> Vec<(u8, u64, Hash)> {
        self.created
    }
}

pub(crate) fn to_hash(bytes: &[u8], what: &str) -> Result<Hash, StorageError> {
    <Hash>::try_from(bytes).map_err(|_| StorageError::Inconsistent(format!("{what} is not a 32-byte hash")))
}

#[cfg(test)]
mod tests {
    use xinyong_domain::checks::{CHECK_RECEIPTS, ReceiptRow};
    use xinyong_domain::projection::{Cell, ProjectionWrite, Row as _};

    use super::collapse;

    fn receipt(id: &str, decision: &str) -> ReceiptRow {
        ReceiptRow {
            receipt_id: id.to_owned(),
            department: xinyong_domain::auth::DepartmentCode::parse("zjj").unwrap(),
            case_ref: None,
            scenario: "bidding".to_owned(),
            subject: None,
            decision: decision.to_owned(),
            time_ms: 1,
            seq: 1,
        }
    }

    fn upsert(id: &str, decision: &str) -> ProjectionWrite {
        receipt(id, decision).upsert().unwrap()
    }

    fn ids(rows: &[Vec<Cell>]) -> Vec<(Cell, Cell)> {
        rows.iter().map(|r| (r[0].clone(), r[5].clone())).collect()
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    #[test]
    fn each_row_is_written_once_as_the_last_write_left_it_in_key_order() {
        let key = |id: &str| vec![text(id)];
        let writes = vec![
            upsert("r3", "clear"),
            upsert("r1", "clear"),
            // Column 5 is `decision`.
            ProjectionWrite::Update { table: &CHECK_RECEIPTS, key: key("r3"), set: vec![(5, text("restrict"))] },
            upsert("r2", "clear"),
            ProjectionWrite::Delete { table: &CHECK_RECEIPTS, key: key("r2") },
            // Drops r1 (written before it); r0 (written after) stays.
            ProjectionWrite::DeleteKeysBelow { table: &CHECK_RECEIPTS, below: text("r15") },
            upsert("r0", "caution"),
            upsert("r4", "clear"),
            upsert("r4", "caution"),
            ProjectionWrite::Update { table: &CHECK_RECEIPTS, key: key("r9"), set: vec![(5, text("clear"))] },
        ];
        let tables = collapse(writes.into_iter());
        assert_eq!(tables.len(), 1);
        let t = &tables[0];
        assert_eq!(t.below, [text("r15")]);
        assert_eq!(
            ids(&t.upserts),
            [(text("r0"), text("caution")), (text("r3"), text("restrict")), (text("r4"), text("caution"))]
        );
        assert_eq!(t.deletes, [key("r2")]);
        assert_eq!(t.patches, [(key("r9"), vec![(5, text("clear"))])]);
    }

    #[test]
    fn rows_come_out_in_key_order_whatever_order_they_were_written_in() {
        let forward: Vec<String> = (0..1_000).map(|i| format!("r{i:04}")).collect();
        let mut shuffled = forward.clone();
        // A fixed permutation: by the last digit modulo 3, each group in reverse.
        shuffled.sort_by_key(|id| (id.as_bytes()[4] % 3, std::cmp::Reverse(id.clone())));
        for order in [&forward, &shuffled] {
            let tables = collapse(order.iter().map(|id| upsert(id, "clear")));
            let got: Vec<Cell> = tables[0].upserts.iter().map(|r| r[0].clone()).collect();
            let want: Vec<Cell> = forward.iter().map(|id| text(id)).collect();
            assert_eq!(got, want);
        }
    }
}
