//! `xinyong_storage::closed_loop`: feeds, pushes, webhooks and the loop's
//! figures aggregated in SQL on every backend.

use xinyong_domain::closed_loop::{FeedItemRow, PushRow, WebhookRow};
use xinyong_domain::projection::Joined;
use xinyong_storage::closed_loop::{self, Duration, Group, PushWindow};

use crate::{backends, dept, put, rows};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// 2026-11-20 00:00 UTC.
const T0: i64 = 1_795_132_800_000;

fn push(listing_id: &str, measure: &str, department: &str, pushed_ms: i64) -> PushRow {
    PushRow {
        listing_id: listing_id.to_owned(),
        measure: measure.to_owned(),
        department: dept(department),
        pushed_seq: 1,
        pushed_ms,
        acked_ms: None,
        ack_note: None,
        executed_ms: None,
        outcome: None,
        receipt_id: None,
        case_ref: None,
        lifted_ms: None,
        seq: 1,
    }
}

/// Acknowledged and fed back this many hours after the push.
fn answered(p: PushRow, acked_h: Option<i64>, executed_h: Option<i64>) -> PushRow {
    PushRow {
        acked_ms: acked_h.map(|h| p.pushed_ms + h * HOUR),
        executed_ms: executed_h.map(|h| p.pushed_ms + h * HOUR),
        outcome: executed_h.map(|_| "已执行".to_owned()),
        ..p
    }
}

fn feed_item(department: &str, cursor: u64) -> FeedItemRow {
    FeedItemRow {
        department: dept(department),
        cursor,
        item_kind: "listed".to_owned(),
        listing_id: format!("L{cursor}"),
        list_code: "samr-serious".to_owned(),
        subject_kind: "legal_person".to_owned(),
        subject_key: crate::A.to_owned(),
        subject_name: "某某".to_owned(),
        measures: Joined(vec!["M1".to_owned()]),
        valid_until: None,
        seq: cursor,
    }
}

#[tokio::test]
async fn feeds_pushes_and_webhooks_are_read_in_their_order() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let mut writes =
            rows(&[feed_item("ggzyjy", 5), feed_item("ggzyjy", 12), feed_item("ggzyjy", 9), feed_item("zjj", 7)]);
        writes.extend(rows(&[
            push("L1", "M2", "ggzyjy", T0),
            push("L1", "M1", "zjj", T0),
            push("L1", "M1", "ggzyjy", T0),
            push("L2", "M1", "ggzyjy", T0),
        ]));
        let hook = |d: &str, active: bool| WebhookRow {
            department: dept(d),
            url: format!("https://{d}.example/hook"),
            secret: "s".to_owned(),
            active,
            delivered_cursor: 0,
            seq: 1,
        };
        writes.extend(rows(&[hook("zjj", true), hook("czj", false), hook("ggzyjy", true)]));
        put(store, writes).await;

        let g = dept("ggzyjy");
        let cursors = |items: Vec<FeedItemRow>| items.into_iter().map(|i| i.cursor).collect::<Vec<_>>();
        assert_eq!(cursors(closed_loop::feed_after(store, &g, 0, 2).await.unwrap()), [5, 9], "{backend}");
        assert_eq!(cursors(closed_loop::feed_after(store, &g, 5, 10).await.unwrap()), [9, 12], "{backend}");
        assert!(closed_loop::feed_after(store, &g, 12, 10).await.unwrap().is_empty());
        assert_eq!(cursors(closed_loop::recent_feed(store, &g, 2).await.unwrap()), [12, 9], "{backend}");

        let pushes = closed_loop::pushes_of_listing(store, "L1", 10).await.unwrap();
        let keys: Vec<(&str, &str)> = pushes.iter().map(|p| (p.measure.as_str(), p.department.as_str())).collect();
        assert_eq!(keys, [("M1", "ggzyjy"), ("M1", "zjj"), ("M2", "ggzyjy")], "{backend}");
        assert_eq!(closed_loop::pushes_of_listing(store, "L1", 1).await.unwrap().len(), 1);

        let hooks = closed_loop::active_webhooks(store, 10).await.unwrap();
        let departments: Vec<&str> = hooks.iter().map(|h| h.department.as_str()).collect();
        assert_eq!(departments, ["ggzyjy", "zjj"], "{backend}");
    }
}

