//! Reading the log: entries, Merkle tree nodes, checkpoints and the counts
//! on the home page. The one write is [`Store::append`].

use crate::append::to_hash;
use xinyong_domain::log::{LOG_KEYS, LogKeyRow};

use crate::sql::{Cols, Kind, Stmt, Value, placeholders, to_rows};
use crate::{Counts, Hash, Result, StorageError, Store, StoredCheckpoint, StoredEvent, to_i64, to_u64};

const EVENT_KINDS: &[Kind] = &[
    Kind::Int,
    Kind::Int,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Bytes,
    Kind::Bytes,
    Kind::Bytes,
];

const CHECKPOINT_KINDS: &[Kind] = &[Kind::Int, Kind::Bytes, Kind::Text, Kind::Int];

fn event(row: Vec<Value>) -> Result<StoredEvent> {
    let mut c = Cols::new(row, "events");
    Ok(StoredEvent {
        seq: c.int()?,
        time_ms: c.int()?,
        actor: c.text()?,
        kind: c.text()?,
        subject: c.opt_text()?,
        rules: c.text()?,
        body: c.opt_text()?,
        salt: c.opt_bytes()?,
        stored_entry: c.bytes()?,
        leaf_hash: c.bytes()?,
    })
}

fn checkpoint(row: Vec<Value>) -> Result<StoredCheckpoint> {
    let mut c = Cols::new(row, "checkpoints");
    let size = c.int()?;
    let root = c.bytes()?;
    let note = c.text()?;
    let ms = c.int()?;
    Ok(StoredCheckpoint {
        size: to_u64(size),
        root: to_hash(&root, "checkpoint root")?,
        note,
        signed_at: xinyong_domain::log::time_from_millis(ms).unwrap_or_default(),
    })
}

