//! Credit evaluation end to end: grades from the log's facts, external
//! grades imported row by row, a penalty that lowers a grade with its
//! reason, re-runs that write nothing, the red list's grade floor, and
//! `verify` recomputing the grade tables — on the backend the environment
//! chooses (SQLite by default).

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use xinyong_core::auth::policy::Principal;
use xinyong_core::auth::{seed_departments, shipped_departments};
use xinyong_core::collection::intake::{IngestRequest, InputTable, Source, ingest_batch};
use xinyong_core::evaluation::external::{IncomingGrade, import_grades};
use xinyong_core::evaluation::view::{public_grades, subject_grades};
use xinyong_core::evaluation::{Scope, evaluate, facts::gather_all, score_all};
use xinyong_core::log::verify::verify;
use xinyong_core::rules::publish_rules;
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::evaluation::ExternalScheme;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::TestApp;

const SUBJECT: &str = "91370112MA3D8N0Q3C";
const ZJJ_USCC: &str = "113701000041882744";

fn uscc(raw: &str) -> Uscc {
    Uscc::parse(raw).unwrap()
}

/// The second company of the city.
fn other() -> String {
    Uscc::from_parts('9', '1', "370102", "MA3C8N0Q").unwrap().as_str().to_owned()
}

/// Departments, the rules (with the local model), two active companies.
async fn city() -> TestApp {
    let app = TestApp::new().await;
    seed_departments(&app.core, &shipped_departments().unwrap()).await.unwrap();
    publish_rules(&app.core).await.unwrap();
    let demo = Actor::parse("demo").unwrap();
    let events = [(SUBJECT.to_owned(), "济南鑫泰建筑工程有限公司"), (other(), "济南泉润商贸有限公司")]
        .into_iter()
        .map(|(code, name)| {
            NewEvent::new(
                demo.clone(),
                SubjectsEvent::LegalPersonRegistered {
                    subject: LegalPerson {
                        uscc: uscc(&code),
                        name: SubjectName::parse(name).unwrap(),
                        status: SubjectStatus::Active,
                    },
                    people: Vec::new(),
                },
            )
        })
        .collect();
    app.core.append(events).await.unwrap();
    app
}

const CF_HEADERS: [&str; 17] = [
    "CF_XDR_MC",
    "CF_XDR_LB",
    "CF_XDR_SHXYM",
    "CF_FRDB",
    "CF_WSH",
    "CF_WFXW",
    "CF_SY",
    "CF_YJ",
    "CF_CFLB",
    "CF_NR",
    "CF_NR_FK",
    "CF_JDRQ",
    "CF_YXQ",
    "CF_CFJG",
    "CF_CFJGDM",
    "CF_SJLY",
    "CF_SJLYDM",
];

