//! Credit evaluation: a subject's grades, their history and external
//! grades; the distribution under a model; the subjects the log touched.

use xinyong_domain::evaluation::{ExternalGradeRow, GradeHistoryRow, GradeRow, Reason};
use xinyong_domain::projection::Json;
use xinyong_storage::evaluation;

use crate::{A, B, backends, date, put, rows, uscc};

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
