//! What happens in evaluation, and the rows each kind writes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Uscc;
use crate::evaluation::{ExternalGrade, ExternalGradeRow, ExternalScheme, GradeHistoryRow, GradeRow, Reason};
use crate::event::EventMeta;
use crate::projection::{Json, ProjectionError, ProjectionWrite, Row as _};

/// A subject's new grade under one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeGiven {
    pub uscc: Uscc,
    pub score_centi: i64,
    pub grade: String,
    pub class: Option<String>,
    pub reasons: Vec<Reason>,
}

/// Events of the evaluation context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(EvaluationKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum EvaluationEvent {
    /// Grades of one scheme and period received (a file or an API call).
    ExternalGradesReceived {
        import_id: String,
        scheme: ExternalScheme,
        period: String,
        /// File name or `api`.
        source: String,
        received_on: NaiveDate,
        received_by: String,
        grades: Vec<ExternalGrade>,
    },
    /// Subjects whose grade under a model changed (or who had none), from
    /// the data of the log's first `inputs_size` entries. Subjects whose
    /// grade did not change are not repeated.
    SubjectsGraded {
        model: String,
        model_version: String,
        inputs_size: u64,
        evaluated_on: NaiveDate,
        grades: Vec<GradeGiven>,
    },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl EvaluationEvent {
    /// Both kinds are about many subjects at once.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            EvaluationEvent::ExternalGradesReceived { .. } | EvaluationEvent::SubjectsGraded { .. } => None,
        }
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let seq = at.seq;
        match self {
            EvaluationEvent::ExternalGradesReceived { import_id, scheme, period, received_on, grades, .. } => grades
                .iter()
                .map(|g| {
                    ExternalGradeRow {
                        uscc: g.uscc.clone(),
                        scheme: scheme.as_str().to_owned(),
                        period: period.clone(),
                        grade: g.grade.clone(),
                        import_id: import_id.clone(),
                        received_on: *received_on,
                        seq,
                    }
                    .upsert()
                })
                .collect(),
            EvaluationEvent::SubjectsGraded { model, model_version, inputs_size, evaluated_on, grades } => {
                let mut writes = Vec::with_capacity(grades.len() * 2);
                for g in grades {
                    writes.push(
                        GradeRow {
                            uscc: g.uscc.clone(),
                            model: model.clone(),
                            model_version: model_version.clone(),
                            score_centi: g.score_centi,
                            grade: g.grade.clone(),
                            class: g.class.clone(),
                            inputs_size: *inputs_size,
                            evaluated_on: *evaluated_on,
                            reasons: Json(g.reasons.clone()),
                            seq,
                        }
                        .upsert()?,
                    );
                    writes.push(
                        GradeHistoryRow {
                            uscc: g.uscc.clone(),
                            model: model.clone(),
                            graded_at: seq,
                            model_version: model_version.clone(),
                            score_centi: g.score_centi,
                            grade: g.grade.clone(),
                            class: g.class.clone(),
                            inputs_size: *inputs_size,
                            evaluated_on: *evaluated_on,
                            reasons: Json(g.reasons.clone()),
                            seq,
                        }
                        .upsert()?,
                    );
                }
                Ok(writes)
            }
        }
    }
}
