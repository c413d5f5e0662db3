//! The verifiable draw around [`xinyong_domain::lottery`]: committing the
//! pool, plan and roster; waiting for the first checkpoint signed at least
//! the plan's delay after the commitment (and for a beacon when the plan
//! asks for one); drawing; and the job that draws every task whose seed
//! has come to exist.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use chrono::{DateTime, Months, Utc};
use xinyong_domain::Uscc;
use xinyong_domain::event::{EventBody, NewEvent};
use xinyong_domain::inspections::{
    CommittedStratum, InspectionItemRow, InspectionTaskRow, InspectionsEvent, StratumPlan, TargetInspectors, TaskPlan,
    TaskStatus, Visit,
};
use xinyong_domain::log::time_from_millis;
use xinyong_domain::lottery::{
    self, Beacon, CheckpointRoot, Conflict, DrawId, Hash256, InspectorId, LotteryError, Outcome, Pool, Quota, Roster,
    SeedSource, Stratum,
};
use xinyong_storage::StoredCheckpoint;

use super::plan::BOOSTED;
use super::{MAX_LISTED, not_found};
use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::clock::china_date;
use crate::error::{CoreError, Result};
use crate::jobs::{Job, JobFuture, JobReport};
use crate::log::Core;

fn lottery_error(e: LotteryError) -> CoreError {
    CoreError::invalid(e.code(), format!("抽签数据无效：{e}"))
}

pub(crate) async fn task(core: &Core, task_id: &str) -> Result<InspectionTaskRow> {
    core.store().get(InspectionTaskRow::key(task_id)).await?.ok_or_else(|| not_found(format!("抽查任务 {task_id}")))
}

/// What the commitment wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub commit_seq: u64,
    pub pool_size: u64,
    pub pool_digest: String,
}

/// Builds the pool from the subject directory of each item and the roster
/// from the departments' available inspectors, and commits both with the
/// plan: one `lottery_roster_sealed` and one `lottery_committed` entry.
/// `salt` is fresh randomness for the roster digest.
pub async fn commit(core: &Core, principal: &Principal, task_id: &str, salt: [u8; 32]) -> Result<Committed> {
    let row = task(core, task_id).await?;
    let lead = super::department(&row.lead_department)?;
    authorize(principal, Action::PlanInspections, &Resource::Department(lead))?;
    if row.status != TaskStatus::Planned {
        return Err(CoreError::invalid("inspection_already_committed", "该任务的抽查名单已锁定"));
    }
    let plan = row.plan.0;
    let strata = build_pool(core, &plan).await?;
    let pool = pool_of(&strata)?;
    if pool.strata().iter().all(|s| s.size() == 0) {
        return Err(CoreError::invalid("inspection_pool_empty", "按所选抽查事项的范围，检查对象名录为空，无法抽取"));
    }
    let roster = build_roster(core, &plan, salt).await?;
    let plan_text = plan.canonical_text();
    let roster_event = InspectionsEvent::LotteryRosterSealed {
        task_id: task_id.to_owned(),
        salt: hex::encode(salt),
        per_target: roster.per_target(),
        inspectors: roster.inspectors().iter().map(|i| i.as_str().to_owned()).collect(),
        conflicts: roster.conflicts().to_vec(),
    };
    let pool_digest = pool.digest().to_string();
    let commit_event = InspectionsEvent::LotteryCommitted {
        task_id: task_id.to_owned(),
        plan_digest: TaskPlan::digest_of(&plan_text).to_string(),
        plan_text,
        pool_digest: pool_digest.clone(),
        roster_digest: roster.digest().to_string(),
        pool: strata,
    };
    let actor = principal.actor();
    let out = core.append(vec![NewEvent::new(actor.clone(), roster_event), NewEvent::new(actor, commit_event)]).await?;
    let pool_size = pool.strata().iter().map(|s| u64::from(s.size())).sum();
    Ok(Committed { commit_seq: out.first_seq + 1, pool_size, pool_digest })
}

