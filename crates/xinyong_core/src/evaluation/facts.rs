//! The facts a scorecard looks at, gathered from the projections: every
//! organisation's records (not those whose publicity ended, nor those under an open
//! objection), list memberships and bans in force, interviews, results of
//! published random inspections, accepted voluntary registrations while
//! valid and the latest external grade of each scheme. Kept columnar (one flat
//! array of facts, an offset per subject) so a million subjects are scored
//! in one pass.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::BuildHasher as _;

use chrono::NaiveDate;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use xinyong_domain::Uscc;
use xinyong_domain::collection::PublicityEndReason;
use xinyong_domain::evaluation::{ExternalGradeRow, Fact, FactKeys, FactSource, day_number};
use xinyong_domain::inspections::{InspectionTargetRow, InspectionTaskRow, TaskStatus};
use xinyong_domain::lists::{BanRow, InterviewRow, ListingRow};
use xinyong_domain::objections::{ObjectionStatus, RecordObjectionRow};
use xinyong_domain::registrations::{RegistrationRow, RegistrationStatus};
use xinyong_domain::subjects::{SubjectRow, SubjectStatus};
use xinyong_storage::Store;
use xinyong_storage::evaluation::{RecordFact, record_facts};

use crate::error::Result;

/// Rows read per page when facts are gathered by scanning.
const SCAN_PAGE: u32 = 5_000;
/// Records, listings, bans and interviews read per subject when only some
/// subjects are re-scored.
const PER_SUBJECT_LIMIT: u32 = 10_000;

/// Facts of many subjects.
#[derive(Debug, Clone, Default)]
pub struct CityFacts {
    pub keys: FactKeys,
    /// Subjects in USCC order.
    pub subjects: Vec<String>,
    /// Facts of subject `i`: `facts[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<usize>,
    facts: Vec<Fact>,
}

impl CityFacts {
    /// Builds the columnar form from (subject, fact) pairs in any order;
    /// `subjects` are included even without facts.
    pub fn from_pairs(keys: FactKeys, subjects: Vec<String>, pairs: Vec<(u32, Fact)>) -> CityFacts {
        let (owners, facts) = pairs.into_iter().unzip();
        CityFacts::from_columns(keys, subjects, owners, facts)
    }

    /// Builds the columnar form from each fact and the index of its subject
    /// (`owners[i]` owns `facts[i]`), in any order. Facts of an index beyond
    /// `subjects` are left out; each subject's facts come out sorted.
    ///
    /// The facts are grouped where they lie (a counting sort, then each fact
    /// swapped into its place), so they are held once while they are
    /// grouped: sorting (subject, fact) pairs and copying the facts out held
    /// twenty bytes a fact at the evaluation's peak, this twelve.
    pub fn from_columns(
        keys: FactKeys,
        subjects: Vec<String>,
        mut owners: Vec<u32>,
        mut facts: Vec<Fact>,
    ) -> CityFacts {
        let n = subjects.len();
        let len = facts.len().min(owners.len());
        facts.truncate(len);
        owners.truncate(len);
        if u32::try_from(len).is_err() {
            // Destinations are kept in `owners` as u32: past four billion
            // facts, sort pairs instead.
            let mut pairs: Vec<(u32, Fact)> = owners.into_iter().zip(facts).collect();
            pairs.sort_unstable();
            let (owners, facts) = pairs.into_iter().unzip();
            return CityFacts::grouped(keys, subjects, owners, facts);
        }
        // Bucket `n` gathers the facts of unknown subjects, at the end.
        let mut starts = vec![0_usize; n + 2];
        for owner in &mut owners {
            *owner = (*owner).min(u32::try_from(n).unwrap_or(u32::MAX));
            starts[*owner as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        // Each fact's destination, in place of its owner (stable).
        let mut next = starts.clone();
        for owner in &mut owners {
            let slot = &mut next[*owner as usize];
            *owner = u32::try_from(*slot).unwrap_or(u32::MAX);
            *slot += 1;
        }
        drop(next);
        for i in 0..len {
            while owners[i] as usize != i {
                let to = owners[i] as usize;
                facts.swap(i, to);
                owners.swap(i, to);
            }
        }
        drop(owners);
        starts.truncate(n + 1);
        facts.truncate(starts[n]);
        for w in starts.windows(2) {
            facts[w[0]..w[1]].sort_unstable();
        }
        CityFacts { keys, subjects, offsets: starts, facts }
    }

    /// From facts already sorted by owner.
    fn grouped(keys: FactKeys, subjects: Vec<String>, owners: Vec<u32>, facts: Vec<Fact>) -> CityFacts {
        let mut offsets = Vec::with_capacity(subjects.len() + 1);
        let mut kept = Vec::with_capacity(facts.len());
        let mut next = owners.into_iter().zip(facts).peekable();
        for i in 0..subjects.len() {
            offsets.push(kept.len());
            while let Some((s, fact)) = next.peek() {
                if usize::try_from(*s).unwrap_or(usize::MAX) != i {
                    break;
                }
                kept.push(*fact);
                next.next();
            }
        }
        offsets.push(kept.len());
        CityFacts { keys, subjects, offsets, facts: kept }
    }

    pub fn len(&self) -> usize {
        self.subjects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.subjects.is_empty()
    }

    /// The facts of subject `i`.
    pub fn of(&self, i: usize) -> &[Fact] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(from), Some(to)) => &self.facts[*from..*to],
            _ => &[],
        }
    }

    pub fn fact_count(&self) -> usize {
        self.facts.len()
    }
}

