//! 双随机、一公开 (seed clauses 七.2, 十六; DOMAIN §7): the departments'
//! random-inspection item lists and inspector directory ([`directory`]),
//! tasks planned by supervision class ([`plan`]), the verifiable draw —
//! pool, plan and roster committed to the log, the seed fixed by the first
//! checkpoint signed long enough after that ([`draw`]), its recomputation
//! ([`verify`]) — and the results with their publication ([`results`]).
//! The algorithm is `docs/LOTTERY.md`; the workflow `docs/INSPECTIONS.md`.

pub mod directory;
pub mod draw;
pub mod plan;
pub mod results;
pub mod verify;
pub mod view;

use xinyong_domain::auth::DepartmentCode;

use crate::error::{CoreError, Result};

/// What inspections may cost and how long things wait, from configuration
/// (`[inspections]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionSettings {
    /// Subjects one task's pool may hold: the commitment carries the pool.
    pub max_pool: usize,
    /// The shortest wait a plan may set between the commitment and the
    /// checkpoint whose root seeds the draw.
    pub min_seed_delay_minutes: u32,
    /// The wait a plan gets when it does not say.
    pub seed_delay_minutes: u32,
    /// Results are published within this many working days of the task's end (DOMAIN §7).
    pub publish_within_working_days: u32,
    /// An inspector who inspected a subject this recently is not drawn for it again (rotation).
    pub rotation_months: u32,
}

impl Default for InspectionSettings {
    fn default() -> Self {
        InspectionSettings {
            max_pool: 200_000,
            min_seed_delay_minutes: 10,
            seed_delay_minutes: 10,
            publish_within_working_days: 20,
            rotation_months: 12,
        }
    }
}

/// Most rows a list page reads.
const MAX_LISTED: u32 = 2_000;
/// Most targets one task may have read back (the pool's bound caps draws).
const MAX_TARGETS: u32 = 200_000;
/// Longest free text kept (names, legal basis, findings).
const MAX_TEXT_CHARS: usize = 500;

fn department(raw: &str) -> Result<DepartmentCode> {
    DepartmentCode::parse(raw.trim())
        .map_err(|e| CoreError::invalid("department_invalid", format!("部门代码“{}”无效：{e}", raw.trim())))
}

/// Trimmed one-line-or-paragraph text of at most `max` characters.
fn text(field: &str, raw: &str, required: bool, max: usize) -> Result<String> {
    let t = raw.trim();
    let bad_char = t.chars().any(|c| c.is_control() && c != '\n' && c != '\r');
    if (required && t.is_empty()) || t.chars().count() > max || bad_char {
        let need = if required { "必填，" } else { "" };
        return Err(CoreError::invalid(
            "inspection_field_invalid",
            format!("“{field}”{need}不超过 {max} 个字符，不含控制字符"),
        ));
    }
    Ok(t.to_owned())
}

/// Words separated by spaces, commas or the Chinese comma.
fn words(raw: &str) -> Vec<String> {
    raw.split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn not_found(what: String) -> CoreError {
    CoreError::NotFound { what, code: "inspection_not_found" }
}
