//! 一单两库: the item lists and the inspector directory (the subject
//! directory is derived from the platform's data when a task is committed).

use xinyong_domain::Uscc;
use xinyong_domain::event::NewEvent;
use xinyong_domain::inspections::{InspectionItemRow, InspectionsEvent, InspectorRow};
use xinyong_domain::lottery::InspectorId;

use super::{MAX_LISTED, MAX_TEXT_CHARS, department, not_found, text, words};
use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::clock::china_date;
use crate::error::{CoreError, Result};
use crate::log::Core;

/// An item of a department's random-inspection list, as a form gives it.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub department: String,
    pub code: String,
    pub name: String,
    pub legal_basis: String,
    pub content: String,
    /// Sector codes separated by spaces or commas; empty: every subject.
    pub sectors: String,
    /// Division codes or prefixes; empty: the whole city.
    pub districts: String,
}

fn item_code(raw: &str) -> Result<String> {
    let c = raw.trim();
    let ok = (1..=32).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok {
        Ok(c.to_owned())
    } else {
        Err(CoreError::invalid("inspection_item_code_invalid", format!("事项编码“{c}”应为 1–32 位字母、数字或 - _ .")))
    }
}

/// Adds or changes an item of the department's list.
pub async fn save_item(core: &Core, principal: &Principal, input: ItemInput) -> Result<InspectionItemRow> {
    let dept = department(&input.department)?;
    authorize(principal, Action::PlanInspections, &Resource::Department(dept.clone()))?;
    let code = item_code(&input.code)?;
    let sectors = words(&input.sectors);
    let known: Vec<String> = core.rules().publicity.sectors().keys().cloned().collect();
    if let Some(s) = sectors.iter().find(|s| !known.contains(s)) {
        return Err(CoreError::invalid(
            "inspection_sector_unknown",
            format!("行业代码“{s}”不在监管行业表中（可用：{}）", known.join("、")),
        ));
    }
    let districts = words(&input.districts);
    if let Some(d) = districts.iter().find(|d| !(2..=6).contains(&d.len()) || !d.bytes().all(|b| b.is_ascii_digit())) {
        return Err(CoreError::invalid("inspection_district_invalid", format!("区划代码“{d}”应为 2–6 位数字")));
    }
    let key = InspectionItemRow::key(dept.as_str(), code.as_str());
    let body = InspectionsEvent::InspectionItemSaved {
        department: dept.as_str().to_owned(),
        code,
        name: text("事项名称", &input.name, true, 100)?,
        legal_basis: text("检查依据", &input.legal_basis, true, MAX_TEXT_CHARS)?,
        content: text("检查内容", &input.content, true, MAX_TEXT_CHARS)?,
        sectors,
        districts,
        saved_on: china_date(core.now()),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    core.store().get(key).await?.ok_or_else(|| not_found("抽查事项".to_owned()))
}

/// Takes an item off the list (tasks already planned keep it).
pub async fn withdraw_item(core: &Core, principal: &Principal, dept: &str, code: &str) -> Result<()> {
    let dept = department(dept)?;
    authorize(principal, Action::PlanInspections, &Resource::Department(dept.clone()))?;
    let row = core.store().get(InspectionItemRow::key(dept.as_str(), code)).await?;
    if !row.is_some_and(|r| r.active) {
        return Err(not_found(format!("抽查事项 {code}")));
    }
    let body = InspectionsEvent::InspectionItemWithdrawn {
        department: dept.as_str().to_owned(),
        code: code.to_owned(),
        withdrawn_on: china_date(core.now()),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// A department's list (every department's for the credit office's "all").
pub async fn items(core: &Core, principal: &Principal, dept: Option<&str>) -> Result<Vec<InspectionItemRow>> {
    let resource = match dept {
        Some(d) => Resource::Department(department(d)?),
        None => Resource::AllDepartments,
    };
    authorize(principal, Action::ViewInspections, &resource)?;
    Ok(xinyong_storage::inspections::items(core.store(), dept, MAX_LISTED).await?)
}

/// An inspector as a form gives them.
#[derive(Debug, Clone, Default)]
pub struct InspectorInput {
    pub department: String,
    /// The staff number: what the roster and the log name (never the name).
    pub inspector_id: String,
    pub name: String,
    /// 行政执法证号.
    pub certificate_no: String,
    /// 执法领域 / 专业.
    pub fields: String,
}

/// Adds an inspector to the directory, available from now on.
pub async fn register_inspector(core: &Core, principal: &Principal, input: InspectorInput) -> Result<InspectorRow> {
    let dept = department(&input.department)?;
    authorize(principal, Action::PlanInspections, &Resource::Department(dept.clone()))?;
    let id = InspectorId::parse(input.inspector_id.trim()).map_err(|e| {
        CoreError::invalid(
            e.code(),
            format!("执法人员编号“{}”无效：应为工号（字母、数字、. _ : -），不能是姓名", input.inspector_id.trim()),
        )
    })?;
    if core.store().get(InspectorRow::key(id.as_str())).await?.is_some() {
        return Err(CoreError::invalid("inspector_exists", format!("执法人员编号 {} 已在名录中", id.as_str())));
    }
    let certificate_no = text("执法证号", &input.certificate_no, true, 40)?;
    let body = InspectionsEvent::InspectorRegistered {
        inspector_id: id.as_str().to_owned(),
        department: dept.as_str().to_owned(),
        name: text("姓名", &input.name, true, 40)?,
        certificate_no,
        fields: text("执法领域", &input.fields, false, 200)?,
        registered_on: china_date(core.now()),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    core.store().get(InspectorRow::key(id.as_str())).await?.ok_or_else(|| not_found("执法人员".to_owned()))
}

async fn inspector_for(core: &Core, principal: &Principal, inspector_id: &str) -> Result<InspectorRow> {
    let row = core.store().get(InspectorRow::key(inspector_id)).await?;
    let Some(row) = row else {
        authorize(principal, Action::PlanInspections, &Resource::unknown_for(principal))?;
        return Err(not_found(format!("执法人员 {inspector_id}")));
    };
    authorize(principal, Action::PlanInspections, &Resource::Department(department(&row.department)?))?;
    Ok(row)
}

/// Marks an inspector available or not (leave, other duties): an
/// unavailable inspector is left out of rosters committed from now on.
pub async fn set_availability(
    core: &Core,
    principal: &Principal,
    inspector_id: &str,
    available: bool,
    note: &str,
) -> Result<()> {
    let row = inspector_for(core, principal, inspector_id).await?;
    let body = InspectionsEvent::InspectorAvailabilitySet {
        inspector_id: row.inspector_id,
        available,
        note: text("说明", note, false, 200)?,
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// Records that an inspector must not inspect a subject (回避: a relation).
pub async fn declare_conflict(
    core: &Core,
    principal: &Principal,
    inspector_id: &str,
    uscc: &str,
    reason: &str,
) -> Result<()> {
    let row = inspector_for(core, principal, inspector_id).await?;
    let uscc = Uscc::parse(uscc.trim())
        .map_err(|e| CoreError::invalid("uscc_invalid", format!("统一社会信用代码“{}”无效：{e}", uscc.trim())))?;
    let body = InspectionsEvent::InspectorConflictDeclared {
        inspector_id: row.inspector_id,
        uscc,
        reason: text("回避事由", reason, true, 200)?,
        declared_on: china_date(core.now()),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// A department's inspectors (every department's for "all").
pub async fn inspectors(core: &Core, principal: &Principal, dept: Option<&str>) -> Result<Vec<InspectorRow>> {
    let resource = match dept {
        Some(d) => Resource::Department(department(d)?),
        None => Resource::AllDepartments,
    };
    authorize(principal, Action::ViewInspections, &resource)?;
    Ok(xinyong_storage::inspections::inspectors(core.store(), dept, MAX_LISTED).await?)
}
