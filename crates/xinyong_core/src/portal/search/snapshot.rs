//! The search index saved to a file, so that a restart loads it instead of
//! analysing every name again (at a million organisations, reading
//! `subjects` and building the index took about 3.5 s of a 2-core machine).
//!
//! The file is a cache, not a record: nothing is proven with it, and deleting
//! it only makes the next start rebuild from the `subjects` table. A file is
//! used only when every one of these holds, else the index is rebuilt as
//! before and the reason is logged:
//!
//! - it starts with [`MAGIC`] and its header's format is [`FORMAT`];
//! - its analysis fingerprint equals this binary's (a digest of how a fixed
//!   set of names is analysed), so a binary that indexes names differently
//!   never answers from another's lists;
//! - the log has at least the header's `log_size` entries and the root hash
//!   of its first `log_size` entries equals the header's (a restored
//!   backup, another city's database or a rebuilt log are all noticed);
//! - the payload has the header's length and CRC-32;
//! - the payload holds together: every name span lies in the name arena,
//!   every list ascends and points at entries, no code is live twice.
//!
//! The index then reflects the log's first `log_size` entries, and the
//! server's follower applies everything after them, as it does for a rebuilt
//! index.
//!
//! # Layout
//!
//! `MAGIC` (8 bytes), the header's length (u32, little-endian), the header,
//! then the payload; header and payload are [postcard] (its wire format v1)
//! of the header (format, analysis fingerprint, log size, root hash, payload
//! length and CRC-32) and of the index's arena, entries and inverted lists
//! (in gram order, so the same index always makes the same file).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::{Entry, GramLists, Inner, SearchIndex, analyse, normalize, strip_legal_forms};
use crate::error::{CoreError, Result};
use crate::log::Core;

/// First bytes of a snapshot file.
pub const MAGIC: &[u8; 8] = b"XYSRCHIX";

/// Version of the layout; a file of another version is not read. Raise it
/// with any change to the payload, `Entry` or `Span`: the analysis
/// fingerprint does not see those, and the test
/// `the_payload_layout_is_pinned` fails until the new layout is pinned.
pub const FORMAT: u32 = 1;

/// Name of the file in the snapshot directory (`[indexes] snapshot_dir`).
pub const FILE_NAME: &str = "search-index.bin";

/// Longest header read (the real one is about 90 bytes).
const MAX_HEADER: usize = 4096;

/// What a file says about its payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    format: u32,
    analysis: [u8; 32],
    log_size: u64,
    root: [u8; 32],
    payload_len: u64,
    payload_crc32: u32,
}

#[derive(Serialize)]
struct PayloadRef<'a> {
    arena: &'a str,
    entries: &'a [Entry],
    grams: Vec<(u64, &'a [u32])>,
}

#[derive(Deserialize)]
struct Payload {
    arena: String,
    entries: Vec<Entry>,
    grams: Vec<(u64, Vec<u32>)>,
}

/// What [`load`] found.
#[derive(Debug)]
pub enum Loaded {
    /// The index as of the log size it reports ([`SearchIndex::applied`]).
    Index(SearchIndex),
    /// No file yet.
    Missing,
    /// A file that must not be used, and why.
    Unusable(String),
}

/// What [`save`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub path: PathBuf,
    /// Log size the saved index reflects.
    pub log_size: u64,
    pub bytes: u64,
}

/// The file [`save`] writes and [`load`] reads in `dir`.
pub fn path_in(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// Writes the index to `dir` (created if needed): to a temporary file that
/// is synced and then renamed over the previous snapshot, so a crash leaves
/// the old file or the new one, never half of one. Searches go on while the
/// index is copied; the follower waits for that copy (a few hundred ms at a
/// million names).
pub async fn save(core: &Core, index: &Arc<SearchIndex>, dir: &Path) -> Result<Saved> {
    // Read before the copy: the copy reflects at least this much, and
    // applying the entries after it again is harmless.
    let log_size = index.applied();
    let root = core.tree_hash(log_size).await?;
    let index = Arc::clone(index);
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        let payload = index.read().snapshot_payload()?;
        let header = Header {
            format: FORMAT,
            analysis: analysis_fingerprint(),
            log_size,
            root,
            payload_len: payload.len() as u64,
            payload_crc32: crc32fast::hash(&payload),
        };
        let header = postcard::to_stdvec(&header).map_err(|e| internal("encoding the header", &e))?;
        write_atomically(&dir, &header, &payload)?;
        Ok(Saved { path: path_in(&dir), log_size, bytes: (MAGIC.len() + 4 + header.len() + payload.len()) as u64 })
    })
    .await
    .map_err(|e| internal("the snapshot task", &e))?
}