/// The committed strata as the lottery's pool.
pub(crate) fn pool_of(strata: &[CommittedStratum]) -> Result<Pool> {
    let mut out = Vec::with_capacity(strata.len());
    for s in strata {
        let quota = Quota::new(s.ratio_bp, s.min, s.max).map_err(lottery_error)?;
        out.push(Stratum::new(s.name.clone(), quota, s.members.clone()).map_err(lottery_error)?);
    }
    Pool::new(out).map_err(lottery_error)
}

/// The directory of every item (one scan each), merged per subject: its
/// stratum by grade (the boosted stratum for boosted and listed subjects)
/// and the set of items that apply to it.
async fn build_pool(core: &Core, plan: &TaskPlan) -> Result<Vec<CommittedStratum>> {
    let settings = &core.settings().inspections;
    let rules = core.rules();
    let model = rules.local_model().ok_or_else(|| CoreError::invalid("model_missing", "没有现行的本地评价模型"))?;
    let limit = u32::try_from(settings.max_pool).unwrap_or(u32::MAX).saturating_add(1);
    // uscc → (grade, item set)
    let mut subjects: BTreeMap<String, (String, u16)> = BTreeMap::new();
    for (i, item) in plan.items.iter().enumerate() {
        let row = core.store().get(InspectionItemRow::key(item.department.as_str(), item.code.as_str())).await?;
        let row = row.ok_or_else(|| not_found(format!("抽查事项 {}", item.key())))?;
        let found = xinyong_storage::inspections::directory(
            core.store(),
            model.name.as_str(),
            &row.sectors.0,
            &row.districts.0,
            limit,
        )
        .await?;
        for (uscc, grade) in found {
            subjects.entry(uscc).or_insert((grade, 0)).1 |= 1 << i;
        }
        if subjects.len() > settings.max_pool {
            return Err(CoreError::invalid(
                "inspection_pool_too_large",
                format!(
                    "检查对象名录超过 {} 户的上限（[inspections] max_pool），请缩小事项范围或分区县制定任务",
                    settings.max_pool
                ),
            ));
        }
    }
    let listed: BTreeSet<String> =
        xinyong_storage::inspections::listed_organisations(core.store(), limit).await?.into_iter().collect();
    let boosted: BTreeSet<&str> = plan.boosted.iter().map(Uscc::as_str).collect();
    let class_of_grade: HashMap<&str, &str> =
        model.supervision.iter().flat_map(|c| c.grades.iter().map(move |g| (g.as_str(), c.class.as_str()))).collect();
    // Ungraded subjects are supervised as the general class (B).
    let default_class = model
        .supervision
        .iter()
        .find(|c| c.class == "B")
        .or(model.supervision.first())
        .map(|c| c.class.as_str())
        .unwrap_or("");
    let mut members: BTreeMap<String, (Vec<Uscc>, Vec<u16>)> = BTreeMap::new();
    for (uscc, (grade, set)) in subjects {
        let key = if boosted.contains(uscc.as_str()) || listed.contains(&uscc) {
            BOOSTED.to_owned()
        } else {
            class_of_grade.get(grade.as_str()).copied().unwrap_or(default_class).to_owned()
        };
        let uscc = Uscc::parse(&uscc).map_err(|e| CoreError::Internal(format!("名录中的代码无效：{e}")))?;
        let entry = members.entry(key).or_default();
        entry.0.push(uscc);
        entry.1.push(set);
    }
    Ok(plan.strata.iter().map(|s| committed_stratum(s, &mut members)).collect())
}

fn committed_stratum(plan: &StratumPlan, members: &mut BTreeMap<String, (Vec<Uscc>, Vec<u16>)>) -> CommittedStratum {
    let key = plan.class.clone().unwrap_or_else(|| BOOSTED.to_owned());
    let (members, item_sets) = members.remove(&key).unwrap_or_default();
    CommittedStratum {
        name: plan.name.clone(),
        ratio_bp: plan.ratio_bp,
        min: plan.min,
        max: plan.max,
        members,
        item_sets,
    }
}

