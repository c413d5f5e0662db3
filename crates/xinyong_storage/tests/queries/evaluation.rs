//! Credit evaluation: a subject's grades, their history and external
//! grades; the distribution under a model, in all, per division and per
//! licensing sector; movements between grades; the subjects the log touched.

use xinyong_domain::auth::DepartmentRow;
use xinyong_domain::collection::RecordRow;
use xinyong_domain::evaluation::{ExternalGradeRow, GradeHistoryRow, GradeRow, Reason};
use xinyong_domain::projection::Json;
use xinyong_storage::evaluation;

use crate::{A, B, C, backends, date, put, rows, uscc};

fn reasons() -> Json<Vec<Reason>> {
    Json(vec![Reason { indicator: "penalty_general".to_owned(), count: 1, points_centi: -3000 }])
}

fn grade(subject: &str, model: &str, grade: &str, seq: u64) -> GradeRow {
    GradeRow {
        uscc: uscc(subject),
        model: model.to_owned(),
        model_version: "2026.1".to_owned(),
        score_centi: 97_000,
        grade: grade.to_owned(),
        class: Some("B".to_owned()),
        inputs_size: seq,
        evaluated_on: date("2026-11-26"),
        reasons: reasons(),
        seq,
    }
}

fn history(subject: &str, grade: &str, graded_at: u64) -> GradeHistoryRow {
    GradeHistoryRow {
        uscc: uscc(subject),
        model: "local".to_owned(),
        graded_at,
        model_version: "2026.1".to_owned(),
        score_centi: 100_000,
        grade: grade.to_owned(),
        class: None,
        inputs_size: graded_at,
        evaluated_on: date("2026-11-20"),
        reasons: Json(Vec::new()),
        seq: graded_at,
    }
}

fn external(subject: &str, scheme: &str, period: &str, grade: &str) -> ExternalGradeRow {
    ExternalGradeRow {
        uscc: uscc(subject),
        scheme: scheme.to_owned(),
        period: period.to_owned(),
        grade: grade.to_owned(),
        import_id: "eg-1".to_owned(),
        received_on: date("2026-03-01"),
        seq: 1,
    }
}

#[tokio::test]
async fn grades_are_read_per_subject_with_history_and_counted_per_model() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(store, rows(&[grade(A, "local", "B", 5), grade(A, "zjj", "A", 6), grade(B, "local", "B", 7)])).await;
        put(store, rows(&[history(A, "A", 3), history(A, "B", 5), history(A, "A", 1), history(B, "B", 7)])).await;
        let mine = evaluation::grades_of_subject(store, &uscc(A)).await.unwrap();
        assert_eq!(mine.iter().map(|g| g.model.as_str()).collect::<Vec<_>>(), ["local", "zjj"], "{backend}");
        assert_eq!(mine[0], grade(A, "local", "B", 5), "{backend}: every column round-trips");
        let past = evaluation::grade_history(store, &uscc(A), "local", 2).await.unwrap();
        assert_eq!(past.iter().map(|h| h.graded_at).collect::<Vec<_>>(), [5, 3], "{backend}: newest first, limited");
        assert_eq!(evaluation::grade_distribution(store, "local").await.unwrap(), [("B".to_owned(), 2)], "{backend}");
        assert!(evaluation::grade_distribution(store, "none").await.unwrap().is_empty(), "{backend}");
    }
}

#[tokio::test]
async fn external_grades_come_latest_period_first_per_scheme() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(
            store,
            rows(&[
                external(A, "national", "2024", "良"),
                external(A, "national", "2025", "优"),
                external(A, "tax", "2025", "A"),
                external(B, "national", "2025", "差"),
            ]),
        )
        .await;
        let got: Vec<(String, String)> = evaluation::external_grades_of(store, &uscc(A))
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.scheme, r.period))
            .collect();
        let want = [("national", "2025"), ("national", "2024"), ("tax", "2025")];
        assert_eq!(got, want.map(|(s, p)| (s.to_owned(), p.to_owned())), "{backend}");
    }
}

#[tokio::test]
async fn the_subjects_touched_since_an_index_are_read_once_each() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let (a, b) =
            (crate::registration(A, "福建某某有限公司", None), crate::registration(B, "深圳某某有限公司", None));
        crate::append(store, vec![a.clone(), b.clone(), a.clone(), a]).await;
        // Ordered by code: "91350100…" before "91440300…".
        assert_eq!(evaluation::subjects_touched_since(store, 0, 10).await.unwrap(), [A, B], "{backend}");
        assert_eq!(evaluation::subjects_touched_since(store, 2, 10).await.unwrap(), [A], "{backend}: from index 2");
        assert_eq!(evaluation::subjects_touched_since(store, 0, 1).await.unwrap().len(), 1, "{backend}: limited");
        assert!(evaluation::subjects_touched_since(store, 4, 10).await.unwrap().is_empty(), "{backend}");
    }
}

