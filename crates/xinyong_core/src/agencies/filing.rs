//! The credit office's side: filing (备案), status, staff, supervision and
//! accounts; the agencies' login; the public list.

use chrono::NaiveDate;
use serde::Serialize;
use xinyong_domain::Uscc;
use xinyong_domain::agencies::{
    AgenciesEvent, AgencyAccountRow, AgencyFiling, AgencyRow, AgencyStaffRow, AgencyStatus, AgencySupervisionRow,
    SupervisionKind,
};
use xinyong_domain::auth::valid_login;
use xinyong_domain::event::NewEvent;
use xinyong_storage::agencies as queries;

use super::{MAX_ROWS, agency};
use crate::auth::policy::{Action, AgencyPrincipal, Principal, Resource, authorize};
use crate::auth::{DUMMY_HASH, Session, check_password_policy, hash_password, open_session, verify_password};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::log::Core;

/// Longest free text of a filing or a supervision record, in characters.
const MAX_TEXT: usize = 500;

/// What the credit office types to file an agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgency {
    pub uscc: Uscc,
    pub name: String,
    pub filing_no: String,
    pub legal_representative: String,
    pub address: String,
    pub business_scope: String,
}

/// A trimmed text of 1..=`max` characters without control characters.
fn text(raw: &str, max: usize, code: &'static str, what: &str) -> Result<String> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(CoreError::invalid(code, format!("{what}须为 1–{max} 个字符")));
    }
    Ok(t.to_owned())
}

fn office(principal: &Principal) -> Result<String> {
    authorize(principal, Action::ManageAgencies, &Resource::Platform)?;
    Ok(principal.actor().as_str().to_owned())
}

/// Files an agency (备案). Its status starts 正常.
pub async fn file_agency(core: &Core, principal: &Principal, a: &NewAgency) -> Result<()> {
    let filed_by = office(principal)?;
    if core.store().get(AgencyRow::key(&a.uscc)).await?.is_some() {
        return Err(CoreError::invalid("agency_already_filed", format!("统一社会信用代码 {} 的机构已备案", a.uscc)));
    }
    let filing = AgencyFiling {
        uscc: a.uscc.clone(),
        name: text(&a.name, 100, "agency_name_invalid", "机构名称")?,
        filing_no: text(&a.filing_no, 50, "filing_no_invalid", "备案编号")?,
        legal_representative: text(&a.legal_representative, 50, "legal_representative_invalid", "法定代表人")?,
        address: text(&a.address, 200, "address_invalid", "住所")?,
        business_scope: text(&a.business_scope, MAX_TEXT, "business_scope_invalid", "业务范围")?,
        filed_on: china_today(core),
        filed_by,
    };
    core.append(vec![NewEvent::new(principal.actor(), AgenciesEvent::AgencyFiled { filing })]).await?;
    Ok(())
}

