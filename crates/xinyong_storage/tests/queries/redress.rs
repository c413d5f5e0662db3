//! The market subject's side: `objections`, `repair`, the subject-account
//! queries of `auth`, a company's own records and the checks made on it.

use xinyong_domain::auth::{ActivationCodeRow, SubjectAccountRole, SubjectAccountRow};
use xinyong_domain::checks::ReceiptRow;
use xinyong_domain::collection::RecordRow;
use xinyong_domain::objections::{ObjectionChannel, ObjectionResult, ObjectionStatus, RecordObjectionRow};
use xinyong_domain::projection::Json;
use xinyong_domain::repair::{RepairApplicationRow, RepairStatus};
use xinyong_storage::{auth, checks, collection, objections, repair};

use crate::{A, B, P1, backends, date, dept, put, rows, uscc};

fn objection(
    id: &str,
    record: &str,
    subject: &str,
    department: &str,
    due: &str,
    open: bool,
    seq: u64,
) -> RecordObjectionRow {
    RecordObjectionRow {
        objection_id: id.to_owned(),
        record_id: record.to_owned(),
        record_entry: 1,
        uscc: uscc(subject),
        department: dept(department),
        item: "CF".to_owned(),
        document_number: "文号".to_owned(),
        subject_name: "某某".to_owned(),
        grounds: "理由".to_owned(),
        channel: ObjectionChannel::Online,
        filed_by: "subject:x:admin".to_owned(),
        filed_on: date("2026-11-02"),
        answer_due: date(due),
        extension_reason: None,
        status: if open { ObjectionStatus::Open } else { ObjectionStatus::Closed },
        result: (!open).then_some(ObjectionResult::Kept),
        reply: None,
        answered_on: None,
        answered_by: None,
        seq,
    }
}

fn application(
    id: &str,
    record: &str,
    department: &str,
    due: &str,
    status: RepairStatus,
    seq: u64,
) -> RepairApplicationRow {
    RepairApplicationRow {
        application_id: id.to_owned(),
        record_id: record.to_owned(),
        record_entry: 1,
        uscc: uscc(A),
        department: dept(department),
        item: "CF".to_owned(),
        document_number: "文号".to_owned(),
        subject_name: "某某".to_owned(),
        regime: "ndrc-order-58".to_owned(),
        severity: None,
        commitment_version: "2026.1".to_owned(),
        commitment_sha256: "0".repeat(64),
        signed_by: "subject:x:admin".to_owned(),
        materials: Json(Vec::new()),
        applied_on: date("2026-11-02"),
        review_due: date(due),
        status,
        reason: None,
        decided_on: None,
        decided_by: None,
        confirmation_note: None,
        confirmed_on: None,
        confirmed_by: None,
        seq,
    }
}

