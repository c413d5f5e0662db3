//! `xinyong verify`: recompute every leaf from the stored events, rebuild the
//! tree, check the latest checkpoint's signature and root, and replay the log
//! to check every projection row. The first mismatch is named by table, key
//! and log index.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use xinyong_domain::event::{Actor, Event, EventBody, EventKind, RuleVersions, all_tables};
use xinyong_domain::log::time_from_millis;
use xinyong_domain::log::{LogEvent, key_id_of};
use xinyong_domain::mask::MaskConfig;
use xinyong_domain::projection::{Cell, ProjectionError, ProjectionWrite, RowState, TableSpec};
use xinyong_storage::{StoredCheckpoint, StoredEvent};
use xinyong_tlog::{MemoryTree, NoteVerifier};

use crate::error::CoreError;
use crate::log::Core;
use crate::log::keys::{check_rotation, note_key_ids};

/// Rows fetched per round trip while walking tables.
const PAGE: u32 = 10_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: u64,
    pub tree_nodes: u64,
    pub checkpoint_size: u64,
    /// Rows checked per projection table.
    pub rows: Vec<(&'static str, u64)>,
}

/// The first thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub table: &'static str,
    pub key: String,
    pub index: Option<u64>,
    pub problem: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "table {} key {}: {}", self.table, self.key, self.problem)?;
        if let Some(i) = self.index {
            write!(f, " (log index {i})")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("verification failed: {0}")]
    Mismatch(Mismatch),
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl From<xinyong_storage::StorageError> for VerifyError {
    fn from(e: xinyong_storage::StorageError) -> Self {
        VerifyError::Core(CoreError::Storage(e))
    }
}

fn mismatch(
    table: &'static str,
    key: impl Into<String>,
    index: Option<u64>,
    problem: impl Into<String>,
) -> VerifyError {
    VerifyError::Mismatch(Mismatch { table, key: key.into(), index, problem: problem.into() })
}

/// Progress callback: (what, done, total).
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Send + Sync);

/// Projection tables as the log says they must be.
#[derive(Default)]
struct Expected {
    tables: HashMap<&'static str, BTreeMap<Vec<Cell>, Vec<Cell>>>,
}

impl Expected {
    fn apply(&mut self, event: &Event) -> Result<(), ProjectionError> {
        for write in event.projection_writes()? {
            let rows = self.tables.entry(write.table().name).or_default();
            if let ProjectionWrite::DeleteKeysBelow { below, .. } = &write {
                // Keys compare as the stores compare them: a one-column key.
                *rows = rows.split_off(&vec![below.clone()]);
                continue;
            }
            let key = write.key().to_vec();
            // Replay starts from an empty database, so every row is known in full.
            let before = rows.remove(&key).map(RowState::Row);
            if let Some(RowState::Row(row)) = RowState::apply(before, &write) {
                rows.insert(key, row);
            }
        }
        Ok(())
    }
}