/// Available inspectors of the task's departments; conflicts declared for
/// them, and, for rotation, every subject each inspected within the
/// configured months.
async fn build_roster(core: &Core, plan: &TaskPlan, salt: [u8; 32]) -> Result<Roster> {
    let store = core.store();
    let mut inspectors = Vec::new();
    for dept in &plan.departments {
        for row in xinyong_storage::inspections::inspectors(store, Some(dept), MAX_LISTED).await? {
            if row.available {
                inspectors.push(InspectorId::parse(&row.inspector_id).map_err(lottery_error)?);
            }
        }
    }
    if inspectors.len() < plan.per_target as usize {
        return Err(CoreError::invalid(
            "inspection_roster_too_small",
            format!("参与部门可用的执法检查人员只有 {} 人，少于每户 {} 人", inspectors.len(), plan.per_target),
        ));
    }
    let known: BTreeSet<&str> = inspectors.iter().map(InspectorId::as_str).collect();
    let mut conflicts = Vec::new();
    for c in xinyong_storage::inspections::conflicts(store, &plan.departments, 100_000).await? {
        if known.contains(c.inspector_id.as_str()) {
            conflicts.push(Conflict {
                inspector: InspectorId::parse(&c.inspector_id).map_err(lottery_error)?,
                subject: c.uscc,
            });
        }
    }
    let months = core.settings().inspections.rotation_months;
    let today = china_date(core.now());
    let since = today.checked_sub_months(Months::new(months)).unwrap_or(today);
    for (uscc, ids) in xinyong_storage::inspections::recent_assignments(store, since, 1_000_000).await? {
        let Ok(subject) = Uscc::parse(&uscc) else { continue };
        for id in ids.split(' ').filter(|id| known.contains(id)) {
            conflicts
                .push(Conflict { inspector: InspectorId::parse(id).map_err(lottery_error)?, subject: subject.clone() });
        }
    }
    Roster::new(salt, plan.per_target, inspectors, conflicts).map_err(lottery_error)
}

/// The credit office enters a public beacon value (after the commitment,
/// before the draw).
pub async fn enter_beacon(core: &Core, principal: &Principal, task_id: &str, raw: &str) -> Result<()> {
    authorize(principal, Action::EnterBeacon, &Resource::Platform)?;
    let row = task(core, task_id).await?;
    if row.status != TaskStatus::Committed {
        return Err(CoreError::invalid("lottery_beacon_too_late", "只能在名单锁定之后、抽取之前录入信标值"));
    }
    if row.beacon.is_some() {
        return Err(CoreError::invalid("lottery_beacon_exists", "该任务已录入信标值，不能更改"));
    }
    let beacon = Beacon::parse(raw).map_err(lottery_error)?;
    let body = InspectionsEvent::LotteryBeaconEntered {
        task_id: task_id.to_owned(),
        beacon: beacon.as_str().to_owned(),
        entered_by: principal.actor().as_str().to_owned(),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// Whether the seed of a committed task exists yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedState {
    /// The wait after the commitment is not over: no checkpoint can count yet.
    Waiting { until: DateTime<Utc> },
    /// The plan asks for a beacon and none was entered.
    AwaitingBeacon,
    /// The wait is over and no checkpoint has been signed since.
    AwaitingCheckpoint { due: DateTime<Utc> },
    /// The first checkpoint signed at least the delay after the commitment.
    Ready(StoredCheckpoint),
}

/// When the wait of a committed task ends.
pub fn seed_due(row: &InspectionTaskRow) -> Option<DateTime<Utc>> {
    let at = time_from_millis(row.committed_at_ms?)?;
    Some(at + chrono::Duration::minutes(i64::from(row.plan.0.seed_delay_minutes)))
}

pub async fn seed_state(core: &Core, row: &InspectionTaskRow) -> Result<SeedState> {
    let (Some(commit_seq), Some(due)) = (row.commit_seq, seed_due(row)) else {
        return Err(CoreError::invalid("inspection_not_committed", "该任务的抽查名单尚未锁定"));
    };
    if core.now() < due {
        return Ok(SeedState::Waiting { until: due });
    }
    if row.plan.0.beacon_required && row.beacon.is_none() {
        return Ok(SeedState::AwaitingBeacon);
    }
    Ok(match first_checkpoint_after(core, commit_seq, due).await? {
        Some(cp) => SeedState::Ready(cp),
        None => SeedState::AwaitingCheckpoint { due },
    })
}

/// The first checkpoint covering the commitment and signed at or after `due`.
pub async fn first_checkpoint_after(
    core: &Core,
    commit_seq: u64,
    due: DateTime<Utc>,
) -> Result<Option<StoredCheckpoint>> {
    let mut after = commit_seq;
    loop {
        let page = core.store().checkpoints_after(Some(after), 500).await?;
        let Some(last) = page.last() else { return Ok(None) };
        after = last.size;
        if let Some(cp) = page.into_iter().find(|cp| cp.signed_at >= due) {
            return Ok(Some(cp));
        }
    }
}

/// What a draw gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawn {
    pub targets: usize,
    pub checkpoint_size: u64,
    pub seed: String,
}

