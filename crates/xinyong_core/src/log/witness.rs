//! Witnessing between cities (异地互认, issue 12 item 5): this platform
//! cosigns peer cities' checkpoints as a C2SP `tlog-witness`, and submits its
//! own checkpoints to the witnesses it is configured with, keeping the
//! cosignatures they return (`docs/WITNESS.md`).
//!
//! The witness keeps, per peer log, the latest checkpoint it cosigned
//! (`peer_checkpoint_cosigned` events). It never cosigns a smaller tree, nor
//! one that is not consistent with that checkpoint, so two different views of
//! one log never both carry its cosignature.

use std::future::Future;
use std::pin::Pin;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::log::{LogEvent, WitnessedLogRow};
use xinyong_tlog::{AddCheckpoint, Checkpoint, CosignatureVerifier, NoteVerifier};

use crate::error::{CoreError, Result};
use crate::log::Core;

/// Which peer logs this platform witnesses: their checkpoint keys.
#[derive(Debug, Clone, Default)]
pub struct WitnessSettings {
    pub peers: Vec<NoteVerifier>,
}

/// Why `add-checkpoint` did not cosign: the HTTP status and body the
/// protocol prescribes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    /// `text/x.tlog.size` for a 409 on the old size, else `text/plain`.
    pub content_type: &'static str,
    pub body: String,
}

fn refuse(status: u16, body: impl Into<String>) -> Refusal {
    Refusal { status, content_type: "text/plain; charset=utf-8", body: body.into() }
}

impl Core {
    /// `POST /witness/add-checkpoint` (tlog-witness): checks the peer's
    /// signature and the consistency proof from the checkpoint cosigned
    /// before, records the new one, and returns this witness's cosignature
    /// line. Check and record happen under one lock, so no two requests can
    /// roll the recorded tree back.
    pub async fn add_checkpoint(&self, body: &str) -> std::result::Result<String, Refusal> {
        let request = AddCheckpoint::parse(body).ok_or_else(|| refuse(400, "malformed add-checkpoint body\n"))?;
        let origin = request.checkpoint.lines().next().unwrap_or_default().to_owned();
        let keys: Vec<NoteVerifier> =
            self.settings().witness.peers.iter().filter(|k| k.name() == origin).cloned().collect();
        if keys.is_empty() {
            return Err(refuse(404, "unknown log origin\n"));
        }
        let text = xinyong_tlog::open_note(&request.checkpoint, &keys)
            .map_err(|e| refuse(403, format!("checkpoint signature: {e}\n")))?;
        let checkpoint = Checkpoint::parse(&text).map_err(|e| refuse(400, format!("checkpoint: {e}\n")))?;
        if request.old > checkpoint.size {
            return Err(refuse(400, "old size is larger than the checkpoint\n"));
        }
        let _turn = self.witness_lock.lock().await;
        let state = self.store().get(WitnessedLogRow::key(&origin)).await.map_err(|e| refuse(500, e.to_string()))?;
        let (size, root) = match &state {
            Some(row) => (row.size, BASE64.decode(&row.root).ok().and_then(|r| r.try_into().ok())),
            None => (0, None),
        };
        if request.old != size {
            return Err(Refusal { status: 409, content_type: "text/x.tlog.size", body: format!("{size}\n") });
        }
        let consistent = match root {
            Some(old_root) if size == checkpoint.size => old_root == checkpoint.root,
            Some(old_root) => {
                xinyong_tlog::verify_consistency(size, checkpoint.size, &old_root, &checkpoint.root, &request.proof)
                    .is_ok()
            }
            None => request.proof.is_empty(),
        };
        if !consistent {
            let status = if size == checkpoint.size { 409 } else { 422 };
            tracing::warn!(%origin, old = size, new = checkpoint.size, "refused an inconsistent checkpoint");
            return Err(refuse(status, "checkpoint is not consistent with the one cosigned before\n"));
        }
        if state.is_none() || checkpoint.size > size {
            let root = BASE64.encode(checkpoint.root);
            let event = LogEvent::PeerCheckpointCosigned { origin, size: checkpoint.size, root };
            self.append(vec![NewEvent::new(Actor::system(), event)]).await.map_err(|e| refuse(500, e.to_string()))?;
        }
        let now = u64::try_from(self.now().timestamp()).unwrap_or_default();
        Ok(self.keys().witness().cosign(&text, now))
    }

    /// Submits this log's latest checkpoint to a witness and keeps the
    /// cosignature it returns (a `checkpoint_cosigned` event). Returns the
    /// size cosigned, or `None` when the witness already cosigned it.
    pub async fn submit_checkpoint(
        &self,
        witness: &CosignatureVerifier,
        client: &dyn WitnessClient,
    ) -> Result<Option<u64>> {
        // The checkpoint witnesses cosign covers the current status map, so
        // that a report proves its subject's status to a cosigned checkpoint.
        self.commit_status_map().await?;
        let checkpoint = self.checkpoint().await?;
        let latest = xinyong_storage::witness::latest_of_witness(self.store(), witness.name()).await?;
        let mut old = latest.map_or(0, |c| c.size);
        if old == checkpoint.size || self.only_cosignatures_since(old, checkpoint.size).await? {
            return Ok(None);
        }
        for _attempt in 0..2 {
            let proof = if old == 0 { Vec::new() } else { self.consistency_proof(old, checkpoint.size).await? };
            let request = AddCheckpoint { old, proof, checkpoint: checkpoint.note.clone() };
            let (status, body) = client.add_checkpoint(request.to_text()).await.map_err(CoreError::Log)?;
            match status {
                200 => return self.keep_cosignature(witness, &checkpoint, &body).await.map(Some),
                // The witness knows another size than we do: once more from it.
                409 if body.trim().parse::<u64>().is_ok_and(|s| s < checkpoint.size && s != old) => {
                    old = body.trim().parse().unwrap_or_default();
                }
                _ => {
                    return Err(CoreError::Log(format!(
                        "见证者 {} 拒绝了检查点（{status}）：{}",
                        witness.name(),
                        body.trim()
                    )));
                }
            }
        }
        Err(CoreError::Log(format!("见证者 {} 与本日志对不上已见证的大小", witness.name())))
    }

