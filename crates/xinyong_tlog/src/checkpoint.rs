//! C2SP tlog-checkpoint (<https://c2sp.org/tlog-checkpoint>): the note text
//! `<origin>\n<tree size>\n<base64 root>\n[<extension line>\n]*`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::hash::Hash;
use crate::note::{NoteError, NoteSigner, NoteVerifier, open_note};

/// A log's signed statement of its tree size and root hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Unique identifier of the log; by our convention equal to the log's
    /// signing key name.
    pub origin: String,
    /// Number of leaves in the tree.
    pub size: u64,
    /// RFC 6962 root of the tree of `size` leaves.
    pub root: Hash,
    /// Opaque, non-empty extra lines. The spec discourages them because
    /// monitors cannot audit them.
    pub extensions: Vec<String>,
}

/// Why a checkpoint text or signed checkpoint was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("checkpoint signature check failed")]
    Note(#[from] NoteError),
    #[error("checkpoint text must end with a newline")]
    MissingFinalNewline,
    #[error("checkpoint line {line} is empty")]
    EmptyLine { line: usize },
    #[error("checkpoint has {count} lines, at least 3 are required")]
    TooFewLines { count: usize },
    #[error("checkpoint tree size is not a decimal u64 without leading zeros")]
    InvalidSize,
    #[error("checkpoint root is not a base64 SHA-256 hash")]
    InvalidRootHash,
    #[error("checkpoint origin {origin:?} differs from the log key name {key_name:?}")]
    OriginMismatch { origin: String, key_name: String },
}

impl CheckpointError {
    /// Stable snake_case identifier for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Note(inner) => inner.code(),
            Self::MissingFinalNewline => "checkpoint_missing_final_newline",
            Self::EmptyLine { .. } => "checkpoint_empty_line",
            Self::TooFewLines { .. } => "checkpoint_too_few_lines",
            Self::InvalidSize => "checkpoint_invalid_size",
            Self::InvalidRootHash => "checkpoint_invalid_root_hash",
            Self::OriginMismatch { .. } => "checkpoint_origin_mismatch",
        }
    }
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Self {
        Self { origin: origin.into(), size, root, extensions: Vec::new() }
    }

    /// The note text: origin, size, base64 root and extension lines, each
    /// followed by a newline.
    pub fn to_text(&self) -> String {
        let mut text = format!("{}\n{}\n{}\n", self.origin, self.size, BASE64.encode(self.root));
        for extension in &self.extensions {
            text.push_str(extension);
            text.push('\n');
        }
        text
    }

    /// Parses a checkpoint note text (as returned by [`open_note`]).
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text.strip_suffix('\n').ok_or(CheckpointError::MissingFinalNewline)?;
        let lines: Vec<&str> = body.split('\n').collect();
        if let Some(empty) = lines.iter().position(|line| line.is_empty()) {
            return Err(CheckpointError::EmptyLine { line: empty + 1 });
        }
        let [origin, size, root, extensions @ ..] = lines.as_slice() else {
            return Err(CheckpointError::TooFewLines { count: lines.len() });
        };
        let size = parse_decimal_u64(size).ok_or(CheckpointError::InvalidSize)?;
        let root = decode_hash(root).ok_or(CheckpointError::InvalidRootHash)?;
        Ok(Self {
            origin: (*origin).to_owned(),
            size,
            root,
            extensions: extensions.iter().map(|line| (*line).to_owned()).collect(),
        })
    }
}

/// Signs `checkpoint` as a note with `signer`.
///
/// Refuses checkpoints that [`open_checkpoint`] would reject: an origin
/// other than the signer's key name, or fields that do not survive
/// [`Checkpoint::parse`] (newlines in the origin or an extension, empty
/// lines).
pub fn sign_checkpoint(checkpoint: &Checkpoint, signer: &NoteSigner) -> Result<String, NoteError> {
    if checkpoint.origin != signer.name() {
        return Err(NoteError::CheckpointOriginMismatch {
            origin: checkpoint.origin.clone(),
            key_name: signer.name().to_owned(),
        });
    }
    let text = checkpoint.to_text();
    match Checkpoint::parse(&text) {
        Ok(parsed) if parsed == *checkpoint => signer.sign(&text),
        Ok(_) => Err(NoteError::InvalidCheckpoint { reason: "a field contains a newline" }),
        Err(error) => Err(NoteError::InvalidCheckpoint { reason: error.code() }),
    }
}

/// Opens a signed checkpoint: verifies the log's signature (other
/// signatures, e.g. witness cosignatures, are ignored), parses the text and
/// checks that the origin equals the key name.
pub fn open_checkpoint(note: &str, verifier: &NoteVerifier) -> Result<Checkpoint, CheckpointError> {
    let text = open_note(note, std::slice::from_ref(verifier))?;
    let checkpoint = Checkpoint::parse(&text)?;
    if checkpoint.origin != verifier.name() {
        return Err(CheckpointError::OriginMismatch {
            origin: checkpoint.origin,
            key_name: verifier.name().to_owned(),
        });
    }
    Ok(checkpoint)
}

/// ASCII decimal with no sign and no leading zeros (except "0" itself), as
/// tlog-checkpoint and tlog-proof require.
pub(crate) fn parse_decimal_u64(text: &str) -> Option<u64> {
    let digits_only = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = text.len() > 1 && text.starts_with('0');
    if !digits_only || leading_zero {
        return None;
    }
    text.parse().ok()
}

/// Standard padded base64 of exactly 32 bytes.
pub(crate) fn decode_hash(text: &str) -> Option<Hash> {
    // 32 bytes encode to 44 characters; refusing longer input up front
    // avoids decoding arbitrarily long lines.
    if text.len() != 44 {
        return None;
    }
    BASE64.decode(text).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_parsing_is_strict() {
        assert_eq!(parse_decimal_u64("0"), Some(0));
        assert_eq!(parse_decimal_u64("18446744073709551615"), Some(u64::MAX));
        for bad in ["", "00", "01", "+1", "-1", " 1", "1 ", "18446744073709551616", "1e3"] {
            assert_eq!(parse_decimal_u64(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn hashes_must_be_canonical_base64_of_32_bytes() {
        let hash = [7u8; 32];
        let encoded = BASE64.encode(hash);
        assert_eq!(decode_hash(&encoded), Some(hash));
        assert_eq!(decode_hash(&BASE64.encode([7u8; 31])), None);
        assert_eq!(decode_hash(encoded.trim_end_matches('=')), None);
        // Same length, but the last character carries non-zero padding bits.
        let mut sloppy = encoded.clone();
        sloppy.replace_range(42..43, "x");
        assert_eq!(decode_hash(&sloppy), None);
    }
}
