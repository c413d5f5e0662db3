//! Company-name search that follows the log.
//!
//! # What it answers
//!
//! - A unified social credit code (18 characters; spaces, hyphens, lower case
//!   and full-width characters are tolerated) finds that subject
//!   ([`MatchKind::Code`]).
//! - Any run of two or more characters of a name finds the subject (unless
//!   the run is nothing but legal-form words, see below). Names and
//!   queries are compared after [`normalize`]: letters upper-cased,
//!   full-width ASCII folded to half-width, everything that is neither a
//!   letter nor a digit (spaces, brackets, `·`) dropped. A name with
//!   brackets is also searchable without their content, so 泉润(济南)商贸有限公司
//!   is found by 泉润商贸 as well as by 润济南商.
//! - Legal-form words at the end ([`LEGAL_FORMS`]: 有限公司, 股份有限公司,
//!   分公司, 个体工商户, 专业合作社 …) are stripped from names for ranking and
//!   from the end of queries, so 泉润商贸有限公司 and 泉润商贸 are the same
//!   query. A query made only of legal-form words (有限公司、有限责任公司、
//!   分公司) would match nearly every company in no meaningful order, so it
//!   returns **no hits**; so does a query of fewer than two characters after
//!   stripping. The portal should ask for the 字号 in that case.
//! - Ranking: [`MatchKind::Exact`] (the name without its legal form equals the
//!   query, possibly after leading place names such as 山东省, 济南市 or
//!   历下区 are dropped: 泉润商贸 is an exact hit for 济南泉润商贸有限公司) >
//!   [`MatchKind::Prefix`] (same, but the name continues) >
//!   [`MatchKind::Contains`] > [`MatchKind::Fuzzy`]. Ties are broken by the
//!   log: within a tier, the subject whose row was written earlier in the log
//!   comes first (among exact hits, a query equal to the whole registered
//!   name first, then one equal to the name without its legal form, then one
//!   equal to it without place names). The order depends only on the log,
//!   so an index rebuilt from the database and one that followed the log
//!   answer identically ([`SearchIndex::digest`] checks it).
//! - Fuzzy hits are a fallback ("did you mean"): looked for only when no name
//!   contains the query literally, for queries of three or more characters.
//!   A fuzzy hit contains the query with one character substituted,
//!   inserted or deleted. Candidates come from the character pairs and the
//!   gapped pairs (two characters one apart) that each placement of the edit
//!   leaves intact, at most [`FUZZY_BUDGET`] of them; gapped pairs are kept
//!   for the names without their legal form only, where typos matter.
//! - Only organisations are indexed (`legal_person_registered` /
//!   `legal_person_updated` events, the `subjects` table). Natural persons,
//!   ID numbers and relation events never reach the index.
//!
//! # Why an in-memory bigram index and not tantivy + jieba
//!
//! `reference/stack.md` §4 proposes tantivy with a jieba field and a character
//! bigram field. The requirement that decides is exact substring recall: any
//! two characters of a name must find it. Jieba words cannot give that (a 字号
//! like 泉润 is not in any dictionary, and a fragment may straddle word
//! boundaries), so the bigram field would carry all the recall anyway, with
//! phrase queries over positions to verify adjacency — the same work as here,
//! plus BM25 scores that do not express exact > prefix > contains and would
//! be re-ranked in Rust regardless. The data are small (a million names are
//! about 30 MB of text), every `serve` process follows the log itself, and
//! an on-disk index would be one more thing to keep in step with the database
//! across processes. So the index is a plain structure in memory:
//!
//! - one inverted list per character bigram of each normalized name form
//!   (ascending `u32` entry ids), plus bigrams anchored at the start of each
//!   stripped name / place-stripped core and at its end (with its length),
//!   which answer the exact and prefix tiers with the same machinery;
//! - a query intersects the lists of its bigrams lazily, driven by the
//!   shortest list with galloping search in the others, and verifies each
//!   candidate with `str::contains` / `starts_with` / `==`. The verification
//!   makes substring recall exact (no false negatives by construction, no
//!   false positives after verification); the laziness means a query that
//!   matches half the city stops after `limit` hits per tier.
//!
//! Measured on the build machine (2 cores, release, 1,000,000 demo names,
//! the 1,000 fragments and 1,000 whole names of `xinyong bench search`):
//! this index answers fragments in p50 ≈ 11 µs / p99 0.05–0.4 ms (the
//! spread is other work on the shared machine), whole names in p50 ≈ 12 µs /
//! p99 0.07–0.3 ms and misspelt fragments (fuzzy) in p50 ≈ 8 µs / p99 ≈
//! 0.1 ms; it builds in ≈ 6 s through the follower's `apply` and takes
//! ≈ 330 MB built that way, ≈ 250 MB after [`SearchIndex::rebuild`] (which
//! returns the growth slack). A scratch tantivy 0.27 index of
//! the same names (a bigram field with positions queried as phrases, as
//! §4 proposes, built in RAM in 6.3 s) gave fragments p50 219 µs / p99 18 ms,
//! and 341 µs / 23 ms with the jieba field added as SHOULD clauses: BM25
//! top-k must score every document of a common pair such as 济南 (580,000
//! names), which misses the 5 ms target; its recall@10 was the same as ours,
//! because that is set by how many names share a fragment, not by the engine.
//! SQLite FTS5 trigram, the bench's baseline, is slower still (p99 ≈ 150 ms).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{OnceLock, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use xinyong_domain::event::{EventBody, EventKind};
use xinyong_domain::projection::Cell;
use xinyong_domain::subjects::{SUBJECTS, SubjectRow, SubjectStatus, SubjectsEvent, SubjectsKind};

use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::log::follower::{FollowedEvent, Follower, LogSubscriber};

pub mod snapshot;

/// Shortest query (after stripping legal forms) that is searched by name. One
/// character would match a large share of the city in no useful order.
pub const MIN_QUERY_CHARS: usize = 2;

/// Most candidate ids a fuzzy lookup visits. Fuzzy search runs only when
/// nothing matched literally; the cap bounds its cost (about a millisecond)
/// when every pair of a misspelt query is common and their combination rare.
pub const FUZZY_BUDGET: usize = 50_000;

/// Legal-form words stripped from the end of names and queries, longest
/// first so that 股份有限公司 wins over 有限公司. Stripping repeats, so
/// 某某投资合伙企业(有限合伙) loses both 有限合伙 and 合伙企业.
pub const LEGAL_FORMS: &[&str] = &[
    "农民专业合作社联合社",
    "集团股份有限公司",
    "农民专业合作社",
    "股份经济合作社",
    "股份有限公司",
    "集团有限公司",
    "有限责任公司",
    "个人独资企业",
    "特殊普通合伙",
    "专业合作社",
    "经济合作社",
    "个体工商户",
    "有限公司",
    "普通合伙",
    "有限合伙",
    "合伙企业",
    "分公司",
    "合作社",
];

/// Leading place names dropped to form a name's "core" (济南市历下区泉润商贸 →
/// 历下区泉润商贸 → 泉润商贸), besides the Jinan districts and counties from
/// the division table.
const REGION_WORDS: &[&str] = &["山东省", "山东", "济南市", "济南"];

/// Separates the forms of one name inside an entry's search text. It is not
/// alphanumeric, so it never occurs in a normalized query and no match can
/// straddle two forms.
const SEP: char = '\u{1}';
const SEP_BYTE: u8 = 1;

/// Stripped names and cores remembered per entry. 山东省济南市历下区X has four
/// (X's key and three cores) per form; more only lose prefix/exact rank.
const MAX_ANCHORS: usize = 6;

/// Events applied per write-lock hold, so a large follower batch does not
/// stall searches for its whole duration.
const APPLY_CHUNK: usize = 500;

/// Rows read per page when rebuilding from the `subjects` table.
const REBUILD_PAGE: u32 = 10_000;