/// Reads the snapshot in `dir`, if it may be used (see the module
/// documentation). Only a database error is an error; anything wrong with
/// the file is [`Loaded::Unusable`].
pub async fn load(core: &Core, dir: &Path) -> Result<Loaded> {
    let path = path_in(dir);
    let bytes = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::Missing),
        Err(e) => return Ok(Loaded::Unusable(format!("cannot read {}: {e}", path.display()))),
    };
    let (header, payload_at) = match parse_header(&bytes) {
        Ok(found) => found,
        Err(why) => return Ok(Loaded::Unusable(why)),
    };
    let size = core.store().log_size().await?;
    if header.log_size > size {
        return Ok(Loaded::Unusable(format!(
            "the snapshot reflects {} log entries, the log has {size}",
            header.log_size
        )));
    }
    if core.tree_hash(header.log_size).await? != header.root {
        return Ok(Loaded::Unusable(format!(
            "the log's root hash at size {} differs from the snapshot's (another database?)",
            header.log_size
        )));
    }
    tokio::task::spawn_blocking(move || {
        let payload = bytes.get(payload_at..).unwrap_or_default();
        match decode(&header, payload) {
            Ok(inner) => Loaded::Index(SearchIndex::with_inner(inner, header.log_size)),
            Err(why) => Loaded::Unusable(why),
        }
    })
    .await
    .map_err(|e| internal("the snapshot task", &e))
}

/// The header, and where the payload starts; checks everything the header
/// alone can tell.
fn parse_header(bytes: &[u8]) -> std::result::Result<(Header, usize), String> {
    let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or("not a search index snapshot (magic)")?;
    let (len, rest) = rest.split_first_chunk::<4>().ok_or("the header's length is cut off")?;
    let len = u32::from_le_bytes(*len) as usize;
    if len > MAX_HEADER || len > rest.len() {
        return Err(format!("header length {len} is out of range"));
    }
    let (header, _) = rest.split_at(len);
    let header: Header = postcard::from_bytes(header).map_err(|e| format!("the header does not decode: {e}"))?;
    if header.format != FORMAT {
        return Err(format!("format {} (this binary reads {FORMAT})", header.format));
    }
    if header.analysis != analysis_fingerprint() {
        return Err("written by a binary that analyses names differently".to_owned());
    }
    Ok((header, MAGIC.len() + 4 + len))
}

/// The index in the payload, checked against the header and for internal
/// consistency.
fn decode(header: &Header, payload: &[u8]) -> std::result::Result<Inner, String> {
    if payload.len() as u64 != header.payload_len {
        return Err(format!("the payload has {} bytes, the header says {}", payload.len(), header.payload_len));
    }
    if crc32fast::hash(payload) != header.payload_crc32 {
        return Err("the payload's CRC-32 does not match (damaged file)".to_owned());
    }
    let payload: Payload = postcard::from_bytes(payload).map_err(|e| format!("the payload does not decode: {e}"))?;
    Inner::from_snapshot(payload.arena, payload.entries, payload.grams)
}

/// Writes `MAGIC`, the header's length, `header` and `payload` to a
/// temporary file in `dir`, syncs it and renames it to [`FILE_NAME`].
fn write_atomically(dir: &Path, header: &[u8], payload: &[u8]) -> Result<()> {
    let io = |what: &str, e: &dyn std::fmt::Display| internal(&format!("{what} {}", dir.display()), e);
    std::fs::create_dir_all(dir).map_err(|e| io("creating", &e))?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| io("creating a file in", &e))?;
    let header_len = u32::try_from(header.len()).map_err(|e| internal("the header's length", &e))?;
    let mut out = std::io::BufWriter::new(file.as_file_mut());
    out.write_all(MAGIC)
        .and_then(|()| out.write_all(&header_len.to_le_bytes()))
        .and_then(|()| out.write_all(header))
        .and_then(|()| out.write_all(payload))
        .and_then(|()| out.flush())
        .map_err(|e| io("writing a snapshot in", &e))?;
    drop(out);
    file.as_file().sync_all().map_err(|e| io("syncing a snapshot in", &e))?;
    file.persist(path_in(dir)).map_err(|e| io("renaming a snapshot in", &e.error))?;
    Ok(())
}