impl dyn Store + '_ {
    /// Number of entries in the log.
    pub async fn log_size(&self) -> Result<u64> {
        let rows = self.fetch(&crate::append::next_index()).await?;
        let size = rows.into_iter().next().map(|r| Cols::new(r, "log size").int()).transpose()?;
        Ok(to_u64(size.unwrap_or(0)))
    }

    /// Up to `limit` events with `seq >= from`, in order.
    pub async fn events_from(&self, from: u64, limit: u32) -> Result<Vec<StoredEvent>> {
        let stmt = Stmt::new(
            "SELECT seq, time_ms, actor, kind, subject, rules, body, salt, entry, leaf_hash \
             FROM events WHERE seq >= $1 ORDER BY seq LIMIT $2",
        )
        .arg(to_i64(from))
        .arg(i64::from(limit))
        .returns(EVENT_KINDS);
        self.fetch(&stmt).await?.into_iter().map(event).collect()
    }

    /// Up to `limit` events naming `subject` in their entry (a USCC), with
    /// `seq > after` and `time_ms < until_ms`, in order; served by
    /// `events_subject (subject, seq)`. A subject's history read back by date.
    pub async fn events_of_subject(
        &self,
        subject: &str,
        until_ms: i64,
        after: Option<u64>,
        limit: u32,
    ) -> Result<Vec<StoredEvent>> {
        let stmt = Stmt::new(
            "SELECT seq, time_ms, actor, kind, subject, rules, body, salt, entry, leaf_hash              FROM events WHERE subject = $1 AND seq > $2 AND time_ms < $3 ORDER BY seq LIMIT $4",
        )
        .arg(subject)
        .arg(after.map_or(-1, to_i64))
        .arg(until_ms)
        .arg(i64::from(limit))
        .returns(EVENT_KINDS);
        self.fetch(&stmt).await?.into_iter().map(event).collect()
    }

    /// The canonical entry bytes at `seq` (rebuilt from its row when the row
    /// holds them in compact form, see [`StoredEvent::entry`]). The body is
    /// read only for a compact row: a whole entry may stand for a body of
    /// megabytes (a batch of check receipts), which this read never needs.
    pub async fn entry(&self, seq: u64) -> Result<Option<Vec<u8>>> {
        let stmt = Stmt::new(
            "SELECT seq, time_ms, actor, kind, subject, rules, CASE WHEN LENGTH(entry) = 1 THEN body END, salt, \
             entry, leaf_hash FROM events WHERE seq = $1",
        )
        .arg(to_i64(seq))
        .returns(EVENT_KINDS);
        let row = self.fetch(&stmt).await?.into_iter().next().map(event).transpose()?;
        row.map(|e| e.entry().map(std::borrow::Cow::into_owned)).transpose()
    }

    /// Hashes of complete subtrees, in the order asked. Level 0 is the leaf
    /// hash. A missing node is an [`StorageError::Inconsistent`] error.
    ///
    /// One statement for all of them (a proof needs about two per tree
    /// level): leaves by index from `events`, the others from `tree_nodes`.
    pub async fn tree_nodes(&self, coords: &[(u8, u64)]) -> Result<Vec<Hash>> {
        if coords.is_empty() {
            return Ok(Vec::new());
        }
        let leaves: Vec<i64> = coords.iter().filter(|(l, _)| *l == 0).map(|(_, i)| to_i64(*i)).collect();
        let inner: Vec<(u8, u64)> = coords.iter().copied().filter(|(l, _)| *l > 0).collect();
        let mut text = String::from("SELECT CAST(0 AS BIGINT), seq, leaf_hash FROM events WHERE seq IN (");
        text.push_str(if leaves.is_empty() { "NULL" } else { "" });
        text.push_str(&placeholders(1, leaves.len()));
        text.push_str(") UNION ALL SELECT level, idx, hash FROM tree_nodes WHERE ");
        if inner.is_empty() {
            text.push_str("1 = 0");
        }
        for i in 0..inner.len() {
            let n = leaves.len() + 2 * i + 1;
            if i > 0 {
                text.push_str(" OR ");
            }
            text.push_str(&format!("(level = ${n} AND idx = ${})", n + 1));
        }
        let mut stmt = Stmt::assembled(text).returns(&[Kind::Int, Kind::Int, Kind::Bytes]);
        for seq in leaves {
            stmt = stmt.arg(seq);
        }
        for (level, idx) in &inner {
            stmt = stmt.arg(i64::from(*level)).arg(to_i64(*idx));
        }
        let mut found = std::collections::HashMap::new();
        for row in self.fetch(&stmt).await? {
            let mut c = Cols::new(row, "tree nodes");
            let (level, idx, hash) = (c.int()?, c.int()?, c.bytes()?);
            found.insert((level, idx), to_hash(&hash, "tree node")?);
        }
        coords
            .iter()
            .map(|&(level, idx)| {
                found
                    .get(&(i64::from(level), to_i64(idx)))
                    .copied()
                    .ok_or_else(|| StorageError::Inconsistent(format!("tree node ({level}, {idx}) is missing")))
            })
            .collect()
    }

    /// Keyset page over the stored nodes of level >= 1, ordered by (level, idx).
    pub async fn tree_nodes_page(&self, after: Option<(u8, u64)>, limit: u32) -> Result<Vec<(u8, u64, Vec<u8>)>> {
        let (level, idx) = after.map_or((0, -1), |(l, i)| (i64::from(l), to_i64(i)));
        let stmt = Stmt::new(
            "SELECT level, idx, hash FROM tree_nodes WHERE level > $1 OR (level = $1 AND idx > $2) \
             ORDER BY level, idx LIMIT $3",
        )
        .arg(level)
        .arg(idx)
        .arg(i64::from(limit))
        .returns(&[Kind::Int, Kind::Int, Kind::Bytes]);
        self.fetch(&stmt)
            .await?
            .into_iter()
            .map(|row| {
                let mut c = Cols::new(row, "tree nodes");
                let (level, idx, hash) = (c.int()?, c.int()?, c.bytes()?);
                Ok((u8::try_from(level).unwrap_or(u8::MAX), to_u64(idx), hash))
            })
            .collect()
    }

    pub async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>> {
        let stmt = Stmt::new("SELECT size, root, note, signed_at_ms FROM checkpoints ORDER BY size DESC LIMIT 1")
            .returns(CHECKPOINT_KINDS);
        self.fetch(&stmt).await?.into_iter().next().map(checkpoint).transpose()
    }

    pub async fn checkpoint(&self, size: u64) -> Result<Option<StoredCheckpoint>> {
        let stmt = Stmt::new("SELECT size, root, note, signed_at_ms FROM checkpoints WHERE size = $1")
            .arg(to_i64(size))
            .returns(CHECKPOINT_KINDS);
        self.fetch(&stmt).await?.into_iter().next().map(checkpoint).transpose()
    }

    /// Checkpoints in size order after `after` (all from the smallest when
    /// `None`), at most `limit`: `verify` checks every signature with the key
    /// in force at its size.
    pub async fn checkpoints_after(&self, after: Option<u64>, limit: u32) -> Result<Vec<StoredCheckpoint>> {
        // -1 is below every size, so the first page starts at size 0.
        let from = after.map_or(-1, to_i64);
        let stmt =
            Stmt::new("SELECT size, root, note, signed_at_ms FROM checkpoints WHERE size > $1 ORDER BY size LIMIT $2")
                .arg(from)
                .arg(i64::from(limit))
                .returns(CHECKPOINT_KINDS);
        self.fetch(&stmt).await?.into_iter().map(checkpoint).collect()
    }

    /// Every change of the signing key, oldest first. One row per rotation:
    /// few enough to read whole whenever a checkpoint is signed.
    pub async fn log_keys(&self) -> Result<Vec<LogKeyRow>> {
        to_rows(self.fetch(&Stmt::select(&LOG_KEYS).push(" ORDER BY from_index")).await?)
    }

    /// Stores a signed checkpoint; a second checkpoint for the same size is ignored.
    pub async fn save_checkpoint(&self, cp: &StoredCheckpoint) -> Result<()> {
        let stmt = Stmt::new(
            "INSERT INTO checkpoints (size, root, note, signed_at_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (size) DO NOTHING",
        )
        .arg(to_i64(cp.size))
        .arg(cp.root.to_vec())
        .arg(cp.note.as_str())
        .arg(cp.signed_at.timestamp_millis());
        self.execute(&stmt).await?;
        Ok(())
    }

    /// Row counts shown on the home page and in metrics.
    pub async fn counts(&self) -> Result<Counts> {
        let stmt = Stmt::new(
            "SELECT (SELECT COALESCE(MAX(seq) + 1, 0) FROM events), (SELECT COUNT(*) FROM subjects), \
             (SELECT COUNT(*) FROM persons), (SELECT COUNT(*) FROM relations)",
        )
        .returns(&[Kind::Int, Kind::Int, Kind::Int, Kind::Int]);
        let row = self.fetch(&stmt).await?.into_iter().next().unwrap_or_default();
        let mut c = Cols::new(row, "counts");
        Ok(Counts { events: c.count()?, subjects: c.count()?, persons: c.count()?, relations: c.count()? })
    }
}