#[tokio::test]
async fn objections_are_read_per_company_per_department_and_counted_when_overdue() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(
            store,
            rows(&[
                objection("Y1", "r1", A, "scjgj", "2026-11-05", true, 10),
                objection("Y2", "r2", A, "scjgj", "2026-11-04", false, 11),
                objection("Y3", "r3", A, "swj", "2026-11-20", true, 12),
                objection("Y4", "r4", B, "scjgj", "2026-11-03", true, 13),
            ]),
        )
        .await;
        let ids = |r: Vec<RecordObjectionRow>| r.into_iter().map(|o| o.objection_id).collect::<Vec<_>>();
        assert_eq!(
            ids(objections::objections_of_subject(store, &uscc(A), 10).await.unwrap()),
            ["Y3", "Y2", "Y1"],
            "{backend}"
        );
        let mut open = objections::records_under_objection(store, &uscc(A), 10).await.unwrap();
        open.sort();
        assert_eq!(open, ["r1", "r3"], "{backend}");
        assert_eq!(objections::open_objection_to(store, "r1").await.unwrap().unwrap().objection_id, "Y1");
        assert!(objections::open_objection_to(store, "r2").await.unwrap().is_none(), "{backend}: closed");
        // Open ones first, by due date; then the closed.
        let queue = objections::objections_of_department(store, Some(&dept("scjgj")), None, 10).await.unwrap();
        assert_eq!(ids(queue), ["Y4", "Y1", "Y2"], "{backend}");
        let open_only =
            objections::objections_of_department(store, None, Some(ObjectionStatus::Open), 2).await.unwrap();
        assert_eq!(ids(open_only), ["Y4", "Y1"], "{backend}");
        let today = date("2026-11-05");
        assert_eq!(
            objections::count_overdue_objections(store, Some(&dept("scjgj")), today).await.unwrap(),
            1,
            "{backend}"
        );
        assert_eq!(
            objections::count_overdue_objections(store, None, date("2026-11-21")).await.unwrap(),
            3,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn repair_applications_are_read_per_company_and_queued_per_department() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(
            store,
            rows(&[
                application("X1", "r1", "scjgj", "2026-11-16", RepairStatus::Pending, 10),
                application("X2", "r2", "scjgj", "2026-11-10", RepairStatus::Approved, 11),
                application("X3", "r3", "swj", "2026-11-12", RepairStatus::Pending, 12),
            ]),
        )
        .await;
        let ids = |r: Vec<RepairApplicationRow>| r.into_iter().map(|a| a.application_id).collect::<Vec<_>>();
        assert_eq!(
            ids(repair::repairs_of_subject(store, &uscc(A), 10).await.unwrap()),
            ["X3", "X2", "X1"],
            "{backend}"
        );
        assert_eq!(repair::pending_repair_of(store, "r1").await.unwrap().unwrap().application_id, "X1");
        assert!(repair::pending_repair_of(store, "r2").await.unwrap().is_none(), "{backend}: decided");
        assert_eq!(ids(repair::repairs_of_department(store, Some(&dept("scjgj")), 10).await.unwrap()), ["X1", "X2"]);
        assert_eq!(ids(repair::repairs_of_department(store, None, 10).await.unwrap()), ["X3", "X1", "X2"], "{backend}");
    }
}

fn record(id: &str, subject: &str, kind: &str, decided: &str, public: bool) -> RecordRow {
    RecordRow {
        id: id.to_owned(),
        department: dept("scjgj"),
        item: "CF".to_owned(),
        document_number: format!("{id}号"),
        subject_kind: kind.to_owned(),
        subject_key: subject.to_owned(),
        subject_name: "某某".to_owned(),
        decision_date: date(decided),
        received_date: date(decided),
        working_days: Some(1),
        deadline_working_days: 7,
        catalog_version: "2026.1".to_owned(),
        batch_id: "b1".to_owned(),
        public,
        non_public_reason: (!public).then(|| "warning_only".to_owned()),
        severity: None,
        regime: "ndrc-order-58".to_owned(),
        window_start: None,
        earliest_end: None,
        latest_end: None,
        repairable: false,
        fields: Json(Default::default()),
        seq: 1,
    }
}

