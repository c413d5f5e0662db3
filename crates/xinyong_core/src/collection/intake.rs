//! `ingest_batch`: the one path by which department data enters the platform,
//! whether it comes from the JSON API, a console upload or `xinyong import`.
//!
//! Every good row lands, every bad row comes back with reasons a clerk
//! understands, nothing is counted twice: records are keyed by department +
//! catalog item + decision document number + subject, an identical row again
//! is a duplicate, a changed one is a correction carrying the diff. All
//! accepted rows of a batch commit in one transaction with their events.

use std::collections::{HashMap, HashSet};
use xinyong_domain::collection::CollectionEvent;
use xinyong_domain::subjects::SubjectsEvent;

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};
use xinyong_domain::Uscc;
use xinyong_domain::auth::{DepartmentCode, DepartmentRow};
use xinyong_domain::collection::catalog::{CatalogItem, Category, FieldRole, HeaderMatch};
use xinyong_domain::collection::publicity::decide_publicity;
use xinyong_domain::collection::record::{
    FieldIssue, RecordDraft, RowOutcome, SubjectRef, ValidationContext, validate_row,
};
use xinyong_domain::collection::{
    AcceptedRecord, BatchSummary, RecordPublicity, RecordRow, RecordSubject, RowIssue, RowReport, diff_fields,
    record_id,
};
use xinyong_domain::event::{Actor, EventBody, NewEvent};
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::{LegalPerson, NaturalPerson, RelationRole, SubjectStatus};
use xinyong_domain::subjects::{PersonRow, SubjectRow};

pub use super::queries::{batch_by_idempotency_key, load_batch, recent_batches, record_with_log_index};
use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::rules::Rules;

/// Most data rows one batch may carry (an upload is one transaction): the
/// ceiling of [`IntakeLimits::max_rows_per_batch`], and its default.
pub const MAX_ROWS: usize = 100_000;

/// What one batch may cost (configuration `[intake]`). A batch is one
/// transaction, and its rejected rows are kept (with their cells) for the
/// result page and the error report: without these limits a small request
/// of empty or broken rows would be stored, and answered, many times over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeLimits {
    /// A batch with more rejected rows than this share (percent) is refused
    /// whole: nothing is written, and the answer summarises the problems.
    pub max_rejected_percent: u8,
    /// Batches with fewer rows are kept whatever their share of rejected
    /// rows (a clerk's small file with a few mistakes gets its error report).
    pub rejected_share_min_rows: usize,
    /// Rows one department may send through the API and console uploads in
    /// one day (China Standard Time), all batches together; 0: no quota.
    /// `xinyong import` (the operator's own migrations) is not counted
    /// against it.
    pub max_rows_per_department_per_day: u64,
    /// Rows one batch may carry (at most [`MAX_ROWS`]). A batch is one
    /// append, and the log has one writer: this bounds how long one batch
    /// keeps every other department's batch waiting.
    pub max_rows_per_batch: usize,
}

impl Default for IntakeLimits {
    fn default() -> Self {
        IntakeLimits {
            max_rejected_percent: 50,
            rejected_share_min_rows: 100,
            max_rows_per_department_per_day: 500_000,
            max_rows_per_batch: MAX_ROWS,
        }
    }
}

impl IntakeLimits {
    /// Rejected rows a batch of `rows` rows may have; `None` = no limit.
    fn max_rejected(&self, rows: usize) -> Option<usize> {
        (rows >= self.rejected_share_min_rows).then(|| rows * usize::from(self.max_rejected_percent.min(100)) / 100)
    }
}

/// Where a batch came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Api,
    Upload,
    Cli,
}

impl Source {
    pub fn as_str(&self) -> &'static str {
        match self {
            Source::Api => "api",
            Source::Upload => "upload",
            Source::Cli => "cli",
        }
    }
}

