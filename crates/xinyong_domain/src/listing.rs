//! The listing life cycle (DOMAIN.md §3; 54号 clauses 八, 十, 十一, 十二):
//! proposal → prior notice with an objection window → decision (listed,
//! measures pushed to executing departments, personal records for the liable
//! people) → exit; plus the closed loop's acknowledgements and feedback, bans,
//! interviews, credit-check receipts and reported cases.
//!
//! Every step is an event ([`crate::event::EventBody`]); this module holds the
//! payloads, the projection tables they write and [`ListingState::check`], the
//! pure rule of which step may follow which. Core validates a step against the
//! stored state with it before appending.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::event::RoleHolder;
use crate::id_number::IdNumber;
use crate::intake::RecordSubject;
use crate::org::DepartmentCode;
use crate::projection::{Cell, ProjectionWrite, TableSpec, id_number_col, int_col, text_col};

/// A short stable id: `prefix` + the first 16 hex digits of SHA-256 over the
/// parts joined by U+001F. The same proposal sent twice gets the same id.
pub fn digest_id(prefix: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update([0x1f]);
        }
        h.update(p.as_bytes());
    }
    let hex = hex_lower(&h.finalize());
    format!("{prefix}{}", &hex[..16])
}

fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Status of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingStatus {
    /// 拟列入: proposed, notice not yet served.
    Proposed,
    /// 已告知: notice served, objection window running or passed.
    Noticed,
    /// 异议处理中: an objection holds the decision.
    UnderObjection,
    /// 已列入: decided and in force (measures apply until `valid_until`).
    Listed,
    /// 已撤回: dropped before a decision (objection upheld, or withdrawn).
    Withdrawn,
    /// 已移出: exited (expired, repaired, revoked, court decision).
    Exited,
}

impl ListingStatus {
    pub const ALL: [ListingStatus; 6] = [
        ListingStatus::Proposed,
        ListingStatus::Noticed,
        ListingStatus::UnderObjection,
        ListingStatus::Listed,
        ListingStatus::Withdrawn,
        ListingStatus::Exited,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ListingStatus::Proposed => "proposed",
            ListingStatus::Noticed => "noticed",
            ListingStatus::UnderObjection => "under_objection",
            ListingStatus::Listed => "listed",
            ListingStatus::Withdrawn => "withdrawn",
            ListingStatus::Exited => "exited",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ListingStatus::Proposed => "拟列入",
            ListingStatus::Noticed => "已告知",
            ListingStatus::UnderObjection => "异议处理中",
            ListingStatus::Listed => "已列入",
            ListingStatus::Withdrawn => "已撤回",
            ListingStatus::Exited => "已移出",
        }
    }

    pub fn parse(raw: &str) -> Option<ListingStatus> {
        ListingStatus::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// Why a listing ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    /// 期满移出
    Expired,
    /// 信用修复提前移出
    Repaired,
    /// 撤销(错误列入)
    Revoked,
    /// 依法院裁判移出
    CourtDecision,
}

impl ExitReason {
    pub const ALL: [ExitReason; 4] =
        [ExitReason::Expired, ExitReason::Repaired, ExitReason::Revoked, ExitReason::CourtDecision];

    pub fn as_str(self) -> &'static str {
        match self {
            ExitReason::Expired => "expired",
            ExitReason::Repaired => "repaired",
            ExitReason::Revoked => "revoked",
            ExitReason::CourtDecision => "court_decision",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ExitReason::Expired => "期满移出",
            ExitReason::Repaired => "信用修复移出",
            ExitReason::Revoked => "撤销列入",
            ExitReason::CourtDecision => "依法院裁判移出",
        }
    }

    pub fn parse(raw: &str) -> Option<ExitReason> {
        ExitReason::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// How an objection to a proposed listing was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionOutcome {
    /// 异议不成立: the proposal stands (维持).
    Rejected,
    /// 异议成立: the proposal is dropped (撤销).
    Accepted,
}

