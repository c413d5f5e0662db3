//! Rule-set versions coming into use, and the row each writes.

use chrono::NaiveDate;
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
    /// A version of a rule set (catalog, publicity regimes, list types,
    /// measures, a calendar year `calendar/YYYY`) was published. It is in
    /// force from `effective` (China Standard Time), or at once when there is
    /// none; see [`crate::rules::in_force`].
    RulesPublished {
        rule_kind: String,
        version: String,
        sha256: String,
        text: String,
        /// Added after the first logs were written: absent from their bodies
        /// (and skipped when `None`), so their canonical bytes stay the same.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        effective: Option<NaiveDate>,
    },
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
            RulesEvent::RulesPublished { rule_kind, version, sha256, text, effective } => Ok(vec![
                RuleSetRow {
                    kind: rule_kind.clone(),
                    version: version.clone(),
                    sha256: sha256.clone(),
                    text: text.clone(),
                    effective: *effective,
                    seq: at.seq,
                }
                .upsert()?,
            ]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventBody;

    fn published(effective: Option<NaiveDate>) -> EventBody {
        EventBody::Rules(RulesEvent::RulesPublished {
            rule_kind: "catalog".to_owned(),
            version: "2026.1".to_owned(),
            sha256: "ab".to_owned(),
            text: "version = \"2026.1\"".to_owned(),
            effective,
        })
    }

    #[test]
    fn a_publication_without_an_effective_date_keeps_the_bytes_of_older_logs() {
        // The body an older build wrote, byte for byte.
        let old = br#"{"kind":"rules_published","rule_kind":"catalog","version":"2026.1","sha256":"ab","text":"version = \"2026.1\""}"#;
        assert_eq!(published(None).canonical_json().unwrap(), old.to_vec());
        let read: EventBody = serde_json::from_slice(old).unwrap();
        assert_eq!(read, published(None));

        let dated = published(NaiveDate::from_ymd_opt(2027, 1, 1));
        let json = String::from_utf8(dated.canonical_json().unwrap()).unwrap();
        assert!(json.ends_with(r#","effective":"2027-01-01"}"#), "{json}");
        assert_eq!(serde_json::from_str::<EventBody>(&json).unwrap(), dated);
    }
}
