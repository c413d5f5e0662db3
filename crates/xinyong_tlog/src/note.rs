//! C2SP signed-note (<https://c2sp.org/signed-note>) with Ed25519 keys.
//!
//! A note is a text ending in a newline, a blank line, then one or more
//! signature lines `— <key name> base64(key ID BE u32 || signature)`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// Signature type byte for Ed25519 in key IDs and verifier keys.
const ALG_ED25519: u8 = 0x01;

/// Prefix of every signature line: em dash U+2014 and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// Most signature lines accepted in one note. The spec requires at least 16
/// (room for witness cosignatures); 100 matches Go's `sumdb/note` and bounds
/// the work an unauthenticated note can cause.
pub const MAX_NOTE_SIGNATURES: usize = 100;

/// Why a key could not be used or a note could not be signed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("key name {name:?} is empty or contains a space or '+'")]
    InvalidKeyName { name: String },
    #[error("malformed verifier key: {reason}")]
    MalformedVerifierKey { reason: &'static str },
    #[error("verifier key for {name} claims key ID {claimed:08x} but the key hashes to {computed:08x}")]
    KeyIdMismatch { name: String, claimed: u32, computed: u32 },
    #[error("signature type 0x{alg:02x} is not supported (only Ed25519, 0x01)")]
    UnsupportedKeyType { alg: u8 },
    #[error("the verifier key does not hold a valid Ed25519 public key")]
    InvalidPublicKey,
    #[error("note text must end with a newline")]
    TextMissingFinalNewline,
    #[error("note contains a control character at byte {offset}")]
    ControlCharacter { offset: usize },
    #[error("note has no blank line followed by signature lines")]
    MissingSignatureBlock,
    #[error("signature line {line} is malformed")]
    MalformedSignatureLine { line: usize },
    #[error("note has more than {max} signatures")]
    TooManySignatures { max: usize },
    #[error("more than one verifier has key name {name} and key ID {key_id:08x}")]
    AmbiguousVerifier { name: String, key_id: u32 },
    #[error("signature by known key {name}+{key_id:08x} does not verify")]
    InvalidSignature { name: String, key_id: u32 },
    #[error("note has no signature from a known key ({unknown} from unknown keys)")]
    NoVerifiedSignature { unknown: usize },
    #[error("checkpoint origin {origin:?} differs from the signing key name {key_name:?}")]
    CheckpointOriginMismatch { origin: String, key_name: String },
    #[error("checkpoint cannot be signed: {reason}")]
    InvalidCheckpoint { reason: &'static str },
}

impl NoteError {
    /// Stable snake_case identifier for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidKeyName { .. } => "note_invalid_key_name",
            Self::MalformedVerifierKey { .. } => "note_malformed_verifier_key",
            Self::KeyIdMismatch { .. } => "note_key_id_mismatch",
            Self::UnsupportedKeyType { .. } => "note_unsupported_key_type",
            Self::InvalidPublicKey => "note_invalid_public_key",
            Self::TextMissingFinalNewline => "note_text_missing_final_newline",
            Self::ControlCharacter { .. } => "note_control_character",
            Self::MissingSignatureBlock => "note_missing_signature_block",
            Self::MalformedSignatureLine { .. } => "note_malformed_signature_line",
            Self::TooManySignatures { .. } => "note_too_many_signatures",
            Self::AmbiguousVerifier { .. } => "note_ambiguous_verifier",
            Self::InvalidSignature { .. } => "note_invalid_signature",
            Self::NoVerifiedSignature { .. } => "note_no_verified_signature",
            Self::CheckpointOriginMismatch { .. } => "checkpoint_origin_mismatch",
            Self::InvalidCheckpoint { .. } => "checkpoint_invalid",
        }
    }
}

/// Key names must be non-empty with no Unicode white space and no '+'
/// (the '+' separates fields in verifier keys).
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// Key ID per spec: the first four bytes, big-endian, of
/// `SHA-256(name || 0x0A || 0x01 || 32-byte Ed25519 public key)`.
pub fn ed25519_key_id(name: &str, key: &VerifyingKey) -> u32 {
    key_id_of(name, &encoded_public_key(key))
}