/// A table of strings as the department sent it.
#[derive(Debug, Clone, Default)]
pub struct InputTable {
    pub headers: Vec<String>,
    /// (row number as the clerk sees it, cells)
    pub rows: Vec<(u64, Vec<String>)>,
}

#[derive(Debug, Clone)]
pub struct IngestRequest {
    pub actor: Actor,
    pub department: DepartmentCode,
    /// Catalog item code; `None` = infer it from the headers.
    pub item: Option<String>,
    pub source: Source,
    pub file_name: Option<String>,
    pub idempotency_key: Option<String>,
    pub table: InputTable,
    /// Codes issued by other authorities: a wrong check character is a warning.
    pub lenient_codes: bool,
    /// Only for migrating historical data (`xinyong import --received-date`,
    /// the demo city): the date the platform originally received the rows.
    /// Normal intake uses today's date in China Standard Time.
    pub received_date: Option<NaiveDate>,
    /// Validate and report, write nothing.
    pub dry_run: bool,
}

/// What happened to one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowResult {
    pub row: u64,
    /// `accepted`, `accepted_with_warnings`, `rejected`, `duplicate`, `corrected`
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
    pub errors: Vec<RowIssue>,
    pub warnings: Vec<RowIssue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IngestOutcome {
    pub batch: BatchSummary,
    pub rows: Vec<RowResult>,
    /// The item was inferred from the headers (not given).
    pub inferred_item: bool,
    /// Unknown columns, reported rather than silently dropped.
    pub unknown_columns: Vec<String>,
    /// This exact batch had been received before; nothing was written.
    pub already_received: bool,
    pub dry_run: bool,
    /// Log index of the batch's event, when something was written.
    pub batch_log_index: Option<u64>,
}

/// Rows validated together (in parallel) before the rejection allowance is
/// looked at again.
const VALIDATION_CHUNK: usize = 1_024;

fn issue(i: &FieldIssue) -> RowIssue {
    RowIssue { field: i.field.clone(), code: i.code.to_owned(), message: i.message.clone() }
}

/// Today in China Standard Time (UTC+8, no daylight saving).
pub fn china_today(core: &Core) -> NaiveDate {
    crate::clock::china_date(core.now())
}

/// A stable id for the batch: the same department, item and content give the
/// same id, so sending the same file twice is recognised.
fn batch_id(department: &str, item: &str, table: &InputTable) -> String {
    let mut h = Sha256::new();
    for part in [department, item] {
        h.update(part.as_bytes());
        h.update([0x1e]);
    }
    for header in &table.headers {
        h.update(header.as_bytes());
        h.update([0x1f]);
    }
    for (_, cells) in &table.rows {
        h.update([0x1e]);
        for cell in cells {
            h.update(cell.as_bytes());
            h.update([0x1f]);
        }
    }
    let digest = h.finalize();
    format!("b{}", hex::encode(&digest[..10]))
}

fn invalid(code: &'static str, message: impl Into<String>) -> CoreError {
    CoreError::invalid(code, message)
}

/// Picks the item (given or inferred) and matches the headers to its fields.
fn resolve_item<'r>(rules: &'r Rules, req: &IngestRequest) -> Result<(&'r CatalogItem, HeaderMatch, bool)> {
    let catalog = &rules.catalog;
    let (item, inferred) = match &req.item {
        Some(code) => (
            catalog
                .item(code)
                .ok_or_else(|| invalid("item_unknown", format!("目录 {} 中没有事项“{code}”", catalog.version())))?,
            false,
        ),
        None => (catalog.infer_item(&req.table.headers).map_err(|e| invalid(e.code(), e.to_string()))?, true),
    };
    if !item.allows_department(req.department.as_str()) {
        return Err(CoreError::Forbidden {
            code: "item_not_allowed",
            message: format!("部门“{}”不能报送事项“{}”（{}）", req.department, item.name(), item.code()),
        });
    }
    let matched = catalog.match_headers(item, &req.table.headers);
    if !matched.missing_required.is_empty() {
        let names: Vec<String> = matched
            .missing_required
            .iter()
            .map(|code| item.field(code).map_or_else(|| code.clone(), |f| format!("{}({code})", f.name())))
            .collect();
        return Err(invalid("columns_missing", format!("缺少必填列：{}", names.join("、"))));
    }
    if !matched.duplicates.is_empty() {
        let names: Vec<String> = matched.duplicates.iter().map(|d| d.field.clone()).collect();
        return Err(invalid("columns_duplicated", format!("以下字段出现在多列中：{}", names.join("、"))));
    }
    Ok((item, matched, inferred))
}

