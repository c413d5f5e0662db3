//! Receipts of credit checks: what the caller gets back with every answer,
//! and how the log comes to prove it.
//!
//! A [`Receipt`] is canonical JSON (fields in the order declared here, no
//! whitespace); its id is the answer time (12 hex digits of ms) followed by
//! the hex SHA-256 of that JSON. The log does not
//! hold receipts one event each: the [`ReceiptWriter`] collects them for up
//! to 100 ms (or 5,000 of them) and appends ONE `checks_recorded` event per
//! batch, whose [`ReceiptLine`]s carry the ids and no personal data. So the
//! batch's body and salt can be handed to anyone: [`receipt_proof`] returns
//! them with the entry and an inclusion proof to a signed checkpoint, and a
//! verifier checks `id = time ‖ sha256(receipt)`, `id ∈ body`, `sha256(salt ‖ body)` =
//! the entry's body commitment, and the entry's leaf up to the signed root.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use xinyong_domain::checks::ChecksEvent;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::{Mutex, mpsc, oneshot};
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::checks::{ReceiptLine, ReceiptRow};
use xinyong_domain::event::{Actor, NewEvent, RuleVersions};
use xinyong_tlog::TlogProof;

use crate::checks::index::{CheckAnswer, CheckQuery};
use crate::error::{CoreError, Result};
use crate::log::Core;

/// The `format` of every receipt.
pub const RECEIPT_FORMAT: &str = "xinyong-receipt/v1";

/// Most receipts in one `checks_recorded` event.
pub const MAX_BATCH: usize = 5_000;

/// Longest a receipt waits for its batch to fill.
pub const BATCH_WAIT: Duration = Duration::from_millis(100);

/// Receipts queued before `submit` waits (back-pressure on the API).
pub const QUEUE: usize = 50_000;

/// Most receipts in one append (one transaction of up to ten batches).
///
/// Under load, receipts queue while the previous transaction commits; the
/// writer then takes all of them (up to this many) into one transaction of
/// several `checks_recorded` events. Each event still holds at most
/// [`MAX_BATCH`] receipts; what grows is the commit. `check_receipts` is keyed
/// by a hash, so every insert lands on a random B-tree page: a commit of
/// 5,000 receipts dirtied about one page per receipt, one of 50,000 shares
/// pages between receipts and writes several times fewer bytes per receipt.
pub const MAX_APPEND: usize = 10 * MAX_BATCH;

/// Measure codes a check named, by kind (fields in key order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReceiptMeasures {
    pub incentives: Vec<String>,
    pub may: Vec<String>,
    pub must: Vec<String>,
}

/// What the caller keeps of a check.
///
/// Canonical JSON = serde_json's compact output of this struct. The fields
/// are declared in lexicographic key order (and `rules` is a sorted map), so
/// the canonical form is also "keys sorted, no whitespace": a verifier can
/// parse the receipt with any JSON library, drop `id`, and re-serialize with
/// sorted keys to recompute the digest.
///
/// The receipt id is `<12 hex digits of the answer time in ms since the
/// epoch><64 hex digits of SHA-256(canonical JSON)>`. The time prefix makes
/// ids sort by time, so the receipts table and its index grow at the end
/// instead of dirtying a random page per receipt; the digest is what a
/// verifier recomputes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// Ban ids in force that the answer rests on.
    pub bans: Vec<String>,
    pub case_ref: Option<String>,
    pub decision: String,
    /// The calling department.
    pub department: String,
    /// Always [`RECEIPT_FORMAT`].
    pub format: String,
    /// Hex SHA-256 of the canonical input `{"subject","scenario","item"}`.
    pub input_sha256: String,
    /// Approval item, for scenario `approval`.
    pub item: Option<String>,
    /// Listing ids in force that the answer rests on.
    pub listings: Vec<String>,
    pub measures: ReceiptMeasures,
    /// Who asked, as the caller names them (an officer's id in its system).
    pub requester: String,
    /// `lists` and `measures` versions that answered.
    pub rules: RuleVersions,
    pub scenario: String,
    /// The USCC, the masked ID number, or `null` when not found.
    pub subject: Option<String>,
    /// When the check was answered, RFC 3339 with milliseconds, UTC.
    pub time: String,
    /// The same instant in ms (not serialised: `time` is the canonical form).
    #[serde(skip)]
    time_ms: i64,
}

