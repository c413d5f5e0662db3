//! Rule-set versions coming into use, and the row each writes.

use serde::{Deserialize, Serialize};

use crate::event::EventMeta;
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};
use crate::rules::RuleSetRow;

/// Events of the rules context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(RulesKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum RulesEvent {
    /// A version of a rule set (catalog, publicity regimes, …) came into use.
    RulesPublished { rule_kind: String, version: String, sha256: String, text: String },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl RulesEvent {
    /// Rule sets name no subject.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            RulesEvent::RulesPublished { .. } => None,
        }
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        match self {
            RulesEvent::RulesPublished { rule_kind, version, sha256, text } => Ok(vec![
                RuleSetRow {
                    kind: rule_kind.clone(),
                    version: version.clone(),
                    sha256: sha256.clone(),
                    text: text.clone(),
                    seq: at.seq,
                }
                .upsert()?,
            ]),
        }
    }
}
