//! C2SP tlog-proof (<https://c2sp.org/tlog-proof>): an offline-verifiable
//! proof that an entry is in a log, plus the plain hash-list format used for
//! consistency proofs.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64 opaque data>        (optional line)
//! index <decimal leaf index>
//! <base64 hash>                     (zero or more, leaf's sibling first)
//!
//! <signed checkpoint note, verbatim>
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::checkpoint::{Checkpoint, CheckpointError, decode_hash, open_checkpoint, parse_decimal_u64};
use crate::hash::{Hash, leaf_hash};
use crate::note::NoteVerifier;
use crate::verify::{VerifyError, verify_inclusion};

/// First line of every tlog-proof.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// An inclusion proof in a tree of at most 2^64 leaves has at most 64
/// hashes; more can only be garbage.
pub const MAX_INCLUSION_PROOF_HASHES: usize = 64;

/// A consistency proof between two trees of at most 2^64 leaves has at most
/// two hashes per level.
pub const MAX_CONSISTENCY_PROOF_HASHES: usize = 128;

/// A parsed tlog-proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque application data. Not authenticated: never trust it without
    /// checking it against something that is.
    pub extra: Option<Vec<u8>>,
    /// Zero-based index of the entry in the log.
    pub index: u64,
    /// Inclusion proof in the checkpointed tree, leaf's sibling first.
    pub hashes: Vec<Hash>,
    /// The full signed checkpoint note (ends with a newline).
    pub checkpoint: String,
}

/// Why a tlog-proof or a hash list could not be parsed. Line numbers are
/// 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofFormatError {
    #[error("proof does not start with the line {TLOG_PROOF_HEADER}")]
    MissingHeader,
    #[error("line {line} is not terminated by a newline")]
    UnterminatedLine { line: usize },
    #[error("line {line}: extra data is not standard padded base64")]
    InvalidExtra { line: usize },
    #[error("line {line} should be \"index <n>\"")]
    MissingIndex { line: usize },
    #[error("line {line}: index is not a decimal u64 without leading zeros")]
    InvalidIndex { line: usize },
    #[error("line {line} is not a base64 SHA-256 hash")]
    InvalidHash { line: usize },
    #[error("more than {max} proof hashes")]
    TooManyHashes { max: usize },
    #[error("proof has no blank line followed by a checkpoint")]
    MissingCheckpoint,
}

impl ProofFormatError {
    /// Stable snake_case identifier for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingHeader => "tlog_proof_missing_header",
            Self::UnterminatedLine { .. } => "proof_text_unterminated_line",
            Self::InvalidExtra { .. } => "tlog_proof_invalid_extra",
            Self::MissingIndex { .. } => "tlog_proof_missing_index",
            Self::InvalidIndex { .. } => "tlog_proof_invalid_index",
            Self::InvalidHash { .. } => "proof_text_invalid_hash",
            Self::TooManyHashes { .. } => "proof_text_too_many_hashes",
            Self::MissingCheckpoint => "tlog_proof_missing_checkpoint",
        }
    }
}

/// Why a tlog-proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlogProofError {
    #[error("the proof's checkpoint was rejected")]
    Checkpoint(#[from] CheckpointError),
    #[error("the inclusion proof does not verify against the checkpoint")]
    Inclusion(#[from] VerifyError),
}

impl TlogProofError {
    /// Stable snake_case identifier for API error bodies (the inner code).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Checkpoint(inner) => inner.code(),
            Self::Inclusion(inner) => inner.code(),
        }
    }
}

/// Splits `text` into newline-terminated lines, numbering them from 1.
struct Lines<'a> {
    rest: &'a str,
    number: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self { rest: text, number: 0 }
    }

    /// The next line without its newline; `None` at the end of the text.
    fn next_line(&mut self) -> Result<Option<&'a str>, ProofFormatError> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        self.number += 1;
        let (line, rest) =
            self.rest.split_once('\n').ok_or(ProofFormatError::UnterminatedLine { line: self.number })?;
        self.rest = rest;
        Ok(Some(line))
    }
}

impl TlogProof {
    /// The proof text.
    pub fn to_text(&self) -> String {
        let mut text = format!("{TLOG_PROOF_HEADER}\n");
        if let Some(extra) = &self.extra {
            text.push_str("extra ");
            text.push_str(&BASE64.encode(extra));
            text.push('\n');
        }
        text.push_str(&format!("index {}\n", self.index));
        text.push_str(&format_hash_lines(&self.hashes));
        text.push('\n');
        text.push_str(&self.checkpoint);
        text
    }

