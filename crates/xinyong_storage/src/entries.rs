//! How the `events.entry` column holds a log entry (`docs/LOG.md`, "How
//! entries are stored").
//!
//! Every line of an entry is a function of its row: the index, time, actor,
//! kind, subject and rules columns, and the body and salt (the commitment and,
//! in format v2, one digest per leaf of the body). So a row of a v2 entry
//! keeps one byte in `entry`, the format's number, and the bytes are rebuilt
//! when someone asks for them. A v2 record's entry is about 2.2 KB, half of
//! what ingesting a record writes; the byte saves that, about 20 GB per ten
//! million records.
//!
//! A v1 entry (about 300 bytes) is kept whole: rebuilding it reads and hashes
//! the whole body, and some bodies are large (a batch of up to 5,000 check
//! receipts), so serving such an entry stays one small read. Rows written
//! before this form existed hold the entry's bytes too; both forms live in
//! one log. The leaf hash is stored either
//! way, and a rebuilt entry is checked against it before it leaves storage,
//! so a changed column is an error here, never a wrong entry served.
//! Whoever one day erases a body must first write the entry's bytes into its
//! row: without the body, a compact row cannot rebuild them.

use std::borrow::Cow;

use xinyong_domain::event::RuleVersions;
use xinyong_domain::log::{EntryVersion, LogEntry, body_commitment, disclosure, time_from_millis};

use crate::{Result, StorageError, StoredEvent};

/// The compact form of a v2 entry: the format's number.
const COMPACT_V2: u8 = 2;

/// What the `entry` column holds for an entry about to be written with its
/// body and salt: one byte for a v2 entry, the bytes of any other.
pub(crate) fn compact_form(entry: Vec<u8>) -> Vec<u8> {
    match EntryVersion::of(&entry) {
        Some(EntryVersion::V2) => vec![COMPACT_V2],
        Some(EntryVersion::V1) | None => entry,
    }
}

impl StoredEvent {
    /// The format the entry is written in, from either form of the column.
    pub fn entry_version(&self) -> Option<EntryVersion> {
        match self.stored_entry.as_slice() {
            [COMPACT_V2] => Some(EntryVersion::V2),
            bytes => EntryVersion::of(bytes),
        }
    }

    /// Whether the row holds only the entry's format, not its bytes.
    pub fn entry_is_compact(&self) -> bool {
        self.stored_entry.as_slice() == [COMPACT_V2]
    }

