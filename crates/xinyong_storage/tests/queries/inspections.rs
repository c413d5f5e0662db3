//! Random inspections: item lists and inspectors by department, tasks by
//! department and by stage, a task's targets and a subject's, who inspected
//! whom lately (rotation), the subjects of tasks published since a log
//! index (the evaluation job), an item's subject directory and the listed
//! organisations.

use xinyong_domain::inspections::{
    InspectionItemRow, InspectionOutcome, InspectionTargetRow, InspectionTaskRow, InspectorRow, TaskPlan, TaskStatus,
};
use xinyong_domain::projection::{Joined, Json};
use xinyong_storage::inspections;

use crate::{A, B, backends, date, put, rows, uscc};

fn item(department: &str, code: &str, active: bool) -> InspectionItemRow {
    InspectionItemRow {
        department: department.to_owned(),
        code: code.to_owned(),
        name: format!("事项{code}"),
        legal_basis: "依据".to_owned(),
        content: "内容".to_owned(),
        sectors: Joined(Vec::new()),
        districts: Joined(Vec::new()),
        active,
        saved_on: date("2026-11-01"),
        seq: 1,
    }
}

fn inspector(department: &str, id: &str) -> InspectorRow {
    InspectorRow {
        inspector_id: id.to_owned(),
        department: department.to_owned(),
        name: "某某".to_owned(),
        certificate_no: format!("证{id}"),
        fields: String::new(),
        available: true,
        note: String::new(),
        registered_on: date("2026-11-01"),
        seq: 1,
    }
}

/// A task at a stage; `seq` is the log index of its latest event.
fn task(id: &str, departments: &[&str], status: TaskStatus, planned: &str, seq: u64) -> InspectionTaskRow {
    let lead = departments[0].to_owned();
    let plan = TaskPlan {
        task_id: id.to_owned(),
        title: format!("任务{id}"),
        lead_department: lead.clone(),
        departments: departments.iter().map(|d| (*d).to_owned()).collect(),
        items: Vec::new(),
        period_start: date("2026-12-01"),
        period_end: date("2026-12-31"),
        model: "local".to_owned(),
        strata: Vec::new(),
        boosted: Vec::new(),
        per_target: 2,
        seed_delay_minutes: 10,
        beacon_required: false,
    };
    let committed = status != TaskStatus::Planned;
    let drawn = matches!(status, TaskStatus::Drawn | TaskStatus::Published);
    InspectionTaskRow {
        task_id: id.to_owned(),
        title: plan.title.clone(),
        lead_department: lead.clone(),
        departments: Joined(plan.departments.clone()),
        status,
        period_start: plan.period_start,
        period_end: plan.period_end,
        plan: Json(plan),
        planned_by: "user:op".to_owned(),
        planned_on: date(planned),
        commit_seq: committed.then_some(seq.saturating_sub(2)),
        committed_at_ms: committed.then_some(1_764_000_000_000),
        pool_size: 3,
        pool_digest: committed.then(|| "ab".repeat(32)),
        beacon: None,
        draw_seq: drawn.then_some(seq.saturating_sub(1)),
        seed: drawn.then(|| "cd".repeat(32)),
        checkpoint_size: drawn.then_some(seq),
        drawn_on: drawn.then(|| date(planned)),
        targets: 0,
        published_on: (status == TaskStatus::Published).then(|| date(planned)),
        seq,
    }
}

fn target(task: &str, code: &str, position: u64, inspectors: &[&str]) -> InspectionTargetRow {
    InspectionTargetRow {
        task_id: task.to_owned(),
        uscc: uscc(code),
        position,
        stratum: "B类".to_owned(),
        items: Joined(vec!["scjgj:SJ-1".to_owned()]),
        inspectors: Joined(inspectors.iter().map(|i| (*i).to_owned()).collect()),
        eligible: None,
        outcome: Some(InspectionOutcome::Normal),
        findings: String::new(),
        rectification_deadline: None,
        result_on: Some(date("2026-11-20")),
        result_by: Some("user:op".to_owned()),
        seq: 1,
    }
}

