//! `xinyong_storage::portal` and the published lists: the 双公示 lists paged
//! by number (offset) and filtered by subjects (the portal resolves what a
//! visitor types to them), the published lists by what a visitor types (a
//! USCC exactly, or part of a subject name, wildcards literal), in SQL on
//! every backend.

use xinyong_domain::collection::RecordRow;
use xinyong_domain::lists::{ListingRow, ListingStatus};
use xinyong_domain::projection::{Joined, Json};
use xinyong_storage::lists::{self, PublishedFilter};
use xinyong_storage::portal::{self, PublicRecordFilter, RecordCursor};

use crate::{A, B, C, P1, backends, date, dept, put, rows};

fn record(id: &str, subject: &str, name: &str, decided: &str) -> RecordRow {
    RecordRow {
        id: id.to_owned(),
        department: dept("scjgj"),
        item: "CF".to_owned(),
        document_number: format!("{id}号"),
        subject_kind: if subject == P1 { "natural_person" } else { "legal_person" }.to_owned(),
        subject_key: subject.to_owned(),
        subject_name: name.to_owned(),
        decision_date: date(decided),
        received_date: date(decided),
        working_days: Some(0),
        deadline_working_days: 7,
        catalog_version: "2026.1".to_owned(),
        batch_id: "b1".to_owned(),
        public: true,
        non_public_reason: None,
        severity: None,
        regime: "gbf-2025-22".to_owned(),
        window_start: Some(date("2026-01-01")),
        earliest_end: None,
        latest_end: None,
        repairable: true,
        fields: Json(Default::default()),
        seq: 1,
    }
}

fn ids(rows: Vec<RecordRow>) -> Vec<String> {
    rows.into_iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn public_record_lists_page_by_number_and_filter_by_subjects_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(
            store,
            rows(&[
                record("r1", A, "济南泉润商贸有限公司", "2026-03-01"),
                record("r2", B, "鲁泉科技有限公司", "2026-03-02"),
                record("r3", C, "泉润100%_食品店", "2026-03-03"),
                record("r4", A, "济南泉润商贸有限公司", "2026-03-04"),
                // A natural person whose name contains the fragment: never listed.
                record("r5", P1, "泉润某", "2026-03-05"),
            ]),
        )
        .await;
        let all = PublicRecordFilter { item: "CF".into(), today: "2026-11-26".into(), ..Default::default() };
        let at = |f: PublicRecordFilter, offset: u64, limit: u32| async move {
            ids(portal::public_records_at(store, &f, offset, limit).await.unwrap())
        };
        // Numbered pages walk the keyset order.
        assert_eq!(at(all.clone(), 0, 2).await, ["r4", "r3"], "{backend}");
        assert_eq!(at(all.clone(), 2, 2).await, ["r2", "r1"], "{backend}");
        assert_eq!(at(all.clone(), 4, 2).await, Vec::<String>::new());

        let of = |keys: &[&str]| PublicRecordFilter {
            subject_keys: Some(keys.iter().map(|k| (*k).to_owned()).collect()),
            ..all.clone()
        };
        assert_eq!(at(of(&[A, C]), 0, 10).await, ["r4", "r3", "r1"], "{backend}");
        assert_eq!(portal::count_public_records(store, &of(&[A, C]), 1_000).await.unwrap(), 3, "{backend}");
        assert_eq!(portal::count_public_records(store, &of(&[A, C]), 2).await.unwrap(), 2, "{backend}: capped");
        assert_eq!(at(of(&[A, C]), 1, 1).await, ["r3"], "{backend}");
        assert_eq!(at(of(&[B]), 0, 10).await, ["r2"], "{backend}");
        assert!(at(of(&[]), 0, 10).await.is_empty(), "{backend}: no subjects, no rows");
        // Three keys (bound as four, the last twice) find each row once.
        assert_eq!(at(of(&[A, B, C]), 0, 10).await, ["r4", "r3", "r2", "r1"], "{backend}");
        assert_eq!(portal::count_public_records(store, &of(&[A, B, C]), 1_000).await.unwrap(), 4, "{backend}");
        assert!(at(of(&[P1]), 0, 10).await.is_empty(), "{backend}: a natural person's record");
        // With the other conditions.
        let dated = PublicRecordFilter { decided_from: Some("2026-03-02".into()), ..of(&[A, B]) };
        assert_eq!(at(dated, 0, 10).await, ["r4", "r2"], "{backend}");
        // The keyset query applies the same filter.
        let keyset = portal::public_records(store, &of(&[A, C]), None, 10).await.unwrap();
        assert_eq!(ids(keyset), ["r4", "r3", "r1"], "{backend}");
    }
}

