//! `xinyong_storage::lists`: listings, objections, personal records, bans
//! and interviews, filtered, ordered and paged in SQL on every backend.

use xinyong_domain::lists::{
    BanRow, BanScope, InterviewKind, InterviewRow, ListingRow, ListingStatus, ObjectionOutcome, ObjectionRow,
    PersonalRecordRow,
};
use xinyong_domain::projection::Joined;
use xinyong_domain::subjects::RelationRole;
use xinyong_storage::lists::{self, DatedCursor, ListingCursor, ListingFilter, PublishedFilter};

use crate::{A, B, C, P1, P2, backends, date, dept, id, put, rows, uscc};

fn listing(
    listing_id: &str,
    department: &str,
    status: ListingStatus,
    subject: &str,
    proposed: &str,
    seq: u64,
) -> ListingRow {
    let natural = subject == P1 || subject == P2;
    ListingRow {
        listing_id: listing_id.to_owned(),
        list_code: "samr-serious".to_owned(),
        list_kind: "serious".to_owned(),
        subject_kind: if natural { "natural_person" } else { "legal_person" }.to_owned(),
        subject_key: subject.to_owned(),
        subject_name: "某某".to_owned(),
        department: dept(department),
        status,
        reason: "事由".to_owned(),
        facts: String::new(),
        legal_basis: "依据".to_owned(),
        source_records: Joined(Vec::new()),
        lists_version: "1".to_owned(),
        proposed_on: date(proposed),
        notice_served_on: None,
        objection_deadline: None,
        decision_no: None,
        decided_on: None,
        valid_from: None,
        valid_until: None,
        measures: None,
        exit_reason: None,
        exited_on: None,
        exit_decision_no: None,
        exit_note: None,
        proposed_by: None,
        objection_waived_on: None,
        seq,
    }
}

/// A listing decided on `from`, in force until `until`.
fn listed(listing_id: &str, list_code: &str, subject: &str, from: &str, until: Option<&str>, seq: u64) -> ListingRow {
    ListingRow {
        list_code: list_code.to_owned(),
        decision_no: Some(format!("{listing_id}号")),
        decided_on: Some(date(from)),
        valid_from: Some(date(from)),
        valid_until: until.map(date),
        ..listing(listing_id, "scjgj", ListingStatus::Listed, subject, "2026-01-01", seq)
    }
}

fn ids(rows: &[ListingRow]) -> Vec<&str> {
    rows.iter().map(|r| r.listing_id.as_str()).collect()
}

