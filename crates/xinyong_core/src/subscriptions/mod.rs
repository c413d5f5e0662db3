//! Subscribers (六.1): banks, associations and other receivers of the
//! changes of the organisations they watch. The credit office registers a
//! subscriber (its token is shown once) and a second person approves it;
//! the subscriber keeps its watchlist and reads its feed through the API
//! or has it POSTed to a signed webhook ([`delivery`]). The feed is filled
//! by the `subscriptions` job ([`fanout`]) from the log: grade changes,
//! list decisions and exits, and records whose publicity ended early.
//! `docs/SUBSCRIPTIONS.md`.

pub mod delivery;
pub mod fanout;

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL;
use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use xinyong_domain::Uscc;
use xinyong_domain::event::NewEvent;
use xinyong_domain::subscriptions::{
    SubscriberKind, SubscriberRow, SubscriberStatus, SubscriptionItemRow, SubscriptionsEvent,
};

use crate::auth::policy::{Action, Principal, Resource, SubscriberPrincipal, authorize};
use crate::clock::china_date;
use crate::error::{CoreError, Result};
use crate::log::Core;

/// What subscriptions may cost, from configuration (`[subscriptions]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionSettings {
    /// Organisations one subscriber may watch.
    pub max_watchlist: usize,
}

impl Default for SubscriptionSettings {
    fn default() -> Self {
        SubscriptionSettings { max_watchlist: 100_000 }
    }
}

/// The prefix of a subscriber's token: `xys_<id>_<secret>`.
pub const TOKEN_PREFIX: &str = "xys_";
/// Longest name and contact kept.
const MAX_TEXT_CHARS: usize = 100;

/// A subscriber as pages and the API show it (never its token or secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriberView {
    pub subscriber_id: String,
    pub name: String,
    pub uscc: String,
    pub kind: String,
    pub kind_name: String,
    pub contact: String,
    pub status: String,
    pub status_name: String,
    pub registered_on: NaiveDate,
    pub registered_by: String,
    pub approved_by: Option<String>,
    pub webhook_url: Option<String>,
    pub delivered_cursor: u64,
}

impl From<&SubscriberRow> for SubscriberView {
    fn from(r: &SubscriberRow) -> Self {
        SubscriberView {
            subscriber_id: r.subscriber_id.clone(),
            name: r.name.clone(),
            uscc: r.uscc.as_str().to_owned(),
            kind: r.kind.as_str().to_owned(),
            kind_name: r.kind.name_zh().to_owned(),
            contact: r.contact.clone(),
            status: r.status.as_str().to_owned(),
            status_name: r.status.name_zh().to_owned(),
            registered_on: r.registered_on,
            registered_by: r.registered_by.clone(),
            approved_by: r.approved_by.clone(),
            webhook_url: r.webhook_url.clone(),
            delivered_cursor: r.delivered_cursor,
        }
    }
}

/// A subscriber to register.
#[derive(Debug, Clone)]
pub struct NewSubscriber {
    pub name: String,
    pub uscc: String,
    pub kind: String,
    pub contact: String,
}

/// A registered subscriber and its token, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registered {
    pub subscriber: SubscriberView,
    pub token: String,
}

fn text(field: &str, raw: &str, required: bool) -> Result<String> {
    let t = raw.trim();
    if (required && t.is_empty()) || t.chars().count() > MAX_TEXT_CHARS || t.chars().any(char::is_control) {
        return Err(CoreError::invalid(
            "subscriber_field_invalid",
            format!("{field}须为{}不超过 {MAX_TEXT_CHARS} 个字符的文字", if required { "1 个以上、" } else { "" }),
        ));
    }
    Ok(t.to_owned())
}

/// Registers a subscriber, pending approval; `secret` is fresh randomness.
pub async fn register(
    core: &Core,
    principal: &Principal,
    input: NewSubscriber,
    secret: [u8; 32],
) -> Result<Registered> {
    authorize(principal, Action::ManageSubscribers, &Resource::Platform)?;
    let name = text("单位名称", &input.name, true)?;
    let contact = text("联系人及电话", &input.contact, false)?;
    let uscc = Uscc::parse(input.uscc.trim()).map_err(|e| {
        CoreError::invalid("uscc_invalid", format!("订阅单位的统一社会信用代码“{}”无效：{e}", input.uscc.trim()))
    })?;
    let kind = SubscriberKind::parse(input.kind.trim()).ok_or_else(|| {
        CoreError::invalid("subscriber_kind_unknown", "单位类型应为 financial_institution、association 或 other")
    })?;
    let subscriber_id = {
        let mut h = Sha256::new();
        h.update(b"xinyong-subscriber-id");
        h.update(secret);
        format!("s{}", hex::encode(&h.finalize()[..5]))
    };
    if core.store().get(SubscriberRow::key(subscriber_id.as_str())).await?.is_some() {
        return Err(CoreError::invalid("subscriber_exists", "订阅单位编号已存在，请重新提交"));
    }
    let token = format!("{TOKEN_PREFIX}{subscriber_id}_{}", BASE64URL.encode(secret));
    let body = SubscriptionsEvent::SubscriberRegistered {
        subscriber_id: subscriber_id.clone(),
        name,
        uscc,
        subscriber_kind: kind,
        contact,
        token_sha256: hex::encode(Sha256::digest(token.as_bytes())),
        registered_on: china_date(core.now()),
        registered_by: principal.actor().as_str().to_owned(),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    let subscriber = get(core, &subscriber_id).await?;
    Ok(Registered { subscriber: SubscriberView::from(&subscriber), token })
}

async fn get(core: &Core, subscriber_id: &str) -> Result<SubscriberRow> {
    core.store()
        .get(SubscriberRow::key(subscriber_id))
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: format!("订阅单位“{subscriber_id}”"), code: "subscriber_not_found"
        })
}