/// What the in-memory indexes keep of one organisation of `subjects`. Start-up
/// reads the table once ([`read_subjects`]) and feeds both the search index
/// and the check index from it.
#[derive(Debug, Clone)]
pub struct SubjectEntry {
    pub seq: u64,
    pub uscc: Box<str>,
    pub name: Box<str>,
    pub status: SubjectStatus,
}

/// Every organisation of `subjects`, in key (USCC) order, keeping only what
/// the indexes need: a million full rows would double the peak memory.
///
/// The table is read in key ranges at once, one task and connection per
/// core: a walk alternates between the database packing a page and this
/// process decoding it, so one walk kept one core busy.
pub async fn read_subjects(core: &Core) -> Result<Vec<SubjectEntry>> {
    let parts = std::thread::available_parallelism().map_or(1, usize::from).min(MAX_READ_PARTS);
    let splits = core.store().split_keys(&SUBJECTS, parts).await?;
    let starts: Vec<_> = std::iter::once(None).chain(splits.iter().cloned().map(Some)).collect();
    let ends = splits.into_iter().map(Some).chain(std::iter::once(None));
    let tasks: Vec<_> = starts
        .into_iter()
        .zip(ends)
        .map(|(from, before)| {
            let core = core.clone();
            tokio::spawn(async move { read_subject_range(&core, from, before).await })
        })
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        let part = task.await.map_err(|e| CoreError::Internal(format!("读取主体表的任务失败：{e}")))??;
        if out.is_empty() {
            out = part;
        } else {
            out.extend(part);
        }
    }
    Ok(out)
}

/// Tasks (and connections) [`read_subjects`] uses at most.
const MAX_READ_PARTS: usize = 4;

/// The organisations with codes from `from` (inclusive) to `before`
/// (exclusive).
async fn read_subject_range(
    core: &Core,
    from: Option<Vec<Cell>>,
    before: Option<Vec<Cell>>,
) -> Result<Vec<SubjectEntry>> {
    let mut out = Vec::new();
    let mut scan = core.store().scan_between::<SubjectRow>(REBUILD_PAGE, from, before);
    while let Some(page) = scan.next_page().await? {
        out.extend(page.into_iter().map(|row| SubjectEntry {
            seq: row.seq,
            uscc: String::from(row.uscc).into_boxed_str(),
            name: row.name.into_boxed_str(),
            status: row.status,
        }));
    }
    Ok(out)
}

/// How a hit matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The query is the subject's unified social credit code.
    Code,
    /// The name, without legal form (and possibly without leading place
    /// names), equals the query.
    Exact,
    /// The name, so stripped, starts with the query.
    Prefix,
    /// The name contains the query.
    Contains,
    /// The name contains the query with one character wrong, missing or extra.
    Fuzzy,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub uscc: String,
    /// The registered name as in the `subjects` table.
    pub name: String,
    /// Registration status code as in the `subjects` table (`active`,
    /// `revoked`, `cancelled`; see `SubjectStatus::name_zh` for display).
    pub status: String,
    /// Division code of the registering authority (USCC positions 3–8).
    pub division: String,
    pub rank: MatchKind,
}

/// Something to tell a visitor about the query besides (or instead of) hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum QueryNotice {
    /// Fewer than two characters after stripping legal forms (有限公司 alone).
    TooShort,
    /// The query looks like a person's name and no company name starts with
    /// it: natural persons are not searchable on the portal.
    PersonName,
    /// An 18-character code whose check character is wrong.
    UsccCheckCharacter { expected: char, found: char },
    /// A well-formed 18-character code no organisation here has.
    UnknownCode,
}

impl QueryNotice {
    /// The sentence the portal shows (zh-CN).
    pub fn message_zh(self) -> String {
        match self {
            QueryNotice::TooShort => "请输入至少两个字的企业字号，或完整的 18 位统一社会信用代码。只输入“有限公司”之类的组织形式无法区分企业。".to_owned(),
            QueryNotice::PersonName => {
                "自然人信息不提供公开查询。这里只能查询企业等法人和非法人组织，请输入组织名称或统一社会信用代码。".to_owned()
            }
            QueryNotice::UsccCheckCharacter { expected, found } => {
                format!("统一社会信用代码校验位错误，应为 {expected}（输入的是 {found}），请核对后重新输入。")
            }
            QueryNotice::UnknownCode => "平台中没有这个统一社会信用代码的组织，请核对代码。".to_owned(),
        }
    }
}

/// Hits and the notice that goes with them ([`SearchIndex::answer`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchAnswer {
    pub hits: Vec<SearchHit>,
    pub notice: Option<QueryNotice>,
}

impl SearchAnswer {
    fn hits(hits: Vec<SearchHit>) -> SearchAnswer {
        SearchAnswer { hits, notice: None }
    }

    fn notice(notice: QueryNotice) -> SearchAnswer {
        SearchAnswer { hits: Vec::new(), notice: Some(notice) }
    }
}

/// Sizes of the index, for the CLI, the bench and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndexStats {
    /// Organisations searchable now.
    pub subjects: usize,
    /// Superseded entries (renamed or updated subjects) still in the lists
    /// until the next compaction.
    pub stale: usize,
    /// Distinct bigram keys.
    pub grams: usize,
    /// Entry ids over all lists.
    pub postings: usize,
    /// Rough heap use of the index.
    pub approx_bytes: usize,
}

/// The company-name index. Share it with `Arc`; searches take a read lock,
/// the follower a write lock per 500 events (`APPLY_CHUNK`).
pub struct SearchIndex {
    inner: RwLock<Inner>,
    /// Log size whose events are reflected (see [`SearchIndex::applied`]).
    applied: AtomicU64,
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A million entries would flood any log line: print sizes only.
        f.debug_struct("SearchIndex").field("stats", &self.stats()).field("applied", &self.applied()).finish()
    }
}

impl Default for SearchIndex {
    fn default() -> Self {
        SearchIndex::new()
    }
}

impl SearchIndex {
    /// An empty index that has applied nothing (follow it from log index 0).
    pub fn new() -> SearchIndex {
        SearchIndex { inner: RwLock::new(Inner::default()), applied: AtomicU64::new(0) }
    }

    /// Builds the index from the `subjects` projection. The log size is read
    /// first, so following the log from [`SearchIndex::applied`] afterwards
    /// re-applies anything written while the table was being read; applying
    /// an event twice is harmless.
    pub async fn rebuild(core: &Core) -> Result<SearchIndex> {
        let size = core.store().log_size().await?;
        let subjects = read_subjects(core).await?;
        Ok(SearchIndex::from_subjects(&subjects, size))
    }

    /// The index of these organisations (read by [`read_subjects`] after the
    /// log size `size` was read): what [`SearchIndex::rebuild`] builds,
    /// without reading the table again when the check index reads it too.
    pub fn from_subjects(subjects: &[SubjectEntry], size: u64) -> SearchIndex {
        // Log order, so that ties rank as in an index that followed the log.
        let mut order: Vec<&SubjectEntry> = subjects.iter().collect();
        order.sort_unstable_by_key(|s| s.seq);
        let index = SearchIndex::new();
        index.write().bulk_insert(&order);
        index.write().shrink();
        index.applied.store(size, Ordering::Release);
        index
    }

    /// The index held by a snapshot file that reflects the log's first
    /// `size` entries.
    fn with_inner(inner: Inner, size: u64) -> SearchIndex {
        SearchIndex { inner: RwLock::new(inner), applied: AtomicU64::new(size) }
    }

    /// Calls `f` with the code and name of every indexed organisation, in
    /// log order: the check index takes its names from a loaded snapshot
    /// instead of reading `subjects`.
    pub fn for_each_organisation(&self, mut f: impl FnMut(&str, &str)) {
        let inner = self.read();
        for entry in inner.entries.iter().filter(|e| e.alive) {
            // Codes were indexed from `&str`, so they are UTF-8.
            if let Ok(code) = std::str::from_utf8(&entry.code) {
                f(code, inner.str(entry.name));
            }
        }
    }

