//! The demo city's lists: plays [`crate::listings`]' plan through the same
//! listing use cases the console calls, each step by the deciding department
//! on its own date. The demo is the platform's own operator writing in each
//! department's name (`department:<code>`, [`Principal::System`]), like an
//! import on the command line.

use chrono::{DateTime, Duration, Utc};
use xinyong_core::Core;
use xinyong_core::auth::policy::Principal;
use xinyong_core::checks::index::{CheckIndex, CheckQuery};
use xinyong_core::checks::receipts::{Receipt, Requester};
use xinyong_core::closed_loop::feeds::{self, CaseInput};

use xinyong_core::lists::credit_file::{self, BanInput, InterviewInput};
use xinyong_core::lists::listing::{self, ExitRequest, ProposeListing};
use xinyong_core::lists::queries::{self, ListingFilter, PushStatus};
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::checks::ChecksEvent;
use xinyong_domain::event::{Actor, EventBody, NewEvent};
use xinyong_domain::lists::ListingStatus;
use xinyong_domain::subjects::SubjectsEvent;

use crate::city::DemoCity;
use crate::listings::{DemoCase, DemoListings, demo_listings};
use crate::records::DemoBatch;
use crate::timeline::{Schedule, Timeline, office_time};
use crate::{Progress, Result, fail, invalid};

/// The demo writing in a department's name, and the department.
fn acting_for(department: &str) -> Result<(Principal, DepartmentCode)> {
    let code = DepartmentCode::parse(department).map_err(invalid)?;
    let actor = Actor::parse(&format!("department:{code}")).map_err(invalid)?;
    Ok((Principal::System(actor), code))
}

/// One act of the demo's history, played at its own time.
enum Act {
    Upload(Box<DemoBatch>),
    Propose(usize),
    Notice(usize),
    Object(usize),
    Answer(usize),
    Decide(usize),
    Exit(usize),
    Ban(usize),
    Interview(usize),
    Acknowledge(Push),
    Execute(Push),
}

/// A measure a decision pushed to an executing department.
struct Push {
    listing_id: String,
    measure: String,
    measure_name: String,
    department: String,
}

/// The history being played: the plan, what the acts so far created, and
/// the acts still to come.
struct History<'a> {
    timeline: &'a Timeline,
    plan: DemoListings,
    /// Listing id of each case once proposed (`None`: not proposed, or
    /// refused and so dropped with its later steps).
    listings: Vec<Option<String>>,
    objections: Vec<Option<String>>,
    schedule: Schedule<Act>,
    draw: u64,
}

/// Minutes after 08:30 of each step on its day: a day's steps of one case
/// keep their order (a decision and an exit on the same day, say).
const PROPOSE_AT: u32 = 30;
const INTERVIEW_AT: u32 = 105;
const NOTICE_AT: u32 = 90;
const OBJECT_AT: u32 = 150;
const ANSWER_AT: u32 = 330;
const DECIDE_AT: u32 = 390;
const BAN_AT: u32 = 420;
const EXIT_AT: u32 = 450;

