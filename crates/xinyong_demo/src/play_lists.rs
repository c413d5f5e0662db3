//! The demo city's lists: plays [`crate::listings`]' plan through the same
//! listing use cases the console calls, each step by the deciding department
//! on its own date. The demo is the platform's own operator writing in each
//! department's name (`department:<code>`, [`Principal::System`]), like an
//! import on the command line.

use chrono::Duration;
use xinyong_core::Core;
use xinyong_core::auth::policy::Principal;
use xinyong_core::checks::index::{CheckIndex, CheckQuery};
use xinyong_core::checks::receipts::{Receipt, Requester};
use xinyong_core::closed_loop::feeds::{self, CaseInput};

use xinyong_core::lists::credit_file::{self, BanInput, InterviewInput};
use xinyong_core::lists::listing::{self, ExitRequest, ProposeListing};
use xinyong_core::lists::queries::{self, ListingFilter};
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::checks::ChecksEvent;
use xinyong_domain::event::{Actor, EventBody, NewEvent};
use xinyong_domain::lists::ListingStatus;
use xinyong_domain::subjects::SubjectsEvent;

use crate::city::DemoCity;
use crate::listings::{DemoCase, DemoListings, demo_listings};
use crate::{Progress, Result, fail, invalid};

/// The demo writing in a department's name, and the department.
fn acting_for(department: &str) -> Result<(Principal, DepartmentCode)> {
    let code = DepartmentCode::parse(department).map_err(invalid)?;
    let actor = Actor::parse(&format!("department:{code}")).map_err(invalid)?;
    Ok((Principal::System(actor), code))
}

/// Plays one case as far as the plan goes.
async fn play_case(core: &Core, case: DemoCase) -> Result<()> {
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
    let id = match listing::propose(core, &acting, &department, input).await {
        Ok(id) => id,
        // A company with a penalty in publicity cannot be proposed for the
        // red list: the credit office would not have proposed it.
        // Nor one whose grade falls short of the red list's.
        Err(xinyong_core::CoreError::Invalid { code: "red_list_blocked" | "red_list_grade_too_low", .. }) => {
            return Ok(());
        }
        Err(e) => return Err(fail("demo: proposing a listing")(e)),
    };
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
            xinyong_domain::lists::ExitReason::Repaired => "当事人已履行处罚义务并完成整改，经审核准予信用修复。",
            _ => "经复核，认定依据已被撤销，撤销列入决定。",
        };
        listing::exit(core, &acting, &id, ExitRequest { reason, on, decision_no, note: note.to_owned() })
            .await
            .map_err(fail("demo: ending a listing"))?;
    }
    Ok(())
}

/// Proposes, notifies, decides and ends the demo cases; returns how many.
pub(crate) async fn play(core: &Core, count: u64, seed: u64, progress: Progress<'_>) -> Result<usize> {
    let bodies: Vec<_> = DemoCity::new(seed).take(count.min(200_000) as usize).collect();
    let today = xinyong_core::collection::intake::china_today(core);
    let window = core.rules().sanctions.settings.objection_window_working_days;
    let plan = demo_listings(seed, &bodies, today, &core.rules().calendar, window);
    const STEP: &str = "名单：拟列入、告知、异议、决定、移出";
    let cases = plan.cases.len();
    let plan_rest = DemoListings { cases: Vec::new(), ..plan.clone() };
    for (done, case) in plan.cases.into_iter().enumerate() {
        play_case(core, case).await?;
        progress(STEP, done as u64 + 1, cases as u64);
    }
    // Anything whose validity ended before today leaves the lists now, as the
    // daily job would have done.
    listing::expire_due(core).await.map_err(fail("demo: expiring listings"))?;
    play_bans_and_interviews(core, &plan_rest).await?;
    play_checks_and_cases(core, &bodies, seed).await?;
    play_feedback(core, &plan_rest, seed).await?;
    crate::play_subjects::play(core, &bodies, seed).await?;
    Ok(cases)
}

async fn play_bans_and_interviews(core: &Core, plan: &DemoListings) -> Result<()> {
    for ban in &plan.bans {
        let (acting, department) = acting_for(ban.department)?;
        let input = BanInput {
            subject: ban.subject.clone(),
            scope: ban.scope,
            field: ban.field.to_owned(),
            description: ban.description.to_owned(),
            basis: ban.basis.to_owned(),
            decision_no: ban.decision_no.clone(),
            starts_on: ban.starts_on,
            ends_on: ban.ends_on,
            listing_id: None,
        };
        credit_file::impose_ban(core, &acting, &department, input).await.map_err(fail("demo: imposing a ban"))?;
    }
    for interview in &plan.interviews {
        let (acting, department) = acting_for(interview.department)?;
        let input = InterviewInput {
            subject: interview.uscc.clone(),
            kind: interview.kind,
            held_on: interview.held_on,
            interviewees: interview.interviewees.clone(),
            interviewers: interview.interviewers.to_owned(),
            outcome: interview.outcome.to_owned(),
            rectify_by: interview.rectify_by,
            listing_id: None,
        };
        credit_file::record_interview(core, &acting, &department, input)
            .await
            .map_err(fail("demo: recording an interview"))?;
    }
    Ok(())
}

/// The next number of a small seeded sequence (Knuth's MMIX LCG, top 31
/// bits): enough to pick demo cases reproducibly.
fn next_draw(state: &mut u64) -> u64 {
    *state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
    *state >> 33
}