impl ObjectionOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionOutcome::Rejected => "rejected",
            ObjectionOutcome::Accepted => "accepted",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ObjectionOutcome::Rejected => "异议不成立，维持拟列入",
            ObjectionOutcome::Accepted => "异议成立，不予列入",
        }
    }

    pub fn parse(raw: &str) -> Option<ObjectionOutcome> {
        match raw {
            "rejected" => Some(ObjectionOutcome::Rejected),
            "accepted" => Some(ObjectionOutcome::Accepted),
            _ => None,
        }
    }
}

/// 约谈 kind (54号 clause 七.1: 提示约谈 / 警示约谈).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterviewKind {
    Reminder,
    Warning,
}

impl InterviewKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InterviewKind::Reminder => "reminder",
            InterviewKind::Warning => "warning",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            InterviewKind::Reminder => "提示约谈",
            InterviewKind::Warning => "警示约谈",
        }
    }

    pub fn parse(raw: &str) -> Option<InterviewKind> {
        match raw {
            "reminder" => Some(InterviewKind::Reminder),
            "warning" => Some(InterviewKind::Warning),
            _ => None,
        }
    }
}

/// 市场禁入 / 行业禁入 (54号 clause 十一).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BanScope {
    Market,
    Industry,
}

impl BanScope {
    pub fn as_str(self) -> &'static str {
        match self {
            BanScope::Market => "market",
            BanScope::Industry => "industry",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            BanScope::Market => "市场禁入",
            BanScope::Industry => "行业禁入",
        }
    }

    pub fn parse(raw: &str) -> Option<BanScope> {
        match raw {
            "market" => Some(BanScope::Market),
            "industry" => Some(BanScope::Industry),
            _ => None,
        }
    }
}

/// A proposal to list a subject (拟列入), with everything the decision and
/// the notice must state (49号 item 8; DOMAIN.md §3.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingProposal {
    pub id: String,
    pub list_code: String,
    /// `lists` rule version the proposal was made under.
    pub lists_version: String,
    pub subject: RecordSubject,
    pub department: DepartmentCode,
    /// 事由
    pub reason: String,
    /// 失信行为事实
    pub facts: String,
    /// 认定依据 (the legally effective document the finding rests on).
    pub legal_basis: String,
    /// Record ids (归集 records) the finding rests on, if any.
    #[serde(default)]
    pub source_records: Vec<String>,
    pub proposed_on: NaiveDate,
}

/// One measure pushed to one executing department.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MeasurePush {
    pub measure: String,
    pub department: DepartmentCode,
}

/// A ban (禁入) decided by a department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ban {
    pub id: String,
    pub subject: RecordSubject,
    pub scope: BanScope,
    /// Industry or market the ban covers, e.g. 食品生产经营.
    pub field: String,
    pub description: String,
    pub basis: String,
    pub department: DepartmentCode,
    pub decision_no: String,
    pub starts_on: NaiveDate,
    /// Last day in force; `None` = for life (终身禁入).
    pub ends_on: Option<NaiveDate>,
    /// Linked listing, if the ban came with one.
    #[serde(default)]
    pub listing_id: Option<String>,
}

impl Ban {
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.starts_on <= today && self.ends_on.is_none_or(|end| today <= end)
    }
}

/// A reminder or warning interview (约谈), recorded in the credit file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interview {
    pub id: String,
    pub subject: RecordSubject,
    pub kind: InterviewKind,
    pub department: DepartmentCode,
    pub held_on: NaiveDate,
    /// Who attended for the subject (names and roles; not public).
    pub interviewees: String,
    /// Who held it for the department.
    pub interviewers: String,
    /// 约谈内容及结果.
    pub outcome: String,
    /// Deadline for rectification set at the interview.
    #[serde(default)]
    pub rectify_by: Option<NaiveDate>,
    #[serde(default)]
    pub listing_id: Option<String>,
}

