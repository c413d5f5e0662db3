//! The demo city's rectification campaign (专项治理): the market regulator
//! takes the district with the most organisations on the SAMR serious list
//! in hand, from six weeks ago to a month from now. Half the subjects have
//! reported progress (some with a PDF), two were found rectified, one was
//! found not rectified, and one whose earlier deadline passed is overdue and
//! has had its warning interview. Dates follow the core's clock.

use std::collections::BTreeMap;

use chrono::Duration;
use xinyong_core::Core;
use xinyong_core::auth::policy::Principal;
use xinyong_core::campaigns::{self, CampaignInterview, OpenCampaign, ProgressInput, views};
use xinyong_core::collection::intake::china_today;
use xinyong_core::objections::EvidenceUpload;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::campaigns::RectificationOutcome;
use xinyong_domain::codes::division::DivisionCode;
use xinyong_domain::event::Actor;
use xinyong_domain::lists::InterviewKind;

use crate::{Result, fail, invalid};

/// The list the campaign covers.
const LIST: &str = "samr-serious";
/// Fewest organisations worth a campaign.
const MIN_SUBJECTS: usize = 3;

/// The demo writing in a department's name.
fn acting_for(department: &str) -> Result<(Principal, DepartmentCode)> {
    let code = DepartmentCode::parse(department).map_err(invalid)?;
    let actor = Actor::parse(&format!("department:{code}")).map_err(invalid)?;
    Ok((Principal::System(actor), code))
}

/// The district with the most organisations on the list today, if any has
/// enough: scanned from the list's listings in force.
async fn busiest_district(core: &Core) -> Result<Option<String>> {
    let today = china_today(core);
    let rows = xinyong_storage::campaigns::scope_candidates(core.store(), LIST, None, today, 20_000)
        .await
        .map_err(|e| fail("demo: reading the list for a campaign")(e.into()))?;
    let mut per_district: BTreeMap<String, usize> = BTreeMap::new();
    let mut last = String::new();
    for row in rows {
        if row.subject_key != last {
            *per_district.entry(row.subject_key.get(2..8).unwrap_or_default().to_owned()).or_default() += 1;
            last = row.subject_key;
        }
    }
    let max = core.settings().campaigns.max_subjects;
    Ok(per_district
        .into_iter()
        .filter(|(d, n)| *n >= MIN_SUBJECTS && *n <= max && DivisionCode::parse(d).is_ok())
        .max_by_key(|(_, n)| *n)
        .map(|(d, _)| d))
}

/// Opens the campaign and plays its subjects; nothing when no district has
/// enough listed organisations.
pub(crate) async fn play(core: &Core, seed: u64) -> Result<()> {
    let Some(district) = busiest_district(core).await? else { return Ok(()) };
    let today = china_today(core);
    let starts_on = today - Duration::days(42);
    let ends_on = today + Duration::days(30);
    let scope = campaigns::scope(core, LIST, Some(&district), today).await.map_err(fail("demo: a campaign's scope"))?;
    // The first subject had an earlier deadline, already passed.
    let early = scope.first().map(|l| l.subject_key.clone()).unwrap_or_default();
    let name = DivisionCode::parse(&district).map(|d| d.name().to_owned()).map_err(invalid)?;
    let input = OpenCampaign {
        name: format!("{}年{name}严重违法失信企业专项治理", starts_on.format("%Y")),
        basis: "依据济政办字〔2019〕54号第九条“开展重点领域失信问题专项治理”，对列入市场监督管理严重违法失信名单的企业限期整改：补缴罚没款、消除违法状态、提交整改报告；逾期未整改的由认定部门约谈。".to_owned(),
        list_code: LIST.to_owned(),
        district: Some(district),
        starts_on,
        ends_on,
        deadlines: BTreeMap::from([(early, today - Duration::days(5))]),
    };
    let (office, scjgj) = (Principal::System(Actor::parse("user:admin").map_err(invalid)?), acting_for("scjgj")?.1);
    let id = campaigns::open(core, &office, &scjgj, input).await.map_err(fail("demo: opening a campaign"))?;
    play_subjects(core, &id, seed).await
}

/// Progress, outcomes, the overdue subject and its interview.
async fn play_subjects(core: &Core, id: &str, seed: u64) -> Result<()> {
    let detail = views::campaign(core, &Principal::System(Actor::system()), id)
        .await
        .map_err(fail("demo: reading the campaign"))?
        .ok_or_else(|| invalid("the demo campaign is missing"))?;
    let today = china_today(core);
    let notes = [
        "已缴清罚没款并提交整改报告",
        "已召回问题产品，完成内部整改",
        "已完成整改，申请现场核查",
        "已接受信用修复培训",
    ];
    // The overdue subject (the first) reports nothing; every other second one does.
    for (i, s) in detail.subjects.iter().enumerate().skip(1) {
        if (i + usize::try_from(seed % 2).unwrap_or(0)) % 2 == 1 && i > 4 {
            continue;
        }
        let (acting, _) = acting_for(&s.department)?;
        let days_ago = 30 - i64::try_from(i % 20).unwrap_or(0);
        let evidence = (i % 2 == 1).then(|| EvidenceUpload {
            name: format!("整改报告-{}.pdf", s.uscc),
            bytes: format!("%PDF-1.4\n% 演示整改报告 {}\n%%EOF\n", s.uscc).into_bytes(),
        });
        let progress = ProgressInput {
            reported_on: today - Duration::days(days_ago),
            note: notes[i % notes.len()].to_owned(),
            evidence,
        };
        campaigns::report_progress(core, &acting, id, &s.uscc, progress)
            .await
            .map_err(fail("demo: campaign progress"))?;
        let outcome = match i {
            1 | 2 => Some((RectificationOutcome::Rectified, "经现场核查，违法状态已消除，整改到位")),
            3 => Some((RectificationOutcome::NotRectified, "整改报告未附缴款凭证，经核查未整改到位")),
            _ => None,
        };
        if let Some((outcome, note)) = outcome {
            campaigns::decide(core, &acting, id, &s.uscc, outcome, note)
                .await
                .map_err(fail("demo: campaign outcome"))?;
        }
    }
    // What the `campaigns` job does at `serve`'s start, then the interview.
    campaigns::job::mark_overdue(core).await.map_err(fail("demo: overdue campaign subjects"))?;
    let Some(first) = detail.subjects.first() else { return Ok(()) };
    let (acting, department) = acting_for(&first.department)?;
    let interview = CampaignInterview {
        kind: InterviewKind::Warning,
        held_on: today,
        interviewees: "法定代表人（到场）".to_owned(),
        interviewers: "信用监管科 两名执法人员".to_owned(),
        outcome: "告知逾期未整改的后果，责令十五日内整改到位并报送整改报告".to_owned(),
        rectify_by: Some(today + Duration::days(15)),
    };
    campaigns::record_interview(core, &acting, &department, id, &first.uscc, interview)
        .await
        .map_err(fail("demo: the overdue subject's interview"))?;
    Ok(())
}