fn subject_of(draft: &RecordDraft) -> RecordSubject {
    match &draft.subject {
        SubjectRef::LegalPerson { uscc, name, .. } => RecordSubject {
            kind: "legal_person".to_owned(),
            key: uscc.as_str().to_owned(),
            name: name.as_str().to_owned(),
        },
        SubjectRef::NaturalPerson { id_number, name } => RecordSubject {
            kind: "natural_person".to_owned(),
            key: id_number.as_str().to_owned(),
            name: name.as_str().to_owned(),
        },
    }
}

/// The event that makes a subject known, when it is not yet.
fn subject_registration(draft: &RecordDraft) -> SubjectsEvent {
    match &draft.subject {
        SubjectRef::LegalPerson { uscc, name, kind, legal_representative } => {
            let role = if matches!(kind, xinyong_domain::collection::record::LegalKind::IndividualBusiness) {
                RelationRole::Principal
            } else {
                RelationRole::LegalRepresentative
            };
            let people = legal_representative
                .iter()
                .filter_map(|(rep_name, rep_id)| {
                    rep_id.as_ref().map(|id| RoleHolder {
                        role,
                        person: NaturalPerson { id_number: id.clone(), name: rep_name.clone() },
                    })
                })
                .collect();
            SubjectsEvent::LegalPersonRegistered {
                subject: LegalPerson { uscc: uscc.clone(), name: name.clone(), status: SubjectStatus::Active },
                people,
            }
        }
        SubjectRef::NaturalPerson { id_number, name } => SubjectsEvent::NaturalPersonRegistered {
            person: NaturalPerson { id_number: id_number.clone(), name: name.clone() },
        },
    }
}

/// Receives a batch: validates every row, and (unless a dry run) writes the
/// new subjects, records, corrections and the batch itself in one append.
pub async fn ingest_batch(core: &Core, req: IngestRequest) -> Result<IngestOutcome> {
    let max_rows = core.settings().intake.max_rows_per_batch.min(MAX_ROWS);
    if req.table.rows.len() > max_rows {
        return Err(invalid(
            "batch_too_large",
            format!(
                "一个批次最多 {max_rows} 行（配置 intake.max_rows_per_batch），本次 {} 行；请拆分后分批上传",
                req.table.rows.len()
            ),
        ));
    }
    refuse_empty_rows(&req.table)?;
    let department_row = core.store().get(DepartmentRow::key(&req.department)).await?;
    let Some(department_row) = department_row else {
        return Err(invalid("department_unknown", format!("部门“{}”未在平台登记", req.department)));
    };
    within_quota(core, &req).await?;
    // One snapshot for the whole batch: a version coming into force while
    // it is checked does not judge half of its rows.
    let rules = core.rules();
    let (item, matched, inferred_item) = resolve_item(&rules, &req)?;
    let id = batch_id(req.department.as_str(), item.code(), &req.table);
    let unknown_columns: Vec<String> = matched.unknown.iter().map(|(_, h)| h.clone()).collect();

    // The same batch again: report what happened the first time, write nothing.
    if let Some(existing) = load_batch(core, &id).await? {
        let rows = rows_seen_before(&existing, &req.table);
        let dry_run = req.dry_run;
        return Ok(IngestOutcome {
            rows,
            batch: existing,
            inferred_item,
            unknown_columns,
            already_received: true,
            dry_run,
            batch_log_index: None,
        });
    }

    let received = req.received_date.unwrap_or_else(|| china_today(core));
    // A decision cannot postdate its receipt ("decision ≤ today").
    let ctx = ValidationContext { today: received, lenient_codes: req.lenient_codes };
    // 1. Validate every row. 2. What the platform already knows about these
    //    records and subjects. 3. Decide each good row.
    let max_rejected = core.settings().intake.max_rejected(req.table.rows.len());
    let (mut good, mut tally) = validate_rows(item, &matched, &req.table, &ctx, max_rejected)?;
    legal_rep_warnings(core, item, &mut good).await?;
    let known = known(core, &req, item, &good).await?;
    let batch = Batch {
        id: id.clone(),
        req: &req,
        item,
        rules: &rules,
        sector: department_row.sector,
        received,
        versions: rules.versions(),
    };
    for (g, rid) in good.into_iter().zip(known.ids.iter().cloned()) {
        tally.decide(&batch, &known, g, rid);
    }
    // Rows rejected as duplicates within the batch count too.
    if let Some(max) = max_rejected
        && tally.reports_rejected() > max
    {
        return Err(mostly_rejected(&tally, req.table.rows.len(), max));
    }
    // 4. Write everything in one append (unless nothing is new, or a dry run).
    let summary = tally.summary(&batch);
    let batch_log_index = write(core, &batch, &mut tally, &summary).await?;
    Ok(IngestOutcome {
        batch: summary,
        rows: tally.results,
        inferred_item,
        unknown_columns,
        already_received: false,
        dry_run: req.dry_run,
        batch_log_index,
    })
}