/// A row key for messages: cells joined by spaces, ID numbers masked.
fn show_key(table: &TableSpec, key: &[Cell], mask: &MaskConfig) -> String {
    table
        .key_columns()
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

/// The differing columns of two versions of a row (personal values masked).
fn describe(table: &TableSpec, want: &[Cell], got: &[Cell]) -> String {
    let diffs: Vec<String> = table
        .columns
        .iter()
        .zip(want.iter().zip(got))
        .filter(|(_, (w, g))| w != g)
        .map(|(col, (w, g))| {
            if col.personal {
                format!("{} differs", col.name)
            } else {
                format!("{} is {g} but the log says {w}", col.name)
            }
        })
        .collect();
    format!("row differs from the log: {}", diffs.join(", "))
}

fn seq_of(row: &[Cell]) -> Option<u64> {
    row.last().and_then(Cell::as_i64).and_then(|s| u64::try_from(s).ok())
}

/// Rebuilds the domain event from a stored row, or says which column is wrong.
fn decode_event(row: &StoredEvent) -> Result<Event, VerifyError> {
    let seq = u64::try_from(row.seq).map_err(|_| mismatch("events", row.seq.to_string(), None, "negative seq"))?;
    let bad = |problem: String| mismatch("events", seq.to_string(), Some(seq), problem);
    let body_json = row.body.as_deref().ok_or_else(|| bad("body is missing".to_owned()))?;
    let kind =
        EventKind::parse(&row.kind).ok_or_else(|| bad(format!("kind column {:?} is no event kind", row.kind)))?;
    let body =
        EventBody::from_json(kind, body_json).map_err(|e| bad(format!("body is not a valid {kind} event: {e}")))?;
    let subject = body.public_subject().map(str::to_owned);
    if subject != row.subject {
        return Err(bad(format!("subject column {:?} does not match the body ({subject:?})", row.subject)));
    }
    let rules: RuleVersions =
        serde_json::from_str(&row.rules).map_err(|e| bad(format!("rules column is not valid: {e}")))?;
    let actor = Actor::parse(&row.actor).map_err(|e| bad(format!("actor column: {e}")))?;
    let time = time_from_millis(row.time_ms).ok_or_else(|| bad("time out of range".to_owned()))?;
    let salt: [u8; 32] = row
        .salt
        .as_deref()
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| bad("salt is missing or not 32 bytes".to_owned()))?;
    Ok(Event { seq, time, actor, rules, body, salt })
}

/// Walks every stored row of `table` (the store's whole-table scan) and
/// takes each off the replayed rows `want`: a row that differs, that no event
/// produced, or that is missing is the first mismatch. Returns the rows seen.
async fn compare_table(
    store: &dyn xinyong_storage::Store,
    table: &'static TableSpec,
    mut want: BTreeMap<Vec<Cell>, Vec<Cell>>,
    mask: &MaskConfig,
    progress: Progress<'_>,
) -> Result<u64, VerifyError> {
    let mut seen = 0u64;
    let mut scan = store.scan_rows(table, PAGE);
    while let Some(rows) = scan.next_page().await? {
        for row in rows {
            let key = table.key_of(&row).to_vec();
            match want.remove(&key) {
                Some(w) if w == row => {}
                Some(w) => {
                    return Err(mismatch(
                        table.name,
                        show_key(table, &key, mask),
                        seq_of(&w),
                        describe(table, &w, &row),
                    ));
                }
                None => {
                    let what = "row not produced by any event";
                    return Err(mismatch(table.name, show_key(table, &key, mask), seq_of(&row), what));
                }
            }
            seen += 1;
        }
        progress(table.name, seen, 0);
    }
    if let Some((key, w)) = want.into_iter().next() {
        return Err(mismatch(table.name, show_key(table, &key, mask), seq_of(&w), "row is missing"));
    }
    Ok(seen)
}

/// Runs every check; `Ok` only when everything agrees.
pub async fn verify(core: &Core, progress: Progress<'_>) -> Result<VerifyReport, VerifyError> {
    // Everything is read in one read transaction: a server appending
    // meanwhile cannot make a row look newer than the log that was read.
    let snapshot = core.store().snapshot().await?;
    let store = snapshot.as_ref();
    let mut report = VerifyReport::default();
    // 1. Every event: columns ↔ body ↔ entry bytes ↔ leaf hash; the tree and
    //    the projections as the log says they must be.
    let (tree, mut expected, rotations) = check_events(store, progress, &mut report).await?;
    // 1b. Every key rotation is signed by the key it retires, in one chain.
    let keys = key_chain(core, &rotations)?;
    // 2. Stored tree nodes equal the recomputed tree.
    report.tree_nodes = check_tree_nodes(store, &tree, report.entries).await?;
    // 3. Every checkpoint: signature by the key in force at its size, and
    //    root of the recomputed tree.
    report.checkpoint_size = check_checkpoints(store, &keys, &tree, report.entries, progress).await?;
    // 4. Projections: replayed rows ↔ stored rows, both ways.
    let mask = &core.settings().mask;
    for &table in all_tables() {
        let want = expected.tables.remove(table.name).unwrap_or_default();
        let seen = compare_table(store, table, want, mask, progress).await?;
        report.rows.push((table.name, seen));
    }
    Ok(report)
}

