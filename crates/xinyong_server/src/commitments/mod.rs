//! 告知承诺: the catalog and each item's standard letter on the portal
//! (`/commitments`), the company's commitments on `/my/commitments`, and the
//! granting department's counter, queue and verification in the console
//! (`/console/commitments`).

pub(crate) mod education;
pub(crate) mod pages;
pub mod pledges;
pub(crate) mod portal;

use xinyong_domain::commitments::{CommitmentMaterialRow, CommitmentRow};

/// A commitment as the pages show it.
pub(crate) struct CommitmentView {
    id: String,
    item_code: String,
    item_name: String,
    department: String,
    uscc: String,
    subject_name: String,
    case_ref: String,
    channel: &'static str,
    made_on: String,
    verify_by: String,
    status: &'static str,
    pending: bool,
    materials_missing: u64,
    materials_overdue: bool,
    outcome_note: String,
    verified_on: String,
    record_id: String,
    approval_revoked_on: String,
    revocation_decision_no: String,
    letter_version: String,
    letter_lines: Vec<String>,
    letter_sha256: String,
}

impl CommitmentView {
    fn of(c: CommitmentRow) -> CommitmentView {
        CommitmentView {
            id: c.commitment_id,
            item_code: c.item_code,
            item_name: c.item_name,
            department: c.department.as_str().to_owned(),
            uscc: c.uscc.as_str().to_owned(),
            subject_name: c.subject_name,
            case_ref: c.case_ref,
            channel: c.channel.name_zh(),
            made_on: c.made_on.to_string(),
            verify_by: c.verify_by.to_string(),
            status: c.status.name_zh(),
            pending: c.outcome.is_none(),
            materials_missing: c.materials_missing,
            materials_overdue: c.materials_overdue,
            outcome_note: c.outcome_note.unwrap_or_default(),
            verified_on: c.verified_on.map(|d| d.to_string()).unwrap_or_default(),
            record_id: c.record_id.unwrap_or_default(),
            approval_revoked_on: c.approval_revoked_on.map(|d| d.to_string()).unwrap_or_default(),
            revocation_decision_no: c.revocation_decision_no.unwrap_or_default(),
            letter_version: c.letter_version,
            letter_lines: c.letter_text.lines().map(str::to_owned).collect(),
            letter_sha256: c.letter_sha256,
        }
    }
}

/// A deferred material as the pages show it.
pub(crate) struct MaterialView {
    code: String,
    name: String,
    due_on: String,
    supplied_on: String,
    overdue: bool,
    /// The day the applicant was reminded of the deadline, or empty.
    reminded_on: String,
}

impl MaterialView {
    fn of(m: CommitmentMaterialRow) -> MaterialView {
        MaterialView {
            code: m.material_code,
            name: m.name,
            due_on: m.due_on.to_string(),
            supplied_on: m.supplied_on.map(|d| d.to_string()).unwrap_or_default(),
            overdue: m.overdue_on.is_some(),
            reminded_on: m.reminded_on.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

/// An item of the catalog in force, for forms and the portal.
pub(crate) struct ItemView {
    code: String,
    name: String,
    department: String,
    department_name: String,
    kind: &'static str,
    conditions: Vec<String>,
    /// (code, name, working days)
    materials: Vec<(String, String, u32)>,
    verification_method: String,
    verification_working_days: u32,
    basis: String,
}

/// The catalog in force with its departments' names.
async fn items(state: &crate::AppState) -> Result<(String, Vec<ItemView>), xinyong_core::CoreError> {
    let names: std::collections::BTreeMap<String, String> = xinyong_core::auth::departments(&state.core)
        .await?
        .into_iter()
        .map(|d| (d.code.as_str().to_owned(), d.name))
        .collect();
    let rules = state.core.rules();
    let catalog = &rules.commitments;
    let items = catalog
        .items()
        .iter()
        .map(|i| ItemView {
            code: i.code.clone(),
            name: i.name.clone(),
            department: i.department.as_str().to_owned(),
            department_name: names.get(i.department.as_str()).cloned().unwrap_or_else(|| i.department.to_string()),
            kind: i.kind.name_zh(),
            conditions: i.conditions.clone(),
            materials: i.deferrable.iter().map(|m| (m.code.clone(), m.name.clone(), m.working_days)).collect(),
            verification_method: i.verification_method.clone(),
            verification_working_days: i.verification_working_days,
            basis: i.basis.clone(),
        })
        .collect();
    Ok((catalog.version().to_owned(), items))
}

/// The deferred materials typed on a form: codes separated by commas,
/// spaces or 、.
fn deferred_codes(raw: &str) -> Vec<String> {
    raw.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_ascii_uppercase)
        .collect()
}
