//! What happens to commitments, and the rows each kind writes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Uscc;
use crate::auth::DepartmentCode;
use crate::closed_loop::{FeedItemRow, MeasurePush, PushRow};
use crate::collection::RecordSubject;
use crate::commitments::{
    CommitmentChannel, CommitmentMaterialRow, CommitmentRow, CommitmentStatus, CourseCompletionRow, IntegrityCourseRow,
    PledgeKind, PledgeRow, PledgeSchemeRow, SchemeMember, VerificationOutcome,
};
use crate::event::EventMeta;
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};

/// The measure an approval system applies when the approval made on a
/// broken commitment is revoked (its feed item and push carry it).
pub const REVOKE_APPROVAL_MEASURE: &str = "revoke_approval";
/// What a revocation's feed item carries as its list code (`listing_id` is
/// the commitment's id).
pub const COMMITMENT_FEED_LIST: &str = "commitment";
/// The feed item kind of a revocation.
pub const FEED_APPROVAL_REVOKED: &str = "approval_revoked";

/// A material deferred by a commitment, with its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeferredMaterial {
    pub code: String,
    pub name: String,
    pub due_on: NaiveDate,
}

/// A deferred material the commitments job found past its deadline, or
/// reminded its applicant of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueMaterial {
    pub commitment_id: String,
    pub material_code: String,
    pub due_on: NaiveDate,
}