    /// Whether the entries `old..size` are all cosignatures kept: keeping a
    /// cosignature grows the log, which alone is no reason to ask again
    /// (two cities witnessing each other would never stop).
    async fn only_cosignatures_since(&self, old: u64, size: u64) -> Result<bool> {
        const LOOK: u64 = 16;
        if old == 0 || size - old > LOOK {
            return Ok(false);
        }
        let events = self.store().events_from(old, (size - old) as u32).await?;
        Ok(events.iter().all(|e| e.kind == "checkpoint_cosigned"))
    }

    async fn keep_cosignature(
        &self,
        witness: &CosignatureVerifier,
        checkpoint: &xinyong_storage::StoredCheckpoint,
        body: &str,
    ) -> Result<u64> {
        let text = xinyong_tlog::checkpoint_body(&checkpoint.note).unwrap_or_default();
        let line = body
            .lines()
            .find(|line| witness.verify_line(text, line).is_some())
            .ok_or_else(|| CoreError::Log(format!("见证者 {} 的回复中没有有效的联署签名", witness.name())))?;
        let event = LogEvent::CheckpointCosigned {
            size: checkpoint.size,
            witness: witness.name().to_owned(),
            cosignature: line.to_owned(),
        };
        self.append(vec![NewEvent::new(Actor::system(), event)]).await?;
        Ok(checkpoint.size)
    }

    /// The latest checkpoint any witness cosigned, with every cosignature
    /// kept for it (`GET /log/checkpoint/cosigned`).
    pub async fn latest_cosigned_checkpoint(&self) -> Result<Option<String>> {
        match xinyong_storage::witness::latest(self.store()).await? {
            Some(c) => self.cosigned_checkpoint(c.size).await,
            None => Ok(None),
        }
    }

    /// The checkpoint of `size` with every cosignature kept for it, as one
    /// note (cosignature lines after the log's signature).
    pub async fn cosigned_checkpoint(&self, size: u64) -> Result<Option<String>> {
        let Some(stored) = self.store().checkpoint(size).await? else { return Ok(None) };
        let mut note = stored.note;
        for c in xinyong_storage::witness::cosignatures_at(self.store(), size, 100).await? {
            note.push_str(&c.cosignature);
            note.push('\n');
        }
        Ok(Some(note))
    }
}

/// A witness's answer: the HTTP status and body, or why none came.
pub type WitnessAnswer<'a> = Pin<Box<dyn Future<Output = std::result::Result<(u16, String), String>> + Send + 'a>>;

/// How a checkpoint reaches a witness: over HTTP in `serve`, in-process in
/// tests. Returns the HTTP status and body.
pub trait WitnessClient: Send + Sync {
    fn add_checkpoint(&self, body: String) -> WitnessAnswer<'_>;
}

/// A witness reached over HTTP(S) at `<prefix>/add-checkpoint`.
#[derive(Debug, Clone)]
pub struct HttpWitness {
    pub url: String,
    pub client: std::sync::Arc<crate::closed_loop::webhooks::WebhookClient>,
}

impl WitnessClient for HttpWitness {
    fn add_checkpoint(&self, body: String) -> WitnessAnswer<'_> {
        Box::pin(self.client.post_text(&self.url, body))
    }
}

/// The job `witness_submission`: submits this log's latest checkpoint to
/// every configured witness and keeps their cosignatures. A witness that
/// fails is named in the run's summary and tried again next run.
#[derive(Debug, Clone)]
pub struct WitnessSubmission {
    pub interval: std::time::Duration,
    pub witnesses: Vec<(CosignatureVerifier, HttpWitness)>,
}

impl WitnessSubmission {
    pub const NAME: &'static str = "witness_submission";
}

impl crate::jobs::Job for WitnessSubmission {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn interval(&self) -> std::time::Duration {
        self.interval
    }

    fn runs_at_start(&self) -> bool {
        true
    }

    fn run<'a>(&'a self, core: &'a Core) -> crate::jobs::JobFuture<'a> {
        Box::pin(async move {
            let (mut done, mut notes) = (0, Vec::new());
            for (key, client) in &self.witnesses {
                match core.submit_checkpoint(key, client).await {
                    Ok(Some(size)) => {
                        done += 1;
                        notes.push(format!("{} 联署了 {size}", key.name()));
                    }
                    Ok(None) => notes.push(format!("{} 无需重新联署", key.name())),
                    Err(e) => {
                        tracing::warn!(witness = key.name(), error = %e, "witness submission failed");
                        notes.push(format!("{} 失败：{e}", key.name()));
                    }
                }
            }
            Ok(crate::jobs::JobReport { done, summary: notes.join("；") })
        })
    }
}