#[derive(Serialize)]
struct CanonicalInput<'a> {
    subject: &'a str,
    scenario: &'a str,
    item: Option<&'a str>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Length of a receipt id: 12 hex digits of time + 64 of SHA-256.
pub const RECEIPT_ID_LEN: usize = 76;

/// `time_ms` as 12 lower-case hex digits (enough until the year 10889),
/// followed by the hex digest.
pub fn receipt_id(time_ms: i64, digest_hex: &str) -> String {
    format!("{:012x}{digest_hex}", time_ms.max(0))
}

/// Hex SHA-256 of `{"subject":…,"scenario":…,"item":…}` (serde_json, no
/// whitespace), the values trimmed as the check read them.
pub fn input_sha256(query: &CheckQuery) -> Result<String> {
    let input = CanonicalInput {
        subject: query.subject.trim(),
        scenario: query.scenario.trim(),
        item: query.item.as_deref().map(str::trim).filter(|i| !i.is_empty()),
    };
    Ok(sha256_hex(&serde_json::to_vec(&input).map_err(encoding)?))
}

/// A receipt that cannot be encoded is an error, never an empty string that
/// would give every such receipt the same id.
fn encoding(e: serde_json::Error) -> CoreError {
    CoreError::Internal(format!("回执无法编码：{e}"))
}

/// Who asked, for a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requester {
    pub department: DepartmentCode,
    pub requester: String,
    pub case_ref: Option<String>,
}

impl Receipt {
    /// The receipt of `answer` to `query`, answered at `time` under `rules`.
    pub fn new(
        who: &Requester,
        query: &CheckQuery,
        answer: &CheckAnswer,
        rules: RuleVersions,
        time: DateTime<Utc>,
    ) -> Result<Receipt> {
        let codes = |ms: &[crate::checks::index::MeasureView]| ms.iter().map(|m| m.code.clone()).collect();
        Ok(Receipt {
            format: RECEIPT_FORMAT.to_owned(),
            time: time.to_rfc3339_opts(SecondsFormat::Millis, true),
            time_ms: time.timestamp_millis(),
            department: who.department.as_str().to_owned(),
            requester: who.requester.clone(),
            case_ref: who.case_ref.clone(),
            scenario: query.scenario.trim().to_owned(),
            item: query.item.as_deref().map(str::trim).filter(|i| !i.is_empty()).map(str::to_owned),
            input_sha256: input_sha256(query)?,
            rules,
            subject: answer.subject.uscc.clone().or_else(|| answer.subject.id_number_masked.clone()),
            decision: answer.decision.as_str().to_owned(),
            measures: ReceiptMeasures {
                must: codes(&answer.measures.must),
                may: codes(&answer.measures.may),
                incentives: codes(&answer.incentives),
            },
            listings: answer.memberships.iter().map(|m| m.listing_id.clone()).collect(),
            bans: answer.bans.iter().map(|b| b.ban_id.clone()).collect(),
        })
    }

    /// The canonical JSON the id is computed over.
    pub fn canonical_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(encoding)
    }

    /// The receipt id: the answer time (12 hex digits of ms) followed by the
    /// hex SHA-256 of [`Receipt::canonical_json`].
    pub fn id(&self) -> Result<String> {
        Ok(receipt_id(self.time_ms, &sha256_hex(self.canonical_json()?.as_bytes())))
    }

    /// What the log keeps of it: no requester, no ID number.
    pub fn line(&self, id: String, natural_person: bool) -> Result<ReceiptLine> {
        let time_ms = self.time_ms;
        Ok(ReceiptLine {
            id,
            department: DepartmentCode::parse(&self.department)
                .map_err(|e| CoreError::Internal(format!("回执部门无效：{e}")))?,
            case_ref: self.case_ref.clone(),
            scenario: self.scenario.clone(),
            subject: if natural_person { None } else { self.subject.clone() },
            decision: self.decision.clone(),
            time_ms,
        })
    }
}