/// Rows of a batch received before: as rejected as they were, the others
/// duplicates now.
fn rows_seen_before(existing: &BatchSummary, table: &InputTable) -> Vec<RowResult> {
    let reports: HashMap<u64, &RowReport> = existing.reports.iter().map(|r| (r.row, r)).collect();
    let result = |row: u64, status, errors, warnings| RowResult { row, status, record_id: None, errors, warnings };
    table
        .rows
        .iter()
        .map(|(row, _)| match reports.get(row) {
            Some(r) if r.status == "rejected" => result(*row, "rejected", r.issues.clone(), Vec::new()),
            Some(r) => result(*row, "duplicate", Vec::new(), r.issues.clone()),
            None => result(*row, "duplicate", Vec::new(), Vec::new()),
        })
        .collect()
}

/// A row that passed validation.
struct Good {
    row: u64,
    draft: RecordDraft,
    warnings: Vec<RowIssue>,
    cells: Vec<String>,
}

/// What one batch brings together for deciding its rows.
struct Batch<'a> {
    id: String,
    req: &'a IngestRequest,
    item: &'a CatalogItem,
    rules: &'a Rules,
    /// The department's sector (sector-specific publicity rules).
    sector: Option<String>,
    received: NaiveDate,
    versions: xinyong_domain::event::RuleVersions,
}

/// What the platform knows already: each good row's record id (in row
/// order), the records stored under those ids, and the subjects known.
struct Known {
    ids: Vec<String>,
    existing: HashMap<String, AcceptedRecord>,
    subjects: HashSet<String>,
}

/// The rows' outcomes so far, and the events to append.
#[derive(Default)]
struct Tally {
    results: Vec<RowResult>,
    reports: Vec<RowReport>,
    events: Vec<NewEvent>,
    seen_in_batch: HashMap<String, u64>,
    /// Subjects this batch registers (once each, before their first record).
    registered: HashSet<String>,
    accepted: u64,
    corrected: u64,
    duplicates: u64,
    warned: u64,
    rejected: usize,
}