/// A `log_key_rotated` entry as read from the log.
struct Handover {
    index: u64,
    old_key: String,
    new_key: String,
    statement: String,
}

/// Step 1: reads the log in order, recomputing each entry and leaf from the
/// stored columns and body; returns the tree, the replayed projections and
/// the key rotations.
async fn check_events(
    store: &dyn xinyong_storage::Store,
    progress: Progress<'_>,
    report: &mut VerifyReport,
) -> Result<(MemoryTree, Expected, Vec<Handover>), VerifyError> {
    let size = store.log_size().await?;
    let mut tree = MemoryTree::new();
    let mut expected = Expected::default();
    let mut rotations = Vec::new();
    let mut next = 0u64;
    loop {
        let rows = store.events_from(next, PAGE).await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let at = |problem: String| mismatch("events", next.to_string(), Some(next), problem);
            if u64::try_from(row.seq).ok() != Some(next) {
                let problem = format!("expected index {next}; the log has a gap");
                return Err(mismatch("events", row.seq.to_string(), Some(next), problem));
            }
            let event = decode_event(row)?;
            // Each entry is recomputed in the format it was written in. A row
            // that holds the entry's bytes must hold exactly these; a compact
            // row holds none, so the recomputed entry stands for it.
            let version = row.entry_version().ok_or_else(|| at("entry has no known header".to_owned()))?;
            let body_json = event.body.canonical_json().map_err(|e| at(format!("body cannot be encoded: {e}")))?;
            let entry =
                event.entry_as(version, &body_json).map_err(|e| at(format!("body cannot be encoded: {e}")))?.to_bytes();
            if !row.entry_is_compact() && entry != row.stored_entry {
                let what = "stored entry bytes differ from the entry recomputed from the event's columns and body";
                return Err(at(what.to_owned()));
            }
            let leaf = xinyong_tlog::leaf_hash(&entry);
            if row.leaf_hash.as_slice() != leaf.as_slice() {
                return Err(at(
                    "leaf_hash is not the hash of the entry recomputed from the event's columns and body".to_owned()
                ));
            }
            tree.push(leaf);
            if let EventBody::Log(LogEvent::LogKeyRotated { old_key, new_key, statement }) = &event.body {
                let (old_key, new_key, statement) = (old_key.clone(), new_key.clone(), statement.clone());
                rotations.push(Handover { index: next, old_key, new_key, statement });
            }
            expected
                .apply(&event)
                .map_err(|e| mismatch(e.table, next.to_string(), Some(next), format!("the event's rows: {e}")))?;
            next += 1;
        }
        progress("events", next, size);
    }
    report.entries = next;
    Ok((tree, expected, rotations))
}

/// Step 2: every stored node (level ≥ 1) is the recomputed tree's, and none
/// is missing. Returns how many there are.
async fn check_tree_nodes(
    store: &dyn xinyong_storage::Store,
    tree: &MemoryTree,
    entries: u64,
) -> Result<u64, VerifyError> {
    let mut stored = 0u64;
    let mut after = None;
    loop {
        let nodes = store.tree_nodes_page(after, PAGE).await?;
        let Some(&(l, i, _)) = nodes.last() else {
            break;
        };
        for (level, idx, hash) in &nodes {
            let key = format!("level {level} index {idx}");
            match tree.node(*level, *idx) {
                Some(h) if h.as_slice() == hash.as_slice() => {}
                Some(_) => {
                    let first = (*idx).checked_shl(u32::from(*level));
                    let what = "hash differs from the tree recomputed from the events";
                    return Err(mismatch("tree_nodes", key, first, what));
                }
                None => return Err(mismatch("tree_nodes", key, None, "node does not belong to the log")),
            }
        }
        stored += nodes.len() as u64;
        after = Some((l, i));
    }
    let expected_nodes: u64 = (1..64).map(|level| entries >> level).sum();
    if stored != expected_nodes {
        return Err(mismatch("tree_nodes", "*", None, format!("{stored} nodes stored, {expected_nodes} expected")));
    }
    Ok(stored)
}

/// The keys that signed the log, each with the smallest checkpoint size it
/// signs (a rotation at index r hands over from size r + 1), oldest first.
struct KeyChain(Vec<(u64, NoteVerifier)>);

