//! The full version of a credit report (完整版): for the company itself on
//! `/my`, and for a credit service agency the company consented to. It is
//! the public version plus the company's records whose publicity period has
//! ended, each with its entry, inclusion proof and the disclosures of its
//! public fields, so it verifies with the same `reports::verify`
//! (docs/REPORTS.md, "The full version").
//!
//! Records whose publicity was ended early (repaired, revoked) are not
//! added: repair means the record no longer counts, a revoked record was
//! wrong, and their current entry is the ending, not the record.

use base64::Engine as _;
use xinyong_domain::Uscc;
use xinyong_domain::collection::catalog::DisclosureLevel;
use xinyong_domain::collection::{AcceptedRecord, CollectionEvent};
use xinyong_domain::log::LogEntry;

use super::format::ReportRecord;
use super::{MAX_REPORT_RECORDS, in_report};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::portal::disclose;

/// Which version of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportVersion {
    /// For bidding, procurement, approvals: what is public today.
    Public,
    /// For the company or an agency with its consent: also what was public
    /// and is no longer.
    Full,
}

impl ReportVersion {
    /// The report's `version` field.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportVersion::Public => "public",
            ReportVersion::Full => "full",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ReportVersion::Public => "公开版",
            ReportVersion::Full => "完整版",
        }
    }
}

/// A record whose publicity ended, found for the full version.
#[derive(Debug, Clone)]
pub(super) struct Ended {
    pub index: u64,
    category: String,
    item: String,
    item_name: String,
    record: AcceptedRecord,
}

/// The subject's records that were public and whose publicity period ran
/// out (none for the public version), newest decision first.
pub(super) async fn ended_records(core: &Core, uscc: &Uscc, version: ReportVersion) -> Result<Vec<Ended>> {
    if version == ReportVersion::Public {
        return Ok(Vec::new());
    }
    let today = china_today(core);
    let rules = core.rules();
    let rows = xinyong_storage::collection::records_of_subject(core.store(), uscc, MAX_REPORT_RECORDS as u32).await?;
    let mut out = Vec::new();
    for row in rows {
        let index = row.seq;
        let record = row.into_record();
        let p = &record.publicity;
        let ran_out = p.public
            && p.window_start.is_some_and(|start| start <= today)
            && p.latest_end.is_some_and(|end| end <= today);
        let item = rules.catalog.item(&record.item).filter(|i| i.disclosure() == DisclosureLevel::Public);
        if let (true, Some(item)) = (ran_out, item) {
            out.push(Ended {
                index,
                category: item.category().as_str().to_owned(),
                item: record.item.clone(),
                item_name: item.name().to_owned(),
                record,
            });
        }
    }
    Ok(out)
}

/// An ended record with its entry, its inclusion proof to the report's
/// checkpoint and the disclosures of its public fields (the same fields the
/// portal disclosed while it was public).
pub(super) async fn proven_ended(core: &Core, e: &Ended, checkpoint_size: u64) -> Result<ReportRecord> {
    let stored = core.store().events_from(e.index, 1).await?.into_iter().next().filter(|s| s.seq as u64 == e.index);
    let stored = stored.ok_or_else(|| CoreError::Log(format!("第 {} 条日志不存在", e.index)))?;
    let entry_bytes = stored.entry()?;
    let entry =
        LogEntry::parse(&entry_bytes).map_err(|err| CoreError::Log(format!("第 {} 条日志无法解析：{err}", e.index)))?;
    let is_record = stored.body.as_deref().is_some_and(|b| {
        matches!(
            serde_json::from_str::<CollectionEvent>(b),
            Ok(CollectionEvent::RecordAccepted { .. } | CollectionEvent::RecordCorrected { .. })
        )
    });
    let mut disclosures = Vec::new();
    let salt = stored.salt.as_deref().and_then(|s| <[u8; 32]>::try_from(s).ok());
    let item = core.rules().catalog.item(&e.item).cloned();
    if let (true, Some(body), Some(salt), Some(item)) = (is_record, stored.body.as_deref(), salt, item) {
        disclosures = disclose::public_disclosures(&entry, &salt, body, &e.record, &item, &core.settings().mask)
            .into_iter()
            .filter(|d| in_report(&d.pointer))
            .map(|d| d.disclosure)
            .collect();
    }
    let proof = core.inclusion_proof_at(e.index, checkpoint_size).await?;
    Ok(ReportRecord {
        category: e.category.clone(),
        item: e.item.clone(),
        item_name: e.item_name.clone(),
        index: e.index,
        entry: String::from_utf8_lossy(&entry_bytes).into_owned(),
        proof: proof.iter().map(|h| base64::engine::general_purpose::STANDARD.encode(h)).collect(),
        disclosures,
        publicity_ended: true,
    })
}
