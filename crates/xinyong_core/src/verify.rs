//! `xinyong verify`: recompute every leaf from the stored events, rebuild the
//! tree, check the latest checkpoint's signature and root, and replay the log
//! to check every projection row. The first mismatch is named by table, key
//! and log index.

use std::collections::BTreeMap;
use std::fmt;

use xinyong_domain::event::{
    Actor, Event, EventBody, ProjectionWrite, RuleVersions, time_from_millis,
};
use xinyong_storage::{PersonRecord, RelationRecord, StoredEvent, SubjectRecord};
use xinyong_tlog::MemoryTree;

use crate::error::CoreError;
use crate::log::Core;

/// Rows fetched per round trip while walking tables.
const PAGE: u32 = 10_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: u64,
    pub tree_nodes: u64,
    pub checkpoint_size: u64,
    pub subjects: u64,
    pub persons: u64,
    pub relations: u64,
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
    VerifyError::Mismatch(Mismatch {
        table,
        key: key.into(),
        index,
        problem: problem.into(),
    })
}

/// Progress callback: (what, done, total).
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Send + Sync);

#[derive(Default)]
struct Expected {
    subjects: BTreeMap<String, SubjectRecord>,
    persons: BTreeMap<String, PersonRecord>,
    relations: BTreeMap<(String, String, String), RelationRecord>,
}

impl Expected {
    fn apply(&mut self, event: &Event) {
        for write in event.projection_writes() {
            match write {
                ProjectionWrite::Subject(row) => {
                    let rec = SubjectRecord::from(&row);
                    self.subjects.insert(rec.uscc.clone(), rec);
                }
                ProjectionWrite::Person(row) => {
                    let rec = PersonRecord::from(&row);
                    self.persons.insert(rec.id_number.clone(), rec);
                }
                ProjectionWrite::Relation(row) => {
                    let rec = RelationRecord::from(&row);
                    self.relations.insert(
                        (rec.uscc.clone(), rec.id_number.clone(), rec.role.clone()),
                        rec,
                    );
                }
            }
        }
    }
}

/// Rebuilds the domain event from a stored row, or says which column is wrong.
fn decode_event(row: &StoredEvent) -> Result<Event, VerifyError> {
    let seq = u64::try_from(row.seq)
        .map_err(|_| mismatch("events", row.seq.to_string(), None, "negative seq"))?;
    let bad = |problem: String| mismatch("events", seq.to_string(), Some(seq), problem);
    let body_json = row
        .body
        .as_deref()
        .ok_or_else(|| bad("body is missing".to_owned()))?;
    let body: EventBody = serde_json::from_str(body_json)
        .map_err(|e| bad(format!("body is not a valid event: {e}")))?;
    if body.kind() != row.kind {
        return Err(bad(format!(
            "kind column {:?} does not match the body ({})",
            row.kind,
            body.kind()
        )));
    }
    let subject = body.public_subject().map(|u| u.as_str().to_owned());
    if subject != row.subject {
        return Err(bad(format!(
            "subject column {:?} does not match the body ({subject:?})",
            row.subject
        )));
    }
    let rules: RuleVersions = serde_json::from_str(&row.rules)
        .map_err(|e| bad(format!("rules column is not valid: {e}")))?;
    let actor = Actor::parse(&row.actor).map_err(|e| bad(format!("actor column: {e}")))?;
    let time = time_from_millis(row.time_ms).ok_or_else(|| bad("time out of range".to_owned()))?;
    let salt: [u8; 32] = row
        .salt
        .as_deref()
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| bad("salt is missing or not 32 bytes".to_owned()))?;
    Ok(Event {
        seq,
        time,
        actor,
        rules,
        body,
        salt,
    })
}

