//! The company's consent to an agency (授权) and the agency's queries under
//! it: granted and revoked on `/my`, bounded by `[agencies]
//! max_consent_days`; each download of the full report is an
//! `agency_report_queried` event the company reads as "谁查询了我的信用".

use chrono::{Days, NaiveDate};
use serde::Serialize;
use xinyong_domain::Uscc;
use xinyong_domain::agencies::{AgenciesEvent, AgencyConsentRow, AgencyRow, ConsentScope};
use xinyong_domain::event::NewEvent;
use xinyong_domain::lists::digest_id;
use xinyong_storage::agencies as queries;

use super::{MAX_ROWS, agency, ensure_active};
use crate::auth::policy::{Action, AgencyPrincipal, Principal, Resource, authorize};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::reports::{self, Channel, Issued, ReportVersion};

/// Where a consent stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    /// 有效.
    Active,
    /// 已撤回.
    Revoked,
    /// 已过期.
    Expired,
}

impl ConsentState {
    pub fn of(row: &AgencyConsentRow, today: NaiveDate) -> ConsentState {
        if row.revoked_on.is_some() {
            ConsentState::Revoked
        } else if row.expires_on < today {
            ConsentState::Expired
        } else {
            ConsentState::Active
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ConsentState::Active => "有效",
            ConsentState::Revoked => "已撤回",
            ConsentState::Expired => "已过期",
        }
    }
}

/// A consent as the company and the agency see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentView {
    pub consent_id: String,
    pub uscc: String,
    pub company_name: String,
    pub agency: String,
    pub agency_name: String,
    pub scope_name: String,
    pub granted_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub revoked_on: Option<NaiveDate>,
    pub state: ConsentState,
    pub state_name: String,
}

/// One query of the company's report by an agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryView {
    pub agency: String,
    pub agency_name: String,
    pub username: String,
    pub purpose: String,
    pub report_id: String,
    /// Milliseconds since the epoch.
    pub queried_ms: i64,
}

async fn name_of(core: &Core, uscc: &Uscc) -> Result<String> {
    if let Some(a) = core.store().get(AgencyRow::key(uscc)).await? {
        return Ok(a.name);
    }
    let subject = core.store().get(xinyong_domain::subjects::SubjectRow::key(uscc)).await?;
    Ok(subject.map_or_else(|| uscc.as_str().to_owned(), |s| s.name))
}

async fn view(core: &Core, row: AgencyConsentRow, today: NaiveDate) -> Result<ConsentView> {
    let state = ConsentState::of(&row, today);
    Ok(ConsentView {
        company_name: name_of(core, &row.uscc).await?,
        agency_name: name_of(core, &row.agency).await?,
        consent_id: row.consent_id,
        uscc: row.uscc.as_str().to_owned(),
        agency: row.agency.as_str().to_owned(),
        scope_name: row.scope.name_zh().to_owned(),
        granted_on: row.granted_on,
        expires_on: row.expires_on,
        revoked_on: row.revoked_on,
        state,
        state_name: state.name_zh().to_owned(),
    })
}

