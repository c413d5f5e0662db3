//! Voluntary registrations: a company's registrations newest first, its
//! accepted ones by kind, a department's queue by review deadline and a
//! registration's files in order.

use xinyong_domain::registrations::{
    RegistrationFileRow, RegistrationKind, RegistrationRow, RegistrationStatus, ReviewOutcome,
};
use xinyong_storage::registrations;

use crate::{A, B, backends, date, dept, put, rows, uscc};

fn registration(
    id: &str,
    code: &str,
    kind: RegistrationKind,
    department: &str,
    submitted: &str,
    due: &str,
) -> RegistrationRow {
    RegistrationRow {
        registration_id: id.to_owned(),
        uscc: uscc(code),
        subject_name: "某某".to_owned(),
        kind,
        title: format!("名称 {id}"),
        issuer: "济南市市场监督管理局".to_owned(),
        issued_on: Some(date("2026-06-30")),
        valid_until: None,
        content: "说明".to_owned(),
        department: dept(department),
        commitment_version: "2026.1".to_owned(),
        commitment_sha256: "00".repeat(32),
        submitted_on: date(submitted),
        submitted_by: "subject:a:admin".to_owned(),
        review_due: date(due),
        files: 0,
        status: RegistrationStatus::Pending,
        outcome: None,
        reason: None,
        reviewed_on: None,
        reviewed_by: None,
        record_id: None,
        seq: 1,
    }
}

fn accepted(mut r: RegistrationRow, on: &str) -> RegistrationRow {
    r.status = RegistrationStatus::Accepted;
    r.outcome = Some(ReviewOutcome::Accepted);
    r.reason = Some(String::new());
    r.reviewed_on = Some(date(on));
    r
}

fn file(id: &str, no: u64) -> RegistrationFileRow {
    RegistrationFileRow {
        registration_id: id.to_owned(),
        file_no: no,
        name: format!("{no}.pdf"),
        media_type: "application/pdf".to_owned(),
        size: 9,
        sha256: "11".repeat(32),
        content_base64: "JVBERi0xLjc=".to_owned(),
        seq: 1,
    }
}

#[tokio::test]
async fn registrations_queues_accepted_ones_and_files_are_read_on_every_backend() {
    use RegistrationKind::{ContractPerformance, Honour, Qualification};
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let mut rejected = registration("ZC4", A, Qualification, "scjgj", "2026-10-01", "2026-10-20");
        rejected.status = RegistrationStatus::Rejected;
        rejected.outcome = Some(ReviewOutcome::Rejected);
        rejected.reason = Some("材料不全".to_owned());
        put(
            store,
            rows(&[
                registration("ZC1", A, Qualification, "scjgj", "2026-11-20", "2026-12-04"),
                accepted(registration("ZC2", A, Honour, "fgw", "2026-11-02", "2026-11-16"), "2026-11-10"),
                accepted(
                    registration("ZC3", A, ContractPerformance, "scjgj", "2026-11-03", "2026-11-17"),
                    "2026-11-12",
                ),
                rejected,
                registration("ZC5", B, Honour, "fgw", "2026-11-25", "2026-12-09"),
            ]),
        )
        .await;
        let ids = |r: Vec<RegistrationRow>| r.into_iter().map(|c| c.registration_id).collect::<Vec<_>>();
        let of_a = registrations::of_subject(store, &uscc(A), 10).await.unwrap();
        assert_eq!(ids(of_a), ["ZC1", "ZC3", "ZC2", "ZC4"], "{backend}: newest first");
        let limited = registrations::of_subject(store, &uscc(A), 2).await.unwrap();
        assert_eq!(limited.len(), 2, "{backend}: bounded");
        let public = registrations::accepted_of_subject(store, &uscc(A), 10).await.unwrap();
        assert_eq!(ids(public), ["ZC3", "ZC2"], "{backend}: accepted only, by kind");
        assert!(registrations::accepted_of_subject(store, &uscc(B), 10).await.unwrap().is_empty(), "{backend}");
        let scjgj = registrations::of_department(store, Some(&dept("scjgj")), None, 10).await.unwrap();
        assert_eq!(ids(scjgj), ["ZC4", "ZC3", "ZC1"], "{backend}: earliest deadline first");
        let pending = registrations::of_department(store, None, Some(RegistrationStatus::Pending), 10).await.unwrap();
        assert_eq!(ids(pending), ["ZC1", "ZC5"], "{backend}");
        let read = registrations::of_department(store, Some(&dept("scjgj")), Some(RegistrationStatus::Rejected), 10)
            .await
            .unwrap();
        assert_eq!(read[0].reason.as_deref(), Some("材料不全"), "{backend}: reasons read back");
        assert_eq!(read[0].issued_on, Some(date("2026-06-30")), "{backend}");

        put(store, rows(&[file("ZC1", 2), file("ZC1", 1), file("ZC2", 1)])).await;
        let files = registrations::files(store, "ZC1", 10).await.unwrap();
        assert_eq!(files.iter().map(|f| f.file_no).collect::<Vec<_>>(), [1, 2], "{backend}: in order");
        assert_eq!(registrations::files(store, "ZC1", 1).await.unwrap().len(), 1, "{backend}: bounded");
    }
}