    /// Reads the log from [`SearchIndex::applied`] to its end; returns the
    /// number of events read. The server's follower does the same every
    /// 200 ms; tests call this to sync after appending.
    pub async fn catch_up(&self, core: &Core) -> Result<u64> {
        Follower::starting_at(self.applied()).poll(core, &[self]).await
    }

    /// The log size applied: every event with a smaller index is reflected.
    pub fn applied(&self) -> u64 {
        self.applied.load(Ordering::Acquire)
    }

    /// Number of organisations searchable.
    pub fn len(&self) -> usize {
        self.read().live
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn stats(&self) -> IndexStats {
        self.read().stats()
    }

    /// SHA-256 over the searchable subjects in ranking order (code, name,
    /// status). Equal digests mean two indexes answer every query the same.
    pub fn digest(&self) -> [u8; 32] {
        self.read().digest()
    }

    /// At most `limit` hits, best first (see the module documentation for
    /// what matches and how ties are broken).
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        if limit == 0 {
            return Vec::new();
        }
        let normalized = normalize(query);
        let inner = self.read();
        if let Some(code) = as_code(&normalized)
            && let Some(&id) = inner.by_code.get(&code)
        {
            return vec![inner.hit(id, MatchKind::Code)];
        }
        let q = strip_legal_forms(&normalized, true);
        if q.chars().count() < MIN_QUERY_CHARS {
            return Vec::new();
        }
        inner.find(q, &normalized, limit, true).into_iter().map(|(id, kind)| inner.hit(id, kind)).collect()
    }

    /// The codes of at most `limit` organisations whose name contains
    /// `query` (the exact, prefix and contains tiers of
    /// [`SearchIndex::search`], in its order; never a fuzzy hit, since a list
    /// filtered by a name must not show a different name's records), or
    /// `None` when the query is too short to search by name (fewer than
    /// [`MIN_QUERY_CHARS`] characters once legal forms are stripped).
    pub fn organisations_named(&self, query: &str, limit: usize) -> Option<Vec<String>> {
        let normalized = normalize(query);
        let q = strip_legal_forms(&normalized, true);
        if q.chars().count() < MIN_QUERY_CHARS {
            return None;
        }
        let inner = self.read();
        let found = inner.find(q, &normalized, limit, false);
        Some(found.into_iter().map(|(id, kind)| inner.hit(id, kind).uscc).collect())
    }

    /// [`SearchIndex::search`] for a visitor: at most `limit` hits plus what
    /// to tell about the query when the hits alone would mislead.
    ///
    /// - An 18-character code that is not indexed gets no name search: a
    ///   wrong check character is named ([`QueryNotice::UsccCheckCharacter`]),
    ///   a well-formed code is reported unknown ([`QueryNotice::UnknownCode`]).
    /// - A query that looks like a person's name ([`looks_like_person_name`])
    ///   and is not the start of any company name (no exact or prefix hit)
    ///   gets [`QueryNotice::PersonName`] and no fuzzy hits: 张建国 must not
    ///   "find" 丁建国副食店. Names that merely contain it are still listed.
    /// - Too short or legal-form-only queries get [`QueryNotice::TooShort`].
    pub fn answer(&self, query: &str, limit: usize) -> SearchAnswer {
        let normalized = normalize(query);
        let inner = self.read();
        if let Some(code) = as_code(&normalized) {
            if let Some(&id) = inner.by_code.get(&code) {
                return SearchAnswer::hits(vec![inner.hit(id, MatchKind::Code)]);
            }
            return SearchAnswer::notice(code_notice(&normalized));
        }
        let q = strip_legal_forms(&normalized, true);
        if q.chars().count() < MIN_QUERY_CHARS {
            return SearchAnswer::notice(QueryNotice::TooShort);
        }
        let hit = |(id, kind)| inner.hit(id, kind);
        if q == normalized && looks_like_person_name(q) {
            let found = inner.find(q, &normalized, limit, false);
            if !found.iter().any(|(_, kind)| matches!(kind, MatchKind::Exact | MatchKind::Prefix)) {
                return SearchAnswer {
                    hits: found.into_iter().map(hit).collect(),
                    notice: Some(QueryNotice::PersonName),
                };
            }
            return SearchAnswer::hits(found.into_iter().map(hit).collect());
        }
        SearchAnswer::hits(inner.find(q, &normalized, limit, true).into_iter().map(hit).collect())
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        // A panic while applying leaves at worst one subject half-indexed;
        // searching on is better than failing every request from then on.
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }
}

// Follower dispatch: exhaustive over event kinds, no `_` arm (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl LogSubscriber for SearchIndex {
    fn wants(&self, kind: EventKind) -> bool {
        match kind {
            EventKind::Subjects(k) => match k {
                SubjectsKind::LegalPersonRegistered | SubjectsKind::LegalPersonUpdated => true,
                SubjectsKind::NaturalPersonRegistered | SubjectsKind::RelationAdded | SubjectsKind::RelationEnded => {
                    false
                }
            },
            EventKind::Auth(_)
            | EventKind::Rules(_)
            | EventKind::Collection(_)
            | EventKind::Lists(_)
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
        // Already reflected events (the index was rebuilt past them) are skipped.
        let applied = self.applied();
        for chunk in events.chunks(APPLY_CHUNK) {
            let mut inner = self.write();
            for event in chunk.iter().filter(|e| e.seq >= applied) {
                inner.apply_event(&event.body);
            }
            inner.compact_if_stale();
            metrics::gauge!("xinyong_search_subjects").set(inner.live as f64);
        }
        self.applied.fetch_max(through, Ordering::AcqRel);
    }
}

/// The index proper, behind [`SearchIndex`]'s lock.
#[derive(Default)]
struct Inner {
    /// Display names and search texts of all entries, back to back; one
    /// allocation instead of two per subject.
    arena: String,
    /// Entry ids are positions here and grow with every (re)indexed subject,
    /// so each inverted list is ascending by construction.
    entries: Vec<Entry>,
    by_code: HashMap<[u8; 18], u32, foldhash::quality::RandomState>,
    grams: GramLists,
    live: usize,
}

/// Each gram's inverted list: ascending entry ids.
type GramLists = HashMap<u64, Vec<u32>, foldhash::quality::RandomState>;

/// Subjects analysed at once by [`Inner::bulk_insert`]: bounds the analyses
/// held (a few hundred bytes each).
const BULK_CHUNK: usize = 16_384;

