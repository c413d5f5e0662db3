//! Credit reports (信用报告, issue 12): a legal person's public facts as a
//! signed JSON document that anyone can check offline (docs/REPORTS.md).
//! Every record in it comes with its log entry, its inclusion proof to one
//! signed checkpoint and the disclosures of its public fields; the whole is
//! signed with the log's key; issuing it is an event (`report_issued`).

pub mod format;
pub mod full;
pub mod status_map;
pub mod verify;

pub use full::ReportVersion;

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use chrono::SecondsFormat;
use sha2::{Digest, Sha256};
use xinyong_domain::Uscc;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::reports::{IssuedReport, ReportsEvent};

use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::portal::{self, PublicRecord};
use format::{CreditReport, ReportIssuer, ReportListing, ReportRecord, ReportSubject, SignedReport};

/// Most records one report proves: a report is built in one request, and
/// each record costs an inclusion proof.
pub const MAX_REPORT_RECORDS: usize = 2_000;

/// Where a report was asked for (recorded with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The public portal (anyone, rate limited).
    Portal,
    /// The operator's command line.
    Cli,
    /// The company itself on `/my` (full version).
    SelfService,
    /// A credit service agency under the company's consent (full version).
    Agency,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Portal => "portal",
            Channel::Cli => "cli",
            Channel::SelfService => "self_service",
            Channel::Agency => "agency",
        }
    }
}

/// A report just issued: the signed file, what it says, and the portal's
/// view of the subject it was built from (for the PDF).
#[derive(Debug, Clone)]
pub struct Issued {
    pub signed: SignedReport,
    pub report: CreditReport,
    pub profile: portal::SubjectProfile,
}

/// Issues the public version of `uscc`'s report: builds it from the log as
/// of a fresh checkpoint, signs it, and logs that it was issued.
pub async fn issue_public(core: &Core, uscc: &Uscc, channel: Channel) -> Result<Issued> {
    issue(core, uscc, ReportVersion::Public, channel).await
}

/// Issues `version` of `uscc`'s report; the full version adds the records
/// whose publicity ended (`full.rs`).
pub async fn issue(core: &Core, uscc: &Uscc, version: ReportVersion, channel: Channel) -> Result<Issued> {
    let not_found = || CoreError::NotFound {
        what: format!("统一社会信用代码为 {uscc} 的主体"),
        code: "subject_not_found",
    };
    let profile = portal::subject_profile(core, uscc).await?.ok_or_else(not_found)?;
    let shown: Vec<&PublicRecord> = [&profile.licences, &profile.penalties, &profile.other_acts, &profile.list_entries]
        .into_iter()
        .flatten()
        .collect();
    if shown.len() > MAX_REPORT_RECORDS {
        return Err(CoreError::invalid(
            "report_too_large",
            format!("该主体有 {} 条公示记录，超过单份信用报告的上限 {MAX_REPORT_RECORDS} 条", shown.len()),
        ));
    }
    let status = status_map::status_of_profile(&profile);
    let committed = core.status_map_for(&status).await?;
    let ended = full::ended_records(core, uscc, version).await?;
    let needed = shown
        .iter()
        .map(|r| r.log_index + 1)
        .chain(ended.iter().map(|e| e.index + 1))
        .chain([committed.index + 1])
        .max()
        .unwrap_or(0);
    let (checkpoint_size, checkpoint_note) = report_checkpoint(core, needed).await?;
    let mut records = Vec::with_capacity(shown.len());
    for r in shown {
        records.push(proven_record(core, r, checkpoint_size).await?);
    }
    for e in &ended {
        records.push(full::proven_ended(core, e, checkpoint_size).await?);
    }
    let now = core.now();
    let report = CreditReport {
        format: format::REPORT_FORMAT.to_owned(),
        report_id: report_id(uscc, now, checkpoint_size),
        version: version.as_str().to_owned(),
        issued_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        as_of: profile.as_of.to_string(),
        issuer: ReportIssuer { origin: core.keys().origin().to_owned(), verifier_key: core.keys().verifier_key() },
        subject: ReportSubject {
            uscc: profile.uscc.clone(),
            name: profile.name.clone(),
            status: profile.status_name.clone(),
            division: profile.division_name.clone(),
        },
        checkpoint: checkpoint_note,
        records,
        lists: profile.memberships.iter().map(listing).collect(),
        status: status_map::status_part(core, &committed, &status, checkpoint_size).await?,
        pledges: pledges(core, uscc).await?,
        grades: grades(&profile.grades),
    };
    let signed = SignedReport::sign(&report, core.keys().signer())
        .map_err(|e| CoreError::Log(format!("信用报告无法编码：{e}")))?;
    let issued = IssuedReport {
        report_id: report.report_id.clone(),
        subject: report.subject.uscc.clone(),
        version: report.version.clone(),
        channel: channel.as_str().to_owned(),
        checkpoint_size,
        records: report.records.len() as u64,
        payload_digest: signed.payload_digest(),
    };
    core.append(vec![NewEvent::new(Actor::system(), ReportsEvent::ReportIssued { report: issued })]).await?;
    Ok(Issued { signed, report, profile })
}

