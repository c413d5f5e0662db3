//! 双随机、一公开 end to end in the core: items and inspectors, a joint plan,
//! the commitment, the draw refused until its seed exists, the draw, its
//! recomputation (and its failure on a changed pool or seed), results,
//! publication, and the published results in the evaluation.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use chrono::Duration;
use xinyong_core::auth;
use xinyong_core::inspections::directory::{self, InspectorInput, ItemInput};
use xinyong_core::inspections::plan::{PlanInput, plan_task};
use xinyong_core::inspections::results::{ResultInput, enter_result, publish};
use xinyong_core::inspections::{draw, verify, view};
use xinyong_core::jobs::Job as _;
use xinyong_domain::Uscc;
use xinyong_domain::evaluation::GradeRow;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::inspections::{InspectionTaskRow, TaskStatus};
use xinyong_domain::lottery::Quota;
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::{TestApp, credit_office, department_user};

fn org(district: &str, n: u32) -> Uscc {
    Uscc::from_parts('9', '1', district, &format!("MA3C{n:04}")).unwrap()
}

/// 30 companies in 市中区 (370103) and 20 in 历下区 (370102), two items of
/// 市场监管局 and one of 卫健委, nine inspectors.
async fn city() -> TestApp {
    let app = TestApp::new().await;
    xinyong_core::rules::publish_rules(&app.core).await.unwrap();
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let subjects = (0..50).map(|n| {
        let district = if n < 30 { "370103" } else { "370102" };
        NewEvent::new(
            Actor::parse("demo").unwrap(),
            SubjectsEvent::LegalPersonRegistered {
                subject: LegalPerson {
                    uscc: org(district, n),
                    name: SubjectName::parse(&format!("济南测试{n}有限公司")).unwrap(),
                    status: SubjectStatus::Active,
                },
                people: vec![],
            },
        )
    });
    app.core.append(subjects.collect()).await.unwrap();
    for (dept, code, districts) in [("scjgj", "SC-01", "370103"), ("scjgj", "SC-02", ""), ("wjw", "WJ-01", "370102")] {
        let input = ItemInput {
            department: dept.into(),
            code: code.into(),
            name: format!("{code} 检查"),
            legal_basis: "《企业信息公示暂行条例》第十四条".into(),
            content: "检查企业公示信息的真实性".into(),
            sectors: String::new(),
            districts: districts.into(),
        };
        directory::save_item(&app.core, &department_user(dept), input).await.unwrap();
    }
    for (dept, n) in [("scjgj", 6), ("wjw", 3)] {
        for i in 0..n {
            let input = InspectorInput {
                department: dept.into(),
                inspector_id: format!("{dept}-{i:03}"),
                name: "张建国".into(),
                certificate_no: format!("37010020{i:04}"),
                fields: "市场监管".into(),
            };
            directory::register_inspector(&app.core, &department_user(dept), input).await.unwrap();
        }
    }
    app
}

fn joint_plan() -> PlanInput {
    PlanInput {
        title: "2026 年第四季度市场主体联合抽查".into(),
        lead_department: "scjgj".into(),
        items: "scjgj:SC-01, scjgj:SC-02 wjw:WJ-01".into(),
        period_start: "2026-12-01".into(),
        period_end: "2026-12-31".into(),
        boosted: org("370103", 3).as_str().into(),
        boosted_percent: "100".into(),
        seed_delay_minutes: "10".into(),
        ..PlanInput::default()
    }
}

async fn row(app: &TestApp, task_id: &str) -> InspectionTaskRow {
    app.core.store().get(InspectionTaskRow::key(task_id)).await.unwrap().unwrap()
}