enum Msg {
    Line(ReceiptLine),
    Flush(oneshot::Sender<()>),
    Stop(oneshot::Sender<()>),
}

/// Appends receipts to the log in batches from a background task.
///
/// The task starts with the first `submit` or `flush` (so the writer can be
/// built outside a runtime); `shutdown` drains the queue and stops it.
#[derive(Debug)]
pub struct ReceiptWriter {
    tx: mpsc::Sender<Msg>,
    start: Mutex<Option<(Core, mpsc::Receiver<Msg>)>>,
    /// Set once the task is spawned: every check submits a receipt, and
    /// after the first one `ensure_started` must not take the lock.
    started: AtomicBool,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Submitted and not yet written (or dropped after failures).
    backlog: Arc<AtomicU64>,
    written: Arc<AtomicU64>,
}

impl ReceiptWriter {
    pub fn new(core: Core) -> ReceiptWriter {
        let (tx, rx) = mpsc::channel(QUEUE);
        ReceiptWriter {
            tx,
            start: Mutex::new(Some((core, rx))),
            started: AtomicBool::new(false),
            task: Mutex::new(None),
            backlog: Arc::default(),
            written: Arc::default(),
        }
    }

    async fn ensure_started(&self) {
        if self.started.load(Ordering::Acquire) {
            return;
        }
        let mut start = self.start.lock().await;
        if let Some((core, rx)) = start.take() {
            let backlog = Arc::clone(&self.backlog);
            let written = Arc::clone(&self.written);
            *self.task.lock().await = Some(tokio::spawn(run(core, rx, backlog, written)));
            self.started.store(true, Ordering::Release);
        }
    }

    /// Queues a receipt line; waits while the queue is full.
    pub async fn submit(&self, line: ReceiptLine) -> Result<()> {
        self.ensure_started().await;
        self.backlog.fetch_add(1, Ordering::Relaxed);
        if self.tx.send(Msg::Line(line)).await.is_err() {
            self.backlog.fetch_sub(1, Ordering::Relaxed);
            return Err(CoreError::Internal("查询回执写入已停止".to_owned()));
        }
        Ok(())
    }

    /// Returns when everything submitted before the call is in the log.
    pub async fn flush(&self) -> Result<()> {
        self.ensure_started().await;
        let (ack, done) = oneshot::channel();
        if self.tx.send(Msg::Flush(ack)).await.is_err() {
            return Ok(()); // stopped: everything was drained then
        }
        done.await.map_err(|_| CoreError::Internal("查询回执写入任务已退出".to_owned()))
    }

    /// Drains the queue into the log and stops the task.
    pub async fn shutdown(&self) {
        if self.start.lock().await.is_some() {
            return; // never started: nothing was submitted
        }
        let (ack, done) = oneshot::channel();
        if self.tx.send(Msg::Stop(ack)).await.is_ok() {
            let _ = done.await;
        }
        if let Some(task) = self.task.lock().await.take() {
            let _ = task.await;
        }
    }

    /// Receipts submitted and not yet in the log.
    pub fn backlog(&self) -> u64 {
        self.backlog.load(Ordering::Relaxed)
    }

    /// Receipts written to the log by this writer.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }
}