/// Posts the grams of one half (by the top bit of a multiplicative hash,
/// which splits the grams about evenly) into `lists`.
fn post_half(lists: &mut GramLists, postings: &[(u32, Vec<u64>)], upper: bool) {
    for (id, grams) in postings {
        for &gram in grams {
            if (gram.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 63 == 1) == upper {
                lists.entry(gram).or_default().push(*id);
            }
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Entry {
    code: [u8; 18],
    name: Span,
    /// The normalized name forms joined by [`SEP`].
    text: Span,
    /// Byte ranges in `text` of each form's stripped name (first) and cores.
    anchors: [(u16, u16); MAX_ANCHORS],
    anchor_count: u8,
    status: SubjectStatus,
    alive: bool,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
struct Span {
    start: u32,
    len: u32,
}

impl Inner {
    // Event dispatch: exhaustive, no `_` arm (clippy denies it here).
    #[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
    fn apply_event(&mut self, body: &EventBody) {
        match body {
            EventBody::Subjects(e) => match e {
                SubjectsEvent::LegalPersonRegistered { subject, .. }
                | SubjectsEvent::LegalPersonUpdated { subject } => {
                    self.upsert(subject.uscc.as_str(), subject.name.as_str(), subject.status);
                }
                SubjectsEvent::NaturalPersonRegistered { .. }
                | SubjectsEvent::RelationAdded { .. }
                | SubjectsEvent::RelationEnded { .. } => {}
            },
            EventBody::Auth(_)
            | EventBody::Rules(_)
            | EventBody::Collection(_)
            | EventBody::Lists(_)
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

    /// Indexes the subject's current name and status as a new entry and
    /// retires its previous one, so the entry order is the order of the last
    /// event about each subject — the same as the `subjects` table's `seq`.
    fn upsert(&mut self, uscc: &str, name: &str, status: SubjectStatus) {
        if let Some((id, grams)) = self.add_entry(uscc, name, status, analyse(name)) {
            for gram in grams {
                self.grams.entry(gram).or_default().push(id);
            }
        }
    }

    /// [`Inner::upsert`] of many subjects at once, in order (start-up): the
    /// names are analysed on every core a chunk at a time, and the inverted
    /// lists are filled by two threads, each owning the grams of one half
    /// of a hash of the gram, so no list is shared. The lists come out as
    /// one `upsert` after the other would leave them.
    ///
    /// Adding the entries is serial, so it runs while the next chunk is
    /// being analysed (at a million names, 0.8 s of adding and 1.0 s of
    /// analysing had run one after the other).
    fn bulk_insert(&mut self, subjects: &[&SubjectEntry]) {
        use rayon::prelude::*;
        // Sized once: a million entries grew each of these about twenty
        // times. Most normalized texts differ from the name, hence twice.
        self.entries.reserve(subjects.len());
        self.by_code.reserve(subjects.len());
        self.arena.reserve(subjects.iter().map(|s| s.name.len()).sum::<usize>().saturating_mul(2));
        let analyse_chunk =
            |chunk: &[&SubjectEntry]| -> Vec<Analysed> { chunk.par_iter().map(|s| analyse(&s.name)).collect() };
        let mut upper: GramLists = GramLists::default();
        let mut chunks = subjects.chunks(BULK_CHUNK);
        let mut next = chunks.next().map(|chunk| (chunk, analyse_chunk(chunk)));
        while let Some((chunk, analysed)) = next.take() {
            let following = chunks.next();
            let (ahead, ()) = rayon::join(
                || following.map(|chunk| (chunk, analyse_chunk(chunk))),
                || {
                    let postings: Vec<(u32, Vec<u64>)> = chunk
                        .iter()
                        .zip(analysed)
                        .filter_map(|(s, a)| self.add_entry(&s.uscc, &s.name, s.status, a))
                        .collect();
                    let lower = &mut self.grams;
                    rayon::join(|| post_half(lower, &postings, false), || post_half(&mut upper, &postings, true));
                },
            );
            next = ahead;
        }
        // The halves hold different grams: this moves lists, it copies none.
        self.grams.extend(upper);
    }

    /// Adds the entry of a subject (retiring its previous one); its id and
    /// grams, for the caller to post.
    fn add_entry(
        &mut self,
        uscc: &str,
        name: &str,
        status: SubjectStatus,
        analysed: Analysed,
    ) -> Option<(u32, Vec<u64>)> {
        let Ok(code) = <[u8; 18]>::try_from(uscc.as_bytes()) else {
            tracing::warn!(uscc, "not an 18-character code; not indexed");
            return None;
        };
        if let Some(old) = self.by_code.remove(&code) {
            if let Some(entry) = self.entries.get_mut(old as usize) {
                entry.alive = false;
            }
            self.live -= 1;
        }
        let (Ok(id), Ok(start)) = (u32::try_from(self.entries.len()), u32::try_from(self.arena.len())) else {
            tracing::error!("search index full (2^32 entries or 4 GiB of names); restart to compact");
            return None;
        };
        self.arena.push_str(name);
        let name_span = Span { start, len: name.len() as u32 };
        // Most names are their own normalized text: share the bytes.
        let text = if analysed.text == name {
            name_span
        } else {
            let start = start + name_span.len;
            self.arena.push_str(&analysed.text);
            Span { start, len: analysed.text.len() as u32 }
        };
        let mut anchors = [(0u16, 0u16); MAX_ANCHORS];
        let mut anchor_count = 0u8;
        for (slot, &(a, b)) in anchors.iter_mut().zip(&analysed.anchors) {
            if let (Ok(a), Ok(b)) = (u16::try_from(a), u16::try_from(b)) {
                *slot = (a, b);
                anchor_count += 1;
            }
        }
        self.entries.push(Entry { code, name: name_span, text, anchors, anchor_count, status, alive: true });
        self.by_code.insert(code, id);
        self.live += 1;
        Some((id, analysed.grams))
    }

    /// Rebuilds the lists without retired entries once they are a third of
    /// all entries (renames and status changes are rare; this keeps memory
    /// bounded when they are not).
    fn compact_if_stale(&mut self) {
        let stale = self.entries.len() - self.live;
        if stale < 4096 || stale * 3 < self.entries.len() {
            return;
        }
        let old = std::mem::take(self);
        for entry in old.entries.iter().filter(|e| e.alive) {
            let uscc = String::from_utf8_lossy(&entry.code);
            self.upsert(&uscc, old.str(entry.name), entry.status);
        }
        self.shrink();
    }

    /// Returns the growth slack of a bulk build (about a fifth of the
    /// memory at a million names).
    fn shrink(&mut self) {
        self.arena.shrink_to_fit();
        self.entries.shrink_to_fit();
        for list in self.grams.values_mut() {
            list.shrink_to_fit();
        }
    }

    fn str(&self, span: Span) -> &str {
        let start = span.start as usize;
        self.arena.get(start..start + span.len as usize).unwrap_or_default()
    }

    fn entry(&self, id: u32) -> Option<&Entry> {
        self.entries.get(id as usize).filter(|e| e.alive)
    }

    fn anchors<'a>(&'a self, entry: &'a Entry) -> impl Iterator<Item = (bool, &'a str)> + 'a {
        let text = self.str(entry.text);
        entry.anchors[..usize::from(entry.anchor_count)].iter().filter_map(move |&(a, b)| {
            let (a, b) = (usize::from(a), usize::from(b));
            // An anchor at the start of a form is the stripped name; later
            // ones are cores with place names dropped.
            let is_key = a == 0 || text.as_bytes().get(a - 1) == Some(&SEP_BYTE);
            Some((is_key, text.get(a..b)?))
        })
    }

    /// How `q` (normalized, stripped) matches the entry, or `None`.
    fn classify(&self, entry: &Entry, q: &str) -> Option<MatchKind> {
        let mut prefix = false;
        for (_, anchor) in self.anchors(entry) {
            if anchor == q {
                return Some(MatchKind::Exact);
            }
            prefix |= anchor.starts_with(q);
        }
        if prefix {
            Some(MatchKind::Prefix)
        } else if self.str(entry.text).contains(q) {
            Some(MatchKind::Contains)
        } else {
            None
        }
    }

    fn lists(&self, keys: &[u64]) -> Option<Vec<&[u32]>> {
        keys.iter().map(|k| self.grams.get(k).map(Vec::as_slice)).collect()
    }

    /// Entry ids of the best `limit` matches of `q` with their tier.
    /// `normalized` is the query before legal forms were stripped.
    fn find(&self, q: &str, normalized: &str, limit: usize, fuzzy: bool) -> Vec<(u32, MatchKind)> {
        let chars: Vec<char> = q.chars().collect();
        let mut inner: Vec<u64> = chars.windows(2).map(|w| gram(w[0], w[1])).collect();
        inner.sort_unstable();
        inner.dedup();
        let (Some(&[a, b]), Some(&[y, z])) = (chars.first_chunk::<2>(), chars.last_chunk::<2>()) else {
            return Vec::new();
        };
        let start = START | gram(a, b);
        let end = end_gram(chars.len(), y, z);
        let mut hits = Vec::new();

        // Exact: every one of them, ordered by how exactly.
        let with = |extra: &[u64]| [inner.as_slice(), extra].concat();
        if let Some(lists) = self.lists(&with(&[start, end])) {
            let mut exact: Vec<(u8, u32)> = intersect(lists)
                .filter_map(|id| {
                    let entry = self.entry(id)?;
                    let whole = self.str(entry.text).split(SEP).any(|form| form == normalized);
                    let order = self
                        .anchors(entry)
                        .filter(|(_, anchor)| *anchor == q)
                        .map(|(is_key, _)| {
                            if whole {
                                0
                            } else if is_key {
                                1
                            } else {
                                2
                            }
                        })
                        .min()?;
                    Some((order, id))
                })
                .collect();
            exact.sort_unstable();
            hits.extend(exact.into_iter().take(limit).map(|(_, id)| (id, MatchKind::Exact)));
        }
        // Prefix and contains: in entry order, stopping at `limit`. Each tier
        // skips what an earlier tier (exhausted, or we would have stopped)
        // already returned.
        for (tier, extra) in [(MatchKind::Prefix, Some(start)), (MatchKind::Contains, None)] {
            if hits.len() >= limit {
                return hits;
            }
            let Some(lists) = self.lists(&with(extra.as_slice())) else { continue };
            let found = intersect(lists)
                .filter(|&id| self.entry(id).and_then(|e| self.classify(e, q)) == Some(tier))
                .take(limit - hits.len());
            hits.extend(found.map(|id| (id, tier)));
        }
        if fuzzy && hits.is_empty() && chars.len() >= 3 {
            hits.extend(self.fuzzy(&chars, limit).into_iter().map(|id| (id, MatchKind::Fuzzy)));
        }
        hits
    }

    /// Names containing `q` with one edit. Each way the edit can sit in the
    /// query is a set of pairs the name must contain — with the character at
    /// position `i` wrong, the pairs left and right of it and the gapped pair
    /// around it — looked up like a literal query and verified with
    /// [`within_one_edit`]. Interior edits come first (they pin the name
    /// down best), then a wrong first or last character; entry order within
    /// each. At most [`FUZZY_BUDGET`] ids are visited in all.
    fn fuzzy(&self, q: &[char], limit: usize) -> Vec<u32> {
        let n = q.len();
        let pairs = |s: &[char]| s.windows(2).map(|w| gram(w[0], w[1])).collect::<Vec<u64>>();
        let gap = |a: char, b: char| GAP | gram(a, b);
        let mut hypotheses: Vec<Vec<u64>> = Vec::new();
        for i in 1..n - 1 {
            // q[i] replaced by another character in the name.
            hypotheses.push([pairs(&q[..i]), pairs(&q[i + 1..]), vec![gap(q[i - 1], q[i + 1])]].concat());
            // q[i] missing from the name.
            hypotheses.push(pairs(&[&q[..i], &q[i + 1..]].concat()));
        }
        for i in 1..n {
            // The name has one more character between q[i - 1] and q[i].
            hypotheses.push([pairs(&q[..i]), pairs(&q[i..]), vec![gap(q[i - 1], q[i])]].concat());
        }
        // The first or the last character wrong or missing.
        hypotheses.push(pairs(&q[1..]));
        hypotheses.push(pairs(&q[..n - 1]));

        let budget = std::cell::Cell::new(FUZZY_BUDGET);
        let mut seen = HashSet::new();
        let mut found = Vec::new();
        for mut keys in hypotheses {
            keys.sort_unstable();
            keys.dedup();
            let Some(lists) = self.lists(&keys) else { continue };
            for id in intersect_within(lists, Some(&budget)) {
                if found.len() >= limit {
                    return found;
                }
                if !seen.insert(id) {
                    continue;
                }
                let Some(entry) = self.entry(id) else { continue };
                if self.str(entry.text).split(SEP).any(|form| within_one_edit(q, form)) {
                    found.push(id);
                }
            }
        }
        found
    }

    fn hit(&self, id: u32, rank: MatchKind) -> SearchHit {
        let Some(entry) = self.entries.get(id as usize) else {
            // Ids come from the lists of this same index.
            return SearchHit {
                uscc: String::new(),
                name: String::new(),
                status: String::new(),
                division: String::new(),
                rank,
            };
        };
        let uscc = String::from_utf8_lossy(&entry.code).into_owned();
        let division = uscc.get(2..8).unwrap_or_default().to_owned();
        SearchHit {
            uscc,
            name: self.str(entry.name).to_owned(),
            status: entry.status.as_str().to_owned(),
            division,
            rank,
        }
    }

    fn stats(&self) -> IndexStats {
        let postings: usize = self.grams.values().map(Vec::len).sum();
        let list_bytes: usize = self.grams.values().map(|l| l.capacity() * 4).sum();
        // Hash tables: key, value and one control byte per slot.
        let approx_bytes = self.arena.capacity()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.by_code.capacity() * (18 + 4 + 1)
            + self.grams.capacity() * (8 + 24 + 1)
            + list_bytes;
        IndexStats {
            subjects: self.live,
            stale: self.entries.len() - self.live,
            grams: self.grams.len(),
            postings,
            approx_bytes,
        }
    }

    fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        for entry in self.entries.iter().filter(|e| e.alive) {
            h.update(entry.code);
            h.update([0]);
            h.update(self.str(entry.name).as_bytes());
            h.update([0]);
            h.update(entry.status.as_str().as_bytes());
            h.update([b'\n']);
        }
        h.finalize().into()
    }
}

/// Marks a bigram anchored at the start of a stripped name or core.
const START: u64 = 1 << 62;
/// Marks a gapped pair: two characters of a stripped name one apart (泉_商 in
/// 泉润商), which survives a wrong 润 in a query (fuzzy search).
const GAP: u64 = 1 << 60;
/// Marks the last bigram of a stripped name or core, together with that
/// anchor's length in characters: exact lookups then intersect a list of
/// names with an anchor of exactly the query's length and ending, instead of
/// every name ending the same way (济南 ends tens of thousands of branch names).
const END: u64 = 1 << 61;

fn end_gram(chars: usize, y: char, z: char) -> u64 {
    // Lengths past 255 share a key; verification sorts them out.
    END | ((chars.min(255) as u64) << 42) | gram(y, z)
}

/// Two characters in one key (a `char` fits in 21 bits).
fn gram(a: char, b: char) -> u64 {
    (u64::from(a) << 21) | u64::from(b)
}

/// Ids present in every list, ascending. The shortest list drives; each other
/// list keeps a cursor that only moves forward (galloping search), so the
/// cost is about the shortest list's length times a few comparisons, and
/// stopping early costs nothing for the rest.
fn intersect(lists: Vec<&[u32]>) -> impl Iterator<Item = u32> + '_ {
    intersect_within(lists, None)
}

/// [`intersect`] that stops once `budget` ids of the driving list have been
/// visited (counted down across calls sharing the budget).
fn intersect_within<'a>(
    mut lists: Vec<&'a [u32]>,
    budget: Option<&'a std::cell::Cell<usize>>,
) -> impl Iterator<Item = u32> + 'a {
    lists.sort_by_key(|l| l.len());
    let driver: &[u32] = lists.first().copied().unwrap_or_default();
    let others: Vec<&[u32]> = lists.iter().skip(1).copied().collect();
    let mut cursors = vec![0usize; others.len()];
    driver
        .iter()
        .copied()
        .take_while(move |_| match budget {
            Some(left) if left.get() == 0 => false,
            Some(left) => {
                left.set(left.get() - 1);
                true
            }
            None => true,
        })
        .filter(move |&id| others.iter().zip(cursors.iter_mut()).all(|(list, cursor)| seek(list, cursor, id)))
}

