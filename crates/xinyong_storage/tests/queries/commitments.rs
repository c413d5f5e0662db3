//! Commitments: a company's commitments newest first, a department's queue
//! by verification deadline, a commitment's materials, the materials past
//! their deadline and the broken commitments that bar a company; public
//! pledges searched by name or code and associations' schemes.

use xinyong_domain::collection::RecordRow;
use xinyong_domain::commitments::{
    CommitmentChannel, CommitmentMaterialRow, CommitmentRow, CommitmentStatus, PledgeKind, PledgeRow, PledgeSchemeRow,
    VerificationOutcome,
};
use xinyong_domain::projection::Json;
use xinyong_storage::commitments;

use crate::{A, B, C, P1, backends, date, dept, put, rows, uscc};

/// An industry association (registration authority 5, 民政).
fn association() -> xinyong_domain::Uscc {
    xinyong_domain::Uscc::from_parts('5', '1', "370100", "MJD61875").unwrap()
}

fn commitment(id: &str, code: &str, department: &str, made: &str, verify_by: &str) -> CommitmentRow {
    CommitmentRow {
        commitment_id: id.to_owned(),
        item_code: "SPJ_JZSG".to_owned(),
        item_name: "建筑工程施工许可".to_owned(),
        department: dept(department),
        uscc: uscc(code),
        subject_name: "某某".to_owned(),
        case_ref: format!("CASE-{id}"),
        letter_version: "2026.1".to_owned(),
        letter_text: "承诺书".to_owned(),
        letter_sha256: "00".repeat(32),
        channel: CommitmentChannel::Online,
        made_on: date(made),
        made_by: "subject:a:admin".to_owned(),
        verify_by: date(verify_by),
        status: CommitmentStatus::Pending,
        materials_missing: 1,
        materials_overdue: false,
        outcome: None,
        outcome_note: None,
        verified_on: None,
        verified_by: None,
        record_id: None,
        approval_revoked_on: None,
        revocation_decision_no: None,
        seq: 1,
    }
}

fn material(id: &str, code: &str, due: &str) -> CommitmentMaterialRow {
    CommitmentMaterialRow {
        commitment_id: id.to_owned(),
        material_code: code.to_owned(),
        name: "材料".to_owned(),
        due_on: date(due),
        supplied_on: None,
        overdue_on: None,
        reminded_on: None,
        seq: 1,
    }
}

fn record(id: &str, item: &str, subject: &str, severity: Option<&str>, public: bool) -> RecordRow {
    RecordRow {
        id: id.to_owned(),
        department: dept("spj"),
        item: item.to_owned(),
        document_number: format!("{id}号"),
        subject_kind: if subject == P1 { "natural_person" } else { "legal_person" }.to_owned(),
        subject_key: subject.to_owned(),
        subject_name: "某某".to_owned(),
        decision_date: date("2026-10-12"),
        received_date: date("2026-10-12"),
        working_days: Some(0),
        deadline_working_days: 7,
        catalog_version: "2026.1".to_owned(),
        batch_id: "b1".to_owned(),
        public,
        non_public_reason: None,
        severity: severity.map(str::to_owned),
        regime: "gbf-2025-22".to_owned(),
        window_start: Some(date("2026-10-12")),
        earliest_end: Some(date("2027-01-12")),
        latest_end: Some(date("2027-10-12")),
        repairable: true,
        fields: Json(Default::default()),
        seq: 1,
    }
}

#[tokio::test]
async fn the_records_that_bar_commitments_are_paged_by_id_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(
            store,
            rows(&[
                record("r1", "CNSX", A, Some("general"), true),
                record("r2", "CF", A, Some("serious"), true),
                record("r3", "CF", B, Some("general"), true),
                record("r4", "CNSX", B, Some("general"), false),
                record("r5", "CF", P1, Some("specific_serious"), true),
                record("r6", "CF", B, Some("specific_serious"), true),
            ]),
        )
        .await;
        let first = commitments::barring_records(store, None, 2).await.unwrap();
        let ids = |r: &[commitments::BarringRecord]| r.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&first), ["r1", "r2"], "{backend}");
        let expected = commitments::BarringRecord {
            id: "r2".to_owned(),
            subject_key: A.to_owned(),
            item: "CF".to_owned(),
            document_number: "r2号".to_owned(),
            decision_date: date("2026-10-12"),
            severity: Some("serious".to_owned()),
            latest_end: Some(date("2027-10-12")),
        };
        assert_eq!(first[1], expected, "{backend}: the columns the check index keeps");
        let rest = commitments::barring_records(store, Some("r2"), 10).await.unwrap();
        assert_eq!(ids(&rest), ["r6"], "{backend}: published, organisations, CNSX or serious");
    }
}

