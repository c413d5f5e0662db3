//! Credit service agencies: the filed agencies newest first, an agency's
//! staff, supervision and accounts, the consents of a company and of an
//! agency newest first, and a company's queries newest first.

use xinyong_domain::agencies::{
    AgencyAccountRow, AgencyConsentRow, AgencyQueryRow, AgencyRow, AgencyStaffRow, AgencyStatus, AgencySupervisionRow,
    ConsentScope, SupervisionKind,
};
use xinyong_storage::agencies;

use crate::{A, B, C, backends, date, put, rows, uscc};

fn agency(code: &str, filed_on: &str) -> AgencyRow {
    AgencyRow {
        uscc: uscc(code),
        name: format!("机构 {code}"),
        filing_no: format!("济信备{code}"),
        legal_representative: "张三".to_owned(),
        address: "济南市历下区".to_owned(),
        business_scope: "信用报告".to_owned(),
        status: AgencyStatus::Normal,
        status_reason: String::new(),
        status_changed_on: None,
        filed_on: date(filed_on),
        filed_by: "user:admin".to_owned(),
        seq: 1,
    }
}

fn consent(id: &str, company: &str, agency: &str, seq: u64) -> AgencyConsentRow {
    AgencyConsentRow {
        consent_id: id.to_owned(),
        uscc: uscc(company),
        agency: uscc(agency),
        scope: ConsentScope::FullReport,
        granted_on: date("2026-11-01"),
        expires_on: date("2027-10-31"),
        granted_by: "subject:x:fr".to_owned(),
        revoked_on: None,
        revoked_by: None,
        seq,
    }
}

fn query(entry: u64, company: &str) -> AgencyQueryRow {
    AgencyQueryRow {
        entry,
        uscc: uscc(company),
        agency: uscc(A),
        username: "zhang".to_owned(),
        consent_id: "GC1".to_owned(),
        purpose: "贷款审查".to_owned(),
        report_id: format!("XYBG{entry}"),
        queried_ms: 1_764_000_000_000 + i64::try_from(entry).unwrap(),
        seq: entry,
    }
}

#[tokio::test]
async fn agencies_their_staff_supervision_accounts_consents_and_queries_read_back_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let mut suspended = agency(B, "2026-03-01");
        suspended.status = AgencyStatus::Suspended;
        suspended.status_changed_on = Some(date("2026-11-20"));
        put(store, rows(&[agency(A, "2025-06-01"), suspended, agency(C, "2026-03-01")])).await;
        let listed = agencies::agencies(store, 10).await.unwrap();
        let codes: Vec<&str> = listed.iter().map(|a| a.uscc.as_str()).collect();
        let (first, second) = if B < C { (B, C) } else { (C, B) };
        assert_eq!(codes, [first, second, A], "{backend}: newest filing first, ties by code");
        let b = listed.iter().find(|a| a.uscc.as_str() == B).unwrap();
        assert_eq!(b.status, AgencyStatus::Suspended, "{backend}");
        assert_eq!(b.status_changed_on, Some(date("2026-11-20")), "{backend}");
        assert_eq!(agencies::agencies(store, 1).await.unwrap().len(), 1, "{backend}: bounded");

        let staff = |id: &str| AgencyStaffRow {
            agency: uscc(A),
            staff_id: id.to_owned(),
            name: "李四".to_owned(),
            position: "信用分析师".to_owned(),
            active: true,
            changed_on: date("2026-06-01"),
            seq: 2,
        };
        put(store, rows(&[staff("S2"), staff("S1")])).await;
        let read = agencies::staff_of(store, &uscc(A), 10).await.unwrap();
        assert_eq!(read.iter().map(|s| s.staff_id.as_str()).collect::<Vec<_>>(), ["S1", "S2"], "{backend}");
        assert!(agencies::staff_of(store, &uscc(B), 10).await.unwrap().is_empty(), "{backend}");

        let check = |id: &str, on: &str| AgencySupervisionRow {
            agency: uscc(A),
            supervision_id: id.to_owned(),
            kind: SupervisionKind::Inspection,
            done_on: date(on),
            summary: "现场检查".to_owned(),
            outcome: "未发现问题".to_owned(),
            recorded_by: "user:admin".to_owned(),
            seq: 3,
        };
        put(store, rows(&[check("J1", "2026-01-10"), check("J2", "2026-09-10")])).await;
        let read = agencies::supervision_of(store, &uscc(A), 10).await.unwrap();
        assert_eq!(read.iter().map(|s| s.supervision_id.as_str()).collect::<Vec<_>>(), ["J2", "J1"], "{backend}");

        let account = AgencyAccountRow {
            agency: uscc(A),
            username: "zhang".to_owned(),
            display_name: "张经理".to_owned(),
            password_hash: "$argon2id$x".to_owned(),
            active: true,
            seq: 4,
        };
        put(store, rows(std::slice::from_ref(&account))).await;
        assert_eq!(agencies::accounts_of(store, &uscc(A), 10).await.unwrap(), [account], "{backend}");

        let mut revoked = consent("GC2", B, A, 6);
        revoked.revoked_on = Some(date("2026-11-15"));
        put(store, rows(&[consent("GC1", B, A, 5), revoked, consent("GC3", C, A, 7)])).await;
        let of_b = agencies::consents_of_subject(store, &uscc(B), 10).await.unwrap();
        assert_eq!(of_b.iter().map(|c| c.consent_id.as_str()).collect::<Vec<_>>(), ["GC2", "GC1"], "{backend}");
        assert_eq!(of_b[0].revoked_on, Some(date("2026-11-15")), "{backend}");
        let of_a = agencies::consents_of_agency(store, &uscc(A), 2).await.unwrap();
        assert_eq!(of_a.iter().map(|c| c.consent_id.as_str()).collect::<Vec<_>>(), ["GC3", "GC2"], "{backend}");

        put(store, rows(&[query(10, B), query(12, B), query(11, C)])).await;
        let queries = agencies::queries_of_subject(store, &uscc(B), 10).await.unwrap();
        assert_eq!(queries.iter().map(|q| q.entry).collect::<Vec<_>>(), [12, 10], "{backend}: newest first");
        assert_eq!(queries[0], query(12, B), "{backend}: read back");
    }
}