/// Draws a committed task once its seed exists; refuses before
/// (`lottery_seed_not_ready`, `lottery_beacon_missing`). When the wait is
/// over but no checkpoint was signed since, it grows the log by one
/// `lottery_seed_due` entry and signs one.
pub async fn draw(core: &Core, principal: &Principal, task_id: &str) -> Result<Drawn> {
    let row = task(core, task_id).await?;
    authorize(principal, Action::PlanInspections, &Resource::Department(super::department(&row.lead_department)?))?;
    if matches!(row.status, TaskStatus::Drawn | TaskStatus::Published) {
        return Err(CoreError::invalid("lottery_already_drawn", "该任务已经抽取"));
    }
    let checkpoint = match seed_state(core, &row).await? {
        SeedState::Waiting { until } => {
            return Err(CoreError::invalid(
                "lottery_seed_not_ready",
                format!(
                    "随机种子尚未产生：种子取自名单锁定至少 {} 分钟后签署的第一个检查点，最早 {} 以后",
                    row.plan.0.seed_delay_minutes,
                    until.with_timezone(&crate::clock::china_offset()).format("%Y-%m-%d %H:%M:%S")
                ),
            ));
        }
        SeedState::AwaitingBeacon => {
            return Err(CoreError::invalid("lottery_beacon_missing", "该任务要求公开信标值，信用办录入后才能抽取"));
        }
        SeedState::Ready(cp) => cp,
        SeedState::AwaitingCheckpoint { due } => sign_after(core, task_id, row.commit_seq.unwrap_or(0), due).await?,
    };
    let (committed, roster) = committed_events(core, &row).await?;
    let (drawn, assigned, out) = run_draw(&row, &committed, &roster, &checkpoint, china_date(core.now()))?;
    let actor = principal.actor();
    core.append(vec![NewEvent::new(actor.clone(), drawn), NewEvent::new(actor, assigned)]).await?;
    Ok(out)
}

/// Grows the log by one entry when nothing was appended since the last
/// checkpoint, signs a checkpoint, and returns the one that counts.
async fn sign_after(core: &Core, task_id: &str, commit_seq: u64, due: DateTime<Utc>) -> Result<StoredCheckpoint> {
    let size = core.store().log_size().await?;
    let latest = core.latest_checkpoint().await?.map_or(0, |cp| cp.size);
    if latest >= size {
        let body = InspectionsEvent::LotterySeedDue { task_id: task_id.to_owned() };
        core.append(vec![NewEvent::new(xinyong_domain::event::Actor::system(), body)]).await?;
    }
    core.sign_checkpoint_if_grown().await?;
    first_checkpoint_after(core, commit_seq, due)
        .await?
        .ok_or_else(|| CoreError::Log("签署检查点后仍未找到可用于随机种子的检查点".to_owned()))
}

