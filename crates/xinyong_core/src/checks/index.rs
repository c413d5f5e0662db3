//! The credit check index (应查必查): what is on record about each subject —
//! decided listings in force, personal-liability hits of liable people,
//! bans not lifted and the published records that bar 告知承诺
//! ([`super::commitment`]) — held in memory and kept current by the log follower, so
//! a check is a hash lookup plus [`xinyong_domain::checks::decide`].
//!
//! Structure and life cycle follow [`crate::portal::search::SearchIndex`]:
//! [`CheckIndex::rebuild`] reads the projections (`subjects`, `listings`,
//! `personal_records`, `bans`) after noting the log size, the follower then
//! applies every later event (applying one twice is harmless), and tests call
//! [`CheckIndex::catch_up`].
//!
//! Keys are the 18 ASCII bytes of a USCC or ID number (no allocation per
//! key); each subject's records sit in an `Arc`, so a check holds the read
//! lock only for the lookup and decides on its own copy of the pointer.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use chrono::NaiveDate;
use serde::Serialize;
use xinyong_domain::checks::{BanHit, CheckOutcome, Decision, LiabilityHit, Membership, decide};
use xinyong_domain::codes::id_number::IdNumber;
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::collection::{CollectionEvent, CollectionKind, RecordSubject};
use xinyong_domain::event::{EventBody, EventKind};
use xinyong_domain::lists::sanction::{Measure, SanctionRules, SubjectKind};
use xinyong_domain::lists::{
    BanRow, BanScope, ListingRow, ListingStatus, ListsEvent, ListsKind, ObjectionOutcome, PersonalRecordRow,
};
use xinyong_domain::mask::MaskConfig;
use xinyong_domain::subjects::{RelationRole, SubjectName};
use xinyong_domain::subjects::{RoleHolder, SubjectsEvent, SubjectsKind};

use super::commitment::{self, APPROVAL_SCENARIO, CommitmentAnswer, CommitmentBar};
use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::log::follower::{FollowedEvent, Follower, LogSubscriber};

/// Rows read per page when rebuilding.
const REBUILD_PAGE: u32 = 10_000;

/// Events applied per write-lock hold.
const APPLY_CHUNK: usize = 500;

type Key = [u8; 18];

fn key_of(s: &str) -> Option<Key> {
    <Key>::try_from(s.as_bytes()).ok()
}

/// What a check asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckQuery {
    /// A USCC, an ID number or an organisation's exact registered name.
    pub subject: String,
    /// Scenario code (`bidding`, `procurement`, …; `rules/measures.toml`).
    pub scenario: String,
    /// Approval item code, for scenario `approval`.
    pub item: Option<String>,
}

/// Why a check could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("{field} 不能为空")]
    MissingField { field: &'static str },
    #[error("subject(查询对象)无效：{0}")]
    InvalidSubject(String),
    #[error("scenario(场景)“{scenario}”未定义；可用的场景代码：{valid}")]
    UnknownScenario { scenario: String, valid: String },
}

impl CheckError {
    pub fn code(&self) -> &'static str {
        match self {
            CheckError::MissingField { .. } => "missing_field",
            CheckError::InvalidSubject(_) => "invalid_subject",
            CheckError::UnknownScenario { .. } => "unknown_scenario",
        }
    }

    /// The request field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            CheckError::MissingField { field } => field,
            CheckError::InvalidSubject(_) => "subject",
            CheckError::UnknownScenario { .. } => "scenario",
        }
    }
}

impl From<CheckError> for CoreError {
    fn from(e: CheckError) -> CoreError {
        CoreError::invalid(e.code(), e.to_string())
    }
}