impl History<'_> {
    /// Every planned act at its date and office hour.
    fn schedule_plan(&mut self, uploads: Vec<DemoBatch>) {
        for (n, batch) in uploads.into_iter().enumerate() {
            // Several uploads a day are spread over the working day.
            let minutes = (n as u32 * 37) % 480;
            self.schedule.add(office_time(batch.received_date, minutes), Act::Upload(Box::new(batch)));
        }
        for (i, case) in self.plan.cases.iter().enumerate() {
            let jitter = (i as u32 * 7) % 25;
            let at = |day, minutes: u32| office_time(day, minutes + jitter);
            self.schedule.add(at(case.proposed_on, PROPOSE_AT), Act::Propose(i));
            if let Some(on) = case.notice_on {
                self.schedule.add(at(on, NOTICE_AT), Act::Notice(i));
            }
            if let Some(objection) = &case.objection {
                self.schedule.add(at(objection.filed_on, OBJECT_AT), Act::Object(i));
                if let Some((on, ..)) = &objection.answer {
                    self.schedule.add(at(*on, ANSWER_AT), Act::Answer(i));
                }
            }
            if let Some((on, _)) = &case.decision {
                self.schedule.add(at(*on, DECIDE_AT), Act::Decide(i));
            }
            if let Some((on, ..)) = &case.exit {
                self.schedule.add(at(*on, EXIT_AT), Act::Exit(i));
            }
        }
        for (i, ban) in self.plan.bans.iter().enumerate() {
            self.schedule.add(office_time(ban.starts_on, BAN_AT), Act::Ban(i));
        }
        for (i, interview) in self.plan.interviews.iter().enumerate() {
            self.schedule.add(office_time(interview.held_on, INTERVIEW_AT), Act::Interview(i));
        }
    }

    /// Plays the acts in time order, each with the clock at its time.
    async fn play(&mut self, progress: Progress<'_>) -> Result<()> {
        const STEP: &str = "历史：上传、拟列入、告知、异议、决定、反馈、移出";
        let mut done = 0;
        while let Some((at, act)) = self.schedule.next() {
            self.play_act(at, act).await?;
            done += 1;
            progress(STEP, done, self.schedule.scheduled());
        }
        Ok(())
    }

    async fn play_act(&mut self, at: DateTime<Utc>, act: Act) -> Result<()> {
        let timeline = self.timeline;
        let core = timeline.at(at);
        match act {
            Act::Upload(batch) => crate::play::upload(core, *batch).await,
            Act::Propose(i) => {
                self.listings[i] = propose(core, &self.plan.cases[i]).await?;
                Ok(())
            }
            Act::Decide(i) => self.decide(at, i).await,
            Act::Acknowledge(push) => {
                let (acting, department) = acting_for(&push.department)?;
                feeds::acknowledge(core, &acting, &department, &push.listing_id, &push.measure, "已签收，正在核实")
                    .await
                    .map_err(fail("demo: acknowledging a push"))?;
                Ok(())
            }
            Act::Execute(push) => {
                let (acting, department) = acting_for(&push.department)?;
                let outcome = format!("已在本部门业务系统中对该主体实施「{}」", push.measure_name);
                feeds::report_execution(
                    core,
                    &acting,
                    &department,
                    &push.listing_id,
                    &push.measure,
                    outcome,
                    None,
                    None,
                )
                .await
                .map_err(fail("demo: feeding back an execution"))?;
                Ok(())
            }
            Act::Ban(i) => impose_ban(core, &self.plan.bans[i]).await,
            Act::Interview(i) => record_interview(core, &self.plan.interviews[i]).await,
            Act::Notice(i) => {
                let (Some(id), Some(on)) = (&self.listings[i], self.plan.cases[i].notice_on) else { return Ok(()) };
                let (acting, _) = acting_for(self.plan.cases[i].department)?;
                listing::serve_notice(core, &acting, id, on, "直接送达")
                    .await
                    .map_err(fail("demo: serving a notice"))?;
                Ok(())
            }
            Act::Object(i) => {
                let (Some(id), Some(objection)) = (&self.listings[i], &self.plan.cases[i].objection) else {
                    return Ok(());
                };
                let (acting, _) = acting_for(self.plan.cases[i].department)?;
                let filed = listing::file_objection(core, &acting, id, objection.filed_on, &objection.grounds)
                    .await
                    .map_err(fail("demo: filing an objection"))?;
                self.objections[i] = Some(filed);
                Ok(())
            }
            Act::Answer(i) => {
                let case = &self.plan.cases[i];
                let (Some(id), Some((_, outcome, reply))) =
                    (&self.objections[i], case.objection.as_ref().and_then(|o| o.answer.as_ref()))
                else {
                    return Ok(());
                };
                let (acting, _) = acting_for(case.department)?;
                listing::answer_objection(core, &acting, id, *outcome, reply)
                    .await
                    .map_err(fail("demo: answering an objection"))
            }
            Act::Exit(i) => exit(core, &self.plan.cases[i], self.listings[i].as_deref()).await,
        }
    }

    /// Decides case `i`, and schedules the executing departments' answers
    /// to its pushes: most acknowledge within hours or a few days, most of
    /// those report the execution days later; the rest stay pending (and
    /// overdue once the loop's deadline has passed). Nothing is answered
    /// after the case left the list or after the real now.
    async fn decide(&mut self, at: DateTime<Utc>, i: usize) -> Result<()> {
        let timeline = self.timeline;
        let core = timeline.at(at);
        let case = &self.plan.cases[i];
        let (Some(id), Some((on, number))) = (&self.listings[i], &case.decision) else { return Ok(()) };
        let (acting, _) = acting_for(case.department)?;
        listing::decide(core, &acting, id, number, *on).await.map_err(fail("demo: deciding a listing"))?;
        let Some(detail) = queries::listing_detail(core, id).await.map_err(fail("demo: reading a listing"))? else {
            return Ok(());
        };
        let until =
            case.exit.as_ref().map_or(timeline.now(), |(day, ..)| office_time(*day, EXIT_AT)).min(timeline.now());
        let id = id.clone();
        for p in detail.pushes {
            let r = next_draw(&mut self.draw) % 100;
            if r >= self.plan.acknowledge_percent {
                continue;
            }
            // 1 to 120 hours to acknowledge, 1 to 20 days more to feed back.
            let acked = at + Duration::hours(1 + (next_draw(&mut self.draw) % 120) as i64);
            let executed = acked + Duration::days(1 + (next_draw(&mut self.draw) % 20) as i64);
            let push = |p: &PushStatus| Push {
                listing_id: id.clone(),
                measure: p.measure.clone(),
                measure_name: p.measure_name.clone(),
                department: p.department.clone(),
            };
            if acked < until {
                self.schedule.add(acked, Act::Acknowledge(push(&p)));
            }
            if r < self.plan.acknowledge_percent * self.plan.feedback_percent / 100 && executed < until {
                self.schedule.add(executed, Act::Execute(push(&p)));
            }
        }
        Ok(())
    }
}

