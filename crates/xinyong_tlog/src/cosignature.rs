//! Witness cosignatures (C2SP `tlog-cosignature`, Ed25519 `cosignature/v1`)
//! and the body of a `tlog-witness` `add-checkpoint` request.
//!
//! A cosignature is a note signature line on a checkpoint by a witness's
//! own key (type byte 0x04): `— <name> base64(key ID ‖ u64 BE timestamp ‖
//! Ed25519 signature)`, signed over `cosignature/v1\ntime <t>\n` followed by
//! the checkpoint body (its text up to the blank line, final newline kept).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::hash::Hash;
use crate::note::is_valid_key_name;

/// The type byte of an Ed25519 cosignature key (tlog-cosignature).
const ALG_COSIGNATURE_V1: u8 = 0x04;
const SIGNATURE_PREFIX: &str = "\u{2014} ";
/// At most this many consistency proof lines (tlog-witness).
pub const MAX_WITNESS_PROOF_LINES: usize = 63;

fn key_id(name: &str, key: &VerifyingKey) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ALG_COSIGNATURE_V1]);
    h.update(key.as_bytes());
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

fn signed_message(checkpoint_body: &str, timestamp: u64) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{checkpoint_body}")
}

/// The body of a signed checkpoint note: everything before the blank line,
/// with its final newline (what cosignatures sign).
pub fn checkpoint_body(note: &str) -> Option<&str> {
    note.find("\n\n").map(|i| &note[..=i])
}

/// A witness's signing key under its name.
#[derive(Clone)]
pub struct CosignatureSigner {
    name: String,
    key_id: u32,
    key: SigningKey,
}

// Written by hand so that the private key can never reach a log line.
impl std::fmt::Debug for CosignatureSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CosignatureSigner").field("name", &self.name).finish_non_exhaustive()
    }
}

