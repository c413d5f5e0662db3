//! The evaluation context's projection tables.

use chrono::NaiveDate;

use crate::Uscc;
use crate::evaluation::Reason;
use crate::projection::{Json, TableSpec};

crate::projection::table! {
    /// Grades received from elsewhere, one row per subject, scheme and period.
    pub struct ExternalGradeRow in EXTERNAL_GRADES = "external_grades" {
        key { uscc: Uscc, scheme: String, period: String }
        grade: String,
        import_id: String,
        received_on: NaiveDate,
        seq: u64,
    }
}

crate::projection::table! {
    /// Each subject's current grade under each model.
    pub struct GradeRow in GRADES = "grades" {
        key { uscc: Uscc, model: String }
        model_version: String,
        /// Hundredths of a point.
        score_centi: i64,
        grade: String,
        /// The supervision class of the grade (graded supervision).
        class: Option<String>,
        /// The log size whose data the grade was computed from.
        inputs_size: u64,
        evaluated_on: NaiveDate,
        reasons: Json<Vec<Reason>>,
        seq: u64,
    }
}

crate::projection::table! {
    /// Every grade a subject was given, by the log index that gave it.
    pub struct GradeHistoryRow in GRADE_HISTORY = "grade_history" {
        key { uscc: Uscc, model: String, graded_at: u64 }
        model_version: String,
        score_centi: i64,
        grade: String,
        class: Option<String>,
        inputs_size: u64,
        evaluated_on: NaiveDate,
        reasons: Json<Vec<Reason>>,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&EXTERNAL_GRADES, &GRADES, &GRADE_HISTORY]
}
