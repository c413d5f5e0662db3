//! A company's own credit file (本企业信用档案, `/my`): everything on record
//! about it, free of charge (山东省社会信用条例 Art. 37) — public and
//! non-public records with why each is or is not shown, list memberships
//! with their exit conditions, bans, interviews, who checked its credit,
//! its objections and repair applications. Personal data of its people is
//! masked as everywhere.

use chrono::NaiveDate;
use serde::Serialize;
use xinyong_domain::Uscc;
use xinyong_domain::collection::RecordRow;
use xinyong_domain::collection::catalog::FieldRole;
use xinyong_domain::collection::publicity::NonPublicReason;
use xinyong_domain::objections::RecordObjectionRow;
use xinyong_domain::repair::RepairApplicationRow;
use xinyong_storage::{checks, collection, objections as objection_queries};

use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::lists::credit_file::{CreditFile, credit_file};
use crate::log::Core;
use crate::portal::{WITHHELD_FOR_NAMES, format_money, record_is_public, scrub_personal_data};
use crate::repair::{RepairAssessment, assess_record};

/// Most records, checks, objections and applications the file shows.
pub const MAX_FILE_ROWS: u32 = 1_000;

/// One field of the company's own record, personal data masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnField {
    pub name: String,
    pub value: String,
    /// The catalog shows this field on the portal.
    pub public: bool,
}

/// One record about the company, as the company sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnRecord {
    pub id: String,
    pub item: String,
    pub item_name: String,
    pub department: String,
    pub department_name: String,
    pub document_number: String,
    pub decision_date: NaiveDate,
    /// Shown on the portal today.
    pub public_now: bool,
    /// Why it is or is not shown, in words.
    pub publicity: String,
    pub publicity_start: Option<NaiveDate>,
    pub publicity_until: Option<NaiveDate>,
    pub log_index: u64,
    /// The open objection to it, if any (异议处理中).
    pub open_objection: Option<String>,
    /// For penalties: whether and when it may be repaired.
    pub repair: Option<RepairAssessment>,
    pub fields: Vec<OwnField>,
}

/// One credit check made on the company (from the check receipts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckSeen {
    pub receipt_id: String,
    pub department: String,
    pub department_name: String,
    pub scenario: String,
    pub scenario_name: String,
    pub decision: String,
    /// Milliseconds since the epoch.
    pub time_ms: i64,
}

/// The company's own file.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnFile {
    pub uscc: Uscc,
    pub as_of: NaiveDate,
    /// Listings, bans, interviews (the console's credit file, without people).
    pub file: CreditFile,
    pub records: Vec<OwnRecord>,
    pub checks: Vec<CheckSeen>,
    pub objections: Vec<RecordObjectionRow>,
    pub repairs: Vec<RepairApplicationRow>,
}

/// Why a record is or is not on the portal today.
fn publicity_text(row: &RecordRow, shown: bool, today: NaiveDate) -> String {
    if shown {
        return match row.latest_end {
            Some(end) => format!("公示中，至 {end} 止"),
            None => "公示中".to_owned(),
        };
    }
    if let Some(code) = row.non_public_reason.as_deref() {
        let ended = xinyong_domain::collection::PublicityEndReason::ALL.into_iter().find(|r| r.as_str() == code);
        if let Some(ended) = ended {
            return format!("已停止公示：{}", ended.name_zh());
        }
        let reason = NonPublicReason::ALL.into_iter().find(|r| r.code() == code);
        return format!("不公示：{}", reason.map_or_else(|| code.to_owned(), NonPublicReason::message));
    }
    match (row.window_start, row.latest_end) {
        (Some(start), _) if today < start => format!("将于 {start} 起公示"),
        (_, Some(end)) if end <= today => format!("公示期已于 {end} 届满，已停止公示"),
        _ => "不在信用网站公示（仅供政务共享）".to_owned(),
    }
}