async fn run(core: Core, mut rx: mpsc::Receiver<Msg>, backlog: Arc<AtomicU64>, written: Arc<AtomicU64>) {
    let mut buf: Vec<ReceiptLine> = Vec::new();
    let mut acks: Vec<oneshot::Sender<()>> = Vec::new();
    let mut open = true;
    while open {
        let Some(first) = rx.recv().await else { break };
        let mut stop = None;
        take(first, &mut buf, &mut acks, &mut stop);
        let deadline = tokio::time::Instant::now() + BATCH_WAIT;
        // Fill the batch until it is full, its time is up, or someone waits.
        while buf.len() < MAX_BATCH && acks.is_empty() && stop.is_none() {
            tokio::select! {
                m = rx.recv() => match m {
                    Some(m) => take(m, &mut buf, &mut acks, &mut stop),
                    None => { open = false; break }
                },
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        // Whatever queued while the previous transaction committed joins
        // this one (group commit), up to MAX_APPEND.
        while buf.len() < MAX_APPEND && stop.is_none() {
            match rx.try_recv() {
                Ok(m) => take(m, &mut buf, &mut acks, &mut stop),
                Err(_) => break,
            }
        }
        // A stop drains whatever is still queued behind it.
        if stop.is_some() {
            rx.close();
            while let Ok(m) = rx.try_recv() {
                take(m, &mut buf, &mut acks, &mut stop);
            }
        }
        write(&core, &mut buf, &backlog, &written).await;
        for a in acks.drain(..) {
            let _ = a.send(());
        }
        if let Some(a) = stop {
            let _ = a.send(());
            break;
        }
    }
    write(&core, &mut buf, &backlog, &written).await;
}

fn take(
    m: Msg,
    buf: &mut Vec<ReceiptLine>,
    acks: &mut Vec<oneshot::Sender<()>>,
    stop: &mut Option<oneshot::Sender<()>>,
) {
    match m {
        Msg::Line(l) => buf.push(l),
        Msg::Flush(a) => acks.push(a),
        Msg::Stop(a) => *stop = Some(a),
    }
}

/// Longest pause between attempts while the database refuses the receipts.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(30);

/// Writes the buffered receipts. A receipt handed to a caller is never
/// dropped because the database is unavailable: the writer retries with
/// backoff until the append succeeds, and meanwhile the full queue makes the
/// API wait (back-pressure). Only a batch the core refuses as invalid —
/// a programming error, not an outage — is logged loudly and dropped.
async fn write(core: &Core, buf: &mut Vec<ReceiptLine>, backlog: &AtomicU64, written: &AtomicU64) {
    if buf.is_empty() {
        return;
    }
    let n = buf.len() as u64;
    let rules = core.rules().sanction_versions();
    let lines = std::mem::take(buf);
    let mut pause = Duration::from_millis(200);
    let mut attempt = 1u32;
    loop {
        match core.append(batch_events(lines.clone(), &rules)).await {
            Ok(_) => {
                written.fetch_add(n, Ordering::Relaxed);
                metrics::counter!("xinyong_check_receipts_written").increment(n);
                break;
            }
            Err(e @ (CoreError::Storage(_) | CoreError::Log(_))) => {
                tracing::warn!(error = %e, attempt, receipts = n, "writing check receipts failed; retrying");
                metrics::counter!("xinyong_check_receipt_write_retries").increment(1);
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_RETRY_PAUSE);
                attempt += 1;
            }
            Err(e) => {
                tracing::error!(error = %e, receipts = n, "check receipts were refused by the core and dropped");
                metrics::counter!("xinyong_check_receipts_dropped").increment(n);
                break;
            }
        }
    }
    backlog.fetch_sub(n, Ordering::Relaxed);
}

/// One `checks_recorded` event per [`MAX_BATCH`] lines, in submission order
/// (the last one may be shorter).
fn batch_events(mut lines: Vec<ReceiptLine>, rules: &RuleVersions) -> Vec<NewEvent> {
    let mut events = Vec::with_capacity(lines.len().div_ceil(MAX_BATCH));
    // Split from the end so that no line moves more than once.
    while !lines.is_empty() {
        let start = (lines.len() - 1) / MAX_BATCH * MAX_BATCH;
        let receipts = lines.split_off(start);
        events.push(NewEvent {
            actor: Actor::system(),
            rules: rules.clone(),
            body: ChecksEvent::ChecksRecorded { receipts }.into(),
        });
    }
    events.reverse();
    events
}

/// Everything an outside verifier needs to prove a receipt is in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptProof {
    pub line: ReceiptLine,
    /// Log index of the `checks_recorded` event holding the receipt.
    pub index: u64,
    /// The event's stored body JSON (the bytes the commitment covers).
    pub body: String,
    pub salt: Vec<u8>,
    /// The canonical entry bytes at `index`.
    pub entry: Vec<u8>,
    /// Inclusion proof of the entry to a signed checkpoint.
    pub proof: TlogProof,
}