fn internal(what: &str, e: &dyn std::fmt::Display) -> CoreError {
    CoreError::Internal(format!("搜索索引快照：{what}：{e}"))
}

/// Names whose analysis the fingerprint covers: every form the analysis
/// treats differently (brackets, place names, legal forms, full-width and
/// Latin letters, a person's name, a branch).
const PROBES: &[&str] = &[
    "济南泉润商贸有限公司",
    "泉润（济南）商贸有限公司",
    "山东省济南市历下区鑫源餐饮店",
    "ＡＢＣ科技股份有限公司",
    "历城区王建国个体工商户",
    "济南市槐荫区丁建国副食店",
    "青岛啤酒股份有限公司济南分公司",
    "Ab-12 (China) Co., Ltd.",
    "章丘区绣惠镇农机专业合作社",
    "济南 · 齐鲁软件园发展中心",
];

/// A digest of how this binary analyses names: the normalized text, the
/// stripped form, the anchors and the grams of each of a fixed set of names.
pub fn analysis_fingerprint() -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(FORMAT.to_le_bytes());
    for probe in PROBES {
        let normalized = normalize(probe);
        let analysed = analyse(probe);
        h.update(normalized.as_bytes());
        h.update([0]);
        h.update(strip_legal_forms(&normalized, false).as_bytes());
        h.update([0]);
        h.update(analysed.text.as_bytes());
        h.update([0]);
        for (a, b) in &analysed.anchors {
            h.update((*a as u64).to_le_bytes());
            h.update((*b as u64).to_le_bytes());
        }
        for gram in &analysed.grams {
            h.update(gram.to_le_bytes());
        }
        h.update([b'\n']);
    }
    h.finalize().into()
}

impl Inner {
    /// The payload of a snapshot: arena, entries (retired ones too, since
    /// the lists name entries by position) and lists.
    fn snapshot_payload(&self) -> Result<Vec<u8>> {
        // In gram order, so the same index always makes the same file.
        let mut grams: Vec<(u64, &[u32])> = self.grams.iter().map(|(gram, list)| (*gram, list.as_slice())).collect();
        grams.sort_unstable_by_key(|(gram, _)| *gram);
        let payload = PayloadRef { arena: &self.arena, entries: &self.entries, grams };
        postcard::to_stdvec(&payload).map_err(|e| internal("encoding the index", &e))
    }

