//! `xinyong_storage::collection`: batches, their row reports, and the
//! timeliness of records, on every backend.

use xinyong_domain::collection::{BatchReportRow, BatchRow, RecordRow};
use xinyong_domain::projection::Json;
use xinyong_storage::collection;

use crate::{A, backends, date, dept, put, rows};

fn batch(id: &str, department: &str, key: Option<&str>, seq: u64) -> BatchRow {
    BatchRow {
        id: id.to_owned(),
        department: dept(department),
        item: "CF".to_owned(),
        catalog_version: "2026.1".to_owned(),
        source: "api".to_owned(),
        file_name: None,
        idempotency_key: key.map(str::to_owned),
        received_date: date("2026-11-26"),
        rows_total: 3,
        accepted: 1,
        corrected: 0,
        duplicates: 0,
        rejected: 2,
        warnings: 0,
        headers: Json(vec!["a".to_owned()]),
        seq,
    }
}

fn report(batch_id: &str, row_number: u64) -> BatchReportRow {
    BatchReportRow {
        batch_id: batch_id.to_owned(),
        row_number,
        status: "rejected".to_owned(),
        cells: Json(vec![format!("{row_number}")]),
        issues: Json(Vec::new()),
        seq: 1,
    }
}

#[tokio::test]
async fn batches_are_found_newest_first_by_key_and_their_rows_paged() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let mut writes = rows(&[
            batch("b1", "scjgj", Some("k1"), 10),
            batch("b2", "swj", Some("k1"), 11),
            batch("b3", "scjgj", None, 12),
            batch("b4", "scjgj", Some("k2"), 9),
        ]);
        writes.extend(rows(&[report("b1", 7), report("b1", 2), report("b1", 30), report("b2", 1)]));
        put(store, writes).await;

        let ids = |rows: Vec<BatchRow>| rows.into_iter().map(|b| b.id).collect::<Vec<_>>();
        assert_eq!(
            ids(collection::recent_batches(store, None, 10).await.unwrap()),
            ["b3", "b2", "b1", "b4"],
            "{backend}"
        );
        assert_eq!(ids(collection::recent_batches(store, None, 1).await.unwrap()), ["b3"]);
        let scjgj = dept("scjgj");
        assert_eq!(ids(collection::recent_batches(store, Some(&scjgj), 2).await.unwrap()), ["b3", "b1"], "{backend}");

        // The same key from another department is another batch.
        let found = collection::batch_by_idempotency_key(store, &scjgj, "k1").await.unwrap().unwrap();
        assert_eq!(found.id, "b1", "{backend}");
        assert_eq!(collection::batch_by_idempotency_key(store, &dept("swj"), "k1").await.unwrap().unwrap().id, "b2");
        assert!(collection::batch_by_idempotency_key(store, &dept("swj"), "k2").await.unwrap().is_none());

        let page = collection::batch_reports(store, "b1", None, 2).await.unwrap();
        let numbers: Vec<u64> = page.items.iter().map(|r| r.row_number).collect();
        assert_eq!((numbers, page.next), (vec![2, 7], Some(7)), "{backend}");
        let rest = collection::batch_reports(store, "b1", page.next, 2).await.unwrap();
        assert_eq!((rest.items.len(), rest.items[0].row_number, rest.next), (1, 30, None), "{backend}");
        assert!(collection::batch_reports(store, "b9", None, 2).await.unwrap().items.is_empty());
    }
}

#[tokio::test]
async fn a_departments_rows_of_one_day_are_added_up() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let mut other_day = batch("b3", "scjgj", None, 3);
        other_day.received_date = date("2026-11-25");
        let batches =
            [batch("b1", "scjgj", None, 1), batch("b2", "scjgj", None, 2), other_day, batch("b4", "swj", None, 4)];
        put(store, rows(&batches)).await;
        let day = date("2026-11-26");
        assert_eq!(collection::rows_received_on(store, &dept("scjgj"), day).await.unwrap(), 6, "{backend}");
        assert_eq!(collection::rows_received_on(store, &dept("swj"), day).await.unwrap(), 3, "{backend}");
        assert_eq!(collection::rows_received_on(store, &dept("zjj"), day).await.unwrap(), 0, "{backend}");
    }
}

