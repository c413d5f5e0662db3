//! What happens to subscribers, and the rows each kind writes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Uscc;
use crate::event::EventMeta;
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};
use crate::subscriptions::{
    FanoutRow, FeedChange, SubscriberKind, SubscriberRow, SubscriberStatus, SubscriptionItemRow, WatchRow,
};

/// One change queued for one subscriber.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedItem {
    pub subscriber_id: String,
    /// The log index of the event that made the change: the feed's cursor.
    pub source_seq: u64,
    pub uscc: Uscc,
    pub change: FeedChange,
    pub on: NaiveDate,
    pub summary: String,
    pub value: String,
}

/// The name of the fan-out's one progress row.
pub const FANOUT: &str = "fanout";

/// Events of the subscriptions context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(SubscriptionsKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum SubscriptionsEvent {
    /// The credit office registered a receiver; its token (SHA-256 only)
    /// works once a second person approves it.
    SubscriberRegistered {
        subscriber_id: String,
        name: String,
        uscc: Uscc,
        subscriber_kind: SubscriberKind,
        contact: String,
        token_sha256: String,
        registered_on: NaiveDate,
        registered_by: String,
    },
    SubscriberApproved {
        subscriber_id: String,
        approved_by: String,
        approved_on: NaiveDate,
    },
    SubscriberSuspended {
        subscriber_id: String,
        reason: String,
        suspended_on: NaiveDate,
    },
    /// The subscriber changed its watchlist.
    WatchlistChanged {
        subscriber_id: String,
        added: Vec<Uscc>,
        removed: Vec<Uscc>,
    },
    /// The feed is delivered to this URL, signed with `secret`, after `from_cursor`.
    SubscriberWebhookSet {
        subscriber_id: String,
        url: String,
        secret: String,
        from_cursor: u64,
    },
    /// Changes to watched organisations found in the log up to `through`
    /// (exclusive), queued for their subscribers.
    SubscriptionItemsQueued {
        through: u64,
        items: Vec<QueuedItem>,
    },
    /// Items up to `cursor` reached the subscriber's webhook.
    SubscriptionDelivered {
        subscriber_id: String,
        cursor: u64,
    },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl SubscriptionsEvent {
    /// These are about receivers, or about many subjects at once.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            SubscriptionsEvent::SubscriberRegistered { .. }
            | SubscriptionsEvent::SubscriberApproved { .. }
            | SubscriptionsEvent::SubscriberSuspended { .. }
            | SubscriptionsEvent::WatchlistChanged { .. }
            | SubscriptionsEvent::SubscriberWebhookSet { .. }
            | SubscriptionsEvent::SubscriptionItemsQueued { .. }
            | SubscriptionsEvent::SubscriptionDelivered { .. } => None,
        }
    }

    /// The row a registration writes.
    fn registered(&self, seq: u64) -> Result<SubscriberRow, ProjectionError> {
        let SubscriptionsEvent::SubscriberRegistered {
            subscriber_id,
            name,
            uscc,
            subscriber_kind,
            contact,
            token_sha256,
            registered_on,
            registered_by,
        } = self
        else {
            return Err(ProjectionError {
                table: "subscribers",
                column: "subscriber_id",
                problem: "not a registration".to_owned(),
            });
        };
        Ok(SubscriberRow {
            subscriber_id: subscriber_id.clone(),
            name: name.clone(),
            uscc: uscc.clone(),
            kind: *subscriber_kind,
            contact: contact.clone(),
            status: SubscriberStatus::Pending,
            token_sha256: token_sha256.clone(),
            registered_on: *registered_on,
            registered_by: registered_by.clone(),
            approved_by: None,
            webhook_url: None,
            webhook_secret: None,
            delivered_cursor: 0,
            seq,
        })
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let seq = at.seq;
        match self {
            SubscriptionsEvent::SubscriberRegistered { .. } => Ok(vec![self.registered(seq)?.upsert()?]),
            SubscriptionsEvent::SubscriberApproved { subscriber_id, approved_by, .. } => Ok(vec![
                SubscriberRow::key(subscriber_id)
                    .update(seq)
                    .status(SubscriberStatus::Approved)
                    .approved_by(Some(approved_by.clone()))
                    .write()?,
            ]),
            SubscriptionsEvent::SubscriberSuspended { subscriber_id, .. } => {
                Ok(vec![SubscriberRow::key(subscriber_id).update(seq).status(SubscriberStatus::Suspended).write()?])
            }
            SubscriptionsEvent::WatchlistChanged { subscriber_id, added, removed } => {
                let mut writes = Vec::with_capacity(added.len() + removed.len());
                for uscc in added {
                    writes.push(WatchRow { subscriber_id: subscriber_id.clone(), uscc: uscc.clone(), seq }.upsert()?);
                }
                for uscc in removed {
                    writes.push(WatchRow::key(subscriber_id, uscc).delete()?);
                }
                Ok(writes)
            }
            SubscriptionsEvent::SubscriberWebhookSet { subscriber_id, url, secret, from_cursor } => Ok(vec![
                SubscriberRow::key(subscriber_id)
                    .update(seq)
                    .webhook_url(Some(url.clone()))
                    .webhook_secret(Some(secret.clone()))
                    .delivered_cursor(*from_cursor)
                    .write()?,
            ]),
            SubscriptionsEvent::SubscriptionItemsQueued { through, items } => {
                let mut writes = Vec::with_capacity(items.len() + 1);
                for item in items {
                    writes.push(
                        SubscriptionItemRow {
                            subscriber_id: item.subscriber_id.clone(),
                            source_seq: item.source_seq,
                            uscc: item.uscc.clone(),
                            change: item.change,
                            changed_on: item.on,
                            summary: item.summary.clone(),
                            value: item.value.clone(),
                            seq,
                        }
                        .upsert()?,
                    );
                }
                writes.push(FanoutRow { name: FANOUT.to_owned(), through: *through, seq }.upsert()?);
                Ok(writes)
            }
            SubscriptionsEvent::SubscriptionDelivered { subscriber_id, cursor } => {
                Ok(vec![SubscriberRow::key(subscriber_id).update(seq).delivered_cursor(*cursor).write()?])
            }
        }
    }
}