/// The `lottery_committed` and `lottery_roster_sealed` bodies of a task.
pub(crate) async fn committed_events(
    core: &Core,
    row: &InspectionTaskRow,
) -> Result<(InspectionsEvent, InspectionsEvent)> {
    let commit_seq =
        row.commit_seq.ok_or_else(|| CoreError::invalid("inspection_not_committed", "该任务尚未锁定名单"))?;
    let events = core.store().events_from(commit_seq.saturating_sub(1), 2).await?;
    let mut parsed = Vec::with_capacity(2);
    for e in events {
        let body = e.body.as_deref().ok_or_else(|| CoreError::Log(format!("第 {} 条日志的正文缺失", e.seq)))?;
        match serde_json::from_str::<EventBody>(body) {
            Ok(EventBody::Inspections(ev)) => parsed.push(ev),
            Ok(_) | Err(_) => return Err(CoreError::Log(format!("第 {} 条日志不是抽签承诺", e.seq))),
        }
    }
    let mut it = parsed.into_iter();
    match (it.next(), it.next()) {
        (
            Some(r @ InspectionsEvent::LotteryRosterSealed { .. }),
            Some(c @ InspectionsEvent::LotteryCommitted { .. }),
        ) => Ok((c, r)),
        _ => Err(CoreError::Log(format!("第 {commit_seq} 条日志附近没有该任务的抽签承诺"))),
    }
}

pub(crate) fn roster_of(sealed: &InspectionsEvent) -> Result<Roster> {
    let InspectionsEvent::LotteryRosterSealed { salt, per_target, inspectors, conflicts, .. } = sealed else {
        return Err(CoreError::Log("不是名录封存记录".to_owned()));
    };
    let salt: [u8; 32] = hex::decode(salt)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| CoreError::Log("名录封存的盐值无效".to_owned()))?;
    let ids = inspectors
        .iter()
        .map(|i| InspectorId::parse(i))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(lottery_error)?;
    Roster::new(salt, *per_target, ids, conflicts.clone()).map_err(lottery_error)
}

/// The seed source of a task from its committed values and a checkpoint.
pub(crate) fn seed_source(
    row: &InspectionTaskRow,
    committed: &InspectionsEvent,
    cp_size: u64,
    cp_root: Hash256,
) -> Result<SeedSource> {
    let InspectionsEvent::LotteryCommitted { plan_digest, roster_digest, .. } = committed else {
        return Err(CoreError::Log("不是抽签承诺".to_owned()));
    };
    let hash = |h: &str| Hash256::parse_hex(h).map_err(lottery_error);
    Ok(SeedSource {
        draw_id: DrawId::parse(&row.task_id).map_err(lottery_error)?,
        plan_digest: hash(plan_digest)?,
        roster_digest: hash(roster_digest)?,
        checkpoint: CheckpointRoot { tree_size: cp_size, root: cp_root },
        beacon: row.beacon.as_deref().map(Beacon::parse).transpose().map_err(lottery_error)?,
    })
}

