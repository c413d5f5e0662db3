//! The `subscriptions` job's second half: every approved subscriber with a
//! webhook gets its feed POSTed, signed, in cursor order, at least once —
//! the same protocol as the departments' webhooks
//! ([`crate::closed_loop::webhooks`]): `X-Xinyong-Timestamp`,
//! `X-Xinyong-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." +
//! body)>`, `X-Xinyong-Delivery: <subscriber>-<cursor>`, body
//! `{"subscriber", "items", "cursor"}`. A 2xx answer appends
//! `subscription_delivered`; anything else is retried with backoff.

use chrono::{DateTime, Utc};
use serde::Serialize;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subscriptions::{SubscriberRow, SubscriberStatus, SubscriptionsEvent};

use crate::closed_loop::webhooks::{DeliveryReport, WebhookClient, signature};
use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::subscriptions::{FeedItem, feed_of};

/// Items in one POST at most.
const MAX_ITEMS_PER_POST: u32 = 100;
/// POSTs to one subscriber in one round at most.
const MAX_POSTS_PER_ROUND: usize = 10;

#[derive(Debug, Serialize)]
struct DeliveryBody<'a> {
    subscriber: &'a str,
    items: &'a [FeedItem],
    cursor: u64,
}

/// One delivery round over every approved subscriber with a webhook.
pub async fn deliver(core: &Core, client: &WebhookClient, now: DateTime<Utc>) -> Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    let mut hooks = Vec::new();
    let mut scan = core.store().scan::<SubscriberRow>(1_000);
    while let Some(page) = scan.next_page().await? {
        hooks.extend(page.into_iter().filter(|s| s.status == SubscriberStatus::Approved && s.webhook_url.is_some()));
    }
    for hook in hooks {
        let key = format!("subscriber:{}", hook.subscriber_id);
        if client.waiting(&key, now) {
            report.waiting += 1;
            continue;
        }
        let (Some(url), Some(secret)) = (hook.webhook_url.as_deref(), hook.webhook_secret.as_deref()) else { continue };
        let mut cursor = hook.delivered_cursor;
        for _ in 0..MAX_POSTS_PER_ROUND {
            let page = feed_of(core, &hook.subscriber_id, cursor, MAX_ITEMS_PER_POST).await?;
            if page.items.is_empty() {
                break;
            }
            let body = serde_json::to_vec(&DeliveryBody {
                subscriber: &hook.subscriber_id,
                items: &page.items,
                cursor: page.next_cursor,
            })
            .map_err(|e| CoreError::Internal(e.to_string()))?;
            let timestamp = now.timestamp();
            let headers = [
                ("x-xinyong-timestamp", timestamp.to_string()),
                ("x-xinyong-signature", signature(secret, timestamp, &body)),
                ("x-xinyong-delivery", format!("{}-{}", hook.subscriber_id, page.next_cursor)),
            ];
            match client.post(url, &headers, body).await {
                Ok(status) if (200..300).contains(&status) => {
                    client.succeeded(&key);
                    let done = SubscriptionsEvent::SubscriptionDelivered {
                        subscriber_id: hook.subscriber_id.clone(),
                        cursor: page.next_cursor,
                    };
                    core.append(vec![NewEvent::new(Actor::system(), done)]).await?;
                    report.delivered += 1;
                    report.items += page.items.len();
                    cursor = page.next_cursor;
                    if !page.more {
                        break;
                    }
                }
                answer => {
                    let next = client.failed(&key, now);
                    let why = match answer {
                        Ok(status) => format!("HTTP {status}"),
                        Err(e) => e,
                    };
                    tracing::warn!(subscriber = %hook.subscriber_id, url, cursor, error = %why, next_attempt = %next, "subscriber webhook delivery failed");
                    report.failed += 1;
                    break;
                }
            }
        }
    }
    Ok(report)
}
