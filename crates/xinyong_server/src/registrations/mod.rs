//! 自愿注册: the company's registrations on `/my/registrations` (the form
//! with the truthfulness commitment and files, its submissions and their
//! outcome), the reviewing department's queue and decision in the console
//! (`/console/registrations`), and the accepted ones of an organisation on
//! its public page (自主申报 · 已审核).

pub(crate) mod pages;

use chrono::NaiveDate;
use xinyong_domain::registrations::{RegistrationRow, RegistrationStatus};

/// A registration as the company's and the console's pages show it.
pub(crate) struct RegistrationView {
    id: String,
    uscc: String,
    subject_name: String,
    kind: &'static str,
    title: String,
    issuer: String,
    issued_on: String,
    valid_until: String,
    content: String,
    department: String,
    commitment_version: String,
    commitment_sha256: String,
    submitted_on: String,
    review_due: String,
    files: u64,
    status: &'static str,
    pending: bool,
    /// Pending past its review deadline.
    overdue: bool,
    reason: String,
    reviewed_on: String,
    record_id: String,
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

impl RegistrationView {
    fn of(r: RegistrationRow, today: NaiveDate) -> RegistrationView {
        let pending = r.status == RegistrationStatus::Pending;
        RegistrationView {
            id: r.registration_id,
            uscc: r.uscc.as_str().to_owned(),
            subject_name: r.subject_name,
            kind: r.kind.name_zh(),
            title: r.title,
            issuer: r.issuer,
            issued_on: day(r.issued_on),
            valid_until: day(r.valid_until),
            content: r.content,
            department: r.department.as_str().to_owned(),
            commitment_version: r.commitment_version,
            commitment_sha256: r.commitment_sha256,
            submitted_on: r.submitted_on.to_string(),
            review_due: r.review_due.to_string(),
            files: r.files,
            status: r.status.name_zh(),
            pending,
            overdue: pending && today > r.review_due,
            reason: r.reason.unwrap_or_default(),
            reviewed_on: day(r.reviewed_on),
            record_id: r.record_id.unwrap_or_default(),
        }
    }
}

/// An accepted registration as the public subject page shows it: what it
/// is, who issued it, its validity and the review — nothing else (no
/// files, no accounts).
pub(crate) struct PublicRegistration {
    pub(crate) kind: &'static str,
    pub(crate) kind_code: &'static str,
    pub(crate) title: String,
    pub(crate) issuer: String,
    pub(crate) issued_on: String,
    pub(crate) valid_until: String,
    pub(crate) content: String,
    pub(crate) reviewed_on: String,
    pub(crate) reviewer: String,
}

/// An organisation's accepted registrations still valid `today`, with the
/// reviewing departments' names, for its public page.
pub(crate) async fn public_of_subject(
    state: &crate::AppState,
    uscc: &xinyong_domain::Uscc,
    departments: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<PublicRegistration>, xinyong_core::CoreError> {
    let today = xinyong_core::collection::intake::china_today(&state.core);
    let rows = xinyong_core::registrations::views::accepted(&state.core, uscc).await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.valid_until.is_none_or(|d| d >= today))
        .map(|r| PublicRegistration {
            kind: r.kind.name_zh(),
            kind_code: r.kind.as_str(),
            reviewer: departments.get(r.department.as_str()).cloned().unwrap_or_else(|| r.department.to_string()),
            title: r.title,
            issuer: r.issuer,
            issued_on: day(r.issued_on),
            valid_until: day(r.valid_until),
            content: r.content,
            reviewed_on: day(r.reviewed_on),
        })
        .collect())
}
