//! What the public portal (信用济南) and the public API may show, decided in
//! one place so pages and JSON cannot drift apart.
//!
//! A record is public when all of these hold (DOMAIN §1.3, §2):
//! - it is about a legal person (natural persons' records are shared only
//!   by authorised query — 山东省社会信用条例 Art. 20);
//! - its catalog item is disclosed publicly (公开), in the catalog in force;
//! - the publicity decision made it public;
//! - today lies inside its window: `window_start <= today`, and
//!   `today < latest_end` unless the window is open-ended.
//!
//! Of a public record only fields the catalog marks public are shown; a
//! legal representative's name is masked (configuration `mask`), and any
//! resident ID number that slipped into free text is masked too. Anything
//! that cannot be read or classified is left out: the failure leaks nothing.

pub mod as_of;
pub(crate) mod disclose;
pub mod search;

pub use crate::auth::names::department_names;
pub use disclose::FieldDisclosure;

use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use xinyong_domain::collection::catalog::{Catalog, CatalogItem, Category, DisclosureLevel, FieldRole};
use xinyong_domain::collection::{AcceptedRecord, CollectionEvent, RecordRow};
use xinyong_domain::event::EventKind;
use xinyong_domain::inspections::InspectionsEvent;
use xinyong_domain::log::{LogEntry, body_commitment};
use xinyong_domain::mask::{MaskConfig, find_id_numbers};
use xinyong_domain::subjects::{PersonRow, RelationRole, SubjectRow};
use xinyong_domain::{DivisionCode, Uscc};
use xinyong_storage::PublicRecordFilter;
pub use xinyong_storage::RecordCursor;
use xinyong_storage::{portal as queries, subjects};

use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::portal::search::SearchIndex;

/// Whether `record` may appear on the portal on `today`.
pub fn record_is_public(record: &AcceptedRecord, catalog: &Catalog, today: NaiveDate) -> bool {
    let p = &record.publicity;
    record.subject.kind == "legal_person"
        && p.public
        && p.window_start.is_some_and(|start| start <= today)
        && p.latest_end.is_none_or(|end| today < end)
        && public_item(catalog, &record.item).is_some()
}

/// The catalog item, when its records are disclosed publicly.
fn public_item<'c>(catalog: &'c Catalog, code: &str) -> Option<&'c CatalogItem> {
    catalog.item(code).filter(|item| item.disclosure() == DisclosureLevel::Public)
}

/// One shown field of a public record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicField {
    /// Field code, e.g. `CF_SY`.
    pub code: String,
    /// Template header, e.g. 违法事实.
    pub name: String,
    /// What the value means to the platform (`decision_date`, …), if anything.
    pub role: Option<String>,
    /// The value as shown: masked where personal, money in 元.
    pub value: String,
}

/// A public record as the portal shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicRecord {
    pub id: String,
    pub item: String,
    pub item_name: String,
    /// Catalog category (`administrative_penalty`, …).
    pub category: String,
    pub department: String,
    pub document_number: String,
    pub subject_uscc: String,
    pub subject_name: String,
    pub decision_date: NaiveDate,
    /// Shown since.
    pub publicity_start: Option<NaiveDate>,
    /// Shown until (exclusive); `None` = no end date.
    pub publicity_until: Option<NaiveDate>,
    /// Log index of the event that wrote this version of the record.
    pub log_index: u64,
    /// Public fields in catalog order.
    pub fields: Vec<PublicField>,
    /// The subject objected to it and the objection is being handled (异议处理中).
    pub under_objection: bool,
}

impl PublicRecord {
    /// The shown value of a field by code ("" when absent or not public).
    pub fn get(&self, code: &str) -> &str {
        self.fields.iter().find(|f| f.code == code).map_or("", |f| f.value.as_str())
    }

    /// The shown value of the first field with this role ("" when none).
    pub fn role(&self, role: &str) -> &str {
        self.fields.iter().find(|f| f.role.as_deref() == Some(role)).map_or("", |f| f.value.as_str())
    }
}

/// Masks the personal data inside public text: ID numbers, telephone
/// numbers, e-mail addresses and bank card numbers
/// ([`xinyong_domain::personal_text`]).
pub fn scrub_personal_data(text: &str, mask: &MaskConfig) -> String {
    xinyong_domain::personal_text::scrub_personal_data(text, mask)
}