/// The draw's two events: the public result with the visits, and the
/// inspectors per target.
fn run_draw(
    row: &InspectionTaskRow,
    committed: &InspectionsEvent,
    sealed: &InspectionsEvent,
    cp: &StoredCheckpoint,
    today: chrono::NaiveDate,
) -> Result<(InspectionsEvent, InspectionsEvent, Drawn)> {
    let InspectionsEvent::LotteryCommitted { pool: strata, pool_digest, .. } = committed else {
        return Err(CoreError::Log("不是抽签承诺".to_owned()));
    };
    let pool = pool_of(strata)?;
    if pool.digest().to_string() != *pool_digest {
        return Err(CoreError::Log("日志中的检查对象名录与其摘要不符".to_owned()));
    }
    let roster = roster_of(sealed)?;
    let source = seed_source(row, committed, cp.size, Hash256::from_bytes(cp.root))?;
    let assigned = lottery::draw(&pool, source).assign(&roster).map_err(lottery_error)?;
    let plan = &row.plan.0;
    let mut visits = Vec::new();
    for (result, stratum) in assigned.published.strata.iter().zip(strata_by_name(strata, &assigned.published.strata)) {
        for target in &result.targets {
            let set = stratum
                .and_then(|s| s.members.binary_search(target).ok().and_then(|i| s.item_sets.get(i).copied()))
                .unwrap_or(0);
            let items =
                plan.items.iter().enumerate().filter(|(i, _)| set & (1 << i) != 0).map(|(_, it)| it.key()).collect();
            visits.push(Visit { uscc: target.clone(), stratum: result.name.as_str().to_owned(), items });
        }
    }
    let assignments = assigned
        .assignments
        .iter()
        .map(|a| match &a.outcome {
            Outcome::Inspectors(ids) => TargetInspectors {
                uscc: a.subject.clone(),
                inspectors: ids.iter().map(|i| i.as_str().to_owned()).collect(),
                eligible: None,
            },
            Outcome::TooFewEligible { eligible } => {
                TargetInspectors { uscc: a.subject.clone(), inspectors: Vec::new(), eligible: Some(*eligible) }
            }
        })
        .collect();
    let published = assigned.published;
    let out = Drawn { targets: visits.len(), checkpoint_size: cp.size, seed: published.seed.to_string() };
    let drawn = InspectionsEvent::LotteryDrawn {
        task_id: row.task_id.clone(),
        checkpoint_size: cp.size,
        checkpoint_root: hex::encode(cp.root),
        checkpoint_signed_at_ms: cp.signed_at.timestamp_millis(),
        beacon: row.beacon.clone(),
        seed: published.seed.to_string(),
        strata: published.strata,
        visits,
        drawn_on: today,
    };
    Ok((drawn, InspectionsEvent::InspectorsAssigned { task_id: row.task_id.clone(), assignments }, out))
}

/// The committed stratum of each published one (both in canonical order).
fn strata_by_name<'a>(
    committed: &'a [CommittedStratum],
    published: &[lottery::StratumResult],
) -> Vec<Option<&'a CommittedStratum>> {
    published.iter().map(|p| committed.iter().find(|c| c.name == p.name)).collect()
}

/// Draws every committed task whose seed exists (named `inspection_draws`;
/// idempotent: a drawn task is no longer waiting).
#[derive(Debug, Clone)]
pub struct InspectionDraws {
    interval: Duration,
}

impl InspectionDraws {
    pub const NAME: &'static str = "inspection_draws";

    pub fn every(interval: Duration) -> InspectionDraws {
        InspectionDraws { interval }
    }
}

impl Job for InspectionDraws {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn runs_at_start(&self) -> bool {
        true
    }

    fn run<'a>(&'a self, core: &'a Core) -> JobFuture<'a> {
        Box::pin(async move {
            let mut drawn = 0u64;
            for row in xinyong_storage::inspections::waiting_tasks(core.store(), 100).await? {
                match seed_state(core, &row).await? {
                    SeedState::Ready(_) | SeedState::AwaitingCheckpoint { .. } => {
                        draw(core, &Principal::system(), &row.task_id).await?;
                        drawn += 1;
                    }
                    SeedState::Waiting { .. } | SeedState::AwaitingBeacon => {}
                }
            }
            Ok(JobReport { done: drawn, summary: format!("完成 {drawn} 项双随机抽取") })
        })
    }
}