#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "one story from the plan to the published result in the evaluation, step by step"
)]
async fn a_joint_task_goes_from_plan_to_published_results_and_verifies() {
    let app = city().await;
    let scjgj = department_user("scjgj");
    let task_id = plan_task(&app.core, &scjgj, joint_plan()).await.unwrap();
    assert_eq!(task_id, "scjgj-2026-0001");
    let committed = draw::commit(&app.core, &scjgj, &task_id, [7; 32]).await.unwrap();
    assert_eq!(committed.pool_size, 50, "the union of the three items' directories");

    // The seed does not exist yet: the draw refuses, for the job too.
    let early = draw::draw(&app.core, &scjgj, &task_id).await.unwrap_err();
    assert_eq!(early.code(), "lottery_seed_not_ready");
    app.clock.advance(Duration::minutes(9));
    assert_eq!(draw::draw(&app.core, &scjgj, &task_id).await.unwrap_err().code(), "lottery_seed_not_ready");
    app.clock.advance(Duration::minutes(2));
    let drawn = draw::draw(&app.core, &scjgj, &task_id).await.unwrap();
    let r = row(&app, &task_id).await;
    assert_eq!(r.status, TaskStatus::Drawn);
    assert!(drawn.checkpoint_size > r.commit_seq.unwrap(), "the checkpoint covers the commitment");

    // Counts per stratum are exactly the quota's.
    let record = verify::public_record(&app.core, &task_id).await.unwrap();
    for (stratum, result) in record.pool.iter().zip(&record.draw.strata) {
        let size = u32::try_from(stratum.members.len()).unwrap();
        let quota = Quota::new(stratum.ratio_bp, stratum.min, stratum.max).unwrap();
        assert_eq!((result.size, result.count), (size, quota.count(size)), "stratum {}", stratum.name);
        assert_eq!(result.targets.len() as u32, result.count);
    }
    let boosted = record.draw.strata.iter().find(|s| s.name.as_str() == "重点").unwrap();
    assert_eq!(boosted.targets, vec![org("370103", 3)], "a boosted subject at 100 % is always drawn");

    // One visit per target with every item that applies to it.
    let detail = view::detail(&app.core, &scjgj, &task_id, false).await.unwrap();
    assert_eq!(detail.targets.len(), drawn.targets);
    for t in &detail.targets {
        let in_370103 = t.uscc.get(2..8) == Some("370103");
        assert_eq!(t.items.len(), 2, "{}: one district item and the city-wide one", t.uscc);
        assert_eq!(t.items.iter().any(|i| i.starts_with("SC-01")), in_370103);
        assert_eq!(t.inspectors.len(), 2);
        assert!(t.inspectors.iter().all(|i| i.starts_with("张*")), "names masked: {:?}", t.inspectors);
    }
    let public =
        view::detail(&app.core, &xinyong_core::auth::policy::Principal::Anonymous, &task_id, true).await.unwrap();
    assert!(public.targets.iter().all(|t| t.inspectors.is_empty() && t.outcome.is_none()));

    // Anyone recomputes it; a changed pool or seed fails.
    let check = verify::verify_draw(&app.core, &task_id, None, true).await.unwrap();
    assert!(check.passed(), "{:?}", check.checks);
    let mut changed_pool = record.clone();
    let stratum = changed_pool.pool.iter_mut().find(|s| !s.members.is_empty()).unwrap();
    stratum.members[0] = org("370105", 99).as_str().into();
    assert!(!verify::verify_draw(&app.core, &task_id, Some(changed_pool), false).await.unwrap().passed());
    let mut changed_seed = record.clone();
    changed_seed.draw.seed = xinyong_domain::lottery::Hash256::of(b"chosen");
    assert!(!verify::verify_draw(&app.core, &task_id, Some(changed_seed), false).await.unwrap().passed());
    let mut changed_target = record;
    let first = changed_target.draw.strata.iter_mut().find(|s| !s.targets.is_empty()).unwrap();
    first.targets[0] = org("370103", 49);
    assert!(!verify::verify_draw(&app.core, &task_id, Some(changed_target), false).await.unwrap().passed());

    // The evaluation job as `serve` runs it: in full now, incrementally after.
    let job = xinyong_core::evaluation::EvaluationJob::every(std::time::Duration::from_secs(60));
    job.run(&app.core).await.unwrap();

    // Results: all of them before publication.
    let early = publish(&app.core, &scjgj, &task_id).await.unwrap_err();
    assert_eq!(early.code(), "inspection_results_incomplete");
    for (i, t) in detail.targets.iter().enumerate() {
        let (outcome, deadline) = if i == 0 { ("rectification_ordered", "2027-01-15") } else { ("normal", "") };
        let input = ResultInput {
            task_id: task_id.clone(),
            uscc: t.uscc.clone(),
            outcome: outcome.into(),
            findings: if i == 0 { "未按规定公示年度报告".into() } else { String::new() },
            rectification_deadline: deadline.into(),
        };
        enter_result(&app.core, &scjgj, input).await.unwrap();
    }
    let reasons = |app: &TestApp, uscc: Uscc| {
        let core = app.core.clone();
        async move {
            let row = core.store().get(GradeRow::key(&uscc, "local")).await.unwrap().unwrap();
            row.reasons.0.iter().map(|r| r.indicator.clone()).collect::<Vec<_>>()
        }
    };
    let inspected = Uscc::parse(&detail.targets[0].uscc).unwrap();
    job.run(&app.core).await.unwrap();
    assert!(!reasons(&app, inspected.clone()).await.contains(&"inspection_problems".to_owned()), "not yet public");
    publish(&app.core, &scjgj, &task_id).await.unwrap();
    assert_eq!(row(&app, &task_id).await.status, TaskStatus::Published);
    // Published, the rectification order counts at the next incremental
    // run, although the publishing entry names no subject.
    job.run(&app.core).await.unwrap();
    assert_eq!(reasons(&app, inspected).await, ["inspection_problems"]);
    let public =
        view::detail(&app.core, &xinyong_core::auth::policy::Principal::Anonymous, &task_id, true).await.unwrap();
    assert!(public.targets.iter().all(|t| t.outcome.is_some() && t.findings.is_empty()));
}