/// Stored money is a decimal number of 万元 (up to 6 decimals, one fen).
fn parse_wan_yuan(value: &str) -> Option<i64> {
    let (int, frac) = value.trim().split_once('.').unwrap_or((value.trim(), ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 6 {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int: i64 = int.parse().ok()?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<6}").parse().ok()? };
    int.checked_mul(1_000_000)?.checked_add(frac)
}

/// Groups digits in threes: 1234567 → "1,234,567".
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An amount stored in 万元 as readers expect it: "20,000 元（2 万元）";
/// below 1 万元 only in 元. Unreadable values are shown as stored.
pub fn format_money(wan_yuan: &str) -> String {
    let Some(fen) = parse_wan_yuan(wan_yuan) else { return wan_yuan.to_owned() };
    let yuan = fen / 100;
    let cents = fen % 100;
    let yuan_text =
        if cents == 0 { group_digits(yuan as u64) } else { format!("{}.{cents:02}", group_digits(yuan as u64)) };
    if fen >= 1_000_000 {
        format!("{yuan_text} 元（{} 万元）", wan_yuan.trim())
    } else {
        format!("{yuan_text} 元")
    }
}

/// What the public reads instead of prose the department marked as naming
/// natural persons (the row's 含自然人姓名 column is 是).
pub const WITHHELD_FOR_NAMES: &str = "（含自然人姓名，依法不予公示）";

/// The public view of a record; `None` when it is not public on `today`.
pub fn public_view(
    record: &AcceptedRecord,
    log_index: u64,
    catalog: &Catalog,
    mask: &MaskConfig,
    today: NaiveDate,
) -> Option<PublicRecord> {
    if !record_is_public(record, catalog, today) {
        return None;
    }
    let item = public_item(catalog, &record.item)?;
    let names_withheld = item.names_withheld(&record.fields);
    let fields = item
        .fields()
        .iter()
        .filter(|spec| spec.is_public())
        .filter_map(|spec| {
            let raw = record.fields.get(spec.code())?.trim();
            if raw.is_empty() {
                return None;
            }
            let role = spec.role();
            let value = match role {
                // Said by the field's name that it is there, and why not shown.
                _ if names_withheld && spec.is_withheld_when_names() => WITHHELD_FOR_NAMES.to_owned(),
                Some(FieldRole::LegalRepName) => mask.mask_name(raw),
                Some(FieldRole::FineAmount | FieldRole::ConfiscationAmount) => format_money(raw),
                Some(FieldRole::Status) => match raw {
                    "1" => "有效".to_owned(),
                    "2" => "无效".to_owned(),
                    other => scrub_personal_data(other, mask),
                },
                _ => scrub_personal_data(raw, mask),
            };
            Some(PublicField {
                code: spec.code().to_owned(),
                name: spec.name().to_owned(),
                role: role.map(|r| r.as_str().to_owned()),
                value,
            })
        })
        .collect();
    Some(PublicRecord {
        id: record.id.clone(),
        item: item.code().to_owned(),
        item_name: item.name().to_owned(),
        category: item.category().as_str().to_owned(),
        department: record.department.as_str().to_owned(),
        document_number: scrub_personal_data(&record.document_number, mask),
        subject_uscc: record.subject.key.clone(),
        subject_name: record.subject.name.clone(),
        decision_date: record.decision_date,
        publicity_start: record.publicity.window_start,
        publicity_until: record.publicity.latest_end,
        log_index,
        fields,
        under_objection: false,
    })
}

/// Stored `records` rows as the public sees them: those that are public
/// today. A row that does not parse is an error, never a silent gap.
fn public_views(rows: Vec<RecordRow>, catalog: &Catalog, mask: &MaskConfig, today: NaiveDate) -> Vec<PublicRecord> {
    let mut out = Vec::new();
    for row in rows {
        let seq = row.seq;
        out.extend(public_view(&row.into_record(), seq, catalog, mask, today));
    }
    out
}

/// Most roles read to find an organisation's representative.
const MAX_ROLES: u32 = 100;
/// Most public records one subject page shows, newest first.
const MAX_PROFILE_RECORDS: u32 = 1_000;

/// A legal representative (or an individual business's operator), masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Representative {
    /// `legal_representative` or `principal`.
    pub role: String,
    pub role_name: String,
    pub name_masked: String,
}

/// What the subject credit page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectProfile {
    pub uscc: String,
    pub name: String,
    pub status: String,
    pub status_name: String,
    /// Registration authority (USCC position 1), e.g. 工商.
    pub authority_name: String,
    /// Organisation category (position 2), e.g. 企业.
    pub category_name: String,
    /// Division of the registering authority (positions 3–8).
    pub division_code: String,
    pub division_name: String,
    pub representative: Option<Representative>,
    /// Log index of the event that last wrote the subject's basic facts.
    pub log_index: u64,
    /// The day the publicity windows were judged on (China Standard Time).
    pub as_of: NaiveDate,
    pub licences: Vec<PublicRecord>,
    pub penalties: Vec<PublicRecord>,
    /// Other administrative acts (inspection, coercion, …).
    pub other_acts: Vec<PublicRecord>,
    /// Published list entries (失信被执行人 …).
    pub list_entries: Vec<PublicRecord>,
    /// Published, in-force list memberships (名单信息; `published_lists`).
    pub memberships: Vec<crate::lists::published::PublishedListing>,
    /// The grades the public may see (`[evaluation]`).
    pub grades: crate::evaluation::view::PublicGrades,
}