#[tokio::test]
async fn commitments_materials_and_broken_promises_are_read_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let mut breached = commitment("CM3", A, "spj", "2026-09-28", "2026-10-30");
        breached.status = CommitmentStatus::Breached;
        breached.outcome = Some(VerificationOutcome::Breached);
        breached.record_id = Some("R1".to_owned());
        breached.materials_overdue = true;
        let mut kept = commitment("CM4", B, "spj", "2026-11-02", "2026-11-30");
        kept.status = CommitmentStatus::Kept;
        put(
            store,
            rows(&[
                commitment("CM1", A, "spj", "2026-11-20", "2026-12-18"),
                commitment("CM2", A, "scjgj", "2026-11-25", "2026-12-10"),
                breached,
                kept,
            ]),
        )
        .await;
        let ids = |r: Vec<CommitmentRow>| r.into_iter().map(|c| c.commitment_id).collect::<Vec<_>>();
        let of_a = commitments::of_subject(store, &uscc(A), 10).await.unwrap();
        assert_eq!(ids(of_a), ["CM2", "CM1", "CM3"], "{backend}: newest first");
        let spj = commitments::of_department(store, Some(&dept("spj")), None, 10).await.unwrap();
        assert_eq!(ids(spj), ["CM3", "CM4", "CM1"], "{backend}: earliest deadline first");
        let pending = commitments::of_department(store, None, Some(CommitmentStatus::Pending), 10).await.unwrap();
        assert_eq!(ids(pending), ["CM2", "CM1"], "{backend}");
        let broken = commitments::broken_commitments(store, &uscc(A), 10).await.unwrap();
        assert_eq!(broken[0].record_id.as_deref(), Some("R1"), "{backend}");
        assert!(commitments::broken_commitments(store, &uscc(B), 10).await.unwrap().is_empty(), "{backend}");
        assert!(broken[0].materials_overdue, "{backend}: flags read back");

        let mut supplied = material("CM1", "SGTSC", "2026-11-25");
        supplied.supplied_on = Some(date("2026-11-24"));
        let mut marked = material("CM3", "ZJLS", "2026-10-10");
        marked.overdue_on = Some(date("2026-10-12"));
        put(
            store,
            rows(&[material("CM1", "ZJLS", "2026-11-25"), supplied, marked, material("CM2", "AQZD", "2026-12-02")]),
        )
        .await;
        let codes: Vec<String> =
            commitments::materials(store, "CM1").await.unwrap().into_iter().map(|m| m.material_code).collect();
        assert_eq!(codes, ["SGTSC", "ZJLS"], "{backend}");
        let due = commitments::past_due(store, date("2026-11-26"), 10).await.unwrap();
        let due: Vec<(&str, &str)> = due.iter().map(|m| (m.commitment_id.as_str(), m.material_code.as_str())).collect();
        assert_eq!(due, [("CM1", "ZJLS")], "{backend}: missing, past and not yet marked");

        // Reminders: missing, not marked, not yet reminded, due in the window.
        let mut reminded = material("CM4", "SGTSC", "2026-11-27");
        reminded.reminded_on = Some(date("2026-11-24"));
        put(store, rows(&[reminded, material("CM4", "AQZD", "2026-12-03")])).await;
        let soon = commitments::due_soon(store, date("2026-11-25"), date("2026-12-02"), 10).await.unwrap();
        let soon: Vec<(&str, &str)> =
            soon.iter().map(|m| (m.commitment_id.as_str(), m.material_code.as_str())).collect();
        assert_eq!(soon, [("CM1", "ZJLS"), ("CM2", "AQZD")], "{backend}: both ends included, reminded ones not again");
        assert!(commitments::due_soon(store, date("2026-11-25"), date("2026-12-02"), 1).await.unwrap().len() == 1);
    }
}

