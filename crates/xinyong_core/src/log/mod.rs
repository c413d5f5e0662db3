//! The log context: the one write path (`Core::append`), the publisher that
//! signs checkpoints, the proofs served at `/log/…`, the signing key, the
//! follower that tails the log, and `verify`.

pub mod backup;
pub mod follower;
pub mod keys;
pub mod rotation;
pub mod verify;
pub mod witness;

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use chrono::{DateTime, Utc};
use xinyong_domain::event::{Event, NewEvent};
use xinyong_domain::log::EntryVersion;
use xinyong_domain::mask::MaskConfig;
use xinyong_storage::{
    AppendOutcome, Counts, Hash, PreparedChunk, PreparedEvent, PreparedEvents, Store, StoredCheckpoint,
};
use xinyong_tlog::{Checkpoint, NodeSource, TlogProof};

use crate::clock::Clock;
use crate::error::{CoreError, Result};
use crate::log::keys::LogKeys;
use crate::rules::{RuleBook, Rules};

/// Settings the use cases need; loaded by the binary from configuration.
#[derive(Debug, Clone, Default)]
pub struct CoreSettings {
    pub mask: MaskConfig,
    /// Console sessions (lifetime).
    pub auth: crate::auth::AuthSettings,
    /// Where departments' webhooks may point.
    pub webhooks: crate::closed_loop::webhooks::WebhookTargets,
    /// What one batch of records may cost.
    pub intake: crate::collection::intake::IntakeLimits,
    /// The subject's side: activation codes, objection and repair deadlines.
    pub redress: crate::objections::RedressSettings,
    /// Imports of external grades, what is public, how often grades are refreshed.
    pub evaluation: crate::evaluation::EvaluationSettings,
    /// Subscribers' watchlists.
    pub subscriptions: crate::subscriptions::SubscriptionSettings,
    /// Random inspections: pool size, seed delay, publication deadline, rotation.
    pub inspections: crate::inspections::InspectionSettings,
    /// Rectification campaigns (how many subjects one may cover).
    pub campaigns: crate::campaigns::CampaignSettings,
    /// Notification and commitment (who is barred).
    pub commitments: crate::commitments::CommitmentSettings,
    /// Voluntary registration (review deadline, file limits, reviewers).
    pub registrations: crate::registrations::RegistrationSettings,
    /// Write every entry in format v1, records included (docs/LOG.md): only
    /// for outside checkers that do not read v2 yet.
    pub write_v1_entries: bool,
    /// Peer cities' logs this platform witnesses (C2SP tlog-witness).
    pub witness: witness::WitnessSettings,
    /// Credit service agencies (the longest consent).
    pub agencies: crate::agencies::AgencySettings,
}

/// Everything a use case needs, shared by the server, jobs and the CLI.
#[derive(Debug, Clone)]
pub struct Core {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    keys: Arc<LogKeys>,
    settings: Arc<CoreSettings>,
    /// Every published rule-set version and the rule files, shared by all
    /// clones: swapping the book (a `rules_published` the follower read)
    /// changes the rules every clone judges by from its next call on.
    rules: Arc<RwLock<Arc<RuleBook>>>,
    /// In-process writers queue here rather than on the database lock, which
    /// keeps SQLite's busy handler out of the common case.
    write_lock: Arc<tokio::sync::Mutex<()>>,
    /// Only one checkpoint is signed at a time per process.
    sign_lock: Arc<tokio::sync::Mutex<()>>,
    /// A witness checks and records a peer's checkpoint as one step.
    witness_lock: Arc<tokio::sync::Mutex<()>>,
    /// The status map committed last, with its values (reports' proofs).
    pub(crate) status_map: Arc<tokio::sync::Mutex<Option<Arc<crate::reports::status_map::CommittedStatusMap>>>>,
    /// Department display names read last (every page names departments).
    department_names: Arc<crate::auth::names::DepartmentNames>,
}

/// Most events a single transaction takes; bigger requests are split.
/// An upload of [`crate::collection::intake::MAX_ROWS`] rows can need two events per row
/// (a new subject and its record) and must commit as one transaction.
pub const MAX_EVENTS_PER_TRANSACTION: usize = 250_001;

/// Events from which an append prepares its entries on every core: below it
/// the hand-over costs more than it saves.
const PARALLEL_PREPARE_MIN: usize = 64;