async fn own_record(
    core: &Core,
    row: RecordRow,
    uscc: &Uscc,
    under_objection: &[String],
    today: NaiveDate,
) -> Result<OwnRecord> {
    let rules = core.rules();
    let item = rules.catalog.item(&row.item);
    let mask = &core.settings().mask;
    let record = row.clone().into_record();
    let shown = record_is_public(&record, &rules.catalog, today);
    let fields = item.map_or_else(Vec::new, |item| {
        // An informant or witness named in the prose is not shown to the
        // company either.
        let names_withheld = item.names_withheld(&row.fields.0);
        item.fields()
            .iter()
            .filter_map(|spec| {
                let raw = row.fields.0.get(spec.code())?.trim();
                if raw.is_empty() {
                    return None;
                }
                let value = match spec.role() {
                    _ if names_withheld && spec.is_withheld_when_names() => WITHHELD_FOR_NAMES.to_owned(),
                    Some(FieldRole::LegalRepName) => mask.mask_name(raw),
                    Some(FieldRole::FineAmount | FieldRole::ConfiscationAmount) => format_money(raw),
                    _ => scrub_personal_data(raw, mask),
                };
                Some(OwnField { name: spec.name().to_owned(), value, public: spec.is_public() })
            })
            .collect()
    });
    let is_penalty =
        item.is_some_and(|i| i.category() == xinyong_domain::collection::catalog::Category::AdministrativePenalty);
    let repair = if is_penalty { Some(assess_record(core, &row, uscc).await?) } else { None };
    let department_name =
        crate::auth::department(core, &row.department).await?.map_or_else(|| row.department.to_string(), |d| d.name);
    let open_objection = if under_objection.contains(&row.id) {
        objection_queries::open_objection_to(core.store(), &row.id).await?.map(|o| o.objection_id)
    } else {
        None
    };
    Ok(OwnRecord {
        publicity: publicity_text(&row, shown, today),
        id: row.id,
        item_name: item.map_or_else(|| row.item.clone(), |i| i.name().to_owned()),
        item: row.item,
        department: row.department.to_string(),
        department_name,
        document_number: scrub_personal_data(&row.document_number, mask),
        decision_date: row.decision_date,
        public_now: shown,
        publicity_start: row.window_start,
        publicity_until: row.latest_end,
        log_index: row.seq,
        open_objection,
        repair,
        fields,
    })
}

/// The company's own file, for its own accounts.
/// Every record about the organisation, public or not, newest first (at
/// most [`MAX_FILE_ROWS`]), each with where its publicity stands, an open
/// objection and its repair: what the company reads on `/my` and the
/// console's credit file shows. The caller has been authorised.
pub async fn records_with_publicity(core: &Core, uscc: &Uscc) -> Result<Vec<OwnRecord>> {
    let today = china_today(core);
    let store = core.store();
    let under_objection = objection_queries::records_under_objection(store, uscc, MAX_FILE_ROWS).await?;
    let mut records = Vec::new();
    for row in collection::records_of_subject(store, uscc, MAX_FILE_ROWS).await? {
        records.push(own_record(core, row, uscc, &under_objection, today).await?);
    }
    Ok(records)
}

pub async fn own_file(core: &Core, principal: &Principal, uscc: &Uscc) -> Result<OwnFile> {
    authorize(principal, Action::ViewOwnFile, &Resource::Subject(uscc.clone()))?;
    let Some(file) = credit_file(core, uscc, None).await? else {
        return Err(CoreError::NotFound {
            what: format!("统一社会信用代码为 {uscc} 的主体"),
            code: "subject_not_found",
        });
    };
    let today = china_today(core);
    let store = core.store();
    let records = records_with_publicity(core, uscc).await?;
    let rules = core.rules();
    let mut seen = Vec::new();
    for receipt in checks::receipts_of_subject(store, uscc, MAX_FILE_ROWS).await? {
        let department_name = crate::auth::department(core, &receipt.department)
            .await?
            .map_or_else(|| receipt.department.to_string(), |d| d.name);
        seen.push(CheckSeen {
            receipt_id: receipt.receipt_id,
            department: receipt.department.to_string(),
            department_name,
            scenario_name: rules
                .sanctions
                .scenario(&receipt.scenario)
                .map_or_else(|| receipt.scenario.clone(), |s| s.name.clone()),
            scenario: receipt.scenario,
            decision: receipt.decision,
            time_ms: receipt.time_ms,
        });
    }
    Ok(OwnFile {
        uscc: uscc.clone(),
        as_of: today,
        file,
        records,
        checks: seen,
        objections: objection_queries::objections_of_subject(store, uscc, MAX_FILE_ROWS).await?,
        repairs: xinyong_storage::repair::repairs_of_subject(store, uscc, MAX_FILE_ROWS).await?,
    })
}
