//! The status map (docs/REPORTS.md, "Status map"): every legal person on a
//! published list in force or with a penalty or dishonest-debtor record in
//! publicity, keyed by `SHA-256(USCC)`, its status as the value, committed to
//! the log as a `status_map_committed` entry. A report proves its subject's
//! status against the latest root, so a clean statement ("not on any list,
//! no penalty in publicity") is a proof of absence, not an assertion.
//!
//! The map is rebuilt from the projections when it is committed; the last
//! one is kept in memory (keys and value digests, not the values: a report
//! brings its subject's value, computed as the portal shows it, and the
//! digest says whether the map holds it) so that a report's proof costs a
//! lookup. It is committed again when a report finds its subject's status
//! changed since (or the day changed, since publicity ends by date), and by
//! the job `status_map` once a day, so that an idle city's map stays current.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use xinyong_domain::collection::catalog::{Category, DisclosureLevel};
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::reports::{ReportsEvent, StatusMapCommitment};
use xinyong_tlog::{SparseMap, map_key};

use super::format::{ReportEntry, ReportStatus, StatusLeaf, StatusListing, StatusProof, StatusRecord, SubjectStatus};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::jobs::{Job, JobFuture, JobReport};
use crate::lists::published::PublishedListing;
use crate::log::Core;
use crate::portal::{PublicRecord, SubjectProfile};

/// The `format` of a status map commitment.
pub const STATUS_MAP_FORMAT: &str = "xinyong-status-map/v1";

/// Records read per page when the statuses are built.
const PAGE: u32 = 5_000;

/// The catalog categories whose records in publicity are part of a status.
const STATUS_CATEGORIES: [Category; 2] = [Category::AdministrativePenalty, Category::CourtDishonestDebtor];

/// A status map as committed: the map, its values, and where its entry is.
#[derive(Debug)]
pub struct CommittedStatusMap {
    /// The log index of the `status_map_committed` entry.
    pub index: u64,
    pub as_of: NaiveDate,
    pub log_size: u64,
    map: SparseMap,
}

impl CommittedStatusMap {
    /// Whether `uscc` maps to `value` (`None`: it is not in the map).
    pub fn holds(&self, uscc: &str, value: Option<&str>) -> bool {
        let digest: Option<[u8; 32]> = value.map(|v| Sha256::digest(v.as_bytes()).into());
        self.map.get(&map_key(uscc.as_bytes())) == digest.as_ref()
    }

    pub fn subjects(&self) -> usize {
        self.map.len()
    }
}

/// The status the portal shows for a subject, in the map's form.
pub fn status_of_profile(profile: &SubjectProfile) -> SubjectStatus {
    SubjectStatus {
        uscc: profile.uscc.clone(),
        lists: profile.memberships.iter().map(status_listing).collect(),
        records: profile.penalties.iter().chain(&profile.list_entries).map(status_record).collect(),
    }
    .sorted()
}

fn status_listing(l: &PublishedListing) -> StatusListing {
    StatusListing {
        list_code: l.list_code.clone(),
        list_name: l.list_name.clone(),
        list_kind: l.list_kind.clone(),
        decision_no: l.decision_no.clone(),
        listed_on: l.listed_on.to_string(),
        valid_until: l.valid_until.map(|d| d.to_string()),
    }
}

fn status_record(r: &PublicRecord) -> StatusRecord {
    StatusRecord { category: r.category.clone(), id: r.id.clone(), index: r.log_index }
}

/// Every subject's status today, read from the projections, and the log size
/// once they were read.
async fn statuses(core: &Core) -> Result<(BTreeMap<String, SubjectStatus>, u64)> {
    fn of<'m>(all: &'m mut BTreeMap<String, SubjectStatus>, uscc: &str) -> &'m mut SubjectStatus {
        all.entry(uscc.to_owned()).or_insert_with(|| SubjectStatus {
            uscc: uscc.to_owned(),
            lists: Vec::new(),
            records: Vec::new(),
        })
    }
    let mut all: BTreeMap<String, SubjectStatus> = BTreeMap::new();
    for listing in crate::lists::published::all_memberships(core).await? {
        of(&mut all, &listing.subject_uscc).lists.push(status_listing(&listing));
    }
    // Records in publicity, read in storage order from one snapshot (the
    // portal's pages read them newest first, one table lookup per row: at
    // ten million records that was most of this job's time). The log size
    // is the snapshot's.
    let snapshot = core.store().snapshot().await?;
    let today = china_today(core);
    let items: Vec<(String, &'static str)> = core
        .rules()
        .catalog
        .items()
        .iter()
        .filter(|item| STATUS_CATEGORIES.contains(&item.category()) && item.disclosure() == DisclosureLevel::Public)
        .map(|item| (item.code().to_owned(), item.category().as_str()))
        .collect();
    for (item, category) in items {
        let mut walk = xinyong_storage::portal::in_publicity(snapshot.as_ref(), &item, today, PAGE);
        while let Some(page) = walk.next_page().await? {
            for r in page {
                let record = StatusRecord { category: category.to_owned(), id: r.id, index: r.seq };
                of(&mut all, &r.subject_key).records.push(record);
            }
        }
    }
    let log_size = snapshot.log_size().await?;
    Ok((all, log_size))
}

