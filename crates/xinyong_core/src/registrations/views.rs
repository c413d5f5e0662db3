//! What pages read about registrations, and the dishonesty record a false
//! registration becomes.

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::registrations::{RegistrationFileRow, RegistrationRow, RegistrationStatus};

use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::commitments::views::{BrokenPromise, write_broken_promise};
use crate::error::Result;
use crate::log::Core;

/// The catalog item a false registration is recorded under: a false
/// registration breaks the truthfulness commitment signed with it.
pub const FALSE_REGISTRATION_ITEM: &str = crate::commitments::views::BREACH_ITEM;

/// The 失信情形 a false registration is recorded with.
pub const FALSE_REGISTRATION_FINDING: &str = "自愿注册信息虚假";

/// Most files one registration's page lists.
const MAX_FILES_LISTED: u32 = 20;

/// Writes the dishonesty record of a false registration through the
/// intake, in the reviewing department's name; returns its id. The
/// record's key is the registration id, so a retried review finds the same
/// record. Severity 一般: no approval was obtained by it (a false
/// commitment in an approval case is 严重, `commitments`).
pub(crate) async fn false_registration_record(
    core: &Core,
    principal: &Principal,
    row: &RegistrationRow,
    reason: &str,
    today: NaiveDate,
) -> Result<String> {
    let promise = BrokenPromise {
        department: &row.department,
        subject_name: &row.subject_name,
        uscc: &row.uscc,
        number: &row.registration_id,
        promise: format!("信用信息自愿注册真实性承诺（{}：{}）", row.kind.name_zh(), row.title),
        case_ref: None,
        finding: format!("{FALSE_REGISTRATION_FINDING}：{reason}"),
        severity: "一般",
        idempotency_key: format!("registration:{}", row.registration_id),
        rejected_code: "false_registration_record_rejected",
    };
    write_broken_promise(core, principal, promise, today).await
}

/// A registration with its supporting files (without their contents).
#[derive(Debug, Clone)]
pub struct RegistrationView {
    pub registration: RegistrationRow,
    /// (file number, name, media type, size, SHA-256)
    pub files: Vec<(u64, String, String, u64, String)>,
}

/// One registration for the company itself, its reviewing department or
/// the credit office.
pub async fn detail(core: &Core, principal: &Principal, registration_id: &str) -> Result<RegistrationView> {
    let row = super::registration(core, registration_id).await?;
    let own = authorize(principal, Action::ViewOwnFile, &Resource::Subject(row.uscc.clone()));
    if own.is_err() {
        authorize(principal, Action::ViewRegistrations, &Resource::Department(row.department.clone()))?;
    }
    let files = xinyong_storage::registrations::files(core.store(), &row.registration_id, MAX_FILES_LISTED)
        .await?
        .into_iter()
        .map(|f| (f.file_no, f.name, f.media_type, f.size, f.sha256))
        .collect();
    Ok(RegistrationView { registration: row, files })
}

/// One supporting file with its content, for the same callers as [`detail`].
pub async fn file(
    core: &Core,
    principal: &Principal,
    registration_id: &str,
    file_no: u64,
) -> Result<Option<RegistrationFileRow>> {
    let row = super::registration(core, registration_id).await?;
    let own = authorize(principal, Action::ViewOwnFile, &Resource::Subject(row.uscc.clone()));
    if own.is_err() {
        authorize(principal, Action::ViewRegistrations, &Resource::Department(row.department.clone()))?;
    }
    Ok(core.store().get(RegistrationFileRow::key(row.registration_id.as_str(), file_no)).await?)
}

/// A company's own registrations in every state (on `/my/registrations`).
pub async fn of_subject(core: &Core, principal: &Principal, uscc: &Uscc) -> Result<Vec<RegistrationRow>> {
    authorize(principal, Action::ViewOwnFile, &Resource::Subject(uscc.clone()))?;
    let limit = core.settings().registrations.page_size;
    Ok(xinyong_storage::registrations::of_subject(core.store(), uscc, limit).await?)
}

/// A department's registrations (every department's for the credit office
/// asking for `None`), in `status` when given, the earliest deadline first.
pub async fn of_department(
    core: &Core,
    principal: &Principal,
    department: Option<&DepartmentCode>,
    status: Option<RegistrationStatus>,
) -> Result<Vec<RegistrationRow>> {
    let resource = department.map_or(Resource::AllDepartments, |d| Resource::Department(d.clone()));
    authorize(principal, Action::ViewRegistrations, &resource)?;
    let limit = core.settings().registrations.page_size;
    Ok(xinyong_storage::registrations::of_department(core.store(), department, status, limit).await?)
}

/// An organisation's accepted registrations, for everyone (the portal's
/// subject page). Registrations are only ever made by organisations (a
/// USCC and a company account), so no natural person's appear here.
pub async fn accepted(core: &Core, uscc: &Uscc) -> Result<Vec<RegistrationRow>> {
    let limit = core.settings().registrations.page_size;
    Ok(xinyong_storage::registrations::accepted_of_subject(core.store(), uscc, limit).await?)
}

/// The truthfulness commitment a company signs, with its name (for the form).
pub async fn commitment_text(core: &Core, uscc: &Uscc) -> Result<String> {
    let subject = core.store().get(xinyong_domain::subjects::SubjectRow::key(uscc)).await?;
    let name = subject.map_or_else(|| uscc.as_str().to_owned(), |s| s.name);
    Ok(xinyong_domain::registrations::truthfulness_text(&name))
}
