//! The log's own events: a change of the checkpoint signing key, and the rows
//! it writes.

use serde::{Deserialize, Serialize};

use crate::event::EventMeta;
use crate::log::{CheckpointCosignatureRow, LogKeyRow, WitnessedLogRow};
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};

/// Events of the log context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(LogKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum LogEvent {
    /// Checkpoints that include this entry are signed by `new_key`; the ones
    /// before it by `old_key`. `statement` is the signed note
    /// [`rotation_statement`]`(origin, old_key, new_key)` signed by the old
    /// key, so the old key vouches for its successor (`docs/LOG.md`).
    LogKeyRotated {
        /// Verifier key (`name+keyid+base64`) of the key signing until now.
        old_key: String,
        /// Verifier key of the key signing from this entry on.
        new_key: String,
        /// The C2SP signed note of the rotation statement, old key's signature.
        statement: String,
    },
    /// As a witness (C2SP tlog-witness), this platform cosigned a peer
    /// city's checkpoint: from now on it cosigns only checkpoints of that
    /// log consistent with this one, and never a smaller one.
    PeerCheckpointCosigned {
        /// The peer log's origin (first line of its checkpoints).
        origin: String,
        size: u64,
        /// Base64 root hash.
        root: String,
    },
    /// A witness cosigned one of this log's checkpoints; the line is added
    /// to that checkpoint wherever it is served or put into a report.
    CheckpointCosigned {
        size: u64,
        /// The witness's key name.
        witness: String,
        /// The cosignature line (`— <name> base64(…)`, no newline).
        cosignature: String,
    },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl LogEvent {
    /// Key changes name no subject.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            LogEvent::LogKeyRotated { .. }
            | LogEvent::PeerCheckpointCosigned { .. }
            | LogEvent::CheckpointCosigned { .. } => None,
        }
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        match self {
            LogEvent::LogKeyRotated { old_key, new_key, .. } => {
                let row = LogKeyRow {
                    from_index: at.seq,
                    key_id: key_id_of(new_key).to_owned(),
                    verifier_key: new_key.clone(),
                    previous_key: old_key.clone(),
                    seq: at.seq,
                };
                Ok(vec![row.upsert()?])
            }
            LogEvent::PeerCheckpointCosigned { origin, size, root } => Ok(vec![
                WitnessedLogRow { origin: origin.clone(), size: *size, root: root.clone(), seq: at.seq }.upsert()?,
            ]),
            LogEvent::CheckpointCosigned { size, witness, cosignature } => Ok(vec![
                CheckpointCosignatureRow {
                    size: *size,
                    witness: witness.clone(),
                    cosignature: cosignature.clone(),
                    seq: at.seq,
                }
                .upsert()?,
            ]),
        }
    }
}

/// The text the old key signs when it hands over to the new one: four lines,
/// each ending in `\n`:
///
/// ```text
/// xinyong-log-key-rotation/v1
/// <origin>
/// old <old verifier key>
/// new <new verifier key>
/// ```
///
/// It is the text of a C2SP signed note, so the old key's signature over it
/// is an ordinary note signature (`— <name> base64(key ID ‖ Ed25519 sig)`).
pub fn rotation_statement(origin: &str, old_key: &str, new_key: &str) -> String {
    format!("xinyong-log-key-rotation/v1\n{origin}\nold {old_key}\nnew {new_key}\n")
}

/// The 8 hex digit key ID in a verifier key `name+keyid+base64` (the text
/// between the first and second `+`; names hold no `+`). Empty when absent.
pub fn key_id_of(verifier_key: &str) -> &str {
    verifier_key.split('+').nth(1).unwrap_or("")
}