/// Moves `cursor` to the first element of `list` not below `id` and tells
/// whether it is `id`.
fn seek(list: &[u32], cursor: &mut usize, id: u32) -> bool {
    let tail = list.get(*cursor..).unwrap_or_default();
    let mut bound = 1;
    while bound < tail.len() && tail[bound] < id {
        bound *= 2;
    }
    let end = (bound + 1).min(tail.len());
    *cursor += tail[..end].partition_point(|&x| x < id);
    list.get(*cursor) == Some(&id)
}

/// Whether some substring of `text` is at most one substitution, insertion or
/// deletion away from `q` (Sellers' algorithm: edit distance with a free start
/// and end in the text).
fn within_one_edit(q: &[char], text: &str) -> bool {
    let n = q.len();
    // column[i] = least edits turning q[..i] into a substring ending here.
    let mut column: Vec<usize> = (0..=n).collect();
    let mut next = vec![0usize; n + 1];
    for t in text.chars() {
        next[0] = 0;
        for i in 1..=n {
            let substitute = column[i - 1] + usize::from(q[i - 1] != t);
            next[i] = substitute.min(column[i] + 1).min(next[i - 1] + 1);
        }
        std::mem::swap(&mut column, &mut next);
        if column[n] <= 1 {
            return true;
        }
    }
    column[n] <= 1
}