/// A USCC as typed by a visitor: spaces and case do not matter.
pub fn normalize_uscc(raw: &str) -> Option<Uscc> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    Uscc::parse_lenient(&compact).ok().map(|(u, _)| u)
}

/// The public profile of a legal person; `None` when unknown.
pub async fn subject_profile(core: &Core, uscc: &Uscc) -> Result<Option<SubjectProfile>> {
    let store = core.store();
    let Some(row) = store.get(SubjectRow::key(uscc)).await? else { return Ok(None) };
    let status = row.status.as_str().to_owned();
    let status_name = row.status.name_zh();
    let authority = uscc.authority();
    let division_code = uscc.division_code().to_owned();
    let division_name = DivisionCode::parse(&division_code).map_or_else(|_| division_code.clone(), |d| d.full_name());
    let mask = &core.settings().mask;

    // The representative: an active role holder, named only masked.
    let mut representative = None;
    let mut relations = subjects::relations_of(store, uscc, MAX_ROLES).await?;
    relations.sort_by_key(|r| std::cmp::Reverse(r.seq));
    for rel in &relations {
        let (true, role @ (RelationRole::LegalRepresentative | RelationRole::Principal)) = (rel.active, rel.role)
        else {
            continue;
        };
        if let Some(person) = store.get(PersonRow::key(&rel.id_number)).await? {
            representative = Some(Representative {
                role: role.as_str().to_owned(),
                role_name: role.name_zh().to_owned(),
                name_masked: mask.mask_name(&person.name),
            });
            break;
        }
    }

    let today = china_today(core);
    let catalog = &core.rules().catalog;
    let mut profile = SubjectProfile {
        uscc: uscc.as_str().to_owned(),
        name: row.name.clone(),
        status,
        status_name: status_name.to_owned(),
        authority_name: authority.name_zh().to_owned(),
        category_name: uscc.category_name_zh().to_owned(),
        division_code,
        division_name,
        representative,
        log_index: row.seq,
        as_of: today,
        licences: Vec::new(),
        penalties: Vec::new(),
        other_acts: Vec::new(),
        list_entries: Vec::new(),
        memberships: crate::lists::published::memberships(core, uscc).await?,
        grades: crate::evaluation::view::public_grades(core, uscc).await?,
    };
    // Newest decision first (ties by id, descending), as read.
    let rows = queries::public_records_of(store, uscc, today, MAX_PROFILE_RECORDS).await?;
    let mut records = public_views(rows, catalog, mask, today);
    let disputed = xinyong_storage::objections::records_under_objection(store, uscc, MAX_PROFILE_RECORDS).await?;
    for record in &mut records {
        record.under_objection = disputed.contains(&record.id);
    }
    for record in records {
        let category = catalog.item(&record.item).map(CatalogItem::category);
        match category {
            Some(Category::AdministrativeLicensing) => profile.licences.push(record),
            Some(Category::AdministrativePenalty) => profile.penalties.push(record),
            Some(Category::CourtDishonestDebtor) => profile.list_entries.push(record),
            _ => profile.other_acts.push(record),
        }
    }
    Ok(Some(profile))
}

/// A page of a public record list (双公示, lists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicRecordPage {
    pub records: Vec<PublicRecord>,
    /// Matching records in all pages, counted up to what numbered paging
    /// reaches ([`ListBounds::pages`] pages).
    pub total: u64,
    /// More records match than `total`: the count stopped there.
    pub total_is_lower_bound: bool,
    /// Where the next page starts, when there is one.
    pub next: Option<RecordCursor>,
    /// The 1-based page shown (1 for a keyset page).
    pub page: u32,
    /// Pages that numbered paging can reach: all of them, up to
    /// [`ListBounds::pages`].
    pub pages: u32,
    /// What to tell about the search box's text, when the rows alone would
    /// mislead.
    pub notice: Option<SubjectTextNotice>,
}