#[tokio::test]
async fn a_feed_is_paged_newest_first_and_filtered_by_what_is_left_to_do() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        // L20: not acknowledged; L21: acknowledged, no feedback; L22: done;
        // L23: lifted (its listed item's push lifted too); L24 another
        // department's.
        let mut lifted = feed_item("ggzyjy", 23);
        lifted.item_kind = "lifted".to_owned();
        let mut writes = rows(&[
            feed_item("ggzyjy", 20),
            feed_item("ggzyjy", 21),
            feed_item("ggzyjy", 22),
            feed_item("ggzyjy", 19),
            lifted,
            feed_item("zjj", 24),
        ]);
        let mut gone = push("L19", "M1", "ggzyjy", T0);
        gone.lifted_ms = Some(T0 + DAY);
        writes.extend(rows(&[
            push("L20", "M1", "ggzyjy", T0),
            answered(push("L21", "M1", "ggzyjy", T0), Some(2), None),
            answered(push("L22", "M1", "ggzyjy", T0), Some(2), Some(30)),
            gone,
            push("L24", "M1", "zjj", T0),
        ]));
        put(store, writes).await;
        let g = dept("ggzyjy");
        let page = |filter, before, limit| closed_loop::feed_page(store, &g, filter, before, limit);
        let cursors = |items: Vec<FeedItemRow>| items.into_iter().map(|i| i.cursor).collect::<Vec<_>>();
        use closed_loop::FeedFilter::{AwaitingFeedback, Lifted, Unacknowledged};
        assert_eq!(cursors(page(closed_loop::FeedFilter::All, None, 2).await.unwrap()), [23, 22], "{backend}");
        assert_eq!(cursors(page(closed_loop::FeedFilter::All, Some(22), 10).await.unwrap()), [21, 20, 19]);
        assert_eq!(
            cursors(page(Unacknowledged, None, 10).await.unwrap()),
            [20],
            "{backend}: lifted pushes are not to do"
        );
        assert_eq!(cursors(page(AwaitingFeedback, None, 10).await.unwrap()), [21], "{backend}");
        assert_eq!(cursors(page(Lifted, None, 10).await.unwrap()), [23], "{backend}");
        assert!(page(Unacknowledged, Some(20), 10).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn the_loop_figures_are_counted_summed_and_their_medians_taken_in_sql() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(
            store,
            rows(&[
                answered(push("L1", "M1", "ggzyjy", T0), Some(2), Some(4)),
                answered(push("L2", "M1", "ggzyjy", T0), Some(4), None),
                PushRow { lifted_ms: Some(T0 + DAY), ..answered(push("L3", "M1", "ggzyjy", T0), Some(6), Some(10)) },
                push("L1", "M2", "ggzyjy", T0),
                // Acknowledged "before" the push (clocks differ): counts 0 hours.
                answered(push("L5", "M2", "ggzyjy", T0), Some(-1), None),
                // Pushed ten days earlier, never answered: overdue.
                push("L1", "M1", "zjj", T0 - 10 * DAY),
                // After the window.
                push("L4", "M1", "zjj", T0 + 20 * DAY),
            ]),
        )
        .await;
        let window = PushWindow {
            from_ms: T0 - 19 * DAY,
            until_ms: T0 + 10 * DAY,
            department: None,
            overdue_before_ms: T0 - 7 * DAY,
        };
        let totals = closed_loop::push_totals(store, &window).await.unwrap();
        let lines: Vec<(&str, &str)> = totals.iter().map(|t| (t.measure.as_str(), t.department.as_str())).collect();
        assert_eq!(lines, [("M1", "ggzyjy"), ("M1", "zjj"), ("M2", "ggzyjy")], "{backend}");
        let m1 = &totals[0];
        assert_eq!((m1.pushed, m1.responded, m1.fed_back, m1.lifted, m1.pending_overdue), (3, 3, 2, 1, 0), "{backend}");
        assert_eq!((m1.response_ms, m1.feedback_ms), (12 * HOUR, 14 * HOUR), "{backend}");
        let zjj = &totals[1];
        assert_eq!((zjj.pushed, zjj.responded, zjj.pending_overdue), (1, 0, 1), "{backend}");
        let m2 = &totals[2];
        assert_eq!((m2.pushed, m2.responded, m2.response_ms), (2, 1, 0), "{backend}");

        let medians = closed_loop::push_medians(store, &window).await.unwrap();
        let median = |of: Duration, group: Group| {
            medians.iter().find(|m| m.of == of && m.group == group).map(|m| m.median_ms / HOUR as f64)
        };
        let line = |m: &str, d: &str| Group::Line { measure: m.to_owned(), department: d.to_owned() };
        assert_eq!(median(Duration::Response, line("M1", "ggzyjy")), Some(4.0), "{backend}");
        assert_eq!(median(Duration::Feedback, line("M1", "ggzyjy")), Some(7.0), "{backend}");
        assert_eq!(median(Duration::Response, line("M2", "ggzyjy")), Some(0.0), "{backend}");
        assert_eq!(median(Duration::Feedback, line("M2", "ggzyjy")), None);
        // The department's four answers 0, 2, 4, 6: the middle two's mean.
        assert_eq!(median(Duration::Response, Group::Department("ggzyjy".to_owned())), Some(3.0), "{backend}");
        assert_eq!(median(Duration::Response, Group::Department("zjj".to_owned())), None);
        assert_eq!(median(Duration::Response, Group::Total), Some(3.0), "{backend}");
        assert_eq!(median(Duration::Feedback, Group::Total), Some(7.0), "{backend}");

        // One department, and a window that ends before the pushes.
        let own = PushWindow { department: Some(dept("zjj")), ..window.clone() };
        let totals = closed_loop::push_totals(store, &own).await.unwrap();
        assert_eq!(totals.iter().map(|t| t.pushed).collect::<Vec<_>>(), [1], "{backend}");
        assert!(closed_loop::push_medians(store, &own).await.unwrap().is_empty());
        let before = PushWindow { until_ms: T0 - 10 * DAY, ..window };
        assert!(closed_loop::push_totals(store, &before).await.unwrap().is_empty(), "{backend}");
    }
}
