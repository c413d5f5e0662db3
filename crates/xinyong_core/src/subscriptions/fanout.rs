//! The `subscriptions` job's first half: reads the log from where it
//! stopped, finds the changes of watched organisations (a grade under a
//! model, a list decision or exit, a record's publicity ended early) and
//! queues them for their approved subscribers in
//! `subscription_items_queued` events, which also record how far the log
//! was read. Running it again reads on from there: nothing is queued twice.

use std::collections::HashMap;

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::collection::CollectionEvent;
use xinyong_domain::evaluation::{EvaluationEvent, format_points};
use xinyong_domain::event::{Actor, EventBody, EventKind, NewEvent};
use xinyong_domain::lists::ListsEvent;
use xinyong_domain::subscriptions::{
    FANOUT, FanoutRow, FeedChange, QueuedItem, SubscriberRow, SubscriberStatus, SubscriptionsEvent, WatchRow,
};

use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::rules::Rules;

/// Log entries read per page.
const PAGE: u32 = 1_000;
/// Items per `subscription_items_queued` event.
const ITEMS_PER_EVENT: usize = 5_000;
/// Entries read with nothing to queue before the progress is written anyway,
/// so a restart does not read them again (a run that queues nothing and
/// read less leaves no trace; the next run reads those entries again).
const QUIET_STRETCH: u64 = 100_000;
/// Most entries one run reads (the next run reads on).
const MAX_PER_RUN: u64 = 200_000;

/// Who watches what, since which log index: approved subscribers only. A
/// change is sent to those who watched before it happened.
struct Watchers(HashMap<Uscc, Vec<(String, u64)>>);

impl Watchers {
    async fn load(core: &Core) -> Result<Watchers> {
        let store = core.store();
        let mut approved = std::collections::HashSet::new();
        let mut scan = store.scan::<SubscriberRow>(1_000);
        while let Some(page) = scan.next_page().await? {
            approved
                .extend(page.into_iter().filter(|s| s.status == SubscriberStatus::Approved).map(|s| s.subscriber_id));
        }
        let mut map: HashMap<Uscc, Vec<(String, u64)>> = HashMap::new();
        if approved.is_empty() {
            return Ok(Watchers(map));
        }
        let mut scan = store.scan::<WatchRow>(10_000);
        while let Some(page) = scan.next_page().await? {
            for w in page.into_iter().filter(|w| approved.contains(&w.subscriber_id)) {
                map.entry(w.uscc).or_default().push((w.subscriber_id, w.seq));
            }
        }
        Ok(Watchers(map))
    }
}

/// What one fan-out run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FanoutReport {
    pub read: u64,
    pub queued: usize,
    pub through: u64,
}

/// Reads on from the recorded progress (or from `read_before`, how far this
/// process read without recording it, when further) and queues what
/// watchers want.
pub async fn fan_out(core: &Core, read_before: u64) -> Result<FanoutReport> {
    let store = core.store();
    let recorded = store.get(FanoutRow::key(FANOUT)).await?.map_or(0, |r| r.through);
    let start = recorded.max(read_before);
    let size = store.log_size().await?;
    let end = size.min(start.saturating_add(MAX_PER_RUN));
    if end <= start {
        return Ok(FanoutReport { read: 0, queued: 0, through: start });
    }
    let rules = core.rules();
    // Read on the first entry that can carry a change: most runs see only
    // uploads and checks, and then the watchlists are not read at all.
    let mut watchers: Option<Watchers> = None;
    let mut items = Vec::new();
    let mut at = start;
    while at < end {
        let page = store.events_from(at, PAGE.min(u32::try_from(end - at).unwrap_or(PAGE))).await?;
        let Some(last) = page.last() else { break };
        let next = u64::try_from(last.seq).unwrap_or(0) + 1;
        for stored in page.iter().filter(|e| wanted(&e.kind)) {
            if watchers.is_none() {
                watchers = Some(Watchers::load(core).await?);
            }
            if let Some(w) = watchers.as_ref().filter(|w| !w.0.is_empty()) {
                items.extend(changes_of(stored, &rules, w)?);
            }
        }
        at = next;
    }
    let report = FanoutReport { read: at - start, queued: items.len(), through: at };
    // Progress alone is written only after a long quiet stretch: writing it
    // every run would itself grow the log the next run reads.
    if !items.is_empty() || at - recorded >= QUIET_STRETCH {
        write(core, at, items, recorded).await?;
    }
    Ok(report)
}

/// Appends the items in bounded events; the last one records `through`.
async fn write(core: &Core, through: u64, items: Vec<QueuedItem>, start: u64) -> Result<()> {
    if items.is_empty() && through == start {
        return Ok(());
    }
    let mut events: Vec<NewEvent> = Vec::new();
    let chunks: Vec<Vec<QueuedItem>> = items.chunks(ITEMS_PER_EVENT).map(<[QueuedItem]>::to_vec).collect();
    let n = chunks.len().max(1);
    let mut chunks = chunks.into_iter();
    for i in 0..n {
        // Earlier slices keep the old progress: only the last one moves it.
        let at = if i + 1 == n { through } else { start };
        let body =
            SubscriptionsEvent::SubscriptionItemsQueued { through: at, items: chunks.next().unwrap_or_default() };
        events.push(NewEvent::new(Actor::system(), body));
    }
    core.append(events).await?;
    Ok(())
}