/// What the log keeps of one credit check: no personal data, so a batch's
/// body can be handed out with its salt to prove any receipt in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    /// Hex SHA-256 of the receipt's canonical JSON (the receipt id).
    pub id: String,
    pub department: DepartmentCode,
    pub case_ref: Option<String>,
    pub scenario: String,
    /// The USCC when the subject is an organisation; `None` for natural
    /// persons and subjects not found.
    pub subject: Option<String>,
    /// `restrict` / `caution` / `incentive` / `clear` / `not_found`.
    pub decision: String,
    /// When the check was answered (ms since the epoch).
    pub time_ms: i64,
}

/// A case a department reports as handled (for 应查必查 coverage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedCase {
    pub case_ref: String,
    pub scenario: String,
    pub subject: Option<String>,
    pub handled_on: NaiveDate,
}

// ---------------------------------------------------------------- tables

/// Listings (one row per proposal, whatever became of it).
pub static LISTINGS: TableSpec = TableSpec {
    name: "listings",
    columns: &[
        text_col("listing_id"),
        text_col("list_code"),
        text_col("list_kind"),
        text_col("subject_kind"),
        id_number_col("subject_key"),
        text_col("subject_name"),
        text_col("department"),
        text_col("status"),
        text_col("reason"),
        text_col("facts"),
        text_col("legal_basis"),
        text_col("source_records"),
        text_col("lists_version"),
        text_col("proposed_on"),
        text_col("notice_served_on"),
        text_col("objection_deadline"),
        text_col("decision_no"),
        text_col("decided_on"),
        text_col("valid_from"),
        text_col("valid_until"),
        text_col("measures"),
        text_col("exit_reason"),
        text_col("exited_on"),
        text_col("exit_decision_no"),
        text_col("exit_note"),
        int_col("seq"),
    ],
    key_len: 1,
};

/// Objections to proposed listings.
pub static LISTING_OBJECTIONS: TableSpec = TableSpec {
    name: "listing_objections",
    columns: &[
        text_col("objection_id"),
        text_col("listing_id"),
        text_col("filed_on"),
        text_col("grounds"),
        text_col("answer_due"),
        text_col("answered_on"),
        text_col("outcome"),
        text_col("reply"),
        int_col("seq"),
    ],
    key_len: 1,
};

/// The closed loop: one row per (listing, measure, executing department).
pub static MEASURE_PUSHES: TableSpec = TableSpec {
    name: "measure_pushes",
    columns: &[
        text_col("listing_id"),
        text_col("measure"),
        text_col("department"),
        int_col("pushed_seq"),
        int_col("pushed_ms"),
        int_col("acked_ms"),
        text_col("ack_note"),
        int_col("executed_ms"),
        text_col("outcome"),
        text_col("receipt_id"),
        text_col("case_ref"),
        int_col("lifted_ms"),
        int_col("seq"),
    ],
    key_len: 3,
};

/// What each department's feed shows, in log order (cursor = log index).
pub static FEED_ITEMS: TableSpec = TableSpec {
    name: "feed_items",
    columns: &[
        text_col("department"),
        int_col("cursor"),
        text_col("item_kind"),
        text_col("listing_id"),
        text_col("list_code"),
        text_col("subject_kind"),
        id_number_col("subject_key"),
        text_col("subject_name"),
        text_col("measures"),
        text_col("valid_until"),
        int_col("seq"),
    ],
    key_len: 2,
};

/// Personal credit records of liable people (十二). Never public.
pub static PERSONAL_RECORDS: TableSpec = TableSpec {
    name: "personal_records",
    columns: &[
        id_number_col("id_number"),
        text_col("listing_id"),
        text_col("role"),
        text_col("person_name"),
        text_col("uscc"),
        text_col("organisation_name"),
        text_col("list_code"),
        text_col("valid_until"),
        int_col("active"),
        int_col("seq"),
    ],
    key_len: 2,
};

/// Market and industry bans (十一).
pub static BANS: TableSpec = TableSpec {
    name: "bans",
    columns: &[
        text_col("ban_id"),
        text_col("subject_kind"),
        id_number_col("subject_key"),
        text_col("subject_name"),
        text_col("scope"),
        text_col("field"),
        text_col("description"),
        text_col("basis"),
        text_col("department"),
        text_col("decision_no"),
        text_col("starts_on"),
        text_col("ends_on"),
        text_col("listing_id"),
        text_col("lifted_on"),
        text_col("lift_reason"),
        int_col("seq"),
    ],
    key_len: 1,
};