#[tokio::test]
async fn a_company_reads_all_its_records_its_accounts_and_who_checked_it() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let mut writes = rows(&[
            record("r1", A, "legal_person", "2026-03-01", true),
            record("r2", A, "legal_person", "2026-05-01", false),
            record("r3", B, "legal_person", "2026-04-01", true),
            record("r4", P1, "natural_person", "2026-04-01", true),
        ]);
        writes.extend(rows(&[
            SubjectAccountRow {
                uscc: uscc(A),
                username: "staff".to_owned(),
                display_name: "经办".to_owned(),
                role: SubjectAccountRole::Staff,
                password_hash: "x".to_owned(),
                active: true,
                totp_secret: None,
                seq: 2,
            },
            SubjectAccountRow {
                uscc: uscc(A),
                username: "admin".to_owned(),
                display_name: "主".to_owned(),
                role: SubjectAccountRole::LegalRepresentative,
                password_hash: "x".to_owned(),
                active: true,
                totp_secret: None,
                seq: 1,
            },
        ]));
        writes.extend(rows(&[ActivationCodeRow {
            code_id: "AC1".to_owned(),
            uscc: uscc(A),
            code_sha256: "h".to_owned(),
            expires_on: date("2026-12-01"),
            issued_by: "user:wang".to_owned(),
            issued_on: date("2026-11-01"),
            used_seq: None,
            seq: 3,
        }]));
        let receipt = |id: &str, subject: Option<&str>, time_ms: i64| ReceiptRow {
            receipt_id: id.to_owned(),
            department: dept("ggzyjy"),
            case_ref: None,
            scenario: "bidding".to_owned(),
            subject: subject.map(str::to_owned),
            decision: "clear".to_owned(),
            time_ms,
            seq: 4,
        };
        writes.extend(rows(&[
            receipt("c1", Some(A), 100),
            receipt("c2", Some(A), 300),
            receipt("c3", Some(B), 200),
            receipt("c4", None, 400),
        ]));
        put(store, writes).await;
        let records: Vec<String> =
            collection::records_of_subject(store, &uscc(A), 10).await.unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(records, ["r2", "r1"], "{backend}: public or not, newest first, only its own");
        let accounts: Vec<String> =
            auth::subject_accounts_of(store, &uscc(A), 10).await.unwrap().into_iter().map(|a| a.username).collect();
        assert_eq!(accounts, ["admin", "staff"], "{backend}");
        assert_eq!(auth::activation_codes_of(store, &uscc(A), 10).await.unwrap().len(), 1, "{backend}");
        assert!(auth::activation_codes_of(store, &uscc(B), 10).await.unwrap().is_empty(), "{backend}");
        let seen: Vec<String> =
            checks::receipts_of_subject(store, &uscc(A), 10).await.unwrap().into_iter().map(|r| r.receipt_id).collect();
        assert_eq!(seen, ["c2", "c1"], "{backend}");
    }
}

#[tokio::test]
async fn a_subjects_events_are_read_back_in_order_up_to_a_time() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let (a, b) =
            (crate::registration(A, "福建某某有限公司", None), crate::registration(B, "深圳某某有限公司", None));
        crate::append(store, vec![a.clone(), b, a.clone(), a]).await;
        // Every event of `prepare` is stamped 2026-11-26 08:00 UTC.
        let stamp = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 26, 8, 0, 0).unwrap().timestamp_millis();
        let seqs = |events: Vec<xinyong_storage::StoredEvent>| events.into_iter().map(|e| e.seq).collect::<Vec<_>>();
        assert_eq!(seqs(store.events_of_subject(A, stamp + 1, None, 10).await.unwrap()), [0, 2, 3], "{backend}");
        assert_eq!(seqs(store.events_of_subject(A, stamp + 1, Some(0), 1).await.unwrap()), [2], "{backend}: paged");
        assert!(store.events_of_subject(A, stamp, None, 10).await.unwrap().is_empty(), "{backend}: before the time");
    }
}

#[tokio::test]
async fn an_objections_evidence_is_read_in_order() {
    use xinyong_domain::objections::ObjectionEvidenceRow;
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let file = |objection: &str, n: u64| ObjectionEvidenceRow {
            objection_id: objection.to_owned(),
            file_no: n,
            name: format!("{n}.pdf"),
            media_type: "application/pdf".to_owned(),
            size: 5,
            sha256: "0".repeat(64),
            content_base64: "JVBERi0=".to_owned(),
            seq: 1,
        };
        put(store, rows(&[file("Y1", 2), file("Y1", 1), file("Y2", 1)])).await;
        let names: Vec<String> =
            objections::evidence_of(store, "Y1", 10).await.unwrap().into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["1.pdf", "2.pdf"], "{backend}");
    }
}