/// The department's daily quota ([`IntakeLimits::max_rows_per_department_per_day`]):
/// what it sent today plus this batch. Dry runs write nothing, and the
/// operator's own imports (`xinyong import`, historical receipt dates) are
/// migrations, not a department's daily traffic: neither is counted.
async fn within_quota(core: &Core, req: &IngestRequest) -> Result<()> {
    let quota = core.settings().intake.max_rows_per_department_per_day;
    if quota == 0 || req.dry_run || req.source == Source::Cli || req.received_date.is_some() {
        return Ok(());
    }
    let today = china_today(core);
    let sent = xinyong_storage::collection::rows_received_on(core.store(), &req.department, today).await?;
    let now = req.table.rows.len() as u64;
    if sent.saturating_add(now) > quota {
        return Err(invalid(
            "department_quota_exceeded",
            format!(
                "本部门今日已报送 {sent} 行，再接收本批 {now} 行将超过每日上限 {quota} 行（配置 intake.max_rows_per_department_per_day），\
                 本批未接收；请明日再报，或请信用办调整上限、用 xinyong import 导入历史数据"
            ),
        ));
    }
    Ok(())
}

/// A row with no value at all is not a record with every field missing: it
/// is refused with the batch, before anything is validated or stored.
/// (CSV and XLSX files skip blank lines when read; this is for JSON rows.)
fn refuse_empty_rows(table: &InputTable) -> Result<()> {
    let mut empty = table.rows.iter().filter(|(_, cells)| cells.iter().all(|c| c.trim().is_empty()));
    let Some((first, _)) = empty.next() else { return Ok(()) };
    let others = empty.count();
    let more = if others > 0 { format!("（另有 {others} 行同样）") } else { String::new() };
    Err(invalid(
        "row_empty",
        format!("第 {first} 行没有任何内容{more}：空行不是数据，整批未接收；请删除空行后重新提交"),
    ))
}

/// The refusal of a batch with too many rejected rows: how many, and the
/// most frequent problems with the first row showing each.
fn mostly_rejected(tally: &Tally, rows: usize, max: usize) -> CoreError {
    let mut by_problem: HashMap<(&str, &str), (usize, u64)> = HashMap::new();
    for report in tally.reports.iter().filter(|r| r.status == "rejected") {
        for issue in &report.issues {
            let entry = by_problem.entry((issue.field.as_str(), issue.code.as_str())).or_insert((0, report.row));
            entry.0 += 1;
            entry.1 = entry.1.min(report.row);
        }
    }
    let mut problems: Vec<_> = by_problem.into_iter().collect();
    problems.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    let top: Vec<String> = problems
        .iter()
        .take(5)
        .map(|((field, code), (n, first))| {
            let field = if field.is_empty() { String::new() } else { format!("“{field}”") };
            format!("{field}{code}：{n} 行（首见第 {first} 行）")
        })
        .collect();
    let rejected = tally.reports_rejected();
    let checked = if rejected > max { format!("至少 {rejected} 行") } else { format!("{rejected} 行") };
    invalid(
        "batch_mostly_rejected",
        format!(
            "本批 {rows} 行中{checked}不合格，超过允许的 {max} 行，整批未接收，未写入任何数据。主要问题：{}。\
             请按模板修正后重新提交（可先用试运行 dry_run 检查）",
            top.join("；")
        ),
    )
}