/// Events of the commitments context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(CommitmentsKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum CommitmentsEvent {
    /// An applicant signed an item's standard letter for an approval case.
    CommitmentMade {
        commitment_id: String,
        item_code: String,
        item_name: String,
        department: DepartmentCode,
        uscc: Uscc,
        subject_name: String,
        case_ref: String,
        letter_version: String,
        letter_text: String,
        letter_sha256: String,
        channel: CommitmentChannel,
        made_on: NaiveDate,
        made_by: String,
        materials: Vec<DeferredMaterial>,
        verify_by: NaiveDate,
    },
    /// A deferred material arrived; `missing` is how many are still missing.
    MaterialSupplied {
        commitment_id: String,
        material_code: String,
        supplied_on: NaiveDate,
        recorded_by: String,
        missing: u64,
    },
    /// Deferred materials past their deadline without arriving (the job).
    MaterialsOverdue { on: NaiveDate, materials: Vec<OverdueMaterial> },
    /// The applicants of deferred materials due within the reminder window
    /// were reminded of their deadlines (the job; each material once).
    MaterialsReminded { on: NaiveDate, materials: Vec<OverdueMaterial> },
    /// The department verified the commitment. A breach or a false
    /// commitment names the dishonesty record it became.
    CommitmentVerified {
        commitment_id: String,
        uscc: Uscc,
        outcome: VerificationOutcome,
        note: String,
        verified_on: NaiveDate,
        verified_by: String,
        record_id: Option<String>,
    },
    /// A company published a voluntary pledge (主动承诺).
    PledgeMade {
        pledge_id: String,
        uscc: Uscc,
        subject_name: String,
        title: String,
        text: String,
        text_sha256: String,
        made_on: NaiveDate,
        made_by: String,
    },
    /// An industry association published its self-discipline scheme and
    /// the members pledging to it (行业自律承诺), one pledge each.
    SelfDisciplineSchemePublished {
        scheme_id: String,
        association_uscc: Uscc,
        association_name: String,
        title: String,
        text: String,
        text_sha256: String,
        members: Vec<SchemeMember>,
        published_on: NaiveDate,
        published_by: String,
    },
    /// The granting department revoked the approval made on a broken
    /// commitment; its approval system receives it in its feed
    /// (`approval_revoked`, measure `revoke_approval`) and answers like a
    /// pushed measure.
    ApprovalRevoked {
        commitment_id: String,
        uscc: Uscc,
        subject_name: String,
        department: DepartmentCode,
        case_ref: String,
        item_name: String,
        decision_no: String,
        reason: String,
        revoked_on: NaiveDate,
        revoked_by: String,
    },
    /// The credit office saved a course of integrity education (new or changed).
    CourseSaved {
        course_id: String,
        title: String,
        provider: String,
        hours: u32,
        content: String,
        location: String,
        repair_training: bool,
        active: bool,
        saved_on: NaiveDate,
    },
    /// An organisation or a person completed a course (the certificate's number).
    CourseCompleted {
        course_id: String,
        learner: RecordSubject,
        certificate_no: String,
        completed_on: NaiveDate,
        recorded_by: String,
    },
    /// A pledge is no longer given (the company's or the association's word).
    PledgeWithdrawn { pledge_id: String, uscc: Uscc, withdrawn_on: NaiveDate, withdrawn_by: String, reason: String },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl CommitmentsEvent {
    /// The organisation an event is about. Commitments are made by market
    /// subjects with a USCC; the portal shows only organisations'.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            CommitmentsEvent::CommitmentMade { uscc, .. }
            | CommitmentsEvent::CommitmentVerified { uscc, .. }
            | CommitmentsEvent::PledgeMade { uscc, .. }
            | CommitmentsEvent::ApprovalRevoked { uscc, .. }
            | CommitmentsEvent::PledgeWithdrawn { uscc, .. } => Some(uscc.as_str()),
            CommitmentsEvent::SelfDisciplineSchemePublished { association_uscc, .. } => Some(association_uscc.as_str()),
            CommitmentsEvent::CourseCompleted { learner, .. } => {
                (learner.kind == "legal_person").then_some(learner.key.as_str())
            }
            CommitmentsEvent::CourseSaved { .. } => None,
            CommitmentsEvent::MaterialSupplied { .. }
            | CommitmentsEvent::MaterialsOverdue { .. }
            | CommitmentsEvent::MaterialsReminded { .. } => None,
        }
    }

    /// The rows a commitment writes: itself and each deferred material.
    fn made(&self, seq: u64) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let CommitmentsEvent::CommitmentMade {
            commitment_id,
            item_code,
            item_name,
            department,
            uscc,
            subject_name,
            case_ref,
            letter_version,
            letter_text,
            letter_sha256,
            channel,
            made_on,
            made_by,
            materials,
            verify_by,
        } = self
        else {
            return Err(ProjectionError {
                table: "commitments",
                column: "commitment_id",
                problem: "not a commitment".to_owned(),
            });
        };
        let mut writes = Vec::with_capacity(materials.len() + 1);
        writes.push(
            CommitmentRow {
                commitment_id: commitment_id.clone(),
                item_code: item_code.clone(),
                item_name: item_name.clone(),
                department: department.clone(),
                uscc: uscc.clone(),
                subject_name: subject_name.clone(),
                case_ref: case_ref.clone(),
                letter_version: letter_version.clone(),
                letter_text: letter_text.clone(),
                letter_sha256: letter_sha256.clone(),
                channel: *channel,
                made_on: *made_on,
                made_by: made_by.clone(),
                verify_by: *verify_by,
                status: CommitmentStatus::Pending,
                materials_missing: materials.len() as u64,
                materials_overdue: false,
                outcome: None,
                outcome_note: None,
                verified_on: None,
                verified_by: None,
                record_id: None,
                approval_revoked_on: None,
                revocation_decision_no: None,
                seq,
            }
            .upsert()?,
        );
        for m in materials {
            writes.push(
                CommitmentMaterialRow {
                    commitment_id: commitment_id.clone(),
                    material_code: m.code.clone(),
                    name: m.name.clone(),
                    due_on: m.due_on,
                    supplied_on: None,
                    overdue_on: None,
                    reminded_on: None,
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
            CommitmentsEvent::CommitmentMade { .. } => self.made(seq),
            CommitmentsEvent::MaterialSupplied { commitment_id, material_code, supplied_on, missing, .. } => Ok(vec![
                CommitmentMaterialRow::key(commitment_id, material_code)
                    .update(seq)
                    .supplied_on(Some(*supplied_on))
                    .write()?,
                CommitmentRow::key(commitment_id).update(seq).materials_missing(*missing).write()?,
            ]),
            CommitmentsEvent::MaterialsOverdue { on, materials } => {
                let mut writes = Vec::with_capacity(materials.len() * 2);
                for m in materials {
                    writes.push(
                        CommitmentMaterialRow::key(&m.commitment_id, &m.material_code)
                            .update(seq)
                            .overdue_on(Some(*on))
                            .write()?,
                    );
                    writes.push(CommitmentRow::key(&m.commitment_id).update(seq).materials_overdue(true).write()?);
                }
                Ok(writes)
            }
            CommitmentsEvent::MaterialsReminded { on, materials } => materials
                .iter()
                .map(|m| {
                    CommitmentMaterialRow::key(&m.commitment_id, &m.material_code)
                        .update(seq)
                        .reminded_on(Some(*on))
                        .write()
                })
                .collect(),
            CommitmentsEvent::CommitmentVerified {
                commitment_id,
                outcome,
                note,
                verified_on,
                verified_by,
                record_id,
                ..
            } => Ok(vec![
                CommitmentRow::key(commitment_id)
                    .update(seq)
                    .status(outcome.status())
                    .outcome(Some(*outcome))
                    .outcome_note(Some(note.clone()))
                    .verified_on(Some(*verified_on))
                    .verified_by(Some(verified_by.clone()))
                    .record_id(record_id.clone())
                    .write()?,
            ]),
            CommitmentsEvent::PledgeMade { .. } => self.pledge(seq),
            CommitmentsEvent::SelfDisciplineSchemePublished { .. } => self.scheme(seq),
            CommitmentsEvent::ApprovalRevoked { .. } => self.revoked(at),
            CommitmentsEvent::CourseSaved { .. } => self.course(seq),
            CommitmentsEvent::CourseCompleted { .. } => self.completion(seq),
            CommitmentsEvent::PledgeWithdrawn { pledge_id, withdrawn_on, reason, .. } => Ok(vec![
                PledgeRow::key(pledge_id)
                    .update(seq)
                    .withdrawn_on(Some(*withdrawn_on))
                    .withdraw_reason(Some(reason.clone()))
                    .write()?,
            ]),
        }
    }

    /// The row a voluntary pledge writes.
    fn pledge(&self, seq: u64) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let CommitmentsEvent::PledgeMade { pledge_id, uscc, subject_name, title, text, text_sha256, made_on, made_by } =
            self
        else {
            return Err(ProjectionError { table: "pledges", column: "pledge_id", problem: "not a pledge".to_owned() });
        };
        Ok(vec![
            PledgeRow {
                pledge_id: pledge_id.clone(),
                kind: PledgeKind::Voluntary,
                uscc: uscc.clone(),
                subject_name: subject_name.clone(),
                title: title.clone(),
                text: text.clone(),
                text_sha256: text_sha256.clone(),
                scheme_id: None,
                association_uscc: None,
                association_name: None,
                made_on: *made_on,
                made_by: made_by.clone(),
                withdrawn_on: None,
                withdraw_reason: None,
                seq,
            }
            .upsert()?,
        ])
    }

    /// A revocation: the commitment's row, the department's feed item and
    /// the push its approval system answers.
    fn revoked(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let CommitmentsEvent::ApprovalRevoked {
            commitment_id,
            uscc,
            subject_name,
            department,
            decision_no,
            revoked_on,
            ..
        } = self
        else {
            return Err(ProjectionError {
                table: "commitments",
                column: "commitment_id",
                problem: "not a revocation".to_owned(),
            });
        };
        let seq = at.seq;

        let push = MeasurePush { measure: REVOKE_APPROVAL_MEASURE.to_owned(), department: department.clone() };
        let subject = RecordSubject {
            kind: "legal_person".to_owned(),
            key: uscc.as_str().to_owned(),
            name: subject_name.clone(),
        };
        let measures = vec![REVOKE_APPROVAL_MEASURE.to_owned()];
        let listing = (commitment_id.as_str(), COMMITMENT_FEED_LIST);
        Ok(vec![
            CommitmentRow::key(commitment_id)
                .update(seq)
                .approval_revoked_on(Some(*revoked_on))
                .revocation_decision_no(Some(decision_no.clone()))
                .write()?,
            FeedItemRow::new(department, FEED_APPROVAL_REVOKED, listing, &subject, measures, None, at).upsert()?,
            PushRow::pushed(commitment_id, &push, at).upsert()?,
        ])
    }

    /// The row a saved course writes.
    fn course(&self, seq: u64) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let CommitmentsEvent::CourseSaved {
            course_id,
            title,
            provider,
            hours,
            content,
            location,
            repair_training,
            active,
            saved_on,
        } = self
        else {
            return Err(ProjectionError {
                table: "integrity_courses",
                column: "course_id",
                problem: "not a course".to_owned(),
            });
        };
        Ok(vec![
            IntegrityCourseRow {
                course_id: course_id.clone(),
                title: title.clone(),
                provider: provider.clone(),
                hours: *hours,
                content: content.clone(),
                location: location.clone(),
                repair_training: *repair_training,
                active: *active,
                saved_on: *saved_on,
                seq,
            }
            .upsert()?,
        ])
    }

    /// The row a completion writes.
    fn completion(&self, seq: u64) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let CommitmentsEvent::CourseCompleted { course_id, learner, certificate_no, completed_on, recorded_by } = self
        else {
            return Err(ProjectionError {
                table: "course_completions",
                column: "course_id",
                problem: "not a completion".to_owned(),
            });
        };

        Ok(vec![
            CourseCompletionRow {
                course_id: course_id.clone(),
                learner_key: learner.key.clone(),
                learner_kind: learner.kind.clone(),
                learner_name: learner.name.clone(),
                certificate_no: certificate_no.clone(),
                completed_on: *completed_on,
                recorded_by: recorded_by.clone(),
                seq,
            }
            .upsert()?,
        ])
    }

    /// The rows a scheme writes: itself and a pledge per member.
    fn scheme(&self, seq: u64) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let CommitmentsEvent::SelfDisciplineSchemePublished {
            scheme_id,
            association_uscc,
            association_name,
            title,
            text,
            text_sha256,
            members,
            published_on,
            published_by,
        } = self
        else {
            return Err(ProjectionError {
                table: "pledge_schemes",
                column: "scheme_id",
                problem: "not a scheme".to_owned(),
            });
        };
        let mut writes = Vec::with_capacity(members.len() + 1);
        writes.push(
            PledgeSchemeRow {
                scheme_id: scheme_id.clone(),
                association_uscc: association_uscc.clone(),
                association_name: association_name.clone(),
                title: title.clone(),
                text: text.clone(),
                text_sha256: text_sha256.clone(),
                members: members.len() as u64,
                published_on: *published_on,
                published_by: published_by.clone(),
                seq,
            }
            .upsert()?,
        );
        for m in members {
            writes.push(
                PledgeRow {
                    pledge_id: m.pledge_id.clone(),
                    kind: PledgeKind::SelfDiscipline,
                    uscc: m.uscc.clone(),
                    subject_name: m.name.clone(),
                    title: title.clone(),
                    text: text.clone(),
                    text_sha256: text_sha256.clone(),
                    scheme_id: Some(scheme_id.clone()),
                    association_uscc: Some(association_uscc.clone()),
                    association_name: Some(association_name.clone()),
                    made_on: *published_on,
                    made_by: published_by.clone(),
                    withdrawn_on: None,
                    withdraw_reason: None,
                    seq,
                }
                .upsert()?,
            );
        }
        Ok(writes)
    }
}