/// Collects facts while rows are read: subjects by USCC, each fact with the
/// index of its subject.
#[derive(Debug, Default)]
pub struct FactsBuilder {
    keys: FactKeys,
    /// Indexes into `subjects`, hashed by the USCC they point at, so each
    /// USCC is held once (a `HashMap<String, u32>` beside the list held a
    /// million USCCs twice, about 70 MB more).
    index: HashTable<u32>,
    hasher: foldhash::quality::RandomState,
    subjects: Vec<String>,
    /// `owners[i]` is the subject of `facts[i]`.
    owners: Vec<u32>,
    facts: Vec<Fact>,
    /// The latest period of each (subject, scheme) seen so far.
    latest_external: BTreeMap<(String, String), (String, String, NaiveDate)>,
    /// Records with an open objection: they do not count until the
    /// department has answered (the reading that protects the subject).
    disputed: HashSet<String>,
    /// Published inspection tasks and their lead departments: a result
    /// counts once its task's results are public (一公开), not before.
    published_tasks: HashMap<String, String>,
}

impl FactsBuilder {
    fn subject(&mut self, uscc: &str) -> u32 {
        let (subjects, hasher) = (&self.subjects, &self.hasher);
        let entry = self.index.entry(
            hasher.hash_one(uscc),
            |i| subjects[*i as usize] == uscc,
            |i| hasher.hash_one(subjects[*i as usize].as_str()),
        );
        match entry {
            Entry::Occupied(found) => *found.get(),
            Entry::Vacant(slot) => {
                let i = u32::try_from(subjects.len()).unwrap_or(u32::MAX);
                slot.insert(i);
                self.subjects.push(uscc.to_owned());
                i
            }
        }
    }

    fn knows(&self, uscc: &str) -> bool {
        self.index.find(self.hasher.hash_one(uscc), |i| self.subjects[*i as usize] == uscc).is_some()
    }

    /// Registers a subject (so it is scored even with no facts).
    pub fn add_subject(&mut self, uscc: &str) {
        self.subject(uscc);
    }

    pub fn add(&mut self, uscc: &str, source: FactSource, class: &str, code: &str, date: NaiveDate) {
        let s = self.subject(uscc);
        let key = self.keys.intern(source, class, code);
        self.owners.push(s);
        self.facts.push(Fact { key, day: day_number(date) });
    }