/// The checkpoint a report proves its records to: the latest one witnesses
/// cosigned, with their cosignatures, when it covers every record (index <
/// `needed`); else a fresh one, signed by this log only.
async fn report_checkpoint(core: &Core, needed: u64) -> Result<(u64, String)> {
    if let Some(c) = xinyong_storage::witness::latest(core.store()).await?
        && c.size >= needed
        && let Some(note) = core.cosigned_checkpoint(c.size).await?
    {
        return Ok((c.size, note));
    }
    let checkpoint = core.checkpoint().await?;
    Ok((checkpoint.size, checkpoint.note))
}

/// A record with its entry, its inclusion proof to the report's checkpoint
/// and the disclosures `/verify` would show.
async fn proven_record(core: &Core, r: &PublicRecord, checkpoint_size: u64) -> Result<ReportRecord> {
    let opened = portal::verify_entry(core, r.log_index).await?;
    let proof = core.inclusion_proof_at(r.log_index, checkpoint_size).await?;
    Ok(ReportRecord {
        category: r.category.clone(),
        item: r.item.clone(),
        item_name: r.item_name.clone(),
        index: r.log_index,
        entry: opened.entry,
        proof: proof.iter().map(|h| base64::engine::general_purpose::STANDARD.encode(h)).collect(),
        disclosures: opened.disclosures.into_iter().filter(|d| in_report(&d.pointer)).map(|d| d.disclosure).collect(),
        publicity_ended: false,
    })
}

/// The disclosed fields a report carries: what a reader of the report looks
/// at (the record's catalog fields, its number, subject, item and dates).
/// The platform's bookkeeping (batch, working days, the publicity decision's
/// internals) stays provable on `/verify` but would double the report's size.
fn in_report(pointer: &str) -> bool {
    pointer.starts_with("/record/fields/")
        || pointer.starts_with("/record/subject/")
        || matches!(
            pointer,
            "/kind" | "/record/id" | "/record/item" | "/record/document_number" | "/record/decision_date" | "/changes"
        )
}

async fn pledges(core: &Core, uscc: &Uscc) -> Result<Vec<format::ReportPledge>> {
    let rows = crate::commitments::pledges::public_pledges_of(core, uscc).await?;
    Ok(rows
        .into_iter()
        .map(|p| format::ReportPledge {
            kind: p.kind.as_str().to_owned(),
            title: p.title,
            made_on: p.made_on.to_string(),
            association: p.association_name,
            text_sha256: p.text_sha256,
            index: p.seq,
        })
        .collect())
}

fn grades(g: &crate::evaluation::view::PublicGrades) -> Vec<format::ReportGrade> {
    let local = g.grade.iter().map(|l| format::ReportGrade {
        source: format!("{}（{}）", l.model_title, l.model_version),
        grade: l.grade.clone(),
        detail: l.category.clone(),
        on: l.evaluated_on.to_string(),
    });
    let external = g.external.iter().map(|e| format::ReportGrade {
        source: e.scheme_name.clone(),
        grade: e.grade.clone(),
        detail: e.period.clone(),
        on: e.received_on.to_string(),
    });
    local.chain(external).collect()
}

fn listing(l: &crate::lists::published::PublishedListing) -> ReportListing {
    ReportListing {
        list_name: l.list_name.clone(),
        department: l.department_name.clone(),
        reason: l.reason.clone(),
        decision_no: l.decision_no.clone(),
        listed_on: l.listed_on.to_string(),
        valid_until: l.valid_until.map(|d| d.to_string()),
    }
}

/// `XYBG` + the China date + 10 hex digits of a digest of subject, time,
/// checkpoint and a process counter: unique, and readable on paper.
fn report_id(uscc: &Uscc, now: chrono::DateTime<chrono::Utc>, checkpoint_size: u64) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut h = Sha256::new();
    h.update(uscc.as_str().as_bytes());
    h.update(now.timestamp_nanos_opt().unwrap_or_default().to_be_bytes());
    h.update(checkpoint_size.to_be_bytes());
    h.update(n.to_be_bytes());
    let day = crate::clock::china_date(now).format("%Y%m%d");
    format!("XYBG{day}{}", hex::encode(&h.finalize()[..5]).to_uppercase())
}

/// The issued report with this id (what its QR code leads to), if any.
pub async fn find(core: &Core, report_id: &str) -> Result<Option<xinyong_domain::reports::ReportRow>> {
    Ok(xinyong_storage::reports::by_id(core.store(), report_id).await?)
}