fn pledge(id: &str, code: &str, name: &str, made: &str, withdrawn: Option<&str>) -> PledgeRow {
    PledgeRow {
        pledge_id: id.to_owned(),
        kind: PledgeKind::Voluntary,
        uscc: uscc(code),
        subject_name: name.to_owned(),
        title: "诚信经营承诺".to_owned(),
        text: "依法经营".to_owned(),
        text_sha256: "ab".repeat(32),
        scheme_id: None,
        association_uscc: None,
        association_name: None,
        made_on: date(made),
        made_by: "subject:x:admin".to_owned(),
        withdrawn_on: withdrawn.map(date),
        withdraw_reason: withdrawn.map(|_| "更新".to_owned()),
        seq: 1,
    }
}

fn scheme(id: &str, published: &str) -> PledgeSchemeRow {
    PledgeSchemeRow {
        scheme_id: id.to_owned(),
        association_uscc: association(),
        association_name: "某某协会".to_owned(),
        title: "自律公约".to_owned(),
        text: "诚信自律".to_owned(),
        text_sha256: "cd".repeat(32),
        members: 2,
        published_on: date(published),
        published_by: "subject:x:admin".to_owned(),
        seq: 1,
    }
}

#[tokio::test]
async fn public_pledges_are_searched_paged_and_counted_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(
            store,
            rows(&[
                pledge("PL1", A, "济南泉润100%商贸有限公司", "2026-11-01", None),
                pledge("PL2", A, "济南泉润100%商贸有限公司", "2026-11-03", Some("2026-11-04")),
                pledge("PL3", B, "深圳某某科技有限公司", "2026-11-02", None),
                pledge("PL4", C, "北京某某_咨询有限公司", "2026-11-02", None),
            ]),
        )
        .await;
        let ids = |r: Vec<PledgeRow>| r.into_iter().map(|p| p.pledge_id).collect::<Vec<_>>();
        let all = commitments::public_pledges(store, "", 0, 10).await.unwrap();
        assert_eq!(ids(all), ["PL3", "PL4", "PL1"], "{backend}: in force, newest first, ties by id");
        assert_eq!(commitments::count_public_pledges(store, "").await.unwrap(), 3, "{backend}");
        assert_eq!(ids(commitments::public_pledges(store, "", 1, 1).await.unwrap()), ["PL4"], "{backend}: a page");
        assert_eq!(ids(commitments::public_pledges(store, "泉润", 0, 10).await.unwrap()), ["PL1"], "{backend}");
        assert_eq!(ids(commitments::public_pledges(store, B, 0, 10).await.unwrap()), ["PL3"], "{backend}: by code");
        assert_eq!(commitments::count_public_pledges(store, "100%").await.unwrap(), 1, "{backend}: % is literal");
        assert_eq!(commitments::count_public_pledges(store, "0%商").await.unwrap(), 1, "{backend}");
        assert_eq!(commitments::count_public_pledges(store, "某_").await.unwrap(), 1, "{backend}: _ is literal");
        assert_eq!(commitments::count_public_pledges(store, "某某_咨").await.unwrap(), 1, "{backend}");
        assert_eq!(commitments::count_public_pledges(store, "某%").await.unwrap(), 0, "{backend}");
        let own = commitments::pledges_of(store, &uscc(A), 10).await.unwrap();
        assert_eq!(ids(own), ["PL2", "PL1"], "{backend}: withdrawn ones too");

        put(store, rows(&[scheme("PS1", "2026-10-01"), scheme("PS2", "2026-11-01")])).await;
        let schemes = commitments::schemes_of(store, &association(), 10).await.unwrap();
        assert_eq!(schemes.iter().map(|s| s.scheme_id.as_str()).collect::<Vec<_>>(), ["PS2", "PS1"], "{backend}");
        assert!(commitments::schemes_of(store, &uscc(B), 10).await.unwrap().is_empty(), "{backend}");
    }
}
