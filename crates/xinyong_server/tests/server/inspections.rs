//! Issue 13 items 1–4 through the router: 市场监管局 saves an item and
//! registers inspectors, plans a task, commits it; the draw is refused
//! until the seed exists, then runs; results are entered for every target
//! and published. The portal shows the task with its seed and targets and
//! never an inspector; the public draw record recomputes; the subject page
//! and the console's credit file show the result.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use axum::http::{StatusCode, header};
use chrono::Duration;
use xinyong_core::auth::{self, NewUser};
use xinyong_core::inspections::verify;
use xinyong_domain::Uscc;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::{TestApp, TestResponse};

const PASSWORD: &str = "correct-horse-42";
const INSPECTORS: [&str; 4] = ["欧阳振华", "司马晓燕", "诸葛明", "上官婉清"];

fn org(n: u32) -> Uscc {
    Uscc::from_parts('9', '1', "370102", &format!("MA3D{n:04}")).unwrap()
}

async fn city() -> TestApp {
    let app = TestApp::new().await;
    xinyong_core::rules::publish_rules(&app.core).await.unwrap();
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let demo = Actor::parse("demo").unwrap();
    let subjects = (0..20).map(|n| {
        let subject = LegalPerson {
            uscc: org(n),
            name: SubjectName::parse(&format!("济南抽查样本{n}有限公司")).unwrap(),
            status: SubjectStatus::Active,
        };
        NewEvent::new(demo.clone(), SubjectsEvent::LegalPersonRegistered { subject, people: vec![] })
    });
    app.core.append(subjects.collect()).await.unwrap();
    let user = NewUser {
        login: "rv".into(),
        display_name: "市场监管局审核人".into(),
        department: Some(DepartmentCode::parse("scjgj").unwrap()),
        roles: vec![Role::Reviewer, Role::Operator],
    };
    auth::create_user(&app.core, &Actor::system(), user, PASSWORD).await.unwrap();
    app
}

fn location(r: &TestResponse) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_task_goes_from_the_item_list_to_published_results_through_the_console() {
    let app = city().await;
    let rv = app.log_in("rv", PASSWORD, "/console/inspections").await;
    let item = [
        ("code", "SJ-GS-001"),
        ("name", "企业公示信息情况检查"),
        ("legal_basis", "《企业信息公示暂行条例》第十四条"),
        ("content", "年度报告的真实性"),
        ("districts", "370102"),
    ];
    assert_eq!(location(&app.post_form("/console/inspections/items", &rv, &item).await), "/console/inspections#items");
    for (i, name) in INSPECTORS.iter().enumerate() {
        let id = format!("SCJGJ-{:04}", 201 + i);
        let cert = format!("370120190{i:03}");
        let fields = [("inspector_id", id.as_str()), ("name", name), ("certificate_no", &cert), ("fields", "综合执法")];
        location(&app.post_form("/console/inspections/inspectors", &rv, &fields).await);
    }
    let console = app.get_as("/console/inspections", &rv.0).await.text();
    assert!(console.contains("欧阳*"), "names masked in the console too");
    assert!(!console.contains("欧阳振华"));

    // A plan with a bad period is refused with the rule named.
    let mut plan = vec![
        ("title", "2026 年第四季度历下区企业公示信息抽查"),
        ("items", "SJ-GS-001"),
        ("period_start", "2026-12-31"),
        ("period_end", "2026-12-01"),
        ("max_per_stratum", "5"),
        ("seed_delay_minutes", "10"),
    ];
    let refused = app.post_form("/console/inspections/tasks", &rv, &plan).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text());
    plan[2] = ("period_start", "2026-12-01");
    plan[3] = ("period_end", "2026-12-31");
    let task = location(&app.post_form("/console/inspections/tasks", &rv, &plan).await);
    let id = task.rsplit('/').next().unwrap().to_owned();
    location(&app.post_form(&format!("{task}/commit"), &rv, &[]).await);

    // Before the seed exists the draw is refused; after the wait it runs.
    let early = app.post_form(&format!("{task}/draw"), &rv, &[]).await;
    assert!(early.text().contains("lottery_seed_not_ready"), "{}", early.text());
    app.clock.advance(Duration::minutes(11));
    location(&app.post_form(&format!("{task}/draw"), &rv, &[]).await);

    let record = app.get(&format!("/api/v1/public/inspections/{id}/draw")).await;
    assert_eq!(record.status, StatusCode::OK);
    let record = record.json();
    let targets: Vec<String> = record["draw"]["strata"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["targets"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()))
        .collect();
    assert!(!targets.is_empty(), "{record}");
    let published = serde_json::from_value(record).unwrap();
    assert!(verify::verify_draw(&app.core, &id, Some(published), false).await.unwrap().passed());

    // Results for every target, then publication.
    for (i, uscc) in targets.iter().enumerate() {
        let (outcome, deadline) = if i == 0 { ("rectification_ordered", "2027-01-15") } else { ("normal", "") };
        let fields = [
            ("uscc", uscc.as_str()),
            ("outcome", outcome),
            ("findings", "年度报告中的从业人数与实际不符"),
            ("rectification_deadline", deadline),
        ];
        location(&app.post_form(&format!("{task}/results"), &rv, &fields).await);
    }
    location(&app.post_form(&format!("{task}/publish"), &rv, &[]).await);

    // The portal: the task with its seed and targets, no inspector.
    let portal = app.get(&format!("/inspections/{id}")).await.text();
    assert!(portal.contains(record_seed(&app, &id).await.as_str()), "the seed is shown");
    assert!(portal.contains(&targets[0]));
    for name in INSPECTORS {
        let masked: String = name.chars().take(2).collect();
        assert!(!portal.contains(name) && !portal.contains(&format!("{masked}*")), "{name} on the portal");
    }
    assert!(!portal.contains("年度报告中的从业人数"), "findings stay in the console");
    let subject = app.get(&format!("/subjects/{}", targets[0])).await.text();
    assert!(subject.contains("双随机抽查（1）") && subject.contains("发现问题，已责令整改"), "{subject}");
    let file = app.get_as(&format!("/console/subjects/{}", targets[0]), &rv.0).await.text();
    assert!(file.contains("双随机抽查（1）") && file.contains("发现问题，已责令整改"));
}

async fn record_seed(app: &TestApp, id: &str) -> String {
    app.get(&format!("/api/v1/public/inspections/{id}/draw")).await.json()["draw"]["seed"].as_str().unwrap().to_owned()
}