#[tokio::test]
async fn listings_filter_order_newest_first_and_page_by_cursor() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let samr = |id, status, proposed, seq| listing(id, "scjgj", status, A, proposed, seq);
        put(
            store,
            rows(&[
                samr("L1", ListingStatus::Proposed, "2026-03-01", 10),
                samr("L2", ListingStatus::Listed, "2026-03-05", 11),
                // Same day as L2, written later: shown before it.
                samr("L3", ListingStatus::Proposed, "2026-03-05", 12),
                samr("L4", ListingStatus::Exited, "2026-02-01", 13),
                listing("L5", "swj", ListingStatus::Proposed, B, "2026-04-01", 14),
                ListingRow { list_code: "red-list".to_owned(), ..samr("L6", ListingStatus::Listed, "2026-01-15", 15) },
            ]),
        )
        .await;
        let all = lists::listings(store, &ListingFilter::default(), None, 100).await.unwrap();
        assert_eq!(ids(&all.items), ["L5", "L3", "L2", "L1", "L4", "L6"], "{backend}");
        assert_eq!(all.next, None);

        let scjgj = ListingFilter { department: Some(dept("scjgj")), ..ListingFilter::default() };
        let page = lists::listings(store, &scjgj, None, 2).await.unwrap();
        assert_eq!(ids(&page.items), ["L3", "L2"], "{backend}");
        let cursor = page.next.unwrap();
        assert_eq!(cursor, ListingCursor { proposed_on: date("2026-03-05"), seq: 11, listing_id: "L2".to_owned() });
        let page = lists::listings(store, &scjgj, Some(&cursor), 2).await.unwrap();
        assert_eq!(ids(&page.items), ["L1", "L4"], "{backend}");
        let page = lists::listings(store, &scjgj, page.next.as_ref(), 2).await.unwrap();
        assert_eq!((ids(&page.items), page.next), (vec!["L6"], None), "{backend}");

        let proposed = ListingFilter { status: Some(ListingStatus::Proposed), ..ListingFilter::default() };
        assert_eq!(ids(&lists::listings(store, &proposed, None, 10).await.unwrap().items), ["L5", "L3", "L1"]);
        let both = ListingFilter { department: Some(dept("scjgj")), ..proposed.clone() };
        assert_eq!(ids(&lists::listings(store, &both, None, 10).await.unwrap().items), ["L3", "L1"]);
        let red = ListingFilter { list_code: Some("red-list".to_owned()), ..ListingFilter::default() };
        assert_eq!(ids(&lists::listings(store, &red, None, 10).await.unwrap().items), ["L6"], "{backend}");

        // A subject's listings, newest proposal first, ties by id.
        assert_eq!(ids(&lists::listings_of_subject(store, A, 10).await.unwrap()), ["L2", "L3", "L1", "L4", "L6"]);
        assert_eq!(ids(&lists::listings_of_subject(store, A, 1).await.unwrap()), ["L2"]);
        assert!(lists::listings_of_subject(store, C, 10).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn expired_listings_are_found_by_id_page_by_page() {
    for db in backends().await {
        let store = db.store.as_ref();
        put(
            store,
            rows(&[
                listed("E1", "samr-serious", A, "2025-01-01", Some("2026-11-25"), 1),
                listed("E2", "samr-serious", B, "2025-01-01", Some("2026-11-26"), 2),
                listed("E3", "samr-serious", C, "2025-01-01", Some("2026-01-01"), 3),
                listed("E4", "samr-serious", C, "2025-01-01", None, 4),
                ListingRow {
                    status: ListingStatus::Exited,
                    ..listed("E5", "samr-serious", C, "2025-01-01", Some("2026-01-01"), 5)
                },
            ]),
        )
        .await;
        let today = date("2026-11-26");
        let first = lists::listings_expired_by(store, today, None, 1).await.unwrap();
        assert_eq!(
            (ids(&first.items), first.next.as_deref()),
            (vec!["E1"], Some("E1")),
            "{}",
            store.backend().as_str()
        );
        let rest = lists::listings_expired_by(store, today, first.next.as_deref(), 10).await.unwrap();
        assert_eq!((ids(&rest.items), rest.next), (vec!["E3"], None));
    }
}

#[tokio::test]
async fn published_entries_are_in_force_legal_persons_on_public_lists_newest_first() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(
            store,
            rows(&[
                listed("P1", "samr-serious", A, "2026-03-01", None, 1),
                listed("P2", "samr-serious", B, "2026-05-01", Some("2026-11-26"), 2),
                // Same start as P2: ties by id, descending.
                listed("P3", "red-list", C, "2026-05-01", Some("2027-01-01"), 3),
                // Ended yesterday, starts tomorrow, a person, not decided, a list that is not public.
                listed("X1", "samr-serious", C, "2025-01-01", Some("2026-11-25"), 4),
                listed("X2", "samr-serious", C, "2026-11-27", None, 5),
                listed("X3", "samr-serious", P1, "2026-01-01", None, 6),
                ListingRow { status: ListingStatus::Noticed, ..listed("X4", "samr-serious", A, "2026-01-01", None, 7) },
                listed("X5", "internal", A, "2026-01-01", None, 8),
            ]),
        )
        .await;
        let public = |codes: &[&str]| PublishedFilter {
            today: date("2026-11-26"),
            list_codes: codes.iter().map(|c| (*c).to_owned()).collect(),
            subject: None,
            subject_text: None,
        };
        let all = public(&["samr-serious", "red-list"]);
        assert_eq!(lists::count_published_listings(store, &all).await.unwrap(), 3, "{backend}");
        assert_eq!(ids(&lists::published_listings(store, &all, 0, 10).await.unwrap()), ["P3", "P2", "P1"], "{backend}");
        assert_eq!(ids(&lists::published_listings(store, &all, 1, 1).await.unwrap()), ["P2"]);
        assert_eq!(ids(&lists::published_listings(store, &all, 3, 10).await.unwrap()), Vec::<&str>::new());
        let red = public(&["red-list"]);
        assert_eq!(lists::count_published_listings(store, &red).await.unwrap(), 1);
        assert_eq!(lists::count_published_listings(store, &public(&[])).await.unwrap(), 0, "{backend}");
        let of_b = PublishedFilter { subject: Some(uscc(B)), ..all.clone() };
        assert_eq!(ids(&lists::published_listings(store, &of_b, 0, 10).await.unwrap()), ["P2"], "{backend}");
        assert_eq!(lists::count_published_listings(store, &of_b).await.unwrap(), 1);
        // The next day P2 has ended.
        let tomorrow = PublishedFilter { today: date("2026-11-27"), ..all };
        assert_eq!(ids(&lists::published_listings(store, &tomorrow, 0, 10).await.unwrap()), ["X2", "P3", "P1"]);
    }
}