/// Most organisations a list's name filter resolves to unless configured
/// (`[portal] name_filter_subjects`). A fragment such as 济南 is in most of
/// the city's names; the list then shows the records of the first ones in
/// search order, and says so.
pub const DEFAULT_NAMED_SUBJECTS: usize = 200;

/// Something to tell a visitor about the text typed into a list's search box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectTextNotice {
    /// Fewer than two characters once legal forms (有限公司 …) are stripped:
    /// it names no one in particular, and nothing is listed.
    TooShort,
    /// More than `shown` organisations' names contain it (the configured
    /// most): only the records of the first `shown` are listed.
    ManySubjects { shown: usize },
    /// Eighteen letters and digits whose last is not the check character of
    /// the first seventeen: a mistyped code, matched against nothing.
    UsccCheckCharacter { expected: char, found: char },
}

impl SubjectTextNotice {
    /// Stable code for machines.
    pub fn code(self) -> &'static str {
        match self {
            SubjectTextNotice::TooShort => "query_too_short",
            SubjectTextNotice::ManySubjects { .. } => "query_names_many_subjects",
            SubjectTextNotice::UsccCheckCharacter { .. } => "uscc_check_character",
        }
    }

    /// The same in plain Chinese, for the page and the API.
    pub fn message_zh(self) -> String {
        match self {
            SubjectTextNotice::TooShort => {
                "请输入名称中至少两个字（不含“有限公司”等组织形式），或完整的统一社会信用代码".to_owned()
            }
            SubjectTextNotice::ManySubjects { shown } => format!(
                "名称含这些字的主体超过 {shown} 个，只列出其中 {shown} 个主体的记录；请输入更完整的名称或统一社会信用代码"
            ),
            SubjectTextNotice::UsccCheckCharacter { expected, found } => {
                format!("统一社会信用代码校验位错误，应为 {expected}（输入的是 {found}），请核对后重新输入")
            }
        }
    }
}

/// The subjects whose records a list shows for what a visitor typed: a USCC
/// (canonical, as [`subject_text`] leaves it) is itself, registered here or
/// not; anything else is part of a name, looked up in the search index (the
/// organisations of `subjects`, by their current names; records keep the
/// name of their decision, so a renamed company's older records are found by
/// its new name, and by its code).
fn subjects_named(search: &SearchIndex, text: &str, most: usize) -> (Vec<String>, Option<SubjectTextNotice>) {
    if Uscc::parse(text).is_ok() {
        return (vec![text.to_owned()], None);
    }
    if let Some((expected, found)) = crate::portal::search::mistyped_code(text) {
        return (Vec::new(), Some(SubjectTextNotice::UsccCheckCharacter { expected, found }));
    }
    match search.organisations_named(text, most + 1) {
        None => (Vec::new(), Some(SubjectTextNotice::TooShort)),
        Some(mut keys) => {
            let many = keys.len() > most;
            keys.truncate(most);
            (keys, many.then_some(SubjectTextNotice::ManySubjects { shown: most }))
        }
    }
}

/// Largest page the lists serve.
pub const MAX_PAGE: u32 = 100;

/// Deepest numbered page of a public record list unless configured
/// (`[portal] list_pages`). A numbered page is an
/// `OFFSET` over the `records_public_item` index read newest first, so its
/// cost grows with its depth; 500 pages of 20 (10,000 rows, a few ms) cover
/// every list the city has today (2,684 licences ≈ 135 pages) while keeping
/// a crawler asking for page 10^9 cheap. Deeper rows are reached by
/// filtering (department, district, dates, name) or through the keyset
/// cursor (`after`), which costs the same at any depth. A cursor per page
/// was the other choice: it makes "page 7" a walk from page 1, which is
/// what the offset does inside the database, only slower.
pub const DEFAULT_LIST_PAGES: u32 = 500;

/// How much one request to a public record list may make the database
/// read (configuration `[portal]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListBounds {
    /// Most organisations the search box's text resolves to.
    pub named_subjects: usize,
    /// Deepest numbered page, and so how far the matches are counted.
    pub pages: u32,
}

impl Default for ListBounds {
    fn default() -> Self {
        Self { named_subjects: DEFAULT_NAMED_SUBJECTS, pages: DEFAULT_LIST_PAGES }
    }
}