impl CosignatureSigner {
    /// `None` when `name` cannot be a key name (empty, white space or '+').
    pub fn new(name: &str, key: SigningKey) -> Option<CosignatureSigner> {
        is_valid_key_name(name).then(|| CosignatureSigner {
            name: name.to_owned(),
            key_id: key_id(name, &key.verifying_key()),
            key,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `<name>+<8 hex key ID>+<base64(0x04 ‖ public key)>`.
    pub fn verifier_key(&self) -> String {
        let mut encoded = vec![ALG_COSIGNATURE_V1];
        encoded.extend_from_slice(self.key.verifying_key().as_bytes());
        format!("{}+{:08x}+{}", self.name, self.key_id, BASE64.encode(encoded))
    }

    /// The cosignature line (ending in a newline) on a checkpoint body at
    /// `timestamp` (POSIX seconds).
    pub fn cosign(&self, checkpoint_body: &str, timestamp: u64) -> String {
        let signature = self.key.sign(signed_message(checkpoint_body, timestamp).as_bytes());
        let mut raw = Vec::with_capacity(4 + 8 + 64);
        raw.extend_from_slice(&self.key_id.to_be_bytes());
        raw.extend_from_slice(&timestamp.to_be_bytes());
        raw.extend_from_slice(&signature.to_bytes());
        format!("{SIGNATURE_PREFIX}{} {}\n", self.name, BASE64.encode(raw))
    }
}

/// A witness's public key, to check its cosignatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    /// Parses `<name>+<8 hex key ID>+<base64(0x04 ‖ 32-byte key)>`, checking the key ID.
    pub fn parse(vkey: &str) -> Option<CosignatureVerifier> {
        let mut parts = vkey.splitn(3, '+');
        let (name, id_hex, key_b64) = (parts.next()?, parts.next()?, parts.next()?);
        let claimed = u32::from_str_radix(id_hex, 16).ok().filter(|_| id_hex.len() == 8)?;
        let encoded = BASE64.decode(key_b64).ok()?;
        let (alg, key) = encoded.split_first()?;
        let key = VerifyingKey::from_bytes(<&[u8; 32]>::try_from(key).ok()?).ok()?;
        (is_valid_key_name(name) && *alg == ALG_COSIGNATURE_V1 && key_id(name, &key) == claimed)
            .then(|| CosignatureVerifier { name: name.to_owned(), key_id: claimed, key })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The timestamp of this witness's valid cosignature among the note's
    /// signature lines, if there is one.
    pub fn verify_note(&self, note: &str) -> Option<u64> {
        let body = checkpoint_body(note)?;
        note[body.len() + 1..].lines().find_map(|line| self.verify_line(body, line))
    }

    /// The timestamp of `line` if it is this witness's valid cosignature on `body`.
    pub fn verify_line(&self, body: &str, line: &str) -> Option<u64> {
        let (name, encoded) = line.strip_prefix(SIGNATURE_PREFIX)?.split_once(' ')?;
        let raw = BASE64.decode(encoded.trim_end()).ok()?;
        if name != self.name || raw.len() != 4 + 8 + 64 || raw[..4] != self.key_id.to_be_bytes() {
            return None;
        }
        let timestamp = u64::from_be_bytes(<[u8; 8]>::try_from(&raw[4..12]).ok()?);
        let signature = Signature::from_slice(&raw[12..]).ok()?;
        self.key.verify_strict(signed_message(body, timestamp).as_bytes(), &signature).ok()?;
        Some(timestamp)
    }
}

/// An `add-checkpoint` request body (tlog-witness).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the witness last cosigned, as the log believes.
    pub old: u64,
    /// RFC 6962 consistency proof from `old` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The signed checkpoint note.
    pub checkpoint: String,
}

impl AddCheckpoint {
    pub fn to_text(&self) -> String {
        let mut text = format!("old {}\n", self.old);
        for h in &self.proof {
            text.push_str(&BASE64.encode(h));
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&self.checkpoint);
        text
    }

    /// `None` for a body that is not `old N`, up to 63 hashes, a blank line
    /// and a checkpoint (the witness answers 400).
    pub fn parse(text: &str) -> Option<AddCheckpoint> {
        let (head, checkpoint) = text.split_once("\n\n")?;
        let mut lines = head.split('\n');
        let old_raw = lines.next()?.strip_prefix("old ")?;
        if old_raw.is_empty() || (old_raw.len() > 1 && old_raw.starts_with('0')) {
            return None;
        }
        let old = old_raw.parse().ok()?;
        let proof = lines
            .map(|l| BASE64.decode(l).ok().and_then(|b| <Hash>::try_from(b).ok()))
            .collect::<Option<Vec<Hash>>>()?;
        (proof.len() <= MAX_WITNESS_PROOF_LINES).then(|| AddCheckpoint {
            old,
            proof,
            checkpoint: checkpoint.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    #[test]
    fn a_cosignature_verifies_with_its_key_only_and_only_on_its_checkpoint() {
        let signer = CosignatureSigner::new("witness.example/w1", SigningKey::from_bytes(&[0x33; 32])).unwrap();
        let verifier = CosignatureVerifier::parse(&signer.verifier_key()).unwrap();
        let line = signer.cosign(BODY, 1_679_315_147);
        assert_eq!(verifier.verify_line(BODY, line.trim_end()), Some(1_679_315_147));
        let note = format!("{BODY}\n— example.com/behind-the-sofa AAAA\n{line}");
        assert_eq!(verifier.verify_note(&note), Some(1_679_315_147));
        assert_eq!(verifier.verify_line(&BODY.replace("20852163", "20852164"), line.trim_end()), None);
        let other = CosignatureSigner::new("witness.example/w1", SigningKey::from_bytes(&[0x34; 32])).unwrap();
        assert_eq!(CosignatureVerifier::parse(&other.verifier_key()).unwrap().verify_line(BODY, line.trim_end()), None);
        // A log key (type 0x01) is not a cosigner key.
        assert!(
            CosignatureVerifier::parse("xinyong.local/log+2791de25+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3")
                .is_none()
        );
    }

    #[test]
    fn add_checkpoint_bodies_round_trip_and_bad_ones_are_refused() {
        let request =
            AddCheckpoint { old: 20, proof: vec![[1; 32], [2; 32]], checkpoint: format!("{BODY}\n— x AAAA\n") };
        assert_eq!(AddCheckpoint::parse(&request.to_text()), Some(request));
        assert!(AddCheckpoint::parse("old 01\n\nx\n").is_none());
        assert!(AddCheckpoint::parse("old 1\nnot-base64\n\nx\n").is_none());
        assert!(AddCheckpoint::parse("new 1\n\nx\n").is_none());
        let first = AddCheckpoint::parse("old 0\n\nx\n").unwrap();
        assert_eq!((first.old, first.proof.len()), (0, 0));
    }
}