fn record(id: &str, department: &str, received: &str, working_days: Option<i64>) -> RecordRow {
    RecordRow {
        id: id.to_owned(),
        department: dept(department),
        item: "CF".to_owned(),
        document_number: format!("{id}号"),
        subject_kind: "legal_person".to_owned(),
        subject_key: A.to_owned(),
        subject_name: "某某".to_owned(),
        decision_date: date(received),
        received_date: date(received),
        working_days,
        deadline_working_days: 7,
        catalog_version: "2026.1".to_owned(),
        batch_id: "b1".to_owned(),
        public: true,
        non_public_reason: None,
        severity: None,
        regime: "penalty".to_owned(),
        window_start: None,
        earliest_end: None,
        latest_end: None,
        repairable: false,
        fields: Json(Default::default()),
        seq: 1,
    }
}

#[tokio::test]
async fn timeliness_is_counted_per_department_and_item_and_late_records_listed() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(
            store,
            rows(&[
                record("r1", "scjgj", "2026-11-02", Some(3)),
                record("r2", "scjgj", "2026-11-03", Some(9)),
                record("r3", "scjgj", "2026-11-04", None),
                record("r4", "swj", "2026-11-05", Some(12)),
                record("r5", "swj", "2026-11-06", Some(7)),
                // Outside the period.
                record("r6", "swj", "2026-10-31", Some(30)),
            ]),
        )
        .await;
        let (from, to) = (date("2026-11-01"), date("2026-11-30"));
        let lines = collection::timeliness(store, from, to, None).await.unwrap();
        let got: Vec<(&str, u64, u64, u64, i64, i64)> = lines
            .iter()
            .map(|l| (l.department.as_str(), l.total, l.on_time, l.unknown, l.sum_working_days, l.max_working_days))
            .collect();
        assert_eq!(got, [("scjgj", 3, 1, 1, 12, 9), ("swj", 2, 1, 0, 19, 12)], "{backend}");
        let own = collection::timeliness(store, from, to, Some(&dept("swj"))).await.unwrap();
        assert_eq!(own.iter().map(|l| l.total).collect::<Vec<_>>(), [2], "{backend}");

        let ids = |rows: Vec<RecordRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(
            ids(collection::overdue_records(store, from, to, None, 10).await.unwrap()),
            ["r4", "r2"],
            "{backend}"
        );
        assert_eq!(ids(collection::overdue_records(store, from, to, None, 1).await.unwrap()), ["r4"]);
        let scjgj = dept("scjgj");
        assert_eq!(ids(collection::overdue_records(store, from, to, Some(&scjgj), 10).await.unwrap()), ["r2"]);
    }
}

/// A scan's pages come back packed as JSON (`rows.rs`): every value must
/// survive that as written — quotes, backslashes, control characters,
/// characters outside the BMP, NULL next to the empty string, and integers
/// beyond a double's 53 bits.
#[tokio::test]
async fn a_scan_reads_every_value_as_written() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let odd = "引号\"反斜杠\\换行\n制表\t😀 'single' \u{7f} </script>";
        let mut written = Vec::new();
        for (i, seq) in [(0, 1), (1, 9_007_199_254_740_993), (2, i64::MAX.unsigned_abs())] {
            let mut b = batch(&format!("b{i}"), "scjgj", None, seq);
            b.file_name = (i == 1).then(|| odd.to_owned());
            b.idempotency_key = (i == 2).then(String::new);
            b.headers = Json(vec![odd.to_owned(), "{\"a\": [1, 2]}".to_owned()]);
            written.push(b);
        }
        put(store, rows(&written)).await;
        let mut scan = store.scan::<BatchRow>(2);
        let mut read = Vec::new();
        while let Some(page) = scan.next_page().await.unwrap() {
            read.extend(page);
        }
        assert_eq!(read, written, "{backend}");
    }
}
