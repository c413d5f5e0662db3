//! What happens in random inspections, and the rows each kind writes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Uscc;
use crate::event::EventMeta;
use crate::inspections::{
    CommittedStratum, InspectionItemRow, InspectionOutcome, InspectionTargetRow, InspectionTaskRow,
    InspectorConflictRow, InspectorRow, TargetInspectors, TaskPlan, TaskStatus, Visit,
};
use crate::lottery::{Conflict, StratumResult};
use crate::projection::{Joined, Json, ProjectionError, ProjectionWrite, Row as _, Words};

/// Events of the inspections context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(InspectionsKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum InspectionsEvent {
    /// A department added or changed an item of its random-inspection list.
    InspectionItemSaved {
        department: String,
        code: String,
        name: String,
        legal_basis: String,
        content: String,
        /// Subjects licensed by a department of one of these sectors; none: all.
        sectors: Vec<String>,
        /// Registration divisions (or prefixes); none: the whole city.
        districts: Vec<String>,
        saved_on: NaiveDate,
    },
    InspectionItemWithdrawn {
        department: String,
        code: String,
        withdrawn_on: NaiveDate,
    },
    /// An inspector entered the directory (执法检查人员名录): a natural
    /// person, never shown in public.
    InspectorRegistered {
        inspector_id: String,
        department: String,
        name: String,
        certificate_no: String,
        fields: String,
        registered_on: NaiveDate,
    },
    InspectorAvailabilitySet {
        inspector_id: String,
        available: bool,
        note: String,
    },
    /// The inspector must not inspect this subject (a relation: 回避).
    InspectorConflictDeclared {
        inspector_id: String,
        uscc: Uscc,
        reason: String,
        declared_on: NaiveDate,
    },
    /// A task planned, or re-planned before its commitment.
    InspectionTaskPlanned {
        plan: TaskPlan,
        planned_by: String,
        planned_on: NaiveDate,
    },
    /// The pool, the plan (its canonical text) and the roster's digest,
    /// committed before the seed exists. Public: `/verify` opens it.
    LotteryCommitted {
        task_id: String,
        plan_text: String,
        plan_digest: String,
        pool_digest: String,
        roster_digest: String,
        pool: Vec<CommittedStratum>,
    },
    /// The roster behind `roster_digest`: inspectors' ids and conflicts.
    /// Never public; auditors check the assignment with it.
    LotteryRosterSealed {
        task_id: String,
        salt: String,
        per_target: u32,
        inspectors: Vec<String>,
        conflicts: Vec<Conflict>,
    },
    /// The credit office entered a public beacon value after the commitment.
    LotteryBeaconEntered {
        task_id: String,
        beacon: String,
        entered_by: String,
    },
    /// The wait after the commitment is over and the log had not grown: this
    /// entry grows it, so a checkpoint can be signed over it.
    LotterySeedDue {
        task_id: String,
    },
    /// The draw: the checkpoint that fixed the seed, the seed, the targets
    /// per stratum and, per target, the items of its one visit.
    LotteryDrawn {
        task_id: String,
        checkpoint_size: u64,
        checkpoint_root: String,
        checkpoint_signed_at_ms: i64,
        beacon: Option<String>,
        seed: String,
        strata: Vec<StratumResult>,
        visits: Vec<Visit>,
        drawn_on: NaiveDate,
    },
    /// The inspectors drawn for each target (never public).
    InspectorsAssigned {
        task_id: String,
        assignments: Vec<TargetInspectors>,
    },
    InspectionResultEntered {
        task_id: String,
        uscc: Uscc,
        outcome: InspectionOutcome,
        findings: String,
        rectification_deadline: Option<NaiveDate>,
        entered_by: String,
        entered_on: NaiveDate,
    },
    /// 一公开: the task's results are public from now on.
    InspectionResultsPublished {
        task_id: String,
        published_on: NaiveDate,
        published_by: String,
    },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl InspectionsEvent {
    /// A result names its subject; everything else is about items,
    /// inspectors or many subjects at once.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            InspectionsEvent::InspectionResultEntered { uscc, .. } => Some(uscc.as_str()),
            InspectionsEvent::InspectionItemSaved { .. }
            | InspectionsEvent::InspectionItemWithdrawn { .. }
            | InspectionsEvent::InspectorRegistered { .. }
            | InspectionsEvent::InspectorAvailabilitySet { .. }
            | InspectionsEvent::InspectorConflictDeclared { .. }
            | InspectionsEvent::InspectionTaskPlanned { .. }
            | InspectionsEvent::LotteryCommitted { .. }
            | InspectionsEvent::LotteryRosterSealed { .. }
            | InspectionsEvent::LotteryBeaconEntered { .. }
            | InspectionsEvent::LotterySeedDue { .. }
            | InspectionsEvent::LotteryDrawn { .. }
            | InspectionsEvent::InspectorsAssigned { .. }
            | InspectionsEvent::InspectionResultsPublished { .. } => None,
        }
    }

    /// Whether `/verify` may open the body: it holds nothing but plans,
    /// digests and organisations' codes.
    pub fn is_public_body(&self) -> bool {
        match self {
            InspectionsEvent::LotteryCommitted { .. }
            | InspectionsEvent::LotteryBeaconEntered { .. }
            | InspectionsEvent::LotterySeedDue { .. }
            | InspectionsEvent::LotteryDrawn { .. }
            | InspectionsEvent::InspectionItemSaved { .. }
            | InspectionsEvent::InspectionItemWithdrawn { .. }
            | InspectionsEvent::InspectionResultsPublished { .. } => true,
            InspectionsEvent::InspectorRegistered { .. }
            | InspectionsEvent::InspectorAvailabilitySet { .. }
            | InspectionsEvent::InspectorConflictDeclared { .. }
            | InspectionsEvent::InspectionTaskPlanned { .. }
            | InspectionsEvent::LotteryRosterSealed { .. }
            | InspectionsEvent::InspectorsAssigned { .. }
            | InspectionsEvent::InspectionResultEntered { .. } => false,
        }
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let seq = at.seq;
        match self {
            InspectionsEvent::InspectionItemSaved { .. } | InspectionsEvent::InspectorRegistered { .. } => {
                Ok(vec![self.directory_row(seq)?])
            }
            InspectionsEvent::InspectionItemWithdrawn { department, code, .. } => {
                Ok(vec![InspectionItemRow::key(department, code).update(seq).active(false).write()?])
            }
            InspectionsEvent::InspectorAvailabilitySet { inspector_id, available, note } => {
                Ok(vec![InspectorRow::key(inspector_id).update(seq).available(*available).note(note.clone()).write()?])
            }
            InspectionsEvent::InspectorConflictDeclared { inspector_id, uscc, reason, declared_on } => Ok(vec![
                InspectorConflictRow {
                    inspector_id: inspector_id.clone(),
                    uscc: uscc.clone(),
                    reason: reason.clone(),
                    declared_on: *declared_on,
                    seq,
                }
                .upsert()?,
            ]),
            InspectionsEvent::InspectionTaskPlanned { plan, planned_by, planned_on } => {
                Ok(vec![planned_row(plan, planned_by, *planned_on, seq).upsert()?])
            }
            InspectionsEvent::LotteryCommitted { task_id, pool_digest, pool, .. } => {
                let size: u64 = pool.iter().map(|s| s.members.len() as u64).sum();
                let ms = at.time.timestamp_millis();
                Ok(vec![
                    InspectionTaskRow::key(task_id)
                        .update(seq)
                        .status(TaskStatus::Committed)
                        .commit_seq(Some(seq))
                        .committed_at_ms(Some(ms))
                        .pool_size(size)
                        .pool_digest(Some(pool_digest.clone()))
                        .write()?,
                ])
            }
            InspectionsEvent::LotteryBeaconEntered { task_id, beacon, .. } => {
                Ok(vec![InspectionTaskRow::key(task_id).update(seq).beacon(Some(beacon.clone())).write()?])
            }
            InspectionsEvent::LotteryRosterSealed { .. } | InspectionsEvent::LotterySeedDue { .. } => Ok(Vec::new()),
            InspectionsEvent::LotteryDrawn { .. } => self.drawn(seq),
            InspectionsEvent::InspectorsAssigned { task_id, assignments } => assignments
                .iter()
                .map(|a| {
                    InspectionTargetRow::key(task_id, &a.uscc)
                        .update(seq)
                        .inspectors(Joined(a.inspectors.clone()))
                        .eligible(a.eligible)
                        .write()
                })
                .collect(),
            InspectionsEvent::InspectionResultEntered {
                task_id,
                uscc,
                outcome,
                findings,
                rectification_deadline,
                entered_by,
                entered_on,
            } => Ok(vec![
                InspectionTargetRow::key(task_id, uscc)
                    .update(seq)
                    .outcome(Some(*outcome))
                    .findings(findings.clone())
                    .rectification_deadline(*rectification_deadline)
                    .result_on(Some(*entered_on))
                    .result_by(Some(entered_by.clone()))
                    .write()?,
            ]),
            InspectionsEvent::InspectionResultsPublished { task_id, published_on, .. } => Ok(vec![
                InspectionTaskRow::key(task_id)
                    .update(seq)
                    .status(TaskStatus::Published)
                    .published_on(Some(*published_on))
                    .write()?,
            ]),
        }
    }

    /// The row an item or an inspector entering the directory writes.
    fn directory_row(&self, seq: u64) -> Result<ProjectionWrite, ProjectionError> {
        if let InspectionsEvent::InspectionItemSaved {
            department,
            code,
            name,
            legal_basis,
            content,
            sectors,
            districts,
            saved_on,
        } = self
        {
            return InspectionItemRow {
                department: department.clone(),
                code: code.clone(),
                name: name.clone(),
                legal_basis: legal_basis.clone(),
                content: content.clone(),
                sectors: Joined(sectors.clone()),
                districts: Joined(districts.clone()),
                active: true,
                saved_on: *saved_on,
                seq,
            }
            .upsert();
        }
        if let InspectionsEvent::InspectorRegistered {
            inspector_id,
            department,
            name,
            certificate_no,
            fields,
            registered_on,
        } = self
        {
            return InspectorRow {
                inspector_id: inspector_id.clone(),
                department: department.clone(),
                name: name.clone(),
                certificate_no: certificate_no.clone(),
                fields: fields.clone(),
                available: true,
                note: String::new(),
                registered_on: *registered_on,
                seq,
            }
            .upsert();
        }
        Err(ProjectionError {
            table: "inspection_items",
            column: "code",
            problem: "not an item or inspector entering the directory".to_owned(),
        })
    }

    fn drawn(&self, seq: u64) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let InspectionsEvent::LotteryDrawn { task_id, checkpoint_size, seed, visits, drawn_on, .. } = self else {
            return Ok(Vec::new());
        };
        let mut writes = Vec::with_capacity(visits.len() + 1);
        writes.push(
            InspectionTaskRow::key(task_id)
                .update(seq)
                .status(TaskStatus::Drawn)
                .draw_seq(Some(seq))
                .seed(Some(seed.clone()))
                .checkpoint_size(Some(*checkpoint_size))
                .drawn_on(Some(*drawn_on))
                .targets(visits.len() as u64)
                .write()?,
        );
        for (position, visit) in visits.iter().enumerate() {
            writes.push(
                InspectionTargetRow {
                    task_id: task_id.clone(),
                    uscc: visit.uscc.clone(),
                    position: position as u64,
                    stratum: visit.stratum.clone(),
                    items: Joined(visit.items.clone()),
                    inspectors: Words::default(),
                    eligible: None,
                    outcome: None,
                    findings: String::new(),
                    rectification_deadline: None,
                    result_on: None,
                    result_by: None,
                    seq,
                }
                .upsert()?,
            );
        }
        Ok(writes)
    }
}

fn planned_row(plan: &TaskPlan, planned_by: &str, planned_on: NaiveDate, seq: u64) -> InspectionTaskRow {
    InspectionTaskRow {
        task_id: plan.task_id.clone(),
        title: plan.title.clone(),
        lead_department: plan.lead_department.clone(),
        departments: Joined(plan.departments.clone()),
        status: TaskStatus::Planned,
        plan: Json(plan.clone()),
        period_start: plan.period_start,
        period_end: plan.period_end,
        planned_by: planned_by.to_owned(),
        planned_on,
        commit_seq: None,
        committed_at_ms: None,
        pool_size: 0,
        pool_digest: None,
        beacon: None,
        draw_seq: None,
        seed: None,
        checkpoint_size: None,
        drawn_on: None,
        targets: 0,
        published_on: None,
        seq,
    }
}
