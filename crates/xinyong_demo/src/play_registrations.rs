//! The demo city's voluntary registrations (自愿注册): the demo company
//! registers an honour (济南市守合同重信用企业, accepted by the credit
//! office's commission and shown on its public page), a qualification the
//! market regulator rejects for want of the certificate, and a public-welfare
//! donation still waiting for review; another company's contract performance
//! is accepted. Running the demo again finds the same registrations (by
//! company, kind and title) and registers or reviews nothing twice.

use xinyong_core::Core;
use xinyong_core::auth::policy::{Principal, SubjectPrincipal};
use xinyong_core::objections::EvidenceUpload;
use xinyong_core::registrations::{self, Review, SubmitRegistration, views};
use xinyong_domain::Uscc;
use xinyong_domain::auth::SubjectAccountRole;
use xinyong_domain::event::Actor;
use xinyong_domain::registrations::{RegistrationStatus, ReviewOutcome};
use xinyong_domain::subjects::{SubjectRow, SubjectStatus};

use crate::play_subjects::{DEMO_COMPANY_ACCOUNT, demo_company};
use crate::{Result, fail, invalid};

/// One registration of the story and what its reviewer decides.
struct Story {
    kind: &'static str,
    title: &'static str,
    issuer: &'static str,
    issued_on: &'static str,
    valid_until: &'static str,
    content: &'static str,
    /// Whether a one-page PDF is attached.
    file: Option<&'static str>,
    decision: Option<(ReviewOutcome, &'static str)>,
}

const DEMO_COMPANY_STORIES: [Story; 3] = [
    Story {
        kind: "honour",
        title: "济南市守合同重信用企业",
        issuer: "济南市市场监督管理局",
        issued_on: "2026-06-30",
        valid_until: "2028-06-29",
        content: "列入 2024—2025 年度济南市“守合同重信用”企业公示名单",
        file: Some("守合同重信用企业公示名单.pdf"),
        decision: Some((ReviewOutcome::Accepted, "")),
    },
    Story {
        kind: "qualification",
        title: "食品经营许可证（增项：热食类食品制售）",
        issuer: "济南市历下区行政审批服务局",
        issued_on: "2026-09-15",
        valid_until: "2031-09-14",
        content: "经营项目增加热食类食品制售",
        file: None,
        decision: Some((
            ReviewOutcome::Rejected,
            "未附许可证正副本扫描件，许可信息无法在许可公示中查到，请补充后重新申报",
        )),
    },
    Story {
        kind: "public_welfare",
        title: "向历下区慈善总会捐赠防汛物资",
        issuer: "济南市历下区慈善总会",
        issued_on: "2026-07-21",
        valid_until: "",
        content: "捐赠编织袋、救生衣等防汛物资一批，价值约 8 万元",
        file: Some("捐赠票据.pdf"),
        decision: None,
    },
];

const OTHER_STORY: Story = Story {
    kind: "contract_performance",
    title: "连续三年无合同违约纠纷",
    issuer: "济南市市场监督管理局",
    issued_on: "2026-03-31",
    valid_until: "",
    content: "2023 至 2025 年度签订购销合同 412 份，全部按约履行，无合同纠纷诉讼",
    file: None,
    decision: Some((ReviewOutcome::Accepted, "")),
};

fn company(uscc: &Uscc) -> Principal {
    Principal::Subject(SubjectPrincipal {
        uscc: uscc.clone(),
        username: DEMO_COMPANY_ACCOUNT.to_owned(),
        role: SubjectAccountRole::LegalRepresentative,
    })
}

/// An active company other than the demo company, chosen by the seed.
async fn another(core: &Core, seed: u64, not: &Uscc) -> Result<Option<Uscc>> {
    let mut scan = core.store().scan::<SubjectRow>(1_000);
    let stride = usize::try_from(seed % 7 + 5).unwrap_or(5);
    while let Some(page) = scan.next_page().await.map_err(|e| fail("demo: reading subjects")(e.into()))? {
        if let Some(s) = page.into_iter().enumerate().find_map(|(i, s)| {
            let fits = i % stride == 3 && s.status == SubjectStatus::Active && s.uscc.as_str().starts_with("91");
            (fits && s.uscc != *not).then_some(s.uscc)
        }) {
            return Ok(Some(s));
        }
    }
    Ok(None)
}

async fn play_one(core: &Core, uscc: &Uscc, story: &Story) -> Result<()> {
    let who = company(uscc);
    let own = views::of_subject(core, &who, uscc).await.map_err(fail("demo: reading registrations"))?;
    let id = match own.iter().find(|r| r.kind.as_str() == story.kind && r.title == story.title) {
        Some(r) => r.registration_id.clone(),
        None => {
            let input = SubmitRegistration {
                kind: story.kind.to_owned(),
                title: story.title.to_owned(),
                issuer: story.issuer.to_owned(),
                issued_on: story.issued_on.to_owned(),
                valid_until: story.valid_until.to_owned(),
                content: story.content.to_owned(),
                commitment_signed: true,
                files: story
                    .file
                    .map(|name| EvidenceUpload { name: name.to_owned(), bytes: b"%PDF-1.4\n% demo\n".to_vec() })
                    .into_iter()
                    .collect(),
            };
            registrations::submit(core, &who, uscc, input).await.map_err(fail("demo: a registration"))?
        }
    };
    let row = registrations::registration(core, &id).await.map_err(fail("demo: reading a registration"))?;
    if let (Some((outcome, reason)), RegistrationStatus::Pending) = (story.decision, row.status) {
        let reviewer = Actor::parse(&format!("department:{}", row.department.as_str())).map_err(invalid)?;
        let review = Review { outcome, reason: reason.to_owned() };
        registrations::review(core, &Principal::System(reviewer), &id, review)
            .await
            .map_err(fail("demo: reviewing a registration"))?;
    }
    Ok(())
}

pub(crate) async fn play(core: &Core, seed: u64) -> Result<()> {
    let Some(demo) = demo_company(core).await? else { return Ok(()) };
    for story in &DEMO_COMPANY_STORIES {
        play_one(core, &demo, story).await?;
    }
    if let Some(other) = another(core, seed, &demo).await? {
        play_one(core, &other, &OTHER_STORY).await?;
    }
    Ok(())
}
