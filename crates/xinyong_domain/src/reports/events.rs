//! What happens to credit reports, and the rows each kind writes.

use serde::{Deserialize, Serialize};

use crate::event::EventMeta;
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};
use crate::reports::ReportRow;

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
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl ReportsEvent {
    /// The legal person the report is about.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            ReportsEvent::ReportIssued { report } => Some(&report.subject),
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
        }
    }
}
