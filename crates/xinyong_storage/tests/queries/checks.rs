//! `xinyong_storage::checks`: 应查必查 coverage and checks made, per
//! department, on every backend.

use xinyong_domain::checks::{ReceiptRow, ReportedCaseRow};
use xinyong_storage::checks::{self, Coverage};

use crate::{backends, date, dept, put, rows};

fn receipt(receipt_id: &str, department: &str, case_ref: Option<&str>, time_ms: i64) -> ReceiptRow {
    ReceiptRow {
        receipt_id: receipt_id.to_owned(),
        department: dept(department),
        case_ref: case_ref.map(str::to_owned),
        scenario: "bidding".to_owned(),
        subject: None,
        decision: "pass".to_owned(),
        time_ms,
        seq: 1,
    }
}

fn case(department: &str, case_ref: &str, handled: &str) -> ReportedCaseRow {
    ReportedCaseRow {
        department: dept(department),
        case_ref: case_ref.to_owned(),
        scenario: "bidding".to_owned(),
        subject: None,
        handled_on: date(handled),
        seq: 1,
    }
}

#[tokio::test]
async fn coverage_counts_reported_cases_with_a_receipt_of_the_same_department() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let mut writes = rows(&[
            case("ggzyjy", "C1", "2026-11-05"),
            case("ggzyjy", "C2", "2026-11-20"),
            case("ggzyjy", "C0", "2026-10-01"),
            case("zjj", "C1", "2026-11-10"),
        ]);
        writes.extend(rows(&[
            receipt("r1", "ggzyjy", Some("C1"), 1_000),
            // Another department's check with the same reference covers nothing here.
            receipt("r2", "zjj", Some("C2"), 2_000),
            receipt("r3", "zjj", Some("C1"), 3_000),
            receipt("r4", "zjj", None, 4_000),
            // Made before the case was reported: still covers it.
            receipt("r5", "ggzyjy", Some("C0"), 5_000),
        ]));
        put(store, writes).await;
        let cov = |d: &str, reported, checked| Coverage { department: d.to_owned(), reported, checked };
        let november = checks::coverage(store, Some(date("2026-11-01")), Some(date("2026-11-30")), None).await.unwrap();
        assert_eq!(november, [cov("ggzyjy", 2, 1), cov("zjj", 1, 1)], "{backend}");
        let ever = checks::coverage(store, None, None, None).await.unwrap();
        assert_eq!(ever, [cov("ggzyjy", 3, 2), cov("zjj", 1, 1)], "{backend}");
        let one_day = checks::coverage(store, Some(date("2026-11-20")), Some(date("2026-11-20")), None).await.unwrap();
        assert_eq!(one_day, [cov("ggzyjy", 1, 0)], "{backend}");
        let own = checks::coverage(store, None, None, Some(&dept("zjj"))).await.unwrap();
        assert_eq!(own, [cov("zjj", 1, 1)]);

        let made = checks::checks_made(store, 2_000, 5_000, None).await.unwrap();
        assert_eq!(made, [("zjj".to_owned(), 3)], "{backend}");
        let made = checks::checks_made(store, i64::MIN, i64::MAX, None).await.unwrap();
        assert_eq!(made, [("ggzyjy".to_owned(), 2), ("zjj".to_owned(), 3)], "{backend}");
        let made = checks::checks_made(store, i64::MIN, i64::MAX, Some(&dept("ggzyjy"))).await.unwrap();
        assert_eq!(made, [("ggzyjy".to_owned(), 2)]);
    }
}

/// A receipt id answered at `time_ms`, as the check writes them.
fn timed_id(time_ms: i64, n: u8) -> String {
    format!("{time_ms:012x}{}", hex_digit(n).repeat(64))
}

fn hex_digit(n: u8) -> String {
    format!("{:x}", n % 16)
}

#[tokio::test]
async fn receipts_are_pruned_by_time_and_their_batches_still_found() {
    use xinyong_domain::checks::{CHECK_RECEIPTS, ReceiptBatchRow, receipt_ids_before};
    use xinyong_domain::projection::{Cell, ProjectionWrite};
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let ids: Vec<String> = (1..=6).map(|i| timed_id(1_000 * i64::from(i), i)).collect();
        let mut writes = rows(
            &ids.iter().enumerate().map(|(i, id)| receipt(id, "zjj", None, 1_000 * (i as i64 + 1))).collect::<Vec<_>>(),
        );
        // Two batches: receipts 1–3 and 4–6.
        let batch = |index: u64, first: &str, last: &str| ReceiptBatchRow {
            log_index: index,
            first_receipt: first.to_owned(),
            last_receipt: last.to_owned(),
            receipts: 3,
            seq: index,
        };
        writes.extend(rows(&[batch(10, &ids[0], &ids[2]), batch(11, &ids[3], &ids[5])]));
        put(store, writes).await;
        assert_eq!(checks::receipts_before(store, 3_000).await.unwrap(), 2, "{backend}");
        assert_eq!(checks::receipts_before(store, 3_001).await.unwrap(), 3, "{backend}");

        // The retention rule's write, and in the same append a receipt
        // written after it below the bound: it stays (writes apply in order).
        let late = receipt(&timed_id(500, 9), "zjj", None, 500);
        let mut prune = vec![ProjectionWrite::DeleteKeysBelow {
            table: &CHECK_RECEIPTS,
            below: Cell::Text(receipt_ids_before(4_000)),
        }];
        prune.extend(rows(std::slice::from_ref(&late)));
        put(store, prune).await;
        assert_eq!(checks::receipts_before(store, 4_000).await.unwrap(), 1, "{backend}: only the late row");
        assert_eq!(checks::receipts_before(store, i64::MAX).await.unwrap(), 4, "{backend}");

        assert_eq!(checks::batches_holding(store, &ids[1]).await.unwrap(), [10], "{backend}");
        assert_eq!(checks::batches_holding(store, &ids[4]).await.unwrap(), [11], "{backend}");
        assert!(checks::batches_holding(store, &timed_id(3_500, 1)).await.unwrap().is_empty(), "{backend}: between");
        assert!(checks::batches_holding(store, &timed_id(9_000, 1)).await.unwrap().is_empty(), "{backend}: after");
    }
}