    /// The entry's exact bytes, whose leaf hash is in the tree: as stored, or
    /// rebuilt from the row. A rebuilt entry that does not hash to the row's
    /// `leaf_hash` (a column changed outside the log) is an
    /// [`StorageError::Inconsistent`] error.
    pub fn entry(&self) -> Result<Cow<'_, [u8]>> {
        if !self.entry_is_compact() {
            return Ok(Cow::Borrowed(&self.stored_entry));
        }
        let entry = self.rebuild().map_err(|why| self.inconsistent(&why))?;
        if xinyong_tlog::leaf_hash(&entry).as_slice() != self.leaf_hash.as_slice() {
            return Err(self.inconsistent("the entry rebuilt from its row does not hash to leaf_hash"));
        }
        Ok(Cow::Owned(entry))
    }

    /// The v2 entry of this row.
    fn rebuild(&self) -> std::result::Result<Vec<u8>, String> {
        let body = self.body.as_deref().ok_or("the body is gone, and the row holds no entry bytes")?;
        let salt: &[u8; 32] = self
            .salt
            .as_deref()
            .and_then(|s| s.try_into().ok())
            .ok_or("the salt is not 32 bytes, and the row holds no entry bytes")?;
        let rules: RuleVersions =
            serde_json::from_str(&self.rules).map_err(|e| format!("the rules column does not parse: {e}"))?;
        let field_digests =
            disclosure::field_digests(salt, body.as_bytes()).map_err(|e| format!("the body does not parse: {e}"))?;
        let entry = LogEntry {
            index: u64::try_from(self.seq).map_err(|_| "a negative index")?,
            time: time_from_millis(self.time_ms).ok_or("time_ms is out of range")?,
            actor: self.actor.clone(),
            kind: self.kind.clone(),
            subject: self.subject.clone(),
            rules,
            body_commitment: body_commitment(salt, body.as_bytes()),
            field_digests: Some(field_digests),
        };
        Ok(entry.to_bytes())
    }

    fn inconsistent(&self, why: &str) -> StorageError {
        StorageError::Inconsistent(format!("event {}: {why}", self.seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row of the v2 test vector in docs/LOG.md.
    fn vector_row() -> (StoredEvent, Vec<u8>) {
        let entry = "xinyong-entry/v2\nindex 42\ntime 2025-11-26T08:00:00.123Z\nactor department:scjgj\n\
                     kind record_accepted\nsubject 91350100M000100Y43\nrules catalog=2026.3\n\
                     body VKXqoV5rboev0buDr9KLfhGHAUoDPP2yuYfyDOp3+SE=\n\
                     field TT0WX_Sjobjgs6Num7DJf4-rAO90LXtoc_Xfb580YTE\n\
                     field _xzYBrm5zRMEKyh98myJ9gquCzpdpNiExRBxreKaLyk\n\
                     field dtHQDFHSjOFxo1ayWlcL5hBLfWqA5Lhz3GCvq2CWam4\n\
                     field lllsrwcns99fpsdO0CdF3mJumI-_iEBwLT1Q0yBXQ9A\n"
            .as_bytes()
            .to_vec();
        let body = r#"{"kind":"record_accepted","record":{"fields":{"CF_CFJG":"罚款","CF_FRDB":"张三"},"id":"r0123456789abcdef0123"}}"#;
        let row = StoredEvent {
            seq: 42,
            time_ms: 1_764_144_000_123,
            actor: "department:scjgj".to_owned(),
            kind: "record_accepted".to_owned(),
            subject: Some("91350100M000100Y43".to_owned()),
            rules: r#"{"catalog":"2026.3"}"#.to_owned(),
            body: Some(body.to_owned()),
            salt: Some(vec![0x11; 32]),
            stored_entry: compact_form(entry.clone()),
            leaf_hash: xinyong_tlog::leaf_hash(&entry).to_vec(),
        };
        (row, entry)
    }

    #[test]
    fn a_compact_row_rebuilds_the_documented_v2_entry() {
        let (row, entry) = vector_row();
        assert_eq!(row.stored_entry, [COMPACT_V2]);
        assert!(row.entry_is_compact());
        assert_eq!(row.entry_version(), Some(EntryVersion::V2));
        assert_eq!(row.entry().unwrap(), entry.as_slice());
    }

    #[test]
    fn a_v1_entry_is_kept_whole() {
        let (row, _) = vector_row();
        let body = row.body.clone().unwrap();
        let entry = LogEntry {
            index: 42,
            time: time_from_millis(row.time_ms).unwrap(),
            actor: row.actor.clone(),
            kind: row.kind.clone(),
            subject: None,
            rules: RuleVersions::new(),
            body_commitment: body_commitment(&[0x11; 32], body.as_bytes()),
            field_digests: None,
        }
        .to_bytes();
        let row = StoredEvent { stored_entry: compact_form(entry.clone()), ..row };
        assert_eq!(row.stored_entry, entry);
        assert!(!row.entry_is_compact());
        assert_eq!(row.entry_version(), Some(EntryVersion::V1));
        assert_eq!(row.entry().unwrap(), entry.as_slice());
    }

    #[test]
    fn a_row_with_the_bytes_is_read_as_stored() {
        let (mut row, entry) = vector_row();
        row.stored_entry = entry.clone();
        row.body = None;
        assert!(!row.entry_is_compact());
        assert_eq!(row.entry_version(), Some(EntryVersion::V2));
        assert!(matches!(row.entry().unwrap(), Cow::Borrowed(b) if b == entry.as_slice()));
    }

    #[test]
    fn a_changed_column_is_an_error_not_another_entry() {
        let (row, _) = vector_row();
        let changed = [
            StoredEvent { body: Some(row.body.clone().unwrap().replace("罚款", "警告")), ..row.clone() },
            StoredEvent { actor: "department:other".to_owned(), ..row.clone() },
            StoredEvent { time_ms: row.time_ms + 1, ..row.clone() },
            StoredEvent { rules: "{}".to_owned(), ..row.clone() },
            StoredEvent { subject: None, ..row.clone() },
        ];
        for changed in changed {
            let err = changed.entry().unwrap_err().to_string();
            assert!(err.contains("does not hash to leaf_hash"), "{err}");
        }
        let erased = StoredEvent { body: None, ..row.clone() };
        assert!(erased.entry().unwrap_err().to_string().contains("the body is gone"));
        let no_salt = StoredEvent { salt: Some(vec![1; 16]), ..row };
        assert!(no_salt.entry().unwrap_err().to_string().contains("salt"));
    }
}