/// Proposes a case; `None` when the credit office would not have (a red-list
/// candidate with a penalty in publicity or too low a grade on that day).
async fn propose(core: &Core, case: &DemoCase) -> Result<Option<String>> {
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
    match listing::propose(core, &acting, &department, input).await {
        Ok(id) => Ok(Some(id)),
        Err(xinyong_core::CoreError::Invalid { code: "red_list_blocked" | "red_list_grade_too_low", .. }) => Ok(None),
        Err(e) => Err(fail("demo: proposing a listing")(e)),
    }
}

/// Ends a case's listing on its planned exit date.
async fn exit(core: &Core, case: &DemoCase, listing_id: Option<&str>) -> Result<()> {
    let (Some(id), Some((on, reason, decision_no))) = (listing_id, case.exit.clone()) else { return Ok(()) };
    let (acting, _) = acting_for(case.department)?;
    let note = match reason {
        xinyong_domain::lists::ExitReason::Repaired => "当事人已履行处罚义务并完成整改，经审核准予信用修复。",
        _ => "经复核，认定依据已被撤销，撤销列入决定。",
    };
    listing::exit(core, &acting, id, ExitRequest { reason, on, decision_no, note: note.to_owned() })
        .await
        .map_err(fail("demo: ending a listing"))
}

/// Plays the history — uploads and listing cases with the departments'
/// answers, in date order — then what the daily jobs would have done by
/// now, and the checks, cases and company accounts of today; returns how
/// many cases were planned.
pub(crate) async fn play(
    timeline: &Timeline,
    uploads: Vec<DemoBatch>,
    count: u64,
    seed: u64,
    progress: Progress<'_>,
) -> Result<usize> {
    let core = timeline.at(timeline.now());
    let bodies: Vec<_> = DemoCity::new(seed).take(count.min(200_000) as usize).collect();
    let today = xinyong_core::collection::intake::china_today(core);
    let window = core.rules().sanctions.settings.objection_window_working_days;
    let plan = demo_listings(seed, &bodies, today, &core.rules().calendar, window);
    let cases = plan.cases.len();
    let mut history = History {
        timeline,
        listings: vec![None; cases],
        objections: vec![None; cases],
        plan,
        schedule: Schedule::new(),
        draw: seed ^ 0x9e37_79b9,
    };
    history.schedule_plan(uploads);
    history.play(progress).await?;
    let core = timeline.at(timeline.now());
    // Anything whose validity ended before today leaves the lists now, as the
    // daily job would have done.
    listing::expire_due(core).await.map_err(fail("demo: expiring listings"))?;
    play_checks_and_cases(core, &bodies, seed).await?;
    crate::play_subjects::play(core, &bodies, seed).await?;
    Ok(cases)
}

async fn impose_ban(core: &Core, ban: &crate::listings::DemoBan) -> Result<()> {
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
    Ok(())
}

async fn record_interview(core: &Core, interview: &crate::listings::DemoInterview) -> Result<()> {
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
                    // Checked while the case was handled, not when the demo ran.
                    let checked_at = office_time(handled_on, 60 + (r % 420) as u32).min(now);
                    let receipt = Receipt::new(&who, &query, &answer, rules.sanction_versions(), checked_at)
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