    /// Parses a proof text. The checkpoint is kept verbatim; it is checked
    /// only by [`verify_tlog_proof`].
    pub fn parse(text: &str) -> Result<Self, ProofFormatError> {
        let mut lines = Lines::new(text);
        if lines.next_line()? != Some(TLOG_PROOF_HEADER) {
            return Err(ProofFormatError::MissingHeader);
        }

        let mut line = lines.next_line()?;
        let mut extra = None;
        if let Some(encoded) = line.and_then(|l| l.strip_prefix("extra ")) {
            let decoded = BASE64.decode(encoded).map_err(|_| ProofFormatError::InvalidExtra { line: lines.number })?;
            extra = Some(decoded);
            line = lines.next_line()?;
        }

        let Some(index_line) = line else {
            return Err(ProofFormatError::MissingIndex { line: lines.number + 1 });
        };
        let index = index_line.strip_prefix("index ").ok_or(ProofFormatError::MissingIndex { line: lines.number })?;
        let index = parse_decimal_u64(index).ok_or(ProofFormatError::InvalidIndex { line: lines.number })?;

        let mut hashes = Vec::new();
        loop {
            match lines.next_line()? {
                None => return Err(ProofFormatError::MissingCheckpoint),
                Some("") => break,
                Some(encoded) => {
                    if hashes.len() == MAX_INCLUSION_PROOF_HASHES {
                        return Err(ProofFormatError::TooManyHashes { max: MAX_INCLUSION_PROOF_HASHES });
                    }
                    let hash = decode_hash(encoded).ok_or(ProofFormatError::InvalidHash { line: lines.number })?;
                    hashes.push(hash);
                }
            }
        }

        if lines.rest.is_empty() {
            return Err(ProofFormatError::MissingCheckpoint);
        }
        Ok(Self { extra, index, hashes, checkpoint: lines.rest.to_owned() })
    }
}

/// Verifies a tlog-proof for the entry bytes `entry` (hashed here with
/// [`leaf_hash`]): opens the checkpoint with the log's `verifier` (origin
/// must equal the key name) and checks the inclusion proof against its root.
/// Returns the verified checkpoint.
pub fn verify_tlog_proof(
    proof: &TlogProof,
    entry: &[u8],
    verifier: &NoteVerifier,
) -> Result<Checkpoint, TlogProofError> {
    verify_tlog_proof_for_leaf_hash(proof, &leaf_hash(entry), verifier)
}

/// As [`verify_tlog_proof`], for a caller that already holds the leaf hash.
pub fn verify_tlog_proof_for_leaf_hash(
    proof: &TlogProof,
    leaf: &Hash,
    verifier: &NoteVerifier,
) -> Result<Checkpoint, TlogProofError> {
    let checkpoint = open_checkpoint(&proof.checkpoint, verifier)?;
    verify_inclusion(leaf, proof.index, checkpoint.size, &proof.hashes, &checkpoint.root)?;
    Ok(checkpoint)
}

/// One standard base64 hash per line, each line ending in a newline; the
/// empty proof is the empty string.
pub fn format_hash_lines(hashes: &[Hash]) -> String {
    let mut text = String::with_capacity(hashes.len() * 45);
    for hash in hashes {
        text.push_str(&BASE64.encode(hash));
        text.push('\n');
    }
    text
}

/// Parses [`format_hash_lines`] output. Every line, the last included, must
/// end in a newline; at most [`MAX_CONSISTENCY_PROOF_HASHES`] lines.
pub fn parse_hash_lines(text: &str) -> Result<Vec<Hash>, ProofFormatError> {
    let mut lines = Lines::new(text);
    let mut hashes = Vec::new();
    while let Some(encoded) = lines.next_line()? {
        if hashes.len() == MAX_CONSISTENCY_PROOF_HASHES {
            return Err(ProofFormatError::TooManyHashes { max: MAX_CONSISTENCY_PROOF_HASHES });
        }
        let hash = decode_hash(encoded).ok_or(ProofFormatError::InvalidHash { line: lines.number })?;
        hashes.push(hash);
    }
    Ok(hashes)
}
