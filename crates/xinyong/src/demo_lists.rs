//! The demo city's lists: plays `xinyong_core::demo_listings`' plan through
//! the same listing use cases the console calls, each step by the deciding
//! department on its own date.

use indicatif::ProgressBar;
use xinyong_core::Core;
use xinyong_core::demo::DemoCity;
use xinyong_core::demo_listings::{DemoCase, demo_listings};
use xinyong_core::listing::{self, Acting, ExitRequest, ProposeListing};
use xinyong_domain::event::Actor;
use xinyong_domain::org::DepartmentCode;

use crate::{CmdResult, Failure};

fn fail(what: &'static str) -> impl Fn(xinyong_core::CoreError) -> Failure {
    move |e| Failure::Other(anyhow::Error::new(e).context(what))
}

fn acting_for(department: &str) -> Result<(Acting, DepartmentCode), Failure> {
    let code = DepartmentCode::parse(department).map_err(|e| Failure::Other(anyhow::anyhow!("{e}")))?;
    let actor = Actor::parse(&format!("department:{code}")).map_err(|e| Failure::Other(anyhow::anyhow!("{e}")))?;
    Ok((Acting::for_department(actor, code.clone()), code))
}

/// Plays one case as far as the plan goes.
async fn play_case(core: &Core, case: DemoCase) -> CmdResult {
    let (acting, department) = acting_for(case.department)?;
    let input = ProposeListing {
        list_code: case.list_code.to_owned(),
        subject: case.subject.clone(),
        reason: case.reason.clone(),
        facts: case.facts.clone(),
        legal_basis: case.legal_basis.clone(),
        source_records: Vec::new(),
        proposed_on: Some(case.proposed_on),
    };
    let id = listing::propose(core, &acting, &department, input).await.map_err(fail("demo: proposing a listing"))?;
    if let Some(on) = case.notice_on {
        listing::serve_notice(core, &acting, &id, on, "直接送达").await.map_err(fail("demo: serving a notice"))?;
    }
    if let Some(objection) = &case.objection {
        let objection_id = listing::file_objection(core, &acting, &id, objection.filed_on, &objection.grounds)
            .await
            .map_err(fail("demo: filing an objection"))?;
        if let Some((_, outcome, reply)) = &objection.answer {
            listing::answer_objection(core, &acting, &objection_id, *outcome, reply)
                .await
                .map_err(fail("demo: answering an objection"))?;
        }
    }
    if let Some((on, number)) = &case.decision {
        listing::decide(core, &acting, &id, number, *on).await.map_err(fail("demo: deciding a listing"))?;
    }
    if let Some((on, reason, decision_no)) = case.exit {
        let note = match reason {
            xinyong_domain::listing::ExitReason::Repaired => "当事人已履行处罚义务并完成整改，经审核准予信用修复。",
            _ => "经复核，认定依据已被撤销，撤销列入决定。",
        };
        listing::exit(core, &acting, &id, ExitRequest { reason, on, decision_no, note: note.to_owned() })
            .await
            .map_err(fail("demo: ending a listing"))?;
    }
    Ok(())
}

/// Proposes, notifies, decides and ends the demo cases; returns how many.
pub async fn play(core: &Core, count: u64, seed: u64, progress: bool) -> Result<usize, Failure> {
    let bodies: Vec<_> = DemoCity::new(seed).take(count.min(200_000) as usize).collect();
    let today = xinyong_core::intake::china_today(core);
    let plan = demo_listings(seed, &bodies, today);
    let bar = if progress { ProgressBar::new(plan.cases.len() as u64) } else { ProgressBar::hidden() };
    bar.set_message("名单：拟列入、告知、异议、决定、移出");
    let cases = plan.cases.len();
    for case in plan.cases {
        play_case(core, case).await?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    // Anything whose validity ended before today leaves the lists now, as the
    // daily job would have done.
    listing::expire_due(core).await.map_err(fail("demo: expiring listings"))?;
    Ok(cases)
}