/// Interviews (约谈).
pub static INTERVIEWS: TableSpec = TableSpec {
    name: "interviews",
    columns: &[
        text_col("interview_id"),
        text_col("subject_kind"),
        id_number_col("subject_key"),
        text_col("subject_name"),
        text_col("kind"),
        text_col("department"),
        text_col("held_on"),
        text_col("interviewees"),
        text_col("interviewers"),
        text_col("outcome"),
        text_col("rectify_by"),
        text_col("listing_id"),
        int_col("seq"),
    ],
    key_len: 1,
};

/// Credit-check receipts (from `checks_recorded` batches).
pub static CHECK_RECEIPTS: TableSpec = TableSpec {
    name: "check_receipts",
    columns: &[
        text_col("receipt_id"),
        text_col("department"),
        text_col("case_ref"),
        text_col("scenario"),
        text_col("subject"),
        text_col("decision"),
        int_col("time_ms"),
        int_col("seq"),
    ],
    key_len: 1,
};

/// Cases departments report as handled (denominator of 应查必查 coverage).
pub static REPORTED_CASES: TableSpec = TableSpec {
    name: "reported_cases",
    columns: &[
        text_col("department"),
        text_col("case_ref"),
        text_col("scenario"),
        text_col("subject"),
        text_col("handled_on"),
        int_col("seq"),
    ],
    key_len: 2,
};

/// Webhook subscriptions of departments' feeds.
pub static WEBHOOKS: TableSpec = TableSpec {
    name: "webhooks",
    columns: &[
        text_col("department"),
        text_col("url"),
        text_col("secret"),
        int_col("active"),
        int_col("delivered_cursor"),
        int_col("seq"),
    ],
    key_len: 1,
};

fn date(d: NaiveDate) -> Cell {
    Cell::text(d.to_string())
}

fn opt_date(d: Option<NaiveDate>) -> Cell {
    Cell::opt_text(d.map(|d| d.to_string()))
}

/// A listing as read back from its row (what the state checks and pages need).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingRow {
    pub listing_id: String,
    pub list_code: String,
    pub list_kind: String,
    pub subject: RecordSubject,
    pub department: String,
    pub status: ListingStatus,
    pub reason: String,
    pub facts: String,
    pub legal_basis: String,
    pub source_records: Vec<String>,
    pub lists_version: String,
    pub proposed_on: NaiveDate,
    pub notice_served_on: Option<NaiveDate>,
    pub objection_deadline: Option<NaiveDate>,
    pub decision_no: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub measures: Vec<String>,
    pub exit_reason: Option<ExitReason>,
    pub exited_on: Option<NaiveDate>,
    pub exit_decision_no: Option<String>,
    pub exit_note: Option<String>,
    pub seq: u64,
}

fn text_at(row: &[Cell], i: usize) -> Option<&str> {
    row.get(i).and_then(Cell::as_str)
}

fn date_at(row: &[Cell], i: usize) -> Option<NaiveDate> {
    text_at(row, i).and_then(|s| s.parse().ok())
}

fn words(s: Option<&str>) -> Vec<String> {
    s.map(|s| s.split_whitespace().map(str::to_owned).collect()).unwrap_or_default()
}