/// A general penalty (a 50,000 yuan fine) of the housing bureau against
/// `SUBJECT`, decided on `date`.
async fn penalise(app: &TestApp, doc: &str, date: &str) {
    let row: Vec<String> = [
        "济南鑫泰建筑工程有限公司",
        "法人及非法人组织",
        SUBJECT,
        "李卫东",
        doc,
        "违法建设",
        "施工质量不合格",
        "《建设工程质量管理条例》第六十四条",
        "罚款",
        "依法处罚",
        "5",
        date,
        date,
        "济南市住房和城乡建设局",
        ZJJ_USCC,
        "济南市住房和城乡建设局",
        ZJJ_USCC,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let request = IngestRequest {
        actor: Actor::parse("department:zjj").unwrap(),
        department: DepartmentCode::parse("zjj").unwrap(),
        item: Some("CF".to_owned()),
        source: Source::Cli,
        file_name: None,
        idempotency_key: None,
        table: InputTable { headers: CF_HEADERS.iter().map(|s| s.to_string()).collect(), rows: vec![(2, row)] },
        lenient_codes: false,
        received_date: None,
        dry_run: false,
    };
    let out = ingest_batch(&app.core, request).await.unwrap();
    assert_eq!(out.batch.accepted, 1, "{:?}", out.rows);
}

fn rows(grades: &[(&str, &str)]) -> Vec<IncomingGrade> {
    grades
        .iter()
        .enumerate()
        .map(|(i, (u, g))| IncomingGrade { row: i + 2, uscc: (*u).to_owned(), grade: (*g).to_owned() })
        .collect()
}

#[tokio::test]
async fn a_penalty_lowers_the_grade_with_its_reason_and_the_supervision_class_follows() {
    let app = city().await;
    let first = evaluate(&app.core, &Scope::All).await.unwrap();
    assert_eq!((first[0].subjects, first[0].changed), (2, 2));
    let g = subject_grades(&app.core, &uscc(SUBJECT)).await.unwrap();
    assert_eq!((g.grades[0].grade.as_str(), g.grades[0].score.as_str()), ("A", "1000"));
    assert_eq!(g.grades[0].class.as_deref(), Some("A"));
    assert!(g.grades[0].reasons.is_empty(), "{:?}", g.grades[0].reasons);

    // A national grade 良 (+10) is received: the subject is re-scored at once.
    let import = import_grades(
        &app.core,
        &Principal::system(),
        ExternalScheme::National,
        "2025",
        "国家公共信用信息中心",
        rows(&[(SUBJECT, "良")]),
    )
    .await
    .unwrap();
    assert_eq!((import.accepted, import.evaluations[0].changed), (1, 1));
    let g = subject_grades(&app.core, &uscc(SUBJECT)).await.unwrap();
    assert_eq!((g.grades[0].grade.as_str(), g.grades[0].score.as_str()), ("A", "1010"));
    assert!(g.grades[0].reasons[0].contains("国家公共信用综合评价"), "{:?}", g.grades[0].reasons);
    assert_eq!(g.external[0].grade, "良");

    // A general penalty this year (−30): 980 is B, supervision class B.
    penalise(&app, "济建罚〔2026〕9号", "2026-05-01").await;
    let size = app.core.store().log_size().await.unwrap();
    let run = evaluate(&app.core, &Scope::All).await.unwrap();
    assert_eq!(run[0].changed, 1, "only the penalised subject changed");
    assert_eq!(run[0].inputs_size, size);
    let g = subject_grades(&app.core, &uscc(SUBJECT)).await.unwrap();
    let now = &g.grades[0];
    assert_eq!((now.grade.as_str(), now.score.as_str(), now.class.as_deref()), ("B", "980", Some("B")));
    assert!(now.reasons[0].contains("一般失信行政处罚"), "largest contribution first: {:?}", now.reasons);
    assert_eq!(g.history.iter().map(|h| h.grade.as_str()).collect::<Vec<_>>(), ["B", "A", "A"]);

    // Again on the same log: nothing to write.
    let size = app.core.store().log_size().await.unwrap();
    let again = evaluate(&app.core, &Scope::All).await.unwrap();
    assert_eq!(again[0].changed, 0);
    assert_eq!(app.core.store().log_size().await.unwrap(), size);

    // The public sees the grade, not the score or the reasons; external
    // grades only when configured.
    let public = public_grades(&app.core, &uscc(SUBJECT)).await.unwrap();
    assert_eq!(public.grade.as_ref().map(|g| g.grade.as_str()), Some("B"));
    assert!(public.external.is_empty());
    verify(&app.core, &|_: &str, _: u64, _: u64| {}).await.unwrap();
}

#[tokio::test]
async fn the_score_does_not_depend_on_the_number_of_threads() {
    let app = city().await;
    penalise(&app, "济建罚〔2025〕3号", "2025-03-01").await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let facts = gather_all(app.core.store(), today).await.unwrap();
    let rules = app.core.rules();
    let model = rules.local_model().unwrap();
    let one = score_all(model, &facts, today, 1);
    assert_eq!(one, score_all(model, &facts, today, 3));
    assert_eq!(one, score_all(model, &facts, today, 1), "twice, the same");
}

#[tokio::test]
async fn an_import_names_each_bad_row_and_keeps_the_good_ones() {
    let app = city().await;
    let unknown = Uscc::from_parts('9', '1', "370102", "MA3C8N0R").unwrap().as_str().to_owned();
    let other = other();
    let out = import_grades(
        &app.core,
        &Principal::system(),
        ExternalScheme::Tax,
        "2025",
        "税务局",
        rows(&[(SUBJECT, "ａ级"), ("91370112MA3D8N0Q3X", "A"), (&other, "E"), (SUBJECT, "B"), (&unknown, "A")]),
    )
    .await
    .unwrap();
    assert_eq!(out.accepted, 1, "full-width ａ级 reads as A");
    let codes: Vec<(usize, &str)> = out.rejected.iter().map(|p| (p.row, p.code)).collect();
    assert_eq!(codes[..3], [(3, "uscc_invalid"), (4, "grade_unknown"), (5, "row_duplicate")]);
    assert!(out.rejected.len() <= 4);

    let bad_period =
        import_grades(&app.core, &Principal::system(), ExternalScheme::Tax, "2025-13", "", rows(&[(SUBJECT, "A")]))
            .await
            .unwrap_err();
    assert_eq!(bad_period.code(), "period_invalid");
    let none = import_grades(&app.core, &Principal::system(), ExternalScheme::Tax, "2025", "", rows(&[(SUBJECT, "Z")]))
        .await
        .unwrap_err();
    assert_eq!(none.code(), "no_valid_rows");
    let clerk = xinyong_test_support::user("wang", Some("zjj"), &[xinyong_domain::auth::Role::Operator]);
    let refused =
        import_grades(&app.core, &clerk, ExternalScheme::Tax, "2025", "", rows(&[(SUBJECT, "A")])).await.unwrap_err();
    assert_eq!(refused.code(), "forbidden");
}

#[tokio::test]
async fn a_record_under_an_open_objection_does_not_count_until_answered() {
    use xinyong_core::objections;
    let app = city().await;
    penalise(&app, "济建罚〔2026〕7号", "2026-05-01").await;
    evaluate(&app.core, &Scope::All).await.unwrap();
    let grade = |app: &TestApp| {
        let core = app.core.clone();
        async move { subject_grades(&core, &uscc(SUBJECT)).await.unwrap().grades[0].grade.clone() }
    };
    assert_eq!(grade(&app).await, "B");
    let record = xinyong_storage::collection::records_of_subject(app.core.store(), &uscc(SUBJECT), 10)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap()
        .id;
    let counter = xinyong_test_support::department_user("zjj");
    // The job, as `serve` runs it: the first run in full, then incrementally.
    use xinyong_core::jobs::Job as _;
    let job = xinyong_core::evaluation::EvaluationJob::every(std::time::Duration::from_secs(60));
    job.run(&app.core).await.unwrap();
    let objection = objections::file_objection(&app.core, &counter, &record, "罚款金额与决定书不符").await.unwrap();
    job.run(&app.core).await.unwrap();
    assert_eq!(grade(&app).await, "A", "under objection, the penalty does not count");
    // Kept: the record counts again at the next incremental run, although
    // the closing entry names no subject.
    let reviewer = xinyong_test_support::user("li", Some("zjj"), &[xinyong_domain::auth::Role::Reviewer]);
    objections::answer_objection(
        &app.core,
        &reviewer,
        &objection,
        xinyong_domain::objections::ObjectionResult::Kept,
        "经核实，决定书无误",
    )
    .await
    .unwrap();
    job.run(&app.core).await.unwrap();
    assert_eq!(grade(&app).await, "B", "kept, the penalty counts again");
}

#[tokio::test]
async fn an_import_longer_than_the_setting_is_refused_whole() {
    let settings = xinyong_core::CoreSettings {
        evaluation: xinyong_core::evaluation::EvaluationSettings {
            import_max_rows: 1,
            ..xinyong_core::evaluation::EvaluationSettings::default()
        },
        ..xinyong_core::CoreSettings::default()
    };
    let app = TestApp::with_settings(xinyong_test_support::TestDb::new().await, settings).await;
    let size = app.core.store().log_size().await.unwrap();
    let two = rows(&[(SUBJECT, "A"), (SUBJECT, "B")]);
    let err = import_grades(&app.core, &Principal::system(), ExternalScheme::Tax, "2025", "", two).await.unwrap_err();
    assert_eq!(err.code(), "too_many_rows");
    assert_eq!(app.core.store().log_size().await.unwrap(), size, "nothing written");
}