/// Step 1: every row validated against the catalog item; rejected rows go
/// straight into the tally. Rows are checked a chunk at a time, each chunk
/// spread over the cores (a row's check reads nothing but the row), and the
/// batch is refused as soon as more rows are rejected than `max_rejected`,
/// so a broken batch costs no more than its allowance and one more chunk.
fn validate_rows(
    item: &CatalogItem,
    matched: &HeaderMatch,
    table: &InputTable,
    ctx: &ValidationContext,
    max_rejected: Option<usize>,
) -> Result<(Vec<Good>, Tally)> {
    use rayon::prelude::*;
    let mut tally = Tally { results: Vec::with_capacity(table.rows.len()), ..Tally::default() };
    let mut good: Vec<Good> = Vec::new();
    for chunk in table.rows.chunks(VALIDATION_CHUNK) {
        if let Some(max) = max_rejected
            && tally.reports_rejected() > max
        {
            return Err(mostly_rejected(&tally, table.rows.len(), max));
        }
        let outcomes: Vec<RowOutcome> =
            chunk.par_iter().map(|(_, cells)| validate_row(item, &matched.cells(cells), ctx)).collect();
        for ((row, cells), outcome) in chunk.iter().zip(outcomes) {
            match outcome {
                RowOutcome::Valid { draft, warnings } => good.push(Good {
                    row: *row,
                    draft,
                    warnings: warnings.iter().map(issue).collect(),
                    cells: cells.clone(),
                }),
                RowOutcome::Invalid { errors, warnings } => {
                    let errors: Vec<RowIssue> = errors.iter().map(issue).collect();
                    let warnings = warnings.iter().map(issue).collect();
                    tally.reject(*row, cells.clone(), errors, warnings);
                }
            }
        }
    }
    match max_rejected {
        Some(max) if tally.reports_rejected() > max => Err(mostly_rejected(&tally, table.rows.len(), max)),
        _ => Ok((good, tally)),
    }
}

/// Warns — the row is still accepted — when a row names a legal
/// representative other than the one registered for its organisation: a
/// typo, a stale template, or a change the register has not caught up with;
/// the department checks which. The registered name is masked: the clerk
/// learns that the names differ, not whom the register names.
async fn legal_rep_warnings(core: &Core, item: &CatalogItem, good: &mut [Good]) -> Result<()> {
    let Some(field) = item.field_by_role(FieldRole::LegalRepName).map(|f| f.code().to_owned()) else {
        return Ok(());
    };
    let mut usccs: Vec<Uscc> = good
        .iter()
        .filter_map(|g| match &g.draft.subject {
            SubjectRef::LegalPerson { uscc, legal_representative: Some(_), .. } => Some(uscc.clone()),
            SubjectRef::LegalPerson { .. } | SubjectRef::NaturalPerson { .. } => None,
        })
        .collect();
    usccs.sort();
    usccs.dedup();
    let mut registered: HashMap<String, Vec<String>> = HashMap::new();
    for chunk in usccs.chunks(xinyong_storage::subjects::MAX_USCCS_PER_READ) {
        for (uscc, name) in xinyong_storage::subjects::legal_representatives(core.store(), chunk).await? {
            registered.entry(uscc).or_default().push(name);
        }
    }
    let mask = &core.settings().mask;
    for g in good.iter_mut() {
        let SubjectRef::LegalPerson { uscc, legal_representative: Some((name, _)), .. } = &g.draft.subject else {
            continue;
        };
        let Some(names) = registered.get(uscc.as_str()) else { continue };
        if names.iter().any(|n| n == name.as_str()) {
            continue;
        }
        let on_register: Vec<String> = names.iter().map(|n| mask.mask_name(n)).collect();
        g.warnings.push(RowIssue {
            field: field.clone(),
            code: "legal_rep_mismatch".to_owned(),
            message: format!(
                "法定代表人“{}”与平台登记的法定代表人（{}）不一致，记录已接收；请核实后如有错误提交更正",
                name.as_str(),
                on_register.join("、")
            ),
        });
    }
    Ok(())
}

/// Step 2: the stored records with the good rows' ids, and which of their
/// subjects the platform already knows.
async fn known(core: &Core, req: &IngestRequest, item: &CatalogItem, good: &[Good]) -> Result<Known> {
    let ids: Vec<String> = good
        .iter()
        .map(|g| record_id(req.department.as_str(), item.code(), &g.draft.document_number, &subject_of(&g.draft).key))
        .collect();
    let existing: HashMap<String, AcceptedRecord> = core
        .store()
        .get_many(ids.iter().map(|id| RecordRow::key(id.as_str())))
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r.into_record()))
        .collect();
    let legal_keys = good.iter().filter_map(|g| match &g.draft.subject {
        SubjectRef::LegalPerson { uscc, .. } => Some(SubjectRow::key(uscc)),
        SubjectRef::NaturalPerson { .. } => None,
    });
    let person_keys = good.iter().filter_map(|g| match &g.draft.subject {
        SubjectRef::NaturalPerson { id_number, .. } => Some(PersonRow::key(id_number)),
        SubjectRef::LegalPerson { .. } => None,
    });
    let mut subjects: HashSet<String> = HashSet::new();
    for row in core.store().get_many(legal_keys).await? {
        subjects.insert(row.uscc.as_str().to_owned());
    }
    for row in core.store().get_many(person_keys).await? {
        subjects.insert(row.id_number.as_str().to_owned());
    }
    Ok(Known { ids, existing, subjects })
}