/// Changes a filed agency's status (正常/暂停/注销) with the reason. A
/// suspended or cancelled agency's accounts can no longer query.
pub async fn change_status(
    core: &Core,
    principal: &Principal,
    uscc: &Uscc,
    status: AgencyStatus,
    reason: &str,
) -> Result<()> {
    let changed_by = office(principal)?;
    let row = agency(core, uscc).await?;
    if row.status == status {
        return Err(CoreError::invalid("agency_status_unchanged", format!("该机构已是“{}”状态", status.name_zh())));
    }
    let body = AgenciesEvent::AgencyStatusChanged {
        agency: uscc.clone(),
        status,
        reason: text(reason, MAX_TEXT, "reason_required", "变更原因")?,
        changed_on: china_today(core),
        changed_by,
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// Files a member of the agency's staff (a new id when `staff_id` is
/// `None`), or changes one; `active = false` records that the person left.
pub async fn change_staff(
    core: &Core,
    principal: &Principal,
    uscc: &Uscc,
    staff_id: Option<&str>,
    name: &str,
    position: &str,
    active: bool,
) -> Result<String> {
    let changed_by = office(principal)?;
    agency(core, uscc).await?;
    let name = text(name, 50, "staff_name_invalid", "人员姓名")?;
    let position = text(position, 50, "position_invalid", "岗位")?;
    let changed_on = china_today(core);
    let staff_id = match staff_id {
        Some(id) => id.to_owned(),
        None => {
            let filed = queries::staff_of(core.store(), uscc, MAX_ROWS).await?;
            format!("R{:03}", filed.len() + 1)
        }
    };
    let body = AgenciesEvent::AgencyStaffChanged {
        agency: uscc.clone(),
        staff_id: staff_id.clone(),
        name,
        position,
        active,
        changed_on,
        changed_by,
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(staff_id)
}

/// Records an inspection, interview or penalty of a filed agency.
pub async fn record_supervision(
    core: &Core,
    principal: &Principal,
    uscc: &Uscc,
    kind: SupervisionKind,
    done_on: NaiveDate,
    summary: &str,
    outcome: &str,
) -> Result<String> {
    let recorded_by = office(principal)?;
    agency(core, uscc).await?;
    if done_on > china_today(core) {
        return Err(CoreError::invalid("date_in_future", "监管日期不能晚于今天"));
    }
    let summary = text(summary, MAX_TEXT, "summary_required", "监管情况")?;
    let outcome = text(outcome, MAX_TEXT, "outcome_required", "处理结果")?;
    // Numbered within the agency: the records are few and read in order.
    let filed = queries::supervision_of(core.store(), uscc, MAX_ROWS).await?;
    let mut n = filed.len() + 1;
    while filed.iter().any(|r| r.supervision_id == format!("J{n:03}")) {
        n += 1;
    }
    let supervision_id = format!("J{n:03}");
    let body = AgenciesEvent::AgencySupervisionRecorded {
        agency: uscc.clone(),
        supervision_id: supervision_id.clone(),
        supervision_kind: kind,
        done_on,
        summary,
        outcome,
        recorded_by,
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(supervision_id)
}

/// Opens an account for the agency's staff; the credit office hands the
/// first password over and the agency logs in with 统一社会信用代码, account
/// and password.
pub async fn open_account(
    core: &Core,
    principal: &Principal,
    uscc: &Uscc,
    username: &str,
    display_name: &str,
    password: &str,
) -> Result<()> {
    let opened_by = office(principal)?;
    agency(core, uscc).await?;
    if !valid_login(username) {
        return Err(CoreError::invalid("username_invalid", "账号名须为 2–32 个小写字母、数字或 _ . -"));
    }
    let display_name = text(display_name, 32, "display_name_invalid", "使用人称呼")?;
    check_password_policy(password)?;
    if core.store().get(AgencyAccountRow::key(uscc, username)).await?.is_some() {
        return Err(CoreError::invalid("username_taken", format!("该机构已有账号名“{username}”，请换一个")));
    }
    let body = AgenciesEvent::AgencyAccountOpened {
        agency: uscc.clone(),
        username: username.to_owned(),
        display_name,
        password_hash: hash_password(password).await?,
        opened_by,
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// The session login of an agency account: `agency:<USCC>:<username>`.
pub fn session_login(agency: &Uscc, username: &str) -> String {
    format!("agency:{}:{username}", agency.as_str())
}

/// Reads a session login written by [`session_login`].
pub fn parse_session_login(login: &str) -> Option<(Uscc, String)> {
    let (uscc, username) = login.strip_prefix("agency:")?.split_once(':')?;
    Some((Uscc::parse(uscc).ok()?, username.to_owned()))
}

fn login_failed() -> CoreError {
    CoreError::invalid("login_failed", "统一社会信用代码、账号名或密码错误")
}

/// Refuses an agency whose filing is not 正常 (暂停, 注销).
pub(super) fn ensure_active(row: &AgencyRow) -> Result<()> {
    if row.status == AgencyStatus::Normal {
        return Ok(());
    }
    Err(CoreError::Forbidden {
        code: "agency_not_active",
        message: format!("该信用服务机构的备案状态为“{}”，不能查询企业信用报告", row.status.name_zh()),
    })
}

/// Checks an agency account's password and opens a session; an agency that
/// is not 正常 is refused.
pub async fn agency_login(
    core: &Core,
    uscc: &Uscc,
    username: &str,
    password: &str,
    session_secret: [u8; 32],
) -> Result<Session> {
    let found =
        if valid_login(username) { core.store().get(AgencyAccountRow::key(uscc, username)).await? } else { None };
    let Some(account) = found else {
        verify_password(password, DUMMY_HASH).await?;
        return Err(login_failed());
    };
    if !verify_password(password, &account.password_hash).await? {
        return Err(login_failed());
    }
    if !account.active {
        return Err(CoreError::Forbidden { code: "user_disabled", message: "该账号已停用".to_owned() });
    }
    ensure_active(&agency(core, uscc).await?)?;
    open_session(core, &session_login(uscc, username), session_secret).await
}

/// The account behind an agency session login, if it and its agency are
/// live (正常): a suspension ends every session at its next request.
pub(crate) async fn session_account(core: &Core, login: &str) -> Result<Option<(AgencyPrincipal, String)>> {
    let Some((uscc, username)) = parse_session_login(login) else { return Ok(None) };
    let account = core.store().get(AgencyAccountRow::key(&uscc, username.as_str())).await?;
    let Some(account) = account.filter(|a| a.active) else { return Ok(None) };
    let live = core.store().get(AgencyRow::key(&uscc)).await?.is_some_and(|a| a.status == AgencyStatus::Normal);
    Ok(live.then_some((AgencyPrincipal { agency: uscc, username }, account.display_name)))
}

/// A filed agency as the public sees it: no natural person's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicAgency {
    pub uscc: String,
    pub name: String,
    pub filing_no: String,
    pub address: String,
    pub business_scope: String,
    pub status: String,
    pub status_name: String,
    pub filed_on: NaiveDate,
}

impl From<AgencyRow> for PublicAgency {
    fn from(r: AgencyRow) -> PublicAgency {
        PublicAgency {
            uscc: r.uscc.as_str().to_owned(),
            name: r.name,
            filing_no: r.filing_no,
            address: r.address,
            business_scope: r.business_scope,
            status: r.status.as_str().to_owned(),
            status_name: r.status.name_zh().to_owned(),
            filed_on: r.filed_on,
        }
    }
}

/// The public list of filed agencies (名录), the newest filing first.
pub async fn public_list(core: &Core) -> Result<Vec<PublicAgency>> {
    Ok(queries::agencies(core.store(), MAX_ROWS).await?.into_iter().map(PublicAgency::from).collect())
}

/// One filed agency as the public sees it.
pub async fn public_agency(core: &Core, uscc: &Uscc) -> Result<PublicAgency> {
    Ok(agency(core, uscc).await?.into())
}

/// Everything the credit office keeps about an agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyFile {
    pub agency: AgencyRow,
    pub staff: Vec<AgencyStaffRow>,
    pub supervision: Vec<AgencySupervisionRow>,
    /// Accounts without their password hashes: (username, display name, active).
    pub accounts: Vec<(String, String, bool)>,
}

/// The filed agencies as the console lists them (the credit office).
pub async fn all(core: &Core, principal: &Principal) -> Result<Vec<AgencyRow>> {
    office(principal)?;
    Ok(queries::agencies(core.store(), MAX_ROWS).await?)
}

/// An agency's file (the credit office).
pub async fn agency_file(core: &Core, principal: &Principal, uscc: &Uscc) -> Result<AgencyFile> {
    office(principal)?;
    let store = core.store();
    Ok(AgencyFile {
        agency: agency(core, uscc).await?,
        staff: queries::staff_of(store, uscc, MAX_ROWS).await?,
        supervision: queries::supervision_of(store, uscc, MAX_ROWS).await?,
        accounts: queries::accounts_of(store, uscc, MAX_ROWS)
            .await?
            .into_iter()
            .map(|a| (a.username, a.display_name, a.active))
            .collect(),
    })
}
