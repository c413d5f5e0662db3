//! Campaigns: the organisations a campaign over a list would cover, the
//! campaigns and their subjects in order, the subjects past their deadline,
//! the interviews waiting and the dashboard's counts.

use xinyong_domain::campaigns::{
    CampaignProgressRow, CampaignRow, CampaignSubjectRow, RectificationOutcome, RectificationStatus,
};
use xinyong_domain::lists::{ListingRow, ListingStatus};
use xinyong_domain::projection::Joined;
use xinyong_storage::campaigns;

use crate::{A, B, C, P1, backends, date, dept, put, rows, uscc};

fn listing(id: &str, subject: &str, from: &str, until: Option<&str>, status: ListingStatus) -> ListingRow {
    let natural = subject == P1;
    ListingRow {
        listing_id: id.to_owned(),
        list_code: "samr-serious".to_owned(),
        list_kind: "serious".to_owned(),
        subject_kind: if natural { "natural_person" } else { "legal_person" }.to_owned(),
        subject_key: subject.to_owned(),
        subject_name: "某某".to_owned(),
        department: dept("scjgj"),
        status,
        reason: "事由".to_owned(),
        facts: String::new(),
        legal_basis: "依据".to_owned(),
        source_records: Joined(Vec::new()),
        lists_version: "1".to_owned(),
        proposed_on: date(from),
        notice_served_on: None,
        objection_deadline: None,
        decision_no: Some(format!("{id}号")),
        decided_on: Some(date(from)),
        valid_from: Some(date(from)),
        valid_until: until.map(date),
        measures: None,
        exit_reason: None,
        exited_on: None,
        exit_decision_no: None,
        exit_note: None,
        proposed_by: None,
        objection_waived_on: None,
        seq: 1,
    }
}

fn campaign(id: &str, starts: &str) -> CampaignRow {
    CampaignRow {
        campaign_id: id.to_owned(),
        name: format!("专项治理{id}"),
        basis: "依据".to_owned(),
        department: dept("scjgj"),
        list_code: "samr-serious".to_owned(),
        district: None,
        starts_on: date(starts),
        ends_on: date("2026-12-31"),
        opened_on: date(starts),
        opened_by: "user:rv".to_owned(),
        subjects: 3,
        seq: 1,
    }
}

fn subject(
    campaign: &str,
    code: &str,
    department: &str,
    deadline: &str,
    status: RectificationStatus,
) -> CampaignSubjectRow {
    CampaignSubjectRow {
        campaign_id: campaign.to_owned(),
        uscc: uscc(code),
        name: "某某".to_owned(),
        listing_id: format!("LS{code}"),
        department: dept(department),
        deadline: date(deadline),
        status,
        progress_entries: 0,
        last_progress_on: None,
        outcome: None,
        outcome_note: None,
        decided_on: None,
        overdue_on: None,
        interview_id: None,
        seq: 1,
    }
}

fn progress(code: &str, entry_no: u64, on: &str) -> CampaignProgressRow {
    CampaignProgressRow {
        campaign_id: "CP1".to_owned(),
        uscc: uscc(code),
        entry_no,
        reported_on: date(on),
        note: "进展".to_owned(),
        reported_by: "user:op".to_owned(),
        evidence_name: None,
        seq: 1,
    }
}

#[tokio::test]
async fn a_campaigns_scope_subjects_deadlines_and_counts_are_read_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let in_force = ListingStatus::Listed;
        put(
            store,
            rows(&[
                listing("L1", A, "2026-01-01", None, in_force),
                listing("L2", A, "2026-06-01", Some("2029-05-31"), in_force),
                listing("L3", B, "2026-02-01", Some("2026-10-31"), in_force),
                listing("L4", C, "2026-12-01", None, in_force),
                listing("L5", P1, "2026-01-01", None, in_force),
                listing("L6", B, "2026-01-01", None, ListingStatus::Exited),
            ]),
        )
        .await;
        let today = date("2026-11-26");
        let ids = |r: Vec<ListingRow>| r.into_iter().map(|l| l.listing_id).collect::<Vec<_>>();
        let all = campaigns::scope_candidates(store, "samr-serious", None, today, 10).await.unwrap();
        assert_eq!(ids(all), ["L2", "L1"], "{backend}: in force, organisations only, newest first per subject");
        let here = campaigns::scope_candidates(store, "samr-serious", Some("350100"), today, 10).await.unwrap();
        assert_eq!(ids(here).len(), 2, "{backend}");
        let there = campaigns::scope_candidates(store, "samr-serious", Some("440300"), today, 10).await.unwrap();
        assert!(there.is_empty(), "{backend}");

        put(store, rows(&[campaign("CP1", "2026-11-01"), campaign("CP2", "2026-11-20")])).await;
        let names: Vec<String> =
            campaigns::campaigns(store, 10).await.unwrap().into_iter().map(|c| c.campaign_id).collect();
        assert_eq!(names, ["CP2", "CP1"], "{backend}");

        let mut decided = subject("CP1", C, "ggzyjy", "2026-11-10", RectificationStatus::Rectified);
        decided.outcome = Some(RectificationOutcome::Rectified);
        decided.decided_on = Some(date("2026-11-09"));
        let mut overdue = subject("CP2", A, "scjgj", "2026-11-21", RectificationStatus::Overdue);
        overdue.overdue_on = Some(date("2026-11-22"));
        put(
            store,
            rows(&[
                subject("CP1", A, "scjgj", "2026-12-31", RectificationStatus::InProgress),
                subject("CP1", B, "scjgj", "2026-11-20", RectificationStatus::NotStarted),
                decided,
                overdue,
            ]),
        )
        .await;
        let order: Vec<String> = campaigns::subjects(store, "CP1", 10)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.uscc.as_str().to_owned())
            .collect();
        assert_eq!(order, [C, B, A], "{backend}: the earliest deadline first");
        let due = campaigns::past_deadline(store, today, 10).await.unwrap();
        assert_eq!(due.iter().map(|s| s.uscc.as_str()).collect::<Vec<_>>(), [B], "{backend}: open and past only");
        let waiting = campaigns::awaiting_interview(store, Some(&dept("scjgj")), 10).await.unwrap();
        assert_eq!(waiting.len(), 1, "{backend}");
        assert!(campaigns::awaiting_interview(store, Some(&dept("ggzyjy")), 10).await.unwrap().is_empty());

        let counts = campaigns::counts_by_department(store, "CP1").await.unwrap();
        let expected = [
            ("ggzyjy".to_owned(), "rectified".to_owned(), 1),
            ("scjgj".to_owned(), "in_progress".to_owned(), 1),
            ("scjgj".to_owned(), "not_started".to_owned(), 1),
        ];
        assert_eq!(counts, expected, "{backend}");

        put(store, rows(&[progress(A, 2, "2026-11-12"), progress(A, 1, "2026-11-09"), progress(C, 1, "2026-11-09")]))
            .await;
        let entries: Vec<u64> =
            campaigns::progress(store, "CP1", 10).await.unwrap().iter().map(|p| p.entry_no).collect();
        assert_eq!(entries.len(), 3, "{backend}");
        let days = campaigns::daily_activity(store, "CP1").await.unwrap();
        let expected = [("2026-11-09".to_owned(), 2, 1, 0), ("2026-11-12".to_owned(), 1, 0, 0)];
        assert_eq!(days, expected, "{backend}: progress and outcomes per day");
    }
}