/// (department, scenario, case prefix, share of cases checked in percent)
const CASE_SOURCES: [(&str, &str, &str, u64); 3] =
    [("ggzyjy", "bidding", "ZB", 96), ("czj", "procurement", "CG", 82), ("spj", "approval", "SP", 64)];

/// The organisations on a list (the first 5,000), read a page at a time.
async fn listed_organisations(core: &Core) -> Result<Vec<String>> {
    let listed_only = ListingFilter { status: Some(ListingStatus::Listed), ..ListingFilter::default() };
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = queries::listings_page(core, &listed_only, after.as_ref(), queries::MAX_LISTINGS_PAGE)
            .await
            .map_err(fail("demo: reading listed subjects"))?;
        out.extend(page.items.into_iter().filter(|l| !l.is_natural_person()).map(|l| l.subject_key));
        match page.next {
            Some(next) if out.len() < 5_000 => after = Some(next),
            _ => return Ok(out),
        }
    }
}

/// The approval and trading systems' cases of the last 90 days and the credit
/// checks they made (most cases, not all: 应查必查 coverage has something to
/// show), through the same check index and receipts as the API.
async fn play_checks_and_cases(core: &Core, bodies: &[EventBody], seed: u64) -> Result<()> {
    let index = CheckIndex::rebuild(core).await.map_err(fail("demo: building the check index"))?;
    let listed = listed_organisations(core).await?;
    let organisations: Vec<String> = bodies
        .iter()
        .filter_map(|b| match b {
            EventBody::Subjects(SubjectsEvent::LegalPersonRegistered { subject, .. }) => {
                Some(subject.uscc.as_str().to_owned())
            }
            _ => None,
        })
        .collect();
    if organisations.is_empty() {
        return Ok(());
    }
    let today = xinyong_core::collection::intake::china_today(core);
    let now = core.now();
    let rules = core.rules();
    let mut lines = Vec::new();
    let mut pick = seed;
    for (department, scenario, prefix, checked_percent) in CASE_SOURCES {
        let (acting, code) = acting_for(department)?;
        let cases_count = (organisations.len() / 40).clamp(20, 400);
        let mut cases = Vec::with_capacity(cases_count);
        for n in 0..cases_count {
            let r = next_draw(&mut pick);
            // One case in five concerns a listed organisation.
            let subject = if n % 5 == 0 && !listed.is_empty() {
                listed[(r as usize) % listed.len()].clone()
            } else {
                organisations[(r as usize) % organisations.len()].clone()
            };
            let case_ref = format!("{prefix}-{}-{:05}", today.format("%Y"), n + 1);
            let handled_on = today - Duration::days((r % 90) as i64);
            if r % 100 < checked_percent {
                let query = CheckQuery { subject: subject.clone(), scenario: scenario.to_owned(), item: None };
                if let Ok(answer) = index.check(&rules.sanctions, &query, today) {
                    let who = Requester {
                        department: code.clone(),
                        requester: format!("{prefix}系统"),
                        case_ref: Some(case_ref.clone()),
                    };
                    let receipt = Receipt::new(&who, &query, &answer, rules.sanction_versions(), now)
                        .map_err(fail("demo: a check receipt"))?;
                    let id = receipt.id().map_err(fail("demo: a check receipt"))?;
                    lines.push(receipt.line(id, false).map_err(fail("demo: a check receipt"))?);
                }
            }
            cases.push(CaseInput { case_ref, scenario: scenario.to_owned(), subject: Some(subject), handled_on });
        }
        feeds::report_cases(core, &acting, &code, cases).await.map_err(fail("demo: reporting cases"))?;
    }
    for chunk in lines.chunks(xinyong_core::checks::receipts::MAX_BATCH) {
        core.append(vec![NewEvent {
            actor: Actor::system(),
            rules: rules.sanction_versions(),
            body: ChecksEvent::ChecksRecorded { receipts: chunk.to_vec() }.into(),
        }])
        .await
        .map_err(fail("demo: recording check receipts"))?;
    }
    Ok(())
}

/// Executing departments acknowledge most pushed measures and report how
/// they applied most of those.
async fn play_feedback(core: &Core, plan: &DemoListings, seed: u64) -> Result<()> {
    let departments = xinyong_core::auth::departments(core).await.map_err(fail("demo: reading departments"))?;
    let mut pick = seed ^ 0x9e37_79b9;
    for d in departments {
        let (acting, _) = acting_for(d.code.as_str())?;
        let mut after = 0;
        loop {
            let page = feeds::feed(core, &d.code, after, 500).await.map_err(fail("demo: reading a feed"))?;
            for item in page.items.iter().filter(|i| i.kind == "listed") {
                for m in &item.measures {
                    let r = next_draw(&mut pick) % 100;
                    if r >= plan.acknowledge_percent {
                        continue;
                    }
                    if r < plan.acknowledge_percent * plan.feedback_percent / 100 {
                        let outcome = format!("已在本部门业务系统中对该主体实施「{}」", m.name);
                        feeds::report_execution(core, &acting, &d.code, &item.listing_id, &m.code, outcome, None, None)
                            .await
                            .map_err(fail("demo: feeding back an execution"))?;
                    } else {
                        feeds::acknowledge(core, &acting, &d.code, &item.listing_id, &m.code, "已签收，正在核实")
                            .await
                            .map_err(fail("demo: acknowledging a push"))?;
                    }
                }
            }
            if !page.more {
                break;
            }
            after = page.next_cursor;
        }
    }
    Ok(())
}