    /// A record counts unless an objection revoked or corrected it or it was
    /// repaired; a natural person's record never (organisations only).
    /// A record under an open objection: left out of the facts.
    pub fn add_disputed(&mut self, record_id: String) {
        self.disputed.insert(record_id);
    }

    pub fn add_record(&mut self, row: &RecordFact) {
        if row.subject_kind == "natural_person" || !self.knows(&row.subject_key) || self.disputed.contains(&row.id) {
            return;
        }
        let withdrawn = row
            .non_public_reason
            .as_deref()
            .is_some_and(|reason| PublicityEndReason::ALL.iter().any(|r| r.as_str() == reason));
        if withdrawn {
            return;
        }
        let class = row.severity.as_deref().unwrap_or("none");
        self.add(&row.subject_key, FactSource::Record, class, &row.item, row.decision_date);
    }

    pub fn add_listing(&mut self, row: &ListingRow, today: NaiveDate) {
        if row.subject_kind == "natural_person" || !self.knows(&row.subject_key) || !row.in_force(today) {
            return;
        }
        let since = row.valid_from.unwrap_or(row.proposed_on);
        self.add(&row.subject_key.clone(), FactSource::Listing, &row.list_kind, &row.list_code, since);
    }

    pub fn add_ban(&mut self, row: &BanRow, today: NaiveDate) {
        let in_force = row.starts_on <= today && row.ends_on.is_none_or(|end| today <= end);
        if row.subject_kind == "natural_person" || !self.knows(&row.subject_key) || !in_force {
            return;
        }
        self.add(&row.subject_key.clone(), FactSource::Ban, row.scope.as_str(), &row.field, row.starts_on);
    }

    pub fn add_interview(&mut self, row: &InterviewRow) {
        if row.subject_kind == "natural_person" || !self.knows(&row.subject_key) {
            return;
        }
        self.add(&row.subject_key.clone(), FactSource::Interview, "interview", row.department.as_str(), row.held_on);
    }

    /// An accepted voluntary registration counts while it is valid, from
    /// the day it was accepted; pending, rejected, false or withdrawn ones
    /// never (only what a department reviewed is evidence).
    pub fn add_registration(&mut self, row: &RegistrationRow, today: NaiveDate) {
        let valid = row.valid_until.is_none_or(|until| today <= until);
        if row.status != RegistrationStatus::Accepted || !valid || !self.knows(row.uscc.as_str()) {
            return;
        }
        let on = row.reviewed_on.unwrap_or(row.submitted_on);
        self.add(row.uscc.as_str(), FactSource::Registration, row.kind.as_str(), row.department.as_str(), on);
    }

    /// Registers a task whose results may count (its results published).
    pub fn add_inspection_task(&mut self, row: &InspectionTaskRow) {
        if row.status == TaskStatus::Published {
            self.published_tasks.insert(row.task_id.clone(), row.lead_department.clone());
        }
    }

    /// A result of a published task, dated the day it was entered; tasks
    /// must be added first (`add_inspection_task`).
    pub fn add_inspection(&mut self, row: &InspectionTargetRow) {
        let (Some(outcome), Some(on)) = (row.outcome, row.result_on) else { return };
        let Some(department) = self.published_tasks.get(&row.task_id).cloned() else { return };
        if self.knows(row.uscc.as_str()) {
            self.add(row.uscc.as_str(), FactSource::Inspection, outcome.as_str(), &department, on);
        }
    }

    /// Only the latest period of a scheme counts (by `period_end`: a
    /// quarter's grade is later than the year before's, whatever the text).
    pub fn add_external(&mut self, row: &ExternalGradeRow) {
        if !self.knows(row.uscc.as_str()) {
            return;
        }
        let slot = (row.uscc.as_str().to_owned(), row.scheme.clone());
        let end = xinyong_domain::evaluation::period_end;
        let newer = self.latest_external.get(&slot).is_none_or(|(period, _, _)| end(period) < end(&row.period));
        if newer {
            self.latest_external.insert(slot, (row.period.clone(), row.grade.clone(), row.received_on));
        }
    }