/// What a public record list is asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicRecordQuery {
    pub item: String,
    pub department: Option<String>,
    pub division_prefix: Option<String>,
    pub decided_from: Option<NaiveDate>,
    pub decided_to: Option<NaiveDate>,
    /// A USCC (exact) or part of a subject name, as typed.
    pub subject_text: Option<String>,
    /// Keyset position; used when `page` is 0.
    pub cursor: Option<RecordCursor>,
    /// 1-based page number (clamped to the pages there are, at most
    /// [`ListBounds::pages`]); 0 pages by `cursor` instead.
    pub page: u32,
    pub limit: u32,
}

/// The name filter of a list as typed: a USCC in any spacing or case
/// becomes its canonical form (matched exactly), anything else is matched
/// as part of the subject name.
pub fn subject_text(raw: Option<&str>) -> Option<String> {
    let raw: String = raw?.trim().chars().take(100).collect();
    if raw.is_empty() {
        return None;
    }
    Some(normalize_uscc(&raw).map_or(raw, |u| u.as_str().to_owned()))
}

/// Public, in-window records of one item, newest decision first; the search
/// box's text is resolved through `search` to at most
/// `bounds.named_subjects` organisations.
pub async fn public_records(
    core: &Core,
    search: &SearchIndex,
    bounds: ListBounds,
    q: &PublicRecordQuery,
) -> Result<PublicRecordPage> {
    let catalog = &core.rules().catalog;
    let named = q
        .subject_text
        .as_deref()
        .filter(|t| !t.is_empty())
        .map(|text| subjects_named(search, text, bounds.named_subjects));
    let notice = named.as_ref().and_then(|(_, notice)| *notice);
    let names_no_one =
        matches!(notice, Some(SubjectTextNotice::TooShort | SubjectTextNotice::UsccCheckCharacter { .. }));
    if public_item(catalog, &q.item).is_none() || names_no_one {
        return Ok(PublicRecordPage {
            records: Vec::new(),
            total: 0,
            total_is_lower_bound: false,
            next: None,
            page: 1,
            pages: 1,
            notice,
        });
    }
    let today = china_today(core);
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let filter = PublicRecordFilter {
        item: q.item.clone(),
        today: day(today),
        department: q.department.clone().filter(|d| !d.is_empty()),
        division_prefix: q.division_prefix.clone().filter(|d| !d.is_empty()),
        decided_from: q.decided_from.map(day),
        decided_to: q.decided_to.map(day),
        subject_keys: named.map(|(keys, _)| keys),
    };
    let limit = q.limit.clamp(1, MAX_PAGE);
    let store = core.store();
    // Counted as far as numbered paging reaches, and one further to know
    // whether there are more: the count of a province's licences would
    // otherwise cost seconds on every visit to the list.
    let deepest = bounds.pages.max(1);
    let reachable = u64::from(deepest) * u64::from(limit);
    let counted = queries::count_public_records(store, &filter, reachable + 1).await?;
    let (total, total_is_lower_bound) = (counted.min(reachable), counted > reachable);
    let pages = u32::try_from(total.div_ceil(u64::from(limit))).unwrap_or(u32::MAX).clamp(1, deepest);
    let (rows, page) = if q.page == 0 {
        // One row more than asked tells whether there is a next page.
        (queries::public_records(store, &filter, q.cursor.as_ref(), limit + 1).await?, 1)
    } else {
        let page = q.page.clamp(1, pages);
        let offset = u64::from(page - 1) * u64::from(limit);
        (queries::public_records_at(store, &filter, offset, limit + 1).await?, page)
    };
    let more = rows.len() > limit as usize;
    let page_rows: Vec<_> = rows.into_iter().take(limit as usize).collect();
    let next = if more { page_rows.last().map(RecordCursor::after) } else { None };
    let mask = &core.settings().mask;
    // The SQL already selects public, in-window rows; the same rule is
    // applied again here so that the pages depend on one definition.
    let records = public_views(page_rows, catalog, mask, today);
    Ok(PublicRecordPage { records, total, total_is_lower_bound, next, page, pages, notice })
}

/// The opening of an entry's body commitment: anyone can recompute
/// `SHA-256(salt ‖ body)` and compare it with the entry's `body` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BodyOpening {
    /// The canonical JSON body, exactly as committed.
    pub body: String,
    pub salt_hex: String,
    /// The platform recomputed the commitment and it matches the entry.
    pub matches: bool,
}