/// Events per chunk of a large append: the store writes one chunk while the
/// next is prepared.
const PREPARE_CHUNK: usize = 2_048;

/// Chunks prepared ahead of the store's writes.
const READY_CHUNKS: usize = 2;

impl Core {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, keys: LogKeys, settings: CoreSettings) -> Core {
        Core {
            store,
            clock,
            keys: Arc::new(keys),
            settings: Arc::new(settings),
            rules: Arc::new(RwLock::new(RuleBook::shipped())),
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
            sign_lock: Arc::new(tokio::sync::Mutex::new(())),
            witness_lock: Arc::new(tokio::sync::Mutex::new(())),
            status_map: Arc::new(tokio::sync::Mutex::new(None)),
            department_names: Arc::default(),
        }
    }

    /// A core over another store with this one's keys, clock, settings and
    /// rules: a backup copy verified as the live database is.
    pub fn over(&self, store: Arc<dyn Store>) -> Core {
        Core {
            store,
            clock: Arc::clone(&self.clock),
            keys: Arc::clone(&self.keys),
            settings: Arc::clone(&self.settings),
            rules: Arc::clone(&self.rules),
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
            sign_lock: Arc::new(tokio::sync::Mutex::new(())),
            witness_lock: Arc::new(tokio::sync::Mutex::new(())),
            status_map: Arc::new(tokio::sync::Mutex::new(None)),
            department_names: Arc::default(),
        }
    }

    /// The same core reading another clock, sharing the store, keys, rules
    /// and write locks: the demo city writes each simulated act at the time
    /// it happened. Clones made before keep theirs.
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> Core {
        Core { clock, ..self.clone() }
    }

    /// The same core with other settings (the demo city compresses the
    /// seed delay of its finished inspection task). Clones made before keep theirs.
    pub fn with_settings(mut self, settings: CoreSettings) -> Core {
        self.settings = Arc::new(settings);
        self
    }

    /// The same core judging by these rules on every date (tests; another
    /// catalog version). Clones made before keep their own book.
    pub fn with_rules(mut self, rules: Rules) -> Core {
        let source = Arc::clone(self.rule_book().source());
        self.rules = Arc::new(RwLock::new(Arc::new(RuleBook::fixed(source, rules))));
        self
    }

    /// The same core over another rule book (the published versions and
    /// the rule files a process was configured with). Clones made before
    /// keep their own book.
    pub fn with_rule_book(mut self, book: RuleBook) -> Core {
        self.rules = Arc::new(RwLock::new(Arc::new(book)));
        self
    }

    /// The rules in force today (China Standard Time, by this core's
    /// clock): a snapshot to judge one request or one batch by, unaffected
    /// by a version that comes into force meanwhile.
    pub fn rules(&self) -> Arc<Rules> {
        self.rule_book().rules_on(crate::clock::china_date(self.clock.now()))
    }

    /// The rules in force on `date`.
    pub fn rules_on(&self, date: chrono::NaiveDate) -> Arc<Rules> {
        self.rule_book().rules_on(date)
    }

    /// Every published version and the rule files.
    pub fn rule_book(&self) -> Arc<RuleBook> {
        Arc::clone(&self.rules.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Swaps in a new book for this core and every clone of it.
    pub fn set_rule_book(&self, book: RuleBook) {
        *self.rules.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(book);
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn keys(&self) -> &LogKeys {
        &self.keys
    }

    /// The department names this core and its clones share; `serve`'s log
    /// follower forgets them when another process registers a department.
    pub fn department_names_cache(&self) -> Arc<crate::auth::names::DepartmentNames> {
        Arc::clone(&self.department_names)
    }

    pub fn settings(&self) -> &CoreSettings {
        &self.settings
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Appends events atomically: log entries, tree nodes and projection rows
    /// commit together or not at all. Callers needing all-or-nothing for more
    /// than [`MAX_EVENTS_PER_TRANSACTION`] events must split themselves.
    pub async fn append(&self, events: Vec<NewEvent>) -> Result<AppendOutcome> {
        if events.len() > MAX_EVENTS_PER_TRANSACTION {
            return Err(CoreError::invalid(
                "batch_too_large",
                format!("一次最多写入 {MAX_EVENTS_PER_TRANSACTION} 个事件，本次 {} 个", events.len()),
            ));
        }
        let renames = crate::auth::names::DepartmentNames::changed_by(events.iter().map(|e| &e.body));
        let _guard = self.write_lock.lock().await;
        let time = self.clock.now();
        let keys = Arc::clone(&self.keys);
        let v1_only = self.settings.write_v1_entries;
        // The store calls `build` once, inside its transaction; the events move
        // into it instead of being cloned.
        let pending = std::sync::Mutex::new(Some(events));
        let build = move |first: u64| -> std::result::Result<PreparedEvents, String> {
            // A second call (or a poisoned lock) finds nothing to take: that
            // is an error, never an empty append that would lose the events.
            let events = pending
                .lock()
                .map_err(|_| "the events to append were lost (poisoned lock)".to_owned())?
                .take()
                .ok_or_else(|| "the store asked for the events twice".to_owned())?;
            let prepare_at = EntryMaker { first, time, keys: Arc::clone(&keys), v1_only };
            prepare_all(events, prepare_at)
        };
        let outcome = self.store.append(&build).await;
        if renames {
            // After the commit (or its failure): a page that read the names
            // before cannot keep them (`DepartmentNames` counts forgettings).
            self.department_names.forget();
        }
        let outcome = outcome?;
        metrics::counter!("xinyong_events_appended_total").increment(outcome.count);
        metrics::gauge!("xinyong_log_size").set(outcome.size as f64);
        Ok(outcome)
    }

    pub async fn counts(&self) -> Result<Counts> {
        Ok(self.store.counts().await?)
    }

    /// The latest signed checkpoint, signing one first when the log has grown
    /// past it (or none exists yet).
    pub async fn checkpoint(&self) -> Result<StoredCheckpoint> {
        match self.sign_checkpoint_if_grown().await? {
            Some(cp) => Ok(cp),
            None => self.store.latest_checkpoint().await?.ok_or_else(|| CoreError::Log("没有检查点".to_owned())),
        }
    }

    /// The latest stored checkpoint without signing a new one.
    pub async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>> {
        Ok(self.store.latest_checkpoint().await?)
    }

    /// Signs a checkpoint for the current log size if it is newer than the
    /// latest one. Before saving, the new tree head is checked to be
    /// consistent with the previous one, so two signed checkpoints can never
    /// contradict each other.
    pub async fn sign_checkpoint_if_grown(&self) -> Result<Option<StoredCheckpoint>> {
        let _guard = self.sign_lock.lock().await;
        let size = self.store.log_size().await?;
        let latest = self.store.latest_checkpoint().await?;
        if latest.as_ref().is_some_and(|cp| cp.size >= size) {
            return Ok(None);
        }
        // A process whose key was rotated away (or replaced) stops signing.
        self.ensure_key_in_force(size, latest.as_ref()).await?;
        let root = self.tree_hash(size).await?;
        if let Some(prev) = &latest {
            let proof = self.consistency_proof(prev.size, size).await?;
            xinyong_tlog::verify_consistency(prev.size, size, &prev.root, &root, &proof)
                .map_err(|e| CoreError::Log(format!("新树头与检查点 {} 不一致，拒绝签名：{e}", prev.size)))?;
        }
        let checkpoint = Checkpoint { origin: self.keys.origin().to_owned(), size, root, extensions: Vec::new() };
        let note = xinyong_tlog::sign_checkpoint(&checkpoint, self.keys.signer())
            .map_err(|e| CoreError::Log(e.to_string()))?;
        let stored = StoredCheckpoint { size, root, note, signed_at: self.clock.now() };
        self.store.save_checkpoint(&stored).await?;
        metrics::gauge!("xinyong_checkpoint_size").set(size as f64);
        // Another process may have saved the same size first; its note is
        // byte-identical (Ed25519 is deterministic), but return what is stored.
        Ok(self.store.checkpoint(size).await?.or(Some(stored)))
    }

    /// The exact entry bytes at `index`.
    pub async fn entry(&self, index: u64) -> Result<Vec<u8>> {
        self.store
            .entry(index)
            .await?
            .ok_or_else(|| CoreError::NotFound { what: format!("日志条目 {index}"), code: "log_entry_not_found" })
    }

    /// A C2SP `tlog-proof@v1` for `index` against the latest checkpoint
    /// (signed on demand when the entry is newer than it).
    pub async fn inclusion_proof(&self, index: u64) -> Result<TlogProof> {
        let mut cp = self.checkpoint().await?;
        if index >= cp.size {
            // Appended after the checkpoint we just read: sign a newer one.
            cp = self.sign_checkpoint_if_grown().await?.unwrap_or(cp);
        }
        if index >= cp.size {
            return Err(CoreError::NotFound { what: format!("日志条目 {index}"), code: "log_entry_not_found" });
        }
        let size = cp.size;
        let hashes = self
            .with_nodes(|src| xinyong_tlog::inclusion_proof(index, size, src).map_err(|e| format!("{e:?}")))
            .await?;
        Ok(TlogProof { extra: None, index, hashes, checkpoint: cp.note })
    }

    /// The RFC 9162 inclusion path of `index` in the tree of the first
    /// `size` entries (a report proves all its records to one checkpoint).
    pub async fn inclusion_proof_at(&self, index: u64, size: u64) -> Result<Vec<Hash>> {
        if index >= size || size > self.store.log_size().await? {
            return Err(CoreError::NotFound { what: format!("日志条目 {index}"), code: "log_entry_not_found" });
        }
        self.with_nodes(|src| xinyong_tlog::inclusion_proof(index, size, src).map_err(|e| format!("{e:?}"))).await
    }

    /// The RFC 9162 consistency proof between two tree sizes.
    pub async fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>> {
        let size = self.store.log_size().await?;
        if old > new || new > size {
            return Err(CoreError::invalid(
                "log_bad_range",
                format!("一致性证明要求 0 ≤ old ≤ new ≤ 日志大小（{size}），收到 old={old}、new={new}"),
            ));
        }
        self.with_nodes(|src| xinyong_tlog::consistency_proof(old, new, src).map_err(|e| format!("{e:?}"))).await
    }

    /// Root hash of the first `size` entries, from stored nodes.
    pub async fn tree_hash(&self, size: u64) -> Result<Hash> {
        self.with_nodes(|src| xinyong_tlog::tree_hash(size, src).map_err(|e| format!("{e:?}"))).await
    }

    /// Runs a tree computation over stored nodes. The proof algorithms visit
    /// the same nodes whatever their hashes are, so a first dry run with dummy
    /// hashes collects the coordinates, they are fetched in one round, and the
    /// second run computes the real answer.
    async fn with_nodes<T>(&self, run: impl Fn(&mut Nodes<'_>) -> std::result::Result<T, String>) -> Result<T> {
        let mut recorder = Recorder::default();
        run(&mut Nodes(&mut recorder)).map_err(CoreError::Log)?;
        let mut coords = recorder.0;
        coords.sort_unstable();
        coords.dedup();
        let hashes = self.store.tree_nodes(&coords).await?;
        let mut lookup = Lookup(coords.into_iter().zip(hashes).collect());
        run(&mut Nodes(&mut lookup)).map_err(CoreError::Log)
    }
}

/// What turns the events of one append into entries: the index of its first
/// event, its time, the salts' key and the entry format.
struct EntryMaker {
    first: u64,
    time: DateTime<Utc>,
    keys: Arc<LogKeys>,
    v1_only: bool,
}

impl EntryMaker {
    /// The `offset`-th event of the append, ready for the store.
    fn make(&self, offset: usize, new: NewEvent) -> std::result::Result<PreparedEvent, String> {
        let seq = self.first + offset as u64;
        let event = Event {
            seq,
            time: self.time,
            actor: new.actor,
            rules: new.rules,
            body: new.body,
            salt: self.keys.salt(seq),
        };
        prepare(event, self.v1_only)
    }
}

/// An append's events as the store takes them. A batch's entries (body
/// JSON, field digests, leaf hash, projection rows) are independent of each
/// other, so a large batch spreads them over the cores; one event stays on
/// this thread. A batch of two chunks or more is prepared a chunk at a time
/// (on the rayon pool) while the store inserts the events of the chunks
/// before: preparing a record's entry and inserting it took about as long
/// as each other, one after the other. At most [`READY_CHUNKS`] wait ready.
fn prepare_all(events: Vec<NewEvent>, maker: EntryMaker) -> std::result::Result<PreparedEvents, String> {
    use rayon::prelude::*;
    if events.len() < PARALLEL_PREPARE_MIN {
        return events
            .into_iter()
            .enumerate()
            .map(|(i, new)| maker.make(i, new))
            .collect::<PreparedChunk>()
            .map(Into::into);
    }
    if events.len() < 2 * PREPARE_CHUNK {
        return events
            .into_par_iter()
            .enumerate()
            .map(|(i, new)| maker.make(i, new))
            .collect::<PreparedChunk>()
            .map(Into::into);
    }
    let (sender, receiver) = tokio::sync::mpsc::channel(READY_CHUNKS);
    let total = events.len() as u64;
    // A thread of its own rather than a rayon task: it waits whenever the
    // store is behind, and must not hold one of the pool's threads then. If
    // it dies, the store sees fewer events than `total` and refuses the append.
    std::thread::Builder::new()
        .name("xinyong-prepare".to_owned())
        .spawn(move || {
            let mut events = events.into_iter();
            let mut offset = 0;
            loop {
                let chunk: Vec<NewEvent> = events.by_ref().take(PREPARE_CHUNK).collect();
                if chunk.is_empty() {
                    return;
                }
                let base = offset;
                offset += chunk.len();
                let prepared: PreparedChunk =
                    chunk.into_par_iter().enumerate().map(|(i, new)| maker.make(base + i, new)).collect();
                let failed = prepared.is_err();
                // A closed channel means the append failed (or was dropped):
                // nothing more to prepare.
                if sender.blocking_send(prepared).is_err() || failed {
                    return;
                }
            }
        })
        .map_err(|e| format!("cannot start preparing the events: {e}"))?;
    Ok(PreparedEvents::Chunks { total, receiver })
}

/// One event ready for the store: canonical body, entry, leaf hash and the
/// projection writes. An event whose body or rows cannot be encoded is refused
/// with the reason, so nothing half-written (or empty) is ever committed.
fn prepare(event: Event, v1_only: bool) -> std::result::Result<PreparedEvent, String> {
    let seq = event.seq;
    let kind = event.body.kind_name();
    let body_json = event.body.canonical_json().map_err(|e| format!("event {seq} ({kind}): body: {e}"))?;
    let version = if v1_only { EntryVersion::V1 } else { event.body.entry_version() };
    let entry =
        event.entry_as(version, &body_json).map_err(|e| format!("event {seq} ({kind}): entry: {e}"))?.to_bytes();
    let leaf = xinyong_tlog::leaf_hash(&entry);
    let writes = event.projection_writes().map_err(|e| format!("event {seq} ({kind}): {e}"))?;
    let rules_json = serde_json::to_string(&event.rules).map_err(|e| format!("event {seq} ({kind}): rules: {e}"))?;
    let body_json = String::from_utf8(body_json).map_err(|e| format!("event {seq} ({kind}): body: {e}"))?;
    Ok(PreparedEvent { event, body_json, rules_json, entry, leaf, writes })
}

/// Object-safe face of [`NodeSource`] so `with_nodes` can take a plain closure.
trait NodeSourceDyn {
    fn node_dyn(&mut self, level: u8, index: u64) -> std::result::Result<Hash, String>;
}

/// The node source handed to `with_nodes` closures.
struct Nodes<'a>(&'a mut dyn NodeSourceDyn);

impl NodeSource for Nodes<'_> {
    type Error = String;
    fn node(&mut self, level: u8, index: u64) -> std::result::Result<Hash, String> {
        self.0.node_dyn(level, index)
    }
}

#[derive(Default)]
struct Recorder(Vec<(u8, u64)>);

impl NodeSourceDyn for Recorder {
    fn node_dyn(&mut self, level: u8, index: u64) -> std::result::Result<Hash, String> {
        self.0.push((level, index));
        Ok([0; 32])
    }
}

struct Lookup(HashMap<(u8, u64), Hash>);

impl NodeSourceDyn for Lookup {
    fn node_dyn(&mut self, level: u8, index: u64) -> std::result::Result<Hash, String> {
        self.0.get(&(level, index)).copied().ok_or_else(|| format!("tree node ({level}, {index}) missing"))
    }
}