    pub fn finish(mut self) -> CityFacts {
        for ((uscc, scheme), (_, grade, received_on)) in std::mem::take(&mut self.latest_external) {
            self.add(&uscc, FactSource::ExternalGrade, &scheme, &grade, received_on);
        }
        // What only the reading needed goes before the facts are grouped.
        drop(std::mem::take(&mut self.index));
        drop(std::mem::take(&mut self.disputed));
        drop(std::mem::take(&mut self.published_tasks));
        // Subjects in USCC order, so runs and exports list them alike.
        let mut order: Vec<u32> = (0..u32::try_from(self.subjects.len()).unwrap_or(u32::MAX)).collect();
        order.sort_by(|a, b| self.subjects[*a as usize].cmp(&self.subjects[*b as usize]));
        let mut renumber = vec![0_u32; order.len()];
        for (new, old) in order.iter().enumerate() {
            renumber[*old as usize] = u32::try_from(new).unwrap_or(u32::MAX);
        }
        let subjects = order.iter().map(|old| std::mem::take(&mut self.subjects[*old as usize])).collect();
        for owner in &mut self.owners {
            *owner = renumber[*owner as usize];
        }
        CityFacts::from_columns(self.keys, subjects, self.owners, self.facts)
    }
}

/// Every active organisation and its facts, read in one pass over each
/// table. Call it on a snapshot (`Store::snapshot`): the records are walked
/// in storage order, which only a snapshot keeps still.
pub async fn gather_all(store: &dyn Store, today: NaiveDate) -> Result<CityFacts> {
    let mut b = FactsBuilder::default();
    let mut scan = store.scan::<SubjectRow>(SCAN_PAGE);
    while let Some(page) = scan.next_page().await? {
        for row in page.iter().filter(|r| r.status == SubjectStatus::Active) {
            b.add_subject(row.uscc.as_str());
        }
    }
    // Objections first: a record under one does not count.
    let mut scan = store.scan::<RecordObjectionRow>(SCAN_PAGE);
    while let Some(page) = scan.next_page().await? {
        page.into_iter().filter(|o| o.status == ObjectionStatus::Open).for_each(|o| b.add_disputed(o.record_id));
    }
    let mut walk = record_facts(store, SCAN_PAGE);
    while let Some(page) = walk.next_page().await? {
        page.iter().for_each(|r| b.add_record(r));
    }
    let mut scan = store.scan::<ListingRow>(SCAN_PAGE);
    while let Some(page) = scan.next_page().await? {
        page.iter().for_each(|r| b.add_listing(r, today));
    }
    let mut scan = store.scan::<BanRow>(SCAN_PAGE);
    while let Some(page) = scan.next_page().await? {
        page.iter().for_each(|r| b.add_ban(r, today));
    }
    let mut scan = store.scan::<InterviewRow>(SCAN_PAGE);
    while let Some(page) = scan.next_page().await? {
        page.iter().for_each(|r| b.add_interview(r));
    }
    let mut scan = store.scan::<ExternalGradeRow>(SCAN_PAGE);
    while let Some(page) = scan.next_page().await? {
        page.iter().for_each(|r| b.add_external(r));
    }
    let mut scan = store.scan::<InspectionTaskRow>(SCAN_PAGE);
    while let Some(page) = scan.next_page().await? {
        page.iter().for_each(|r| b.add_inspection_task(r));
    }
    let mut scan = store.scan::<InspectionTargetRow>(SCAN_PAGE);
    while let Some(page) = scan.next_page().await? {
        page.iter().for_each(|r| b.add_inspection(r));
    }
    let mut scan = store.scan::<RegistrationRow>(SCAN_PAGE);
    while let Some(page) = scan.next_page().await? {
        page.iter().for_each(|r| b.add_registration(r, today));
    }
    Ok(b.finish())
}

