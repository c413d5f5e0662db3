//! The subscriptions context's projection tables.

use chrono::NaiveDate;

use crate::Uscc;
use crate::projection::TableSpec;
use crate::subscriptions::{FeedChange, SubscriberKind, SubscriberStatus};

crate::projection::table! {
    /// Receivers of grade, list and repair changes, with their API token
    /// (its SHA-256 only) and webhook.
    pub struct SubscriberRow in SUBSCRIBERS = "subscribers" {
        key { subscriber_id: String }
        name: String,
        /// The receiver's own USCC (a bank is an organisation too).
        uscc: Uscc,
        kind: SubscriberKind,
        contact: String,
        status: SubscriberStatus,
        token_sha256: String,
        registered_on: NaiveDate,
        registered_by: String,
        approved_by: Option<String>,
        webhook_url: Option<String>,
        webhook_secret: Option<String>,
        /// Feed items up to this cursor reached the webhook.
        delivered_cursor: u64,
        seq: u64,
    }
}

crate::projection::table! {
    /// The organisations a subscriber watches.
    pub struct WatchRow in SUBSCRIBER_WATCH = "subscriber_watch" {
        key { subscriber_id: String, uscc: Uscc }
        seq: u64,
    }
}

crate::projection::table! {
    /// What each subscriber's feed shows, in log order: the cursor is the
    /// log index of the event that caused the change (`source_seq`).
    pub struct SubscriptionItemRow in SUBSCRIPTION_ITEMS = "subscription_items" {
        key { subscriber_id: String, source_seq: u64, uscc: Uscc, change: FeedChange }
        changed_on: NaiveDate,
        /// What changed, in Chinese (等级 A → B，列入…).
        summary: String,
        /// The changed value for machines: the grade, the list code, the record id.
        value: String,
        seq: u64,
    }
}

crate::projection::table! {
    /// How far the platform has looked through the log for changes to queue
    /// (one row, `name` = `fanout`).
    pub struct FanoutRow in SUBSCRIPTION_FANOUT = "subscription_fanout" {
        key { name: String }
        through: u64,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&SUBSCRIBERS, &SUBSCRIBER_WATCH, &SUBSCRIPTION_ITEMS, &SUBSCRIPTION_FANOUT]
}