/// Approves a pending subscriber: someone other than who registered it.
pub async fn approve(core: &Core, principal: &Principal, subscriber_id: &str) -> Result<SubscriberView> {
    authorize(principal, Action::ManageSubscribers, &Resource::Platform)?;
    let row = get(core, subscriber_id).await?;
    if row.status != SubscriberStatus::Pending {
        return Err(CoreError::invalid(
            "subscriber_not_pending",
            format!("该订阅单位{}，无需批准", row.status.name_zh()),
        ));
    }
    if matches!(principal, Principal::User(_)) && row.registered_by == principal.actor().as_str() {
        return Err(CoreError::Forbidden {
            code: "four_eyes_required",
            message: "订阅单位须由登记人以外的信用办人员批准".to_owned(),
        });
    }
    let body = SubscriptionsEvent::SubscriberApproved {
        subscriber_id: row.subscriber_id.clone(),
        approved_by: principal.actor().as_str().to_owned(),
        approved_on: china_date(core.now()),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(SubscriberView::from(&get(core, subscriber_id).await?))
}

/// Stops a subscriber: its token is refused and nothing more is queued.
pub async fn suspend(core: &Core, principal: &Principal, subscriber_id: &str, reason: &str) -> Result<SubscriberView> {
    authorize(principal, Action::ManageSubscribers, &Resource::Platform)?;
    let reason = text("停用原因", reason, true)?;
    let row = get(core, subscriber_id).await?;
    if row.status != SubscriberStatus::Suspended {
        let body = SubscriptionsEvent::SubscriberSuspended {
            subscriber_id: row.subscriber_id.clone(),
            reason,
            suspended_on: china_date(core.now()),
        };
        core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    }
    Ok(SubscriberView::from(&get(core, subscriber_id).await?))
}

/// The subscriber a bearer token belongs to, when it is approved.
pub async fn authenticate(core: &Core, bearer: &str) -> Result<Option<SubscriberPrincipal>> {
    let bearer = bearer.trim();
    let Some(id) = bearer.strip_prefix(TOKEN_PREFIX).and_then(|rest| rest.split_once('_')).map(|(id, _)| id) else {
        return Ok(None);
    };
    // The id goes to the database only in its exact shape.
    if id.len() != 11
        || !id.starts_with('s')
        || !id[1..].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Ok(None);
    }
    let Some(row) = core.store().get(SubscriberRow::key(id)).await? else { return Ok(None) };
    let presented = hex::encode(Sha256::digest(bearer.as_bytes()));
    let matches = crate::auth::constant_time_eq(presented.as_bytes(), row.token_sha256.as_bytes());
    Ok((matches && row.status == SubscriberStatus::Approved)
        .then_some(SubscriberPrincipal { subscriber_id: row.subscriber_id }))
}

/// The subscriber calling, after the policy let it use its subscription.
fn caller(principal: &Principal) -> Result<&SubscriberPrincipal> {
    authorize(principal, Action::UseSubscription, &Resource::Platform)?;
    match principal {
        Principal::Subscriber(s) => Ok(s),
        // Only a subscriber passes the rule; the platform itself has no
        // subscription of its own.
        Principal::Anonymous
        | Principal::User(_)
        | Principal::Token(_)
        | Principal::Subject(_)
        | Principal::Agency(_)
        | Principal::System(_) => {
            Err(CoreError::Forbidden { code: "subscribers_only", message: "只有订阅单位有订阅".to_owned() })
        }
    }
}

/// A rejected watchlist entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WatchProblem {
    /// Position in the list, from 1.
    pub row: usize,
    pub value: String,
    pub code: &'static str,
    pub message: String,
}

/// What setting a watchlist did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WatchlistOutcome {
    pub added: usize,
    pub removed: usize,
    pub watching: usize,
    pub rejected: Vec<WatchProblem>,
}

