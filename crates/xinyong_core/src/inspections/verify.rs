//! `xinyong lottery verify`: a task's draw recomputed from the log — the
//! commitment, the checkpoint, the beacon — and compared with the result
//! recorded in the log or with a published copy (`docs/LOTTERY.md` §9).

use serde::{Deserialize, Serialize};
use xinyong_domain::event::EventBody;
use xinyong_domain::inspections::{CommittedStratum, InspectionsEvent, TaskPlan};
use xinyong_domain::lottery::{self, Assignment, Hash256, InspectorId, Outcome, PublishedDraw};

use super::draw::{committed_events, first_checkpoint_after, pool_of, roster_of, seed_due, seed_source, task};
use crate::error::{CoreError, Result};
use crate::log::Core;

/// Everything the portal publishes about one draw: enough to recompute it
/// with the log's commitment and checkpoint (`GET /api/v1/public/inspections/{id}/draw`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicDrawRecord {
    pub task_id: String,
    /// The log index of the `lottery_committed` entry.
    pub commit_index: u64,
    /// The log index of the `lottery_drawn` entry.
    pub draw_index: u64,
    pub committed_at: String,
    pub seed_delay_minutes: u32,
    pub checkpoint_signed_at: String,
    /// The plan's canonical text; its SHA-256 is the plan digest.
    pub plan_text: String,
    pub draw: PublishedDraw,
    /// The committed pool: strata with their quotas and members.
    pub pool: Vec<PublicStratum>,
}

/// A stratum of the committed pool as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicStratum {
    pub name: String,
    pub ratio_bp: u32,
    pub min: u32,
    pub max: u32,
    pub members: Vec<String>,
}

/// What `lottery verify` found: each check with its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrawCheck {
    pub task_id: String,
    pub checks: Vec<(String, Result<(), String>)>,
}

impl DrawCheck {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|(_, r)| r.is_ok())
    }

    fn check(&mut self, what: &str, outcome: std::result::Result<(), String>) {
        self.checks.push((what.to_owned(), outcome));
    }
}

fn log_error(what: &str) -> CoreError {
    CoreError::Log(what.to_owned())
}

/// The task's `lottery_drawn` body and its log index.
async fn drawn_event(core: &Core, draw_seq: u64) -> Result<InspectionsEvent> {
    let e = core.store().events_from(draw_seq, 1).await?.into_iter().next().ok_or_else(|| log_error("抽取记录缺失"))?;
    match e.body.as_deref().map(serde_json::from_str::<EventBody>) {
        Some(Ok(EventBody::Inspections(ev @ InspectionsEvent::LotteryDrawn { .. }))) => Ok(ev),
        _ => Err(log_error("抽取记录无法读取")),
    }
}

/// The published record of a drawn task, built from the log.
pub async fn public_record(core: &Core, task_id: &str) -> Result<PublicDrawRecord> {
    let row = task(core, task_id).await?;
    let (Some(commit_seq), Some(draw_seq)) = (row.commit_seq, row.draw_seq) else {
        return Err(CoreError::NotFound {
            what: format!("抽查任务 {task_id} 的抽取结果"),
            code: "inspection_not_drawn",
        });
    };
    let (committed, _) = committed_events(core, &row).await?;
    let drawn = drawn_event(core, draw_seq).await?;
    let (
        InspectionsEvent::LotteryCommitted { plan_text, pool, pool_digest, .. },
        InspectionsEvent::LotteryDrawn {
            checkpoint_size, checkpoint_root, checkpoint_signed_at_ms, seed, strata, ..
        },
    ) = (&committed, &drawn)
    else {
        return Err(log_error("抽签记录无法读取"));
    };
    let hash = |h: &str| Hash256::parse_hex(h).map_err(|e| CoreError::Log(e.to_string()));
    let source = seed_source(&row, &committed, *checkpoint_size, hash(checkpoint_root)?)?;
    let time = |ms: i64| xinyong_domain::log::time_from_millis(ms).map(|t| t.to_rfc3339()).unwrap_or_default();
    Ok(PublicDrawRecord {
        task_id: row.task_id.clone(),
        commit_index: commit_seq,
        draw_index: draw_seq,
        committed_at: time(row.committed_at_ms.unwrap_or_default()),
        seed_delay_minutes: row.plan.0.seed_delay_minutes,
        checkpoint_signed_at: time(*checkpoint_signed_at_ms),
        plan_text: plan_text.clone(),
        draw: PublishedDraw { source, pool_digest: hash(pool_digest)?, seed: hash(seed)?, strata: strata.clone() },
        pool: pool
            .iter()
            .map(|s| PublicStratum {
                name: s.name.as_str().to_owned(),
                ratio_bp: s.ratio_bp,
                min: s.min,
                max: s.max,
                members: s.members.iter().map(|m| m.as_str().to_owned()).collect(),
            })
            .collect(),
    })
}

fn pool_from_public(strata: &[PublicStratum]) -> std::result::Result<Vec<CommittedStratum>, String> {
    strata
        .iter()
        .map(|s| {
            let members = s
                .members
                .iter()
                .map(|m| xinyong_domain::Uscc::parse(m).map_err(|e| format!("名录中的代码“{m}”无效：{e}")))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let name = lottery::StratumName::parse(&s.name).map_err(|e| e.to_string())?;
            Ok(CommittedStratum {
                name,
                ratio_bp: s.ratio_bp,
                min: s.min,
                max: s.max,
                item_sets: vec![0; members.len()],
                members,
            })
        })
        .collect()
}