    /// The index a snapshot holds, if it holds together; the code map and
    /// the live count are derived from the entries.
    fn from_snapshot(
        arena: String,
        entries: Vec<Entry>,
        lists: Vec<(u64, Vec<u32>)>,
    ) -> std::result::Result<Inner, String> {
        let mut inner = Inner { arena, ..Inner::default() };
        inner.by_code.reserve(entries.len());
        for (id, entry) in entries.iter().enumerate() {
            let span_ok =
                |start: u32, len: u32| inner.arena.get(start as usize..start as usize + len as usize).is_some();
            let anchors_ok = entry
                .anchors
                .iter()
                .take(usize::from(entry.anchor_count))
                .all(|&(a, b)| a <= b && u32::from(b) <= entry.text.len);
            if !span_ok(entry.name.start, entry.name.len)
                || !span_ok(entry.text.start, entry.text.len)
                || usize::from(entry.anchor_count) > entry.anchors.len()
                || !anchors_ok
                || std::str::from_utf8(&entry.code).is_err()
            {
                return Err(format!("entry {id} points outside the names"));
            }
            if entry.alive {
                let id = u32::try_from(id).map_err(|_| "too many entries".to_owned())?;
                if inner.by_code.insert(entry.code, id).is_some() {
                    return Err(format!("code {} is live twice", String::from_utf8_lossy(&entry.code)));
                }
                inner.live += 1;
            }
        }
        let count = entries.len();
        inner.entries = entries;
        inner.grams = GramLists::with_capacity_and_hasher(lists.len(), Default::default());
        for (gram, list) in lists {
            let ascending = list.windows(2).all(|w| w[0] < w[1]);
            if !ascending || list.last().is_some_and(|&last| last as usize >= count) {
                return Err(format!("the list of gram {gram:#x} is out of order or names a missing entry"));
            }
            if inner.grams.insert(gram, list).is_some() {
                return Err(format!("gram {gram:#x} is listed twice"));
            }
        }
        Ok(inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use xinyong_domain::subjects::SubjectStatus;

    fn payload() -> Vec<u8> {
        let index = SearchIndex::new();
        {
            let mut inner = index.write();
            inner.upsert("91370100MA00000001", "济南泉润商贸有限公司", SubjectStatus::Active);
            inner.upsert("91370100MA00000002", "济南鑫源餐饮有限公司", SubjectStatus::Active);
        }
        index.read().snapshot_payload().unwrap()
    }

    /// Decodes the payload, lets `damage` change it and loads it.
    fn load_damaged(damage: impl FnOnce(&mut Payload)) -> std::result::Result<Inner, String> {
        let mut payload: Payload = postcard::from_bytes(&payload()).unwrap();
        damage(&mut payload);
        Inner::from_snapshot(payload.arena, payload.entries, payload.grams)
    }

    #[test]
    fn a_payload_that_does_not_hold_together_is_refused() {
        assert_eq!(load_damaged(|_| {}).unwrap().live, 2);
        let shared = |p: &mut Payload| p.grams.iter().position(|(_, list)| list.len() == 2).unwrap();
        let out_of_order = load_damaged(|p| {
            let at = shared(p);
            p.grams[at].1.reverse();
        });
        assert!(out_of_order.err().unwrap().contains("out of order"));
        let missing = load_damaged(|p| {
            let at = shared(p);
            p.grams[at].1.push(99);
        });
        assert!(missing.err().unwrap().contains("missing entry"));
        let short = load_damaged(|p| p.arena.truncate(3));
        assert!(short.err().unwrap().contains("outside the names"));
        let twice = load_damaged(|p| p.entries[1].code = p.entries[0].code);
        assert!(twice.err().unwrap().contains("live twice"));
    }

    /// The payload of a fixed index, byte for byte. When this fails after a
    /// change to the payload, `Entry` or `Span`, raise [`FORMAT`] and pin
    /// the new digest: old files must not be read with the new layout.
    #[test]
    fn the_payload_layout_is_pinned() {
        let digest = hex::encode(Sha256::digest(payload()));
        assert_eq!((FORMAT, digest.as_str()), (1, "07758e24c2cbf8856b9649bfc654fdaf05cfef9a46c059efe4d28303aa24e2b8"));
    }

    #[test]
    fn the_fingerprint_is_stable_within_a_binary() {
        assert_eq!(analysis_fingerprint(), analysis_fingerprint());
    }

    #[test]
    fn a_header_round_trips_and_damage_is_named() {
        let header = Header {
            format: FORMAT,
            analysis: analysis_fingerprint(),
            log_size: 7,
            root: [3; 32],
            payload_len: 0,
            payload_crc32: crc32fast::hash(&[]),
        };
        let encoded = postcard::to_stdvec(&header).unwrap();
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&(encoded.len() as u32).to_le_bytes());
        file.extend_from_slice(&encoded);
        let (parsed, at) = parse_header(&file).unwrap();
        assert_eq!((parsed, at), (header.clone(), file.len()));
        assert!(parse_header(b"XYSRCHI").unwrap_err().contains("magic"));
        let mut other = header;
        other.format = FORMAT + 1;
        let encoded = postcard::to_stdvec(&other).unwrap();
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&(encoded.len() as u32).to_le_bytes());
        file.extend_from_slice(&encoded);
        assert!(parse_header(&file).unwrap_err().contains("format"));
    }
}