fn key_id_of(name: &str, encoded_key: &[u8]) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update(b"\n");
    hasher.update(encoded_key);
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// `0x01 || public key`, the encoding hashed into the key ID and base64'd
/// into the verifier key.
fn encoded_public_key(key: &VerifyingKey) -> [u8; 33] {
    let mut encoded = [0u8; 33];
    encoded[0] = ALG_ED25519;
    encoded[1..].copy_from_slice(key.as_bytes());
    encoded
}

fn format_verifier_key(name: &str, key_id: u32, key: &VerifyingKey) -> String {
    format!("{name}+{key_id:08x}+{}", BASE64.encode(encoded_public_key(key)))
}

/// The spec forbids ASCII control characters other than newline anywhere
/// in a note.
fn check_no_control_characters(text: &str) -> Result<(), NoteError> {
    match text.bytes().position(|b| b < 0x20 && b != b'\n') {
        Some(offset) => Err(NoteError::ControlCharacter { offset }),
        None => Ok(()),
    }
}

/// Signs note texts with one Ed25519 key under one key name.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    key_id: u32,
    key: SigningKey,
}

// Written by hand so that the private key can never reach a log line.
impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// A signer for key name `name` (for a log: its origin).
    pub fn new(name: &str, key: SigningKey) -> Result<Self, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName { name: name.to_owned() });
        }
        let key_id = ed25519_key_id(name, &key.verifying_key());
        Ok(Self { name: name.to_owned(), key_id, key })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The public verifier key `<name>+<8 hex key ID>+<base64(0x01 || public key)>`.
    pub fn verifier_key(&self) -> String {
        format_verifier_key(&self.name, self.key_id, &self.key.verifying_key())
    }

    /// The matching verifier.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier { name: self.name.clone(), key_id: self.key_id, key: self.key.verifying_key() }
    }

    /// Signs `text` and returns the note: `text`, a blank line, and this
    /// key's signature line. Ed25519 is deterministic, so equal inputs give
    /// byte-identical notes.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        if !text.ends_with('\n') {
            return Err(NoteError::TextMissingFinalNewline);
        }
        check_no_control_characters(text)?;
        let signature = self.key.sign(text.as_bytes());
        let mut raw = Vec::with_capacity(4 + 64);
        raw.extend_from_slice(&self.key_id.to_be_bytes());
        raw.extend_from_slice(&signature.to_bytes());
        Ok(format!("{text}\n{SIGNATURE_PREFIX}{} {}\n", self.name, BASE64.encode(raw)))
    }
}

impl NoteSigner {
    /// A plain Ed25519 signature (RFC 8032) over `message`, for documents
    /// that are not notes (a credit report's JWS, docs/REPORTS.md).
    pub fn sign_detached(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// Verifies signatures of one Ed25519 key known under one key name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl NoteVerifier {
    /// Parses a verifier key `<name>+<8 hex key ID>+<base64(0x01 || 32-byte key)>`,
    /// checking that the key ID is the hash of the name and key.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        // The base64 part may itself contain '+', so split only twice.
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(key_b64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::MalformedVerifierKey { reason: "expected <name>+<key id>+<key>" });
        };
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName { name: name.to_owned() });
        }
        if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(NoteError::MalformedVerifierKey { reason: "key ID must be 8 hex digits" });
        }
        let claimed = u32::from_str_radix(id_hex, 16)
            .map_err(|_| NoteError::MalformedVerifierKey { reason: "key ID must be 8 hex digits" })?;
        let encoded = BASE64
            .decode(key_b64)
            .map_err(|_| NoteError::MalformedVerifierKey { reason: "key is not standard padded base64" })?;
        if encoded.is_empty() {
            return Err(NoteError::MalformedVerifierKey { reason: "key is empty" });
        }
        // As in Go's sumdb/note: the ID covers the type byte too, so check
        // it before interpreting the key.
        let computed = key_id_of(name, &encoded);
        if computed != claimed {
            return Err(NoteError::KeyIdMismatch { name: name.to_owned(), claimed, computed });
        }
        let (alg, key_bytes) = encoded.split_at(1);
        if alg != [ALG_ED25519] {
            return Err(NoteError::UnsupportedKeyType { alg: alg[0] });
        }
        let key_bytes: &[u8; 32] = key_bytes
            .try_into()
            .map_err(|_| NoteError::MalformedVerifierKey { reason: "Ed25519 key must be 32 bytes" })?;
        let key = VerifyingKey::from_bytes(key_bytes).map_err(|_| NoteError::InvalidPublicKey)?;
        Ok(Self { name: name.to_owned(), key_id: claimed, key })
    }

    /// A verifier for `key` under key name `name`.
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName { name: name.to_owned() });
        }
        Ok(Self { name: name.to_owned(), key_id: ed25519_key_id(name, &key), key })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Checks a plain Ed25519 signature made by [`NoteSigner::sign_detached`]
    /// (strict verification: no malleable or small-order encodings).
    pub fn verify_detached(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.key.verify_strict(message, &signature).is_ok()
    }

    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The verifier key string this verifier parses from.
    pub fn verifier_key(&self) -> String {
        format_verifier_key(&self.name, self.key_id, &self.key)
    }

    fn verify(&self, text: &str, signature: &[u8]) -> bool {
        let Ok(signature) = Signature::from_slice(signature) else {
            return false;
        };
        // Strict verification rejects small-order keys and R values, which
        // honest signers never produce.
        self.key.verify_strict(text.as_bytes(), &signature).is_ok()
    }
}