/// Recomputes a task's draw from the log and compares it with the result
/// recorded in the log, or with `published` (a copy from the portal).
/// `with_roster` also recomputes the inspectors (the operator's or an
/// auditor's check: the roster is not public).
pub async fn verify_draw(
    core: &Core,
    task_id: &str,
    published: Option<PublicDrawRecord>,
    with_roster: bool,
) -> Result<DrawCheck> {
    let row = task(core, task_id).await?;
    let mut out = DrawCheck { task_id: task_id.to_owned(), checks: Vec::new() };
    let (committed, sealed) = committed_events(core, &row).await?;
    let InspectionsEvent::LotteryCommitted { plan_text, plan_digest, pool_digest, pool, .. } = &committed else {
        return Err(log_error("抽签承诺无法读取"));
    };
    let record = match published {
        Some(p) => p,
        None => public_record(core, task_id).await?,
    };
    // 1. The commitment: the plan text and the pool hash to the committed digests.
    let plan_ok = TaskPlan::digest_of(plan_text).to_string() == *plan_digest && record.plan_text == *plan_text;
    out.check("计划文本与日志中承诺的计划摘要一致", plan_ok.then_some(()).ok_or_else(|| "计划摘要不符".to_owned()));
    let committed_pool = pool_of(pool)?;
    let pool_ok = committed_pool.digest().to_string() == *pool_digest;
    out.check(
        "日志中的检查对象名录与承诺的名录摘要一致",
        pool_ok.then_some(()).ok_or_else(|| "名录摘要不符".to_owned()),
    );
    let published_pool = pool_from_public(&record.pool).and_then(|s| pool_of(&s).map_err(|e| e.to_string()));
    let same_pool = match &published_pool {
        Ok(p) if p.digest() == committed_pool.digest() => Ok(()),
        Ok(p) => Err(format!("公布的名录摘要 {} 不是日志中承诺的 {}", p.digest(), committed_pool.digest())),
        Err(e) => Err(e.clone()),
    };
    out.check("公布的检查对象名录就是承诺的名录", same_pool);
    // 2. The checkpoint: signed by the log's key, over the log as it is,
    //    the first signed at least the delay after the commitment.
    let cp_size = record.draw.source.checkpoint.tree_size;
    out.check("检查点是承诺后等待期满签署的第一个检查点，签名和树根有效", checkpoint_check(core, &row, cp_size).await);
    // 3. The seed from the log's values, then the targets.
    let cp = core.store().checkpoint(cp_size).await?.ok_or_else(|| log_error("检查点缺失"))?;
    let source = seed_source(&row, &committed, cp.size, Hash256::from_bytes(cp.root))?;
    let draw_ok = lottery::verify(&committed_pool, &source, &record.draw).map_err(|d| d.to_string());
    out.check("随机种子和各层抽取结果可由公开数据重新算出", draw_ok);
    if with_roster {
        let recorded = recorded_assignments(core, &row).await?;
        let roster = roster_of(&sealed)?;
        let ok = lottery::verify_assignments(&committed_pool, &source, &roster, &recorded).map_err(|d| d.to_string());
        out.check("执法检查人员的分配可由封存名录重新算出", ok);
    }
    Ok(out)
}

async fn checkpoint_check(
    core: &Core,
    row: &xinyong_domain::inspections::InspectionTaskRow,
    size: u64,
) -> std::result::Result<(), String> {
    let commit_seq = row.commit_seq.ok_or("任务未锁定名单")?;
    let due = seed_due(row).ok_or("承诺时间缺失")?;
    let cp =
        core.store().checkpoint(size).await.map_err(|e| e.to_string())?.ok_or(format!("没有长度为 {size} 的检查点"))?;
    let verifier = core.keys().verifier().map_err(|e| e.to_string())?;
    let opened = xinyong_tlog::open_checkpoint(&cp.note, &verifier).map_err(|e| format!("检查点签名无效：{e}"))?;
    if opened.size != size || opened.root != cp.root {
        return Err("检查点内容与记录不符".to_owned());
    }
    let root = core.tree_hash(size).await.map_err(|e| e.to_string())?;
    if root != cp.root {
        return Err("日志的树根与检查点不符".to_owned());
    }
    let first = first_checkpoint_after(core, commit_seq, due).await.map_err(|e| e.to_string())?;
    match first {
        Some(f) if f.size == size => Ok(()),
        Some(f) => Err(format!("应使用长度为 {} 的检查点（等待期满后签署的第一个），而不是 {size}", f.size)),
        None => Err("等待期满后尚无检查点".to_owned()),
    }
}

async fn recorded_assignments(
    core: &Core,
    row: &xinyong_domain::inspections::InspectionTaskRow,
) -> Result<Vec<Assignment>> {
    let draw_seq = row.draw_seq.ok_or_else(|| log_error("未抽取"))?;
    let e =
        core.store().events_from(draw_seq + 1, 1).await?.into_iter().next().ok_or_else(|| log_error("分配记录缺失"))?;
    let Some(Ok(EventBody::Inspections(InspectionsEvent::InspectorsAssigned { assignments, .. }))) =
        e.body.as_deref().map(serde_json::from_str::<EventBody>)
    else {
        return Err(log_error("分配记录无法读取"));
    };
    assignments
        .into_iter()
        .map(|a| {
            let outcome = match a.eligible {
                Some(eligible) => Outcome::TooFewEligible { eligible },
                None => Outcome::Inspectors(
                    a.inspectors
                        .iter()
                        .map(|i| InspectorId::parse(i))
                        .collect::<std::result::Result<_, _>>()
                        .map_err(|e| CoreError::Log(e.to_string()))?,
                ),
            };
            Ok(Assignment { subject: a.uscc, outcome })
        })
        .collect()
}