/// The 18-character code a normalized query spells, if it is one.
fn as_code(normalized: &str) -> Option<[u8; 18]> {
    let code = <[u8; 18]>::try_from(normalized.as_bytes()).ok()?;
    code.iter().all(u8::is_ascii_alphanumeric).then_some(code)
}

/// What an unindexed 18-character code tells: a wrong check character, or
/// nothing wrong but unknown here.
fn code_notice(code: &str) -> QueryNotice {
    match wrong_check_character(code) {
        Some((expected, found)) => QueryNotice::UsccCheckCharacter { expected, found },
        None => QueryNotice::UnknownCode,
    }
}

/// `(expected, found)` when the last character of `code` is not the check
/// character of its first seventeen.
fn wrong_check_character(code: &str) -> Option<(char, char)> {
    let expected = code.get(..17).and_then(xinyong_domain::codes::uscc::check_character)?;
    let found = code.chars().nth(17)?;
    (expected != found).then_some((expected, found))
}

/// `(expected, found)` when `query`, normalized as searches are, is eighteen
/// letters and digits whose last is not the check character of the first
/// seventeen: a mistyped USCC rather than part of a name.
pub fn mistyped_code(query: &str) -> Option<(char, char)> {
    let normalized = normalize(query);
    as_code(&normalized)?;
    wrong_check_character(&normalized)
}

/// Common surnames, compound ones first (`surnames.txt`).
fn surnames() -> &'static HashSet<&'static str> {
    static SURNAMES: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SURNAMES.get_or_init(|| {
        include_str!("surnames.txt").lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
    })
}

/// Whether a normalized query reads like a Chinese person's name: two to
/// four CJK characters that start with a common surname (a compound one
/// such as 欧阳 needs a given name after it). The caller also requires that
/// no company name starts with the query, so 2–4 character company names
/// that exist (王府井, 张记) are still found first; this test alone only
/// decides that fuzzy "did you mean" hits would be misleading.
pub fn looks_like_person_name(normalized: &str) -> bool {
    let chars: Vec<char> = normalized.chars().collect();
    if !(2..=4).contains(&chars.len()) || !chars.iter().all(|c| matches!(u32::from(*c), 0x4E00..=0x9FFF)) {
        return false;
    }
    let first: String = chars[..1].iter().collect();
    let compound: String = chars[..2].iter().collect();
    surnames().contains(first.as_str()) || (chars.len() >= 3 && surnames().contains(compound.as_str()))
}

/// The form names and queries are compared in: letters and digits only,
/// ASCII letters upper-cased, full-width ASCII (ＡＢＣ１２３, typed with a
/// Chinese input method) folded to half-width, traditional characters
/// (濟南, typed by visitors used to them) turned into simplified ones.
///
/// The traditional → simplified table is the `fast2s` crate's (OpenCC's
/// character table, pure Rust, MIT). Chosen over the others because it
/// converts character for character, so a fragment converts the same as
/// the name around it and the character count (bigrams, anchors,
/// [`MIN_QUERY_CHARS`]) is unchanged; `character_converter` converts by
/// phrases (a fragment may convert differently from the whole name),
/// `zhconv` is GPL and needs zstd (C), `opencc-rust` needs the C++ OpenCC.
/// Both names and queries go through here, so a simplified name that
/// happens to use a character the table maps (乾) still matches itself.
pub fn normalize(s: &str) -> String {
    let folded: String = s
        .chars()
        .filter_map(|c| {
            let c = match u32::from(c) {
                full @ 0xFF01..=0xFF5E => char::from_u32(full - 0xFEE0).unwrap_or(c),
                _ => c,
            };
            c.is_alphanumeric().then(|| c.to_ascii_uppercase())
        })
        .collect();
    fast2s::convert(&folded)
}

/// `s` without the legal-form words at its end (repeatedly). For names
/// (`allow_empty = false`) the last word stays when nothing else would; for
/// queries an all-legal-form query becomes empty.
pub fn strip_legal_forms(s: &str, allow_empty: bool) -> &str {
    let mut rest = s;
    'strip: loop {
        for form in LEGAL_FORMS {
            if let Some(shorter) = rest.strip_suffix(form)
                && (allow_empty || !shorter.is_empty())
            {
                rest = shorter;
                continue 'strip;
            }
        }
        return rest;
    }
}

/// The name with bracketed parts removed (泉润(济南)商贸 → 泉润商贸,
/// 张记面馆(个体工商户) → 张记面馆), or `None` when it has no brackets or
/// they do not pair up.
fn without_brackets(name: &str) -> Option<String> {
    let mut depth = 0u32;
    let mut any = false;
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '(' | '（' | '[' | '［' | '【' | '〔' => {
                depth += 1;
                any = true;
            }
            ')' | '）' | ']' | '］' | '】' | '〕' => depth = depth.checked_sub(1)?,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    (any && depth == 0).then_some(out)
}

/// Place names that may lead a name, longest first.
fn region_words() -> &'static [String] {
    static WORDS: OnceLock<Vec<String>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words: Vec<String> = REGION_WORDS.iter().map(|w| (*w).to_owned()).collect();
        for county in xinyong_domain::codes::division::jinan_counties() {
            words.push(county.name.to_owned());
            let short = county.name.trim_end_matches(['区', '县', '市']);
            if short.chars().count() >= 2 {
                words.push(short.to_owned());
            }
        }
        words.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then_with(|| a.cmp(b)));
        words.dedup();
        words
    })
}

/// Byte offsets in `key` where a core starts, after each leading place name
/// (a core keeps at least two characters).
fn core_offsets(key: &str) -> Vec<usize> {
    let mut offsets = Vec::new();
    let mut at = 0;
    'strip: loop {
        let rest = key.get(at..).unwrap_or_default();
        for word in region_words() {
            if let Some(after) = rest.strip_prefix(word.as_str())
                && after.chars().count() >= MIN_QUERY_CHARS
            {
                at += word.len();
                offsets.push(at);
                continue 'strip;
            }
        }
        return offsets;
    }
}

/// What one name contributes to the index.
#[derive(Debug, Default, PartialEq, Eq)]
struct Analysed {
    /// The normalized forms joined by [`SEP`]: the whole name, then (when it
    /// has brackets) the name without them.
    text: String,
    /// Byte ranges in `text` of each form's stripped name and cores.
    anchors: Vec<(usize, usize)>,
    /// Bigram keys, sorted and distinct.
    grams: Vec<u64>,
}