#[tokio::test]
async fn objections_and_personal_records_come_in_their_order() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let objection = |oid: &str, listing_id: &str, filed: &str| ObjectionRow {
            objection_id: oid.to_owned(),
            listing_id: listing_id.to_owned(),
            filed_on: date(filed),
            grounds: "理由".to_owned(),
            answer_due: date("2026-12-31"),
            answered_on: None,
            outcome: Some(ObjectionOutcome::Rejected),
            reply: None,
            seq: 1,
        };
        let record = |person: &str, listing_id: &str, until: Option<&str>, active: bool| PersonalRecordRow {
            id_number: id(person),
            listing_id: listing_id.to_owned(),
            role: RelationRole::LegalRepresentative,
            person_name: "张三".to_owned(),
            uscc: A.to_owned(),
            organisation_name: "某某".to_owned(),
            list_code: "samr-serious".to_owned(),
            valid_until: until.map(date),
            active,
            seq: 1,
        };
        let mut writes = rows(&[
            objection("OB3", "L1", "2026-02-01"),
            objection("OB1", "L1", "2026-03-01"),
            objection("OB2", "L1", "2026-02-01"),
            objection("OB4", "L2", "2026-01-01"),
        ]);
        writes.extend(rows(&[
            record(P1, "L1", Some("2027-01-01"), false),
            record(P1, "L2", Some("2026-12-01"), true),
            record(P1, "L3", None, true),
            record(P1, "L4", Some("2028-01-01"), true),
            record(P2, "L1", None, true),
        ]));
        put(store, writes).await;
        let objections = lists::objections_of(store, "L1", 10).await.unwrap();
        let oids: Vec<&str> = objections.iter().map(|o| o.objection_id.as_str()).collect();
        assert_eq!(oids, ["OB2", "OB3", "OB1"], "{backend}");
        assert_eq!(lists::objections_of(store, "L1", 1).await.unwrap().len(), 1);

        let of_listing = lists::personal_records_of_listing(store, "L1", 10).await.unwrap();
        let people: Vec<&str> = of_listing.iter().map(|r| r.id_number.as_str()).collect();
        assert_eq!(people, [P1, P2], "{backend}");
        // Active first, then the latest end, open-ended after those with an end.
        let of_person = lists::personal_records_of_person(store, &id(P1), 10).await.unwrap();
        let listings: Vec<&str> = of_person.iter().map(|r| r.listing_id.as_str()).collect();
        assert_eq!(listings, ["L4", "L2", "L3", "L1"], "{backend}");
    }
}

