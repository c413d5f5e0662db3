//! What happens in rectification campaigns, and the rows each kind writes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Uscc;
use crate::auth::DepartmentCode;
use crate::campaigns::{
    CampaignEvidenceRow, CampaignProgressRow, CampaignRow, CampaignSubjectRow, RectificationOutcome,
    RectificationStatus,
};
use crate::event::EventMeta;
use crate::objections::EvidenceFile;
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};

/// One organisation put in a campaign's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignSubject {
    pub uscc: Uscc,
    pub name: String,
    pub listing_id: String,
    /// The department that listed it (谁认定、谁约谈).
    pub department: DepartmentCode,
    pub deadline: NaiveDate,
}

/// A subject the campaigns job found past its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueSubject {
    pub campaign_id: String,
    pub uscc: Uscc,
    pub deadline: NaiveDate,
}

/// Events of the campaigns context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(CampaignsKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum CampaignsEvent {
    /// A campaign opened over the organisations it names, each with its deadline.
    CampaignOpened {
        campaign_id: String,
        name: String,
        basis: String,
        department: DepartmentCode,
        list_code: String,
        district: Option<String>,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        opened_on: NaiveDate,
        opened_by: String,
        subjects: Vec<CampaignSubject>,
    },
    /// Progress on one subject's rectification, with an optional evidence
    /// file; `status` is the subject's status after it.
    RectificationProgressReported {
        campaign_id: String,
        uscc: Uscc,
        entry_no: u64,
        reported_on: NaiveDate,
        note: String,
        reported_by: String,
        evidence: Option<EvidenceFile>,
        status: RectificationStatus,
    },
    /// Subjects past their deadline without an outcome: overdue, an
    /// interview by their listing department is due.
    RectificationOverdue { on: NaiveDate, subjects: Vec<OverdueSubject> },
    /// The responsible department decided the outcome.
    RectificationDecided {
        campaign_id: String,
        uscc: Uscc,
        outcome: RectificationOutcome,
        note: String,
        decided_on: NaiveDate,
        decided_by: String,
    },
    /// The interview held with an overdue subject (a `interview_recorded`
    /// entry of the lists context) belongs to this campaign.
    RectificationInterviewLinked { campaign_id: String, uscc: Uscc, interview_id: String },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl CampaignsEvent {
    /// The organisation an event is about, when it is about one. Campaign
    /// subjects are organisations on published lists: never natural persons.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            CampaignsEvent::RectificationProgressReported { uscc, .. }
            | CampaignsEvent::RectificationDecided { uscc, .. }
            | CampaignsEvent::RectificationInterviewLinked { uscc, .. } => Some(uscc.as_str()),
            CampaignsEvent::CampaignOpened { .. } | CampaignsEvent::RectificationOverdue { .. } => None,
        }
    }

    /// The rows an opening writes: the campaign and each subject.
    fn opened(&self, seq: u64) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let CampaignsEvent::CampaignOpened {
            campaign_id,
            name,
            basis,
            department,
            list_code,
            district,
            starts_on,
            ends_on,
            opened_on,
            opened_by,
            subjects,
        } = self
        else {
            return Err(ProjectionError {
                table: "campaigns",
                column: "campaign_id",
                problem: "not an opening".to_owned(),
            });
        };
        let mut writes = Vec::with_capacity(subjects.len() + 1);
        writes.push(
            CampaignRow {
                campaign_id: campaign_id.clone(),
                name: name.clone(),
                basis: basis.clone(),
                department: department.clone(),
                list_code: list_code.clone(),
                district: district.clone(),
                starts_on: *starts_on,
                ends_on: *ends_on,
                opened_on: *opened_on,
                opened_by: opened_by.clone(),
                subjects: subjects.len() as u64,
                seq,
            }
            .upsert()?,
        );
        for s in subjects {
            writes.push(
                CampaignSubjectRow {
                    campaign_id: campaign_id.clone(),
                    uscc: s.uscc.clone(),
                    name: s.name.clone(),
                    listing_id: s.listing_id.clone(),
                    department: s.department.clone(),
                    deadline: s.deadline,
                    status: RectificationStatus::NotStarted,
                    progress_entries: 0,
                    last_progress_on: None,
                    outcome: None,
                    outcome_note: None,
                    decided_on: None,
                    overdue_on: None,
                    interview_id: None,
                    seq,
                }
                .upsert()?,
            );
        }
        Ok(writes)
    }

    /// The rows a progress report writes.
    fn progress(&self, seq: u64) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let CampaignsEvent::RectificationProgressReported {
            campaign_id,
            uscc,
            entry_no,
            reported_on,
            note,
            reported_by,
            evidence,
            status,
        } = self
        else {
            return Err(ProjectionError {
                table: "campaign_progress",
                column: "entry_no",
                problem: "not a progress report".to_owned(),
            });
        };
        let mut writes = vec![
            CampaignProgressRow {
                campaign_id: campaign_id.clone(),
                uscc: uscc.clone(),
                entry_no: *entry_no,
                reported_on: *reported_on,
                note: note.clone(),
                reported_by: reported_by.clone(),
                evidence_name: evidence.as_ref().map(|e| e.name.clone()),
                seq,
            }
            .upsert()?,
            CampaignSubjectRow::key(campaign_id, uscc)
                .update(seq)
                .status(*status)
                .progress_entries(*entry_no)
                .last_progress_on(Some(*reported_on))
                .write()?,
        ];
        if let Some(e) = evidence {
            writes.push(
                CampaignEvidenceRow {
                    campaign_id: campaign_id.clone(),
                    uscc: uscc.clone(),
                    entry_no: *entry_no,
                    name: e.name.clone(),
                    media_type: e.media_type.clone(),
                    size: e.size,
                    sha256: e.sha256.clone(),
                    content_base64: e.content_base64.clone(),
                    seq,
                }
                .upsert()?,
            );
        }
        Ok(writes)
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let seq = at.seq;
        match self {
            CampaignsEvent::CampaignOpened { .. } => self.opened(seq),
            CampaignsEvent::RectificationProgressReported { .. } => self.progress(seq),
            CampaignsEvent::RectificationOverdue { on, subjects } => subjects
                .iter()
                .map(|s| {
                    CampaignSubjectRow::key(&s.campaign_id, &s.uscc)
                        .update(seq)
                        .status(RectificationStatus::Overdue)
                        .overdue_on(Some(*on))
                        .write()
                })
                .collect(),
            CampaignsEvent::RectificationDecided { campaign_id, uscc, outcome, note, decided_on, .. } => Ok(vec![
                CampaignSubjectRow::key(campaign_id, uscc)
                    .update(seq)
                    .status(outcome.status())
                    .outcome(Some(*outcome))
                    .outcome_note(Some(note.clone()))
                    .decided_on(Some(*decided_on))
                    .write()?,
            ]),
            CampaignsEvent::RectificationInterviewLinked { campaign_id, uscc, interview_id } => Ok(vec![
                CampaignSubjectRow::key(campaign_id, uscc)
                    .update(seq)
                    .interview_id(Some(interview_id.clone()))
                    .write()?,
            ]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::time_from_millis;

    fn meta(seq: u64) -> EventMeta {
        EventMeta { seq, time: time_from_millis(1_764_000_000_000).unwrap() }
    }

    fn uscc() -> Uscc {
        Uscc::from_parts('9', '1', "370102", "MA3C8N0Q").unwrap()
    }

    #[test]
    fn an_opening_writes_the_campaign_and_each_subject_and_names_no_one_in_the_entry() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let department = DepartmentCode::parse("scjgj").unwrap();
        let opened = CampaignsEvent::CampaignOpened {
            campaign_id: "CP1".into(),
            name: "专项治理".into(),
            basis: "依据".into(),
            department: department.clone(),
            list_code: "samr-serious".into(),
            district: Some("370102".into()),
            starts_on: day("2026-11-01"),
            ends_on: day("2026-12-31"),
            opened_on: day("2026-11-01"),
            opened_by: "user:rv".into(),
            subjects: vec![CampaignSubject {
                uscc: uscc(),
                name: "某公司".into(),
                listing_id: "LS1".into(),
                department,
                deadline: day("2026-12-31"),
            }],
        };
        let writes = opened.writes(meta(7)).unwrap();
        let tables: Vec<&str> = writes.iter().map(|w| w.table().name).collect();
        assert_eq!(tables, ["campaigns", "campaign_subjects"]);
        assert_eq!(opened.public_subject(), None);
        let overdue = CampaignsEvent::RectificationOverdue {
            on: day("2027-01-01"),
            subjects: vec![OverdueSubject { campaign_id: "CP1".into(), uscc: uscc(), deadline: day("2026-12-31") }],
        };
        assert!(matches!(overdue.writes(meta(8)).unwrap().as_slice(), [ProjectionWrite::Update { .. }]));
        let linked = CampaignsEvent::RectificationInterviewLinked {
            campaign_id: "CP1".into(),
            uscc: uscc(),
            interview_id: "IV1".into(),
        };
        assert_eq!(linked.public_subject(), Some(uscc().as_str()));
    }
}