/// Everything the verify page shows about one log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryVerification {
    pub index: u64,
    /// The entry bytes (eight lines of UTF-8 text, docs/LOG.md).
    pub entry: String,
    pub kind: String,
    /// The legal person the entry names, if any.
    pub subject: Option<String>,
    pub time: DateTime<Utc>,
    /// The C2SP tlog-proof against the latest checkpoint.
    pub proof: String,
    pub checkpoint_size: u64,
    pub verifier_key: String,
    /// `Ok` when the proof verified here with the public key; else why not.
    pub proof_check: std::result::Result<(), String>,
    /// Body and salt, only for a public record's current version that holds
    /// nothing that must stay private.
    pub opening: Option<BodyOpening>,
    /// Why the body is not shown (plain Chinese), when it is not.
    pub withheld: Option<String>,
    /// The public record this entry wrote, when it is public today.
    pub record: Option<PublicRecord>,
    /// Of a v2 entry (records), the public fields opened one by one.
    pub disclosures: Vec<FieldDisclosure>,
    /// Of a v2 entry, how many fields it commits (disclosed or not).
    pub field_count: Option<usize>,
}

/// Whether a record body reveals nothing beyond the public view: every field
/// it holds is public, none is a person's name (shown masked elsewhere), and
/// no value contains a resident ID number.
fn body_is_publishable(
    record: &AcceptedRecord,
    changes: &[(String, Option<String>, Option<String>)],
    catalog: &Catalog,
) -> bool {
    let Some(item) = public_item(catalog, &record.item) else { return false };
    let field_ok = |code: &str, value: &str| {
        value.trim().is_empty()
            || item.field(code).is_some_and(|spec| {
                spec.is_public() && spec.role() != Some(FieldRole::LegalRepName) && find_id_numbers(value).is_empty()
            })
            // "No names in the prose" reveals nothing.
            || item.field(code).is_some_and(|spec| {
                spec.role() == Some(FieldRole::ContainsPersonalNames)
                    && xinyong_domain::collection::record::parse_yes_no(value) == Some(false)
            })
    };
    record.fields.iter().all(|(code, value)| field_ok(code, value))
        && changes.iter().all(|(code, old, new)| {
            field_ok(code, old.as_deref().unwrap_or("")) && field_ok(code, new.as_deref().unwrap_or(""))
        })
        && find_id_numbers(&record.document_number).is_empty()
        && find_id_numbers(&record.subject.name).is_empty()
}

/// The verify view of entry `index`.
pub async fn verify_entry(core: &Core, index: u64) -> Result<EntryVerification> {
    let not_found = || CoreError::NotFound { what: format!("日志条目 {index}"), code: "log_entry_not_found" };
    let stored = core.store().events_from(index, 1).await?.into_iter().next().filter(|e| e.seq as u64 == index);
    let stored = stored.ok_or_else(not_found)?;
    let entry_bytes = stored.entry()?;
    let entry = LogEntry::parse(&entry_bytes).map_err(|e| CoreError::Log(format!("第 {index} 条日志无法解析：{e}")))?;
    let proof = core.inclusion_proof(index).await?;
    let proof_check = core
        .keys()
        .verifier()
        .map_err(|e| e.to_string())
        .and_then(|v| xinyong_tlog::verify_tlog_proof(&proof, &entry_bytes, &v).map_err(|e| e.to_string()))
        .map(|_| ());
    let checkpoint_size = xinyong_tlog::TlogProof::parse(&proof.to_text())
        .ok()
        .and_then(|p| p.checkpoint.lines().nth(1).and_then(|l| l.parse().ok()))
        .unwrap_or_default();

    // Only records are opened here; every other kind shows its entry and proof.
    let mut disclosures = Vec::new();
    let (opening, withheld, record) = match EventKind::parse(&stored.kind) {
        Some(EventKind::Collection(_)) => {
            match stored.body.as_deref().and_then(|b| serde_json::from_str::<CollectionEvent>(b).ok()) {
                Some(CollectionEvent::RecordAccepted { record }) => {
                    open_record(core, &stored, &entry, &record, &[], &mut disclosures).await?
                }
                Some(CollectionEvent::RecordCorrected { record, changes }) => {
                    open_record(core, &stored, &entry, &record, &changes, &mut disclosures).await?
                }
                Some(CollectionEvent::BatchReceived { .. } | CollectionEvent::RecordPublicityEnded { .. }) => {
                    (None, Some(NOT_A_RECORD.to_owned()), None)
                }
                None => (None, Some(BODY_GONE.to_owned()), None),
            }
        }
        // Lottery commitments and draws hold only plans, digests and
        // organisations' codes: their bodies open, so anyone can check the
        // published pool and seed against the log (docs/LOTTERY.md).
        Some(EventKind::Inspections(_)) => {
            match stored.body.as_deref().and_then(|b| serde_json::from_str::<InspectionsEvent>(b).ok()) {
                Some(event) if event.is_public_body() => (open_body(&stored, &entry), None, None),
                Some(_) => (None, Some(NOT_A_RECORD.to_owned()), None),
                None => (None, Some(BODY_GONE.to_owned()), None),
            }
        }
        // The status map's root, day and size are public by design.
        Some(EventKind::Reports(xinyong_domain::reports::ReportsKind::StatusMapCommitted)) => {
            let opening = open_body(&stored, &entry);
            if let (Some(o), Some(salt)) = (&opening, stored.salt.as_deref().and_then(|s| <[u8; 32]>::try_from(s).ok()))
            {
                disclosures = disclose::all_disclosures(&entry, &salt, &o.body);
            }
            (opening, None, None)
        }
        Some(_) if stored.body.is_some() => (None, Some(NOT_A_RECORD.to_owned()), None),
        Some(_) | None => (None, Some(BODY_GONE.to_owned()), None),
    };
    Ok(EntryVerification {
        index,
        entry: String::from_utf8_lossy(&entry_bytes).into_owned(),
        kind: entry.kind.clone(),
        subject: entry.subject.clone(),
        time: entry.time,
        proof: proof.to_text(),
        checkpoint_size,
        verifier_key: core.keys().verifier_key(),
        proof_check,
        opening,
        withheld,
        record,
        disclosures,
        field_count: entry.field_digests.as_ref().map(Vec::len),
    })
}

