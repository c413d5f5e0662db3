//! Followers tail the log by sequence number. Several `xinyong serve`
//! processes over one PostgreSQL database each run one; whatever another
//! process appended reaches this process's in-memory views through it.

use std::time::Duration;

use tokio::sync::watch;
use xinyong_domain::event::{EventBody, EventKind};
pub use xinyong_storage::StoredEvent;

use crate::error::Result;
use crate::log::Core;

/// An event handed to a subscriber: its log index, its kind and its body,
/// parsed once for every subscriber that wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowedEvent {
    pub seq: u64,
    pub kind: EventKind,
    pub body: EventBody,
}

/// Something kept up to date from the log (search index, check index, token
/// cache). It names the kinds it reads with [`LogSubscriber::wants`], an
/// exhaustive match over [`EventKind`] (no `_` arm: a new kind must be
/// answered), and the follower parses only those bodies.
pub trait LogSubscriber: Send + Sync {
    /// Whether this subscriber reads events of `kind`.
    fn wants(&self, kind: EventKind) -> bool;

    /// Applies the wanted events of the next stretch of the log, in order;
    /// `through` is the log size the stretch reaches (events it did not want
    /// included), so a subscriber can record how far it is.
    fn apply(&self, events: &[&FollowedEvent], through: u64);
}

/// A subscriber shared with the rest of the process (the server reads the
/// same search index the follower writes).
impl<T: LogSubscriber + ?Sized> LogSubscriber for std::sync::Arc<T> {
    fn wants(&self, kind: EventKind) -> bool {
        (**self).wants(kind)
    }

    fn apply(&self, events: &[&FollowedEvent], through: u64) {
        (**self).apply(events, through);
    }
}

/// Parses the stored events some subscriber wants. An event of a kind this
/// build does not know, without a body (erased) or with a body that does not
/// parse is skipped with a warning: followers are in-memory views, and
/// `xinyong verify` is where such an entry is reported as an error.
pub fn parse_wanted(events: &[StoredEvent], wanted: impl Fn(EventKind) -> bool) -> Vec<FollowedEvent> {
    let mut out = Vec::new();
    for event in events {
        let Ok(seq) = u64::try_from(event.seq) else { continue };
        let Some(kind) = EventKind::parse(&event.kind) else {
            tracing::warn!(seq, kind = %event.kind, "unknown event kind; followers skip it");
            continue;
        };
        if !wanted(kind) {
            continue;
        }
        let Some(json) = event.body.as_deref() else {
            tracing::warn!(seq, %kind, "event without a body; followers skip it");
            continue;
        };
        match EventBody::from_json(kind, json) {
            Ok(body) => out.push(FollowedEvent { seq, kind, body }),
            Err(e) => tracing::warn!(seq, %kind, error = %e, "unreadable event body; followers skip it"),
        }
    }
    out
}

/// Polls the log for new entries and hands them to subscribers in order.
#[derive(Debug)]
pub struct Follower {
    applied: watch::Sender<u64>,
}

/// Events read per poll.
const BATCH: u32 = 5_000;

impl Default for Follower {
    fn default() -> Self {
        Follower::new()
    }
}

impl Follower {
    pub fn new() -> Follower {
        Follower::starting_at(0)
    }

    /// A follower whose subscribers already reflect the first `applied` log
    /// entries (e.g. an index just rebuilt from the projections).
    pub fn starting_at(applied: u64) -> Follower {
        Follower { applied: watch::Sender::new(applied) }
    }

    /// The log size this process has applied so far.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.applied.subscribe()
    }

    pub fn applied(&self) -> u64 {
        *self.applied.borrow()
    }

    /// Reads everything after the last applied index once; returns how many
    /// events were applied.
    pub async fn poll(&self, core: &Core, subscribers: &[&dyn LogSubscriber]) -> Result<u64> {
        let mut total = 0;
        loop {
            let from = self.applied();
            let events = core.store().events_from(from, BATCH).await?;
            let Some(last) = events.last() else { break };
            let next = u64::try_from(last.seq).unwrap_or(from) + 1;
            let parsed = parse_wanted(&events, |kind| subscribers.iter().any(|s| s.wants(kind)));
            for s in subscribers {
                let mine: Vec<&FollowedEvent> = parsed.iter().filter(|e| s.wants(e.kind)).collect();
                s.apply(&mine, next);
            }
            total += events.len() as u64;
            self.applied.send_replace(next);
            metrics::gauge!("xinyong_follower_applied").set(next as f64);
            if events.len() < BATCH as usize {
                break;
            }
        }
        Ok(total)
    }

    /// Polls forever every `interval` until `shutdown` resolves.
    pub async fn run(
        &self,
        core: Core,
        subscribers: Vec<Box<dyn LogSubscriber>>,
        interval: Duration,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let subs: Vec<&dyn LogSubscriber> = subscribers.iter().map(|b| b.as_ref()).collect();
        loop {
            if let Err(e) = self.poll(&core, &subs).await {
                tracing::warn!(error = %e, "log follower poll failed; retrying");
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = shutdown.changed() => break,
            }
        }
    }
}