impl ListingRow {
    pub fn from_cells(row: &[Cell]) -> Option<ListingRow> {
        if row.len() != LISTINGS.columns.len() {
            return None;
        }
        Some(ListingRow {
            listing_id: text_at(row, 0)?.to_owned(),
            list_code: text_at(row, 1)?.to_owned(),
            list_kind: text_at(row, 2)?.to_owned(),
            subject: RecordSubject {
                kind: text_at(row, 3)?.to_owned(),
                key: text_at(row, 4)?.to_owned(),
                name: text_at(row, 5)?.to_owned(),
            },
            department: text_at(row, 6)?.to_owned(),
            status: ListingStatus::parse(text_at(row, 7)?)?,
            reason: text_at(row, 8).unwrap_or_default().to_owned(),
            facts: text_at(row, 9).unwrap_or_default().to_owned(),
            legal_basis: text_at(row, 10).unwrap_or_default().to_owned(),
            source_records: words(text_at(row, 11)),
            lists_version: text_at(row, 12).unwrap_or_default().to_owned(),
            proposed_on: date_at(row, 13)?,
            notice_served_on: date_at(row, 14),
            objection_deadline: date_at(row, 15),
            decision_no: text_at(row, 16).map(str::to_owned),
            decided_on: date_at(row, 17),
            valid_from: date_at(row, 18),
            valid_until: date_at(row, 19),
            measures: words(text_at(row, 20)),
            exit_reason: text_at(row, 21).and_then(ExitReason::parse),
            exited_on: date_at(row, 22),
            exit_decision_no: text_at(row, 23).map(str::to_owned),
            exit_note: text_at(row, 24).map(str::to_owned),
            seq: row.get(25).and_then(Cell::as_i64).and_then(|v| u64::try_from(v).ok())?,
        })
    }

    /// In force on `today`: decided, not exited, inside its validity.
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.status == ListingStatus::Listed
            && self.valid_from.is_some_and(|f| f <= today)
            && self.valid_until.is_none_or(|u| today <= u)
    }
}

// ---------------------------------------------------------------- writes

pub(crate) fn proposal_writes(p: &ListingProposal, list_kind: &str, seq: u64) -> Vec<ProjectionWrite> {
    vec![ProjectionWrite::Upsert {
        table: &LISTINGS,
        row: vec![
            Cell::text(p.id.as_str()),
            Cell::text(p.list_code.as_str()),
            Cell::text(list_kind),
            Cell::text(p.subject.kind.as_str()),
            Cell::text(p.subject.key.as_str()),
            Cell::text(p.subject.name.as_str()),
            Cell::text(p.department.as_str()),
            Cell::text(ListingStatus::Proposed.as_str()),
            Cell::text(p.reason.as_str()),
            Cell::text(p.facts.as_str()),
            Cell::text(p.legal_basis.as_str()),
            Cell::text(p.source_records.join(" ")),
            Cell::text(p.lists_version.as_str()),
            date(p.proposed_on),
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::int(seq),
        ],
    }]
}

pub(crate) fn listing_update(listing_id: &str, seq: u64, set: &[(&str, Cell)]) -> ProjectionWrite {
    let mut set = set.to_vec();
    set.push(("seq", Cell::int(seq)));
    ProjectionWrite::update(&LISTINGS, vec![Cell::text(listing_id)], &set)
}

pub(crate) fn status_cell(s: ListingStatus) -> Cell {
    Cell::text(s.as_str())
}

pub(crate) fn date_cell(d: NaiveDate) -> Cell {
    date(d)
}

pub(crate) fn opt_date_cell(d: Option<NaiveDate>) -> Cell {
    opt_date(d)
}

pub(crate) fn person_record_write(
    holder: &RoleHolder,
    listing_id: &str,
    organisation: &RecordSubject,
    list_code: &str,
    valid_until: Option<NaiveDate>,
    seq: u64,
) -> ProjectionWrite {
    ProjectionWrite::Upsert {
        table: &PERSONAL_RECORDS,
        row: vec![
            Cell::text(holder.person.id_number.as_str()),
            Cell::text(listing_id),
            Cell::text(holder.role.as_str()),
            Cell::text(holder.person.name.as_str()),
            Cell::text(organisation.key.as_str()),
            Cell::text(organisation.name.as_str()),
            Cell::text(list_code),
            opt_date(valid_until),
            Cell::Int(1),
            Cell::int(seq),
        ],
    }
}

pub(crate) fn person_record_ended(id: &IdNumber, listing_id: &str, seq: u64) -> ProjectionWrite {
    ProjectionWrite::update(
        &PERSONAL_RECORDS,
        vec![Cell::text(id.as_str()), Cell::text(listing_id)],
        &[("active", Cell::Int(0)), ("seq", Cell::int(seq))],
    )
}