/// The body and salt of an entry whose body is public, checked against its commitment.
fn open_body(stored: &xinyong_storage::StoredEvent, entry: &LogEntry) -> Option<BodyOpening> {
    let body_text = stored.body.clone()?;
    let salt: [u8; 32] = stored.salt.as_deref().and_then(|s| s.try_into().ok())?;
    let commitment = base64::engine::general_purpose::STANDARD.encode(body_commitment(&salt, body_text.as_bytes()));
    let expected = base64::engine::general_purpose::STANDARD.encode(entry.body_commitment);
    Some(BodyOpening { body: body_text, salt_hex: hex::encode(salt), matches: commitment == expected })
}

const NOT_A_RECORD: &str = "本条日志不是公示记录（例如主体登记、部门或账户事项），其正文可能含有个人信息，不予公开。";
const BODY_GONE: &str = "本条日志的正文已不在平台保存，或无法读取。";

/// What `/verify` may open of a record's entry: the body and salt when the
/// record is public now, this is its current version and the body holds
/// nothing personal; otherwise why not. With the record's public view.
async fn open_record(
    core: &Core,
    stored: &xinyong_storage::StoredEvent,
    entry: &LogEntry,
    r: &AcceptedRecord,
    changes: &[xinyong_domain::collection::FieldChange],
    disclosures: &mut Vec<FieldDisclosure>,
) -> Result<(Option<BodyOpening>, Option<String>, Option<PublicRecord>)> {
    let index = entry.index;
    let today = china_today(core);
    let catalog = &core.rules().catalog;
    let mask = &core.settings().mask;
    let changes: Vec<(String, Option<String>, Option<String>)> =
        changes.iter().map(|c| (c.field.clone(), c.old.clone(), c.new.clone())).collect();
    let current_index = crate::collection::intake::record_with_log_index(core, &r.id).await?.map(|(_, i)| i);
    if r.subject.is_natural_person() || r.subject.kind != "legal_person" {
        let why = "本条是关于自然人的记录，依法不在门户公开，因此只显示条目和证明。";
        return Ok((None, Some(why.to_owned()), None));
    }
    if current_index != Some(index) {
        let why = match current_index {
            Some(i) => format!("该记录后来被更正，现行版本是第 {i} 条日志；旧版本的正文不再公开。"),
            None => "该记录已不在平台的记录表中，正文不公开。".to_owned(),
        };
        return Ok((None, Some(why), None));
    }
    if !record_is_public(r, catalog, today) {
        return Ok((None, Some("该记录目前不在公示期内或不予公示，因此只显示条目和证明。".to_owned()), None));
    }
    let record = public_view(r, index, catalog, mask, today);
    if let (Some(item), Some(body), Some(salt)) = (
        public_item(catalog, &r.item),
        stored.body.as_deref(),
        stored.salt.as_deref().and_then(|s| <[u8; 32]>::try_from(s).ok()),
    ) {
        *disclosures = disclose::public_disclosures(entry, &salt, body, r, item, mask);
    }
    if !body_is_publishable(r, &changes, catalog) {
        let why = if disclosures.is_empty() {
            "本条记录的正文含有不公开的个人信息（如法定代表人姓名或证件号码），因此不公开正文和盐值；\
             下方公开的字段由平台依据同一条记录展示。"
        } else {
            "本条记录的正文含有不公开的个人信息（如法定代表人姓名或证件号码），因此不公开整个正文和盐值；\
             公开的字段逐项披露如下，每一项都可以单独对照本条日志核验，不公开的字段只以摘要留在日志中。"
        };
        return Ok((None, Some(why.to_owned()), record));
    }
    let body_text = stored.body.clone().unwrap_or_default();
    let salt: Option<[u8; 32]> = stored.salt.as_deref().and_then(|s| s.try_into().ok());
    let opening = salt.map(|salt| {
        let commitment = base64::engine::general_purpose::STANDARD.encode(body_commitment(&salt, body_text.as_bytes()));
        let expected = base64::engine::general_purpose::STANDARD.encode(entry.body_commitment);
        BodyOpening { body: body_text, salt_hex: hex::encode(salt), matches: commitment == expected }
    });
    Ok((opening, None, record))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a list's search box resolves to: a code is itself, registered or
    /// not; a name fragment is the organisations whose names contain it (never
    /// a near miss), at most as many as configured; legal forms alone name
    /// no one.
    #[test]
    fn the_search_box_names_subjects_by_code_or_name() {
        use crate::portal::search::SubjectEntry;
        use xinyong_domain::subjects::SubjectStatus;
        let subjects: Vec<SubjectEntry> = (0..=DEFAULT_NAMED_SUBJECTS)
            .map(|i| SubjectEntry {
                seq: i as u64,
                uscc: format!("9137010000{i:07}X").into(),
                name: format!("济南泉润{i}商贸有限公司").into(),
                status: SubjectStatus::Active,
            })
            .collect();
        let search = SearchIndex::from_subjects(&subjects, 1);
        let code = subject_text(Some("9135 0100 m000 100y 43")).expect("text");
        let most = DEFAULT_NAMED_SUBJECTS;
        let named = |text: &str| subjects_named(&search, text, most);
        assert_eq!(named(&code), (vec!["91350100M000100Y43".to_owned()], None));
        assert_eq!(named("泉润7商贸"), (vec!["91370100000000007X".to_owned()], None));
        assert_eq!(named("泉润7商茂"), (Vec::new(), None), "no near misses");
        let (keys, notice) = named("泉润");
        assert_eq!((keys.len(), notice), (most, Some(SubjectTextNotice::ManySubjects { shown: most })));
        assert_eq!(named("有限公司"), (Vec::new(), Some(SubjectTextNotice::TooShort)));
        assert_eq!(named("润"), (Vec::new(), Some(SubjectTextNotice::TooShort)));
        let typo = SubjectTextNotice::UsccCheckCharacter { expected: '3', found: '4' };
        assert_eq!(named("91350100m000100y44"), (Vec::new(), Some(typo)));
        // The setting bounds it.
        let (keys, notice) = subjects_named(&search, "泉润", 5);
        assert_eq!((keys.len(), notice), (5, Some(SubjectTextNotice::ManySubjects { shown: 5 })));
    }

    #[test]
    fn money_reads_as_yuan_and_wan_yuan() {
        assert_eq!(format_money("2"), "20,000 元（2 万元）");
        assert_eq!(format_money("0.2"), "2,000 元");
        assert_eq!(format_money("0.000001"), "0.01 元");
        assert_eq!(format_money("12.5"), "125,000 元（12.5 万元）");
        assert_eq!(format_money("abc"), "abc");
        assert_eq!(format_money("1.1234567"), "1.1234567");
    }

    #[test]
    fn personal_data_in_free_text_is_masked() {
        let mask = MaskConfig::default();
        let text = "当事人11010519491231002X与11010519491231002x";
        assert_eq!(scrub_personal_data(text, &mask), "当事人110105********002X与110105********002X");
        assert_eq!(scrub_personal_data("罚款2000元", &mask), "罚款2000元");
        assert_eq!(scrub_personal_data("举报人王大锤 15866667777", &mask), "举报人王大锤 158****7777");
    }

    #[test]
    fn codes_are_read_whatever_the_case_and_spacing() {
        assert_eq!(
            normalize_uscc(" 91350100m000100y43 ").map(|u| u.as_str().to_owned()).as_deref(),
            Some("91350100M000100Y43")
        );
        assert_eq!(
            normalize_uscc("9135 0100 M000 100Y 43").map(|u| u.as_str().to_owned()).as_deref(),
            Some("91350100M000100Y43")
        );
        assert!(normalize_uscc("科技").is_none());
    }
}