/// The facts of some organisations, read subject by subject (an
/// incremental run). Subjects that are not active organisations are left out.
pub async fn gather_some(store: &dyn Store, usccs: &[Uscc], today: NaiveDate) -> Result<CityFacts> {
    let mut b = FactsBuilder::default();
    for uscc in usccs {
        let active = store.get(SubjectRow::key(uscc)).await?.is_some_and(|row| row.status == SubjectStatus::Active);
        if !active {
            continue;
        }
        b.add_subject(uscc.as_str());
        for id in xinyong_storage::objections::records_under_objection(store, uscc, PER_SUBJECT_LIMIT).await? {
            b.add_disputed(id);
        }
        for r in xinyong_storage::collection::records_of_subject(store, uscc, PER_SUBJECT_LIMIT).await? {
            b.add_record(&RecordFact::from(&r));
        }
        for r in xinyong_storage::lists::listings_of_subject(store, uscc.as_str(), PER_SUBJECT_LIMIT).await? {
            b.add_listing(&r, today);
        }
        for r in xinyong_storage::lists::bans_of_subject(store, uscc.as_str(), PER_SUBJECT_LIMIT).await? {
            b.add_ban(&r, today);
        }
        for r in xinyong_storage::lists::interviews_of_subject(store, uscc.as_str(), PER_SUBJECT_LIMIT).await? {
            b.add_interview(&r);
        }
        for r in xinyong_storage::evaluation::external_grades_of(store, uscc).await? {
            b.add_external(&r);
        }
        for r in xinyong_storage::inspections::targets_of_subject(store, uscc, PER_SUBJECT_LIMIT).await? {
            if let Some(task) = store.get(InspectionTaskRow::key(r.task_id.as_str())).await? {
                b.add_inspection_task(&task);
            }
            b.add_inspection(&r);
        }
        for r in xinyong_storage::registrations::accepted_of_subject(store, uscc, PER_SUBJECT_LIMIT).await? {
            b.add_registration(&r, today);
        }
    }
    Ok(b.finish())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The plain way: sort (owner, fact) pairs, then cut them per subject.
    fn sorted_then_cut(subjects: usize, pairs: &[(u32, Fact)]) -> Vec<Vec<Fact>> {
        let mut pairs = pairs.to_vec();
        pairs.sort_unstable();
        (0..subjects).map(|i| pairs.iter().filter(|(s, _)| *s as usize == i).map(|(_, f)| *f).collect()).collect()
    }

    proptest! {
        #[test]
        fn grouping_in_place_gives_what_sorting_pairs_gives(
            subjects in 0_usize..6,
            raw in proptest::collection::vec((0_u32..8, 0_u32..4, -3_i32..3), 0..60),
        ) {
            let pairs: Vec<(u32, Fact)> = raw.iter().map(|(s, key, day)| (*s, Fact { key: *key, day: *day })).collect();
            let names: Vec<String> = (0..subjects).map(|i| format!("S{i}")).collect();
            let facts = CityFacts::from_pairs(FactKeys::default(), names, pairs.clone());
            let expected = sorted_then_cut(subjects, &pairs);
            prop_assert_eq!(facts.len(), subjects);
            prop_assert_eq!(facts.fact_count(), expected.iter().map(Vec::len).sum::<usize>());
            for (i, want) in expected.iter().enumerate() {
                prop_assert_eq!(facts.of(i), want.as_slice());
            }
        }
    }

    #[test]
    fn the_builder_keeps_each_subject_once_in_uscc_order() {
        let day = NaiveDate::from_ymd_opt(2025, 3, 1).expect("a date");
        let mut b = FactsBuilder::default();
        for uscc in ["B", "A", "C", "A"] {
            b.add_subject(uscc);
        }
        b.add("C", FactSource::Record, "serious", "p1", day);
        b.add("A", FactSource::Record, "minor", "p2", day);
        b.add("C", FactSource::Record, "minor", "p2", day);
        assert!(b.knows("B") && !b.knows("D"));
        let facts = b.finish();
        assert_eq!(facts.subjects, ["A", "B", "C"]);
        assert_eq!((facts.of(0).len(), facts.of(1).len(), facts.of(2).len()), (1, 0, 2));
        assert!(facts.of(2).is_sorted());
    }
}