impl KeyChain {
    /// The verifier of the key in force for a checkpoint of `size`.
    fn at(&self, size: u64) -> &NoteVerifier {
        let i = self.0.iter().rposition(|(from, _)| *from <= size).unwrap_or(0);
        &self.0[i].1
    }
}

/// Step 1b: each rotation is signed by the key it retires, and retires the
/// key in force before it; the configured key is the last one. The first
/// key is the first rotation's old key, or the configured key when there was
/// no rotation.
fn key_chain(core: &Core, rotations: &[Handover]) -> Result<KeyChain, VerifyError> {
    let origin = core.keys().origin();
    let configured = core.keys().verifier_key();
    let first = rotations.first().map_or(configured.as_str(), |r| r.old_key.as_str());
    let parse = |key: &str, index: Option<u64>| {
        NoteVerifier::parse(key).map_err(|e| mismatch("log_keys", key_id_of(key), index, format!("bad key: {e}")))
    };
    let mut chain = vec![(0, parse(first, None)?)];
    let mut current = first;
    for r in rotations {
        let at = |problem: String| mismatch("events", r.index.to_string(), Some(r.index), problem);
        if r.old_key != current {
            return Err(at(format!(
                "rotation retires key {} but key {} was in force",
                key_id_of(&r.old_key),
                key_id_of(current)
            )));
        }
        check_rotation(origin, &r.old_key, &r.new_key, &r.statement)
            .map_err(|why| at(format!("key rotation: {why}")))?;
        chain.push((r.index + 1, parse(&r.new_key, Some(r.index))?));
        current = &r.new_key;
    }
    if current != configured {
        let problem = format!(
            "the configured key {} is not the key in force {} (log_key_mismatch)",
            core.keys().key_id(),
            key_id_of(current)
        );
        return Err(mismatch("log_keys", key_id_of(current), None, problem));
    }
    Ok(KeyChain(chain))
}

/// Step 3: every checkpoint's signature by the key in force at its size, its
/// columns against the signed note, and its root against the recomputed
/// tree. A key put in place of a lost one fails here on the first
/// checkpoint it did not sign. Returns the latest size (0 when none was
/// signed yet).
async fn check_checkpoints(
    store: &dyn xinyong_storage::Store,
    keys: &KeyChain,
    tree: &MemoryTree,
    entries: u64,
    progress: Progress<'_>,
) -> Result<u64, VerifyError> {
    let (mut after, mut checked) = (None, 0u64);
    loop {
        let page = store.checkpoints_after(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.size);
        for cp in &page {
            check_checkpoint(cp, keys.at(cp.size), tree, entries)?;
        }
        checked += page.len() as u64;
        progress("checkpoints", checked, 0);
    }
    Ok(after.unwrap_or(0))
}

/// One checkpoint: signature, columns, root.
fn check_checkpoint(
    cp: &StoredCheckpoint,
    verifier: &NoteVerifier,
    tree: &MemoryTree,
    entries: u64,
) -> Result<(), VerifyError> {
    let key = format!("size {}", cp.size);
    let wrong = |what: String| mismatch("checkpoints", key.clone(), None, what);
    let opened = xinyong_tlog::open_checkpoint(&cp.note, verifier).map_err(|e| {
        let signers = note_key_ids(&cp.note).join(", ");
        wrong(format!(
            "signature does not verify with key {:08x} in force at this size (signed by {signers}): {e}",
            verifier.key_id()
        ))
    })?;
    if opened.size != cp.size || opened.root != cp.root {
        return Err(wrong("columns differ from the signed note".to_owned()));
    }
    if cp.size > entries {
        return Err(wrong(format!("checkpoint is larger than the log ({entries})")));
    }
    let root = xinyong_tlog::tree_hash(cp.size, &mut |l: u8, i: u64| tree.node(l, i).ok_or(()))
        .map_err(|()| wrong("tree too small".to_owned()))?;
    if root != cp.root {
        return Err(wrong("signed root differs from the root recomputed from the events".to_owned()));
    }
    Ok(())
}