/// Builds today's map. Returns it with its commitment body (not yet logged).
async fn build(core: &Core) -> Result<(CommittedStatusMap, StatusMapCommitment)> {
    let (statuses, log_size) = statuses(core).await?;
    let mut pairs = Vec::with_capacity(statuses.len());
    for (uscc, status) in statuses {
        let Some(value) = status.sorted().committed_value() else { continue };
        pairs.push((map_key(uscc.as_bytes()), Sha256::digest(value.as_bytes()).into()));
    }
    let map = SparseMap::new(pairs);
    let as_of = china_today(core);
    let commitment = StatusMapCommitment {
        format: STATUS_MAP_FORMAT.to_owned(),
        root: BASE64.encode(map.root()),
        as_of: as_of.to_string(),
        log_size,
        subjects: map.len() as u64,
    };
    Ok((CommittedStatusMap { index: 0, as_of, log_size, map }, commitment))
}

/// Commits today's map unless the latest commitment already has its root
/// and day (then that one is taken over): idempotent.
async fn commit(core: &Core) -> Result<Arc<CommittedStatusMap>> {
    let (mut built, commitment) = build(core).await?;
    let latest = xinyong_storage::reports::latest_status_map(core.store()).await?;
    built.index = match latest {
        Some(row) if row.root == commitment.root && row.as_of == commitment.as_of => {
            built.log_size = row.log_size;
            row.seq
        }
        _ => {
            let event = NewEvent::new(Actor::system(), ReportsEvent::StatusMapCommitted { map: commitment });
            core.append(vec![event]).await?.first_seq
        }
    };
    metrics::gauge!("xinyong_status_map_subjects").set(built.map.len() as f64);
    Ok(Arc::new(built))
}

impl Core {
    /// The committed status map, committing one first when there is none in
    /// memory, the day changed, or `wanted` (the subject's status as the
    /// portal shows it now) is not what the map holds.
    pub async fn status_map_for(&self, wanted: &SubjectStatus) -> Result<Arc<CommittedStatusMap>> {
        let mut cached = self.status_map.lock().await;
        let wanted_value = wanted.committed_value();
        let holds =
            |m: &CommittedStatusMap| m.as_of == china_today(self) && m.holds(&wanted.uscc, wanted_value.as_deref());
        if let Some(m) = cached.as_ref().filter(|m| holds(m)) {
            return Ok(Arc::clone(m));
        }
        // A status that changed while the map was read gets one more try.
        for _ in 0..2 {
            let fresh = commit(self).await?;
            *cached = Some(Arc::clone(&fresh));
            if holds(&fresh) {
                return Ok(fresh);
            }
        }
        Err(CoreError::invalid("status_changing", format!("主体 {} 的状态正在变化，请稍后再开具信用报告", wanted.uscc)))
    }

    /// Commits today's map when it changed since the last commitment.
    pub async fn commit_status_map(&self) -> Result<Arc<CommittedStatusMap>> {
        let mut cached = self.status_map.lock().await;
        let fresh = commit(self).await?;
        *cached = Some(Arc::clone(&fresh));
        Ok(fresh)
    }
}

/// The report's status part for `status` (what `status_map_for` found the
/// map holds): the commitment entry with its inclusion proof to
/// `checkpoint_size` and its disclosures, the value and the map proof.
pub async fn status_part(
    core: &Core,
    committed: &CommittedStatusMap,
    status: &SubjectStatus,
    checkpoint_size: u64,
) -> Result<ReportStatus> {
    let value = status.committed_value();
    if !committed.holds(&status.uscc, value.as_deref()) {
        return Err(CoreError::Log(format!("状态图谱未包含主体 {} 的当前状态", status.uscc)));
    }
    let index = committed.index;
    let stored = core.store().events_from(index, 1).await?.into_iter().next().filter(|e| e.seq as u64 == index);
    let broken = || CoreError::Log(format!("第 {index} 条日志（状态图谱承诺）无法读取"));
    let stored = stored.ok_or_else(broken)?;
    let salt: [u8; 32] = stored.salt.as_deref().and_then(|s| s.try_into().ok()).ok_or_else(broken)?;
    let body = stored.body.as_deref().ok_or_else(broken)?;
    let disclosures = xinyong_domain::log::disclosure::disclosures(&salt, body.as_bytes()).map_err(|_| broken())?;
    let proof = core.inclusion_proof_at(index, checkpoint_size).await?;
    let map_proof = committed.map.prove(&map_key(status.uscc.as_bytes()));
    Ok(ReportStatus {
        commitment: ReportEntry {
            index,
            entry: String::from_utf8_lossy(&stored.entry()?).into_owned(),
            proof: proof.iter().map(|h| BASE64.encode(h)).collect(),
            disclosures: disclosures.into_iter().map(|d| d.encoded).collect(),
        },
        value,
        proof: StatusProof {
            siblings: map_proof.siblings.iter().map(|h| BASE64.encode(h)).collect(),
            leaf: map_proof
                .leaf
                .map(|(key, digest)| StatusLeaf { key: BASE64.encode(key), value_digest: BASE64.encode(digest) }),
        },
    })
}

/// Commits the status map once a day (publicity ends by date, so a map
/// nobody asked for still changes), and whenever the statuses changed.
#[derive(Debug, Clone, Copy)]
pub struct StatusMapJob {
    pub interval: std::time::Duration,
}

impl Job for StatusMapJob {
    fn name(&self) -> &'static str {
        "status_map"
    }

    fn interval(&self) -> std::time::Duration {
        self.interval
    }

    fn run<'a>(&'a self, core: &'a Core) -> JobFuture<'a> {
        Box::pin(async move {
            let map = core.commit_status_map().await?;
            Ok(JobReport {
                done: map.subjects() as u64,
                summary: format!("状态图谱：{} 个主体，日志第 {} 条", map.subjects(), map.index),
            })
        })
    }
}
