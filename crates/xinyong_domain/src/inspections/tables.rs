//! The inspections context's projection tables.

use chrono::NaiveDate;

use crate::Uscc;
use crate::inspections::{InspectionOutcome, TaskPlan, TaskStatus};
use crate::projection::{Json, TableSpec, Words};

crate::projection::table! {
    /// The random-inspection item lists (随机抽查事项清单), per department.
    pub struct InspectionItemRow in INSPECTION_ITEMS = "inspection_items" {
        key { department: String, code: String }
        name: String,
        legal_basis: String,
        content: String,
        sectors: Words,
        districts: Words,
        active: bool,
        saved_on: NaiveDate,
        seq: u64,
    }
}

crate::projection::table! {
    /// The inspector directory (执法检查人员名录). Natural persons: never
    /// public, the console shows names to the inspectors' departments only.
    pub struct InspectorRow in INSPECTORS = "inspectors" {
        key { inspector_id: String }
        department: String,
        name: String,
        certificate_no: String,
        fields: String,
        available: bool,
        note: String,
        registered_on: NaiveDate,
        seq: u64,
    }
}

crate::projection::table! {
    /// Declared relations between an inspector and a subject (回避).
    pub struct InspectorConflictRow in INSPECTOR_CONFLICTS = "inspector_conflicts" {
        key { inspector_id: String, uscc: Uscc }
        reason: String,
        declared_on: NaiveDate,
        seq: u64,
    }
}

crate::projection::table! {
    /// Inspection tasks from plan to publication.
    pub struct InspectionTaskRow in INSPECTION_TASKS = "inspection_tasks" {
        key { task_id: String }
        title: String,
        lead_department: String,
        departments: Words,
        status: TaskStatus,
        plan: Json<TaskPlan>,
        period_start: NaiveDate,
        period_end: NaiveDate,
        planned_by: String,
        planned_on: NaiveDate,
        /// The log index of the `lottery_committed` entry.
        commit_seq: Option<u64>,
        committed_at_ms: Option<i64>,
        pool_size: u64,
        pool_digest: Option<String>,
        beacon: Option<String>,
        /// The log index of the `lottery_drawn` entry.
        draw_seq: Option<u64>,
        seed: Option<String>,
        checkpoint_size: Option<u64>,
        drawn_on: Option<NaiveDate>,
        targets: u64,
        published_on: Option<NaiveDate>,
        seq: u64,
    }
}

crate::projection::table! {
    /// One drawn target of a task: its visit's items, inspectors and result.
    pub struct InspectionTargetRow in INSPECTION_TARGETS = "inspection_targets" {
        key { task_id: String, uscc: Uscc }
        /// Draw order across the strata.
        position: u64,
        stratum: String,
        /// `department:code` of each item checked on the visit.
        items: Words,
        /// Inspector ids (never public).
        inspectors: Words,
        /// Set when too few inspectors were eligible: how many were.
        eligible: Option<u32>,
        outcome: Option<InspectionOutcome>,
        findings: String,
        rectification_deadline: Option<NaiveDate>,
        result_on: Option<NaiveDate>,
        result_by: Option<String>,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&INSPECTION_ITEMS, &INSPECTORS, &INSPECTOR_CONFLICTS, &INSPECTION_TASKS, &INSPECTION_TARGETS]
}