/// Replaces the caller's watchlist with `usccs`; bad codes are named and
/// left out, the rest kept. At most `[subscriptions] max_watchlist`.
pub async fn set_watchlist(core: &Core, principal: &Principal, usccs: &[String]) -> Result<WatchlistOutcome> {
    let me = caller(principal)?;
    let max = core.settings().subscriptions.max_watchlist;
    if usccs.len() > max {
        return Err(CoreError::invalid(
            "watchlist_too_long",
            format!("关注名单最多 {max} 个统一社会信用代码，本次 {} 个", usccs.len()),
        ));
    }
    let mut wanted = BTreeSet::new();
    let mut rejected = Vec::new();
    for (i, raw) in usccs.iter().enumerate() {
        // Spaces and case do not matter; the check character does.
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        match Uscc::parse(&compact) {
            Ok(u) => {
                wanted.insert(u);
            }
            Err(e) => rejected.push(WatchProblem {
                row: i + 1,
                value: raw.chars().take(40).collect(),
                code: "uscc_invalid",
                message: format!("第 {} 个“{}”不是有效的统一社会信用代码：{e}", i + 1, raw.trim()),
            }),
        }
    }
    let current: BTreeSet<Uscc> = watchlist(core, principal).await?.into_iter().collect();
    let added: Vec<Uscc> = wanted.difference(&current).cloned().collect();
    let removed: Vec<Uscc> = current.difference(&wanted).cloned().collect();
    let outcome = WatchlistOutcome { added: added.len(), removed: removed.len(), watching: wanted.len(), rejected };
    // Bounded events: a 100,000-code list is written in slices.
    let mut events = Vec::new();
    for chunk in added.chunks(WATCH_PER_EVENT) {
        events.push(watch_event(principal, &me.subscriber_id, chunk.to_vec(), Vec::new()));
    }
    for chunk in removed.chunks(WATCH_PER_EVENT) {
        events.push(watch_event(principal, &me.subscriber_id, Vec::new(), chunk.to_vec()));
    }
    for slice in events.chunks(10) {
        core.append(slice.to_vec()).await?;
    }
    Ok(outcome)
}

/// Codes per `watchlist_changed` event.
const WATCH_PER_EVENT: usize = 5_000;

fn watch_event(principal: &Principal, subscriber_id: &str, added: Vec<Uscc>, removed: Vec<Uscc>) -> NewEvent {
    NewEvent::new(
        principal.actor(),
        SubscriptionsEvent::WatchlistChanged { subscriber_id: subscriber_id.to_owned(), added, removed },
    )
}

/// Codes read per page of a watchlist.
const WATCH_PAGE: u32 = 5_000;

/// The caller's watchlist, by code.
pub async fn watchlist(core: &Core, principal: &Principal) -> Result<Vec<Uscc>> {
    let me = caller(principal)?;
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let page =
            xinyong_storage::subscriptions::watchlist(core.store(), &me.subscriber_id, &after, WATCH_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.uscc.as_str().to_owned();
        let full = page.len() == WATCH_PAGE as usize;
        out.extend(page.into_iter().map(|w| w.uscc));
        if !full {
            break;
        }
    }
    Ok(out)
}

/// One change in a feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedItem {
    /// The log index of the event that made the change; pass the last one
    /// seen as `after` to read on.
    pub cursor: u64,
    pub uscc: String,
    /// `grade_changed`, `listed`, `list_exited` or `publicity_ended`.
    pub change: String,
    pub change_name: String,
    pub on: NaiveDate,
    pub summary: String,
    pub value: String,
}

impl From<SubscriptionItemRow> for FeedItem {
    fn from(r: SubscriptionItemRow) -> Self {
        FeedItem {
            cursor: r.source_seq,
            uscc: r.uscc.as_str().to_owned(),
            change: r.change.as_str().to_owned(),
            change_name: r.change.name_zh().to_owned(),
            on: r.changed_on,
            summary: r.summary,
            value: r.value,
        }
    }
}

/// A page of a feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedPage {
    pub items: Vec<FeedItem>,
    /// Where to read on from (the last item's cursor, or `after`).
    pub next_cursor: u64,
    pub more: bool,
}

/// Most items one page holds.
pub const MAX_FEED_PAGE: u32 = 1_000;