impl Tally {
    /// Rows rejected so far.
    fn reports_rejected(&self) -> usize {
        self.rejected
    }

    fn reject(&mut self, row: u64, cells: Vec<String>, errors: Vec<RowIssue>, warnings: Vec<RowIssue>) {
        self.rejected += 1;
        self.reports.push(RowReport { row, status: "rejected".to_owned(), cells, issues: errors.clone() });
        self.results.push(RowResult { row, status: "rejected", record_id: None, errors, warnings });
    }

    fn event(&mut self, batch: &Batch<'_>, body: xinyong_domain::event::EventBody) {
        self.events.push(NewEvent { actor: batch.req.actor.clone(), rules: batch.versions.clone(), body });
    }

    /// Step 3 for one good row: new, duplicate, correction — or a conflict
    /// with an earlier row of the same batch.
    fn decide(&mut self, batch: &Batch<'_>, known: &Known, mut g: Good, rid: String) {
        if let Some(first_row) = self.seen_in_batch.get(&rid) {
            let error = RowIssue {
                field: String::new(),
                code: "duplicate_key_in_batch".to_owned(),
                message: format!("与本批第 {first_row} 行的决定文书号和相对人相同；同一条记录在一个批次中只能出现一次"),
            };
            self.reject(g.row, g.cells, vec![error], g.warnings);
            return;
        }
        self.seen_in_batch.insert(rid.clone(), g.row);
        let record = accepted_record(batch, &mut g.draft, rid.clone());
        let status = match known.existing.get(&rid) {
            Some(old) if old.fields == record.fields => {
                self.duplicates += 1;
                "duplicate"
            }
            Some(old) => {
                // A correction keeps when the record first arrived: timeliness
                // is about the first report, not the fix.
                let mut record = record;
                record.received_date = old.received_date;
                record.working_days = old.working_days;
                let changes = diff_fields(&old.fields, &record.fields);
                self.event(batch, CollectionEvent::RecordCorrected { record, changes }.into());
                self.corrected += 1;
                "corrected"
            }
            None => {
                let key = &record.subject.key;
                if !known.subjects.contains(key) && self.registered.insert(key.clone()) {
                    self.event(batch, subject_registration(&g.draft).into());
                }
                self.event(batch, CollectionEvent::RecordAccepted { record }.into());
                self.accepted += 1;
                if g.warnings.is_empty() { "accepted" } else { "accepted_with_warnings" }
            }
        };
        if !g.warnings.is_empty() {
            self.warned += 1;
            let status_text = "accepted_with_warnings".to_owned();
            self.reports.push(RowReport {
                row: g.row,
                status: status_text,
                cells: g.cells,
                issues: g.warnings.clone(),
            });
        }
        self.results.push(RowResult {
            row: g.row,
            status,
            record_id: Some(rid),
            errors: Vec::new(),
            warnings: g.warnings,
        });
    }

