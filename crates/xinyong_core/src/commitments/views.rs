//! Who may use 告知承诺, the dishonesty record a broken commitment becomes,
//! and what pages show.

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::commitments::{CommitmentMaterialRow, CommitmentRow, CommitmentStatus, VerificationOutcome};
use xinyong_domain::lists::ListingStatus;
use xinyong_domain::lists::sanction::ListKind;

use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::collection::intake::{self, IngestRequest, InputTable, Source, china_today};
use crate::error::{CoreError, Result};
use crate::log::Core;

/// The catalog item a broken commitment is recorded under.
pub const BREACH_ITEM: &str = "CNSX";

/// Rows read per question: a subject has few listings and commitments.
const PER_SUBJECT: u32 = 200;

/// Whether an applicant may use 告知承诺, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Eligibility {
    pub available: bool,
    /// Why not, one line each (empty when available).
    pub reasons: Vec<String>,
}

/// 国办发〔2020〕42号: an applicant with a serious adverse credit record — a
/// listing in force on a serious dishonesty list, or (by the setting) a
/// published record classed serious — or with an earlier broken commitment
/// (false, or breached: not the good credit 容缺受理 asks for, 35号 item 1)
/// whose dishonesty record is still published (not repaired) may not use
/// 告知承诺.
pub async fn eligibility(core: &Core, uscc: &Uscc) -> Result<Eligibility> {
    let today = china_today(core);
    let rules = core.rules();
    let mut reasons = Vec::new();
    for l in xinyong_storage::lists::listings_of_subject(core.store(), uscc.as_str(), PER_SUBJECT).await? {
        let serious = rules.sanctions.list(&l.list_code).is_some_and(|list| list.kind == ListKind::Serious);
        let in_force = l.status == ListingStatus::Listed
            && l.valid_from.is_some_and(|f| f <= today)
            && l.valid_until.is_none_or(|u| u >= today);
        if serious && in_force {
            reasons.push(format!("列入严重失信主体名单（{}）", l.list_code));
        }
    }
    let records = xinyong_storage::collection::records_of_subject(core.store(), uscc, PER_SUBJECT).await?;
    let published =
        |id: &str| records.iter().any(|r| r.id == id && r.public && r.latest_end.is_none_or(|end| end >= today));
    if core.settings().commitments.serious_records_bar {
        for r in &records {
            let serious = matches!(r.severity.as_deref(), Some("serious" | "specific_serious"));
            if serious && r.item != BREACH_ITEM && published(&r.id) {
                reasons.push(format!("有严重失信记录（{}，文号 {}）", r.decision_date, r.document_number));
            }
        }
    }
    for c in xinyong_storage::commitments::broken_commitments(core.store(), uscc, PER_SUBJECT).await? {
        // Without its record (not yet written) the finding stands on its own.
        if c.record_id.as_deref().is_none_or(published) {
            let what = if c.status == CommitmentStatus::False { "曾作出虚假承诺" } else { "曾违背承诺" };
            reasons.push(format!("{what}（{}，{}），信用修复前不得适用", c.item_name, c.made_on));
        }
    }
    Ok(Eligibility { available: reasons.is_empty(), reasons })
}

/// A broken promise as the CNSX record the intake receives: a breached or
/// false commitment, or a false voluntary registration (its truthfulness
/// commitment broken). One shape, so both read alike in the catalog.
pub(crate) struct BrokenPromise<'a> {
    /// The department the record is written in the name of.
    pub department: &'a DepartmentCode,
    pub subject_name: &'a str,
    pub uscc: &'a Uscc,
    /// 承诺编号: the commitment's or the registration's id.
    pub number: &'a str,
    /// 承诺事项.
    pub promise: String,
    /// 办件编号, when the promise was made for an approval case.
    pub case_ref: Option<&'a str>,
    /// 失信情形.
    pub finding: String,
    /// 失信严重程度 as the catalog spells it (一般, 严重).
    pub severity: &'a str,
    /// The same key finds the same record when a finding is retried.
    pub idempotency_key: String,
    /// The code of the refusal when the intake rejects the row.
    pub rejected_code: &'static str,
}

