//! The log's own vocabulary: the canonical entry whose RFC 6962 leaf hash is in
//! the tree, and the salted commitment to an event body it carries
//! (`docs/LOG.md`). Events themselves are composed in [`crate::event`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL;
use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use sha2::{Digest, Sha256};

use crate::event::RuleVersions;

/// `SHA-256(salt ‖ canonical body JSON)`.
pub fn body_commitment(salt: &[u8; 32], body_json: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(body_json);
    h.finalize().into()
}

/// The canonical log entry: the exact bytes whose RFC 6962 leaf hash is in the
/// tree. Format (UTF-8, each line ends with `\n`, documented in docs/LOG.md):
///
/// ```text
/// xinyong-entry/v1
/// index 42
/// time 2026-11-26T08:00:00.000Z
/// actor department:sjscjgj
/// kind legal_person_registered
/// subject 91370102MA3CXXXXXX      (or "-" when there is no public subject)
/// rules catalog=2026.1 regime=c   (or "-"; sorted key=value pairs)
/// body <base64 of SHA-256(salt ‖ canonical body JSON)>
/// ```
///
/// Version 2 (`xinyong-entry/v2`, records) adds one line per leaf of the
/// body after `body`: `field <base64url SHA-256 of the leaf's disclosure>`,
/// sorted ascending (see [`crate::log::disclosure`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub index: u64,
    pub time: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub subject: Option<String>,
    pub rules: RuleVersions,
    pub body_commitment: [u8; 32],
    /// `None` for a v1 entry; for v2 the sorted digests of the body's leaves.
    pub field_digests: Option<Vec<[u8; 32]>>,
}

pub const ENTRY_HEADER: &str = "xinyong-entry/v1";
pub const ENTRY_HEADER_V2: &str = "xinyong-entry/v2";

/// Which format an entry is written in (docs/LOG.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryVersion {
    /// One salted commitment to the whole body.
    V1,
    /// V1's commitment plus one digest per leaf of the body.
    V2,
}

impl EntryVersion {
    /// The version of stored entry bytes, read from their first line.
    pub fn of(entry: &[u8]) -> Option<EntryVersion> {
        let header = entry.split(|b| *b == b'\n').next()?;
        match header {
            h if h == ENTRY_HEADER.as_bytes() => Some(EntryVersion::V1),
            h if h == ENTRY_HEADER_V2.as_bytes() => Some(EntryVersion::V2),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("entry line {line}: expected `{expected}`")]
    Malformed { line: usize, expected: &'static str },
    #[error("entry is not UTF-8")]
    NotUtf8,
}

impl LogEntry {
    pub fn to_bytes(&self) -> Vec<u8> {
        let rules = if self.rules.is_empty() {
            "-".to_owned()
        } else {
            self.rules.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
        };
        let header = if self.field_digests.is_some() { ENTRY_HEADER_V2 } else { ENTRY_HEADER };
        let mut text = format!(
            "{header}\nindex {}\ntime {}\nactor {}\nkind {}\nsubject {}\nrules {}\nbody {}\n",
            self.index,
            self.time.to_rfc3339_opts(SecondsFormat::Millis, true),
            self.actor,
            self.kind,
            self.subject.as_deref().unwrap_or("-"),
            rules,
            BASE64.encode(self.body_commitment),
        );
        // "field " + 43 characters + newline per digest.
        text.reserve(self.field_digests.as_ref().map_or(0, |d| d.len() * 50));
        for digest in self.field_digests.iter().flatten() {
            text.push_str("field ");
            BASE64URL.encode_string(digest, &mut text);
            text.push('\n');
        }
        text.into_bytes()
    }

    pub fn parse(bytes: &[u8]) -> Result<LogEntry, EntryError> {
        let text = std::str::from_utf8(bytes).map_err(|_| EntryError::NotUtf8)?;
        let text = text.strip_suffix('\n').ok_or(EntryError::Malformed { line: 8, expected: "trailing newline" })?;
        let lines: Vec<&str> = text.split('\n').collect();
        let field = |i: usize, key: &'static str| -> Result<&str, EntryError> {
            lines
                .get(i)
                .and_then(|l| l.strip_prefix(key))
                .and_then(|l| l.strip_prefix(' '))
                .filter(|v| !v.is_empty() && !v.contains(' ') || key == "rules")
                .ok_or(EntryError::Malformed { line: i + 1, expected: key })
        };
        let v2 = lines.first() == Some(&ENTRY_HEADER_V2);
        if !v2 && (lines.len() != 8 || lines[0] != ENTRY_HEADER) {
            return Err(EntryError::Malformed { line: 1, expected: ENTRY_HEADER });
        }
        if v2 && lines.len() < 9 {
            return Err(EntryError::Malformed { line: 9, expected: "field <base64url SHA-256>" });
        }
        let index =
            field(1, "index")?.parse().map_err(|_| EntryError::Malformed { line: 2, expected: "index <u64>" })?;
        let time = DateTime::parse_from_rfc3339(field(2, "time")?)
            .map_err(|_| EntryError::Malformed { line: 3, expected: "time <RFC 3339>" })?
            .with_timezone(&Utc);
        let actor = field(3, "actor")?.to_owned();
        let kind = field(4, "kind")?.to_owned();
        let subject = match field(5, "subject")? {
            "-" => None,
            s => Some(s.to_owned()),
        };
        let mut rules = RuleVersions::new();
        let raw_rules = field(6, "rules")?;
        if raw_rules != "-" {
            for pair in raw_rules.split(' ') {
                let (k, v) =
                    pair.split_once('=').ok_or(EntryError::Malformed { line: 7, expected: "rules key=value ..." })?;
                rules.insert(k.to_owned(), v.to_owned());
            }
        }
        let commitment = BASE64
            .decode(field(7, "body")?)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or(EntryError::Malformed { line: 8, expected: "body <base64 SHA-256>" })?;
        let field_digests = if v2 { Some(parse_field_lines(&lines[8..])?) } else { None };
        Ok(LogEntry { index, time, actor, kind, subject, rules, body_commitment: commitment, field_digests })
    }
}

/// A v2 entry's `field` lines: at least one, each a base64url (unpadded)
/// SHA-256, strictly ascending so that one body has one entry.
fn parse_field_lines(lines: &[&str]) -> Result<Vec<[u8; 32]>, EntryError> {
    let mut digests: Vec<[u8; 32]> = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let ascending = i == 0 || lines[i - 1] < *line;
        let bad = EntryError::Malformed { line: i + 9, expected: "field <base64url SHA-256>, ascending" };
        let digest = line
            .strip_prefix("field ")
            .and_then(|d| BASE64URL.decode(d).ok())
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or(bad.clone())?;
        if !ascending {
            return Err(bad);
        }
        digests.push(digest);
    }
    Ok(digests)
}

/// Milliseconds since the Unix epoch → UTC time (storage keeps instants as i64 ms).
pub fn time_from_millis(ms: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_entries_are_errors_not_panics() {
        for bad in ["", "xinyong-entry/v1\n", "x\ny\n", "xinyong-entry/v1\nindex a\n"] {
            assert!(LogEntry::parse(bad.as_bytes()).is_err());
        }
    }
}