/// Who was checked. For a person only the masked ID number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedSubject {
    /// `legal_person` or `natural_person`.
    pub kind: &'static str,
    pub uscc: Option<String>,
    pub name: Option<String>,
    pub id_number_masked: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MembershipView {
    pub listing_id: String,
    pub list_code: String,
    pub list_name: String,
    /// `serious` / `key_attention` / `red`; `unknown` for a retired list type.
    pub list_kind: &'static str,
    pub department: String,
    pub decision_no: String,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasureView {
    pub code: String,
    pub name: String,
    /// `administrative` / `market` / `industry` / `social`.
    pub category: &'static str,
    pub mandatory: bool,
    /// Department codes that carry the measure out.
    pub executors: Vec<String>,
}

impl From<&Measure> for MeasureView {
    fn from(m: &Measure) -> MeasureView {
        MeasureView {
            code: m.code.clone(),
            name: m.name.clone(),
            category: m.category.as_str(),
            mandatory: m.mandatory,
            executors: m.executors.iter().map(|d| d.as_str().to_owned()).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct MeasureLists {
    pub must: Vec<MeasureView>,
    pub may: Vec<MeasureView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BanView {
    pub ban_id: String,
    pub scope: BanScope,
    pub field: String,
    pub department: String,
    pub decision_no: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiabilityView {
    pub listing_id: String,
    pub list_code: String,
    pub list_name: String,
    pub role: RelationRole,
    pub uscc: String,
    pub organisation_name: String,
    pub valid_until: Option<NaiveDate>,
}

/// The answer to a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckAnswer {
    pub subject: CheckedSubject,
    /// Whether the platform knows the subject. An ID number without any
    /// record is answered `clear` with `found: false` (people are not
    /// indexed unless something is on record about them).
    pub found: bool,
    pub memberships: Vec<MembershipView>,
    pub measures: MeasureLists,
    pub incentives: Vec<MeasureView>,
    pub bans: Vec<BanView>,
    pub liabilities: Vec<LiabilityView>,
    pub decision: Decision,
    pub summary: Cow<'static, str>,
    /// Scenario 行政审批 only: whether 告知承诺 is available (国办发〔2020〕42号).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment: Option<CommitmentAnswer>,
}

/// Sizes of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CheckIndexStats {
    pub organisations: usize,
    pub people: usize,
    pub memberships: usize,
    pub liabilities: usize,
    pub bans: usize,
}

/// What is on record about one subject.
#[derive(Debug, Clone, Default)]
struct Entry {
    /// Registered name (organisations).
    name: Option<Arc<str>>,
    memberships: Vec<Membership>,
    liabilities: Vec<LiabilityHit>,
    bans: Vec<BanHit>,
    /// Published records that bar 告知承诺 (organisations).
    commitment_bars: Vec<CommitmentBar>,
}

/// The index's maps hash with foldhash, seeded per process: SipHash was a
/// tenth of start-up at a million organisations and part of every check.
/// Keys come from the log (registrations, decisions), not from the caller of
/// a check, who only looks up.
type Map<K, V> = HashMap<K, V, foldhash::quality::RandomState>;

#[derive(Default)]
struct Inner {
    orgs: Map<Key, Arc<Entry>>,
    people: Map<Key, Arc<Entry>>,
    /// Exact registered name → USCC.
    names: Map<Arc<str>, Key>,
    /// Ban id → (is a person, subject key): `ban_lifted` names only the ban.
    ban_owner: Map<String, (bool, Key)>,
    /// Deciding department of listings proposed but not yet decided:
    /// `listing_decided` does not repeat it.
    pending: Map<String, String>,
}

/// The check index. Share it with `Arc`; checks take a read lock for the
/// lookup, the follower a write lock per 500 events.
pub struct CheckIndex {
    inner: RwLock<Inner>,
    applied: AtomicU64,
    mask: MaskConfig,
    /// `[commitments] serious_records_bar`.
    serious_records_bar: bool,
}

impl fmt::Debug for CheckIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckIndex").field("stats", &self.stats()).field("applied", &self.applied()).finish()
    }
}

impl Default for CheckIndex {
    fn default() -> Self {
        CheckIndex::new(MaskConfig::default())
    }
}

impl CheckIndex {
    /// An empty index that has applied nothing; ID numbers in answers are
    /// masked with `mask`.
    pub fn new(mask: MaskConfig) -> CheckIndex {
        CheckIndex { inner: RwLock::new(Inner::default()), applied: AtomicU64::new(0), mask, serious_records_bar: true }
    }

    /// The same index answering by `[commitments] serious_records_bar`.
    pub fn barring_serious_records(mut self, on: bool) -> CheckIndex {
        self.serious_records_bar = on;
        self
    }

    /// Builds the index from the projections, remembering the log size read
    /// first (see [`crate::portal::search::SearchIndex::rebuild`]). Reading
    /// whole tables is the point here, so they are walked with the store's
    /// `scan`, page by page.
    pub async fn rebuild(core: &Core) -> Result<CheckIndex> {
        let size = core.store().log_size().await?;
        let subjects = crate::portal::search::read_subjects(core).await?;
        CheckIndex::rebuild_with(core, &subjects, size).await
    }

    /// [`CheckIndex::rebuild`] with the organisations already read (after
    /// the log size `size` was read): start-up reads `subjects` once for
    /// this index and the search index.
    pub async fn rebuild_with(
        core: &Core,
        subjects: &[crate::portal::search::SubjectEntry],
        size: u64,
    ) -> Result<CheckIndex> {
        let index = CheckIndex::with_names(core, subjects.len(), |add| {
            subjects.iter().for_each(|s| add(&s.uscc, &s.name));
        });
        index.load_projections(core, size).await
    }

    /// [`CheckIndex::rebuild`] with the organisations' names taken from a
    /// search index that reflects the log's first `size` entries (one loaded
    /// from its snapshot file): start-up then reads no `subjects` at all.
    pub async fn rebuild_from_search(
        core: &Core,
        search: &crate::portal::search::SearchIndex,
        size: u64,
    ) -> Result<CheckIndex> {
        let index = CheckIndex::with_names(core, search.len(), |add| search.for_each_organisation(add));
        index.load_projections(core, size).await
    }

    /// An index answering by the core's settings that holds the `count`
    /// organisations' codes and names `names` hands to its argument.
    fn with_names(core: &Core, count: usize, names: impl FnOnce(&mut dyn FnMut(&str, &str))) -> CheckIndex {
        let index = CheckIndex::new(core.settings().mask.clone())
            .barring_serious_records(core.settings().commitments.serious_records_bar);
        {
            let mut inner = index.write();
            // Sized once: growing a million-entry map rehashes it ~20 times.
            inner.orgs.reserve(count);
            inner.names.reserve(count);
            names(&mut |uscc, name| inner.set_name(uscc, name));
        }
        index
    }

    /// Adds what the list, ban and commitment projections hold to the
    /// organisations' names, read after the log size `size` was.
    async fn load_projections(self, core: &Core, size: u64) -> Result<CheckIndex> {
        self.load_listings(core).await?;
        self.load_liabilities(core).await?;
        self.load_bans(core).await?;
        self.load_commitment_bars(core).await?;
        self.write().shrink();
        self.applied.store(size, Ordering::Release);
        Ok(self)
    }

    /// Listings in force become memberships; those still being decided are
    /// pending.
    async fn load_listings(&self, core: &Core) -> Result<()> {
        let mut scan = core.store().scan::<ListingRow>(REBUILD_PAGE);
        while let Some(page) = scan.next_page().await? {
            let mut inner = self.write();
            for row in page {
                match row.status {
                    ListingStatus::Listed => {
                        let (Some(decision_no), Some(valid_from)) = (row.decision_no.clone(), row.valid_from) else {
                            continue;
                        };
                        let subject = row.subject();
                        let membership = Membership {
                            measures: row.measure_codes().to_vec(),
                            listing_id: row.listing_id,
                            list_code: row.list_code,
                            department: row.department.as_str().to_owned(),
                            decision_no,
                            valid_from,
                            valid_until: row.valid_until,
                        };
                        inner.add_membership(&subject, membership);
                    }
                    ListingStatus::Proposed | ListingStatus::Noticed | ListingStatus::UnderObjection => {
                        inner.pending.insert(row.listing_id, row.department.as_str().to_owned());
                    }
                    ListingStatus::Withdrawn | ListingStatus::Exited => {}
                }
            }
        }
        Ok(())
    }

    async fn load_liabilities(&self, core: &Core) -> Result<()> {
        let mut scan = core.store().scan::<PersonalRecordRow>(REBUILD_PAGE);
        while let Some(page) = scan.next_page().await? {
            let mut inner = self.write();
            for r in page.into_iter().filter(|r| r.active) {
                let hit = LiabilityHit {
                    listing_id: r.listing_id,
                    list_code: r.list_code,
                    role: r.role,
                    uscc: r.uscc,
                    organisation_name: r.organisation_name,
                    valid_until: r.valid_until,
                };
                inner.add_liability(r.id_number.as_str(), hit);
            }
        }
        Ok(())
    }

    async fn load_bans(&self, core: &Core) -> Result<()> {
        let mut scan = core.store().scan::<BanRow>(REBUILD_PAGE);
        while let Some(page) = scan.next_page().await? {
            let mut inner = self.write();
            for row in page.into_iter().filter(|r| r.lifted_on.is_none()) {
                let subject = row.subject();
                let ban = BanHit {
                    ban_id: row.ban_id,
                    scope: row.scope,
                    field: row.field,
                    department: row.department.as_str().to_owned(),
                    decision_no: row.decision_no,
                    starts_on: row.starts_on,
                    ends_on: row.ends_on,
                };
                inner.add_ban(&subject, ban);
            }
        }
        Ok(())
    }

    /// Published records that bar 告知承诺, read by a query rather than a
    /// scan of every record.
    async fn load_commitment_bars(&self, core: &Core) -> Result<()> {
        let mut after: Option<String> = None;
        loop {
            let page =
                xinyong_storage::commitments::barring_records(core.store(), after.as_deref(), REBUILD_PAGE).await?;
            let Some(last) = page.last() else { return Ok(()) };
            after = Some(last.id.clone());
            let mut inner = self.write();
            for row in &page {
                if let Some(bar) = commitment::bar_of_barring(row) {
                    inner.set_commitment_bar(&row.subject_key, &row.id, Some(bar));
                }
            }
        }
    }

    /// Reads the log from [`CheckIndex::applied`] to its end (tests; the
    /// server's follower does the same every 200 ms).
    pub async fn catch_up(&self, core: &Core) -> Result<u64> {
        Follower::starting_at(self.applied()).poll(core, &[self]).await
    }

    /// The log size applied: every event with a smaller index is reflected.
    pub fn applied(&self) -> u64 {
        self.applied.load(Ordering::Acquire)
    }

    pub fn stats(&self) -> CheckIndexStats {
        let inner = self.read();
        let mut stats = CheckIndexStats {
            organisations: inner.orgs.len(),
            people: inner.people.len(),
            memberships: 0,
            liabilities: 0,
            bans: 0,
        };
        for e in inner.orgs.values().chain(inner.people.values()) {
            stats.memberships += e.memberships.len();
            stats.liabilities += e.liabilities.len();
            stats.bans += e.bans.len();
        }
        stats
    }

    /// Applies one event body (the follower parses stored bodies and calls
    /// this; the bench feeds bodies directly).
    pub fn apply_body(&self, body: &EventBody) {
        self.write().apply(body);
    }

    /// Answers a check on `today` under `rules`.
    pub fn check(
        &self,
        rules: &SanctionRules,
        query: &CheckQuery,
        today: NaiveDate,
    ) -> std::result::Result<CheckAnswer, CheckError> {
        let scenario = scenario_of(rules, query)?;
        let raw = query.subject.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        if raw.is_empty() {
            return Err(CheckError::MissingField { field: "subject" });
        }
        let item = query.item.as_deref().map(str::trim).filter(|i| !i.is_empty());
        let subject = parse_subject(raw)?;
        let (kind, key, entry) = self.lookup(&subject);
        let checked = self.checked_subject(&subject, key, entry.as_deref());
        let Some(entry) = entry else {
            return Ok(not_found(kind, checked));
        };
        let out = decide(rules, kind, &entry.memberships, &entry.liabilities, &entry.bans, scenario, item, today);
        let mut answer = found(rules, out, checked);
        if scenario == APPROVAL_SCENARIO && kind == SubjectKind::LegalPerson {
            let (memberships, bars) = (&entry.memberships, &entry.commitment_bars);
            answer.commitment = Some(commitment::answer(rules, memberships, bars, today, self.serious_records_bar));
        }
        Ok(answer)
    }

    /// The subject's kind, its index key and its entry, if the index holds one.
    fn lookup(&self, subject: &Parsed) -> (SubjectKind, Option<Key>, Option<Arc<Entry>>) {
        let inner = self.read();
        match subject {
            Parsed::Uscc(u) => {
                let key = key_of(u.as_str());
                (SubjectKind::LegalPerson, key, key.and_then(|k| inner.orgs.get(&k).cloned()))
            }
            Parsed::Id(id) => {
                let key = key_of(id.as_str());
                (SubjectKind::NaturalPerson, key, key.and_then(|k| inner.people.get(&k).cloned()))
            }
            Parsed::Name(name) => match inner.names.get(name.as_str()) {
                Some(&k) => (SubjectKind::LegalPerson, Some(k), inner.orgs.get(&k).cloned()),
                None => (SubjectKind::LegalPerson, None, None),
            },
        }
    }

    /// Who was checked, as the answer names it: a person only by the masked
    /// ID number.
    fn checked_subject(&self, subject: &Parsed, key: Option<Key>, entry: Option<&Entry>) -> CheckedSubject {
        match subject {
            Parsed::Id(id) => CheckedSubject {
                kind: SubjectKind::NaturalPerson.as_str(),
                uscc: None,
                name: None,
                id_number_masked: Some(self.mask.mask_id(id.as_str())),
            },
            Parsed::Uscc(_) | Parsed::Name(_) => CheckedSubject {
                kind: SubjectKind::LegalPerson.as_str(),
                uscc: match (subject, key) {
                    (Parsed::Uscc(u), _) => Some(u.as_str().to_owned()),
                    (_, Some(k)) => std::str::from_utf8(&k).ok().map(str::to_owned),
                    _ => None,
                },
                name: match (entry, subject) {
                    (Some(e), _) => e.name.as_deref().map(str::to_owned),
                    (None, Parsed::Name(n)) => Some(n.as_str().to_owned()),
                    _ => None,
                },
                id_number_masked: None,
            },
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        // A panic while applying leaves at worst one subject half-updated;
        // answering on is better than failing every check from then on.
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }
}

enum Parsed {
    Uscc(Uscc),
    Id(IdNumber),
    Name(SubjectName),
}

/// An 18-character code is a USCC or an ID number; anything else is an exact
/// organisation name.
fn parse_subject(raw: &str) -> std::result::Result<Parsed, CheckError> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if compact.chars().count() == 18 && compact.chars().all(char::is_alphanumeric) {
        let uscc = Uscc::parse(&compact);
        if let Ok(u) = uscc {
            return Ok(Parsed::Uscc(u));
        }
        if let Ok(id) = IdNumber::parse(&compact) {
            return Ok(Parsed::Id(id));
        }
        // Eighteen ASCII letters and digits are a mistyped code, not a name.
        if compact.is_ascii() {
            let why = uscc.err().map(|e| e.to_string()).unwrap_or_default();
            return Err(CheckError::InvalidSubject(format!(
                "“{compact}”既不是有效的统一社会信用代码({why})，也不是有效的身份证号码"
            )));
        }
    }
    SubjectName::parse(raw).map(Parsed::Name).map_err(|e| CheckError::InvalidSubject(e.to_string()))
}

impl Inner {
    fn org_mut(&mut self, key: Key) -> &mut Entry {
        Arc::make_mut(self.orgs.entry(key).or_default())
    }

    fn subject_mut(&mut self, subject: &RecordSubject) -> Option<&mut Entry> {
        let key = key_of(&subject.key)?;
        if subject.is_natural_person() {
            Some(Arc::make_mut(self.people.entry(key).or_default()))
        } else {
            if !subject.name.is_empty() && !self.orgs.contains_key(&key) {
                self.set_name(&subject.key, &subject.name);
            }
            Some(self.org_mut(key))
        }
    }

    fn set_name(&mut self, uscc: &str, name: &str) {
        let Some(key) = key_of(uscc) else { return };
        let name: Arc<str> = Arc::from(name);
        let entry = self.orgs.entry(key).or_default();
        if entry.name.as_deref() == Some(&*name) {
            return;
        }
        let entry = Arc::make_mut(entry);
        if let Some(old) = entry.name.replace(Arc::clone(&name))
            && self.names.get(&old) == Some(&key)
        {
            self.names.remove(&old);
        }
        self.names.insert(name, key);
    }

    fn add_membership(&mut self, subject: &RecordSubject, m: Membership) {
        if let Some(e) = self.subject_mut(subject) {
            e.memberships.retain(|x| x.listing_id != m.listing_id);
            e.memberships.push(m);
        }
    }

    fn add_liability(&mut self, id_number: &str, hit: LiabilityHit) {
        let Some(key) = key_of(id_number) else { return };
        let e = Arc::make_mut(self.people.entry(key).or_default());
        e.liabilities.retain(|x| x.listing_id != hit.listing_id);
        e.liabilities.push(hit);
    }

    fn add_ban(&mut self, subject: &RecordSubject, ban: BanHit) {
        let Some(key) = key_of(&subject.key) else { return };
        self.ban_owner.insert(ban.ban_id.clone(), (subject.is_natural_person(), key));
        if let Some(e) = self.subject_mut(subject) {
            e.bans.retain(|x| x.ban_id != ban.ban_id);
            e.bans.push(ban);
        }
    }

    /// Puts (or with `None` removes) the bar a record of organisation `uscc`
    /// is; an organisation the index does not hold gets an entry only for a bar.
    fn set_commitment_bar(&mut self, uscc: &str, record_id: &str, bar: Option<CommitmentBar>) {
        let Some(key) = key_of(uscc) else { return };
        if bar.is_none() && !self.orgs.contains_key(&key) {
            return;
        }
        let e = self.org_mut(key);
        e.commitment_bars.retain(|b| b.record_id != record_id);
        e.commitment_bars.extend(bar);
    }

    // Event dispatch: exhaustive, no `_` arm (clippy denies it here).
    #[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
    fn apply_collection(&mut self, event: &CollectionEvent) {
        match event {
            CollectionEvent::RecordAccepted { record } | CollectionEvent::RecordCorrected { record, .. } => {
                if !record.subject.is_natural_person() {
                    self.set_commitment_bar(&record.subject.key, &record.id, commitment::bar_of_record(record));
                }
            }
            CollectionEvent::RecordPublicityEnded { record_id, subject, .. } => {
                self.set_commitment_bar(subject, record_id, None);
            }
            CollectionEvent::BatchReceived { .. } => {}
        }
    }

    /// People are indexed only while something is on record about them, so
    /// an index that followed the log holds what a rebuild would.
    fn forget_if_empty(&mut self, key: Key) {
        if self
            .people
            .get(&key)
            .is_some_and(|e| e.memberships.is_empty() && e.liabilities.is_empty() && e.bans.is_empty())
        {
            self.people.remove(&key);
        }
    }

    fn shrink(&mut self) {
        self.orgs.shrink_to_fit();
        self.people.shrink_to_fit();
        self.names.shrink_to_fit();
    }

    // Event dispatch: exhaustive, no `_` arm (clippy denies it here).
    #[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
    fn apply(&mut self, body: &EventBody) {
        match body {
            EventBody::Subjects(e) => self.apply_subjects(e),
            EventBody::Lists(e) => self.apply_lists(e),
            EventBody::Collection(e) => self.apply_collection(e),
            EventBody::Auth(_)
            | EventBody::Rules(_)
            | EventBody::Checks(_)
            | EventBody::ClosedLoop(_)
            | EventBody::Objections(_)
            | EventBody::Repair(_)
            | EventBody::Evaluation(_)
            | EventBody::Subscriptions(_)
            | EventBody::Inspections(_)
            | EventBody::Campaigns(_)
            | EventBody::Commitments(_)
            | EventBody::Registrations(_)
            | EventBody::Notices(_)
            | EventBody::Reports(_)
            | EventBody::Agencies(_)
            | EventBody::Log(_) => {}
        }
    }

    // Event dispatch: exhaustive, no `_` arm (clippy denies it here).
    #[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
    fn apply_subjects(&mut self, event: &SubjectsEvent) {
        match event {
            SubjectsEvent::LegalPersonRegistered { subject, .. } | SubjectsEvent::LegalPersonUpdated { subject } => {
                self.set_name(subject.uscc.as_str(), subject.name.as_str());
            }
            SubjectsEvent::NaturalPersonRegistered { .. }
            | SubjectsEvent::RelationAdded { .. }
            | SubjectsEvent::RelationEnded { .. } => {}
        }
    }

    // Event dispatch: exhaustive, no `_` arm (clippy denies it here).
    #[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
    fn apply_lists(&mut self, event: &ListsEvent) {
        match event {
            ListsEvent::ListingProposed { proposal, .. } => {
                self.pending.insert(proposal.id.clone(), proposal.department.as_str().to_owned());
            }
            ListsEvent::ListingWithdrawn { listing_id, .. } => {
                self.pending.remove(listing_id);
            }
            ListsEvent::ListingObjectionAnswered { listing_id, outcome, .. } => {
                if *outcome == ObjectionOutcome::Accepted {
                    self.pending.remove(listing_id);
                }
            }
            ListsEvent::ListingDecided {
                listing_id,
                list_code,
                subject,
                decision_no,
                valid_from,
                valid_until,
                measures,
                liable_people,
                ..
            } => {
                let department = self.pending.remove(listing_id).unwrap_or_default();
                let m = Membership {
                    listing_id: listing_id.clone(),
                    list_code: list_code.clone(),
                    department,
                    decision_no: decision_no.clone(),
                    valid_from: *valid_from,
                    valid_until: *valid_until,
                    measures: measures.clone(),
                };
                self.add_membership(subject, m);
                for RoleHolder { role, person } in liable_people {
                    let hit = LiabilityHit {
                        listing_id: listing_id.clone(),
                        list_code: list_code.clone(),
                        role: *role,
                        uscc: subject.key.clone(),
                        organisation_name: subject.name.clone(),
                        valid_until: *valid_until,
                    };
                    self.add_liability(person.id_number.as_str(), hit);
                }
            }
            ListsEvent::ListingExited { listing_id, subject, liable_people, .. } => {
                self.exit(listing_id, subject, liable_people);
            }
            ListsEvent::BanImposed { ban } => {
                let hit = BanHit {
                    ban_id: ban.id.clone(),
                    scope: ban.scope,
                    field: ban.field.clone(),
                    department: ban.department.as_str().to_owned(),
                    decision_no: ban.decision_no.clone(),
                    starts_on: ban.starts_on,
                    ends_on: ban.ends_on,
                };
                self.add_ban(&ban.subject, hit);
            }
            ListsEvent::BanLifted { ban_id, .. } => {
                if let Some((person, key)) = self.ban_owner.remove(ban_id) {
                    let map = if person { &mut self.people } else { &mut self.orgs };
                    if let Some(e) = map.get_mut(&key) {
                        Arc::make_mut(e).bans.retain(|b| &b.ban_id != ban_id);
                    }
                    if person {
                        self.forget_if_empty(key);
                    }
                }
            }
            // Steps before a decision change nothing a check answers.
            ListsEvent::ListingNoticeServed { .. }
            | ListsEvent::ListingObjectionFiled { .. }
            | ListsEvent::ListingObjectionWaived { .. }
            | ListsEvent::InterviewRecorded { .. } => {}
        }
    }

    /// A listing ended: the subject's membership and its people's liabilities go.
    fn exit(&mut self, listing_id: &str, subject: &RecordSubject, liable_people: &[IdNumber]) {
        if let Some(key) = key_of(&subject.key) {
            let map = if subject.is_natural_person() { &mut self.people } else { &mut self.orgs };
            if let Some(e) = map.get_mut(&key) {
                Arc::make_mut(e).memberships.retain(|m| m.listing_id != listing_id);
            }
            if subject.is_natural_person() {
                self.forget_if_empty(key);
            }
        }
        for id in liable_people {
            if let Some(key) = key_of(id.as_str())
                && let Some(e) = self.people.get_mut(&key)
            {
                Arc::make_mut(e).liabilities.retain(|h| h.listing_id != listing_id);
                self.forget_if_empty(key);
            }
        }
    }
}

/// The query's scenario, which must be one of the rules'.
fn scenario_of<'q>(rules: &SanctionRules, query: &'q CheckQuery) -> std::result::Result<&'q str, CheckError> {
    let scenario = query.scenario.trim();
    if scenario.is_empty() {
        return Err(CheckError::MissingField { field: "scenario" });
    }
    if rules.scenario(scenario).is_none() {
        let valid = rules.scenarios().iter().map(|s| format!("{}({})", s.code, s.name)).collect::<Vec<_>>();
        return Err(CheckError::UnknownScenario { scenario: scenario.to_owned(), valid: valid.join("、") });
    }
    Ok(scenario)
}