/// Writes a broken promise's CNSX record through the intake, in the
/// department's name, dated `today`; returns the record's id.
pub(crate) async fn write_broken_promise(
    core: &Core,
    principal: &Principal,
    p: BrokenPromise<'_>,
    today: NaiveDate,
) -> Result<String> {
    let authority =
        crate::auth::department(core, p.department).await?.map_or_else(|| p.department.as_str().to_owned(), |d| d.name);
    let mut headers = vec!["承诺主体名称", "统一社会信用代码", "承诺编号", "承诺事项"];
    let mut cells = vec![p.subject_name.to_owned(), p.uscc.as_str().to_owned(), p.number.to_owned(), p.promise];
    if let Some(case_ref) = p.case_ref {
        headers.push("办件编号");
        cells.push(case_ref.to_owned());
    }
    headers.extend(["失信情形", "失信严重程度", "认定日期", "认定机关"]);
    cells.extend([p.finding, p.severity.to_owned(), today.to_string(), authority]);
    let request = IngestRequest {
        actor: principal.actor(),
        department: p.department.clone(),
        item: Some(BREACH_ITEM.to_owned()),
        source: Source::Api,
        file_name: None,
        idempotency_key: Some(p.idempotency_key),
        table: InputTable { headers: headers.iter().map(|h| (*h).to_owned()).collect(), rows: vec![(1, cells)] },
        lenient_codes: false,
        received_date: None,
        dry_run: false,
    };
    let outcome = intake::ingest_batch(core, request).await?;
    let row_result = outcome.rows.into_iter().next();
    match row_result.as_ref().and_then(|r| r.record_id.clone()) {
        Some(id) => Ok(id),
        None => Err(CoreError::invalid(
            p.rejected_code,
            format!(
                "失信记录未能写入（{}）；请检查目录事项 {BREACH_ITEM}",
                row_result
                    .map(|r| r.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；"))
                    .unwrap_or_default()
            ),
        )),
    }
}

/// Writes the dishonesty record of a breach or a false commitment through
/// the intake, in the verifying department's name; returns its id. The
/// record's key is the commitment id, so a retried verification finds the
/// same record.
pub(crate) async fn breach_record(
    core: &Core,
    principal: &Principal,
    row: &CommitmentRow,
    outcome: VerificationOutcome,
    note: &str,
    today: NaiveDate,
) -> Result<String> {
    let promise = BrokenPromise {
        department: &row.department,
        subject_name: &row.subject_name,
        uscc: &row.uscc,
        number: &row.commitment_id,
        promise: row.item_name.clone(),
        case_ref: Some(&row.case_ref),
        finding: format!("{}：{note}", outcome.name_zh()),
        severity: outcome.severity_zh(),
        idempotency_key: format!("commitment:{}", row.commitment_id),
        rejected_code: "breach_record_rejected",
    };
    write_broken_promise(core, principal, promise, today).await
}

/// A commitment with its deferred materials, for its page.
#[derive(Debug, Clone)]
pub struct CommitmentView {
    pub commitment: CommitmentRow,
    pub materials: Vec<CommitmentMaterialRow>,
}

/// One commitment for the company itself, the granting department or the
/// credit office.
pub async fn detail(core: &Core, principal: &Principal, commitment_id: &str) -> Result<CommitmentView> {
    let row = super::commitment(core, commitment_id).await?;
    let own = authorize(principal, Action::ViewOwnFile, &Resource::Subject(row.uscc.clone()));
    if own.is_err() {
        authorize(principal, Action::ViewCommitments, &Resource::Department(row.department.clone()))?;
    }
    let materials = xinyong_storage::commitments::materials(core.store(), &row.commitment_id).await?;
    Ok(CommitmentView { commitment: row, materials })
}

/// A company's own commitments (on `/my`).
pub async fn of_subject(core: &Core, principal: &Principal, uscc: &Uscc) -> Result<Vec<CommitmentRow>> {
    authorize(principal, Action::ViewOwnFile, &Resource::Subject(uscc.clone()))?;
    Ok(xinyong_storage::commitments::of_subject(core.store(), uscc, PER_SUBJECT).await?)
}

/// An organisation's 告知承诺 as its public page shows them (信用承诺公示:
/// item, department, day, where it stands). Commitments are made by
/// organisations only; the letter and the case stay in the files.
pub async fn public_of_subject(core: &Core, uscc: &Uscc) -> Result<Vec<CommitmentRow>> {
    Ok(xinyong_storage::commitments::of_subject(core.store(), uscc, PER_SUBJECT).await?)
}

/// A department's commitments (every department's for the credit office
/// asking for `None`), pending ones or those in `status`.
pub async fn of_department(
    core: &Core,
    principal: &Principal,
    department: Option<&DepartmentCode>,
    status: Option<CommitmentStatus>,
    limit: u32,
) -> Result<Vec<CommitmentRow>> {
    let resource = department.map_or(Resource::AllDepartments, |d| Resource::Department(d.clone()));
    authorize(principal, Action::ViewCommitments, &resource)?;
    Ok(xinyong_storage::commitments::of_department(core.store(), department, status, limit).await?)
}
