//! The demo city's credit service agencies (信用服务机构, 十八.2): three
//! filed by the credit office — names in the usual form of such firms,
//! marked as demo data in their business scope — one with staff, an
//! inspection and an account (`demo`, password [`DEMO_PASSWORD`]), one
//! suspended after an interview; the demo company's consent to the first
//! and two queries under it, which the company sees on `/my/agencies`.
//! Filed at the time of the run, as the rest of the run-time plays.

use chrono::Days;
use xinyong_core::Core;
use xinyong_core::agencies::{self, NewAgency};
use xinyong_core::auth::policy::{AgencyPrincipal, Principal, SubjectPrincipal};
use xinyong_core::collection::intake::china_today;
use xinyong_domain::Uscc;
use xinyong_domain::agencies::{AgencyRow, AgencyStatus, SupervisionKind};
use xinyong_domain::auth::SubjectAccountRole;
use xinyong_domain::event::Actor;

use crate::play::DEMO_PASSWORD;
use crate::play_subjects::{DEMO_COMPANY_ACCOUNT, demo_company};
use crate::{Result, fail, invalid};

/// The demo agency's account name.
pub const DEMO_AGENCY_ACCOUNT: &str = "demo";

/// (organisation-code body, name, filing number, legal representative, address, scope).
type Entry = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str);

const AGENCIES: [Entry; 3] = [
    (
        "MA3C2X1K",
        "济南诚鉴信用管理有限公司",
        "济信服备〔2026〕1号",
        "孙立新",
        "济南市历下区经十路 9999 号",
        "企业信用报告、信用评估、信用管理咨询、信用修复辅导（演示数据）",
    ),
    (
        "MA3D5P7L",
        "济南泉信信用评估有限公司",
        "济信服备〔2026〕2号",
        "韩春燕",
        "济南市高新区舜华路 2000 号",
        "信用评级、信用评估、信用报告（演示数据）",
    ),
    (
        "MA3E9R2M",
        "山东鲁信信用服务有限公司济南分公司",
        "济信服备〔2026〕3号",
        "周建国",
        "济南市市中区英雄山路 88 号",
        "信用调查、信用咨询（演示数据）",
    ),
];

fn code(body: &str) -> Result<Uscc> {
    Uscc::from_parts('9', '1', "370102", body).map_err(invalid)
}

/// Files the agencies and plays the consent and queries (nothing when they
/// are filed already).
///
/// # Errors
/// A use case refused what the demo asked.
pub async fn play(core: &Core) -> Result<()> {
    let office = Principal::System(Actor::parse("user:admin").map_err(invalid)?);
    let first = code(AGENCIES[0].0)?;
    let filed = core.store().get(AgencyRow::key(&first)).await.map_err(|e| fail("demo: reading agencies")(e.into()))?;
    if filed.is_some() {
        return Ok(());
    }
    for (body, name, filing_no, rep, address, scope) in AGENCIES {
        let filing = NewAgency {
            uscc: code(body)?,
            name: name.to_owned(),
            filing_no: filing_no.to_owned(),
            legal_representative: rep.to_owned(),
            address: address.to_owned(),
            business_scope: scope.to_owned(),
        };
        agencies::file_agency(core, &office, &filing).await.map_err(fail("demo: filing an agency"))?;
    }
    supervise(core, &office, &first).await?;
    consent_and_queries(core, &first).await
}

/// Staff, an inspection and an account of the first agency; an interview
/// and a suspension of the third.
async fn supervise(core: &Core, office: &Principal, first: &Uscc) -> Result<()> {
    let today = china_today(core);
    let earlier = |days: u64| today.checked_sub_days(Days::new(days)).unwrap_or(today);
    for (name, position) in [("孙立新", "总经理"), ("李文静", "信用分析师"), ("陈浩", "信用修复咨询师")]
    {
        agencies::change_staff(core, office, first, None, name, position, true)
            .await
            .map_err(fail("demo: filing an agency's staff"))?;
    }
    let inspection = "对信用报告业务开展年度检查，抽查报告 20 份，评价依据和数据来源完整。";
    agencies::record_supervision(core, office, first, SupervisionKind::Inspection, earlier(40), inspection, "合格")
        .await
        .map_err(fail("demo: recording an inspection"))?;
    agencies::open_account(core, office, first, DEMO_AGENCY_ACCOUNT, "信用报告部", DEMO_PASSWORD)
        .await
        .map_err(fail("demo: opening an agency account"))?;
    let third = code(AGENCIES[2].0)?;
    let interview = "宣传材料中承诺“保证评级结果”，违反《山东省社会信用条例》第五十七条，约谈其负责人。";
    agencies::record_supervision(core, office, &third, SupervisionKind::Interview, earlier(12), interview, "责令整改")
        .await
        .map_err(fail("demo: recording an interview"))?;
    agencies::change_status(core, office, &third, AgencyStatus::Suspended, "约谈后整改期间暂停查询业务")
        .await
        .map_err(fail("demo: suspending an agency"))?;
    Ok(())
}

/// The demo company consents to the first agency for 180 days; the agency
/// queries twice.
async fn consent_and_queries(core: &Core, agency: &Uscc) -> Result<()> {
    let Some(uscc) = demo_company(core).await? else { return Ok(()) };
    let company = Principal::Subject(SubjectPrincipal {
        uscc: uscc.clone(),
        username: DEMO_COMPANY_ACCOUNT.to_owned(),
        role: SubjectAccountRole::LegalRepresentative,
    });
    let until = china_today(core).checked_add_days(Days::new(180)).unwrap_or_default();
    agencies::grant_consent(core, &company, &uscc, agency, until).await.map_err(fail("demo: granting a consent"))?;
    let as_agency =
        Principal::Agency(AgencyPrincipal { agency: agency.clone(), username: DEMO_AGENCY_ACCOUNT.to_owned() });
    for purpose in ["银行授信前信用尽职调查", "政府采购投标资格预审"] {
        agencies::query_full_report(core, &as_agency, &uscc, purpose).await.map_err(fail("demo: an agency's query"))?;
    }
    Ok(())
}