fn analyse(name: &str) -> Analysed {
    let full = normalize(name);
    let plain =
        without_brackets(name).map(|p| normalize(&p)).filter(|p| *p != full && p.chars().count() >= MIN_QUERY_CHARS);
    let mut out = Analysed::default();
    for form in std::iter::once(full.as_str()).chain(plain.as_deref()) {
        if !out.text.is_empty() {
            out.text.push(SEP);
        }
        let base = out.text.len();
        out.text.push_str(form);
        let chars: Vec<char> = form.chars().collect();
        out.grams.extend(chars.windows(2).map(|w| gram(w[0], w[1])));
        let key = strip_legal_forms(form, false);
        let key_end = base + key.len();
        let key_chars: Vec<char> = key.chars().collect();
        out.grams.extend(key_chars.windows(3).map(|w| GAP | gram(w[0], w[2])));
        for offset in std::iter::once(0).chain(core_offsets(key)) {
            let anchor: Vec<char> = key.get(offset..).unwrap_or_default().chars().collect();
            if let (Some(&[a, b]), Some(&[y, z])) = (anchor.first_chunk::<2>(), anchor.last_chunk::<2>()) {
                out.grams.push(START | gram(a, b));
                out.grams.push(end_gram(anchor.len(), y, z));
                out.anchors.push((base + offset, key_end));
            }
        }
    }
    out.grams.sort_unstable();
    out.grams.dedup();
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn index_of(names: &[&str]) -> SearchIndex {
        let index = SearchIndex::new();
        {
            let mut inner = index.write();
            for (i, name) in names.iter().enumerate() {
                inner.upsert(&format!("91370100MA{i:08}"), name, SubjectStatus::Active);
            }
        }
        index
    }

    /// The bulk build (two threads, chunk by chunk) leaves exactly what one
    /// upsert after the other leaves: same entries, same lists in the same
    /// order, across chunk boundaries and with a subject renamed later.
    #[test]
    fn the_bulk_build_equals_upserts_one_by_one() {
        const WORDS: [&str; 12] =
            ["泉润", "鑫泰", "华昌", "明湖", "舜耕", "历山", "趵突", "大明", "（济南）", "章丘", "长清", "天桥"];
        const TRADES: [&str; 5] = ["商贸有限公司", "建筑工程有限公司", "食品店", "科技股份有限公司", "物流中心"];
        let mut subjects = Vec::new();
        for i in 0..(BULK_CHUNK + 3000) {
            let name = format!("{}{}{}{}", WORDS[i % 12], WORDS[(i / 12) % 12], WORDS[(i / 144) % 12], TRADES[i % 5]);
            let seq = subjects.len() as u64;
            subjects.push(SubjectEntry {
                seq,
                uscc: format!("91370100MA{:08}", i % (BULK_CHUNK + 1000)).into_boxed_str(),
                name: name.into_boxed_str(),
                status: if i % 7 == 0 { SubjectStatus::Revoked } else { SubjectStatus::Active },
            });
        }
        let order: Vec<&SubjectEntry> = subjects.iter().collect();
        let (mut bulk, mut one_by_one) = (Inner::default(), Inner::default());
        bulk.bulk_insert(&order);
        for s in &order {
            one_by_one.upsert(&s.uscc, &s.name, s.status);
        }
        assert_eq!(bulk.live, BULK_CHUNK + 1000);
        assert_eq!((bulk.live, &bulk.arena, &bulk.by_code), (one_by_one.live, &one_by_one.arena, &one_by_one.by_code));
        assert_eq!(bulk.grams, one_by_one.grams);
        let alive = |inner: &Inner| inner.entries.iter().map(|e| (e.code, e.alive, e.status)).collect::<Vec<_>>();
        assert_eq!(alive(&bulk), alive(&one_by_one));
    }

    fn names_of(hits: &[SearchHit]) -> Vec<(&str, MatchKind)> {
        hits.iter().map(|h| (h.name.as_str(), h.rank)).collect()
    }

    #[test]
    fn legal_forms_are_longest_first() {
        for pair in LEGAL_FORMS.windows(2) {
            assert!(pair[0].chars().count() >= pair[1].chars().count(), "{pair:?}");
        }
        assert_eq!(strip_legal_forms("济南泉润商贸有限公司", false), "济南泉润商贸");
        assert_eq!(strip_legal_forms("济南泉润商贸股份有限公司", false), "济南泉润商贸");
        assert_eq!(strip_legal_forms("泉润投资合伙企业有限合伙", false), "泉润投资");
        assert_eq!(strip_legal_forms("有限公司", false), "有限公司");
        assert_eq!(strip_legal_forms("有限公司", true), "");
        assert_eq!(strip_legal_forms("有限责任公司分公司", true), "");
    }

    #[test]
    fn normalizing_drops_punctuation_and_folds_width_and_case() {
        assert_eq!(normalize(" 泉润（济南）商贸·abc ＡＢ１ "), "泉润济南商贸ABCAB1");
        assert_eq!(without_brackets("泉润(济南)商贸有限公司").as_deref(), Some("泉润商贸有限公司"));
        assert_eq!(without_brackets("泉润)商贸"), None);
        assert_eq!(without_brackets("泉润商贸"), None);
    }

    #[test]
    fn cores_drop_leading_place_names() {
        let key = "山东省济南市历下区泉润商贸";
        let cores: Vec<&str> = core_offsets(key).into_iter().map(|o| &key[o..]).collect();
        assert_eq!(cores, ["济南市历下区泉润商贸", "历下区泉润商贸", "泉润商贸"]);
        // A core keeps two characters: 济南泉 is not reduced to 泉.
        assert_eq!(core_offsets("济南泉"), Vec::<usize>::new());
    }

    #[test]
    fn analysis_indexes_both_forms() {
        let a = analyse("泉润(济南)商贸有限公司");
        assert_eq!(a.text, format!("泉润济南商贸有限公司{SEP}泉润商贸有限公司"));
        let anchors: Vec<&str> = a.anchors.iter().map(|&(s, e)| &a.text[s..e]).collect();
        assert_eq!(anchors, ["泉润济南商贸", "泉润商贸"]);
        assert!(a.grams.contains(&gram('润', '商')));
        assert!(a.grams.contains(&(START | gram('泉', '润'))));
        assert!(a.grams.contains(&end_gram(4, '商', '贸')));
        assert!(a.grams.contains(&end_gram(6, '商', '贸')));
        assert!(!a.grams.contains(&end_gram(5, '商', '贸')));
    }

    #[test]
    fn tiers_rank_exact_then_prefix_then_contains() {
        let index = index_of(&[
            "山东宏泉润商贸有限公司",   // contains
            "泉润商贸物流有限公司",     // prefix
            "济南泉润商贸有限责任公司", // exact via the core
            "泉润商贸有限公司",         // exact
        ]);
        let hits = index.search("泉润商贸", 10);
        assert_eq!(
            names_of(&hits),
            [
                ("泉润商贸有限公司", MatchKind::Exact),
                ("济南泉润商贸有限责任公司", MatchKind::Exact),
                ("泉润商贸物流有限公司", MatchKind::Prefix),
                ("山东宏泉润商贸有限公司", MatchKind::Contains),
            ]
        );
        // The whole registered name beats the same name without its form.
        let hits = index.search("济南泉润商贸有限责任公司", 10);
        assert_eq!(hits[0].name, "济南泉润商贸有限责任公司");
        // Limits cut inside a tier.
        assert_eq!(index.search("泉润商贸", 3).len(), 3);
        assert_eq!(index.search("泉润商贸", 1)[0].name, "泉润商贸有限公司");
    }

    #[test]
    fn legal_form_only_and_one_character_queries_return_nothing() {
        let index = index_of(&["泉润商贸有限公司", "鲁泉科技有限责任公司"]);
        assert!(index.search("有限公司", 10).is_empty());
        assert!(index.search("有限责任公司", 10).is_empty());
        assert!(index.search("泉", 10).is_empty());
        assert!(index.search("泉有限公司", 10).is_empty());
        assert!(index.search("  ", 10).is_empty());
        // Pieces of a legal form are ordinary text.
        assert_eq!(index.search("限责", 10).len(), 1);
    }

    #[test]
    fn fuzzy_is_a_fallback_for_one_wrong_character() {
        let index = index_of(&["济南泉润商贸有限公司", "济南鲁泉科技有限公司"]);
        let hits = index.search("泉润商茂", 10);
        assert_eq!(names_of(&hits), [("济南泉润商贸有限公司", MatchKind::Fuzzy)]);
        // Missing and extra characters.
        assert_eq!(index.search("泉商贸有", 10).first().map(|h| h.rank), Some(MatchKind::Fuzzy));
        assert_eq!(index.search("泉润润商贸", 10).first().map(|h| h.rank), Some(MatchKind::Fuzzy));
        // Not when something matches literally, and never for two characters.
        // A wrong middle character of a three-character query.
        assert_eq!(names_of(&index.search("泉甲商", 10)), [("济南泉润商贸有限公司", MatchKind::Fuzzy)]);
        assert!(index.search("润商", 10).iter().all(|h| h.rank != MatchKind::Fuzzy));
        assert!(index.search("润茂", 10).is_empty());
        assert!(index.search("完全无关", 10).is_empty());
    }

    #[test]
    fn one_edit_matching() {
        let q: Vec<char> = "泉润商贸".chars().collect();
        assert!(within_one_edit(&q, "济南泉润商贸"));
        assert!(within_one_edit(&q, "济南泉润商茂"));
        assert!(within_one_edit(&q, "济南泉商贸"));
        assert!(within_one_edit(&q, "济南泉润X商贸"));
        assert!(!within_one_edit(&q, "济南泉X商X"));
        assert!(!within_one_edit(&q, "泉"));
    }

    #[test]
    fn galloping_intersection() {
        let a: Vec<u32> = (0..1000).step_by(3).collect();
        let b: Vec<u32> = (0..1000).step_by(5).collect();
        let c = [15, 30, 31, 600, 999];
        let got: Vec<u32> = intersect(vec![&a, &b, &c]).collect();
        assert_eq!(got, [15, 30, 600]);
        assert_eq!(intersect(vec![&a, &[]]).count(), 0);
        assert_eq!(intersect(vec![&a]).count(), a.len());
    }

    #[test]
    fn renames_replace_the_old_name_and_compaction_keeps_order() {
        let index = index_of(&["泉润商贸有限公司", "鲁泉科技有限公司"]);
        index.write().upsert("91370100MA00000000", "舜耕物流有限公司", SubjectStatus::Revoked);
        assert!(index.search("泉润", 10).is_empty());
        let hits = index.search("舜耕物流", 10);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].status, "revoked");
        assert_eq!(index.len(), 2);
        let before = index.digest();
        {
            let mut inner = index.write();
            for _ in 0..5000 {
                inner.upsert("91370100MA00000001", "鲁泉科技有限公司", SubjectStatus::Active);
            }
            inner.compact_if_stale();
            assert_eq!(inner.entries.len(), 2);
        }
        // The renamed subject was written last, then 鲁泉 again.
        assert_ne!(index.digest(), before);
        assert_eq!(index.search("科技", 10)[0].name, "鲁泉科技有限公司");
        assert_eq!(index.stats().stale, 0);
    }

    #[test]
    fn codes_are_found_with_spaces_lower_case_and_full_width() {
        let index = index_of(&["泉润商贸有限公司"]);
        for q in [
            "91370100MA00000000",
            "9137 0100 ma00 0000 00",
            "９１３７０１００ＭＡ００００００００",
            "91370100-MA00000000",
        ] {
            let hits = index.search(q, 10);
            assert_eq!(names_of(&hits), [("泉润商贸有限公司", MatchKind::Code)], "{q}");
            assert_eq!(hits[0].division, "370100");
        }
        assert!(index.search("91370100MA00000009", 10).is_empty());
    }

    #[test]
    fn traditional_and_full_width_queries_find_simplified_names() {
        assert_eq!(normalize("濟南泉潤商貿"), "济南泉润商贸");
        assert_eq!(normalize("ＡＢＣ１２３"), "ABC123");
        let index = index_of(&["济南泉润商贸有限公司", "乾元科技有限公司"]);
        assert_eq!(names_of(&index.search("濟南泉潤", 10)), [("济南泉润商贸有限公司", MatchKind::Prefix)]);
        assert_eq!(index.search("泉潤商貿有限公司", 10)[0].rank, MatchKind::Exact);
        // A simplified name with a character the table maps still finds itself.
        assert_eq!(index.search("乾元科技", 10).len(), 1);
    }

    #[test]
    fn person_names_get_a_notice_instead_of_fuzzy_hits() {
        let index = index_of(&["丁建国副食店", "王府井百货有限公司", "张记面馆", "老字号张建国烧烤店"]);
        let answer = index.answer("张建国", 10);
        assert_eq!(answer.notice, Some(QueryNotice::PersonName));
        // Contains hits stay (the name is in a company name); no fuzzy ones.
        assert_eq!(names_of(&answer.hits), [("老字号张建国烧烤店", MatchKind::Contains)]);
        let answer = index.answer("李建国", 10);
        assert_eq!((answer.notice, answer.hits.len()), (Some(QueryNotice::PersonName), 0));
        // Short company names that exist are found first.
        assert_eq!(index.answer("王府井", 10).notice, None);
        assert_eq!(index.answer("张记", 10).hits[0].name, "张记面馆");
        assert!(looks_like_person_name("欧阳修"));
        assert!(looks_like_person_name("司马相如"));
        assert!(!looks_like_person_name("泉润商贸"));
        assert!(!looks_like_person_name("张ABC"));
        assert!(!looks_like_person_name("张建国副食店"));
    }

    #[test]
    fn unknown_codes_say_whether_the_check_character_is_wrong() {
        let index = index_of(&["泉润商贸有限公司"]);
        let good = "91370102MA3C4XK82R";
        let expected = xinyong_domain::codes::uscc::check_character(&good[..17]).expect("valid body");
        let wrong = if expected == '0' { '1' } else { '0' };
        let typed = format!("{}{wrong}", &good[..17]);
        assert_eq!(index.answer(&typed, 10).notice, Some(QueryNotice::UsccCheckCharacter { expected, found: wrong }));
        let right = format!("{}{expected}", &good[..17]);
        assert_eq!(index.answer(&right, 10).notice, Some(QueryNotice::UnknownCode));
        assert!(
            QueryNotice::UsccCheckCharacter { expected, found: wrong }
                .message_zh()
                .contains(&format!("应为 {expected}"))
        );
        assert_eq!(index.answer("91370100MA00000000", 10).hits.len(), 1);
        assert_eq!(index.answer("有限公司", 10).notice, Some(QueryNotice::TooShort));
    }

    fn name_strategy() -> impl Strategy<Value = String> {
        // Characters that make fragments collide with each other, with
        // place names and with legal forms.
        let chars = prop::sample::select(vec![
            '泉', '润', '商', '贸', '济', '南', '有', '限', '公', '司', '科', '技', 'A', '1',
        ]);
        let form = prop::sample::select(vec!["", "有限公司", "股份有限公司", "分公司", "(个体工商户)", "专业合作社"]);
        (prop::collection::vec(chars, 2..12), form).prop_map(|(cs, f)| cs.into_iter().collect::<String>() + f)
    }

    proptest! {
        /// Every fragment of two or more characters of a stripped name finds
        /// that name, unless stripping legal forms from the fragment leaves
        /// fewer than two characters (then nothing is returned, by design).
        #[test]
        fn every_fragment_finds_its_name(
            names in prop::collection::vec(name_strategy(), 1..40),
            pick in any::<prop::sample::Index>(),
            a in any::<prop::sample::Index>(),
            b in any::<prop::sample::Index>(),
        ) {
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let index = index_of(&refs);
            let i = pick.index(names.len());
            let key: Vec<char> = strip_legal_forms(&normalize(&names[i]), false).chars().collect();
            prop_assume!(key.len() >= 2);
            let (x, y) = (a.index(key.len()), b.index(key.len()));
            let (from, to) = (x.min(y), x.max(y) + 1);
            prop_assume!(to - from >= 2);
            let fragment: String = key[from..to].iter().collect();
            let hits = index.search(&fragment, usize::MAX);
            let code = format!("91370100MA{i:08}");
            if strip_legal_forms(&fragment, true).chars().count() >= MIN_QUERY_CHARS {
                prop_assert!(hits.iter().any(|h| h.uscc == code), "{fragment} did not find {}", names[i]);
                prop_assert!(hits.windows(2).all(|w| w[0].rank <= w[1].rank));
                let distinct: HashSet<&str> = hits.iter().map(|h| h.uscc.as_str()).collect();
                prop_assert_eq!(distinct.len(), hits.len());
            } else {
                prop_assert!(hits.is_empty());
            }
        }
    }
}
