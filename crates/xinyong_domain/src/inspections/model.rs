//! Inspection items, plans and outcomes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Uscc;
use crate::lottery::{Hash256, StratumName};

/// Items a joint task may merge at most: the committed pool records, per
/// member, which items apply to it as a bit set of this width.
pub const MAX_ITEMS_PER_TASK: usize = 16;

/// One item of a department's random-inspection list (随机抽查事项清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedItem {
    pub department: String,
    pub code: String,
    pub name: String,
    pub legal_basis: String,
}

impl PlannedItem {
    /// `department:code`, how a target row lists its items.
    pub fn key(&self) -> String {
        format!("{}:{}", self.department, self.code)
    }
}

/// How many of a stratum are drawn (basis points, bounds) and which
/// subjects it holds: a supervision class, or the boosted subjects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumPlan {
    /// `A类` … `D类`, `重点`.
    pub name: StratumName,
    /// The supervision class (`A` … `D`) whose subjects the stratum holds;
    /// `None` for the boosted stratum.
    pub class: Option<String>,
    pub ratio_bp: u32,
    pub min: u32,
    pub max: u32,
}

/// A planned task as committed: what the plan digest covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskPlan {
    pub task_id: String,
    pub title: String,
    pub lead_department: String,
    /// The lead department first, then the others of a joint task.
    pub departments: Vec<String>,
    pub items: Vec<PlannedItem>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The scorecard model whose supervision classes stratify the pool.
    pub model: String,
    pub strata: Vec<StratumPlan>,
    /// Subjects the departments pay particular attention to (complaints,
    /// risk clues): drawn from the boosted stratum. Subjects on a
    /// dishonesty list join it by themselves.
    pub boosted: Vec<Uscc>,
    pub per_target: u32,
    /// The seed comes from the first checkpoint signed at least this long
    /// after the commitment.
    pub seed_delay_minutes: u32,
    /// The draw also waits for a public beacon value entered by the credit office.
    pub beacon_required: bool,
}

impl TaskPlan {
    /// The plan's canonical text: its JSON, fields in declaration order,
    /// no white space. The plan digest is the SHA-256 of these bytes, and
    /// the commitment carries the text itself, so a checker hashes what it
    /// reads without re-encoding anything.
    pub fn canonical_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn digest_of(text: &str) -> Hash256 {
        Hash256::of(text.as_bytes())
    }

    /// Whether this is a joint task (联合抽查) of several departments.
    pub fn is_joint(&self) -> bool {
        self.departments.len() > 1
    }
}

/// One stratum of the committed pool: the members ascending, each with the
/// set of the plan's items that applies to it (bit i = `items[i]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommittedStratum {
    pub name: StratumName,
    pub ratio_bp: u32,
    pub min: u32,
    pub max: u32,
    pub members: Vec<Uscc>,
    pub item_sets: Vec<u16>,
}

/// A drawn target: one visit covering every item of the task that applies
/// to it (进一次门、查多项事).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub uscc: Uscc,
    pub stratum: String,
    /// Keys (`department:code`) of the items checked on this visit.
    pub items: Vec<String>,
}

/// The inspectors drawn for one target, or how many were eligible when too
/// few were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetInspectors {
    pub uscc: Uscc,
    pub inspectors: Vec<String>,
    pub eligible: Option<u32>,
}

/// What an inspection found (检查结果).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum InspectionOutcome {
    /// 未发现问题.
    Normal,
    /// 发现问题，已责令改正 with a deadline.
    RectificationOrdered,
    /// 发现问题 (handed to the case procedure).
    ProblemsFound,
    /// 通过登记的住所（经营场所）无法联系.
    NotFoundAtAddress,
}

impl InspectionOutcome {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<InspectionOutcome> {
        raw.parse().ok()
    }

    /// Every outcome, in the order a form offers them.
    pub fn all() -> &'static [InspectionOutcome] {
        <InspectionOutcome as strum::VariantArray>::VARIANTS
    }

    pub fn label(self) -> &'static str {
        match self {
            InspectionOutcome::Normal => "未发现问题",
            InspectionOutcome::RectificationOrdered => "发现问题，已责令整改",
            InspectionOutcome::ProblemsFound => "发现问题，依法处理",
            InspectionOutcome::NotFoundAtAddress => "通过登记的住所（经营场所）无法联系",
        }
    }

    /// Whether the outcome counts against the subject in the evaluation.
    pub fn is_adverse(self) -> bool {
        !matches!(self, InspectionOutcome::Normal)
    }
}

crate::projection::text_column!(InspectionOutcome, |s| InspectionOutcome::parse(s));

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TaskStatus {
    /// Planned; the plan may still change.
    Planned,
    /// Pool, plan and roster committed; waiting for the seed.
    Committed,
    /// Drawn; results are being entered.
    Drawn,
    /// Results published (一公开).
    Published,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<TaskStatus> {
        raw.parse().ok()
    }

    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Planned => "已制定计划",
            TaskStatus::Committed => "已锁定名单，等待随机种子",
            TaskStatus::Drawn => "已抽取，检查中",
            TaskStatus::Published => "结果已公示",
        }
    }
}

crate::projection::text_column!(TaskStatus, |s| TaskStatus::parse(s));

/// Whether a subject's registration division (USCC characters 3–8) falls
/// in one of `districts` (division codes or their prefixes: `3701` is the
/// whole city, `370102` one district); no districts: everywhere.
pub fn in_districts(uscc: &Uscc, districts: &[String]) -> bool {
    let division = uscc.as_str().get(2..8).unwrap_or("");
    districts.is_empty() || districts.iter().any(|d| division.starts_with(d.as_str()))
}
