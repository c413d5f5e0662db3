//! The demo city's market-subject side: one company with an account (the
//! market regulator's counter issued its activation letter), which has
//! objected to one of its penalties (异议处理中 on the portal, in the
//! department's queue) and applied to repair another whose minimum
//! publicity has passed (pending review). Dated today, as a credit office
//! opening the demo would see a working morning.

use xinyong_core::Core;
use xinyong_core::auth::policy::{Principal, SubjectPrincipal};
use xinyong_core::auth::subject_accounts::{self, Activation};
use xinyong_core::collection::intake::china_today;
use xinyong_core::repair::{self, RepairRequest};
use xinyong_domain::Uscc;
use xinyong_domain::auth::{SubjectAccountRole, SubjectAccountRow};
use xinyong_domain::collection::RecordRow;
use xinyong_domain::event::{Actor, EventBody};
use xinyong_domain::repair::SuppliedMaterial;
use xinyong_domain::subjects::{SubjectRow, SubjectStatus, SubjectsEvent};

use crate::play::DEMO_PASSWORD;
use crate::{Result, fail, invalid};

/// The demo company's account name (its password is [`DEMO_PASSWORD`]).
pub const DEMO_COMPANY_ACCOUNT: &str = "admin";

/// Companies looked at for one with two public records, one a repairable penalty.
const CANDIDATES: usize = 50_000;

fn shown_today(r: &RecordRow, today: chrono::NaiveDate) -> bool {
    r.item == "CF" && r.public && r.window_start.is_some_and(|s| s <= today) && r.latest_end.is_none_or(|e| today < e)
}

/// Plays the company's side; returns its USCC (none when the city is too
/// small to have such a company).
pub(crate) async fn play(core: &Core, bodies: &[EventBody], seed: u64) -> Result<Option<Uscc>> {
    // A company some department has checked, so its page shows who did;
    // any company when none was.
    for checked in [true, false] {
        if let Some(uscc) = play_one(core, bodies, seed, checked).await? {
            return Ok(Some(uscc));
        }
    }
    Ok(None)
}

async fn is_active(core: &Core, uscc: &Uscc) -> Result<bool> {
    let row = core.store().get(SubjectRow::key(uscc)).await.map_err(|e| fail("demo: reading a subject")(e.into()))?;
    Ok(row.is_some_and(|r| r.status == SubjectStatus::Active))
}

async fn play_one(core: &Core, bodies: &[EventBody], seed: u64, checked: bool) -> Result<Option<Uscc>> {
    let today = china_today(core);
    for body in bodies.iter().take(CANDIDATES) {
        let EventBody::Subjects(SubjectsEvent::LegalPersonRegistered { subject, .. }) = body else { continue };
        // A company (工商, 企业: USCC "91…"), the usual applicant, in business
        // (存续): a revoked or cancelled one can neither pledge nor apply.
        if !subject.uscc.as_str().starts_with("91") || !is_active(core, &subject.uscc).await? {
            continue;
        }
        if checked
            && xinyong_storage::checks::receipts_of_subject(core.store(), &subject.uscc, 1)
                .await
                .map_err(|e| fail("demo: reading a company's checks")(e.into()))?
                .is_empty()
        {
            continue;
        }
        let rows = xinyong_storage::collection::records_of_subject(core.store(), &subject.uscc, 50)
            .await
            .map_err(|e| fail("demo: reading a company's records")(e.into()))?;
        let mut public: Vec<&RecordRow> = rows.iter().filter(|r| shown_today(r, today)).collect();
        // The market regulator's first: the demo's `scjgj` account answers them.
        public.sort_by_key(|r| r.department.as_str() != "scjgj");
        let Some(repairable) =
            public.iter().find(|r| r.item == "CF" && r.repairable && r.earliest_end.is_some_and(|e| e <= today))
        else {
            continue;
        };
        let Some(disputed) = public.iter().find(|r| r.id != repairable.id) else { continue };
        let company = Principal::Subject(SubjectPrincipal {
            uscc: subject.uscc.clone(),
            username: DEMO_COMPANY_ACCOUNT.to_owned(),
            role: SubjectAccountRole::LegalRepresentative,
        });
        let assessment =
            repair::assess(core, &company, &repairable.id).await.map_err(fail("demo: assessing a repair"))?;
        if !assessment.eligible {
            continue;
        }
        open_account(core, &subject.uscc, seed).await?;
        xinyong_core::objections::file_objection(
            core,
            &company,
            &disputed.id,
            "处罚决定书载明的违法行为发生地点与本企业实际经营地址不符，本企业在该地点没有经营场所，请予核实。",
        )
        .await
        .map_err(fail("demo: filing an objection"))?;
        let materials = assessment
            .materials
            .iter()
            .map(|m| SuppliedMaterial {
                code: m.code.to_owned(),
                description: match m.code {
                    "fulfilment" => format!(
                        "已按{}全额缴纳罚款，缴款书编号 3701{:08}",
                        repairable.document_number,
                        seed % 100_000_000
                    ),
                    "rectification" => {
                        "已完成整改：更换不合格进货渠道，建立进货查验记录制度并组织全员培训。".to_owned()
                    }
                    "training" => "参加济南市信用修复专题培训，证书编号 JNXY-2026-0318".to_owned(),
                    "credit_report" => "山东某信用服务有限公司出具的信用报告，编号 SDXY-2026-1107".to_owned(),
                    _ => "自处罚以来未再受到同类行政处罚。".to_owned(),
                },
            })
            .collect();
        let request = RepairRequest { record_id: repairable.id.clone(), materials, commitment_signed: true };
        repair::apply_repair(core, &company, &request).await.map_err(fail("demo: applying for repair"))?;
        return Ok(Some(subject.uscc.clone()));
    }
    Ok(None)
}

/// The market regulator's counter issues the letter; the company opens its
/// main account with it.
async fn open_account(core: &Core, uscc: &Uscc, seed: u64) -> Result<()> {
    let counter = Principal::System(Actor::parse("department:scjgj").map_err(invalid)?);
    let mut secret = [0u8; 10];
    secret[..8].copy_from_slice(&seed.to_le_bytes());
    let letter = subject_accounts::issue_activation_code(core, &counter, uscc, secret)
        .await
        .map_err(fail("demo: issuing an activation letter"))?;
    let activation = Activation {
        uscc: uscc.clone(),
        code: letter.code,
        username: DEMO_COMPANY_ACCOUNT.to_owned(),
        display_name: "办公室 刘经理".to_owned(),
        password: DEMO_PASSWORD.to_owned(),
    };
    subject_accounts::activate(core, &activation).await.map_err(fail("demo: opening a company account"))?;
    Ok(())
}

/// The demo company's USCC, when the database holds the demo city.
pub async fn demo_company(core: &Core) -> Result<Option<Uscc>> {
    let mut scan = core.store().scan::<SubjectAccountRow>(100);
    while let Some(page) = scan.next_page().await.map_err(|e| fail("demo: reading the company accounts")(e.into()))? {
        if let Some(row) = page.into_iter().find(|r| {
            r.active && r.username == DEMO_COMPANY_ACCOUNT && r.role == SubjectAccountRole::LegalRepresentative
        }) {
            return Ok(Some(row.uscc));
        }
    }
    Ok(None)
}