/// The keyset pages (the API's cursor) follow the numbered pages' order, ties on the decision
/// date included, whatever the page size.
#[tokio::test]
async fn public_record_keyset_pages_walk_ties_in_order_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(
            store,
            rows(&[
                record("k1", A, "济南泉润商贸有限公司", "2026-03-01"),
                record("k2", B, "鲁泉科技有限公司", "2026-03-02"),
                record("k3", C, "泉润100%_食品店", "2026-03-02"),
                record("k4", A, "济南泉润商贸有限公司", "2026-03-02"),
                record("k5", B, "鲁泉科技有限公司", "2026-03-03"),
            ]),
        )
        .await;
        let all = PublicRecordFilter { item: "CF".into(), today: "2026-11-26".into(), ..Default::default() };
        for size in [1, 2, 3] {
            let mut walked = Vec::new();
            let mut cursor: Option<RecordCursor> = None;
            loop {
                let page = portal::public_records(store, &all, cursor.as_ref(), size).await.unwrap();
                let Some(last) = page.last() else { break };
                cursor = Some(RecordCursor::after(last));
                walked.extend(ids(page));
            }
            assert_eq!(walked, ["k5", "k4", "k3", "k2", "k1"], "{backend}, pages of {size}");
        }
    }
}

/// The status map's walk in storage order selects what the portal lists:
/// every condition of the public record list, met and not met.
#[tokio::test]
async fn records_in_publicity_are_the_public_records_listed_today_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let mut written = vec![
            record("p1", A, "济南泉润商贸有限公司", "2026-03-01"),
            record("p2", B, "鲁泉科技有限公司", "2026-03-02"),
            record("p3", C, "泉润100%_食品店", "2026-03-03"),
            // A natural person's record.
            record("p4", P1, "泉润某", "2026-03-04"),
        ];
        let variants: [fn(&mut RecordRow); 6] = [
            |r| r.public = false,
            |r| r.item = "XK".to_owned(),
            |r| r.window_start = None,
            |r| r.window_start = Some(date("2026-11-27")),
            |r| r.latest_end = Some(date("2026-11-26")),
            |r| r.latest_end = Some(date("2026-11-27")),
        ];
        for (i, change) in variants.iter().enumerate() {
            let mut r = record(&format!("v{i}"), A, "济南泉润商贸有限公司", "2026-03-05");
            change(&mut r);
            written.push(r);
        }
        for (i, r) in written.iter_mut().enumerate() {
            r.seq = 10 + i as u64;
        }
        put(store, rows(&written)).await;
        let today = date("2026-11-26");
        let all = PublicRecordFilter { item: "CF".into(), today: "2026-11-26".into(), ..Default::default() };
        let mut listed = portal::public_records(store, &all, None, 100).await.unwrap();
        listed.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(ids(listed.clone()), ["p1", "p2", "p3", "v5"], "{backend}");

        let snapshot = store.snapshot().await.unwrap();
        let mut walk = portal::in_publicity(snapshot.as_ref(), "CF", today, 8);
        let mut walked = Vec::new();
        while let Some(page) = walk.next_page().await.unwrap() {
            walked.extend(page);
        }
        walked.sort_by(|a, b| a.id.cmp(&b.id));
        let want: Vec<portal::InPublicity> = listed
            .iter()
            .map(|r| portal::InPublicity { id: r.id.clone(), subject_key: r.subject_key.clone(), seq: r.seq })
            .collect();
        assert_eq!(walked, want, "{backend}");
    }
}

fn listing(id: &str, subject: &str, name: &str, from: &str) -> ListingRow {
    ListingRow {
        listing_id: id.to_owned(),
        list_code: "samr-serious".to_owned(),
        list_kind: "serious".to_owned(),
        subject_kind: if subject == P1 { "natural_person" } else { "legal_person" }.to_owned(),
        subject_key: subject.to_owned(),
        subject_name: name.to_owned(),
        department: dept("scjgj"),
        status: ListingStatus::Listed,
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
        valid_until: None,
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

#[tokio::test]
async fn published_lists_filter_by_name_or_code_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(
            store,
            rows(&[
                listing("L1", A, "济南泉润商贸有限公司", "2026-02-01"),
                listing("L2", B, "鲁泉科技有限公司", "2026-02-02"),
                listing("L3", P1, "泉润某", "2026-02-03"),
            ]),
        )
        .await;
        let filter = |t: &str| PublishedFilter {
            today: date("2026-11-26"),
            list_codes: vec!["samr-serious".to_owned()],
            subject: None,
            subject_text: Some(t.to_owned()).filter(|t| !t.is_empty()),
        };
        let ids = |rows: Vec<ListingRow>| rows.into_iter().map(|r| r.listing_id).collect::<Vec<_>>();
        let found =
            |t: &'static str| async move { ids(lists::published_listings(store, &filter(t), 0, 10).await.unwrap()) };
        assert_eq!(found("").await, ["L2", "L1"], "{backend}");
        assert_eq!(found("泉润").await, ["L1"], "{backend}");
        assert_eq!(found("泉").await, ["L2", "L1"], "{backend}");
        assert_eq!(found(B).await, ["L2"], "{backend}");
        assert!(found("%").await.is_empty(), "{backend}");
        assert_eq!(lists::count_published_listings(store, &filter("鲁泉")).await.unwrap(), 1, "{backend}");
    }
}