#[expect(clippy::too_many_arguments, reason = "one feed row is this many facts; a struct would only rename them")]
pub(crate) fn feed_write(
    department: &DepartmentCode,
    item_kind: &str,
    listing_id: &str,
    list_code: &str,
    subject: &RecordSubject,
    measures: &[String],
    valid_until: Option<NaiveDate>,
    seq: u64,
) -> ProjectionWrite {
    ProjectionWrite::Upsert {
        table: &FEED_ITEMS,
        row: vec![
            Cell::text(department.as_str()),
            Cell::int(seq),
            Cell::text(item_kind),
            Cell::text(listing_id),
            Cell::text(list_code),
            Cell::text(subject.kind.as_str()),
            Cell::text(subject.key.as_str()),
            Cell::text(subject.name.as_str()),
            Cell::text(measures.join(" ")),
            opt_date(valid_until),
            Cell::int(seq),
        ],
    }
}

pub(crate) fn push_write(listing_id: &str, push: &MeasurePush, pushed_ms: i64, seq: u64) -> ProjectionWrite {
    ProjectionWrite::Upsert {
        table: &MEASURE_PUSHES,
        row: vec![
            Cell::text(listing_id),
            Cell::text(push.measure.as_str()),
            Cell::text(push.department.as_str()),
            Cell::int(seq),
            Cell::Int(pushed_ms),
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::int(seq),
        ],
    }
}

pub(crate) fn push_update(listing_id: &str, push: &MeasurePush, seq: u64, set: &[(&str, Cell)]) -> ProjectionWrite {
    let mut set = set.to_vec();
    set.push(("seq", Cell::int(seq)));
    ProjectionWrite::update(
        &MEASURE_PUSHES,
        vec![Cell::text(listing_id), Cell::text(push.measure.as_str()), Cell::text(push.department.as_str())],
        &set,
    )
}

pub(crate) fn ban_write(ban: &Ban, seq: u64) -> ProjectionWrite {
    ProjectionWrite::Upsert {
        table: &BANS,
        row: vec![
            Cell::text(ban.id.as_str()),
            Cell::text(ban.subject.kind.as_str()),
            Cell::text(ban.subject.key.as_str()),
            Cell::text(ban.subject.name.as_str()),
            Cell::text(ban.scope.as_str()),
            Cell::text(ban.field.as_str()),
            Cell::text(ban.description.as_str()),
            Cell::text(ban.basis.as_str()),
            Cell::text(ban.department.as_str()),
            Cell::text(ban.decision_no.as_str()),
            date(ban.starts_on),
            opt_date(ban.ends_on),
            Cell::opt_text(ban.listing_id.clone()),
            Cell::Null,
            Cell::Null,
            Cell::int(seq),
        ],
    }
}

pub(crate) fn interview_write(i: &Interview, seq: u64) -> ProjectionWrite {
    ProjectionWrite::Upsert {
        table: &INTERVIEWS,
        row: vec![
            Cell::text(i.id.as_str()),
            Cell::text(i.subject.kind.as_str()),
            Cell::text(i.subject.key.as_str()),
            Cell::text(i.subject.name.as_str()),
            Cell::text(i.kind.as_str()),
            Cell::text(i.department.as_str()),
            date(i.held_on),
            Cell::text(i.interviewees.as_str()),
            Cell::text(i.interviewers.as_str()),
            Cell::text(i.outcome.as_str()),
            opt_date(i.rectify_by),
            Cell::opt_text(i.listing_id.clone()),
            Cell::int(seq),
        ],
    }
}

pub(crate) fn receipt_write(r: &ReceiptLine, seq: u64) -> ProjectionWrite {
    ProjectionWrite::Upsert {
        table: &CHECK_RECEIPTS,
        row: vec![
            Cell::text(r.id.as_str()),
            Cell::text(r.department.as_str()),
            Cell::opt_text(r.case_ref.clone()),
            Cell::text(r.scenario.as_str()),
            Cell::opt_text(r.subject.clone()),
            Cell::text(r.decision.as_str()),
            Cell::Int(r.time_ms),
            Cell::int(seq),
        ],
    }
}

