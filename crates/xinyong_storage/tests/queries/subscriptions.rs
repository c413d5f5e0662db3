//! Subscribers: the office's list with counts, a watchlist by pages, a feed
//! after a cursor.

use xinyong_domain::subscriptions::{
    FeedChange, SubscriberKind, SubscriberRow, SubscriberStatus, SubscriptionItemRow, WatchRow,
};
use xinyong_storage::subscriptions;

use crate::{A, B, C, backends, date, put, rows, uscc};

fn subscriber(id: &str, registered: &str) -> SubscriberRow {
    SubscriberRow {
        subscriber_id: id.to_owned(),
        name: format!("银行{id}"),
        uscc: uscc(C),
        kind: SubscriberKind::FinancialInstitution,
        contact: String::new(),
        status: SubscriberStatus::Approved,
        token_sha256: "0".repeat(64),
        registered_on: date(registered),
        registered_by: "user:office".to_owned(),
        approved_by: Some("user:office2".to_owned()),
        webhook_url: None,
        webhook_secret: None,
        delivered_cursor: 0,
        seq: 1,
    }
}

fn item(subscriber: &str, source_seq: u64, subject: &str, change: FeedChange) -> SubscriptionItemRow {
    SubscriptionItemRow {
        subscriber_id: subscriber.to_owned(),
        source_seq,
        uscc: uscc(subject),
        change,
        changed_on: date("2026-11-26"),
        summary: "等级 B".to_owned(),
        value: "B".to_owned(),
        seq: 1,
    }
}

#[tokio::test]
async fn subscribers_watchlists_and_feeds_are_read_in_order() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(store, rows(&[subscriber("s1", "2026-11-01"), subscriber("s2", "2026-11-20")])).await;
        let watch = |s: &str, u: &str| WatchRow { subscriber_id: s.to_owned(), uscc: uscc(u), seq: 1 };
        put(store, rows(&[watch("s1", B), watch("s1", A), watch("s2", A)])).await;
        put(
            store,
            rows(&[
                item("s1", 9, A, FeedChange::GradeChanged),
                item("s1", 7, B, FeedChange::Listed),
                item("s1", 7, A, FeedChange::GradeChanged),
                item("s2", 8, A, FeedChange::GradeChanged),
            ]),
        )
        .await;
        let listed: Vec<String> =
            subscriptions::subscribers(store, 10).await.unwrap().into_iter().map(|s| s.subscriber_id).collect();
        assert_eq!(listed, ["s2", "s1"], "{backend}: newest registration first");
        let codes = |rows: Vec<WatchRow>| rows.into_iter().map(|w| w.uscc.as_str().to_owned()).collect::<Vec<_>>();
        assert_eq!(codes(subscriptions::watchlist(store, "s1", "", 10).await.unwrap()), [A, B], "{backend}");
        assert_eq!(codes(subscriptions::watchlist(store, "s1", A, 10).await.unwrap()), [B], "{backend}: paged");
        let feed = subscriptions::feed_after(store, "s1", 0, 10).await.unwrap();
        let got: Vec<(u64, String)> = feed.iter().map(|i| (i.source_seq, i.uscc.as_str().to_owned())).collect();
        assert_eq!(got, [(7, A.to_owned()), (7, B.to_owned()), (9, A.to_owned())], "{backend}");
        assert_eq!(feed[0], item("s1", 7, A, FeedChange::GradeChanged), "{backend}: every column round-trips");
        assert_eq!(subscriptions::feed_after(store, "s1", 7, 10).await.unwrap().len(), 1, "{backend}: after 7");
        let recent = subscriptions::recent_items(store, "s1", 1).await.unwrap();
        assert_eq!(recent[0].source_seq, 9, "{backend}: newest first");
        let counts = subscriptions::counts(store).await.unwrap();
        assert_eq!(counts, [("s1".to_owned(), 2, 3), ("s2".to_owned(), 1, 1)], "{backend}");
    }
}