/// The answer for a subject the index holds nothing about.
fn not_found(kind: SubjectKind, checked: CheckedSubject) -> CheckAnswer {
    let (decision, summary) = match kind {
        SubjectKind::NaturalPerson => (Decision::Clear, "未发现该自然人的失信惩戒、禁入或责任人记录"),
        SubjectKind::LegalPerson => (Decision::NotFound, "平台未登记该主体，请核对统一社会信用代码或名称"),
    };
    CheckAnswer {
        subject: checked,
        found: false,
        memberships: Vec::new(),
        measures: MeasureLists::default(),
        incentives: Vec::new(),
        bans: Vec::new(),
        liabilities: Vec::new(),
        decision,
        summary: Cow::Borrowed(summary),
        commitment: None,
    }
}

/// The answer for a known subject: the decision with the memberships,
/// measures, bans and liabilities it rests on.
fn found(rules: &SanctionRules, out: CheckOutcome<'_, '_>, checked: CheckedSubject) -> CheckAnswer {
    let list = |code: &str| rules.list(code);
    CheckAnswer {
        subject: checked,
        found: true,
        memberships: out
            .memberships
            .iter()
            .map(|m| MembershipView {
                listing_id: m.listing_id.clone(),
                list_code: m.list_code.clone(),
                list_name: list(&m.list_code).map_or_else(|| m.list_code.clone(), |l| l.name.clone()),
                list_kind: list(&m.list_code).map_or("unknown", |l| l.kind.as_str()),
                department: m.department.clone(),
                decision_no: m.decision_no.clone(),
                valid_from: m.valid_from,
                valid_until: m.valid_until,
            })
            .collect(),
        measures: MeasureLists {
            must: out.must.iter().map(|m| MeasureView::from(*m)).collect(),
            may: out.may.iter().map(|m| MeasureView::from(*m)).collect(),
        },
        incentives: out.incentives.iter().map(|m| MeasureView::from(*m)).collect(),
        bans: out
            .bans
            .iter()
            .map(|b| BanView {
                ban_id: b.ban_id.clone(),
                scope: b.scope,
                field: b.field.clone(),
                department: b.department.clone(),
                decision_no: b.decision_no.clone(),
                starts_on: b.starts_on,
                ends_on: b.ends_on,
            })
            .collect(),
        liabilities: out
            .liabilities
            .iter()
            .map(|h| LiabilityView {
                listing_id: h.listing_id.clone(),
                list_code: h.list_code.clone(),
                list_name: list(&h.list_code).map_or_else(|| h.list_code.clone(), |l| l.name.clone()),
                role: h.role,
                uscc: h.uscc.clone(),
                organisation_name: h.organisation_name.clone(),
                valid_until: h.valid_until,
            })
            .collect(),
        decision: out.decision,
        summary: out.summary,
        commitment: None,
    }
}