#[tokio::test]
async fn inspection_directories_tasks_and_targets_are_read_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(store, rows(&[item("scjgj", "SJ-2", false), item("scjgj", "SJ-1", true), item("wjw", "WJ-1", true)])).await;
        let codes = |r: Vec<InspectionItemRow>| r.into_iter().map(|i| i.code).collect::<Vec<_>>();
        assert_eq!(codes(inspections::items(store, None, 10).await.unwrap()), ["SJ-1", "WJ-1", "SJ-2"], "{backend}");
        assert_eq!(codes(inspections::items(store, Some("scjgj"), 10).await.unwrap()), ["SJ-1", "SJ-2"]);

        put(store, rows(&[inspector("wjw", "W-1"), inspector("scjgj", "S-2"), inspector("scjgj", "S-1")])).await;
        let ids = |r: Vec<InspectorRow>| r.into_iter().map(|i| i.inspector_id).collect::<Vec<_>>();
        assert_eq!(ids(inspections::inspectors(store, None, 10).await.unwrap()), ["S-1", "S-2", "W-1"], "{backend}");
        assert_eq!(ids(inspections::inspectors(store, Some("wjw"), 10).await.unwrap()), ["W-1"], "{backend}");

        // Four tasks at four stages; "T3" is joint (市场监管局 with 卫健委).
        let log = store.log_size().await.unwrap();
        put(
            store,
            rows(&[
                task("T1", &["scjgj"], TaskStatus::Planned, "2026-11-01", log),
                task("T2", &["scjgj"], TaskStatus::Committed, "2026-11-02", log),
                task("T3", &["scjgj", "wjw"], TaskStatus::Drawn, "2026-11-03", log),
            ]),
        )
        .await;
        let names = |r: Vec<InspectionTaskRow>| r.into_iter().map(|t| t.task_id).collect::<Vec<_>>();
        assert_eq!(names(inspections::tasks(store, None, 10).await.unwrap()), ["T3", "T2", "T1"], "{backend}");
        assert_eq!(names(inspections::tasks(store, Some("wjw"), 10).await.unwrap()), ["T3"], "{backend}: joined");
        assert!(inspections::tasks(store, Some("wj"), 10).await.unwrap().is_empty(), "{backend}: whole codes only");
        assert_eq!(names(inspections::waiting_tasks(store, 10).await.unwrap()), ["T2"], "{backend}");
        assert_eq!(names(inspections::drawn_tasks(store, 10).await.unwrap()), ["T3"], "{backend}");

        put(store, rows(&[target("T3", B, 2, &["S-1", "W-1"]), target("T3", A, 1, &["S-2", "W-1"])])).await;
        let order: Vec<String> =
            inspections::targets(store, "T3", 10).await.unwrap().into_iter().map(|t| t.uscc.to_string()).collect();
        assert_eq!(order, [A, B], "{backend}: draw order");
        assert_eq!(inspections::targets_of_subject(store, &uscc(A), 10).await.unwrap().len(), 1, "{backend}");
        let recent = inspections::recent_assignments(store, date("2026-11-01"), 10).await.unwrap();
        assert_eq!(recent, [(A.to_owned(), "S-2 W-1".to_owned()), (B.to_owned(), "S-1 W-1".to_owned())]);
        assert!(inspections::recent_assignments(store, date("2026-11-04"), 10).await.unwrap().is_empty());

        // Published after `from`: its subjects; published before: none.
        let from = store.log_size().await.unwrap();
        assert!(inspections::subjects_published_since(store, from, 10).await.unwrap().is_empty(), "{backend}");
        put(store, rows(&[task("T3", &["scjgj", "wjw"], TaskStatus::Published, "2026-11-03", from)])).await;
        let published = inspections::subjects_published_since(store, from, 10).await.unwrap();
        assert_eq!(published, [A, B], "{backend}");
        assert!(inspections::subjects_published_since(store, from + 1, 10).await.unwrap().is_empty(), "{backend}");
    }
}