fn ban(ban_id: &str, department: &str, subject: &str, starts: &str) -> BanRow {
    BanRow {
        ban_id: ban_id.to_owned(),
        subject_kind: "legal_person".to_owned(),
        subject_key: subject.to_owned(),
        subject_name: "某某".to_owned(),
        scope: BanScope::Market,
        field: "食品".to_owned(),
        description: String::new(),
        basis: "依据".to_owned(),
        department: dept(department),
        decision_no: format!("{ban_id}号"),
        starts_on: date(starts),
        ends_on: None,
        listing_id: None,
        lifted_on: None,
        lift_reason: None,
        seq: 1,
    }
}

fn interview(interview_id: &str, department: &str, subject: &str, held: &str) -> InterviewRow {
    InterviewRow {
        interview_id: interview_id.to_owned(),
        subject_kind: "legal_person".to_owned(),
        subject_key: subject.to_owned(),
        subject_name: "某某".to_owned(),
        kind: InterviewKind::Reminder,
        department: dept(department),
        held_on: date(held),
        interviewees: "张三".to_owned(),
        interviewers: "李四".to_owned(),
        outcome: "整改".to_owned(),
        rectify_by: None,
        listing_id: None,
        seq: 1,
    }
}

#[tokio::test]
async fn bans_and_interviews_page_newest_first_with_ties_by_id() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let mut writes = rows(&[
            ban("BN2", "scjgj", A, "2026-05-01"),
            ban("BN1", "scjgj", A, "2026-05-01"),
            ban("BN3", "scjgj", B, "2026-06-01"),
            ban("BN4", "scjgj", B, "2026-01-01"),
            ban("BN5", "swj", A, "2026-07-01"),
        ]);
        writes.extend(rows(&[
            interview("IV2", "scjgj", A, "2026-05-01"),
            interview("IV1", "scjgj", A, "2026-05-01"),
            interview("IV3", "swj", B, "2026-09-01"),
            interview("IV4", "scjgj", B, "2026-02-01"),
        ]));
        put(store, writes).await;

        let bids = |rows: &[BanRow]| rows.iter().map(|b| b.ban_id.clone()).collect::<Vec<_>>();
        let all = lists::bans(store, None, None, 10).await.unwrap();
        assert_eq!(bids(&all.items), ["BN5", "BN3", "BN1", "BN2", "BN4"], "{backend}");
        // Pages of one walk the same order, ties included.
        let scjgj = dept("scjgj");
        let mut walked = Vec::new();
        let mut cursor: Option<DatedCursor> = None;
        loop {
            let page = lists::bans(store, Some(&scjgj), cursor.as_ref(), 1).await.unwrap();
            walked.extend(bids(&page.items));
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(walked, ["BN3", "BN1", "BN2", "BN4"], "{backend}");
        assert_eq!(bids(&lists::bans_of_subject(store, A, 10).await.unwrap()), ["BN5", "BN1", "BN2"]);
        assert_eq!(bids(&lists::bans_of_subject(store, A, 2).await.unwrap()), ["BN5", "BN1"]);

        let iids = |rows: &[InterviewRow]| rows.iter().map(|i| i.interview_id.clone()).collect::<Vec<_>>();
        let page = lists::interviews(store, Some(&scjgj), None, 2).await.unwrap();
        assert_eq!(iids(&page.items), ["IV1", "IV2"], "{backend}");
        assert_eq!(page.next, Some(DatedCursor { on: date("2026-05-01"), id: "IV2".to_owned() }));
        let rest = lists::interviews(store, Some(&scjgj), page.next.as_ref(), 2).await.unwrap();
        assert_eq!((iids(&rest.items), rest.next), (vec!["IV4".to_owned()], None), "{backend}");
        assert_eq!(iids(&lists::interviews(store, None, None, 10).await.unwrap().items), ["IV3", "IV1", "IV2", "IV4"]);
        assert_eq!(iids(&lists::interviews_of_subject(store, B, 10).await.unwrap()), ["IV3", "IV4"], "{backend}");
    }
}
