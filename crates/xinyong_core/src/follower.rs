//! Followers tail the log by sequence number. Several `xinyong serve`
//! processes over one PostgreSQL database each run one; whatever another
//! process appended reaches this process's in-memory views through it.

use std::time::Duration;

use tokio::sync::watch;
pub use xinyong_storage::StoredEvent;

use crate::error::Result;
use crate::log::Core;

/// Something kept up to date from the log (search index, check index, …).
pub trait LogSubscriber: Send + Sync {
    /// Applies events in order; called with consecutive batches.
    fn apply(&self, events: &[StoredEvent]);
}

/// A subscriber shared with the rest of the process (the server reads the
/// same search index the follower writes).
impl<T: LogSubscriber + ?Sized> LogSubscriber for std::sync::Arc<T> {
    fn apply(&self, events: &[StoredEvent]) {
        (**self).apply(events);
    }
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
            for s in subscribers {
                s.apply(&events);
            }
            let next = u64::try_from(last.seq).unwrap_or(from) + 1;
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