/// A valid code registered in `division`.
fn registered_in(division: &str, body: &str) -> String {
    xinyong_domain::Uscc::from_parts('9', '1', division, body).unwrap().as_str().to_owned()
}

fn department(code: &str, sector: Option<&str>) -> DepartmentRow {
    DepartmentRow {
        code: crate::dept(code),
        name: format!("{code} 局"),
        uscc: None,
        district: "370100".to_owned(),
        sector: sector.map(str::to_owned),
        seq: 1,
    }
}

/// A record of `item` (`XK` licence, `CF` penalty) on `subject`.
fn record(id: &str, department: &str, item: &str, subject: &str) -> RecordRow {
    RecordRow {
        id: id.to_owned(),
        department: crate::dept(department),
        item: item.to_owned(),
        document_number: format!("{id}号"),
        subject_kind: "legal_person".to_owned(),
        subject_key: subject.to_owned(),
        subject_name: "某某".to_owned(),
        decision_date: date("2026-03-01"),
        received_date: date("2026-03-02"),
        working_days: Some(1),
        deadline_working_days: 7,
        catalog_version: "2026.1".to_owned(),
        batch_id: "b1".to_owned(),
        public: true,
        non_public_reason: None,
        severity: None,
        regime: "licence".to_owned(),
        window_start: None,
        earliest_end: None,
        latest_end: None,
        repairable: false,
        fields: Json(Default::default()),
        seq: 1,
    }
}

#[tokio::test]
async fn grades_are_counted_per_division_and_per_licensing_sector() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let fuzhou = registered_in("350100", "MA000001");
        put(
            store,
            rows(&[
                grade(A, "local", "B", 1),
                grade(&fuzhou, "local", "A", 2),
                grade(B, "local", "B", 3),
                grade(C, "local", "D", 4),
                grade(A, "zjj", "A", 5),
            ]),
        )
        .await;
        let by_division = evaluation::grades_by_division(store, "local").await.unwrap();
        let want = [("110108", "D", 1), ("350100", "A", 1), ("350100", "B", 1), ("440300", "B", 1)];
        assert_eq!(by_division, want.map(|(d, g, n)| (d.to_owned(), g.to_owned(), n)), "{backend}");
        assert_eq!(evaluation::grades_by_division(store, "zjj").await.unwrap().len(), 1, "{backend}: one model");

        let mut writes = rows(&[
            department("scjgj", Some("market_regulation")),
            department("wjw", Some("health")),
            department("spj", None),
        ]);
        writes.extend(rows(&[
            // Two licences of one sector count the subject once there.
            record("x1", "scjgj", "XK", A),
            record("x2", "scjgj", "XK", A),
            record("x3", "wjw", "XK", A),
            record("x4", "spj", "XK", B),
            // A penalty is no licence: C holds none.
            record("c1", "scjgj", "CF", C),
        ]));
        put(store, writes).await;
        let mut by_sector: Vec<(Option<String>, String, u64)> = evaluation::grades_by_sector(store, "local")
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.sector, s.grade, s.subjects))
            .collect();
        by_sector.sort();
        let want = [
            (None, "A", 1),
            (None, "D", 1),
            (Some(""), "B", 1),
            (Some("health"), "B", 1),
            (Some("market_regulation"), "B", 1),
        ];
        assert_eq!(by_sector, want.map(|(s, g, n)| (s.map(str::to_owned), g.to_owned(), n)), "{backend}");
        let zjj = evaluation::grades_by_sector(store, "zjj").await.unwrap();
        assert_eq!(zjj.len(), 2, "{backend}: A once in each of its two sectors: {zjj:?}");
    }
}

fn given(subject: &str, model: &str, grade: &str, graded_at: u64, on: &str) -> GradeHistoryRow {
    GradeHistoryRow { model: model.to_owned(), evaluated_on: date(on), ..history(subject, grade, graded_at) }
}

