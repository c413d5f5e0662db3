//! Subscribers: the list the credit office sees, a subscriber's watchlist
//! and feed, and what each received.

use xinyong_domain::subscriptions::{
    SUBSCRIBER_WATCH, SUBSCRIBERS, SUBSCRIPTION_ITEMS, SubscriberRow, SubscriptionItemRow, WatchRow,
};

use crate::sql::{Cols, Kind, Stmt, to_rows};
use crate::{Result, Store, to_i64};

/// Every subscriber, newest registration first, at most `limit`.
pub async fn subscribers(store: &dyn Store, limit: u32) -> Result<Vec<SubscriberRow>> {
    let stmt =
        Stmt::select(&SUBSCRIBERS).push(" ORDER BY registered_on DESC, subscriber_id LIMIT $1").arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The organisations a subscriber watches, by code, after `after` (paging),
/// at most `limit`; served by the primary key.
pub async fn watchlist(store: &dyn Store, subscriber_id: &str, after: &str, limit: u32) -> Result<Vec<WatchRow>> {
    let stmt = Stmt::select(&SUBSCRIBER_WATCH)
        .push(" WHERE subscriber_id = $1 AND uscc > $2 ORDER BY uscc LIMIT $3")
        .arg(subscriber_id)
        .arg(after)
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A subscriber's feed after `after` (a log index; 0 = from the start), in
/// log order, at most `limit` items; served by the primary key.
pub async fn feed_after(
    store: &dyn Store,
    subscriber_id: &str,
    after: u64,
    limit: u32,
) -> Result<Vec<SubscriptionItemRow>> {
    let stmt = Stmt::select(&SUBSCRIPTION_ITEMS)
        .push(" WHERE subscriber_id = $1 AND source_seq > $2 ORDER BY source_seq, uscc, change LIMIT $3")
        .arg(subscriber_id)
        .arg(to_i64(after))
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The newest `limit` items queued for a subscriber, newest first.
pub async fn recent_items(store: &dyn Store, subscriber_id: &str, limit: u32) -> Result<Vec<SubscriptionItemRow>> {
    let stmt = Stmt::select(&SUBSCRIPTION_ITEMS)
        .push(" WHERE subscriber_id = $1 ORDER BY source_seq DESC, uscc, change LIMIT $2")
        .arg(subscriber_id)
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Per subscriber: organisations watched and items queued.
pub async fn counts(store: &dyn Store) -> Result<Vec<(String, u64, u64)>> {
    let stmt = Stmt::new(
        "SELECT s.subscriber_id, \
         (SELECT COUNT(*) FROM subscriber_watch w WHERE w.subscriber_id = s.subscriber_id), \
         (SELECT COUNT(*) FROM subscription_items i WHERE i.subscriber_id = s.subscriber_id) \
         FROM subscribers s ORDER BY s.subscriber_id",
    )
    .returns(&[Kind::Text, Kind::Int, Kind::Int]);
    store
        .fetch(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "subscriber counts");
            Ok((c.text()?, c.count()?, c.count()?))
        })
        .collect()
}
