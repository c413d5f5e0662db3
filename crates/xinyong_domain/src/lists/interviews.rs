//! Reminder and warning interviews (提示约谈 / 警示约谈, 54号 clause 七.1:
//! 谁认定、谁约谈), recorded in the subject's credit file.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::auth::DepartmentCode;
use crate::collection::RecordSubject;

/// 约谈 kind (54号 clause 七.1: 提示约谈 / 警示约谈).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterviewKind {
    Reminder,
    Warning,
}

impl InterviewKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InterviewKind::Reminder => "reminder",
            InterviewKind::Warning => "warning",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            InterviewKind::Reminder => "提示约谈",
            InterviewKind::Warning => "警示约谈",
        }
    }

    pub fn parse(raw: &str) -> Option<InterviewKind> {
        match raw {
            "reminder" => Some(InterviewKind::Reminder),
            "warning" => Some(InterviewKind::Warning),
            _ => None,
        }
    }
}

/// A reminder or warning interview (约谈), recorded in the credit file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interview {
    pub id: String,
    pub subject: RecordSubject,
    pub kind: InterviewKind,
    pub department: DepartmentCode,
    pub held_on: NaiveDate,
    /// Who attended for the subject (names and roles; not public).
    pub interviewees: String,
    /// Who held it for the department.
    pub interviewers: String,
    /// 约谈内容及结果.
    pub outcome: String,
    /// Deadline for rectification set at the interview.
    #[serde(default)]
    pub rectify_by: Option<NaiveDate>,
    #[serde(default)]
    pub listing_id: Option<String>,
}

crate::projection::text_column!(InterviewKind, |s| InterviewKind::parse(s));