#[tokio::test]
async fn movements_between_grades_are_counted_per_month_from_the_grade_before() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(
            store,
            rows(&[
                given(A, "local", "A", 1, "2026-09-30"),
                given(A, "local", "B", 3, "2026-10-05"),
                given(A, "local", "B", 5, "2026-11-02"),
                given(A, "local", "A", 7, "2026-11-20"),
                given(B, "local", "C", 2, "2026-10-10"),
                given(C, "local", "A", 4, "2026-12-01"),
                given(A, "zjj", "D", 6, "2026-11-01"),
            ]),
        )
        .await;
        let moves = |from: &'static str, to: &'static str| async move {
            let mut got: Vec<(String, String, String, u64)> =
                evaluation::grade_movements(store, "local", date(from), date(to))
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|m| (m.month, m.from, m.to, m.subjects))
                    .collect();
            got.sort();
            got
        };
        let owned = |rows: &[(&str, &str, &str, u64)]| -> Vec<(String, String, String, u64)> {
            rows.iter().map(|&(m, f, t, n)| (m.to_owned(), f.to_owned(), t.to_owned(), n)).collect()
        };
        // A's grade before October's is September's, outside the range; B's
        // first grade comes from "" (new); a new score within B counts B → B.
        let want =
            [("2026-10", "", "C", 1), ("2026-10", "A", "B", 1), ("2026-11", "B", "A", 1), ("2026-11", "B", "B", 1)];
        assert_eq!(moves("2026-10-01", "2026-11-30").await, owned(&want), "{backend}");
        assert_eq!(moves("2026-11-20", "2026-11-20").await, owned(&[("2026-11", "B", "A", 1)]), "{backend}: bounds");
        assert!(moves("2027-01-01", "2027-12-31").await.is_empty(), "{backend}");
    }
}

#[tokio::test]
async fn the_organisations_whose_objections_closed_since_an_index_are_read() {
    use xinyong_domain::objections::{ObjectionChannel, ObjectionResult, ObjectionStatus, RecordObjectionRow};
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let objection = |id: &str, subject: &str, open: bool, seq: u64| RecordObjectionRow {
            objection_id: id.to_owned(),
            record_id: format!("r-{id}"),
            record_entry: 1,
            uscc: uscc(subject),
            department: xinyong_domain::auth::DepartmentCode::parse("scjgj").unwrap(),
            item: "CF".to_owned(),
            document_number: "文号".to_owned(),
            subject_name: "某某".to_owned(),
            grounds: "理由".to_owned(),
            channel: ObjectionChannel::Online,
            filed_by: "subject:x:admin".to_owned(),
            filed_on: date("2026-11-02"),
            answer_due: date("2026-11-05"),
            extension_reason: None,
            status: if open { ObjectionStatus::Open } else { ObjectionStatus::Closed },
            result: (!open).then_some(ObjectionResult::Kept),
            reply: None,
            answered_on: None,
            answered_by: None,
            seq,
        };
        put(store, rows(&[objection("Y1", B, false, 5), objection("Y2", A, false, 9), objection("Y3", C, true, 12)]))
            .await;
        let closed = |from| async move { evaluation::objections_closed_since(store, from, 10).await.unwrap() };
        assert_eq!(closed(0).await, [A, B], "{backend}: by code, the open one left out");
        assert_eq!(closed(6).await, [A], "{backend}: from index 6");
        assert!(closed(10).await.is_empty(), "{backend}");
    }
}

#[tokio::test]
async fn record_facts_walk_every_record_once_in_storage_order_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        assert_eq!(evaluation::record_facts(store, 8).next_page().await.unwrap(), None, "{backend}: no records");
        // Ids out of key order, and rows big enough that PostgreSQL's walk
        // (8 rows: one heap block per page) spans several blocks.
        let mut written: Vec<RecordRow> = (0..120)
            .map(|i| {
                let mut r = record(&format!("r{:03}", (i * 37) % 120), "scjgj", "CF", [A, B, C][i % 3]);
                r.subject_name = "某".repeat(100);
                r
            })
            .collect();
        written[5].severity = Some("serious".to_owned());
        written[6].non_public_reason = Some("expired".to_owned());
        written[7].subject_kind = "natural_person".to_owned();
        put(store, rows(&written)).await;
        // Updated rows are read once, as they are now.
        written[9].item = "XK".to_owned();
        written[10].decision_date = date("2025-12-31");
        put(store, rows(&written[9..11])).await;

        let snapshot = store.snapshot().await.unwrap();
        let mut walk = evaluation::record_facts(snapshot.as_ref(), 8);
        let mut read = Vec::new();
        let mut pages = 0;
        while let Some(page) = walk.next_page().await.unwrap() {
            assert!(!page.is_empty() && page.len() <= 120, "{backend}");
            pages += 1;
            read.extend(page);
        }
        assert!(pages > 2, "{backend}: {pages} pages");
        read.sort_by(|a, b| a.id.cmp(&b.id));
        let mut want: Vec<evaluation::RecordFact> = written.iter().map(evaluation::RecordFact::from).collect();
        want.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(read, want, "{backend}: every record once, every column as written");
    }
}