/// The kinds that carry changes subscribers receive.
fn wanted(kind: &str) -> bool {
    matches!(kind, "subjects_graded" | "listing_decided" | "listing_exited" | "record_publicity_ended")
}

fn changes_of(stored: &xinyong_storage::StoredEvent, rules: &Rules, watchers: &Watchers) -> Result<Vec<QueuedItem>> {
    if !wanted(&stored.kind) {
        return Ok(Vec::new());
    }
    // An erased body (personal data removed) carries nothing to queue.
    let Some(body) = stored.body.as_deref() else { return Ok(Vec::new()) };
    let kind =
        EventKind::parse(&stored.kind).ok_or_else(|| CoreError::Log(format!("未知的事件类型 {}", stored.kind)))?;
    let body = EventBody::from_json(kind, body)
        .map_err(|e| CoreError::Log(format!("第 {} 条日志的内容无法解析：{e}", stored.seq)))?;
    let seq = u64::try_from(stored.seq).unwrap_or(0);
    let mut out = Vec::new();
    for change in describe(&body, rules) {
        let watching = watchers.0.get(&change.uscc).into_iter().flatten();
        for (subscriber_id, _) in watching.filter(|(_, since)| *since < seq) {
            out.push(QueuedItem {
                subscriber_id: subscriber_id.clone(),
                source_seq: seq,
                uscc: change.uscc.clone(),
                change: change.change,
                on: change.on,
                summary: change.summary.clone(),
                value: change.value.clone(),
            });
        }
    }
    Ok(out)
}

/// One organisation's change, before it is queued for its watchers.
struct Change {
    uscc: Uscc,
    change: FeedChange,
    on: NaiveDate,
    summary: String,
    value: String,
}

/// The changes an event makes that subscribers receive.
fn describe(body: &EventBody, rules: &Rules) -> Vec<Change> {
    let list_name = |code: &str| rules.sanctions.list(code).map_or_else(|| code.to_owned(), |l| l.name.clone());
    match body {
        EventBody::Evaluation(EvaluationEvent::SubjectsGraded { model, grades, evaluated_on, .. }) => {
            let title = xinyong_domain::evaluation::ModelName::parse(model)
                .and_then(|n| rules.models.get(&n))
                .map_or_else(|| model.clone(), |m| m.title.clone());
            grades
                .iter()
                .map(|g| Change {
                    uscc: g.uscc.clone(),
                    change: FeedChange::GradeChanged,
                    on: *evaluated_on,
                    summary: format!("{title}：{} 级（{} 分）", g.grade, format_points(g.score_centi)),
                    value: g.grade.clone(),
                })
                .collect()
        }
        EventBody::Lists(ListsEvent::ListingDecided { list_code, subject, decision_no, decided_on, .. }) => {
            organisation(&subject.key, subject.is_natural_person())
                .map(|uscc| Change {
                    uscc,
                    change: FeedChange::Listed,
                    on: *decided_on,
                    summary: format!("列入{}（{decision_no}）", list_name(list_code)),
                    value: list_code.clone(),
                })
                .into_iter()
                .collect()
        }
        EventBody::Lists(ListsEvent::ListingExited { list_code, subject, reason, on, .. }) => {
            organisation(&subject.key, subject.is_natural_person())
                .map(|uscc| Change {
                    uscc,
                    change: FeedChange::ListExited,
                    on: *on,
                    summary: format!("移出{}（{}）", list_name(list_code), reason.name_zh()),
                    value: list_code.clone(),
                })
                .into_iter()
                .collect()
        }
        EventBody::Collection(CollectionEvent::RecordPublicityEnded {
            record_id, subject, ended_on, reason, ..
        }) => organisation(subject, false)
            .map(|uscc| Change {
                uscc,
                change: FeedChange::PublicityEnded,
                on: *ended_on,
                summary: format!("记录 {record_id} 停止公示（{}）", reason.name_zh()),
                value: record_id.clone(),
            })
            .into_iter()
            .collect(),
        // The kinds `wanted` lets through are all above; anything else
        // carries nothing for subscribers.
        EventBody::Subjects(_)
        | EventBody::Auth(_)
        | EventBody::Rules(_)
        | EventBody::Collection(_)
        | EventBody::Lists(_)
        | EventBody::Checks(_)
        | EventBody::ClosedLoop(_)
        | EventBody::Objections(_)
        | EventBody::Repair(_)
        | EventBody::Evaluation(_)
        | EventBody::Subscriptions(_)
        | EventBody::Inspections(_)
        | EventBody::Campaigns(_)
        | EventBody::Commitments(_)
        | EventBody::Registrations(_)
        | EventBody::Notices(_)
        | EventBody::Reports(_)
        | EventBody::Agencies(_)
        | EventBody::Log(_) => Vec::new(),
    }
}

/// An organisation's code; never a natural person.
fn organisation(key: &str, natural_person: bool) -> Option<Uscc> {
    if natural_person {
        return None;
    }
    Uscc::parse(key).ok()
}