    /// The batch as received: counts and the rejected and warned rows, in row order.
    fn summary(&mut self, batch: &Batch<'_>) -> BatchSummary {
        self.results.sort_by_key(|r| r.row);
        self.reports.sort_by_key(|r| r.row);
        let req = batch.req;
        BatchSummary {
            id: batch.id.clone(),
            department: req.department.clone(),
            item: batch.item.code().to_owned(),
            catalog_version: batch.rules.catalog.version().to_owned(),
            source: req.source.as_str().to_owned(),
            file_name: req.file_name.clone(),
            idempotency_key: req.idempotency_key.clone(),
            received_date: batch.received,
            rows_total: req.table.rows.len() as u64,
            accepted: self.accepted,
            corrected: self.corrected,
            duplicates: self.duplicates,
            rejected: self.results.iter().filter(|r| r.status == "rejected").count() as u64,
            warnings: self.warned,
            headers: req.table.headers.clone(),
            reports: std::mem::take(&mut self.reports),
        }
    }
}

/// The record as accepted: the row's draft, judged by the publicity regime in
/// force on its decision date, with its working days to receipt. Takes the
/// draft's fields.
fn accepted_record(batch: &Batch<'_>, draft: &mut RecordDraft, rid: String) -> AcceptedRecord {
    let rules = batch.rules;
    let decision = decide_publicity(&rules.publicity, batch.item, draft, batch.sector.as_deref());
    let window = decision.window.as_ref();
    AcceptedRecord {
        id: rid,
        department: batch.req.department.clone(),
        item: batch.item.code().to_owned(),
        catalog_version: rules.catalog.version().to_owned(),
        batch_id: batch.id.clone(),
        document_number: draft.document_number.clone(),
        subject: subject_of(draft),
        decision_date: draft.decision_date,
        received_date: batch.received,
        working_days: rules.calendar.working_days_between(draft.decision_date, batch.received).ok(),
        deadline_working_days: batch.item.deadline_working_days().unwrap_or(7),
        publicity: RecordPublicity {
            regime: decision.regime.clone(),
            severity: decision.severity.map(|s| s.as_str().to_owned()),
            public: decision.public,
            non_public_reason: decision.non_public_reason.as_ref().map(|r| r.code().to_owned()),
            window_start: window.map(|w| w.start),
            earliest_end: window.map(|w| w.earliest_end),
            latest_end: window.and_then(|w| w.latest_end),
            repairable: window.is_some_and(|w| w.repairable),
        },
        // The draft's fields are not read again (a new subject's registration
        // takes its name and representative): moved, not copied.
        fields: std::mem::take(&mut draft.fields),
    }
}

/// The organisations this batch gives a public penalty (accepted or
/// corrected), each once.
fn penalised_organisations(batch: &Batch<'_>, events: &[NewEvent]) -> Vec<String> {
    if batch.item.category() != Category::AdministrativePenalty {
        return Vec::new();
    }
    let mut out: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Collection(
                CollectionEvent::RecordAccepted { record } | CollectionEvent::RecordCorrected { record, .. },
            ) if record.publicity.public && !record.subject.is_natural_person() => Some(record.subject.key.clone()),
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Step 4: one append of the new subjects, records, corrections and the batch;
/// nothing when every row was a duplicate, or on a dry run. The batch event's
/// log index.
async fn write(core: &Core, batch: &Batch<'_>, tally: &mut Tally, summary: &BatchSummary) -> Result<Option<u64>> {
    let worth_logging = summary.accepted + summary.corrected + summary.rejected + summary.warnings > 0;
    if batch.req.dry_run || !worth_logging {
        return Ok(None);
    }
    tally.event(batch, CollectionEvent::BatchReceived { batch: summary.clone() }.into());
    let penalised = penalised_organisations(batch, &tally.events);
    let outcome = core.append(std::mem::take(&mut tally.events)).await?;
    // 立即移出: a public penalty ends the subject's red-list entries at once.
    let why = format!("受到行政处罚（{}报送）", batch.req.department);
    crate::lists::listing::exit_red_listings(core, &penalised, batch.received, &why).await?;
    metrics::counter!("xinyong_records_accepted_total").increment(summary.accepted);
    metrics::counter!("xinyong_records_rejected_total").increment(summary.rejected);
    Ok(Some(outcome.size - 1))
}