/// The subscriber's feed after `after`. A page never ends inside one log
/// entry's changes, so reading on from `next_cursor` misses nothing.
pub async fn feed_of(core: &Core, subscriber_id: &str, after: u64, limit: u32) -> Result<FeedPage> {
    let limit = limit.clamp(1, MAX_FEED_PAGE);
    let mut rows = xinyong_storage::subscriptions::feed_after(core.store(), subscriber_id, after, limit + 1).await?;
    let more = rows.len() > limit as usize;
    if more {
        rows.truncate(limit as usize);
        // Drop the last entry's changes when the page may have cut them;
        // unless they are all there is (one entry bigger than a page).
        let last = rows.last().map(|r| r.source_seq);
        let whole: Vec<_> = rows.iter().filter(|r| Some(r.source_seq) != last).cloned().collect();
        if !whole.is_empty() {
            rows = whole;
        }
    }
    let next_cursor = rows.last().map_or(after, |r| r.source_seq);
    Ok(FeedPage { items: rows.into_iter().map(FeedItem::from).collect(), next_cursor, more })
}

/// The calling subscriber's feed.
pub async fn feed(core: &Core, principal: &Principal, after: u64, limit: u32) -> Result<FeedPage> {
    let me = caller(principal)?;
    feed_of(core, &me.subscriber_id, after, limit).await
}

/// Sets the caller's webhook; returns the signing secret (hex), shown once.
pub async fn set_webhook(core: &Core, principal: &Principal, url: &str, secret: [u8; 32]) -> Result<String> {
    let me = caller(principal)?;
    let url = crate::closed_loop::webhooks::checked_url(url, &core.settings().webhooks)?;
    let row = get(core, &me.subscriber_id).await?;
    // A new URL carries on where the old one stopped; a first one starts now.
    let from_cursor = match row.webhook_url {
        Some(_) => row.delivered_cursor,
        None => core.store().log_size().await?.saturating_sub(1),
    };
    let secret = hex::encode(secret);
    let body = SubscriptionsEvent::SubscriberWebhookSet {
        subscriber_id: me.subscriber_id.clone(),
        url,
        secret: secret.clone(),
        from_cursor,
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(secret)
}

/// Every subscriber with how many organisations it watches and how many
/// changes it was sent, for the credit office.
pub async fn subscribers(core: &Core, principal: &Principal) -> Result<Vec<(SubscriberView, u64, u64)>> {
    authorize(principal, Action::ManageSubscribers, &Resource::Platform)?;
    let rows = xinyong_storage::subscriptions::subscribers(core.store(), MAX_SUBSCRIBERS).await?;
    let counts = xinyong_storage::subscriptions::counts(core.store()).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let (w, i) = counts.iter().find(|(id, ..)| *id == r.subscriber_id).map_or((0, 0), |(_, w, i)| (*w, *i));
            (SubscriberView::from(r), w, i)
        })
        .collect())
}

/// Subscribers a page lists at most.
const MAX_SUBSCRIBERS: u32 = 1_000;

/// The newest changes sent to one subscriber, for the credit office.
pub async fn received(core: &Core, principal: &Principal, subscriber_id: &str, limit: u32) -> Result<Vec<FeedItem>> {
    authorize(principal, Action::ManageSubscribers, &Resource::Platform)?;
    let rows =
        xinyong_storage::subscriptions::recent_items(core.store(), subscriber_id, limit.min(MAX_FEED_PAGE)).await?;
    Ok(rows.into_iter().map(FeedItem::from).collect())
}

/// The `subscriptions` job: queue the log's new changes for their
/// watchers, then deliver to webhooks. Idempotent: the queue records how
/// far it read, deliveries how far they reached.
#[derive(Debug)]
pub struct SubscriptionsJob {
    interval: std::time::Duration,
    client: crate::closed_loop::webhooks::WebhookClient,
    /// How far this process read the log (recorded only with items or
    /// after a long quiet stretch).
    read: std::sync::Mutex<u64>,
}

impl SubscriptionsJob {
    pub const NAME: &'static str = "subscriptions";

    pub fn every(
        interval: std::time::Duration,
        client: crate::closed_loop::webhooks::WebhookClient,
    ) -> SubscriptionsJob {
        SubscriptionsJob { interval, client, read: std::sync::Mutex::new(0) }
    }

    /// One run, as `serve` does it.
    pub async fn run_once(&self, core: &Core) -> Result<crate::jobs::JobReport> {
        let before = *self.read.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let queued = fanout::fan_out(core, before).await?;
        *self.read.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = queued.through;
        let sent = delivery::deliver(core, &self.client, core.now()).await?;
        Ok(crate::jobs::JobReport {
            done: queued.queued as u64 + sent.items as u64,
            summary: format!(
                "读取日志 {} 条，排入订阅 {} 项；回调送达 {} 次共 {} 项，失败 {} 次",
                queued.read, queued.queued, sent.delivered, sent.items, sent.failed
            ),
        })
    }
}

impl crate::jobs::Job for SubscriptionsJob {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn interval(&self) -> std::time::Duration {
        self.interval
    }

    fn run<'a>(&'a self, core: &'a Core) -> crate::jobs::JobFuture<'a> {
        Box::pin(self.run_once(core))
    }
}