pub(crate) fn reported_case_write(department: &DepartmentCode, c: &ReportedCase, seq: u64) -> ProjectionWrite {
    ProjectionWrite::Upsert {
        table: &REPORTED_CASES,
        row: vec![
            Cell::text(department.as_str()),
            Cell::text(c.case_ref.as_str()),
            Cell::text(c.scenario.as_str()),
            Cell::opt_text(c.subject.clone()),
            date(c.handled_on),
            Cell::int(seq),
        ],
    }
}

// ---------------------------------------------------------------- life cycle

/// A step someone wants to take on a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    ServeNotice,
    FileObjection,
    AnswerObjection,
    Decide,
    Withdraw,
    Exit(ExitReason),
}

/// Why a step is not allowed now; `code()` is the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("当前状态为「{0}」，不能执行此操作")]
    WrongStatus(&'static str),
    #[error("异议期至 {0} 届满；期内不能作出列入决定")]
    ObjectionWindowOpen(NaiveDate),
    #[error("异议期已于 {0} 届满，不能再受理异议")]
    ObjectionWindowClosed(NaiveDate),
    #[error("该名单须先告知当事人并给予异议期，才能作出列入决定")]
    NoticeRequired,
    #[error("尚未满足提前移出条件：列入满 {months} 个月后({earliest} 起)方可申请信用修复移出")]
    RepairTooEarly { months: u32, earliest: NaiveDate },
    #[error("该名单不适用信用修复提前移出")]
    NotRepairable,
    #[error("有效期至 {0}，尚未届满")]
    NotExpired(NaiveDate),
}

impl StepError {
    pub fn code(&self) -> &'static str {
        match self {
            StepError::WrongStatus(_) => "listing_wrong_status",
            StepError::ObjectionWindowOpen(_) => "objection_window_open",
            StepError::ObjectionWindowClosed(_) => "objection_window_closed",
            StepError::NoticeRequired => "notice_required",
            StepError::RepairTooEarly { .. } => "repair_too_early",
            StepError::NotRepairable => "not_repairable",
            StepError::NotExpired(_) => "not_expired",
        }
    }
}

/// What the life-cycle rule needs to know about a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingState {
    pub status: ListingStatus,
    pub notice_required: bool,
    pub objection_deadline: Option<NaiveDate>,
    /// An objection was answered (rejected): the subject has been heard, so
    /// the decision need not wait for the rest of the window.
    pub objection_answered: bool,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub repairable: bool,
    pub early_exit_after_months: Option<u32>,
}