/// The company consents that a filed, 正常 agency downloads its full report
/// until `expires_on` (inclusive), at most `max_consent_days` from today.
pub async fn grant_consent(
    core: &Core,
    principal: &Principal,
    uscc: &Uscc,
    agency_uscc: &Uscc,
    expires_on: NaiveDate,
) -> Result<String> {
    authorize(principal, Action::GrantAgencyConsent, &Resource::Subject(uscc.clone()))?;
    let filed = agency(core, agency_uscc).await?;
    ensure_active(&filed)?;
    let today = china_today(core);
    let max_days = core.settings().agencies.max_consent_days;
    let latest = today.checked_add_days(Days::new(u64::from(max_days))).unwrap_or(today);
    if expires_on < today || expires_on > latest {
        return Err(CoreError::invalid(
            "consent_expiry_invalid",
            format!("授权截止日期须在今天（{today}）至 {latest} 之间（最长 {max_days} 天）"),
        ));
    }
    let granted_by = principal.actor().as_str().to_owned();
    // Two consents in the same millisecond (a script, a test clock) differ
    // by the attempt number, so neither overwrites the other.
    let at = core.now().timestamp_millis().to_string();
    let mut consent_id = String::new();
    for attempt in 0u32..100 {
        consent_id = digest_id("SQ", &[uscc.as_str(), agency_uscc.as_str(), &granted_by, &at, &attempt.to_string()]);
        if core.store().get(AgencyConsentRow::key(&consent_id)).await?.is_none() {
            break;
        }
    }
    let body = AgenciesEvent::AgencyConsentGranted {
        consent_id: consent_id.clone(),
        uscc: uscc.clone(),
        agency: agency_uscc.clone(),
        scope: ConsentScope::FullReport,
        granted_on: today,
        expires_on,
        granted_by,
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(consent_id)
}

/// The company withdraws a consent it gave; the agency can no longer use it.
pub async fn revoke_consent(core: &Core, principal: &Principal, uscc: &Uscc, consent_id: &str) -> Result<()> {
    authorize(principal, Action::GrantAgencyConsent, &Resource::Subject(uscc.clone()))?;
    let row = core.store().get(AgencyConsentRow::key(consent_id)).await?.filter(|c| c.uscc == *uscc);
    let Some(row) = row else {
        return Err(CoreError::NotFound { what: format!("授权 {consent_id}"), code: "consent_not_found" });
    };
    if row.revoked_on.is_some() {
        return Err(CoreError::invalid("consent_already_revoked", "该授权已撤回"));
    }
    let body = AgenciesEvent::AgencyConsentRevoked {
        consent_id: consent_id.to_owned(),
        revoked_on: china_today(core),
        revoked_by: principal.actor().as_str().to_owned(),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// The consents the company gave, the newest first.
pub async fn consents_of_company(core: &Core, principal: &Principal, uscc: &Uscc) -> Result<Vec<ConsentView>> {
    authorize(principal, Action::GrantAgencyConsent, &Resource::Subject(uscc.clone()))?;
    let today = china_today(core);
    let mut out = Vec::new();
    for row in queries::consents_of_subject(core.store(), uscc, MAX_ROWS).await? {
        out.push(view(core, row, today).await?);
    }
    Ok(out)
}

/// Who queried the company's report (谁查询了我的信用), the newest first.
pub async fn queries_of_company(core: &Core, principal: &Principal, uscc: &Uscc) -> Result<Vec<QueryView>> {
    authorize(principal, Action::GrantAgencyConsent, &Resource::Subject(uscc.clone()))?;
    let mut out = Vec::new();
    for q in queries::queries_of_subject(core.store(), uscc, MAX_ROWS).await? {
        out.push(QueryView {
            agency_name: name_of(core, &q.agency).await?,
            agency: q.agency.as_str().to_owned(),
            username: q.username,
            purpose: q.purpose,
            report_id: q.report_id,
            queried_ms: q.queried_ms,
        });
    }
    Ok(out)
}

fn the_agency(principal: &Principal) -> Result<&AgencyPrincipal> {
    authorize(principal, Action::UseAgencyConsent, &Resource::Platform)?;
    match principal {
        Principal::Agency(a) => Ok(a),
        _ => Err(CoreError::Forbidden {
            code: "agencies_only",
            message: "只有已备案的信用服务机构账号可以查询企业授权的信用报告".to_owned(),
        }),
    }
}

/// The consents the calling agency holds, the newest first.
pub async fn consents_held(core: &Core, principal: &Principal) -> Result<Vec<ConsentView>> {
    let me = the_agency(principal)?;
    ensure_active(&agency(core, &me.agency).await?)?;
    let today = china_today(core);
    let mut out = Vec::new();
    for row in queries::consents_of_agency(core.store(), &me.agency, MAX_ROWS).await? {
        out.push(view(core, row, today).await?);
    }
    Ok(out)
}

fn no_consent() -> CoreError {
    CoreError::Forbidden {
        code: "no_consent",
        message: "该企业未授权本机构查询其信用报告，或授权已撤回、已过期".to_owned(),
    }
}

/// The calling agency downloads the company's full report under its live
/// consent, for `purpose`; the query is logged for the company to see.
pub async fn query_full_report(core: &Core, principal: &Principal, uscc: &Uscc, purpose: &str) -> Result<Issued> {
    let me = the_agency(principal)?;
    authorize(principal, Action::UseAgencyConsent, &Resource::Subject(uscc.clone()))?;
    ensure_active(&agency(core, &me.agency).await?)?;
    let purpose = purpose.trim();
    if purpose.is_empty() || purpose.chars().count() > 100 || purpose.chars().any(char::is_control) {
        return Err(CoreError::invalid("purpose_required", "请填写查询用途（1–100 个字符）"));
    }
    let today = china_today(core);
    let consents = queries::consents_of_subject(core.store(), uscc, MAX_ROWS).await?;
    let consent = consents
        .into_iter()
        .find(|c| c.agency == me.agency && ConsentState::of(c, today) == ConsentState::Active)
        .ok_or_else(no_consent)?;
    let issued = reports::issue(core, uscc, ReportVersion::Full, Channel::Agency).await?;
    let body = AgenciesEvent::AgencyReportQueried {
        uscc: uscc.clone(),
        agency: me.agency.clone(),
        username: me.username.clone(),
        consent_id: consent.consent_id,
        purpose: purpose.to_owned(),
        report_id: issued.report.report_id.clone(),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(issued)
}

/// The company's own full report (完整版), downloaded on `/my`.
pub async fn own_full_report(core: &Core, principal: &Principal, uscc: &Uscc) -> Result<Issued> {
    authorize(principal, Action::ViewOwnFile, &Resource::Subject(uscc.clone()))?;
    reports::issue(core, uscc, ReportVersion::Full, Channel::SelfService).await
}