/// The proof of receipt `receipt_id`; `None` when no batch in the log holds
/// it (unknown, or still queued: flush first).
pub async fn receipt_proof(core: &Core, receipt_id: &str) -> Result<Option<ReceiptProof>> {
    if receipt_id.len() != RECEIPT_ID_LEN
        || !receipt_id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(CoreError::invalid(
            "receipt_id_invalid",
            "回执编号应为 76 位小写十六进制字符(12 位核查时间 + 64 位 SHA-256 摘要)",
        ));
    }
    // The receipt's row names its batch; once the retention rule has pruned
    // the row, `receipt_batches` names the batches whose id range covers it.
    let row = core.store().get(ReceiptRow::key(receipt_id)).await?;
    let candidates = match &row {
        Some(row) => vec![row.seq],
        None => xinyong_storage::checks::batches_holding(core.store(), receipt_id).await?,
    };
    for &seq in &candidates {
        if let Some(proof) = proof_in_batch(core, seq, receipt_id).await? {
            return Ok(Some(proof));
        }
    }
    // A row naming a batch that does not hold the receipt is a broken
    // projection (`xinyong verify` names it), not an unknown receipt.
    match row {
        Some(row) => Err(CoreError::Internal(format!("日志条目 {} 不含回执 {receipt_id}", row.seq))),
        None => Ok(None),
    }
}

/// The proof of `receipt_id` from the `checks_recorded` batch at `seq`;
/// `None` when that batch does not hold it.
async fn proof_in_batch(core: &Core, seq: u64, receipt_id: &str) -> Result<Option<ReceiptProof>> {
    let event = core
        .store()
        .events_from(seq, 1)
        .await?
        .into_iter()
        .next()
        .filter(|e| u64::try_from(e.seq).ok() == Some(seq))
        .ok_or_else(|| CoreError::Internal(format!("日志条目 {seq} 缺失")))?;
    let entry = event.entry()?.into_owned();
    let (Some(body), Some(salt)) = (event.body, event.salt) else {
        return Err(CoreError::NotFound {
            what: format!("回执 {receipt_id} 所在批次的正文"),
            code: "receipt_body_erased",
        });
    };
    let line = match serde_json::from_str::<ChecksEvent>(&body) {
        Ok(ChecksEvent::ChecksRecorded { receipts }) => receipts.into_iter().find(|r| r.id == receipt_id),
        Ok(ChecksEvent::CasesReported { .. } | ChecksEvent::ReceiptsPruned { .. }) | Err(_) => None,
    };
    let Some(line) = line else { return Ok(None) };
    let proof = core.inclusion_proof(seq).await?;
    Ok(Some(ReceiptProof { line, index: seq, body, salt, entry, proof }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use xinyong_domain::event::EventBody;

    fn line(i: usize) -> ReceiptLine {
        ReceiptLine {
            id: format!("{i:064x}"),
            department: DepartmentCode::parse("ggzyjy").unwrap_or_else(|e| panic!("{e}")),
            case_ref: None,
            scenario: "bidding".to_owned(),
            subject: None,
            decision: "clear".to_owned(),
            time_ms: 0,
        }
    }

    /// A group commit keeps submission order and at most MAX_BATCH receipts per event.
    #[test]
    fn batches_split_in_order() {
        let n = 2 * MAX_BATCH + 7;
        let events = batch_events((0..n).map(line).collect(), &RuleVersions::new());
        let sizes: Vec<usize> = events
            .iter()
            .map(|e| match &e.body {
                EventBody::Checks(ChecksEvent::ChecksRecorded { receipts }) => receipts.len(),
                _ => 0,
            })
            .collect();
        assert_eq!(sizes, vec![MAX_BATCH, MAX_BATCH, 7]);
        let ids: Vec<String> = events
            .into_iter()
            .flat_map(|e| match e.body {
                EventBody::Checks(ChecksEvent::ChecksRecorded { receipts }) => receipts,
                _ => Vec::new(),
            })
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, (0..n).map(|i| format!("{i:064x}")).collect::<Vec<_>>());
        assert!(batch_events(Vec::new(), &RuleVersions::new()).is_empty());
    }
}