impl ListingState {
    /// Whether `step` may be taken on `today`.
    pub fn check(&self, step: Step, today: NaiveDate) -> Result<(), StepError> {
        use ListingStatus as S;
        let wrong = || Err(StepError::WrongStatus(self.status.name_zh()));
        match step {
            Step::ServeNotice => match self.status {
                S::Proposed => Ok(()),
                _ => wrong(),
            },
            Step::FileObjection => match (self.status, self.objection_deadline) {
                (S::Noticed, Some(deadline)) if today <= deadline => Ok(()),
                (S::Noticed, Some(deadline)) => Err(StepError::ObjectionWindowClosed(deadline)),
                _ => wrong(),
            },
            Step::AnswerObjection => match self.status {
                S::UnderObjection => Ok(()),
                _ => wrong(),
            },
            Step::Decide => match (self.status, self.objection_deadline) {
                (S::Proposed, _) if !self.notice_required => Ok(()),
                (S::Proposed, _) => Err(StepError::NoticeRequired),
                (S::Noticed, Some(deadline)) if today > deadline || self.objection_answered => Ok(()),
                (S::Noticed, Some(deadline)) => Err(StepError::ObjectionWindowOpen(deadline)),
                (S::Noticed, None) => Ok(()),
                _ => wrong(),
            },
            Step::Withdraw => match self.status {
                S::Proposed | S::Noticed => Ok(()),
                _ => wrong(),
            },
            Step::Exit(reason) => {
                if self.status != S::Listed {
                    return wrong();
                }
                match reason {
                    ExitReason::Revoked | ExitReason::CourtDecision => Ok(()),
                    ExitReason::Expired => match self.valid_until {
                        Some(until) if today > until => Ok(()),
                        Some(until) => Err(StepError::NotExpired(until)),
                        None => Err(StepError::WrongStatus("长期有效")),
                    },
                    ExitReason::Repaired => {
                        let Some(months) = self.early_exit_after_months.filter(|_| self.repairable) else {
                            return Err(StepError::NotRepairable);
                        };
                        let from = self.valid_from.unwrap_or(today);
                        let earliest = from.checked_add_months(chrono::Months::new(months)).unwrap_or(from);
                        if today >= earliest { Ok(()) } else { Err(StepError::RepairTooEarly { months, earliest }) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn state(status: ListingStatus) -> ListingState {
        ListingState {
            status,
            notice_required: true,
            objection_deadline: Some(d("2026-12-04")),
            objection_answered: false,
            valid_from: Some(d("2026-01-10")),
            valid_until: Some(d("2029-01-09")),
            repairable: true,
            early_exit_after_months: Some(12),
        }
    }

    #[test]
    fn a_decision_waits_for_the_objection_window() {
        let s = state(ListingStatus::Noticed);
        assert_eq!(s.check(Step::Decide, d("2026-12-04")).unwrap_err().code(), "objection_window_open");
        assert!(s.check(Step::Decide, d("2026-12-05")).is_ok());
        let heard = ListingState { objection_answered: true, ..s };
        assert!(heard.check(Step::Decide, d("2026-12-01")).is_ok());
    }

    #[test]
    fn objections_only_inside_the_window() {
        let s = state(ListingStatus::Noticed);
        assert!(s.check(Step::FileObjection, d("2026-12-04")).is_ok());
        assert_eq!(s.check(Step::FileObjection, d("2026-12-05")).unwrap_err().code(), "objection_window_closed");
        assert_eq!(
            state(ListingStatus::UnderObjection).check(Step::Decide, d("2027-01-01")).unwrap_err().code(),
            "listing_wrong_status"
        );
    }

    #[test]
    fn notice_is_required_unless_the_list_waives_it() {
        let s = state(ListingStatus::Proposed);
        assert_eq!(s.check(Step::Decide, d("2026-12-01")).unwrap_err().code(), "notice_required");
        let red = ListingState { notice_required: false, ..s };
        assert!(red.check(Step::Decide, d("2026-12-01")).is_ok());
    }

    #[test]
    fn exits_follow_their_conditions() {
        let s = state(ListingStatus::Listed);
        assert_eq!(s.check(Step::Exit(ExitReason::Expired), d("2029-01-09")).unwrap_err().code(), "not_expired");
        assert!(s.check(Step::Exit(ExitReason::Expired), d("2029-01-10")).is_ok());
        assert_eq!(s.check(Step::Exit(ExitReason::Repaired), d("2027-01-09")).unwrap_err().code(), "repair_too_early");
        assert!(s.check(Step::Exit(ExitReason::Repaired), d("2027-01-10")).is_ok());
        assert!(s.check(Step::Exit(ExitReason::Revoked), d("2026-02-01")).is_ok());
        let court = ListingState { repairable: false, early_exit_after_months: None, ..s };
        assert_eq!(
            court.check(Step::Exit(ExitReason::Repaired), d("2028-01-01")).unwrap_err().code(),
            "not_repairable"
        );
    }

    #[test]
    fn digest_ids_are_stable_and_prefixed() {
        let a = digest_id("LS", &["samr-serious", "91370100MA3C000000"]);
        assert_eq!(a, digest_id("LS", &["samr-serious", "91370100MA3C000000"]));
        assert_ne!(a, digest_id("LS", &["samr-serious91370100MA3C000000"]));
        assert_eq!(a.len(), 18);
    }
}