/// Runs every check; `Ok` only when everything agrees.
pub async fn verify(core: &Core, progress: Progress<'_>) -> Result<VerifyReport, VerifyError> {
    let store = core.store();
    let size = store.log_size().await?;
    let mut report = VerifyReport::default();
    let mut tree = MemoryTree::new();
    let mut expected = Expected::default();

    // 1. Every event: columns ↔ body ↔ entry bytes ↔ leaf hash.
    let mut next = 0u64;
    loop {
        let rows = store.events_from(next, PAGE).await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            if u64::try_from(row.seq).ok() != Some(next) {
                return Err(mismatch(
                    "events",
                    row.seq.to_string(),
                    Some(next),
                    format!("expected index {next}; the log has a gap"),
                ));
            }
            let event = decode_event(row)?;
            let entry = event.entry().to_bytes();
            if entry != row.entry {
                return Err(mismatch(
                    "events",
                    next.to_string(),
                    Some(next),
                    "stored entry bytes differ from the entry recomputed from the event's columns and body",
                ));
            }
            let leaf = xinyong_tlog::leaf_hash(&row.entry);
            if row.leaf_hash.as_slice() != leaf.as_slice() {
                return Err(mismatch(
                    "events",
                    next.to_string(),
                    Some(next),
                    "leaf_hash is not the hash of the entry",
                ));
            }
            tree.push(leaf);
            expected.apply(&event);
            next += 1;
        }
        progress("events", next, size);
    }
    report.entries = next;

    // 2. Stored tree nodes equal the recomputed tree.
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
                    return Err(mismatch(
                        "tree_nodes",
                        key,
                        first,
                        "hash differs from the tree recomputed from the events",
                    ));
                }
                None => {
                    return Err(mismatch(
                        "tree_nodes",
                        key,
                        None,
                        "node does not belong to the log",
                    ));
                }
            }
        }
        report.tree_nodes += nodes.len() as u64;
        after = Some((l, i));
    }
    let expected_nodes: u64 = (1..64).map(|level| next >> level).sum();
    if report.tree_nodes != expected_nodes {
        return Err(mismatch(
            "tree_nodes",
            "*",
            None,
            format!(
                "{} nodes stored, {expected_nodes} expected",
                report.tree_nodes
            ),
        ));
    }

    // 3. The latest checkpoint: signature, origin, and root of the recomputed tree.
    if let Some(cp) = store.latest_checkpoint().await? {
        let key = format!("size {}", cp.size);
        let verifier = core.keys().verifier()?;
        let opened = xinyong_tlog::open_checkpoint(&cp.note, &verifier).map_err(|e| {
            mismatch(
                "checkpoints",
                key.clone(),
                None,
                format!("signature does not verify: {e}"),
            )
        })?;
        if opened.size != cp.size || opened.root != cp.root {
            return Err(mismatch(
                "checkpoints",
                key,
                None,
                "columns differ from the signed note",
            ));
        }
        if cp.size > next {
            return Err(mismatch(
                "checkpoints",
                key,
                None,
                format!("checkpoint is larger than the log ({next})"),
            ));
        }
        let root = xinyong_tlog::tree_hash(cp.size, &mut |l: u8, i: u64| tree.node(l, i).ok_or(()))
            .map_err(|()| mismatch("checkpoints", key.clone(), None, "tree too small"))?;
        if root != cp.root {
            return Err(mismatch(
                "checkpoints",
                key,
                None,
                "signed root differs from the root recomputed from the events",
            ));
        }
        report.checkpoint_size = cp.size;
    }

    // 4. Projections: replayed rows ↔ stored rows, both ways.
    let mut after: Option<String> = None;
    loop {
        let rows = store.subjects_page(after.as_deref(), PAGE).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.uscc.clone());
        for row in rows {
            match expected.subjects.remove(&row.uscc) {
                Some(want) if want == row => {}
                Some(want) => {
                    return Err(mismatch(
                        "subjects",
                        row.uscc.clone(),
                        u64::try_from(want.seq).ok(),
                        describe(&want, &row),
                    ));
                }
                None => {
                    return Err(mismatch(
                        "subjects",
                        row.uscc.clone(),
                        u64::try_from(row.seq).ok(),
                        "row not produced by any event",
                    ));
                }
            }
            report.subjects += 1;
        }
        progress("subjects", report.subjects, 0);
    }
    if let Some((key, want)) = expected.subjects.into_iter().next() {
        return Err(mismatch(
            "subjects",
            key,
            u64::try_from(want.seq).ok(),
            "row is missing",
        ));
    }

    let mut after: Option<String> = None;
    loop {
        let rows = store.persons_page(after.as_deref(), PAGE).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id_number.clone());
        for row in rows {
            // Keys of natural persons are masked even in operator output.
            let key = core.settings().mask.mask_id(&row.id_number);
            match expected.persons.remove(&row.id_number) {
                Some(want) if want == row => {}
                Some(want) => {
                    return Err(mismatch(
                        "persons",
                        key,
                        u64::try_from(want.seq).ok(),
                        "row differs from the log",
                    ));
                }
                None => {
                    return Err(mismatch(
                        "persons",
                        key,
                        u64::try_from(row.seq).ok(),
                        "row not produced by any event",
                    ));
                }
            }
            report.persons += 1;
        }
    }
    if let Some((key, want)) = expected.persons.into_iter().next() {
        let key = core.settings().mask.mask_id(&key);
        return Err(mismatch(
            "persons",
            key,
            u64::try_from(want.seq).ok(),
            "row is missing",
        ));
    }

    let mut after: Option<(String, String, String)> = None;
    loop {
        let page_after = after
            .as_ref()
            .map(|(u, i, r)| (u.as_str(), i.as_str(), r.as_str()));
        let rows = store.relations_page(page_after, PAGE).await?;
        let Some(last) = rows.last() else { break };
        after = Some((last.uscc.clone(), last.id_number.clone(), last.role.clone()));
        for row in rows {
            let key = format!(
                "{} {} {}",
                row.uscc,
                core.settings().mask.mask_id(&row.id_number),
                row.role
            );
            match expected.relations.remove(&(
                row.uscc.clone(),
                row.id_number.clone(),
                row.role.clone(),
            )) {
                Some(want) if want == row => {}
                Some(want) => {
                    return Err(mismatch(
                        "relations",
                        key,
                        u64::try_from(want.seq).ok(),
                        "row differs from the log",
                    ));
                }
                None => {
                    return Err(mismatch(
                        "relations",
                        key,
                        u64::try_from(row.seq).ok(),
                        "row not produced by any event",
                    ));
                }
            }
            report.relations += 1;
        }
    }
    if let Some(((u, i, r), want)) = expected.relations.into_iter().next() {
        let key = format!("{u} {} {r}", core.settings().mask.mask_id(&i));
        return Err(mismatch(
            "relations",
            key,
            u64::try_from(want.seq).ok(),
            "row is missing",
        ));
    }

    Ok(report)
}

fn describe(want: &SubjectRecord, got: &SubjectRecord) -> String {
    let mut diffs = Vec::new();
    if want.name != got.name {
        diffs.push(format!("name {:?} ≠ {:?}", got.name, want.name));
    }
    if want.status != got.status {
        diffs.push(format!("status {:?} ≠ {:?}", got.status, want.status));
    }
    if want.division != got.division {
        diffs.push(format!("division {:?} ≠ {:?}", got.division, want.division));
    }
    if want.seq != got.seq {
        diffs.push(format!("seq {} ≠ {}", got.seq, want.seq));
    }
    format!("row differs from the log: {}", diffs.join(", "))
}