/// Opens a signed note: checks its syntax, verifies every signature made by
/// a key in `verifiers` and returns the note text (including its final
/// newline).
///
/// Per spec, signatures from unknown keys (name and ID not both matching a
/// verifier) are ignored, a signature from a known key that fails rejects
/// the whole note, and at least one known signature must verify.
pub fn open_note(note: &str, verifiers: &[NoteVerifier]) -> Result<String, NoteError> {
    check_no_control_characters(note)?;
    // The text ends at the last blank line; signature lines are never empty.
    let split = note.rfind("\n\n").ok_or(NoteError::MissingSignatureBlock)?;
    let (text, signatures) = (&note[..=split], &note[split + 2..]);
    if signatures.is_empty() {
        return Err(NoteError::MissingSignatureBlock);
    }
    // Every signature line, the last included, ends with a newline.
    let Some(signatures) = signatures.strip_suffix('\n') else {
        return Err(NoteError::MalformedSignatureLine { line: signatures.split('\n').count() });
    };

    let mut verified = 0;
    let mut unknown = 0;
    for (number, line) in signatures.split('\n').enumerate() {
        let line_number = number + 1;
        if line_number > MAX_NOTE_SIGNATURES {
            return Err(NoteError::TooManySignatures { max: MAX_NOTE_SIGNATURES });
        }
        let (name, key_id, signature) =
            parse_signature_line(line).ok_or(NoteError::MalformedSignatureLine { line: line_number })?;

        let mut candidates = verifiers.iter().filter(|v| v.name == name && v.key_id == key_id);
        let Some(verifier) = candidates.next() else {
            unknown += 1;
            continue;
        };
        if candidates.any(|other| other.key != verifier.key) {
            return Err(NoteError::AmbiguousVerifier { name: name.to_owned(), key_id });
        }
        if !verifier.verify(text, &signature) {
            return Err(NoteError::InvalidSignature { name: name.to_owned(), key_id });
        }
        verified += 1;
    }
    if verified == 0 {
        return Err(NoteError::NoVerifiedSignature { unknown });
    }
    Ok(text.to_owned())
}

/// `— <name> <base64(key ID || signature)>` → (name, key ID, signature).
/// Syntax is checked for unknown keys too, as Go's `sumdb/note` does.
fn parse_signature_line(line: &str) -> Option<(&str, u32, Vec<u8>)> {
    let rest = line.strip_prefix(SIGNATURE_PREFIX)?;
    let (name, encoded) = rest.split_once(' ')?;
    if !is_valid_key_name(name) || encoded.is_empty() {
        return None;
    }
    let raw = BASE64.decode(encoded).ok()?;
    if raw.len() < 5 {
        return None;
    }
    let (id, signature) = raw.split_at(4);
    let key_id = u32::from_be_bytes([id[0], id[1], id[2], id[3]]);
    Some((name, key_id, signature.to_vec()))
}