#[tokio::test]
async fn plans_are_checked_against_the_model_and_the_directory() {
    let app = city().await;
    let scjgj = department_user("scjgj");
    let mut plan = joint_plan();
    plan.class_percent.insert("A".into(), "30".into());
    assert_eq!(plan_task(&app.core, &scjgj, plan).await.unwrap_err().code(), "inspection_ratio_outside_class");
    let mut plan = joint_plan();
    plan.items = "scjgj:NOPE".into();
    assert_eq!(plan_task(&app.core, &scjgj, plan).await.unwrap_err().code(), "inspection_item_unknown");
    let mut plan = joint_plan();
    plan.seed_delay_minutes = "1".into();
    assert_eq!(plan_task(&app.core, &scjgj, plan).await.unwrap_err().code(), "lottery_seed_delay_invalid");
    // Another department may not plan for 市场监管局.
    let err = plan_task(&app.core, &department_user("wjw"), joint_plan()).await.unwrap_err();
    assert_eq!(err.code(), "forbidden");
    // A beacon is entered by the credit office after the commitment, and the draw waits for it.
    let mut plan = joint_plan();
    plan.beacon_required = true;
    let task_id = plan_task(&app.core, &scjgj, plan).await.unwrap();
    let office = credit_office("office");
    assert_eq!(
        draw::enter_beacon(&app.core, &office, &task_id, "x").await.unwrap_err().code(),
        "lottery_beacon_too_late"
    );
    draw::commit(&app.core, &scjgj, &task_id, [1; 32]).await.unwrap();
    app.clock.advance(Duration::minutes(11));
    assert_eq!(draw::draw(&app.core, &scjgj, &task_id).await.unwrap_err().code(), "lottery_beacon_missing");
    draw::enter_beacon(&app.core, &office, &task_id, "福利彩票双色球 2026140 期 03 08 15 21 27 30 + 11").await.unwrap();
    draw::draw(&app.core, &scjgj, &task_id).await.unwrap();
    assert!(verify::verify_draw(&app.core, &task_id, None, true).await.unwrap().passed());
}
