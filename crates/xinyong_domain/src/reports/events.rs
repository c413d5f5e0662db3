//! What happens to credit reports, and the rows each kind writes.

use serde::{Deserialize, Serialize};

use crate::event::EventMeta;
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};
use crate::reports::{ReportRow, StatusMapRow};

/// A report as issued: no personal data, only what identifies the report
/// and binds it to its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedReport {
    pub report_id: String,
    pub subject: String,
    pub version: String,
    pub channel: String,
    pub checkpoint_size: u64,
    pub records: u64,
    pub payload_digest: String,
}

/// The status map committed to the log (docs/REPORTS.md, "Status map"):
/// the root of the sparse Merkle map from each legal person's USCC to its
/// status (published lists in force, penalty and dishonest-debtor records
/// in publicity) on `as_of`, over the log's first `log_size` entries.
/// Subjects with no such status are not in the map, so that "not on any
/// list, no penalty in publicity" is proven by a proof of absence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusMapCommitment {
    /// `xinyong-status-map/v1`.
    pub format: String,
    /// Standard base64 of the 32-byte root.
    pub root: String,
    /// The China date publicity and lists were judged on.
    pub as_of: String,
    /// The log entries the statuses were read from: indices `< log_size`.
    pub log_size: u64,
    /// How many subjects the map holds.
    pub subjects: u64,
}

/// Events of the reports context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(ReportsKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum ReportsEvent {
    /// The platform issued a credit report about a legal person.
    ReportIssued { report: IssuedReport },
    /// The platform committed the status map of every legal person.
    StatusMapCommitted { map: StatusMapCommitment },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl ReportsEvent {
    /// The legal person the report is about.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            ReportsEvent::ReportIssued { report } => Some(&report.subject),
            ReportsEvent::StatusMapCommitted { .. } => None,
        }
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        match self {
            ReportsEvent::ReportIssued { report: r } => Ok(vec![
                ReportRow {
                    report_id: r.report_id.clone(),
                    subject: r.subject.clone(),
                    version: r.version.clone(),
                    channel: r.channel.clone(),
                    checkpoint_size: r.checkpoint_size,
                    records: r.records,
                    payload_digest: r.payload_digest.clone(),
                    issued_ms: at.time.timestamp_millis(),
                    seq: at.seq,
                }
                .upsert()?,
            ]),
            ReportsEvent::StatusMapCommitted { map } => Ok(vec![
                StatusMapRow {
                    log_size: map.log_size,
                    root: map.root.clone(),
                    as_of: map.as_of.clone(),
                    subjects: map.subjects,
                    committed_ms: at.time.timestamp_millis(),
                    seq: at.seq,
                }
                .upsert()?,
            ]),
        }
    }
}
