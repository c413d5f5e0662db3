//! Credit reports issued: one by id, and a subject's newest first.

use xinyong_domain::reports::{ReportRow, StatusMapRow};
use xinyong_storage::reports;

use crate::{backends, put, rows};

fn report(id: &str, subject: &str, issued_ms: i64) -> ReportRow {
    ReportRow {
        report_id: id.to_owned(),
        subject: subject.to_owned(),
        version: "public".to_owned(),
        channel: "portal".to_owned(),
        checkpoint_size: 100,
        records: 3,
        payload_digest: "A".repeat(43),
        issued_ms,
        seq: 1,
    }
}

#[tokio::test]
async fn reports_are_found_by_id_and_listed_per_subject_newest_first_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let (a, b) = ("91370102MA3C00001X", "91370102MA3C00002X");
        put(store, rows(&[report("R1", a, 10), report("R2", a, 30), report("R3", b, 20), report("R4", a, 30)])).await;
        assert_eq!(reports::by_id(store, "R3").await.unwrap().map(|r| r.subject).as_deref(), Some(b), "{backend}");
        assert!(reports::by_id(store, "R9").await.unwrap().is_none(), "{backend}");
        let ids: Vec<String> =
            reports::of_subject(store, a, 2).await.unwrap().into_iter().map(|r| r.report_id).collect();
        assert_eq!(ids, ["R4", "R2"], "{backend}: newest first, ties by id, limited");
    }
}

#[tokio::test]
async fn the_latest_status_map_is_the_one_with_the_highest_log_index_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        assert!(reports::latest_status_map(store).await.unwrap().is_none(), "{backend}");
        let map = |seq: u64, root: &str| StatusMapRow {
            log_size: seq,
            root: root.to_owned(),
            as_of: "2026-12-04".to_owned(),
            subjects: 2,
            committed_ms: 1,
            seq,
        };
        put(store, rows(&[map(9, "B"), map(120, "C"), map(7, "A")])).await;
        let latest = reports::latest_status_map(store).await.unwrap().unwrap();
        assert_eq!((latest.seq, latest.root.as_str()), (120, "C"), "{backend}: by index, not by insertion");
    }
}