// Follower dispatch: exhaustive over event kinds, no `_` arm (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl LogSubscriber for CheckIndex {
    fn wants(&self, kind: EventKind) -> bool {
        match kind {
            EventKind::Subjects(k) => match k {
                SubjectsKind::LegalPersonRegistered | SubjectsKind::LegalPersonUpdated => true,
                SubjectsKind::NaturalPersonRegistered | SubjectsKind::RelationAdded | SubjectsKind::RelationEnded => {
                    false
                }
            },
            EventKind::Lists(k) => match k {
                ListsKind::ListingProposed
                | ListsKind::ListingObjectionAnswered
                | ListsKind::ListingWithdrawn
                | ListsKind::ListingDecided
                | ListsKind::ListingExited
                | ListsKind::BanImposed
                | ListsKind::BanLifted => true,
                ListsKind::ListingNoticeServed
                | ListsKind::ListingObjectionFiled
                | ListsKind::ListingObjectionWaived
                | ListsKind::InterviewRecorded => false,
            },
            EventKind::Collection(k) => match k {
                CollectionKind::RecordAccepted
                | CollectionKind::RecordCorrected
                | CollectionKind::RecordPublicityEnded => true,
                CollectionKind::BatchReceived => false,
            },
            EventKind::Auth(_)
            | EventKind::Rules(_)
            | EventKind::Checks(_)
            | EventKind::ClosedLoop(_)
            | EventKind::Objections(_)
            | EventKind::Repair(_)
            | EventKind::Evaluation(_)
            | EventKind::Subscriptions(_)
            | EventKind::Inspections(_)
            | EventKind::Campaigns(_)
            | EventKind::Commitments(_)
            | EventKind::Registrations(_)
            | EventKind::Notices(_)
            | EventKind::Reports(_)
            | EventKind::Agencies(_)
            | EventKind::Log(_) => false,
        }
    }

    fn apply(&self, events: &[&FollowedEvent], through: u64) {
        let applied = self.applied();
        for chunk in events.chunks(APPLY_CHUNK) {
            let mut inner = self.write();
            for event in chunk.iter().filter(|e| e.seq >= applied) {
                inner.apply(&event.body);
            }
        }
        self.applied.fetch_max(through, Ordering::AcqRel);
    }
}
